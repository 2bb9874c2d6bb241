"""Log files a running service still writes to: truncate them in place, optionally rotating first.

Deleting an open log frees nothing until the service restarts; truncating it to zero bytes frees
the space at once and the service keeps appending to the same inode. With `keep-rotated = N` the
current content is copied to `<log>.1` first and older copies shift up to `<log>.N`, as logrotate's
`copytruncate` does (lines written between the copy and the truncation are lost, as there).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from guard.du import disk_usage

_ROTATED = re.compile(r'^(?P<base>.+)\.(?P<n>[1-9]\d{0,3})$')
_WRITE_FLAGS = os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass(frozen=True)
class Rotation:
    """What keep-rotated does to one log in one directory: renames (old, new) and unlinks."""

    log: str
    unlink: tuple[str, ...]
    shifts: tuple[tuple[str, str], ...]
    kept: tuple[str, ...]


def rotated_index(name: str) -> tuple[str, int] | None:
    """('app.log', 3) for 'app.log.3', else None."""
    match = _ROTATED.match(name)
    return (match['base'], int(match['n'])) if match else None


def plan_rotations(logs: list[str], names: set[str], keep: int) -> list[Rotation]:
    """For each current log: which old copies go, which shift up by one, which remain afterwards."""
    rotations = []
    for log in logs:
        present = sorted(
            (idx for n in names if (r := rotated_index(n)) and r[0] == log for idx in (r[1],)), reverse=True
        )
        unlink = tuple(f'{log}.{i}' for i in present if i >= keep)
        shifts = tuple((f'{log}.{i}', f'{log}.{i + 1}') for i in present if i < keep)
        kept = tuple(f'{log}.{i}' for i in range(1, keep + 1))
        rotations.append(Rotation(log, unlink, shifts, kept))
    return rotations


def truncate(dir_fd: int, name: str, expected: os.stat_result) -> int:
    """Truncate the file to zero if it is still the regular file `expected` with a single link.

    Returns the disk bytes it held. Opened without following links and checked by inode, so a
    file swapped for a symlink or for a hard link to something protected is not touched.
    """
    fd = os.open(name, _WRITE_FLAGS, dir_fd=dir_fd)
    try:
        st = os.fstat(fd)
        if not _same_single_file(st, expected):
            raise FileChangedError(name)
        os.ftruncate(fd, 0)
        return disk_usage(st)
    finally:
        os.close(fd)


def copy_then_truncate(dir_fd: int, name: str, copy_name: str, expected: os.stat_result) -> int:
    """copytruncate: copy the log to `copy_name` (which must not exist), then truncate the log."""
    src = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    try:
        st = os.fstat(src)
        if not _same_single_file(st, expected):
            raise FileChangedError(name)
        dst = os.open(
            copy_name,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            stat.S_IMODE(st.st_mode),
            dir_fd=dir_fd,
        )
        try:
            _copy(src, dst)
            if os.geteuid() == 0:
                os.fchown(dst, st.st_uid, st.st_gid)  # the service must keep owning its logs
        finally:
            os.close(dst)
    finally:
        os.close(src)
    return truncate(dir_fd, name, expected)


def _copy(src: int, dst: int) -> None:
    offset = 0
    while True:
        sent = os.sendfile(dst, src, offset, 1 << 30)
        if sent == 0:
            return
        offset += sent


def _same_single_file(st: os.stat_result, expected: os.stat_result) -> bool:
    return (
        stat.S_ISREG(st.st_mode) and st.st_nlink == 1 and (st.st_dev, st.st_ino) == (expected.st_dev, expected.st_ino)
    )


class FileChangedError(OSError):
    """The file is no longer the single-link regular file guard inspected; it was left alone."""

    def __init__(self, name: str) -> None:
        super().__init__(0, 'changed while guard was working (replaced, or hard-linked elsewhere); left alone', name)
