"""`guard trust [ROOT]`: honour what a project's own config file runs, sends or writes outside the root.

As `direnv allow` and `mise trust`: the file is trusted as it is now (its sha256), so any change to
it needs `guard trust` again. `--revoke` stops trusting it, `--show` says whether it is trusted and
what it sets that needs trust, `--list` shows every trusted file.
"""
from __future__ import annotations

import argparse
import os

from guard import config as config_module
from guard import trust
from guard.cli import common
from guard.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('root', nargs='?', metavar='ROOT', help='project root (default: the current directory)')
    action = parser.add_mutually_exclusive_group()
    action.add_argument('--revoke', '--untrust', action='store_true', help="stop trusting ROOT's config file")
    action.add_argument('--show', action='store_true',
                        help="say whether ROOT's config file is trusted (exit 0) or not (exit 1), and what it sets that needs trust")
    action.add_argument('--list', action='store_true', help='list every trusted file and whether it changed since')
    parser.epilog = ('Settings that need trust in a project\'s own file: ' + ', '.join(trust.NEEDS_TRUST) +
                     ' (paths only when outside the root). The user\'s and the system\'s config, GUARD_* variables '
                     'and --config FILE need no trust.')


def run(args: argparse.Namespace) -> int:
    if args.list:
        if args.root:
            raise UsageError('--list takes no ROOT: it lists every trusted file')
        return _list()
    root = common.existing_dir(args.root)
    if args.revoke:
        return _revoke(root)
    path, data, keys = config_module.project_trust(root)
    if not path:
        raise UsageError(f'{root}: no guard.toml nor pyproject.toml [tool.guard] to trust')
    if args.show:
        return _show(path, data, keys)
    problem = trust.update(os.environ, path, trust.digest(data))
    if problem:
        common.err(f'warning: {problem}; wrote a new one')
    honoured = f'guard now honours its {", ".join(keys)}' if keys else 'it sets nothing that needs trust today'
    common.out(f'guard: trusted {path} (sha256 {trust.digest(data)[:12]}): {honoured}; '
               f'after any change to it, run guard trust again')
    return 0


def _show(path: str, data: bytes, keys: list[str]) -> int:
    trusted, why = trust.check(path, data, os.environ)
    needs = f'; it sets {", ".join(keys)}' if keys else '; it sets nothing that needs trust'
    common.out(f'{path}: {"trusted" if trusted else why}{needs}')
    return 0 if trusted else 1


def _revoke(root: os.PathLike[str]) -> int:
    entries, _ = trust.read_store(os.environ)
    known = [p for p in (os.path.join(root, n) for n in ('guard.toml', 'pyproject.toml')) if trust.file_key(p) in entries]
    for path in known:
        trust.update(os.environ, path, None)
        common.out(f'guard: no longer trusting {path}')
    if not known:
        common.out(f'guard: nothing in {root} was trusted')
    return 0


def _list() -> int:
    entries, problem = trust.read_store(os.environ)
    if problem:
        common.err(f'warning: {problem}')
    for path, sha256 in sorted(entries.items()):
        common.out(f'{_state(path, sha256):28} {path}')
    if not entries and not problem:
        common.out('No trusted files.')
    return 0


def _state(path: str, sha256: str) -> str:
    try:
        with open(path, 'rb') as f:
            current = trust.digest(f.read())
    except OSError as e:
        return f'unreadable ({e.strerror})'
    return 'trusted' if current == sha256 else 'changed since trusted'
