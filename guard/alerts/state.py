"""The alert state file: what each check of each root is, and what people were last told.

It lives in guard's state directory (one file for every root, keyed by root path) and is held
under an exclusive lock for a whole read-decide-send-write cycle, so `guard health --alert` and
the daemon never both announce the same change. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from guard import ownfiles
from guard.alerts.policy import Entry
from guard.errors import ConfigError
from guard.errors import LockedError
from guard.errors import UnsafeOperationError
from guard.health.result import Status

FILE_NAME = 'alert-state.json'
VERSION = 1
LOCK_TIMEOUT = 30.0


class AlertState:
    """`with AlertState(path) as state:` locks; then load(root) and save(root, entries)."""

    def __init__(self, path: Path, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.warning = ''  # set when an unreadable file had to be started afresh
        self._lock_fd = -1
        self._dir_fd = -1
        self._data: dict[str, Any] = {'version': VERSION, 'roots': {}}

    def __enter__(self) -> AlertState:
        # guard's own state folder, reached without following links (guard.ownfiles).
        try:
            self._dir_fd = ownfiles.open_dir(self.path.parent, create=True)
            self._lock_fd = ownfiles.open_file(
                self._dir_fd, self.path.name + '.lock', os.O_RDWR, shown=f'{self.path}.lock'
            )
        except OSError as e:
            self._close()
            raise ConfigError(f'{self.path.parent}: cannot keep the alert state there: {e.strerror}') from None
        except BaseException:
            self._close()
            raise
        self._acquire(self._lock_fd)
        self._data = self._read()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()  # closing releases the flock

    def _close(self) -> None:
        for fd in (self._lock_fd, self._dir_fd):
            if fd >= 0:
                os.close(fd)
        self._lock_fd = self._dir_fd = -1

    def load(self, root: str) -> dict[str, Entry]:
        raw = self._data['roots'].get(root, {})
        entries = {}
        for name, values in raw.items():
            with contextlib.suppress(KeyError, TypeError, ValueError):
                entries[name] = _entry(values)
        return entries

    def save(self, root: str, entries: Mapping[str, Entry]) -> None:
        self._data['roots'][root] = {name: _values(e) for name, e in sorted(entries.items())}
        text = json.dumps(self._data, indent=1, sort_keys=True)
        try:
            ownfiles.write_atomic(self._dir_fd, self.path.name, text.encode(), 0o600)
        except OSError as e:
            raise ConfigError(f'{self.path}: cannot write the alert state: {e.strerror}') from None

    def _acquire(self, lock_fd: int) -> None:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f'{self.path}: another guard process has held the alert state for {self.lock_timeout:g} s'
                    ) from None
                time.sleep(0.05)

    def _read(self) -> dict[str, Any]:
        try:
            raw = ownfiles.read(self._dir_fd, self.path.name, shown=str(self.path))
            if raw is None:
                return {'version': VERSION, 'roots': {}}
            data = json.loads(raw)
        except (OSError, ValueError, RecursionError, UnsafeOperationError) as e:  # planted or damaged: replaced on save
            self.warning = f'{self.path}: unreadable alert state ({e}); starting afresh'
            return {'version': VERSION, 'roots': {}}
        if not isinstance(data, dict) or not isinstance(data.get('roots'), dict):
            self.warning = f'{self.path}: unexpected alert state layout; starting afresh'
            return {'version': VERSION, 'roots': {}}
        return data


def _entry(values: Mapping[str, Any]) -> Entry:
    return Entry(
        state=Status(values['state']),
        since=float(values['since']),
        count=int(values['count']),
        notified=Status(values['notified']),
        notified_at=_optional(values.get('notified_at')),
        trouble_since=_optional(values.get('trouble_since')),
    )


def _values(entry: Entry) -> dict[str, Any]:
    return {
        'state': entry.state.value,
        'since': entry.since,
        'count': entry.count,
        'notified': entry.notified.value,
        'notified_at': entry.notified_at,
        'trouble_since': entry.trouble_since,
    }


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)
