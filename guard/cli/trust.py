"""`guard trust [ROOT]`: honour what a project's own config file runs, sends or writes outside the root.

As `direnv allow` and `mise trust`: guard's settings in the file are trusted as they are now (the
sha256 of the parsed `[tool.guard]` table, so the rest of pyproject.toml may change), and any change
to them needs `guard trust` again. With --system (root only), or run as root for a root that a
`guard watch` service is installed for, it also writes the system store (/etc/guard/trusted.json),
which every user honours, the service's account included (docs/trust.md). `--revoke` stops trusting it, `--show` says whether it is trusted and
what it sets that needs trust, `--list` shows every trusted file.
"""

from __future__ import annotations

import argparse
import os

from guard import config as config_module
from guard import trust
from guard.cli import common
from guard.errors import GuardError
from guard.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('root', nargs='?', metavar='ROOT', help='project root (default: the current directory)')
    action = parser.add_mutually_exclusive_group()
    action.add_argument('--revoke', '--untrust', action='store_true', help="stop trusting ROOT's config file")
    action.add_argument(
        '--show',
        action='store_true',
        help="say whether ROOT's config file is trusted (exit 0) or not (exit 1), and what it sets that needs trust",
    )
    action.add_argument('--list', action='store_true', help='list every trusted file and whether it changed since')
    parser.add_argument(
        '--system',
        action='store_true',
        help='(root) also record the trust in the system store, which every user and the guard watch '
        'service honour; automatic when a service is installed for ROOT',
    )
    parser.epilog = (
        "Settings that need trust in a project's own file: "
        + ', '.join(trust.NEEDS_TRUST)
        + " (paths only when outside the root). The user's and the system's config, GUARD_* variables "
        'and --config FILE need no trust.'
    )


def run(args: argparse.Namespace) -> int:
    if args.list:
        if args.root:
            raise UsageError('--list takes no ROOT: it lists every trusted file')
        return _list()
    root = common.existing_dir(args.root)
    if args.revoke:
        return _revoke(root)
    path, table, data, keys = config_module.project_trust(root)
    if not path:
        raise UsageError(f'{root}: no guard.toml nor pyproject.toml [tool.guard] to trust')
    if args.show:
        return _show(path, table, data, keys)
    system = args.system or (os.geteuid() == 0 and service_installed(root))
    if system and os.geteuid() != 0:
        raise UsageError('--system: only root can write the system trust store')
    record(path, table, system=system)
    honoured = f'guard now honours its {", ".join(keys)}' if keys else 'it sets nothing that needs trust today'
    where = f' for every user and the guard watch service ({trust.system_store_path(os.environ)})' if system else ''
    common.out(
        f'guard: trusted {path}{where} (sha256 {trust.table_digest(table)[:12]} of its guard settings): '
        f'{honoured}; after any change to them, run guard trust again'
    )
    return 0


def record(path: str, table: dict[str, object], *, system: bool) -> None:
    """Trust the guard table of `path` as it is now, in the user's store, and with `system` in the
    system store too (so the daemon, running as its own user, sees it)."""
    for in_system in (False, True) if system else (False,):
        problem = trust.update(os.environ, path, trust.table_digest(table), system=in_system)
        if problem:
            common.err(f'warning: {problem}; wrote a new one')


def service_installed(root: os.PathLike[str], unit_dir: os.PathLike[str] | None = None) -> bool:
    """Whether `guard install-service` set up a service for `root` (its drop-in exists)."""
    from pathlib import Path

    from guard.daemon import unit

    folder = Path(unit_dir) if unit_dir is not None else unit.UNIT_DIR
    return (folder / f'{unit.unit_name(Path(root))}.d' / unit.DROP_IN).is_file()


def _show(path: str, table: dict[str, object], data: bytes, keys: list[str]) -> int:
    trusted, why = trust.check(path, table, os.environ, data)
    needs = f'; it sets {", ".join(keys)}' if keys else '; it sets nothing that needs trust'
    common.out(f'{path}: {"trusted" if trusted else why}{needs}')
    return 0 if trusted else 1


def _revoke(root: os.PathLike[str]) -> int:
    names = [os.path.join(root, n) for n in ('guard.toml', 'pyproject.toml')]
    stores = [(False, trust.read_store(os.environ)[0])]
    if os.geteuid() == 0:
        stores.append((True, trust.read_system_store(os.environ)[0]))
    known = []
    for system, entries in stores:
        for path in (p for p in names if trust.file_key(p) in entries):
            trust.update(os.environ, path, None, system=system)
            known.append(path)
            common.out(f'guard: no longer trusting {path}' + (' (system store)' if system else ''))
    if not known:
        common.out(f'guard: nothing in {root} was trusted')
    return 0


def _list() -> int:
    shown = 0
    for label, (entries, problem) in (
        ('', trust.read_store(os.environ)),
        (' (system)', trust.read_system_store(os.environ)),
    ):
        if problem:
            common.err(f'warning: {problem}')
        for path, sha256 in sorted(entries.items()):
            common.out(f'{_state(path, sha256):28} {path}{label}')
            shown += 1
    if not shown:
        common.out('No trusted files.')
    return 0


def _state(path: str, sha256: str) -> str:
    try:
        table = config_module.read_table(path)
        with open(path, 'rb') as f:
            data = f.read()
    except GuardError as e:
        return f'unreadable ({e})'[:27]
    except OSError as e:
        return f'unreadable ({e.strerror})'
    return 'trusted' if sha256 in (trust.table_digest(table), trust.digest(data)) else 'changed since trusted'
