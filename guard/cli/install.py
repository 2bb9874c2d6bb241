"""`guard install [ROOT]`: put guard's standalone git hooks (hooks/pre-commit, hooks/pre-push) in place.

For teams that do not use the pre-commit framework. The hooks go where git looks for them
(`git rev-parse --git-path hooks`, which honours core.hooksPath). A hook that is not guard's is
never overwritten without --force (which keeps a backup); --chain keeps it as `<hook>.local`,
which guard's shim runs first.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from guard.cli.common import comma_list
from guard.errors import UsageError
from guard.printable import printable

HOOK_NAMES = ('pre-commit', 'pre-push')
MARKER = '# guard-hook-shim'
RECORDED_PYTHON = "recorded_python=''"
RECORDED_PATH = "recorded_path=''"
CHAINED_SUFFIX = '.local'
BACKUP_SUFFIX = '.guard-backup'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        'path',
        nargs='?',
        type=Path,
        default=Path('.'),
        metavar='ROOT',
        help='the repository, or a folder inside it (default: .)',
    )
    parser.add_argument(
        '--hook',
        action='extend',
        type=comma_list(HOOK_NAMES),
        dest='hooks',
        metavar='HOOK,…',
        help='install only these hooks (pre-commit, pre-push); comma-separated or repeated (default: both)',
    )
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument(
        '--chain', action='store_true', help=f'keep an existing hook as <hook>{CHAINED_SUFFIX} and run it before guard'
    )
    existing.add_argument(
        '--force', action='store_true', help=f'replace an existing hook (it is kept as <hook>{BACKUP_SUFFIX})'
    )


@dataclass(frozen=True)
class _Plan:
    name: str
    target: Path
    action: str  # install | update | unchanged | chain | replace


def run(args: argparse.Namespace) -> int:
    from guard.git import runner

    if not args.path.is_dir():
        raise UsageError(f'{args.path}: not a directory')
    root, in_git = runner.find_root(args.path.resolve())
    if not in_git:
        raise UsageError(f'{printable(args.path)}: not inside a git work tree (run `git init` first)')
    hooks_dir = (root / os.fsdecode(runner.git(root, 'rev-parse', '--git-path', 'hooks').strip())).resolve()
    texts = {name: shim_text(name) for name in args.hooks or HOOK_NAMES}
    # Decide every hook before touching any, so a refusal leaves nothing half-installed.
    plans = [_plan(hooks_dir / name, text, chain=args.chain, force=args.force) for name, text in texts.items()]
    hooks_dir.mkdir(parents=True, exist_ok=True)
    for plan in plans:
        sys.stdout.write(_apply(plan, texts[plan.name]) + '\n')
    return 0


def shim_text(name: str) -> str:
    """The shim as shipped (hooks/<name>), with the running interpreter recorded as its fallback."""
    for folder in (Path(__file__).resolve().parents[2] / 'hooks', Path(sys.prefix) / 'share' / 'guard' / 'hooks'):
        if (folder / name).is_file():
            text = (folder / name).read_text(encoding='utf-8')
            text = text.replace(RECORDED_PATH, f'recorded_path={shlex.quote(":".join(site_folders()))}', 1)
            return text.replace(RECORDED_PYTHON, f'recorded_python={shlex.quote(sys.executable)}', 1)
    raise UsageError(f"guard's {name} hook script is missing from this installation (reinstall guard)")


def site_folders() -> list[str]:
    """The folders this interpreter's site module adds to sys.path: its site-packages and what .pth files name.

    The shims start Python without site (-S) and put these on sys.path instead. Found by asking the
    interpreter with and without site, so PYTHONPATH and the standard library are left out. Empty
    (the shim then starts Python with site) when a folder's name holds `:` or a newline.
    """
    import subprocess

    script = 'import sys; print("\\n".join(sys.path))'
    paths = [
        subprocess.run(
            [sys.executable, *flags, '-P', '-c', script], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        for flags in ([], ['-S'])
    ]
    folders = [p for p in paths[0] if p not in paths[1] and os.path.exists(p)]
    return [] if any(':' in p or '\n' in p for p in folders) else folders


def _plan(target: Path, text: str, *, chain: bool, force: bool) -> _Plan:
    name = target.name
    if not target.exists() and not target.is_symlink():
        return _Plan(name, target, 'install')
    current = _read(target)
    if MARKER in current:
        return _Plan(name, target, 'unchanged' if current == text else 'update')
    if chain:
        chained = target.with_name(name + CHAINED_SUFFIX)
        if chained.exists() or chained.is_symlink():
            raise UsageError(f'{target} exists and so does {chained.name}; merge them by hand, or use --force')
        return _Plan(name, target, 'chain')
    if force:
        return _Plan(name, target, 'replace')
    raise UsageError(
        f"{printable(target)} already exists and is not guard's; rerun with --chain to keep it (it runs first) "
        f'or with --force to replace it (it is kept as {name}{BACKUP_SUFFIX})'
    )


def _apply(plan: _Plan, text: str) -> str:
    target = plan.target
    if plan.action == 'unchanged':
        return f"guard: {printable(target)} is already guard's {plan.name} hook"
    if plan.action == 'chain':
        os.replace(target, target.with_name(plan.name + CHAINED_SUFFIX))
    elif plan.action == 'replace':
        os.replace(target, _free_name(target.with_name(plan.name + BACKUP_SUFFIX)))
    _write_executable(target, text)
    notes = {
        'install': 'installed',
        'update': 'updated',
        'chain': f'installed; the hook that was there runs first, as {plan.name}{CHAINED_SUFFIX}',
        'replace': f'installed; the hook that was there is kept as {plan.name}{BACKUP_SUFFIX}',
    }
    return f'guard: {printable(target)}: {notes[plan.action]}'


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding='utf-8', errors='replace')
    except OSError:
        return ''  # a dangling symlink or an unreadable file: not guard's


def _free_name(path: Path) -> Path:
    """`path`, or `path.1`, `path.2`… : an earlier backup is never overwritten."""
    candidate, n = path, 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f'{path.name}.{n}')
    return candidate


def _write_executable(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f'.{target.name}.', dir=target.parent)
    with os.fdopen(fd, 'w', encoding='utf-8') as f:
        f.write(text)
    os.chmod(tmp, 0o755)
    os.replace(tmp, target)
