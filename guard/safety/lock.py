"""One purge, clean or restore per root at a time: the daemon and a person never run at once.

The lock is an flock(2) on `<state dir>/locks/<hash of root>.lock`, which also records who holds
it, for the message the second comer sees, plus an flock on the root directory itself, so two
processes whose state directories differ (the daemon's and a person's under sudo) still exclude
each other. The kernel drops an flock when its holder dies: a crashed purge leaves no stale lock.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path

from guard import ownfiles
from guard.errors import LockedError

_POLL_SECONDS = 0.1


@contextmanager
def root_lock(
    state_dir: Path, root: Path, operation: str, *, timeout: float = 0.0, root_fd: int | None = None
) -> Iterator[None]:
    """Hold the root's lock for the block; wait up to `timeout` seconds, then raise LockedError.
    `root_fd` is the root as pinned at plan time (the lock is taken on that directory, not on
    whatever the path leads to now)."""
    fd = _open_lock_file(state_dir, root)
    try:
        deadline = time.monotonic() + timeout
        _acquire(fd, fd, root, deadline, timeout)
        # A new open file description ('.' below the pinned one, not a dup): an flock belongs to the
        # description, and the pin outlives this lock.
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
        root_fd = os.open('.', flags, dir_fd=root_fd) if root_fd is not None else os.open(root, flags)
        try:
            # Held there but not in our lock file: by a guard that keeps its state elsewhere (root
            # under sudo, the daemon's user). Our file's holder record is our own last run, not theirs.
            _acquire(root_fd, -1, root, deadline, timeout)
            _write_holder(fd, root, operation)
            yield
        finally:
            os.close(root_fd)
    finally:
        os.close(fd)  # closing releases the flock


def lock_path(state_dir: Path, root: Path) -> Path:
    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:24]
    return state_dir / 'locks' / f'{digest}.lock'


def _open_lock_file(state_dir: Path, root: Path) -> int:
    path = lock_path(state_dir, root)
    try:
        state_fd = ownfiles.open_dir(state_dir, create=True)
        try:
            locks_fd = ownfiles.open_dir('locks', create=True, base_fd=state_fd, shown=str(state_dir))
        finally:
            os.close(state_fd)
        try:
            return ownfiles.open_file(locks_fd, path.name, os.O_RDWR, shown=str(path))
        finally:
            os.close(locks_fd)
    except OSError as e:
        raise LockedError(f'cannot create the lock file {path}: {e.strerror}') from None


def _acquire(fd: int, info_fd: int, root: Path, deadline: float, timeout: float) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise LockedError(f'cannot lock {root}: {e.strerror}') from None
        if time.monotonic() >= deadline:
            raise LockedError(_busy_message(info_fd, root, timeout))
        time.sleep(_POLL_SECONDS)


def _busy_message(fd: int, root: Path, timeout: float) -> str:
    holder = _read_holder(fd) if fd >= 0 else {}
    who = (
        'another guard process'
        if fd >= 0
        else "another guard process that keeps its state elsewhere (another user's, or one under sudo)"
    )
    if holder:
        who = (
            f'guard {holder.get("operation", "?")} (pid {holder.get("pid", "?")}, '
            f'user {holder.get("user", "?")}, since {holder.get("since", "?")})'
        )
    waited = f' after waiting {timeout:g}s' if timeout else ''
    return (
        f'{root} is locked by {who}{waited}; try again when it finishes, '
        f'or wait longer with --lock-timeout SECONDS (purge.lock-timeout)'
    )


def _write_holder(fd: int, root: Path, operation: str) -> None:
    import pwd

    try:
        user = pwd.getpwuid(os.getuid()).pw_name  # the real uid: LOGNAME and USER are the caller's to set
    except KeyError:
        user = str(os.getuid())
    info = {
        'operation': operation,
        'pid': os.getpid(),
        'root': os.fsdecode(root),
        'user': user,
        'since': datetime.now(UTC).astimezone().isoformat(timespec='seconds'),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)


def _read_holder(fd: int) -> dict[str, object]:
    try:
        data = os.pread(fd, 4096, 0)
        holder = json.loads(data.decode('utf-8', 'replace'))
    except (OSError, ValueError, RecursionError):  # 4 KB of `[` is deeper than json's recursion limit
        return {}
    return holder if isinstance(holder, dict) else {}
