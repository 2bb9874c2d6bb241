"""How much the log paths weigh, against a limit: logs that grow unchecked fill the disk at night."""

from __future__ import annotations

import glob
import heapq
import os
import stat
import time
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guard.du import disk_usage
from guard.health.result import CheckResult
from guard.health.result import Perf
from guard.health.result import Status
from guard.health.units import MIB
from guard.health.units import human_size
from guard.health.units import mib

if TYPE_CHECKING:
    from guard.settings import HealthSettings

NAME = 'logs'
_LARGEST_KEPT = 20  # files above the watch's per-file limit kept, largest first


@dataclass(frozen=True)
class LogUsage:
    """Bytes the log paths take on disk (guard.du.disk_usage), each file counted once."""

    total: int = 0
    files: int = 0
    per_path: tuple[tuple[str, int], ...] = ()  # (log-paths entry, bytes)
    over_file_limit: tuple[tuple[str, int], ...] = ()  # (path relative to the root, bytes), largest first
    largest: tuple[int, str] = (0, '')  # (bytes, full path) of the largest file, as the logs check names it


def check_logs(root: Path, settings: HealthSettings) -> CheckResult:
    """The total size of the files under health.log-paths (globs allowed, relative to the root)."""
    started = time.perf_counter()
    usage = tally_logs(root, settings.log_paths)
    return logs_result(root, settings, (usage.total, usage.files, usage.largest), time.perf_counter() - started)


def tally_logs(root: Path | str, log_paths: Sequence[str], file_limit: int = 0) -> LogUsage:
    """The one log tally, `guard health`'s and `guard watch`'s: bytes per log-paths entry, the total,
    the largest file, and the files above `file_limit` (0 = none).

    Every file counts once, however many entries or matches reach it: 'logs/' and 'logs/*.log', a
    folder and one inside it ('logs/**'), hard links. A file reached by the first entry that reaches it.
    """
    matches = _matches(root, log_paths)
    # One walk from one place sees each name once, so only a file with several names (a hard link) can
    # come back; remembering every inode would cost memory in proportion to the files (100,000 in a storm).
    every = sum(len(m) for m in matches.values()) > 1
    seen: set[tuple[int, int]] = set()
    per_path: list[tuple[str, int]] = []
    largest: list[tuple[int, str]] = []
    files, biggest = 0, (0, '')
    for pattern, paths in matches.items():
        subtotal = 0
        for path, st in (found for top in paths for found in regular_files(top)):
            if every or st.st_nlink > 1:
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
            size = disk_usage(st)
            files += 1
            subtotal += size
            biggest = max(biggest, (size, path))
            if file_limit and size > file_limit:
                # relpath only here: on every file it was most of a sweep's cost.
                heapq.heappush(largest, (size, os.path.relpath(path, root)))
                if len(largest) > _LARGEST_KEPT:
                    heapq.heappop(largest)
        per_path.append((pattern, subtotal))
    over = tuple((rel, size) for size, rel in sorted(largest, reverse=True))
    return LogUsage(sum(s for _, s in per_path), files, tuple(per_path), over, biggest)


def _matches(root: Path | str, log_paths: Sequence[str]) -> dict[str, list[str]]:
    """The paths each log-paths entry names, a path named twice only under the first entry that names it."""
    named: set[str] = set()
    matches: dict[str, list[str]] = {}
    plain: set[str] = set()  # folders under the root checked to be real folders, not links
    for pattern in log_paths:
        paths = matches.setdefault(pattern, [])
        # root_dir, not joining root into the pattern: a root path may hold glob characters itself.
        for match in glob.glob(pattern, root_dir=root, recursive=True):
            if not os.path.isabs(match) and not within_root(os.fspath(root), match, plain):
                continue
            # Not normalised: `..` after a symbolic link does not lead where the text says. The same
            # folder named two ways is walked twice, and the inodes then count each file once.
            path = os.path.join(root, match).rstrip('/') or '/'
            if path not in named:
                named.add(path)
                paths.append(path)
    return matches


def within_root(root: str, match: str, plain: set[str]) -> bool:
    """True when `match` (relative to the root) stays in the root through real folders only.

    A relative log path, the default `logs/` included, is measured only inside the root: a committed
    `logs -> ../outside` link (or `..`) is not followed, whoever set the entry (issue 16, finding 6).
    Logs elsewhere are named by an absolute path, which only a trusted layer may set."""
    parts = [p for p in match.split('/') if p and p != '.']
    if '..' in parts:
        return False
    path = root
    for part in parts:
        path = os.path.join(path, part)
        if path in plain:
            continue
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return False
        except OSError:
            return False
        plain.add(path)
    return True


def logs_result(
    root: Path, settings: HealthSettings, measured: tuple[int, int, tuple[int, str]], seconds: float = 0.0
) -> CheckResult:
    """The logs check's verdict on `measured` = (total bytes, files, (largest's bytes, its path)):
    lets the daemon judge the walk its sweep already made instead of walking the logs again."""
    total, files, largest = measured
    status, reason = _judge(total, largest, settings, root)
    limit = f' (limit {human_size(settings.max_log_mb * MIB)})' if settings.max_log_mb else ''
    if files:
        value = f'{human_size(total)} in {files} file{"s" if files > 1 else ""}{limit}'
    else:
        value = f'no log files in {", ".join(settings.log_paths) or "(no log-paths)"}'
    perf = Perf(
        'logs_size', mib(total), 'MB', warn=_range(settings.warn_log_mb), crit=_range(settings.max_log_mb), min=0
    )
    return CheckResult(NAME, status, value, reason, seconds, (perf,))


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
