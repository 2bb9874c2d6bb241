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
    drop_in = drop_in_dir / unit.DROP_IN
    if drop_in.is_file():
        drop_in.unlink()
        common.out(f'removed {drop_in}')
    for path in _metrics_file(root, args):
        _remove_metrics(root, path)
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
    from guard.daemon.startup import metrics_target
    from guard.errors import ConfigError

    if not root.is_dir():
        return []
    config = common.load_config(root, args)
    if not config.watch.metrics_file:
        return []
    try:
        return [metrics_target(config, root)]
    except ConfigError as e:
        common.out(f'kept the metrics file: {e}')
        return []


# The first bytes of every metrics file guard writes (guard.daemon.metrics): a file without them is
# not one guard wrote, whatever the config names, and is kept.
_METRICS_START = b'# HELP guard_'


def _remove_metrics(root: Path, path: Path) -> None:
    """Unlink the metrics file only when it is one guard wrote: a regular file (not a link) that
    starts with guard's HELP lines. Its folder is reached from the pinned root (or from `/` when it
    lies outside) one component at a time without following a link, and the file is judged and
    unlinked through that descriptor, so a folder swapped for a symlink meanwhile cannot send the
    unlink elsewhere (findings 16b-15, 16b-16)."""
    from guard import ownfiles
    from guard.errors import UnsafeOperationError
    from guard.safety import fd as fdops
    from guard.safety.paths import is_inside

    pin = fdops.RootPin(root)
    try:
        if is_inside(path.parent, root) and path.parent != root:
            rel = path.parent.relative_to(root).as_posix()
            folder = ownfiles.open_dir(rel, base_fd=pin.fd, owners=False, shown=str(root))
        elif path.parent == root:
            folder = pin.dup()
        else:
            folder = ownfiles.open_dir(path.parent, owners=False)
    except FileNotFoundError:
        return
    except (OSError, UnsafeOperationError) as e:
        common.out(f'kept {path}: {getattr(e, "strerror", None) or e}')
        return
    finally:
        pin.close()
    try:
        why = _not_ours(folder, path.name)
        if why is None:
            os.unlink(path.name, dir_fd=folder)
            common.out(f'removed {path}')
        elif why:
            common.out(f'kept {path}: {why}')
    finally:
        os.close(folder)


def _not_ours(folder: int, name: str) -> str | None:
    """'' when there is no such file, None when it is guard's metrics file, else why it is kept."""
    import stat

    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        return ''
    except OSError as e:
        return 'it is a symlink' if os.path.islink(f'/proc/self/fd/{folder}/{name}') else str(e.strerror)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return 'it is not a regular file'
        if not os.read(fd, len(_METRICS_START)) == _METRICS_START:
            return 'it does not hold guard metrics (guard did not write it)'
        now = os.stat(name, dir_fd=folder, follow_symlinks=False)
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            return 'it changed while guard looked at it'
        return None
    finally:
        os.close(fd)
