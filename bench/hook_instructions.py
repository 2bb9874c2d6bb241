"""Instruction counts of the standalone commit hook on a clean small commit, under callgrind.

Instruction counts do not depend on the machine's load, so two versions of guard can be compared
on a busy machine, where wall-clock timings would be noise. The hook runs as the shim runs it
(`python -S -P -c <fast_main> <site folders> hook pre-commit`), in a fresh repository with ten
small clean files staged; `--trace-children=yes` counts its git processes too.

    .venv/bin/python bench/hook_instructions.py                  # this checkout's guard
    .venv/bin/python bench/hook_instructions.py --source /tmp/old  # another tree holding guard/

Prints the hook's Python instructions, its git processes' and the total (millions), and the same
for `python -S -c pass` for scale.
"""

from __future__ import annotations

import argparse
import glob
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FAST_MAIN = """import sys
sys.path[:0] = sys.argv.pop(1).split(":")
import ahocorasick
from guard.cli import hook_main
hook_main()"""
FILES = 10


def _git(repo: Path, *args: str) -> None:
    subprocess.run(['git', '-C', str(repo), *args], check=True, capture_output=True)


def _repo(base: Path) -> Path:
    repo = base / 'repo'
    repo.mkdir()
    _git(repo, 'init', '-q')
    _git(repo, 'config', 'user.email', 'bench@example.invalid')
    _git(repo, 'config', 'user.name', 'bench')
    for i in range(FILES):
        lines = [f'def function_{i}_{n}(value):\n    return value * {n} + {i}\n' for n in range(40)]
        (repo / f'module_{i}.py').write_text(''.join(lines))
    _git(repo, 'add', '.')
    return repo


def _callgrind(argv: list[str], cwd: Path, out_dir: Path) -> dict[str, int]:
    """Instructions by program name, summed over every process callgrind followed."""
    for old in out_dir.glob('callgrind.out.*'):
        old.unlink()
    subprocess.run(
        [
            'valgrind',
            '--tool=callgrind',
            '--trace-children=yes',
            '--collect-atstart=yes',
            f'--callgrind-out-file={out_dir}/callgrind.out.%p',
            *argv,
        ],
        cwd=cwd,
        check=False,
        capture_output=True,
    )
    counts: dict[str, int] = {}
    for path in glob.glob(f'{out_dir}/callgrind.out.*'):
        command, total = '', 0
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                if line.startswith('cmd:'):
                    command = line.split()[1].rsplit('/', 1)[-1]
                elif line.startswith('summary:') or line.startswith('totals:'):
                    total = int(line.split()[1])
        counts[command] = counts.get(command, 0) + total
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--source', type=Path, default=REPO, help='a folder holding the guard/ package to measure')
    args = parser.parse_args()
    site = sysconfig.get_paths()['purelib']
    # As an installed guard runs: from compiled bytecode (PYTHONDONTWRITEBYTECODE would leave it uncompiled).
    subprocess.run(
        [sys.executable, '-m', 'compileall', '-q', str(args.source / 'guard')], check=True, capture_output=True
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        repo = _repo(base)
        path = f'{args.source.resolve()}:{site}'
        hook = _callgrind([sys.executable, '-S', '-P', '-c', FAST_MAIN, path, 'hook', 'pre-commit'], repo, base)
        bare = _callgrind([sys.executable, '-S', '-c', 'pass'], repo, base)
    python = sum(n for cmd, n in hook.items() if cmd.startswith('python'))
    git = sum(n for cmd, n in hook.items() if not cmd.startswith('python'))
    print(
        f'hook python {python / 1e6:.1f} M, git {git / 1e6:.1f} M, total {(python + git) / 1e6:.1f} M; '
        f'python -S -c pass {sum(bare.values()) / 1e6:.1f} M'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
