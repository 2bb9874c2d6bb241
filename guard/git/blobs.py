"""The one blob reader: sizes, then contents (whole, or in pieces for a large blob), from a long-lived git.

One `git cat-file --batch-command` (git ≥ 2.36) answers `info` (the size) and `contents` requests:
a commit hook pays one git start-up, and a history scan's worker keeps one process for every blob
it reads. Sizes are asked first, so the caller decides, before any byte is read, whether a blob is
read whole or streamed in pieces (a 300 MB blob never sits in memory). Older git, which refuses
`--batch-command`: `--batch-check` and `--batch` processes answer the same requests. Every process
is started through guard.git.runner, the one way guard runs git.
"""

from __future__ import annotations

import os

from guard.errors import SourceError
from guard.git import runner
from guard.git import spawn

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

    from guard.records import StrPath

# Requests are written in chunks this small (< 4 KiB even with SHA-256 ids), so a write never waits
# on a full pipe while git waits on us to read its answers.
CHUNK = 32
PIECE = 1 << 20  # a streamed blob is handed over in pieces of this many bytes


class BlobReader:
    """Blob sizes and contents from one git. Start it early, naming the blobs to size (git works
    while the caller does); `close()` it at the end, or use it in a `with`."""

    def __init__(self, root: StrPath, oids: Iterable[str] = ()) -> None:
        self._root = os.fspath(root)
        self._sized = list(dict.fromkeys(oids))
        self._sizes: dict[str, int] | None = None
        self._both: spawn.Conversation | None = None  # --batch-command
        self._check: spawn.Conversation | None = None  # older git: --batch-check
        self._batch: spawn.Conversation | None = None  # older git: --batch
        self._both = self._start('--batch-command')
        # The first sizes are asked now; their answers wait in the pipe until `sizes()` reads them.
        self._presized = bool(self._sized) and self._send('info', self._sized[:CHUNK])
        if self._sized and not self._presized:
            self._use_older_git()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End every git process (answers not read are dropped)."""
        for name in ('_both', '_check', '_batch'):
            talk = getattr(self, name)
            if talk is not None:
                talk.close()
                setattr(self, name, None)

    def sizes(self, oids: Iterable[str] | None = None) -> dict[str, int]:
        """Sizes by object id of `oids` (by default, the blobs named at the start); missing objects are left out."""
        if oids is None:
            if self._sizes is None:
                asked = min(CHUNK, len(self._sized)) if self._presized else 0
                self._presized = False
                self._sizes = self._info(self._sized, already_asked=asked)
            return self._sizes
        return self._info(list(dict.fromkeys(oids)), already_asked=0)

    def read(self, oids: Iterable[str]) -> dict[str, bytes]:
        """Whole contents by object id; missing objects are left out."""
        unique = list(dict.fromkeys(oids))
        blobs: dict[str, bytes] = {}
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            self._exchange('contents', chunk, self._contents, blobs)
        return blobs

    def pieces(self, oid: str, piece: int = PIECE) -> Iterator[bytes]:
        """One blob's contents in pieces of at most `piece` bytes (none for a missing object).

        Read it to its end before the next request: the pieces come straight from git's pipe.
        """
        stdout = self._request('contents', [oid])
        header = stdout.readline()
        if not header.endswith(b'\n'):
            raise SourceError(f'git cat-file ended early while reading {oid}')
        fields = header.split()
        if len(fields) != 3:
            return
        left = int(fields[2])
        try:
            while left:
                data = stdout.read(min(piece, left))
                if not data:
                    raise SourceError(f'git cat-file ended early while reading {oid}')
                left -= len(data)
                yield data
        finally:  # the newline after the contents, and what a caller that stopped early left: the next answer lines up
            self._drain(stdout, left + 1)

    def _info(self, oids: list[str], *, already_asked: int) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for start in range(0, len(oids), CHUNK):
            chunk = oids[start : start + CHUNK]
            asked = start < already_asked and self._both is not None
            self._exchange('info', chunk, self._headers, sizes, asked=asked)
        return sizes

    def _exchange(
        self,
        command: str,
        oids: list[str],
        answer: Callable[[BinaryIO, int, Any], bool],
        into: Any,
        *,
        asked: bool = False,
    ) -> None:
        """Send the requests (unless `asked` already) and read their answers; an older git takes over
        when --batch-command is refused, and a git that fails then is a SourceError."""
        stdout = self._stdout(command) if asked else self._request(command, oids)
        if answer(stdout, len(oids), into):
            return
        if self._both is None:
            raise SourceError(f'git cat-file ended early in {self._root} (a corrupt repository?)')
        self._use_older_git()
        if not answer(self._request(command, oids), len(oids), into):
            raise SourceError(f'git cat-file ended early in {self._root} (a corrupt repository?)')

    def _request(self, command: str, oids: list[str]) -> BinaryIO:
        if self._presized:  # answers to the sizes asked at the start come first in the pipe
            self.sizes()
        if not self._send(command, oids):
            self._use_older_git()
            if not self._send(command, oids):
                raise SourceError(f'git cat-file stopped reading requests in {self._root}')
        return self._stdout(command)

    def _send(self, command: str, oids: list[str]) -> bool:
        talk = self._both or (self._check if command == 'info' else self._batch)
        assert talk is not None
        prefix = f'{command} ' if talk is self._both else ''
        lines = ''.join(f'{prefix}{oid}\n' for oid in oids)
        try:
            talk.stdin.write(lines.encode())
            talk.stdin.flush()
        except OSError:  # git ended (too old to know --batch-command): the caller falls back
            return False
        return True

    def _stdout(self, command: str) -> BinaryIO:
        talk = self._both or (self._check if command == 'info' else self._batch)
        assert talk is not None
        return talk.stdout

    def _use_older_git(self) -> None:
        if self._both is None:
            raise SourceError(f'git cat-file failed in {self._root}')
        self._both.close()
        self._both = None
        self._check = self._start('--batch-check')
        self._batch = self._start('--batch')

    def _start(self, mode: str) -> spawn.Conversation:
        return runner.converse_git(self._root, 'cat-file', mode)

    @staticmethod
    def _headers(stdout: BinaryIO, count: int, into: dict[str, int]) -> bool:
        """Read `count` info answers into `into`; False when git's answers end early."""
        for _ in range(count):
            line = stdout.readline()
            if not line.endswith(b'\n'):
                return False
            fields = line.split()
            if len(fields) == 3:  # `<oid> missing`, `<oid> ambiguous`: no size
                into[fields[0].decode('ascii')] = int(fields[2])
        return True

    @staticmethod
    def _contents(stdout: BinaryIO, count: int, into: dict[str, bytes]) -> bool:
        """Read `count` contents answers into `into`; False when git's answers end early."""
        for _ in range(count):
            line = stdout.readline()
            if not line.endswith(b'\n'):
                return False
            fields = line.split()
            if len(fields) != 3:
                continue
            size = int(fields[2])
            data = stdout.read(size + 1)
            if len(data) != size + 1:
                return False
            into[fields[0].decode('ascii')] = data[:size]
        return True

    @staticmethod
    def _drain(stdout: BinaryIO, left: int) -> None:
        while left > 0:
            data = stdout.read(min(PIECE, left))
            if not data:
                return
            left -= len(data)


if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any
    from typing import BinaryIO
