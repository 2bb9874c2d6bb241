"""Which files running processes hold open, read from /proc/<pid>/fd.

Unlinking a log a service still writes to frees nothing until the service restarts, so the purge
truncates such files instead. Only processes guard may inspect are seen: as an unprivileged user
that is your own; `complete` says whether every process could be read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from dataclasses import field

PROC = '/proc'


@dataclass(frozen=True)
class OpenFiles:
    """(st_dev, st_ino) of every open regular file on one filesystem -> the processes holding it."""

    holders: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    complete: bool = True

    def held_by(self, dev: int, ino: int) -> tuple[str, ...]:
        """'pid (name)' of each process holding the file open; () when none is known to."""
        return self.holders.get((dev, ino), ())


def scan(dev: int) -> OpenFiles:
    """Open files on the filesystem `dev`, skipping guard's own process."""
    holders: dict[tuple[int, int], list[str]] = {}
    complete = True
    me = os.getpid()
    try:
        pids = [int(name) for name in os.listdir(PROC) if name.isdigit()]
    except OSError:
        return OpenFiles({}, complete=False)
    for pid in pids:
        if pid == me:
            continue
        if not _scan_process(pid, dev, holders):
            complete = False
    return OpenFiles({key: tuple(dict.fromkeys(value)) for key, value in holders.items()}, complete)


def _scan_process(pid: int, dev: int, holders: dict[tuple[int, int], list[str]]) -> bool:
    fd_dir = f'{PROC}/{pid}/fd'
    try:
        fds = os.listdir(fd_dir)
    except FileNotFoundError:
        return True  # exited meanwhile
    except OSError:
        return False  # not ours to look at
    label = f'{pid} ({_comm(pid)})'
    for fd in fds:
        try:
            st = os.stat(f'{fd_dir}/{fd}')  # follows the magic link to the open file itself
        except OSError:
            continue
        if st.st_dev == dev:
            holders.setdefault((st.st_dev, st.st_ino), []).append(label)
    return True


def _comm(pid: int) -> str:
    try:
        with open(f'{PROC}/{pid}/comm', encoding='utf-8', errors='replace') as f:
            return f.read().strip()
    except OSError:
        return '?'
