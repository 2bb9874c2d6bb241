"""The purge guard rail judges the plan, not the glob (issue 16, finding 05 of the second attack).

`*/*` empties every top-level folder without naming one, `**/*.*` takes every file in the tree:
both passed a rail that counted only the top-level paths a plan names. The rail now counts a
top-level folder as cleared when nothing in it would remain. The property test is the invariant:
random globs over random real trees, the plan executed for real (with the rail overridden) and
what it actually cleared measured on disk; whenever that is every top-level entry (2 or more) or
more than half of them (4 or more), the rail must have refused the plan.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from safety_trees import config
from safety_trees import tree_hash
from support import run_guard
from support import write

from guard.errors import ConfigError
from guard.safety import purge

FLOORS = frozenset(('.git', 'pyproject.toml', 'guard.toml'))


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / 'state'
    monkeypatch.setenv('GUARD_STATE_DIR', str(folder))
    return folder


def project(root: Path, pattern: str) -> None:
    """The attacker's tree: five folders of work, each with a file and a sub/ folder, and a README."""
    for name in ('app', 'data', 'notebooks', 'reports', 'lib2'):
        write(root, f'{name}/main.txt', f'work of {name}\n')
        write(root, f'{name}/sub/mod.py', 'x = 1\n')
    write(root, 'README.md', '# readme\n')
    write(root, 'pyproject.toml', f'[project]\nname = "demo"\n[tool.guard.purge]\nephemeral = ["{pattern}"]\n')


@pytest.mark.parametrize('pattern', ['*/*', '?*/*', '**/*.*', '*/**', '[a-z]*/*'])
def test_a_glob_that_clears_every_folder_from_inside_is_refused(tmp_path: Path, state: Path, pattern: str) -> None:
    root = tmp_path / 'root'
    project(root, pattern)
    before = tree_hash(root)
    refused = run_guard('purge', root, '--force')
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert 'top-level entries that are not floors' in refused.stderr
    assert 'app, data, lib2, notebooks, reports' in refused.stderr  # (README.md too for **/*.*)
    assert tree_hash(root) == before
    # What the rail counted is what the purge does: overridden, the folders really end up empty.
    allowed = run_guard('purge', root, '--force', '--allow-wide')
    assert allowed.returncode == 0, allowed.stderr
    assert not any(p.is_file() for p in (root / 'app').rglob('*'))


def test_a_folder_that_keeps_a_file_is_not_counted_as_cleared(tmp_path: Path, state: Path) -> None:
    """`*/*.txt` in a root of two folders that also hold code: nothing is wide, the purge goes ahead."""
    root = tmp_path / 'root'
    for name in ('app', 'lib2'):
        write(root, f'{name}/notes.txt', 'x\n')
        write(root, f'{name}/main.py', 'print(1)\n')
    write(root, 'pyproject.toml', '[tool.guard.purge]\nephemeral = ["*/*.txt"]\n')
    done = run_guard('purge', root, '--force')
    assert done.returncode == 0, done.stderr
    assert not (root / 'app/notes.txt').exists() and (root / 'app/main.py').exists()


def test_the_usual_purge_of_a_small_service_root_still_goes_ahead(tmp_path: Path, state: Path) -> None:
    """The defaults in a small root (logs/, data/ of redis and temp, .pytest_cache/ beside the code):
    data/ is now counted as cleared, and the plan still passes."""
    root = tmp_path / 'root'
    write(root, 'logs/app.log', 'x\n')
    write(root, 'data/redis/dump.rdb', 'x')
    write(root, 'data/temp/t', 'x')
    write(root, '.pytest_cache/v', 'x')
    write(root, 'src/app.py', 'print(1)\n')
    write(root, 'tests/test_app.py', 'def test(): pass\n')
    write(root, 'README.md', '# app\n')
    done = run_guard('purge', root, '--force')
    assert done.returncode == 0, done.stderr
    assert not (root / 'data/redis/dump.rdb').exists() and (root / 'src/app.py').exists()


# -- the invariant, by generation ------------------------------------------------------------------------

NAMES = ('app', 'data', 'lib', 'notes', 'logs', 'src', 'x1', 'README.md', 'run.sh', 'a.txt')
INNER = ('main.py', 'notes.txt', 'a.log', 'b', 'sub/c.py', 'sub/d.txt', 'sub/deep/e.md', 'cache/f', 'x.tar.gz')
SEGMENTS = ('*', '?*', '**', '*.*', '*.txt', '*.py', 'a*', '[a-m]*', '[!s]*', 'sub', 'app', 'logs', '?', '*s*')
GLOB = st.builds(
    lambda prefix, parts, slash: prefix + '/'.join(parts) + slash,
    st.sampled_from(('', '', '/', '**/')),
    st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3),
    st.sampled_from(('', '/')),
)
TREE = st.dictionaries(
    st.sampled_from(NAMES), st.lists(st.sampled_from(INNER), max_size=4, unique=True), min_size=1, max_size=len(NAMES)
)


def build(root: Path, tree: dict[str, list[str]]) -> None:
    for name, inner in tree.items():
        if '.' in name:  # a top-level file
            write(root, name, 'content\n')
            continue
        (root / name).mkdir(parents=True)
        for rel in inner:
            write(root / name, rel, f'{name}/{rel}\n')
    (root / '.git').mkdir(parents=True, exist_ok=True)
    write(root, '.git/HEAD', 'ref: refs/heads/main\n')


def holds_files(path: Path) -> bool:
    """A file (or any non-folder) at or anywhere below `path`: empty folders hold nothing."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        return True
    return path.is_dir() and any(not p.is_dir() or p.is_symlink() for p in path.rglob('*'))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=TREE,
    globs=st.lists(GLOB, min_size=1, max_size=3, unique=True),
    protected=st.lists(st.sampled_from(('', 'src/', '*.py', 'sub/', 'README.md')), max_size=2),
)
def test_no_plan_that_clears_the_root_passes_the_rail(
    tree: dict[str, list[str]], globs: list[str], protected: list[str]
) -> None:
    base = Path(tempfile.mkdtemp(prefix='guard-rail-'))
    try:
        root = base / 'root'
        build(root, tree)
        tops = sorted(n for n in os.listdir(root) if n not in FLOORS)
        held = {name for name in tops if holds_files(root / name)}
        try:
            cfg = config(base / 'state', protected=tuple(p for p in protected if p), ephemeral=tuple(globs))
            plan = purge.plan(cfg, root)
        except ConfigError:
            return  # a pattern naming the whole root (`*`, `**`) is refused before any plan
        verdict = purge.wide(plan)
        purge.execute(plan, allow_wide=True)  # measure what the plan really clears
        emptied = [name for name in held if not holds_files(root / name)]
        every = len(emptied) == len(tops) and len(emptied) >= purge.WIDE_EVERY_MIN
        share = len(emptied) > purge.WIDE_SHARE * len(tops) and len(emptied) >= purge.WIDE_SHARE_MIN
        if every or share:
            assert verdict is not None, f'{globs} emptied {sorted(emptied)} of {tops} and passed the rail'
            assert set(emptied) <= set(purge.cleared(plan))
        assert (root / '.git/HEAD').is_file()
    finally:
        shutil.rmtree(base)
