"""The periodic sweep: a cheap look that catches whatever the events missed.

watchdog drops the kernel's queue overflow without a word on some versions, inotify watches run
out, and a folder created before its watch exists misses its first files. So every
sweep-interval the daemon lists the root's entries and sums the log paths, and compares that with
the last sweep. A difference in a concern no event reported since then means events were
dropped: the service then rescans everything and re-arms the observer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from guard.daemon.facts import ENV_FILES
from guard.daemon.facts import LOGS
from guard.daemon.facts import POLLUTION
from guard.health.logs import LogUsage
from guard.health.logs import tally_logs


@dataclass(frozen=True)
class Snapshot:
    """The root's entries (name, inode, size, mtime) and the log paths' total bytes and file count;
    `logs` is the whole measurement, which the same step's evaluation reuses instead of walking again."""

    root_entries: frozenset[tuple[str, int, int, int]]
    log_bytes: int
    log_files: int
    logs: LogUsage = LogUsage()


@dataclass(frozen=True)
class SweepResult:
    snapshot: Snapshot
    changed: frozenset[str]  # concerns whose state differs from the previous sweep
    missed: frozenset[str]  # of those, the ones no event reported: a drop


def take(root: Path, log_paths: tuple[str, ...], file_limit: int = 0) -> Snapshot:
    """The root's entries and a measurement of the log paths (`file_limit` as in tally_logs)."""
    entries = set()
    try:
        with os.scandir(root) as it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                # A folder's size and mtime change with what happens inside it (logs/): only its identity counts.
                is_dir = entry.is_dir(follow_symlinks=False)
                entries.add((entry.name, st.st_ino, 0 if is_dir else st.st_size, 0 if is_dir else st.st_mtime_ns))
    except OSError:
        pass
    usage = tally_logs(root, log_paths, file_limit)
    return Snapshot(frozenset(entries), usage.total, usage.files, usage)


def compare(previous: Snapshot | None, current: Snapshot, seen: Iterable[str]) -> SweepResult:
    """What changed since `previous`, and what of it no event covered (`seen`: concerns events touched)."""
    if previous is None:
        return SweepResult(current, frozenset(), frozenset())
    changed: set[str] = set()
    if previous.root_entries != current.root_entries:
        changed.update((POLLUTION, ENV_FILES))
    if (previous.log_bytes, previous.log_files) != (current.log_bytes, current.log_files):
        changed.add(LOGS)
    missed = changed - set(seen)
    return SweepResult(current, frozenset(changed), frozenset(missed))
