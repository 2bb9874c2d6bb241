"""`guard clean [ROOT]`: move the root's venv artifacts into a quarantine; `--list` shows quarantines.

Exit codes: 0 done (or nothing to do); 1 some entries could not be moved; 2 refused (no terminal
and no --force, unsafe root or quarantine folder, locked, bad config); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from guard.cli import common
from guard.cli.common import format_bytes
from guard.cli.common import plural
from guard.printable import printable

if TYPE_CHECKING:
    from guard.config import Config
    from guard.safety.quarantine import CleanPlan
    from guard.safety.quarantine import MoveReport

EPILOG = (
    'exit codes: 0 done or nothing to do; 1 some entries could not be moved; 2 refused (no terminal '
    'without --force, unsafe root or quarantine folder, locked, bad config); 130 interrupted'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument('root', nargs='?', metavar='ROOT', help='project root (default: the current directory)')
    parser.add_argument('--list', action='store_true', help='list the quarantines of ROOT with their sizes')
    common.add_change_options(parser, dry_run_help='show the plan and change nothing')
    fix = parser.add_mutually_exclusive_group()
    fix.add_argument('--fix', action='store_true', help='also apply the offered .gitignore and .env.example fixes')
    fix.add_argument('--no-fix', action='store_true', help='do not offer the fixes')
    common.add_config_option(parser)


def run(args: argparse.Namespace) -> int:
    from guard.safety import quarantine

    root = common.existing_dir(args.root)
    config = common.load_config(root, args)
    if args.list:
        return show_list(config, root)
    plan = quarantine.plan(config, root)
    show_plan(plan, with_fixes=not args.no_fix)
    if args.dry_run:
        common.out('Dry run: nothing was changed.')
        return 0
    code = 0
    if plan.entries:
        common.confirm(f'Move these {len(plan.entries)} entries into the quarantine?', force=args.force, what='clean')
        code = _execute(plan, config, args)
    elif not plan.fixes:
        common.out('Nothing to clean.')
    if not args.no_fix:
        code = max(code, _offer_fixes(plan, apply_all=args.fix))
    return code


def _execute(plan: CleanPlan, config: Config, args: argparse.Namespace) -> int:
    from guard.safety import quarantine

    store = common.open_audit_for_change(config)
    try:
        report = quarantine.execute(plan, audit=store, trigger='manual', lock_timeout=args.lock_timeout)
    finally:
        store.close()
    return show_move_report(report)


def show_plan(plan: CleanPlan, *, with_fixes: bool) -> None:
    common.out(f'guard clean: {printable(plan.root)}')
    if plan.entries:
        common.out(
            f'Will move {plural(len(plan.entries), "venv entry", "venv entries")} '
            f'({plural(plan.files, "file")}, {format_bytes(plan.bytes)}) into {plan.quarantine_dir}/<id>/:'
        )
        width = max(len(common.shown(e.path, e.kind)) for e in plan.entries)
        for e in plan.entries:
            common.out(
                f'  {common.shown(e.path, e.kind):<{width}}  {plural(e.files, "file"):>13}  {format_bytes(e.bytes):>10}'
            )
        common.out(f'Why: {printable(plan.evidence)}')
    else:
        common.out('No venv artifacts in the root.')
    for left in plan.left:
        common.out(f'Left in place, a protected path never moves: {left}')
    if with_fixes and plan.fixes:
        common.out('Fixes on offer:')
        for fix in plan.fixes:
            common.out(f'  {printable(fix.description)}')


def _offer_fixes(plan: CleanPlan, *, apply_all: bool) -> int:
    """1 when a fix was refused (its file is a hard link, a mount...); a root that moved raises."""
    from guard.safety import fixes
    from guard.safety.fd import RootPin
    from guard.safety.paths import check_root

    pin = plan.pin or RootPin(check_root(plan.root))
    code = 0
    for fix in plan.fixes:
        if apply_all or common.ask(f'{fix.description[0].upper()}{fix.description[1:]}?'):
            try:
                fixes.apply(fix, pin)
            except fixes.FixRefused as e:
                common.err(f'not applied: {e}')
                code = 1
                continue
            common.out(f'Updated {fix.name}.' if not fix.creates else f'Wrote {fix.name}.')
        elif not sys.stdin.isatty():
            common.out(f'Not applied: the {fix.name} fix (run `guard clean --fix` to apply it).')
    return code


def show_move_report(report: MoveReport) -> int:
    verb = 'Moved' if report.kind == 'clean' else 'Restored'
    where = f'into {report.quarantine_path}' if report.kind == 'clean' else f'from quarantine {report.quarantine_id}'
    common.out(f'{verb} {plural(len(report.moved), "entry", "entries")} ({format_bytes(report.bytes)}) {where}.')
    if report.kind == 'clean' and report.moved:
        common.out(f'Undo with: guard restore {report.root} {report.quarantine_id}')
        _show_untrack(report)
    for failure in report.failures:
        common.err(f'{printable(failure.rel)}: {printable(failure.error)} (hint: {failure.hint})')
    if report.audit_error:
        common.err(f'could not record this in the audit trail: {report.audit_error}')
    elif report.audit_id is not None:
        common.out(f'Recorded in the audit trail as #{report.audit_id} (guard history).')
    return 1 if report.failures else 0


def _show_untrack(report: MoveReport) -> None:
    """A venv that was committed stays in git's index after the move: say how to untrack it."""
    import shlex

    from guard.safety import quarantine

    tracked = quarantine.tracked(report.root, [e.path for e in report.moved])
    if tracked:
        common.out(f'These entries are tracked by git; in {report.root}, untrack them (then commit) with:')
        common.out(f'  git rm -r --cached {" ".join(printable(shlex.quote(p)) for p in tracked)}')


def show_list(config: Config, root: Path) -> int:
    from guard.safety import quarantine

    found = quarantine.list_quarantines(config, root)
    if not found:
        common.out(f'No quarantines in {quarantine.quarantine_dir(config, root)}.')
        return 0
    common.out(f'{"ID":<20} {"CREATED (local time)":<20} {"STATE":<11} {"ENTRIES":>7} {"FILES":>9} {"SIZE":>10}')
    for q in found:
        created = q.created.astimezone().strftime('%Y-%m-%d %H:%M:%S')
        common.out(
            f'{printable(q.id):<20} {created:<20} {printable(q.manifest.state):<11} {len(q.manifest.entries):>7} '
            f'{q.files:>9,} {format_bytes(q.bytes):>10}'
        )
    total = sum(q.bytes for q in found)
    common.out(f'{len(found)} quarantine(s), {format_bytes(total)} in {quarantine.quarantine_dir(config, root)}')
    return 0
