"""`guard restore [ROOT] [ID]`: put a quarantine made by `guard clean` back exactly.

Exit codes: 0 restored; 1 some entries could not be moved back; 2 refused (something reappeared
at an original path, unknown id, no terminal and no --force, locked); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import shlex
import time

from guard.cli import common
from guard.cli.common import format_bytes
from guard.cli.common import plural
from guard.errors import UsageError
from guard.printable import printable

EPILOG = (
    'exit codes: 0 restored; 1 some entries could not be moved back; 2 refused (a path reappeared, '
    'unknown id, no terminal without --force, locked); 130 interrupted'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument('root', nargs='?', metavar='ROOT', help='project root (default: the current directory)')
    parser.add_argument(
        'id', nargs='?', metavar='ID', help='the quarantine to restore (default: the newest; see guard clean --list)'
    )
    common.add_old_spelling(parser, '--root', dest='root_option', metavar='ROOT')  # now the ROOT positional
    common.add_change_options(parser, dry_run_help='show what would be restored and change nothing')
    common.add_config_option(parser)
    parser.add_argument(
        '--hold',
        metavar='SECONDS',
        type=float,
        help='how long `guard watch` leaves the restored entries alone '
        '(default: watch.restore-hold, 3600; 0: not at all)',
    )
    parser.add_argument(
        '--release', action='store_true', help="end the hold on ROOT's restored entries now, and restore nothing"
    )


def run(args: argparse.Namespace) -> int:
    from guard.cli.clean import show_move_report
    from guard.safety import hold
    from guard.safety import quarantine
    from guard.safety import restore as restore_mod

    root_text, quarantine_id = root_and_id(args)
    from guard.safety import fd as fdops
    from guard.safety.paths import check_root

    root = common.existing_dir(root_text)
    config = common.load_config(root, args)
    if args.release:
        released = hold.release(config.state_path(), root)
        common.out(f'guard restore: {"released the hold on" if released else "no hold on"} {root}')
        return 0
    pin = fdops.RootPin(check_root(root))  # the root restored into is the one shown before the prompt
    q = quarantine.find(config, pin, quarantine_id)
    common.out(
        f'guard restore: quarantine {q.id} ({plural(q.files, "file")}, {format_bytes(q.bytes)}) back into {root}:'
    )
    for entry in q.manifest.entries:
        common.out(f'  {printable(entry.path)}{"/" if entry.kind == "dir" else ""}')
    restore_mod.check(config, pin, q)
    if args.dry_run:
        common.out('Dry run: nothing was changed.')
        return 0
    common.confirm(f'Restore quarantine {q.id}?', force=args.force, what='restore')
    seconds = config.watch.restore_hold if args.hold is None else args.hold
    # Held before the entries come back: a daemon that sees them must already see the hold.
    until = hold.hold(config.state_path(), root, [e.path for e in q.manifest.entries], seconds) if seconds > 0 else None
    store = common.open_audit_for_change(config)
    try:
        report = restore_mod.restore(config, pin, q.id, audit=store, trigger='manual', lock_timeout=args.lock_timeout)
    finally:
        store.close()
    if until is not None and not report.moved:
        hold.release(config.state_path(), root)
    elif until is not None:
        common.out(
            f'guard watch leaves them alone until {time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(until))} '
            f'(guard restore --release {shlex.quote(str(root))} ends the hold sooner)'
        )
    return show_move_report(report)


def root_and_id(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(ROOT, ID) from `guard restore [ROOT] [ID]`, and from the older `guard restore [ID] [--root ROOT]`.

    One word alone is the ROOT when it names a directory or holds a `/`, and an ID otherwise
    (`guard restore 20260101T000000Z` still restores in the current directory, as it always did).
    """
    first, second = args.root, args.id
    old_root = getattr(args, 'root_option', None)
    if old_root is not None:
        if second is not None:
            raise UsageError(f'both --root {old_root} and ROOT {first} given; use guard restore ROOT ID')
        return old_root, first
    if first is not None and second is None and not os.path.isdir(first) and '/' not in first:
        return None, first
    return first, second
