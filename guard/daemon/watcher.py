"""The observer: which folders are watched, with inotify when it can serve and polling when not.

The root is watched on its own (its entries: a venv, an env file); each folder holding log paths
recursively. `sync()` re-arms the observer whenever that set changes (a logs/ folder appears, the
root comes back) or an emitter has died (its folder was deleted), so watching resumes by itself; a
folder that moves while it is armed is looked at again, never a crash.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from guard.daemon.policy import watch_dirs

_JOIN_TIMEOUT = 2.0
# Only what changes a path: no opened/closed events, and no "folder modified" echo of every create
# (watchdog queues events without bound, so under a storm every kind left out is memory saved).
_EVENT_TYPES = (
    'FileCreatedEvent',
    'FileDeletedEvent',
    'FileModifiedEvent',
    'FileMovedEvent',
    'DirCreatedEvent',
    'DirDeletedEvent',
    'DirMovedEvent',
    'EventsLostEvent',
)
POLL_INTERVAL = 1.0
# What adding a watch meets when its folder moved under it: gone, now a file, now a link.
_GONE = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)
_TRIES = 3


class Watcher:
    """Owns one observer at a time. `polling` says why inotify could not serve ('' when it does)."""

    def __init__(self, root: Path, handler: FileSystemEventHandler, log_paths: tuple[str, ...]) -> None:
        self.root = root
        self.handler = handler
        self.log_paths = log_paths
        self.polling = ''
        self.rearmed = 0
        self._observer: BaseObserver | None = None
        self._watched: tuple[tuple[str, bool], ...] = ()

    def sync(self) -> bool:
        """Start, or restart, the observer when what should be watched changed; True when it did."""
        wanted = self._wanted()
        if self._observer is not None and wanted == self._watched and self._alive():
            return False
        self.stop()
        for _ in range(_TRIES):
            if not wanted:
                break
            try:
                self._observer = self._start(wanted)
            except OSError as e:
                # A folder renamed, deleted or swapped for a link while the watches were added
                # (issue 16b, finding 17): a change to sweep, not a crash. Look at the tree again;
                # when it keeps moving, no observer this round: the next sync (each sweep) tries anew.
                if e.errno not in _GONE:
                    raise
                wanted = self._wanted()
                continue
            self.rearmed += 1
            break
        self._watched = wanted
        return True

    def stop(self) -> None:
        if self._observer is None:
            return
        self._observer.stop()
        self._observer.join(_JOIN_TIMEOUT)
        _release(self._observer)
        self._observer = None

    @property
    def observer(self) -> BaseObserver | None:
        return self._observer

    def _alive(self) -> bool:
        observer = self._observer
        return observer is not None and observer.is_alive() and all(e.is_alive() for e in observer.emitters)

    def _wanted(self) -> tuple[tuple[str, bool], ...]:
        if not self.root.is_dir():
            return ()
        dirs: dict[str, bool] = {os.fspath(self.root): False}
        from guard.health.logs import within_root

        for rel in watch_dirs(self.log_paths):
            if rel and not os.path.isabs(rel) and not within_root(os.fspath(self.root), rel, set()):
                continue  # a link or `..` on the way: the log path leads out of the root (issue 16, finding 6)
            path = self.root / rel if rel else self.root
            if path.is_dir() and not path.is_symlink():
                dirs[os.fspath(path)] = True
            elif path.is_file() and path.parent.is_dir():
                dirs.setdefault(os.fspath(path.parent), False)
        # A recursive watch of a folder covers the watches below it.
        recursive = [p for p, r in dirs.items() if r]
        return tuple(
            sorted((p, r) for p, r in dirs.items() if not any(p != q and p.startswith(q + os.sep) for q in recursive))
        )

    def _start(self, wanted: tuple[tuple[str, bool], ...]) -> BaseObserver:
        if not self.polling:
            from watchdog.observers.inotify import InotifyObserver

            try:
                return self._scheduled(InotifyObserver(), wanted)
            except OSError as e:
                if e.errno not in (errno.ENOSPC, errno.EMFILE, errno.ENFILE, errno.ENOSYS, errno.EPERM):
                    raise
                self.polling = f'inotify unavailable ({os.strerror(e.errno)}); see fs.inotify.max_user_watches'
        from watchdog.observers.polling import PollingObserver

        return self._scheduled(PollingObserver(timeout=POLL_INTERVAL), wanted)

    def _scheduled(self, observer: BaseObserver, wanted: tuple[tuple[str, bool], ...]) -> BaseObserver:
        try:
            for path, recursive in wanted:
                observer.schedule(self.handler, path, recursive=recursive, event_filter=_event_filter())
            observer.start()
        except BaseException:
            observer.stop()
            if observer.is_alive():
                observer.join(_JOIN_TIMEOUT)
            _release(observer)
            raise
        return observer


def _release(observer: BaseObserver) -> None:
    """Close what a stopped observer's inotify reader left open. watchdog (7.1) starts the reader when the first
    folder is scheduled; stopped before the reader's first read (a folder gone while watches were added: each
    re-arm in a tree that keeps moving), it never closes its inotify descriptor and wake-up pipe. A daemon that
    re-arms for days ran out of inotify instances (fs.inotify.max_user_instances, 128) and fell back to polling.
    Those descriptors are still open exactly when the reader has ended, closed, still marked as reading."""
    reader = getattr(observer, '_inotify_fd', None)
    if reader is None or reader.is_alive():
        return
    if getattr(reader, '_closed', False) and getattr(reader, '_is_reading', False):
        reader._is_reading = False
        reader._close_resources()


def _event_filter() -> list[type]:
    from watchdog import events

    return [getattr(events, name) for name in _EVENT_TYPES if hasattr(events, name)]
