"""Debounced, coalesced changes: one pending record per path, bounded whatever the storm.

The observer's thread adds paths; the main loop takes the ones that are due. A path is due once
it has been quiet for `debounce` seconds, or `max_wait` after its first change even if it never
goes quiet (a log written continuously). When more than `max_pending` paths wait, they collapse
into "rescan this folder" (and, failing that, "rescan the root"): memory stays bounded, and the
collapse counts as a suspected drop because which files changed is no longer known.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass

ROOT = ''  # the root itself, as a relative path


@dataclass
class _Pending:
    first: float
    last: float
    count: int
    rescan: bool


@dataclass(frozen=True)
class Change:
    """A path (relative to the root, '' for the root) that changed `count` times; `rescan` means
    look at the whole folder: its individual changes were collapsed or lost."""

    rel: str
    rescan: bool
    count: int
    first: float
    last: float


class ChangeBuffer:
    """Thread-safe: `add` from the observer thread, `take_due` and `next_due` from the main loop."""

    def __init__(self, *, max_pending: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_pending = max(2, max_pending)
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._rescans: set[str] = set()
        self._muted: dict[str, float] = {}
        self.events = 0  # every change seen, muted ones included
        self.drops = 0  # collapses and lost-event reports: changes whose paths are no longer known

    def add(self, rel: str, *, rescan: bool = False, lost: bool = False) -> bool:
        """Note a change; True when the buffer was empty before (the main loop needs waking)."""
        now = self._clock()
        with self._lock:
            self.events += 1
            if lost:
                self.drops += 1
            if self._muted and self._is_muted(rel, now):
                return False
            was_empty = not self._pending
            self._note(rel, rescan, now)
            return was_empty

    def mute(self, prefixes: Iterable[str], until: float) -> None:
        """Ignore changes under these paths until `until` (monotonic): the daemon's own actions."""
        prefixes = tuple(prefixes)
        with self._lock:
            now = self._clock()
            self._muted = {p: t for p, t in self._muted.items() if t > now}
            self._muted.update((p, until) for p in prefixes)
            for rel in [r for r in self._pending if any(_under(r, p) for p in prefixes)]:
                self._forget(rel)

    def take_due(self, debounce: float, max_wait: float) -> list[Change]:
        now = self._clock()
        with self._lock:
            due = [rel for rel, p in self._pending.items() if _due_at(p, debounce, max_wait) <= now]
            changes = [self._as_change(rel) for rel in due]
            for rel in due:
                self._forget(rel)
        return changes

    def take_all(self) -> list[Change]:
        with self._lock:
            changes = [self._as_change(rel) for rel in self._pending]
            self._pending.clear()
            self._rescans.clear()
        return changes

    def next_due(self, debounce: float, max_wait: float) -> float | None:
        """Seconds until the first pending path is due (0 when one is), None when nothing waits."""
        with self._lock:
            if not self._pending:
                return None
            first = min(_due_at(p, debounce, max_wait) for p in self._pending.values())
        return max(0.0, first - self._clock())

    def peek(self) -> list[Change]:
        """The pending changes, left in place (the sweep counts them as seen)."""
        with self._lock:
            return [self._as_change(rel) for rel in self._pending]

    def __len__(self) -> int:
        return len(self._pending)

    def _note(self, rel: str, rescan: bool, now: float) -> None:
        covering = self._covering_rescan(rel)
        if covering is not None:
            rel, rescan = covering, True
        pending = self._pending.get(rel)
        if pending is not None:
            pending.last, pending.count = now, pending.count + 1
            pending.rescan = pending.rescan or rescan
        else:
            if len(self._pending) >= self.max_pending:
                self._collapse(rel.rpartition('/')[0], now)
                return
            self._pending[rel] = _Pending(now, now, 1, rescan)
        if rescan:
            self._rescans.add(rel)

    def _collapse(self, folder: str, now: float) -> None:
        """Replace every pending path under `folder` by one rescan of it; the root if that is not enough."""
        self.drops += 1
        under = [r for r in self._pending if _under(r, folder)]
        if len(self._pending) - len(under) >= self.max_pending - 1:
            folder, under = ROOT, list(self._pending)
        first = min((self._pending[r].first for r in under), default=now)
        count = sum(self._pending[r].count for r in under) + 1
        for rel in under:
            self._forget(rel)
        self._pending[folder] = _Pending(first, now, count, True)
        self._rescans.add(folder)

    def _covering_rescan(self, rel: str) -> str | None:
        if not self._rescans:
            return None
        if ROOT in self._rescans:
            return ROOT
        parts = rel.split('/')
        for depth in range(1, len(parts) + 1):
            prefix = '/'.join(parts[:depth])
            if prefix in self._rescans:
                return prefix
        return None

    def _is_muted(self, rel: str, now: float) -> bool:
        return any(t > now and _under(rel, p) for p, t in self._muted.items())

    def _forget(self, rel: str) -> None:
        del self._pending[rel]
        self._rescans.discard(rel)

    def _as_change(self, rel: str) -> Change:
        p = self._pending[rel]
        return Change(rel, p.rescan, p.count, p.first, p.last)


def _due_at(pending: _Pending, debounce: float, max_wait: float) -> float:
    return min(pending.last + debounce, pending.first + max_wait)


def _under(rel: str, folder: str) -> bool:
    return folder == ROOT or rel == folder or rel.startswith(folder + '/')
