"""The daemon's audit store when it is remote (PostgreSQL for a fleet): local first, then forwarded.

A daemon must not stop, nor act unrecorded, because the fleet's database is down. So everything it
records goes first to a spool, an SQLite store in its own state directory (`audit-spool.db`, opened
like the local store: pinned, no link followed, guard's own). The record is durable before the
action starts, as `guard.safety.record` requires. Each finished record (or one whose process died)
is then forwarded to the remote store and removed from the spool; while the remote store is
unreachable, forwarding is retried every RETRY_SECONDS and `check()` reports an `audit` check that
fails, naming how many records wait.

Forwarding is idempotent: each forwarded event carries its spool key (`spool_id` in its detail,
plus host, pid and start time), and an event already in the remote store is not inserted again,
so a crash between the remote commit and the spool delete loses and doubles nothing.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guard.audit import AuditRecord
from guard.audit import AuditStore
from guard.errors import AuditError
from guard.health.result import CheckResult
from guard.health.result import Status

RETRY_SECONDS = 5.0
SPOOL_NAME = 'audit-spool.db'
BATCH = 200


class SpoolingStore(AuditStore):
    """An AuditStore on the local spool that forwards to the remote store at `url`."""

    url: str
    _remote: AuditStore | None
    _down: str
    _retry_at: float
    _forward_lock: threading.Lock

    @classmethod
    def open_spooling(cls, url: str, state_dir: Path) -> SpoolingStore:
        """AuditError at once for a URL that is not one or has no driver (a mistake to fix, not an
        outage to ride out); a store that is only unreachable is retried."""
        from guard.audit import _engine

        engine, _label = _engine(url)
        engine.dispose()
        store = cls.open_local(state_dir, SPOOL_NAME)
        assert isinstance(store, SpoolingStore)
        store.url = url
        store._remote = None
        store._down = ''
        store._retry_at = 0.0
        store._forward_lock = threading.Lock()
        store.forward()
        return store

    # Writes go to the spool (AuditStore's own methods, on the spool's engine); finished ones move on.

    def begin(
        self, kind: str, root: str | Path, *, trigger: str = 'manual', detail: Mapping[str, Any] | None = None
    ) -> int:
        return super().begin(kind, root, trigger=trigger, detail={**(detail or {}), 'spool_id': uuid.uuid4().hex})

    def finish(
        self,
        event_id: int,
        outcome: str,
        *,
        paths: Iterable[tuple[str, int, str]] = (),
        bytes: int = 0,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        super().finish(event_id, outcome, paths=paths, bytes=bytes, detail=detail)
        self.forward()

    def record(
        self, kind: str, root: str | Path, *, trigger: str, outcome: str, detail: Mapping[str, Any] | None = None
    ) -> int:
        event_id = super().record(
            kind, root, trigger=trigger, outcome=outcome, detail={**(detail or {}), 'spool_id': uuid.uuid4().hex}
        )
        self.forward()
        return event_id

    def history(self, *, limit: int = 50, kind: str | None = None, root: str | None = None) -> list[AuditRecord]:
        """The remote store's history when it can be reached (after forwarding), else the spool's."""
        self.forward()
        if self._remote is not None:
            try:
                return self._remote.history(limit=limit, kind=kind, root=root)
            except AuditError as e:
                self._went_down(e)
        return super().history(limit=limit, kind=kind, root=root)

    def close(self) -> None:
        if getattr(self, '_remote', None) is not None:
            assert self._remote is not None
            self._remote.close()
            self._remote = None
        super().close()

    # -- forwarding -------------------------------------------------------------------------------------

    def waiting(self) -> int:
        """How many records the spool holds (finished or not)."""
        from sqlalchemy import func
        from sqlalchemy import select

        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(self._events)).scalar() or 0)

    def forward(self, *, force: bool = False) -> None:
        """Move every finished spooled record to the remote store, oldest first; never raises for
        an unreachable store (it is retried after RETRY_SECONDS, or now with `force`)."""
        if not self._forward_lock.acquire(blocking=False):
            return  # another thread is forwarding
        try:
            if self._remote is None:
                if not force and time.monotonic() < self._retry_at:
                    return
                try:
                    self._remote = AuditStore.open_url(self.url)
                except AuditError as e:
                    self._went_down(e)
                    return
            while self._forward_batch():
                pass
            self._down = ''
        except AuditError as e:
            self._went_down(e)
        finally:
            self._forward_lock.release()

    def _forward_batch(self) -> bool:
        """Forward up to BATCH finished records; True when there may be more."""
        from sqlalchemy import select

        assert self._remote is not None
        e, p = self._events.c, self._paths.c
        with self._engine.connect() as conn:
            rows: list[dict[str, Any]] = [
                dict(r) for r in conn.execute(select(self._events).order_by(e.id).limit(BATCH)).mappings().all()
            ]
            done = [r for r in rows if r['outcome'] != 'running' or _gone(r)]
            paths: dict[int, list[tuple[str, int, str]]] = {int(r['id']): [] for r in done}
            if done:
                query = select(p.event_id, p.path, p.bytes, p.outcome).where(p.event_id.in_(list(paths))).order_by(p.id)
                for path_row in conn.execute(query):
                    paths[int(path_row.event_id)].append((path_row.path, path_row.bytes, path_row.outcome))
        for event in done:
            spool_id = int(event.pop('id'))
            if event['outcome'] == 'running':
                event['outcome'] = 'interrupted'  # its process is gone; it cannot finish it any more
            self._remote.import_event(event, paths[spool_id])
            self._delete(spool_id)
        return len(rows) == BATCH and len(done) == len(rows)

    def _delete(self, event_id: int) -> None:
        def write() -> None:
            with self._engine.begin() as conn:
                conn.execute(self._paths.delete().where(self._paths.c.event_id == event_id))
                conn.execute(self._events.delete().where(self._events.c.id == event_id))

        self._guarded(write, 'write to')

    def _went_down(self, error: AuditError) -> None:
        self._down = str(error)
        self._retry_at = time.monotonic() + RETRY_SECONDS
        if self._remote is not None:
            self._remote.close()
            self._remote = None

    def check(self) -> CheckResult:
        """The `audit` check: fails while the remote store is unreachable and records wait locally."""
        self.forward()
        if not self._down:
            return CheckResult('audit', Status.OK, self.url_label(), '')
        try:
            count = self.waiting()
        except AuditError:
            count = -1
        held = f'{count} record(s) kept' if count >= 0 else 'records kept'
        return CheckResult(
            'audit',
            Status.FAIL,
            self.url_label(),
            f'{self._down}; {held} in {self._label.removeprefix("sqlite:///")} until it is back',
        )

    def url_label(self) -> str:
        from guard.audit import scrub

        return str(scrub(self.url))


def _gone(row: Mapping[str, Any]) -> bool:
    from guard.audit import owner_gone

    return owner_gone(row['host'], row['pid'], row['pid_start'])
