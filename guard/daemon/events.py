"""The watchdog handler: each file system event becomes a change record for a path. No decisions.

It runs on the observer's thread, so it only translates and hands over: paths outside the root
and guard's own folders (state, quarantine) are dropped, the rest go to the ChangeBuffer, and the
main loop is woken when the buffer was empty.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent
from watchdog.events import FileSystemEventHandler

from guard.daemon.changes import ROOT
from guard.daemon.changes import ChangeBuffer

# Opening or reading a file changes nothing guard looks at.
_IGNORED_TYPES = frozenset({'opened', 'closed_no_write'})
# watchdog's EventsLostEvent (an inotify queue overflow), where the installed version reports it.
_LOST = 'events_lost'


class ChangeHandler(FileSystemEventHandler):
    """Feeds `buffer` with paths relative to `root`; calls `wake` when the main loop should look."""

    def __init__(
        self, root: Path, buffer: ChangeBuffer, wake: Callable[[], None], *, ignore: tuple[str, ...] = ()
    ) -> None:
        self._root = os.fspath(root)
        self._buffer = buffer
        self._wake = wake
        self._ignore = tuple(ignore) + ('.git',)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _IGNORED_TYPES:
            return
        lost = event.event_type == _LOST
        for path in (event.src_path, getattr(event, 'dest_path', '')):
            rel = self.relative(os.fsdecode(path)) if path else None
            if rel is None or self._ignored(rel):
                continue
            if self._buffer.add(rel, rescan=lost, lost=lost):
                self._wake()

    def relative(self, path: str) -> str | None:
        """`path` relative to the root ('' for the root itself), None when outside it."""
        if path == self._root:
            return ROOT
        if not path.startswith(self._root + os.sep):
            return None
        return path[len(self._root) + 1 :].replace(os.sep, '/')

    def _ignored(self, rel: str) -> bool:
        return any(rel == own or rel.startswith(own + '/') for own in self._ignore)
