"""Property: directories swapped for symlinks while a purge runs never redirect it.

Random real trees; at a random moment (between the plan and its execution, or after the k-th path
the purge removed) a random directory (the root itself, an ephemeral folder, a folder inside one)
is renamed away and a symlink put in its place, pointing outside the root, into a protected folder
or at the root. Whatever happens, no byte outside the root (the `outside` tree, which was never
inside it) and no byte under a protected path changes. The purge either refuses (the root moved
before execution) or finishes through the descriptors it holds.

The mid-execution hook wraps Recorder.progress, which the clearer calls after each path it removes:
a real point inside the real deletion loop, not a mock of it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from safety_trees import config
from safety_trees import snapshot

from guard.errors import UnsafeOperationError
from guard.safety import purge
from guard.safety import record

EPHEMERAL_DIRS = ('logs', 'logs/a', 'logs/a/b', 'logs/c', 'data/temp', 'data/temp/x')
PROTECTED = ('src', 'models', 'logs/config')
SWAPPED = ('', 'logs', 'logs/a', 'logs/a/b', 'logs/c', 'data/temp', 'data', 'data/temp/x')
TARGETS = ('outside', 'protected', 'root', 'outside-file')

TREES = st.lists(st.tuples(st.sampled_from(EPHEMERAL_DIRS + PROTECTED), st.integers(0, 40)), min_size=1, max_size=12)
# When: -1 between the plan and its execution (half the time), else after the k-th path removed.
SWAPS = st.tuples(st.sampled_from(SWAPPED), st.sampled_from(TARGETS), st.one_of(st.just(-1), st.integers(0, 60)))


def build(base: Path, tree: list[tuple[str, int]]) -> Path:
    root = base / 'root'
    for rel in EPHEMERAL_DIRS + PROTECTED:
        (root / rel).mkdir(parents=True, exist_ok=True)
    for n, (rel, count) in enumerate(tree):
        for i in range(count):
            (root / rel / f'f{n}-{i}.log').write_bytes(os.urandom(16))
    (root / 'src/app.py').write_text('print(1)\n')
    (root / 'models/w.bin').write_bytes(b'weights')
    outside = base / 'outside'
    for rel in ('', 'logs', 'a/b'):
        (outside / rel).mkdir(parents=True, exist_ok=True)
        (outside / rel / 'keep.log').write_bytes(b'outside, never touched')
    (base / 'outside-file').write_bytes(b'a file outside')
    (base / 'moved').mkdir()
    return root


def swap(base: Path, root: Path, rel: str, target: str) -> None:
    """Rename `root/rel` away (out of both trees checked) and put a symlink in its place."""
    path = root / rel if rel else root
    ancestors = [root / '/'.join(rel.split('/')[:depth]) for depth in range(1, len(rel.split('/')))] if rel else []
    if any(a.is_symlink() for a in [root, *ancestors]) or not os.path.lexists(path) or path.is_symlink():
        return  # already swapped: going through that link would move the outside tree itself
    aside = base / 'moved' / f'{len(os.listdir(base / "moved"))}'
    os.rename(path, aside)
    destination = {
        'outside': base / 'outside',
        'protected': (root / 'src') if rel else (base / 'outside'),
        'root': root if rel else base / 'outside',
        'outside-file': base / 'outside-file',
    }[target]
    os.symlink(destination, path)


def protected_files(root: Path) -> set[str]:
    return {name for rel in PROTECTED for name in os.listdir(root / rel) if (root / rel / name).is_file()}


def find_all(base: Path, names: set[str]) -> dict[str, object]:
    """name -> its content and mode, wherever the swaps moved it (never through a link; never in
    the outside tree)."""
    found: dict[str, object] = {}
    for top in ('root', 'moved'):
        for rel, entry in snapshot(base / top).items():
            name = rel.rsplit('/', 1)[-1]
            if name in names and entry[0] == 'file':
                found[name] = entry
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES, moves=st.lists(SWAPS, min_size=1, max_size=3))
def test_swapped_directories_never_redirect_a_purge(
    tree: list[tuple[str, int]], moves: list[tuple[str, str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = Path(tempfile.mkdtemp(prefix='guard-swap-'))
    try:
        root = build(base, tree)
        outside = snapshot(base / 'outside'), (base / 'outside-file').read_bytes()
        names = protected_files(root)
        protected = find_all(base, names)
        cfg = config(base / 'state')
        before = [(rel, target) for rel, target, at in moves if at < 0]
        during = sorted(((at, rel, target) for rel, target, at in moves if at >= 0))
        calls = [0]
        original: Callable[..., None] | None = getattr(record.Recorder, 'progress', None)

        def progress(self: record.Recorder, rel: str, size: int, outcome: str) -> None:
            assert original is not None
            original(self, rel, size, outcome)
            calls[0] += 1
            while during and during[0][0] <= calls[0]:
                _at, where, target = during.pop(0)
                swap(base, root, where, target)

        monkeypatch.setattr(record.Recorder, 'progress', progress, raising=False)
        plan = purge.plan(cfg, root)
        for where, target in before:
            swap(base, root, where, target)
        root_moved = any(where == '' for where, _ in before)
        try:
            report = purge.execute(plan)
        except UnsafeOperationError as e:
            assert root_moved and 'now leads to another directory' in str(e)
        else:
            assert not root_moved
            # A protected folder moved away by the swap is reported missing: honest, and it is intact.
            assert report.verification.ok or report.outcome == purge.PROTECTED_CHANGED
        assert (snapshot(base / 'outside'), (base / 'outside-file').read_bytes()) == outside
        assert find_all(base, names) == protected
    finally:
        monkeypatch.undo()
        shutil.rmtree(base)


GLOBS = ('?*', '*', '[a-z]*', '[!.]*', '*?', 'l*', 's*', 'n*', 'logs', 'src', 'notes', 'data', 'tmp', '*s', '?')
TOPS = ('logs', 'src', 'notes', 'data', 'tmp', 'docs2', 'cache', 'lib2')


@settings(max_examples=60, deadline=None)
@given(
    tops=st.sets(st.sampled_from(TOPS), min_size=1, max_size=len(TOPS)),
    globs=st.lists(st.sampled_from(GLOBS), min_size=1, max_size=4, unique=True),
)
def test_the_guard_rail_refuses_every_plan_that_clears_most_of_the_root(tops: set[str], globs: list[str]) -> None:
    """Whatever globs produced the plan: a purge that goes ahead leaves at least one top-level folder
    with its content when there were 2 or more, and never more than half once it clears 4 or more."""
    from guard.errors import ConfigError

    base = Path(tempfile.mkdtemp(prefix='guard-rail-'))
    try:
        root = base / 'root'
        for name in tops:
            (root / name).mkdir(parents=True)
            (root / name / 'f.txt').write_bytes(b'content')
        (root / '.git').mkdir()
        try:
            cfg = config(base / 'state', protected=(), ephemeral=tuple(globs))
            plan = purge.plan(cfg, root)
        except ConfigError:
            return  # `*` itself is refused as a pattern, before any plan
        try:
            purge.execute(plan)
        except UnsafeOperationError as e:
            assert 'top-level entries that are not floors' in str(e)
            assert all((root / name / 'f.txt').exists() for name in tops)  # refused before anything
            return
        emptied = [name for name in tops if not (root / name / 'f.txt').exists()]
        if len(tops) >= 2:
            assert len(emptied) < len(tops)
        if len(emptied) >= 4:
            assert len(emptied) <= len(tops) / 2
        assert (root / '.git').is_dir()
    finally:
        shutil.rmtree(base)
