"""A long-lived `git cat-file --batch` (and `--batch-check` for sizes): one process serves every blob
a worker reads, in the index scan of a big commit and the history scan."""
from __future__ import annotations

import subprocess
from collections.abc import Sequence

from guard.errors import SourceError
from guard.git.plumbing import BATCH_CHECK
from guard.git.plumbing import parse_sizes

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.records import StrPath


class BlobReader:
    """A long-lived `git cat-file --batch`: one process serves every blob a worker reads."""

    def __init__(self, root: StrPath) -> None:
        self._proc = _cat_file(root, '--batch')
        self._check = _cat_file(root, BATCH_CHECK)

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in (self._proc, self._check):
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait()

    def sizes(self, oids: Sequence[str]) -> dict[str, int]:
        """Object sizes by id (`cat-file --batch-check`); missing objects are left out."""
        stdin, stdout = self._check.stdin, self._check.stdout
        assert stdin is not None and stdout is not None
        unique = list(dict.fromkeys(oids))
        stdin.write(''.join(o + '\n' for o in unique).encode())
        stdin.flush()
        return parse_sizes(b''.join(stdout.readline() for _ in unique))

    def read_many(self, oids: Sequence[str]) -> dict[str, bytes]:
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        unique = list(dict.fromkeys(oids))
        stdin.write(''.join(o + '\n' for o in unique).encode())
        stdin.flush()
        blobs = {}
        for _ in unique:
            header = stdout.readline().split()
            if len(header) == 3:
                blobs[header[0].decode()] = stdout.read(int(header[2]))
                stdout.read(1)
        return blobs


def _cat_file(root: StrPath, mode: str) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(['git', '-C', str(root), 'cat-file', mode],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    except FileNotFoundError:
        raise SourceError('git is not installed (needed to scan git history)') from None
