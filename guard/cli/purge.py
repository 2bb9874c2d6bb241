"""`guard purge [ROOT]`: show the plan, confirm, clear runtime state, verify protected paths.

Exit codes: 0 everything planned was cleared and every protected path is unchanged; 1 some path
could not be cleared, a service command failed, or a protected path changed; 2 refused (no
terminal and no --force, unsafe root, locked, bad config); 130 interrupted.
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING
from typing import TypeVar

from guard.cli import common
from guard.cli.common import format_bytes
from guard.cli.common import plural
from guard.errors import UnsafeOperationError
from guard.printable import printable

if TYPE_CHECKING:
    from guard.safety.purge import PurgePlan
    from guard.safety.purge import PurgeReport

T = TypeVar('T')

LIST_LIMIT = 20

EPILOG = (
    'exit codes: 0 all cleared and protected paths unchanged; 1 something could not be cleared, a '
    'service command failed or a protected path changed; 2 refused (no terminal without --force, '
    'unsafe root, locked, bad config); 130 interrupted'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument('root', nargs='?', metavar='ROOT', help='project root (default: the current directory)')
    common.add_change_options(parser, dry_run_help='show the plan and change nothing')
    parser.add_argument('--full', action='store_true', help='also run the configured purge.full commands (asks again)')
    parser.add_argument(
        '--allow-wide',
        action='store_true',
        help="clear even a plan that takes most of the root's top-level entries (the guard rail)",
    )
    parser.add_argument('-v', '--verbose', action='store_true', help='list every kept path and show progress')
    common.add_config_option(parser)


def run(args: argparse.Namespace) -> int:
    from guard.safety import purge

    root = common.existing_dir(args.root)
    config = common.load_config(root, args)
    the_plan = purge.plan(config, root)
    show_plan(the_plan, full=args.full, verbose=args.verbose)
    if args.dry_run:
        common.out('Dry run: nothing was changed.')
        return 0
    if not the_plan.to_clear and not _has_commands(the_plan, args.full):
        common.out('Nothing to purge.')
        return 0
    too_wide = purge.wide(the_plan)
    if too_wide and not args.allow_wide:
        raise UnsafeOperationError(too_wide)
    common.confirm('Purge the paths above?', force=args.force, what='purge')
    if args.full and the_plan.commands('full'):
        from guard.redact import mask_command_line

        common.confirm(
            f'--full also runs: {"; ".join(map(mask_command_line, the_plan.commands("full")))}. '
            'This destroys data. Run it?',
            force=args.force,
            what='run the --full commands',
        )
    store = common.open_audit_for_change(config)
    try:
        with _sigterm_interrupts():
            report = purge.execute(
                the_plan,
                audit=store,
                trigger='manual',
                full=args.full,
                lock_timeout=args.lock_timeout,
                allow_wide=args.allow_wide,
                progress=(lambda line: common.out(f'  {printable(line)}')) if args.verbose else None,
            )
    finally:
        store.close()
    return show_report(report)


def show_plan(plan: PurgePlan, *, full: bool, verbose: bool) -> None:
    common.out(f'guard purge: {printable(plan.root)}')
    items = plan.to_clear
    if items:
        files, size = sum(i.files for i in items), sum(i.bytes for i in items)
        common.out(f'Will clear ({plural(len(items), "path")}, {plural(files, "file")}, {format_bytes(size)}):')
        width = max(len(common.shown(i.rel, i.kind)) for i in items)
        for item in items:
            common.out(
                f'  {common.shown(item.rel, item.kind):<{width}}  {plural(item.files, "file"):>15}  {format_bytes(item.bytes):>10}'
            )
    else:
        common.out('No ephemeral paths to clear.')
    _show_open_files(plan)
    _show_left_alone(plan, verbose)
    for failure in plan.unreadable:
        common.out(f'  cannot look inside {printable(failure.rel)}: {printable(failure.error)} ({failure.hint})')
    if plan.protected:
        names, more = _limited(list(plan.protected), verbose)
        tail = f' and {more} more' if more else ''
        common.out(f'Protected, checked unchanged afterwards: {", ".join(printable(n) for n in names)}{tail}')
    if plan.floors:
        common.out(f'Never touched, whatever the config says: {", ".join(plan.floors)}')
    if not plan.open_files_complete and verbose:
        common.out("Note: not running as root, so files held open by other users' processes are not detected.")
    _show_commands(plan, full)


def _show_open_files(plan: PurgePlan) -> None:
    truncated = [t for item in plan.items for t in item.truncated]
    if truncated:
        common.out('Will empty in place (held open by a running process, so deleting would free nothing):')
        for t in truncated:
            extra = f', old copy kept as {t.copy}' if t.copy else ''
            common.out(
                f'  {printable(t.rel)}  {format_bytes(t.bytes)}  held by {", ".join(printable(x) for x in t.holders)}{extra}'
            )
    held = [h for item in plan.items for h in item.held_open]
    if held:
        common.out('Held open by a running process (removing frees their space only when it exits):')
        for h in held:
            common.out(
                f'  {printable(h.rel)}  {format_bytes(h.bytes)}  held by {", ".join(printable(x) for x in h.holders)}'
            )


def _show_left_alone(plan: PurgePlan, verbose: bool) -> None:
    """Each path once; the root venv's entries on one line (there can be many, and one reason)."""
    from guard.safety.remove import VENV_REASON

    kept = [k for k in plan.left_alone if k.reason != VENV_REASON]
    venv = [k.rel for k in plan.left_alone if k.reason == VENV_REASON]
    if not kept and not venv:
        return
    common.out('Will leave alone:')
    if venv:
        common.out(f'  {", ".join(printable(v) for v in venv)}  ({VENV_REASON})')
    shown, more = _limited(kept, verbose)
    for k in shown:
        common.out(f'  {printable(k.rel)}  ({printable(k.reason)})')
    if more:
        common.out(f'  ... and {more} more (--verbose lists them)')


def _show_commands(plan: PurgePlan, full: bool) -> None:
    from guard.redact import mask_command_line
    from guard.safety import commands

    phases = [('before', True), ('full', full), ('after', True)]
    lines = []
    for phase, runs in phases:
        for command in plan.commands(phase):
            note = '' if runs else '   (only with --full)'
            if runs and commands.program(command) is None:
                note = '   (fails: it cannot be split into words)'
            elif runs and not commands.is_installed(command, plan.root):
                note = f'   (skipped: {commands.program(command)} is not installed)'
            # The audit store's default-deny form: any option's value, glued (-pPASS) or not, is `***`.
            lines.append(f'  {phase + ":":<7} {mask_command_line(command)}{note}')
    if lines:
        common.out('Service commands:')
        for line in lines:
            common.out(line)


def show_report(report: PurgeReport) -> int:
    from guard.safety import commands
    from guard.safety.purge import OK

    truncated = [t for item in report.items for t in item.truncated]
    paths = sum(not item.left_whole for item in report.items)
    line = f'Cleared {plural(report.files, "file")} ({format_bytes(report.bytes)}) in {plural(paths, "path")}'
    if truncated:
        line += f'; {len(truncated)} of those files, active logs, were emptied in place'
    common.out(line + '.')
    common.out(f'Free space gained on the filesystem (measured): {format_bytes(report.reclaimed)}.')
    held = [h for item in report.items for h in item.held_open]
    for h in held:
        common.out(
            f'  {printable(h.rel)} ({format_bytes(h.bytes)}) is still held open by {", ".join(printable(x) for x in h.holders)}: '
            'its space returns when that process closes it or restarts.'
        )
    for c in report.commands:
        if c.outcome != 'ok':
            common.err(commands.failure_line(c))
    for failure in report.failures:
        common.err(f'{printable(failure.rel)}: {printable(failure.error)} (hint: {failure.hint})')
    if report.failures:
        common.err(f'{len(report.failures)} path(s) could not be cleared; everything else was.')
    _show_verification(report)
    _show_audit(report.audit_id, report.audit_error)
    return 0 if report.outcome == OK else 1


def _show_verification(report: PurgeReport) -> None:
    v = report.verification
    if v.ok:
        common.out(f'Protected paths: {v.checked:,} checked, all unchanged.')
        return
    common.err(
        f'PROTECTED PATHS DIFFER after the purge ({len(v.changed)} changed, {len(v.missing)} missing) '
        f'of {v.checked:,} checked:'
    )
    for rel in (v.missing + v.changed)[:LIST_LIMIT]:
        common.err(f'  {printable(rel)}: {"missing" if rel in v.missing else "content changed"}')


def _show_audit(audit_id: int | None, error: str | None) -> None:
    if error:
        common.err(f'could not record this in the audit trail: {error}')
    elif audit_id is not None:
        common.out(f'Recorded in the audit trail as #{audit_id} (guard history).')


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM ends the purge like Ctrl-C does, so the audit row is closed as 'interrupted'."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _has_commands(plan: PurgePlan, full: bool) -> bool:
    return bool(plan.commands('before') or plan.commands('after') or (full and plan.commands('full')))


def _limited(values: list[T], verbose: bool) -> tuple[list[T], int]:
    """The values to list, and how many were left out (all are listed with --verbose)."""
    if verbose or len(values) <= LIST_LIMIT:
        return values, 0
    return values[:LIST_LIMIT], len(values) - LIST_LIMIT
