"""`guard uninstall-service ROOT`: undo `guard install-service ROOT`.

Removes this root's drop-in (`guard@<instance>.service.d/guard.conf`), the shared template when no
other root's drop-in is left, and the root's metrics file (a file left at guard_up 0 would page
someone forever). It keeps the audit store, the state directory and /etc/guard/<instance>.toml:
they are the record, and the operator's. It refuses while a daemon still watches the root: stop it
first (`systemctl disable --now`), or its last metrics write would outlive this.

Exit codes: 0 removed (or nothing there); 2 a daemon still runs for ROOT.
"""

from __future__ import annotations

import argparse
import os
import shlex
from pathlib import Path

from guard.cli import common
from guard.daemon import unit
from guard.errors import UsageError

EPILOG = 'exit codes: 0 removed, or nothing was installed; 2 a daemon still watches ROOT (stop it first)'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument('root', metavar='ROOT', help='the project root whose service to remove (it may be gone)')
    common.add_config_option(parser)
    parser.add_argument(
        '--unit-dir',
        metavar='DIR',
        type=Path,
        default=unit.UNIT_DIR,
        help=f'where the unit files are (default: {unit.UNIT_DIR})',
    )


def run(args: argparse.Namespace) -> int:
    root = Path(os.path.realpath(os.path.abspath(args.root)))
    name = unit.unit_name(root)
    _refuse_running(root, args, name)
    drop_in_dir = args.unit_dir / f'{name}.d'
    for path in (drop_in_dir / unit.DROP_IN, *_metrics_file(root, args)):
        if path.is_file():
            path.unlink()
            common.out(f'removed {path}')
    if drop_in_dir.is_dir() and not any(drop_in_dir.iterdir()):
        drop_in_dir.rmdir()
    template = args.unit_dir / unit.TEMPLATE
    others = [p for p in args.unit_dir.glob(f'guard@*.service.d/{unit.DROP_IN}')] if args.unit_dir.is_dir() else []
    if template.is_file() and not others:
        template.unlink()
        common.out(f'removed {template} (no other root uses it)')
    common.out("kept the audit store, the state directory and /etc/guard's config files. Then:")
    common.out(f'  systemctl disable {shlex.quote(name)}   # if it is still enabled')
    common.out('  systemctl daemon-reload')
    return 0


def _refuse_running(root: Path, args: argparse.Namespace, name: str) -> None:
    from guard.daemon import status as status_file

    if not root.is_dir():
        return
    config = common.load_config(root, args)
    found = status_file.read(status_file.path_for(config.state_path(), root))
    if found is not None and status_file.is_running(found):
        raise UsageError(
            f'guard watch still runs for {root} (pid {found.pid}): '
            f'stop it first: systemctl disable --now {shlex.quote(name)}'
        )


def _metrics_file(root: Path, args: argparse.Namespace) -> list[Path]:
    from guard.daemon.startup import metrics_path

    if not root.is_dir():
        return []
    config = common.load_config(root, args)
    return [metrics_path(config, root)] if config.watch.metrics_file else []
