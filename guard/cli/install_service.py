"""`guard install-service ROOT [--user NAME]`: put `guard watch ROOT` under systemd.

Writes the shipped template `guard@.service` and a drop-in for this root into the unit directory,
then prints the commands that enable it. It changes nothing else: no daemon-reload, no start,
so an operator sees (and a config manager can run) every step.

Exit codes: 0 written (or unchanged); 2 bad root, unknown user, a root owned by root with no --user.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import shlex
import shutil
import sys
from pathlib import Path

from guard.cli import common
from guard.daemon import unit
from guard.errors import UsageError
from guard.printable import printable

EPILOG = 'exit codes: 0 written or unchanged; 2 bad root, unknown user, or a root-owned root without --user'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument('root', metavar='ROOT', help='the project root guard watches (absolute or relative)')
    parser.add_argument(
        '--user', metavar='NAME', help='the user guard runs as (default: the owner of ROOT; never root)'
    )
    parser.add_argument(
        '--config',
        metavar='FILE',
        type=Path,
        help="a config file for `guard watch --config`, used instead of the project's own "
        "(default: none; /etc/guard/<instance>.toml is read without it, over the project's)",
    )
    parser.add_argument(
        '--unit-dir',
        metavar='DIR',
        type=Path,
        default=unit.UNIT_DIR,
        help=f'where the unit files go (default: {unit.UNIT_DIR})',
    )
    parser.add_argument('--dry-run', action='store_true', help='print the files and change nothing')
    parser.add_argument(
        '--trust',
        action='store_true',
        help="(root) record the project's config in the system trust store, which the service honours",
    )


def run(args: argparse.Namespace) -> int:
    root = common.existing_dir(args.root)
    user, group = _account(args.user, root)
    config_file = common.existing_path(args.config.resolve()) if args.config else None
    spec = unit.ServiceSpec(
        root=root,
        user=user,
        group=group,
        guard=_guard_executable(),
        config_file=config_file,
        writable=_writable_outside(root, config_file),
    )
    name = unit.unit_name(root)
    files = {
        args.unit_dir / unit.TEMPLATE: unit.template_text(),
        args.unit_dir / f'{name}.d' / unit.DROP_IN: unit.drop_in_text(spec),
    }
    for path, text in files.items():
        if args.dry_run:
            common.out(f'# {printable(path)}\n{text}')
        else:
            common.out(f'{_write(path, text)} {printable(path)}')
    from guard.cli import service_trust

    if args.trust and not args.dry_run:
        trusted = service_trust.record(root)
        common.out(
            f'trusted {printable(trusted)} in the system store'
            if trusted
            else f'{printable(root)}: no config of its own to trust'
        )
    for line in service_trust.report(root, config_file):
        common.out(line)
    if _owner(root) != user:
        common.err(
            f'guard install-service: warning: {printable(root)} is not owned by {user}; guard can act only on what {user} may write'
        )
    common.out('Then enable and start it:' if not args.dry_run else 'Dry run: nothing was written. To enable it:')
    # Quoted for a shell: an instance name holds backslashes (`srv-my\x2dapp`), which an unquoted
    # paste turns into another instance.
    quoted = shlex.quote(name)
    for command in (
        'systemctl daemon-reload',
        f'systemctl enable --now {quoted}',
        f'systemctl status {quoted}',
        f'journalctl -u {quoted} -f',
    ):
        common.out(f'  {command}')
    return 0


def _account(user: str | None, root: Path) -> tuple[str, str]:
    """(user, its primary group): the named user, or the root's owner; never root."""
    name = user or _owner(root)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise UsageError(f'{printable(name)}: no such user') from None
    if entry.pw_uid == 0:
        hint = (
            ''
            if user
            else f' ({printable(root)} is owned by root: pass --user NAME, the account that owns the project)'
        )
        raise UsageError(f'guard watch does not run as root{hint}')
    try:
        return name, grp.getgrgid(entry.pw_gid).gr_name
    except KeyError:
        raise UsageError(f'{name}: primary group {entry.pw_gid} does not exist') from None


def _writable_outside(root: Path, config_file: Path | None) -> tuple[Path, ...]:
    """Folders the service's config makes guard write besides the root and /var/lib/guard.

    The config is read as the service will read it (no GUARD_* variables from this shell), and
    validated here, so a bad file is reported now rather than at the first start.
    """
    from guard import config as config_module
    from guard.daemon.startup import metrics_path

    config = config_module.load(root, config_file=config_file, environ={})
    common.out(
        f'config: {config.source} (what `guard watch {printable(shlex.quote(str(root)))}` reads under this unit)'
    )
    wanted = []
    if config.watch.metrics_file:
        wanted.append(metrics_path(config, root).parent)
    if config.state_dir:
        wanted.append(root / config.state_dir)
    wanted.append(root / config.clean.quarantine_dir)  # absolute: a quarantine outside the root
    allowed = (root, unit.STATE_DIR)
    return tuple(
        dict.fromkeys(
            p for p in (Path(os.path.normpath(w)) for w in wanted) if not any(p == a or a in p.parents for a in allowed)
        )
    )


def _owner(root: Path) -> str:
    uid = root.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _guard_executable() -> Path:
    """The guard that runs this command, by absolute path: systemd does not search PATH for us."""
    here = Path(sys.argv[0])
    if here.name == 'guard' and here.is_file():
        return here.resolve()
    found = shutil.which('guard')
    if found:
        return Path(found).resolve()
    return Path(sys.executable).parent / 'guard'


def _write(path: Path, text: str) -> str:
    """'wrote', 'updated' or 'unchanged'; written through a temporary file so systemd never reads half a unit."""
    from guard import ownfiles

    # The unit folder is reached without following a link, and the unit written under a fresh
    # O_EXCL name then renamed: a symlink planted at either is refused or replaced, never written through.
    dir_fd = ownfiles.open_dir(path.parent, create=True, mode=0o755, private=False)
    try:
        old = _read_unit(dir_fd, path.name)
        if old == text:
            return 'unchanged'
        ownfiles.write_atomic(dir_fd, path.name, text.encode('utf-8'), 0o644)
    finally:
        os.close(dir_fd)
    return 'wrote  ' if old is None else 'updated'


def _read_unit(dir_fd: int, name: str) -> str | None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return None  # none yet, or a link or a folder in its place: written afresh over it
    with os.fdopen(fd, 'rb') as f:
        return f.read().decode('utf-8', 'replace')
