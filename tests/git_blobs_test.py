"""One `git cat-file --batch-command` sizes and reads blobs (guard.git.blobs, the one blob reader); with a
git that does not know `--batch-command` the two older processes answer the same. Real git repositories."""

from __future__ import annotations

import secrets
import shutil
import stat
from pathlib import Path

import pytest
from support import git
from support import run_guard
from support import write

from guard.git.blobs import CHUNK
from guard.git.blobs import BlobReader
from guard.git.plumbing import locate
from guard.git.plumbing import staged_entries
from guard.rules.secrets.fakes import ALNUM_UPPER
from guard.rules.secrets.fakes import fake

# Stands in for git < 2.36: it refuses `--batch-command` as such a git does (usage error, exit 129)
# and hands everything else to the real git. A real older git cannot be installed here.
OLD_GIT = """#!/bin/sh
for arg in "$@"; do
  if [ "$arg" = --batch-command ]; then
    echo "error: unknown option \\`batch-command'" >&2
    exit 129
  fi
done
exec {git} "$@"
"""


@pytest.fixture(name='old_git')
def old_git_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return old_git(tmp_path, monkeypatch)


def old_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / 'old-git-bin'
    folder.mkdir()
    script = folder / 'git'
    script.write_text(OLD_GIT.format(git=shutil.which('git')))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv('PATH', f'{folder}:{shutil.which("git").rsplit("/", 1)[0]}')  # type: ignore[union-attr]
    return folder


def staged_files(repo: Path, count: int) -> dict[str, bytes]:
    """`count` staged files of random content and length, by object id."""
    contents = {}
    for i in range(count):
        data = secrets.token_hex(secrets.randbelow(2000) + 1).encode() + b'\n'
        write(repo, f'f{i}.txt', data)
        contents[f'f{i}.txt'] = data
    git(repo, 'add', '.')
    oids = {e.path: e.oid for e in staged_entries(locate(repo))}
    return {oids[path]: data for path, data in contents.items()}


@pytest.mark.parametrize('count', [1, CHUNK, 3 * CHUNK + 5])
def test_sizes_then_contents_from_one_process(git_repo: Path, count: int) -> None:
    blobs = staged_files(git_repo, count)
    missing = secrets.token_hex(20)
    with BlobReader(git_repo, [*blobs, missing]) as store:
        assert store.sizes() == {oid: len(data) for oid, data in blobs.items()}
        some = list(blobs)[::2]
        assert store.read([*some, missing]) == {oid: blobs[oid] for oid in some}
        assert store.read(blobs) == blobs  # asked again (and in chunks): the same answers


def test_an_older_git_answers_through_the_two_processes(git_repo: Path, old_git: Path) -> None:
    blobs = staged_files(git_repo, CHUNK + 3)
    missing = secrets.token_hex(20)
    with BlobReader(git_repo, [*blobs, missing]) as store:
        assert store.sizes() == {oid: len(data) for oid, data in blobs.items()}
        assert store.read([*blobs, missing]) == blobs


def test_contents_without_sizes_first(git_repo: Path, old_git: Path) -> None:
    blobs = staged_files(git_repo, 3)
    with BlobReader(git_repo, ()) as store:  # nothing named at the start: nothing sized
        assert store.sizes() == {}
        assert store.read(blobs) == blobs


@pytest.mark.parametrize('older', [False, True])
def test_pieces_stream_a_blob_between_other_requests(
    git_repo: Path, tmp_path: Path, older: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if older:
        old_git(tmp_path, monkeypatch)
    blobs = staged_files(git_repo, 5)
    first, *rest = blobs
    with BlobReader(git_repo, blobs) as store:
        assert store.sizes() == {oid: len(data) for oid, data in blobs.items()}
        for piece in (1, 7, 1 << 20):
            assert b''.join(store.pieces(first, piece)) == blobs[first]
            assert store.read(rest) == {oid: blobs[oid] for oid in rest}  # the answers still line up
        stopped = store.pieces(first, 3)
        assert next(stopped) == blobs[first][:3]
        stopped.close()  # left early: the rest is drained
        assert store.read(rest) == {oid: blobs[oid] for oid in rest}
        assert list(store.pieces(secrets.token_hex(20))) == []  # a missing object: no pieces


def test_the_hook_with_an_older_git_still_finds_in_small_and_streamed_files(git_repo: Path, old_git: Path) -> None:
    key = fake('AKIA', (ALNUM_UPPER, 16))
    write(git_repo, 'guard.toml', 'max-file-size = 1000\n')
    write(git_repo, 'big.py', '# padding\n' * 200 + f'KEY = "{key}"\n')
    write(git_repo, 'app.py', f'KEY = "{key}"\n')
    git(git_repo, 'add', '.')
    proc = run_guard('hook', 'pre-commit', cwd=git_repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'app.py:1' in proc.stdout + proc.stderr
    assert 'big.py:201' in proc.stdout + proc.stderr  # over max-file-size: streamed, not skipped
    assert key not in proc.stdout + proc.stderr
