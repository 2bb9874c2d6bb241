"""Measure what the changes touched: the root's state, pollution, env files, logs, free disk.

Each concern is measured with the same code `guard health` uses (CheckResult), plus what the
policy needs beyond a verdict: log bytes per path and per file, free bytes. Never decides, never acts.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from guard.health.logs import LogUsage
from guard.health.logs import tally_logs
from guard.health.result import CheckResult
from guard.health.result import Status
from guard.health.units import MIB

if TYPE_CHECKING:
    from guard.config import Config

POLLUTION = 'pollution'
ENV_FILES = 'env-files'
LOGS = 'logs'
DISK = 'disk'
ROOT = 'root'
CONCERNS = (POLLUTION, ENV_FILES, LOGS, DISK)
_ENV_READ_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Facts:
    """One measurement. `root_problem` is '' when the root is there and readable; then `checks` holds
    a result per measured concern."""

    root_problem: str = ''
    checks: dict[str, CheckResult] = field(default_factory=dict)
    logs: LogUsage | None = None
    free_disk: int | None = None
    # Seconds since anything in the root's Python environment last changed (measured only when it
    # is there and would be quarantined); `inf` when it is complete and nothing is being written.
    venv_quiet: float | None = None
    # Until when `guard restore` holds the root's entries from the daemon (Unix time), or None.
    held_until: float | None = None


def gather(
    config: Config,
    root: Path,
    concerns: frozenset[str] | set[str],
    *,
    logs: LogUsage | None = None,
    pinned: tuple[int, int] | None = None,
) -> Facts:
    """Measure `concerns` (names from CONCERNS) for `root`. `logs`: a measurement of the log paths
    taken a moment ago (by the sweep, same file limit), used instead of walking them again.
    `pinned`: the (device, inode) the daemon pinned the root as; a path leading elsewhere is a problem."""
    problem = root_problem(root, pinned)
    if problem:
        return Facts(root_problem=problem)
    checks: dict[str, CheckResult] = {}
    free = None
    quiet = held = None
    if POLLUTION in concerns:
        from guard.health.pollution import check_pollution

        checks[POLLUTION] = check_pollution(root)
        if checks[POLLUTION].status is Status.FAIL and config.watch.on_pollution == 'quarantine':
            from guard.safety.hold import held_until

            held = held_until(config.state_path(), root)
            quiet = venv_quiet(root) if held is None else None
    if ENV_FILES in concerns:
        checks[ENV_FILES] = check_env_files(config, root)
    if LOGS in concerns:
        from guard.health.logs import logs_result

        started = time.perf_counter()
        # One walk serves the check and the policy's detail (it used to be two).
        logs = logs or tally_logs(root, config.health.log_paths, config.watch.max_log_file_mb * MIB)
        checks[LOGS] = _with_volumes(
            root,
            config.health.log_paths,
            logs_result(root, config.health, (logs.total, logs.files, logs.largest), time.perf_counter() - started),
        )
    else:
        logs = None
    if DISK in concerns:
        from guard.health.disk import check_disk

        checks[DISK] = check_disk(root, config.health)
        free = free_bytes(root)
    return Facts('', checks, logs, free, quiet, held)


def _with_volumes(root: Path, log_paths: tuple[str, ...], result: CheckResult) -> CheckResult:
    """The logs check failed as well when a log volume of its own (a mount inside the root) is full."""
    from guard.daemon.logfs import full_volumes

    full = full_volumes(root, tuple(log_paths))
    if not full:
        return result
    reason = '; '.join(full) + (f'; {result.reason}' if result.reason else '')
    return CheckResult(result.name, Status.FAIL, result.value, reason, result.latency, result.perf)


def venv_quiet(root: Path, *, limit: int = 100_000) -> float:
    """Seconds since the newest change (mtime or ctime) in the root's environment entries; 0 while
    its interpreter (bin/python) is not there yet, so a half-made environment is never moved."""
    from guard.safety.discovery import root_venv

    entries = root_venv(root)
    if not any(os.path.lexists(root / name) for name in ('bin/python', 'bin/python3', 'Scripts/python.exe')):
        return 0.0
    newest = 0.0
    folders: list[str] = []
    for name in entries:
        try:
            st = os.lstat(root / name)
        except OSError:
            continue
        newest = max(newest, st.st_mtime, st.st_ctime)
        if stat.S_ISDIR(st.st_mode):
            folders.append(str(root / name))
    seen = 0
    while folders and seen < limit:
        try:
            with os.scandir(folders.pop()) as it:
                for entry in it:
                    seen += 1
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    newest = max(newest, st.st_mtime, st.st_ctime)
                    if stat.S_ISDIR(st.st_mode):
                        folders.append(entry.path)
        except OSError:
            continue
    return max(0.0, time.time() - newest)


def root_problem(root: Path, pinned: tuple[int, int] | None = None) -> str:
    """'' when the root is a readable folder (the pinned one, when `pinned` is given), else what is
    wrong with it."""
    try:
        st = os.stat(root)
    except FileNotFoundError:
        return f'{root} does not exist (deleted or not mounted)'
    except OSError as e:
        return f'{root}: cannot read: {e.strerror}'
    if not stat.S_ISDIR(st.st_mode):
        return f'{root} is not a folder'
    if pinned is not None and (st.st_dev, st.st_ino) != pinned:
        return (
            f'{root} now leads to another directory (device/inode {st.st_dev}/{st.st_ino}, watched '
            f'{pinned[0]}/{pinned[1]}): it was replaced or swapped for a symlink; guard acts on nothing '
            'until it leads back (restart guard watch to watch the new folder)'
        )
    try:
        with os.scandir(root) as it:
            next(it, None)
    except OSError as e:
        return f'{root}: cannot list: {e.strerror}'
    return ''


def free_bytes(root: Path) -> int | None:
    try:
        return shutil.disk_usage(root).free
    except OSError:
        return None


def check_env_files(config: Config, root: Path) -> CheckResult:
    """FAIL for env files with values in the root folder that git would not keep out of a commit.

    Expected: an env file git ignores (and does not track); in a root that is no work tree, only
    the one health.env-file names (where `guard health` reads the database URL from). Values are
    counted, never shown.
    """
    from guard.daemon.repo import RepoView
    from guard.rules import env_files

    found = []
    candidates = sorted(name for name in _root_names(root) if env_files.is_env_file(name))
    if not candidates:  # the usual case: no need to ask git anything
        return CheckResult(ENV_FILES, Status.OK, 'no unexpected env file with values in the root')
    with RepoView(root) as repo:
        for name in candidates:
            finding = env_files.check(name, _head(root / name))
            if finding is None or _expected(repo, name, config):
                continue
            why = (
                'tracked by git'
                if repo.tracked(name)
                else ('not ignored by git' if repo.is_work_tree else 'no git work tree')
            )
            found.append(f'{finding.excerpt}, {why}')
    if not found:
        return CheckResult(ENV_FILES, Status.OK, 'no unexpected env file with values in the root')
    return CheckResult(
        ENV_FILES,
        Status.FAIL,
        '; '.join(found),
        'env files hold credentials; add them to .gitignore or move them out of the root',
    )


def _expected(repo: object, name: str, config: Config) -> bool:
    from guard.daemon.repo import RepoView

    assert isinstance(repo, RepoView)
    if repo.is_work_tree:
        return repo.ignored(name) and not repo.tracked(name)
    return name == config.health.env_file


def _root_names(root: Path) -> list[str]:
    try:
        with os.scandir(root) as it:
            return [e.name for e in it if e.is_file(follow_symlinks=False)]
    except OSError:
        return []


def _head(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return ''
    try:
        return os.read(fd, _ENV_READ_LIMIT).decode('utf-8', errors='replace')
    except OSError:
        return ''
    finally:
        os.close(fd)
