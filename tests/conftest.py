"""Fixtures every test module may use: real git repositories and guard run as a real process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres import postgres_server  # noqa: F401  (session fixture: a real PostgreSQL server)
from support import git

# Tests must not depend on the developer's git config, nor write to it.
GIT_ENV = {
    'GIT_CONFIG_NOSYSTEM': '1',
    'GIT_CONFIG_GLOBAL': os.devnull,
    'GIT_AUTHOR_NAME': 'guard tests',
    'GIT_AUTHOR_EMAIL': 'tests@example.invalid',
    'GIT_COMMITTER_NAME': 'guard tests',
    'GIT_COMMITTER_EMAIL': 'tests@example.invalid',
    'GIT_TERMINAL_PROMPT': '0',
}


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    for key in list(os.environ):
        if key.startswith('GUARD_') or key in ('NO_COLOR', 'FORCE_COLOR', 'DATABASE_URL', 'DB_URL'):
            monkeypatch.delenv(key)
    # guard's state (audit database, locks) goes to a per-test-session folder, not ~/.local/state.
    monkeypatch.setenv('XDG_STATE_HOME', str(tmp_path_factory.getbasetemp() / 'xdg-state'))
    # ... and its compiled-pattern cache too, not ~/.cache/guard.
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path_factory.getbasetemp() / 'xdg-cache'))
    # No developer's or machine's guard.toml (~/.config/guard, /etc/guard) leaks into a test.
    monkeypatch.setenv('XDG_CONFIG_HOME', str(tmp_path_factory.getbasetemp() / 'xdg-config'))
    monkeypatch.setenv('GUARD_SYSTEM_CONFIG', str(tmp_path_factory.getbasetemp() / 'no-system-guard.toml'))
    # ... nor the machine's system trust store (/etc/guard/trusted.json), which root's `guard trust` may write;
    # one per test, so what one test trusts for every user is not trusted in the next.
    monkeypatch.setenv('GUARD_SYSTEM_TRUST', str(tmp_path_factory.mktemp('system-trust') / 'trusted.json'))


@pytest.fixture
def git_repo(tmp_path: Path) -> Iterator[Path]:
    """An empty, real git repository (no commits yet)."""
    repo = tmp_path / 'repo'
    repo.mkdir()
    git(repo, 'init', '-q')
    yield repo
