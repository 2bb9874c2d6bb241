#!/usr/bin/env python3
"""Findings on popular open-source Python projects, before and after issue 18 (what developers call noise).

The projects are sdists from PyPI, pinned by exact version and sha256 (`pip download --no-deps
--no-binary :all: --require-hashes`); nothing third-party is committed. Each is unpacked into the
cache folder and committed to a throwaway git repository, so every guard scans the same tracked files.
Two guards scan each: the code at BEFORE (`git archive` of this repository, installed into its own venv)
and the work tree this script sits in (installed into another venv). A finding counts when it is at
or above the default fail-on (`warning`), as it would block a commit.

usage: real_projects.py [--cache DIR] [-j N] [--json FILE] [--only NAME,…]
  --cache  where sdists, trees and the two venvs live (default: $XDG_CACHE_HOME/guard-bench/real-projects)
  -j       processes each guard scans with (default 1: the machine is shared)
Prints a table per project, the totals and their fall, then every remaining finding outside test and
docs paths (for bench/RESULTS.md, where each gets a verdict). Exit 1 when the fall is under 80 %.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BEFORE = 'f96448f'  # the code issue 18 measured
FAIL_ON = ('warning', 'error')
# (distribution, exact version, sha256 of the sdist on PyPI)
PROJECTS = (
    ('requests', '2.32.3', '55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760'),
    ('urllib3', '2.2.3', 'e7d814a81dad81e6caf2ec9fdedb284ecc9c73076b62654547cc64ccdcae26e9'),
    ('httpx', '0.27.2', 'f7c2be1d2f3c3c3160d441802406b206c2b76f5947b11115e6df10c6c65e66c2'),
    ('aiohttp', '3.10.10', '0631dd7c9f0822cc61c88586ca76d5b5ada26538097d0f1df510b082bad3411a'),
    ('tornado', '6.4.1', '92d3ab53183d8c50f8204a51e6f91d18a15d5ef261e84d452800d4ff6fc504e9'),
    ('werkzeug', '3.0.6', 'a8dd59d4de28ca70471a34cba79bed5f7ef2e036a76b3ab0835474246eb41f8d'),
    ('flask', '3.0.3', 'ceb27b0af3823ea2737928a4d99d125a06175b8512c445cbd9a9ce200ef76842'),
    ('paramiko', '3.5.0', 'ad11e540da4f55cedda52931f1a3f812a8238a7af7f62a60de538cd80bb28124'),
    ('PyMySQL', '1.1.1', 'e127611aaf2b417403c60bf4dc570124aeb4a57f5f37b8e95ae399a42f904cd0'),
    ('python-gnupg', '0.5.3', '290d8ddb9cd63df96cfe9284b9b265f19fd6e145e5582dc58fd7271f026d0a47'),
)
# Test, fixture and docs paths, as guard's default `test-paths` (plus the doc-path skip): for the listing only.
_TEST_DIRS = ('tests', 'test', 'testing', 'fixtures', 'testdata', 'docs', 'doc', 'examples', 'example')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_cache = Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'guard-bench' / 'real-projects'
    parser.add_argument('--cache', type=Path, default=default_cache)
    parser.add_argument('-j', '--jobs', type=int, default=1)
    parser.add_argument('--json', type=Path, help='also write the counts and remaining findings here')
    parser.add_argument('--only', default='', help='comma-separated distributions (a quick check)')
    args = parser.parse_args(argv)
    cache: Path = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    projects = [p for p in PROJECTS if not args.only or p[0] in args.only.split(',')]
    trees = [_tree(cache, *project) for project in projects]
    guards = {
        'before': _venv(cache / 'venv-before', _source_at(cache, BEFORE)),
        'after': _venv(cache / 'venv-after', REPO),
    }
    counts: dict[str, dict[str, int]] = {}
    remaining: list[dict[str, object]] = []
    for (name, version, _), tree in zip(projects, trees, strict=True):
        row = {}
        for label, guard in guards.items():
            findings = _scan(guard, tree, args.jobs)
            blocking = [f for f in findings if f['severity'] in FAIL_ON]
            row[label] = len(blocking)
            if label == 'after':
                remaining.extend(
                    {'project': f'{name}-{version}', **f} for f in blocking if not _test_or_docs(str(f['path']))
                )
        counts[f'{name}-{version}'] = row
    _report(counts, remaining)
    before = sum(r['before'] for r in counts.values())
    after = sum(r['after'] for r in counts.values())
    fall = 1 - after / before if before else 0.0
    if args.json:
        args.json.write_text(
            json.dumps(
                {'counts': counts, 'before': before, 'after': after, 'fall': fall, 'remaining': remaining}, indent=2
            )
            + '\n'
        )
    return 0 if fall >= 0.8 else 1


def _tree(cache: Path, name: str, version: str, sha256: str) -> Path:
    """The sdist unpacked and committed to a git repository of its own (built once, then reused)."""
    tree = cache / 'trees' / f'{name}-{version}'
    if (tree / '.git').is_dir():
        return tree
    sdist = _sdist(cache / 'sdists', name, version, sha256)
    staging = Path(tempfile.mkdtemp(dir=cache))
    with tarfile.open(sdist) as archive:
        archive.extractall(staging, filter='data')
    (top,) = staging.iterdir()
    git = ['git', '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false']
    subprocess.run([*git, 'init', '-q', str(top)], check=True)
    subprocess.run([*git, '-C', str(top), 'add', '-A', '-f'], check=True)
    subprocess.run(
        [*git, '-C', str(top), 'commit', '-q', '-m', f'{name} {version} sdist'],
        check=True,
        env={**os.environ, 'GIT_AUTHOR_DATE': '2000-01-01T00:00:00Z', 'GIT_COMMITTER_DATE': '2000-01-01T00:00:00Z'},
    )
    tree.parent.mkdir(parents=True, exist_ok=True)
    top.rename(tree)
    shutil.rmtree(staging)
    return tree


def _sdist(folder: Path, name: str, version: str, sha256: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    found = [p for p in folder.glob('*.tar.gz') if _digest(p) == sha256]
    if not found:
        requirements = folder / f'{name}.txt'
        requirements.write_text(f'{name}=={version} --hash=sha256:{sha256}\n')
        subprocess.run(
            [
                sys.executable,
                '-m',
                'pip',
                'download',
                '--quiet',
                '--no-deps',
                '--no-binary',
                ':all:',
                '--require-hashes',
                '-r',
                str(requirements),
                '-d',
                str(folder),
            ],
            check=True,
        )
        found = [p for p in folder.glob('*.tar.gz') if _digest(p) == sha256]
    if not found:
        raise SystemExit(f'real_projects: no sdist of {name}=={version} with sha256 {sha256}')
    return found[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _source_at(cache: Path, commit: str) -> Path:
    """This repository's tree at `commit` (`git archive`: no worktree registered, nothing checked out here)."""
    source = cache / f'guard-{commit}'
    if not (source / 'pyproject.toml').is_file():
        source.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ['git', '-C', str(REPO), 'archive', '--format=tar', commit], check=True, capture_output=True
        ).stdout
        subprocess.run(['tar', '-x', '-C', str(source)], input=archive, check=True)
    return source


def _venv(venv: Path, source: Path) -> Path:
    """A venv with guard installed from `source` (reinstalled for the work tree on every run: it changes)."""
    python = venv / 'bin' / 'python'
    if not python.exists():
        subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
    fresh = source == REPO or not (venv / 'bin' / 'guard').exists()
    if fresh:
        staged = Path(tempfile.mkdtemp())  # a copy: pip's build must not write into the work tree
        shutil.copytree(
            source, staged / 'src', ignore=shutil.ignore_patterns('.venv', '.git', '__pycache__', '*.egg-info', 'build')
        )
        subprocess.run(
            [str(python), '-m', 'pip', 'install', '--quiet', '--force-reinstall', '--no-deps', str(staged / 'src')],
            check=True,
        )
        subprocess.run([str(python), '-m', 'pip', 'install', '--quiet', str(staged / 'src')], check=True)
        shutil.rmtree(staged)
    return venv / 'bin' / 'guard'


def _scan(guard: Path, tree: Path, jobs: int) -> list[dict[str, object]]:
    out = subprocess.run(
        [str(guard), 'scan', str(tree), '--format', 'json', '--exit-zero', '--no-baseline', '-j', str(jobs)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f'real_projects: {guard} failed on {tree.name}: {out.stderr.strip()}')
    findings: list[dict[str, object]] = json.loads(out.stdout)['findings']
    return findings


def _test_or_docs(path: str) -> bool:
    parts = path.split('/')
    name = parts[-1]
    return (
        any(part in _TEST_DIRS for part in parts[:-1])
        or name.startswith('test_')
        or name == 'conftest.py'
        or name.endswith(('_test.py', '.md', '.rst', '.txt'))
    )


def _report(counts: dict[str, dict[str, int]], remaining: list[dict[str, object]]) -> None:
    print(f'{"project":<24} {"before":>7} {"after":>7}')
    for project, row in counts.items():
        print(f'{project:<24} {row["before"]:>7} {row["after"]:>7}')
    before = sum(r['before'] for r in counts.values())
    after = sum(r['after'] for r in counts.values())
    fall = 1 - after / before if before else 0.0
    print(f'{"total":<24} {before:>7} {after:>7}   fall {fall:.1%} (target >= 80 %)')
    print(f'\nremaining findings outside tests and docs: {len(remaining)}')
    for f in remaining:
        print(f'  {f["project"]}  {f["path"]}:{f["line"]}  {f["rule"]}  {str(f["excerpt"])[:110]}')


if __name__ == '__main__':
    raise SystemExit(main())
