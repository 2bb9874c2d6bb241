"""Sizing and reading staged blobs through one `git cat-file --batch-command` (git ≥ 2.36).

A commit hook used to start two git processes, `--batch-check` for the sizes and `--batch` for the
contents; one process answering `info` and then `contents` saves a git start-up. The sizes are still
asked first, so a blob over max-file-size is never read. Older git (no `--batch-command`), a
platform without posix_spawn or any early end of git's answers: the two processes of
guard.git.plumbing do the job instead, and report git's errors.
"""
from __future__ import annotations

from collections.abc import Iterable

from guard.git import spawn
from guard.git.plumbing import read_blobs
from guard.git.plumbing import start_blob_sizes

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from guard.records import StrPath

# Requests are written in chunks this small (< 4 KiB even with SHA-256 ids), so a write never waits
# on a full pipe while git waits on us to read its answers.
CHUNK = 32


class BlobStore:
    """Blob sizes, then contents, from one git process. Start it early: git works while the caller
    does; `close()` it at the end (or use it in a `with`)."""

    def __init__(self, root: StrPath, oids: Iterable[str]) -> None:
        self._root = root
        self._sized = list(dict.fromkeys(oids))
        self._talk: spawn.Conversation | None = None
        self._fallback_sizes: Callable[[], dict[str, int]] | None = None
        try:
            self._talk = spawn.converse(['git', '-C', str(root), 'cat-file', '--batch-command'])
        except OSError:  # no git at all: the fallback raises the error the caller expects
            self._talk = None
        if self._talk is None or not self._ask('info', self._sized[:CHUNK]):
            self._give_up()

    def __enter__(self) -> BlobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._talk is not None:
            self._talk.close()
            self._talk = None

    def sizes(self) -> dict[str, int]:
        """Sizes by object id of the blobs named at the start; missing objects are left out."""
        if self._fallback_sizes is not None:
            return self._fallback_sizes()
        sizes: dict[str, int] = {}
        for start in range(0, len(self._sized), CHUNK):
            chunk = self._sized[start:start + CHUNK]
            if start and not self._ask('info', chunk):
                break
            if not self._answers(len(chunk), with_contents=False, into=sizes):
                break
        else:
            return sizes
        self._give_up()
        assert self._fallback_sizes is not None  # _give_up() started the two-process fallback
        return self._fallback_sizes()

    def read(self, oids: Iterable[str]) -> dict[str, bytes]:
        """Blob contents by object id; missing objects are left out."""
        unique = list(dict.fromkeys(oids))
        blobs: dict[str, bytes] = {}
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start:start + CHUNK]
            if self._talk is None or not self._ask('contents', chunk) or \
                    not self._answers(len(chunk), with_contents=True, into=blobs):
                self.close()
                return {**blobs, **read_blobs(self._root, unique[start:])}
        return blobs

    def _ask(self, command: str, oids: list[str]) -> bool:
        assert self._talk is not None
        try:
            self._talk.stdin.write(''.join(f'{command} {oid}\n' for oid in oids).encode())
            self._talk.stdin.flush()
        except OSError:  # git ended (too old to know --batch-command): the fallback takes over
            return False
        return True

    def _answers(self, count: int, *, with_contents: bool, into: dict[str, Any]) -> bool:
        """Read `count` answers into `into` (sizes, or contents); False when git's answers end early."""
        assert self._talk is not None
        stdout = self._talk.stdout
        for _ in range(count):
            line = stdout.readline()
            if not line.endswith(b'\n'):
                return False
            header = line.split()
            if len(header) != 3:  # `<oid> missing`, `<oid> ambiguous`: nothing follows
                continue
            oid, size = header[0].decode('ascii'), int(header[2])
            if not with_contents:
                into[oid] = size
                continue
            data = stdout.read(size + 1)
            if len(data) != size + 1:
                return False
            into[oid] = data[:size]
        return True

    def _give_up(self) -> None:
        self.close()
        self._fallback_sizes = start_blob_sizes(self._root, self._sized)
