"""StagedRead: the git processes it starts early are reaped on every path, errors included.

A long-lived caller (the daemon) must not collect zombie children. Each test notes the pids of the
git processes StagedRead started and then asks the kernel about them: os.waitpid(pid, WNOHANG)
raises ChildProcessError only once a child has been reaped.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from support import git
from support import write

from guard.errors import SourceError
from guard.git import plumbing
from guard.git import spawn

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The pids of every process guard starts during the test (spawn.start, wrapped)."""
    pids: list[int] = []
    real_start = spawn.start

    def recording_start(*args: object, **kwargs: object) -> spawn.Running:
        running = real_start(*args, **kwargs)  # type: ignore[arg-type]
        pids.append(running.pid)
        return running

    monkeypatch.setattr(spawn, 'start', recording_start)
    yield pids


def assert_all_reaped(pids: list[int]) -> None:
    assert pids, 'no git process was started'
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # still our child (running or a zombie) if this returns


def test_not_a_repository_reaps_every_git_started(tmp_path: Path, spawned: list[int]) -> None:
    read = plumbing.StagedRead(tmp_path, names=[f'{secrets.token_hex(3)}.py'])
    with pytest.raises(SourceError, match='not inside a git work tree'):
        read.repo()
    assert len(spawned) == 2  # rev-parse and diff --cached (of the names)
    assert_all_reaped(spawned)


def test_an_error_in_the_callers_code_reaps_them_too(git_repo: Path, spawned: list[int]) -> None:
    write(git_repo, 'a.py', f'x = "{secrets.token_hex(8)}"\n')
    git(git_repo, 'add', 'a.py')
    with pytest.raises(RuntimeError), plumbing.StagedRead(git_repo) as read:
        read.repo()
        raise RuntimeError('the caller failed before reading the staged entries')
    assert len(spawned) == 2  # rev-parse and diff --cached
    assert_all_reaped(spawned)


def test_a_failing_answer_reaps_the_others(git_repo: Path, spawned: list[int]) -> None:
    (git_repo / '.git' / 'index').write_bytes(b'not an index ' + secrets.token_bytes(8))
    broken = plumbing.StagedRead(git_repo)  # rev-parse and diff --cached; the diff fails
    with pytest.raises(SourceError, match='git -c failed'):
        broken.staged_entries(plumbing.Repo(str(git_repo)))  # rev-parse's answer is never read
    assert len(spawned) == 2
    assert_all_reaped(spawned)


def test_the_happy_path_answers_and_reaps(git_repo: Path, spawned: list[int]) -> None:
    write(git_repo, 'a.py', 'x = 1\n')
    git(git_repo, 'add', 'a.py')
    with plumbing.StagedRead(git_repo) as read:
        repo = read.repo()
        assert [e.path for e in read.staged_entries(repo)] == ['a.py']
    assert_all_reaped(spawned)
