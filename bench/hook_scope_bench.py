"""Benchmark: what judging only the changed lines (issue 18, `hook-scope`) costs the commit hook, in
callgrind instruction counts, for two guard source trees (before and after) on the same interpreter.

    .venv/bin/python bench/hook_scope_bench.py --before 35ea606 --after HEAD
    .venv/bin/python bench/hook_scope_bench.py --before 35ea606 --after WORKTREE --commits clean-10

Instruction counts stay stable while other sessions load the machine, which wall-clock times do not
(bench/RESULTS.md): the budget itself (≤ 3.5× `python -c pass`, ≤ 1.15× git-secrets, wall time) is
measured by bench/hook_bench.py on a quiet machine. Each tree is exported from git (`git archive`;
WORKTREE: this checkout's files as they are) and byte-compiled, as pip does for users. The hook runs
as the installed shim runs it: `python -S -P -c <fast_main> <folders> hook pre-commit`, from the
repository's root, under `valgrind --tool=callgrind --trace-children=yes`; the git processes it
starts are counted apart.

Commits (each a real repository, built here):
- `clean-10`: 10 new .py files of 9–11 KB (the first by path in the dev venv's SQLAlchemy, as
  $PEERS_ROOT/staged is built), no finding: the hook's common case.
- `edit-10`: the same 10 files committed, then one line of each changed (no finding): the common
  commit that edits existing files, which now also reads the versions it replaces.
- `legacy-clean`: legacy.py (50 findings — 20 IPs, 20 home paths, 10 AWS key ids — among ~900
  lines of code, ~22 KB) committed with --no-verify, then one line changed to a line with no finding.
  Before: 50 findings reported, the commit blocked; after: passes (50 left out, counted).
- `legacy-ip`: the same, the changed line adding an IP. After: 1 finding reported, 49 counted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SITE_PACKAGES = Path(sys.prefix) / 'lib' / f'python{sys.version_info[0]}.{sys.version_info[1]}' / 'site-packages'
# What the shim runs with -S (hooks/pre-commit `fast_main`), the folders as its first argument.
FAST_MAIN = """import sys
sys.path.extend(sys.argv.pop(1).split(":"))
import ahocorasick_rs
from guard.cli import hook_main
hook_main()"""
BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
COMMITS = ('clean-10', 'edit-10', 'legacy-clean', 'legacy-ip')


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        'GIT_CONFIG_NOSYSTEM': '1',
        'GIT_CONFIG_GLOBAL': os.devnull,
        'GIT_AUTHOR_NAME': 'bench',
        'GIT_AUTHOR_EMAIL': 'bench@example.invalid',
        'GIT_COMMITTER_NAME': 'bench',
        'GIT_COMMITTER_EMAIL': 'bench@example.invalid',
    }
    return subprocess.run(
        ['git', '-c', 'init.defaultBranch=main', *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout


def export_tree(revision: str, where: Path) -> Path:
    """guard's package at `revision` (WORKTREE: as this checkout has it now), byte-compiled."""
    where.mkdir(parents=True)
    if revision == 'WORKTREE':
        shutil.copytree(REPO_ROOT / 'guard', where / 'guard', ignore=shutil.ignore_patterns('__pycache__'))
    else:
        archive = subprocess.run(
            ['git', '-C', str(REPO_ROOT), 'archive', revision, 'guard'], check=True, capture_output=True
        ).stdout
        subprocess.run(['tar', '-x', '-C', str(where)], input=archive, check=True)
    subprocess.run([sys.executable, '-m', 'compileall', '-q', str(where / 'guard')], check=True)
    return where


def legacy_text() -> str:
    rng = random.Random(18)
    kinds = ['ip'] * 20 + ['home'] * 20 + ['aws'] * 10
    rng.shuffle(kinds)
    lines = []
    for i, kind in enumerate(kinds):
        lines.extend(f'def helper_{i}_{j}(value):\n    return value * {j} + {i}\n' for j in range(9))
        if kind == 'ip':
            octets = (rng.choice((23, 45, 67, 89)), *(rng.randint(1, 250) for _ in range(3)))
            lines.append(f'HOST_{i} = "{".".join(map(str, octets))}"\n')
        elif kind == 'home':
            lines.append(f'DATA_{i} = "/home/user{i}/projects/data.csv"\n')
        else:
            lines.append(f'KEY_{i} = "AKIA' + ''.join(rng.choice(BASE32) for _ in range(16)) + '"\n')
    return ''.join(lines)


def make_commit(kind: str, where: Path) -> Path:
    repo = where / kind
    repo.mkdir()
    git(repo, 'init', '-q')
    (repo / 'README.md').write_text('# demo\n')
    if kind in ('clean-10', 'edit-10'):
        git(repo, 'add', '.')
        git(repo, 'commit', '-q', '-m', 'init')
        source = SITE_PACKAGES / 'sqlalchemy'
        files = [p for p in sorted(source.rglob('*.py')) if 9_000 <= p.stat().st_size <= 11_000][:10]
        if len(files) < 10:
            raise SystemExit(f'{source}: fewer than 10 .py files of 9-11 KB')
        copies = [repo / str(path.relative_to(source)).replace('/', '_') for path in files]
        for path, copy in zip(files, copies, strict=True):
            shutil.copyfile(path, copy)
        git(repo, 'add', '.')
        if kind == 'edit-10':
            git(repo, 'commit', '-q', '--no-verify', '-m', 'files')
            for copy in copies:
                lines = copy.read_text().splitlines(keepends=True)
                lines[len(lines) // 2] = '# an edited line\n'
                copy.write_text(''.join(lines))
            git(repo, 'add', '.')
        return repo
    (repo / 'legacy.py').write_text(legacy_text())
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '--no-verify', '-m', 'before guard')
    lines = (repo / 'legacy.py').read_text().splitlines(keepends=True)
    middle = len(lines) // 2
    lines[middle] = 'NEW_HOST = "45.67.89.12"\n' if kind == 'legacy-ip' else '    return value * 100\n'
    (repo / 'legacy.py').write_text(''.join(lines))
    git(repo, 'add', 'legacy.py')
    return repo


def callgrind(argv: list[str], cwd: Path, out: Path) -> tuple[int, int, int]:
    """(exit code, instructions of the first process, instructions of its children)."""
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith('GUARD_') and k != 'PYTHONDONTWRITEBYTECODE'}
    proc = subprocess.run(
        ['valgrind', '--tool=callgrind', '--trace-children=yes', f'--callgrind-out-file={out}/callgrind.out.%p', *argv],
        cwd=cwd,
        capture_output=True,
        env=env,
    )
    counts = []
    for path in sorted(out.iterdir(), key=lambda p: int(p.name.rsplit('.', 1)[1])):
        text = path.read_text(errors='replace')
        total = next(int(line.split()[1]) for line in text.splitlines() if line.startswith(('summary:', 'totals:')))
        counts.append(total)
    return proc.returncode, counts[0], sum(counts[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--before', default='35ea606', help='a git revision, or WORKTREE (default: 35ea606)')
    parser.add_argument('--after', default='WORKTREE', help='a git revision, or WORKTREE (default)')
    parser.add_argument('--commits', default=','.join(COMMITS), help=f'comma-separated, of {", ".join(COMMITS)}')
    args = parser.parse_args()
    python = os.path.realpath(sys.executable)
    with tempfile.TemporaryDirectory(prefix='hook-scope-bench-') as folder:
        work = Path(folder)
        trees = {'before': export_tree(args.before, work / 'before'), 'after': export_tree(args.after, work / 'after')}
        code, baseline, _ = callgrind([python, '-S', '-c', 'pass'], work, work / 'cg-pass')
        print(f'python -S -c pass: {baseline / 1e6:.1f} M instructions\n')
        print('| commit | tree | exit | hook (Python) M | git M | total M | × `python -S -c pass` |')
        print('|---|---|---|---|---|---|---|')
        for kind in args.commits.split(','):
            repo = make_commit(kind, work)
            for label, tree in trees.items():
                folders = f'{tree}:{SITE_PACKAGES}'
                code, own, children = callgrind(
                    [python, '-S', '-P', '-c', FAST_MAIN, folders, 'hook', 'pre-commit'],
                    repo,
                    work / f'cg-{kind}-{label}',
                )
                print(
                    f'| {kind} | {label} ({getattr(args, label)}) | {code} | {own / 1e6:.1f} | {children / 1e6:.1f} '
                    f'| {(own + children) / 1e6:.1f} | {own / baseline:.2f}× |',
                    flush=True,
                )
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
