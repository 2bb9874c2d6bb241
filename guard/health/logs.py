"""How much the log paths weigh, against a limit: logs that grow unchecked fill the disk at night."""
from __future__ import annotations

import glob
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from guard.health.result import CheckResult
from guard.health.result import Perf
from guard.health.result import Status
from guard.health.units import MIB
from guard.health.units import human_size
from guard.health.units import mib

if TYPE_CHECKING:
    from guard.settings import HealthSettings

NAME = 'logs'


@dataclass
class _Tally:
    total: int = 0
    files: int = 0
    largest: tuple[int, str] = (0, '')
    seen: set[tuple[int, int]] = field(default_factory=set)

    def add(self, path: str, st: os.stat_result) -> None:
        if (st.st_dev, st.st_ino) in self.seen:  # a file matched by two patterns, or a hard link
            return
        self.seen.add((st.st_dev, st.st_ino))
        # st_blocks, not st_size: a sparse or preallocated log takes only the blocks it uses.
        size = min(st.st_size, st.st_blocks * 512) if st.st_blocks else st.st_size
        self.total += size
        self.files += 1
        self.largest = max(self.largest, (size, path))


def check_logs(root: Path, settings: HealthSettings) -> CheckResult:
    """The total size of the files under health.log-paths (globs allowed, relative to the root)."""
    started = time.perf_counter()
    tally = _Tally()
    for pattern in settings.log_paths:
        # root_dir, not joining root into the pattern: a root path may hold glob characters itself.
        for match in glob.glob(pattern, root_dir=root, recursive=True):
            _measure(os.path.join(root, match), tally)
    return logs_result(root, settings, (tally.total, tally.files, tally.largest), time.perf_counter() - started)


def logs_result(root: Path, settings: HealthSettings, measured: tuple[int, int, tuple[int, str]],
                seconds: float = 0.0) -> CheckResult:
    """The logs check's verdict on `measured` = (total bytes, files, (largest's bytes, its path)):
    lets the daemon judge the walk its sweep already made instead of walking the logs again."""
    total, files, largest = measured
    status, reason = _judge(total, largest, settings, root)
    limit = f' (limit {human_size(settings.max_log_mb * MIB)})' if settings.max_log_mb else ''
    if files:
        value = f'{human_size(total)} in {files} file{"s" if files > 1 else ""}{limit}'
    else:
        value = f'no log files in {", ".join(settings.log_paths) or "(no log-paths)"}'
    perf = Perf('logs_size', mib(total), 'MB', warn=_range(settings.warn_log_mb), crit=_range(settings.max_log_mb), min=0)
    return CheckResult(NAME, status, value, reason, seconds, (perf,))


def _measure(path: str, tally: _Tally) -> None:
    for full, st in regular_files(path):
        tally.add(full, st)


def regular_files(path: str) -> Iterator[tuple[str, os.stat_result]]:
    """(path, lstat) of every regular file at or below `path`: one log file, or a folder of them."""
    try:
        st = os.lstat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode):
        yield path, st
    elif stat.S_ISDIR(st.st_mode):
        yield from _tree(path)


def _tree(top: str) -> Iterator[tuple[str, os.stat_result]]:
    # scandir, not os.walk + lstat + join: the daemon's sweep runs this over every log file every
    # sweep-interval, and the per-file Python work was most of its idle CPU (bench/RESULTS.md).
    # Symlinks are not followed: a link to / must not make guard walk the whole machine.
    folders = [top]  # a stack of paths, not of open iterators: one folder open at a time
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue  # gone since the listing (a rotated log)
                    if stat.S_ISDIR(st.st_mode):
                        folders.append(entry.path)
                    elif stat.S_ISREG(st.st_mode):
                        yield entry.path, st
        except OSError:
            continue


def _judge(total: int, largest: tuple[int, str], settings: HealthSettings, root: Path) -> tuple[Status, str]:
    biggest = f'largest {_relative(largest[1], root)} ({human_size(largest[0])})'
    if settings.max_log_mb and total > settings.max_log_mb * MIB:
        return Status.FAIL, f'above the limit of {human_size(settings.max_log_mb * MIB)}; {biggest}'
    if settings.warn_log_mb and total > settings.warn_log_mb * MIB:
        return Status.WARN, f'above the warning level of {human_size(settings.warn_log_mb * MIB)}; {biggest}'
    return Status.OK, ''


def _relative(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _range(limit_mb: int) -> str:
    return f'{limit_mb}' if limit_mb else ''  # Nagios range "N" alerts above N
