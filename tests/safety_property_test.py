"""Property: on any tree, a purge changes no protected byte, touches nothing outside the root, and
every ephemeral file is either gone or named in the report.

Trees are random and real: protected and ephemeral folders, symlinks into protected paths, out of
the root, to the root and dangling, hard links from ephemeral names to protected files, odd names
(newlines, non-UTF-8 bytes, leading dashes), read-only folders, immutable files (chattr +i, the
one permission root cannot override), and a nested git repository.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from safety_trees import can_make_immutable
from safety_trees import config
from safety_trees import release_immutable
from safety_trees import set_immutable
from safety_trees import snapshot

from guard.safety import purge
from guard.safety.purge import OK
from guard.safety.purge import PARTIAL

P, E = 'protected', 'ephemeral'

# An independent oracle for the default patterns, limited to the names this test generates.
PROTECTED_DIRS = {'models', 'config', 'src', 'scripts', 'docs', '.git', '.guard'}
PROTECTED_FILES = {'.gitignore', '.env', '.env.example', 'pyproject.toml', 'setup.py', 'Dockerfile'}


def oracle(parts: list[str], is_dir: bool) -> str | None:
    verdict = None
    for i, name in enumerate(parts):
        as_dir = is_dir or i < len(parts) - 1
        protected = (
            (as_dir and name in PROTECTED_DIRS)
            or name in PROTECTED_FILES
            or fnmatch.fnmatchcase(name, 'requirements*.txt')
        )
        ephemeral = as_dir and (
            (i == 0 and name in ('logs', '.pytest_cache'))
            or (i == 1 and parts[0] == 'data' and name in ('redis', 'temp'))
            or name == '__pycache__'
        )
        if protected or verdict == P:
            verdict = P  # inherited: nothing below a protected path is ephemeral
        elif ephemeral:
            verdict = E
    return verdict


AREAS = (
    'logs',
    'logs/sub',
    'logs/config',
    'data/redis',
    'data/temp',
    'data/temp/models',
    'src',
    'src/pkg/__pycache__',
    'models',
    'config',
    'notes',
    'data',
    '',
)
EPHEMERAL_AREAS = ('logs', 'logs/sub', 'data/redis', 'data/temp', 'src/pkg/__pycache__')
TRAPS = (
    'config_backup.log',
    'models.txt',
    'srcmap',
    'app.log',
    'app.log.1',
    '.env',
    '.env.local',
    '.gitignore',
    'requirements.txt',
    'config',
    'models',
    'logs',
    '-rf',
    '..x',
    ' lead',
    'new\nline',
    'ünï',
    'setup.py',
)
NAMES = st.one_of(
    st.sampled_from(TRAPS),
    st.text(alphabet='abcxyz -._\né', min_size=1, max_size=8).filter(lambda s: s not in ('.', '..')),
    st.binary(min_size=1, max_size=4)
    .filter(lambda b: b'/' not in b and b'\0' not in b)
    .map(lambda b: os.fsdecode(b'x' + b)),
)
FILES = st.lists(
    st.tuples(st.sampled_from(AREAS), st.lists(NAMES, min_size=1, max_size=3), st.binary(max_size=300)), max_size=25
)
LINK_TARGETS = ('outside_dir', 'outside_file', 'protected_file', 'protected_dir', 'dangling', 'ephemeral', 'root', 'up')
LINKS = st.lists(st.tuples(st.sampled_from(EPHEMERAL_AREAS), NAMES, st.sampled_from(LINK_TARGETS)), max_size=6)
HARD_LINKS = st.lists(st.tuples(st.sampled_from(EPHEMERAL_AREAS), NAMES), max_size=3)

BASE_FILES = {
    'models/w.bin': b'weights',
    'src/app.py': b'print(1)\n',
    'config/app.yaml': b'a: 1\n',
    '.env': b'TOKEN=abc\n',
    'logs/base.log': b'log\n',
    'notes/n.txt': b'note',
}
IMMUTABLE_OK = can_make_immutable(Path(tempfile.gettempdir()))


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() and not path.is_symlink():
            path.write_bytes(data)
    except (FileExistsError, NotADirectoryError, IsADirectoryError, OSError):
        pass  # the random tree already has something else there


def _link_target(kind: str, root: Path, outside: Path) -> str:
    return {
        'outside_dir': str(outside),
        'outside_file': str(outside / 'o.txt'),
        'protected_file': str(root / 'models/w.bin'),
        'protected_dir': '../' * 3 + 'src',
        'dangling': 'no-such-file',
        'ephemeral': str(root / 'logs/base.log'),
        'root': str(root),
        'up': '..',
    }[kind]


def _build(
    base: Path,
    files,
    links,
    hard_links,  # type: ignore[no-untyped-def]
    read_only: bool,
    immutable: bool,
    nested_repo: bool,
) -> Path:
    root, outside = base / 'root', base / 'outside'
    _write(outside, 'o.txt', b'outside')
    _write(outside, 'd/o2.txt', b'outside 2')
    for rel, data in BASE_FILES.items():
        _write(root, rel, data)
    for area, names, data in files:
        _write(root, '/'.join(filter(None, [area, *names])), data)
    for area, name, kind in links:
        path = root / area / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(_link_target(kind, root, outside), path)
        except OSError:
            pass
    for area, name in hard_links:
        try:
            (root / area).mkdir(parents=True, exist_ok=True)
            os.link(root / 'models/w.bin', root / area / name)
        except OSError:
            pass
    if nested_repo:
        _write(root, 'logs/vendor/.git/HEAD', b'ref: refs/heads/main\n')
        _write(root, 'logs/vendor/lib.py', b'x = 1\n')
    if immutable:
        _write(root, 'data/temp/locked/held.bin', b'cannot go')
        set_immutable(root / 'data/temp/locked', True)
    if read_only:
        _write(root, 'logs/sub/ro/file.txt', b'read only folder')
        (root / 'logs/sub/ro').chmod(0o555)
    return root


def _reported(rel: str, report: purge.PurgeReport) -> bool:
    names = [k.rel for i in report.items for k in i.kept] + [f.rel for f in report.failures]
    names += [t.rel for i in report.items for t in i.truncated]
    return any(rel == n or rel.startswith(n + '/') for n in names)


def _holds_survivor(rel: str, after: dict[str, tuple[object, ...]], report: purge.PurgeReport) -> bool:
    """A directory that stays because something reported (or the purge root item itself) lives in it."""
    if any(rel == f'root/{i.rel}' for i in report.items):
        return True
    return any(other.startswith(rel + '/') for other in after)


@pytest.mark.slow  # ~25 s: hundreds of generated trees, each purged for real
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    files=FILES,
    links=LINKS,
    hard_links=HARD_LINKS,
    read_only=st.booleans(),
    immutable=st.booleans(),
    nested_repo=st.booleans(),
)
def test_purge_never_touches_protected_or_outside_and_clears_or_reports_ephemeral(
    files, links, hard_links, read_only, immutable, nested_repo
) -> None:  # type: ignore[no-untyped-def]
    immutable = immutable and IMMUTABLE_OK
    base = Path(tempfile.mkdtemp(prefix='guard-prop-')).resolve()
    try:
        root = _build(base, files, links, hard_links, read_only, immutable, nested_repo)
        before = snapshot(base)
        report = purge.execute(purge.plan(config(base / 'state'), root))
        after = {k: v for k, v in snapshot(base).items() if not k.startswith('state')}

        assert set(after) <= set(before), 'the purge created something'
        for rel, entry in before.items():
            if not rel.startswith('root/'):
                assert after.get(rel) == entry, f'outside the root changed: {rel!r}'
                continue
            parts = rel.split('/')[1:]
            verdict = oracle(parts, entry[0] == 'dir')
            inner = '/'.join(parts)
            if verdict != E or inner.startswith('logs/vendor'):
                assert after.get(rel) == entry, f'{verdict or "neutral"} path changed: {inner!r}'
            elif rel in after:
                assert _reported(inner, report) or (entry[0] == 'dir' and _holds_survivor(rel, after, report)), (
                    f'ephemeral path neither cleared nor reported: {inner!r}'
                )
        assert report.verification.ok
        assert report.outcome == (PARTIAL if immutable else OK), report.failures
    finally:
        release_immutable(base)
        for dirpath, _dirs, _files in os.walk(base):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(base)


# Random protected / ephemeral configs: nested both ways, globs, floors named ephemeral.
COMPONENTS = ('a', 'b', 'logs', 'models', 'cache', 'keep', '.git', 'x.log', 'pyproject.toml', 'guard.toml', 'f')
# (pattern, oracle): the oracle says whether the pattern protects component i of parts, written
# independently of guard's matcher for exactly these pattern shapes.
PROTECTED_PATTERNS = {
    'models/': lambda parts, i, is_dir: parts[i] == 'models' and is_dir,
    'keep/': lambda parts, i, is_dir: parts[i] == 'keep' and is_dir,
    'a/b/': lambda parts, i, is_dir: parts[: i + 1] == ['a', 'b'] and is_dir,
    '**/cache/': lambda parts, i, is_dir: parts[i] == 'cache' and is_dir,
    '*.log': lambda parts, i, is_dir: fnmatch.fnmatchcase(parts[i], '*.log'),
    'f': lambda parts, i, is_dir: parts[i] == 'f',
}
EPHEMERAL_PATTERNS = (
    'a/',
    'logs/',
    '**/logs/',
    'a/b/',
    '**/cache/',
    'b/',
    'models/logs/',
    'models/',
    '*.log',
    '.git/',
    '**/.git',
    '.git',
    'pyproject.toml',
    '**/guard.toml',
    '!logs/keep/',
    'keep/',
    '**/f',
)
RANDOM_FILES = st.lists(
    st.tuples(st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=4), st.binary(min_size=1, max_size=64)),
    min_size=1,
    max_size=30,
)


def protected_by_oracle(parts: list[str], is_dir: bool, protected: list[str]) -> bool:
    """At or below a protected path, or at or below a floor (.git, config files, guard's folders)."""
    for i, name in enumerate(parts):
        as_dir = is_dir or i < len(parts) - 1
        if name in ('.git', 'pyproject.toml', 'guard.toml') or parts[:2] == ['.guard', 'quarantine']:
            return True
        if any(PROTECTED_PATTERNS[p](parts, i, as_dir) for p in protected):
            return True
    return False


@pytest.mark.slow  # ~25 s: hundreds of generated trees, each purged for real
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    files=RANDOM_FILES,
    protected=st.lists(st.sampled_from(sorted(PROTECTED_PATTERNS)), unique=True),
    ephemeral=st.lists(st.sampled_from(EPHEMERAL_PATTERNS), min_size=1, unique=True),
    real_git=st.booleans(),
)
def test_random_configs_never_change_a_byte_under_a_protected_path_or_a_floor(
    files, protected, ephemeral, real_git
) -> None:  # type: ignore[no-untyped-def]
    base = Path(tempfile.mkdtemp(prefix='guard-prop-cfg-')).resolve()
    try:
        root = base / 'root'
        root.mkdir()
        if real_git:
            subprocess.run(['git', 'init', '-q', str(root)], check=True)
            _write(root, 'src.txt', b'tracked')
            subprocess.run(['git', '-C', str(root), 'add', '-A'], check=True)
            subprocess.run(
                ['git', '-C', str(root), '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x'], check=True
            )
        _write(root, '.guard/quarantine/20240101T000000Z/manifest.json', b'{}')
        for parts, data in files:
            _write(root, '/'.join(parts), data)
        _write(base / 'outside', 'o.txt', b'outside')
        before = snapshot(base)
        cfg = config(base / 'state', protected=tuple(protected), ephemeral=tuple(ephemeral))
        report = purge.execute(purge.plan(cfg, root))
        after = {k: v for k, v in snapshot(base).items() if not k.startswith('state')}

        assert set(after) <= set(before), 'the purge created something'
        for rel, entry in before.items():
            parts = rel.split('/')
            if parts[0] != 'root':
                assert after.get(rel) == entry, f'outside the root changed: {rel!r}'
            elif protected_by_oracle(parts[1:], entry[0] == 'dir', protected):
                assert after.get(rel) == entry, f'protected or floor path changed: {rel!r} ({protected}, {ephemeral})'
        assert report.verification.ok, report.verification
        if real_git:
            log = subprocess.run(['git', '-C', str(root), 'log', '--format=%s'], capture_output=True, text=True)
            assert log.stdout == 'x\n'
    finally:
        shutil.rmtree(base)
