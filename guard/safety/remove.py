"""Clearing one ephemeral path: fd-based, no-follow, same filesystem, outside nested repositories.

`Clearer.clear(rel)` empties an ephemeral directory (the directory itself stays, so services that
write into it keep working), or removes an ephemeral file or symlink. The same walk runs in two
modes: `act=False` only counts what would happen (the plan), `act=True` does it (the purge), so
the plan shows exactly what the purge will do.

Safety, step by step: every directory is opened relative to its parent's descriptor with
O_NOFOLLOW | O_DIRECTORY; entries are unlinked with unlinkat(dir_fd), which never follows a link;
a directory on another mount (mount id, st_dev where /proc is missing) or holding `.git` is left whole; anything the matcher
calls protected is left, and so are its ancestors; a symlink pointing out of the root or into a
protected path is reported, not removed. Errors are collected per path and the walk goes on.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from guard import ownfiles
from guard.du import disk_usage
from guard.safety import fd as fdops
from guard.safety import logs
from guard.safety.manifest import NAME as MANIFEST_NAME
from guard.safety.openfiles import OpenFiles
from guard.safety.paths import EPHEMERAL
from guard.safety.paths import PROTECTED
from guard.safety.paths import Matcher
from guard.safety.paths import link_refusal
from guard.safety.results import FLOOR_REASON
from guard.safety.results import PROTECTED_REASON
from guard.safety.results import Failure
from guard.safety.results import HeldOpen
from guard.safety.results import ItemResult
from guard.safety.results import Kept
from guard.safety.results import Truncated

# Threads clearing sibling folders at once (see Clearer._in_parallel). On a disk, unlink waits on
# the journal and threads overlap those waits; in memory it is pure CPU and threads only fight over
# the GIL, so filesystems in RAM get one.
WORKERS = 4
IN_MEMORY = frozenset(('tmpfs', 'ramfs'))
VENV_REASON = 'part of the root venv: `guard clean` moves it, purge does not go inside'


class _Cancelled(Exception):
    """Raised in worker threads once the main thread was interrupted."""


class Clearer:
    """Walks ephemeral paths below one root descriptor; one per operation, used from one thread
    (it runs its own worker threads for sibling folders)."""

    def __init__(
        self,
        root_fd: int,
        root: Path,
        matcher: Matcher,
        *,
        log_globs: tuple[str, ...],
        keep_rotated: int,
        open_files: OpenFiles,
        act: bool,
        venv: frozenset[str] = frozenset(),
    ) -> None:
        self.root_fd = root_fd
        self.root = root
        self.matcher = matcher
        self.keep_rotated = keep_rotated
        self.open_files = open_files
        self.act = act
        self.root_dev = os.fstat(root_fd).st_dev
        self.root_mnt = ownfiles.mount_id(root_fd)
        # Told of every path removed or emptied (act mode), from any worker thread: the audit's
        # progress, so an interrupted purge leaves an accurate record.
        self.on_removed: Callable[[str, int, str], None] | None = None
        self._is_log = _glob_regex(log_globs).match
        # The floor and protected regexes alone decide a plain file's fate unless negations are configured.
        self._plain = matcher.plain_protected if matcher.ephemeral.combined is not None else None
        self.venv = venv
        self.workers = 1 if fdops.filesystem_type(root) in IN_MEMORY else WORKERS
        self._local = threading.local()
        self._cancelled = threading.Event()

    def clear(self, rel: str) -> ItemResult:
        """Clear one ephemeral path (root-relative). Never raises for filesystem errors."""
        parent, name = fdops.split(rel)
        result = ItemResult(rel, 'missing')
        try:
            with fdops.opened_beneath(self.root_fd, parent) as parent_fd:
                st = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
                result.kind = _kind(st.st_mode)
                refusal = self._refusal(rel, is_dir=result.kind == 'dir')
                if refusal:
                    result.kept.append(Kept(rel, refusal))
                elif result.kind == 'dir':
                    self._clear_top_dir(parent_fd, name, rel, result)
                else:
                    self._entry(parent_fd, name, st, rel, EPHEMERAL, result)
        except FileNotFoundError:
            pass  # gone already: nothing to clear
        except OSError as e:
            result.failures.append(Failure(rel, fdops.describe(e), fdops.hint(e)))
        return result

    def _refusal(self, rel: str, *, is_dir: bool) -> str | None:
        """Why a planned path must be left whole: a plan built by hand, or by an older config, cannot
        hand a protected path, a floor or the root venv to the clearer."""
        if self.matcher.decide(rel, is_dir=is_dir) == PROTECTED:
            return self._why_protected(rel, is_dir=is_dir)
        parts = rel.split('/')
        if any('/'.join(parts[:depth]) in self.venv for depth in range(1, len(parts) + 1)):
            return VENV_REASON
        return None

    def _why_protected(self, rel: str, *, is_dir: bool) -> str:
        return FLOOR_REASON if self.matcher.is_floor(rel, is_dir=is_dir) else PROTECTED_REASON

    def _clear_top_dir(self, parent_fd: int, name: str, rel: str, result: ItemResult) -> None:
        dir_fd = self._open_subdir(parent_fd, name, rel, result)
        if dir_fd is None:
            return
        try:
            self._clear_dir(dir_fd, rel, EPHEMERAL, result)
        finally:
            os.close(dir_fd)

    def _open_subdir(self, parent_fd: int, name: str, rel: str, result: ItemResult) -> int | None:
        """Open a directory to clear, or None (with the reason recorded) when it must be left whole."""
        dir_fd = fdops.open_dir(parent_fd, name)
        if not ownfiles.same_mount(dir_fd, self.root_dev, self.root_mnt):
            # Mount ids, not only device numbers: a bind mount of the same disk shares st_dev.
            result.kept.append(Kept(rel, 'another filesystem (mount point); guard does not cross into it'))
        elif _has_entry(dir_fd, '.git'):
            result.kept.append(Kept(rel, 'a nested git repository; guard does not clear inside it'))
        elif _is_quarantine(dir_fd):
            # Made where an older config pointed quarantine-dir (logs/q): its files exist nowhere else.
            result.kept.append(Kept(rel, 'a guard quarantine (it holds manifest.json); guard never purges one'))
        else:
            return dir_fd
        os.close(dir_fd)
        return None

    def _clear_dir(self, dir_fd: int, rel: str, verdict: str | None, result: ItemResult) -> bool:
        """Clear inside an open directory; True when it is empty afterwards."""
        with os.scandir(dir_fd) as it:
            entries = list(it)
        skip: set[str] = set()
        if self.keep_rotated:
            skip = self._rotate_logs(dir_fd, rel, entries, result)
        entries = [e for e in entries if e.name not in skip]
        empty = not skip
        subdirs = [e for e in entries if e.is_dir(follow_symlinks=False)]
        if self.workers > 1 and len(subdirs) >= 2 and not getattr(self._local, 'worker', False):
            empty = self._in_parallel(dir_fd, rel, verdict, subdirs, result) and empty
            entries = [e for e in entries if not e.is_dir(follow_symlinks=False)]
        for entry in entries:
            empty = self._one(dir_fd, entry, rel, verdict, result) and empty
        return empty

    def _one(self, dir_fd: int, entry: os.DirEntry[str], rel: str, verdict: str | None, result: ItemResult) -> bool:
        if self._cancelled.is_set():
            raise _Cancelled
        child = f'{rel}/{entry.name}'
        try:
            if verdict == EPHEMERAL and self._plain is not None and entry.is_file(follow_symlinks=False):
                return self._plain_file(dir_fd, entry, child, result)
            st = entry.stat(follow_symlinks=False)
            return self._entry(dir_fd, entry.name, st, child, verdict, result)
        except FileNotFoundError:
            return True  # removed by someone else meanwhile
        except RecursionError:
            result.failures.append(Failure(child, 'nested too deeply to walk', 'remove it by hand'))
        except OSError as e:
            result.failures.append(Failure(child, fdops.describe(e), fdops.hint(e)))
        return False

    def _plain_file(self, dir_fd: int, entry: os.DirEntry[str], rel: str, result: ItemResult) -> bool:
        """The common case, kept lean for speed: a regular file in an ephemeral folder, with no
        negated pattern configured, so only a protected pattern can save it."""
        assert self._plain is not None
        if self.venv and rel in self.venv:
            result.kept.append(Kept(rel, VENV_REASON))
            return False
        if self._plain.match(rel):
            result.kept.append(Kept(rel, self._why_protected(rel, is_dir=False)))
            return False
        st = entry.stat(follow_symlinks=False)
        holders = self.open_files.holders.get((st.st_dev, st.st_ino)) if self.open_files.holders else None
        if holders and st.st_nlink == 1 and self._is_log(entry.name):
            return self._truncate(dir_fd, entry.name, st, rel, holders, result)
        return self._unlink(dir_fd, entry.name, st, rel, result)

    def _in_parallel(
        self, dir_fd: int, rel: str, verdict: str | None, subdirs: list[os.DirEntry[str]], result: ItemResult
    ) -> bool:
        """Clear sibling subdirectories on a few threads: unlinkat releases the GIL, and the kernel
        works on different directories at once, which is what lets a purge keep up with rm -rf."""
        from concurrent.futures import ThreadPoolExecutor

        def work(entry: os.DirEntry[str]) -> tuple[bool, ItemResult]:
            self._local.worker = True
            part = ItemResult(result.rel, result.kind)
            return self._one(dir_fd, entry, rel, verdict, part), part

        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix='guard-clear')
        try:
            outcomes = list(pool.map(work, subdirs))
        except BaseException:
            self._cancelled.set()  # Ctrl-C / SIGTERM: let running workers stop at their next entry
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        for _gone, part in outcomes:
            result.merge(part)
        return all(gone for gone, _part in outcomes)

    def _entry(
        self, dir_fd: int, name: str, st: os.stat_result, rel: str, parent_verdict: str | None, result: ItemResult
    ) -> bool:
        """Clear one entry; True when it is gone (or would be, in plan mode)."""
        is_dir = stat.S_ISDIR(st.st_mode)
        # A symlink is judged by what it names (`logs -> /var/log/app` is the logs/ folder), but
        # is never followed by anything that acts.
        as_dir = is_dir or (stat.S_ISLNK(st.st_mode) and _names_a_dir(dir_fd, name))
        verdict = self.matcher.child(parent_verdict, rel, is_dir=as_dir)
        if self.venv and rel in self.venv:
            result.kept.append(Kept(rel, VENV_REASON))
            return False
        if verdict == PROTECTED:
            result.kept.append(Kept(rel, self._why_protected(rel, is_dir=as_dir)))
            return False
        if verdict is None and not is_dir:
            result.kept.append(Kept(rel, 'excluded from the ephemeral patterns (!pattern)'))
            return False
        if is_dir:
            return self._subdir(dir_fd, name, rel, verdict, result)
        if stat.S_ISLNK(st.st_mode):
            return self._link(dir_fd, name, rel, result)
        if stat.S_ISREG(st.st_mode) and self._is_log(name):
            holders = self.open_files.held_by(st.st_dev, st.st_ino)
            if holders and st.st_nlink == 1:
                return self._truncate(dir_fd, name, st, rel, holders, result)
        return self._unlink(dir_fd, name, st, rel, result)

    def _subdir(self, dir_fd: int, name: str, rel: str, verdict: str | None, result: ItemResult) -> bool:
        sub_fd = self._open_subdir(dir_fd, name, rel, result)
        if sub_fd is None:
            return False
        try:
            empty = self._clear_dir(sub_fd, rel, verdict, result)
        finally:
            os.close(sub_fd)
        if empty and self.act:
            try:
                os.rmdir(name, dir_fd=dir_fd)
            except FileNotFoundError:
                pass
            except OSError as e:
                if e.errno != errno.ENOTEMPTY:
                    raise
                result.failures.append(Failure(rel, fdops.describe(e), fdops.hint(e)))
                return False
        return empty

    def _link(self, dir_fd: int, name: str, rel: str, result: ItemResult) -> bool:
        reason = link_refusal(self.root, rel, self.matcher)
        if reason:
            result.kept.append(Kept(rel, reason + '; the link was left in place'))
            return False
        if self.act:
            os.unlink(name, dir_fd=dir_fd)  # unlinkat never follows the link
            self._removed(rel, 0, 'removed')
        result.files += 1
        return True

    def _unlink(self, dir_fd: int, name: str, st: os.stat_result, rel: str, result: ItemResult) -> bool:
        size = disk_usage(st)
        if self.act:
            os.unlink(name, dir_fd=dir_fd)
            self._removed(rel, size, 'removed')
        result.files += 1
        result.bytes += size
        if self.open_files.holders and stat.S_ISREG(st.st_mode):
            holders = self.open_files.held_by(st.st_dev, st.st_ino)
            if holders:
                result.held_open.append(HeldOpen(rel, size, holders))
        return True

    def _truncate(
        self, dir_fd: int, name: str, st: os.stat_result, rel: str, holders: tuple[str, ...], result: ItemResult
    ) -> bool:
        if not self._same_mount_file(dir_fd, name):
            # A file bind-mounted onto a log is another filesystem's file: truncating it in place
            # would empty a file outside the root (finding 01). Left whole, like a mounted folder.
            result.kept.append(Kept(rel, 'another filesystem (a file mounted here); guard does not cross into it'))
            return False
        size = logs.truncate(dir_fd, name, st) if self.act else disk_usage(st)
        if self.act:
            self._removed(rel, size, 'truncated')
        result.truncated.append(Truncated(rel, size, holders))
        result.files += 1  # emptied in place: the plan and the report count it as a file cleared
        result.bytes += size
        return False  # the file stays, empty, for the service that writes to it

    def _same_mount_file(self, dir_fd: int, name: str) -> bool:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
        try:
            return ownfiles.same_mount(fd, self.root_dev, self.root_mnt)
        finally:
            os.close(fd)

    def _removed(self, rel: str, size: int, outcome: str) -> None:
        if self.on_removed is not None:
            self.on_removed(rel, size, outcome)

    def _rotate_logs(self, dir_fd: int, rel: str, entries: list[os.DirEntry[str]], result: ItemResult) -> set[str]:
        """keep-rotated: shift old copies, copy or move each log to .1; the names that stay."""
        by_name = {e.name: e for e in entries}
        current = [
            e.name
            for e in entries
            if self._is_log(e.name)
            and e.is_file(follow_symlinks=False)
            and not _is_copy_of_present_log(e.name, by_name)
        ]
        skip: set[str] = set()
        for rotation in logs.plan_rotations(current, set(by_name), self.keep_rotated):
            try:
                skip |= self._rotate_one(dir_fd, rel, rotation, by_name, result)
            except OSError as e:
                result.failures.append(Failure(f'{rel}/{rotation.log}', fdops.describe(e), fdops.hint(e)))
                skip |= {rotation.log, *rotation.kept, *rotation.unlink}
        return skip

    def _rotate_one(
        self, dir_fd: int, rel: str, rotation: logs.Rotation, by_name: dict[str, os.DirEntry[str]], result: ItemResult
    ) -> set[str]:
        for name in rotation.unlink:
            self._unlink(dir_fd, name, by_name[name].stat(follow_symlinks=False), f'{rel}/{name}', result)
        if self.act:
            for old, new in rotation.shifts:
                fdops.rename_noreplace(dir_fd, old, dir_fd, new)
        st = by_name[rotation.log].stat(follow_symlinks=False)
        holders = self.open_files.held_by(st.st_dev, st.st_ino)
        copy = f'{rotation.log}.1'
        if holders and st.st_nlink == 1:
            if self.act:
                logs.copy_then_truncate(dir_fd, rotation.log, copy, st)
                self._removed(f'{rel}/{rotation.log}', 0, 'truncated')  # the copy keeps its bytes
            result.truncated.append(Truncated(f'{rel}/{rotation.log}', disk_usage(st), holders, copy=f'{rel}/{copy}'))
            result.files += 1  # its bytes are not counted: the copy keeps them
        elif self.act:
            fdops.rename_noreplace(dir_fd, rotation.log, dir_fd, copy)
        kept = [copy, *(new for _, new in reversed(rotation.shifts))]
        result.kept.extend(
            Kept(f'{rel}/{name}', f'rotated copy kept (keep-rotated = {self.keep_rotated})') for name in kept
        )
        return {rotation.log, *rotation.kept, *rotation.unlink}


def _is_copy_of_present_log(name: str, by_name: dict[str, os.DirEntry[str]]) -> bool:
    rotated = logs.rotated_index(name)
    return rotated is not None and rotated[0] in by_name


def _names_a_dir(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        return False


def _is_quarantine(dir_fd: int) -> bool:
    """Whether the directory is one of guard's quarantines: a regular manifest.json (no link
    followed) holding a JSON object with a manifest's fields. Only ever keeps more."""
    import json

    try:
        fd = os.open(MANIFEST_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        data = json.loads(os.read(fd, 1 << 20))
    except (OSError, ValueError):
        return False
    finally:
        os.close(fd)
    return isinstance(data, dict) and {'id', 'root', 'entries'} <= data.keys()


def _has_entry(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return 'link'
    return 'dir' if stat.S_ISDIR(mode) else 'file'


def _glob_regex(globs: tuple[str, ...]) -> re.Pattern[str]:
    import fnmatch

    return re.compile('|'.join(fnmatch.translate(g) for g in globs) or r'(?!x)x', re.DOTALL)
