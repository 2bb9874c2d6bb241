"""Protected / ephemeral matching by components and globs, and the roots guard refuses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from guard.errors import ConfigError
from guard.errors import UnsafeOperationError
from guard.safety.paths import EPHEMERAL
from guard.safety.paths import PROTECTED
from guard.safety.paths import Matcher
from guard.safety.paths import check_root
from guard.safety.paths import link_refusal
from guard.settings import DEFAULT_EPHEMERAL
from guard.settings import DEFAULT_PROTECTED

MATCHER = Matcher(DEFAULT_PROTECTED, DEFAULT_EPHEMERAL)

# (path, is_dir, expected decision)
DEFAULT_CASES = (
    ('logs', True, EPHEMERAL),
    ('logs/app.log', False, EPHEMERAL),
    # A name that merely contains a protected word is not protected.
    ('logs/config_backup.log', False, EPHEMERAL),
    ('logs/srcmap.txt', False, EPHEMERAL),
    ('logs/models.txt', False, EPHEMERAL),
    # A protected path nested inside an ephemeral one stays protected.
    ('logs/config', True, PROTECTED),
    ('logs/config/app.yaml', False, PROTECTED),
    ('logs/deep/.env', False, PROTECTED),
    ('data/temp/models', True, PROTECTED),
    ('logs/requirements-dev.txt', False, PROTECTED),
    ('logs/docker-compose.prod.yml', False, PROTECTED),
    # `.env` is exact: `.env.local` is not protected by default.
    ('logs/.env.local', False, EPHEMERAL),
    # Ephemeral patterns are anchored: a package called logs inside src is source.
    ('src/app/logs', True, PROTECTED),
    ('src/app/logs/__init__.py', False, PROTECTED),
    ('app/logs', True, None),
    # **/ reaches anywhere except below a protected path: protection is inherited.
    ('app/__pycache__', True, EPHEMERAL),
    ('src/app/__pycache__', True, PROTECTED),
    ('src/app/__pycache__/m.cpython-311.pyc', False, PROTECTED),
    ('data', True, None),
    ('data/redis', True, EPHEMERAL),
    ('data/redis/dump.rdb', False, EPHEMERAL),
    ('data/keep.csv', False, None),
    ('models', True, PROTECTED),
    ('models/weights.bin', False, PROTECTED),
    # A file named like a protected directory pattern is not that directory.
    ('logs/models', False, EPHEMERAL),
    ('.git', True, PROTECTED),
    ('.guard/quarantine', True, PROTECTED),
    # Floors: whatever the patterns say.
    ('logs/.git', True, PROTECTED),
    ('logs/sub/pyproject.toml', False, PROTECTED),
    ('logs/guard.toml', False, PROTECTED),
    # Odd names: a newline in a component must not hide a protected name after it.
    ('logs/a\nb/.env', False, PROTECTED),
    ('logs/ünï côdé.log', False, EPHEMERAL),
    ('logs/\udcff\udcfe.bin', False, EPHEMERAL),
)


@pytest.mark.parametrize(('rel', 'is_dir', 'expected'), DEFAULT_CASES)
def test_default_decisions(rel: str, is_dir: bool, expected: str | None) -> None:
    assert MATCHER.decide(rel, is_dir=is_dir) == expected


def test_root_path_with_protected_words_does_not_matter(tmp_path: Path) -> None:
    # Paths are matched relative to the root: /home/u/src/app still purges its logs/.
    root = tmp_path / 'src' / 'config' / 'app'
    (root / 'logs').mkdir(parents=True)
    assert MATCHER.decide('logs', is_dir=True) == EPHEMERAL
    assert check_root(root) == root.resolve()


def test_negation_patterns_keep_gitignore_order() -> None:
    matcher = Matcher(('config/', '!config/generated/', '*.yaml', '!local.yaml'), ('tmp/', '!tmp/keep/'))
    # As in gitignore, nothing below a protected folder can be re-included.
    assert matcher.decide('config/generated', is_dir=True) == PROTECTED
    assert matcher.decide('config/app.yaml', is_dir=False) == PROTECTED
    assert matcher.decide('tmp/app.yaml', is_dir=False) == PROTECTED
    assert matcher.decide('tmp/local.yaml', is_dir=False) is None
    assert matcher.decide('tmp/keep', is_dir=True) is None
    assert matcher.decide('tmp/x', is_dir=False) == EPHEMERAL


def test_globs_and_anchors() -> None:
    matcher = Matcher(('*.key',), ('*.pid', 'cache/**', '**/tmp/'))
    assert matcher.decide('run.pid', is_dir=False) == EPHEMERAL
    assert matcher.decide('sub/run.pid', is_dir=False) is None  # anchored at the root
    assert matcher.decide('cache/a/b', is_dir=False) == EPHEMERAL
    assert matcher.decide('a/b/tmp/x', is_dir=False) == EPHEMERAL
    assert matcher.decide('a/b/tmp/server.key', is_dir=False) == PROTECTED


def test_protection_is_inherited_whatever_ephemeral_pattern_matches_below() -> None:
    matcher = Matcher(('models/',), ('**/logs/', 'models/cache/', '*.bin'))
    assert matcher.decide('models/logs', is_dir=True) == PROTECTED
    assert matcher.decide('models/logs/m.bin', is_dir=False) == PROTECTED
    assert matcher.decide('models/cache/x', is_dir=False) == PROTECTED
    assert matcher.decide('other/logs/m.bin', is_dir=False) == EPHEMERAL
    assert matcher.names_ephemeral('models/logs', is_dir=True)


@pytest.mark.parametrize(
    ('rel', 'is_dir'),
    [
        ('.git', True),
        ('.git', False),
        ('a/b/.git', True),
        ('.git/hooks', True),
        ('pyproject.toml', False),
        ('x/guard.toml', False),
        ('.state/audit.db', False),
        ('etc/my.toml', False),
    ],
)
def test_floors_win_over_every_pattern_and_negation(rel: str, is_dir: bool) -> None:
    matcher = Matcher(
        ('!.git/', '!pyproject.toml'),
        ('.git/', '**/.git', '.git', '*.toml', '**/*.toml', '.state/', 'etc/'),
        floors=('.git', 'pyproject.toml', 'guard.toml', '/.state/', '/etc/my.toml'),
    )
    assert matcher.decide(rel, is_dir=is_dir) == PROTECTED


def test_invalid_pattern_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        Matcher(('keys\\',), ())
    # Quoted back masked (default-deny: a trailing backslash is no plain word), as every config value is.
    assert str(info.value).startswith("purge.protected: invalid pattern '********': ")


@pytest.mark.parametrize('pattern', ['*', '**', '/', '/*', '**/*'])
def test_ephemeral_pattern_for_the_whole_root_is_refused(pattern: str) -> None:
    with pytest.raises(ConfigError) as info:
        Matcher(DEFAULT_PROTECTED, ('logs/', pattern))
    assert str(info.value) == (
        f'purge.ephemeral: pattern {pattern!r} would make the whole root ephemeral; name the folders to clear'
    )


@pytest.mark.parametrize('path', ['/', '/usr', '/etc', '/var', '/home', '/tmp'])
def test_system_directories_are_refused(path: str) -> None:
    with pytest.raises(UnsafeOperationError) as info:
        check_root(path)
    assert str(info.value) == f'{path}: refusing to work on a system directory; point guard at a project root'


def test_home_directory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / 'home'
    home.mkdir()
    monkeypatch.setenv('HOME', str(home))
    with pytest.raises(UnsafeOperationError) as info:
        check_root(home)
    assert 'refusing to work on a home directory' in str(info.value)
    (home / 'project').mkdir()
    assert check_root(home / 'project') == (home / 'project').resolve()


def test_non_directory_and_missing_roots_are_refused(tmp_path: Path) -> None:
    (tmp_path / 'file').write_text('x')
    with pytest.raises(UnsafeOperationError, match='not a directory'):
        check_root(tmp_path / 'file')
    with pytest.raises(UnsafeOperationError, match='no such directory'):
        check_root(tmp_path / 'missing')


def test_symlinked_root_resolves_to_its_target(tmp_path: Path) -> None:
    (tmp_path / 'real').mkdir()
    os.symlink(tmp_path / 'real', tmp_path / 'alias')
    assert check_root(tmp_path / 'alias') == (tmp_path / 'real').resolve()


def test_link_refusal_reasons(tmp_path: Path) -> None:
    root = tmp_path / 'root'
    (root / 'logs').mkdir(parents=True)
    (root / 'models').mkdir()
    (tmp_path / 'outside').mkdir()
    os.symlink(tmp_path / 'outside', root / 'logs/out')
    os.symlink('../models', root / 'logs/models-link')
    os.symlink('../logs', root / 'logs/self')
    os.symlink('missing', root / 'logs/dangling')
    os.symlink('..', root / 'logs/up')
    real_root = root.resolve()
    assert (
        link_refusal(real_root, 'logs/out', MATCHER)
        == f'symlink to {(tmp_path / "outside").resolve()}, outside the root'
    )
    assert link_refusal(real_root, 'logs/models-link', MATCHER) == 'symlink into protected models'
    assert link_refusal(real_root, 'logs/up', MATCHER) == 'symlink to the root itself'
    assert link_refusal(real_root, 'logs/self', MATCHER) is None
    assert link_refusal(real_root, 'logs/dangling', MATCHER) is None
