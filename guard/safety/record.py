"""Recording one purge, clean or restore in the audit store: first, and as it goes.

- Intent first: the row is written ('running') before anything is touched. When that write fails
  the operation does not start (AuditWriteError, exit 1): nothing is ever deleted unrecorded.
- Progress as it goes: every path removed is told to `progress()`, and written in batches (every
  BATCH paths or BATCH_SECONDS, whichever comes first) with the running totals of files and bytes.
  A SIGKILL therefore leaves a row whose totals lag what was done by at most one batch. A batch
  that cannot be written stops the operation, as the first write would have.
- The end: `finish()` closes the row with the outcome and the per-path summary; an exception or an
  interrupt closes it as 'failed' or 'interrupted' with the totals reached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from typing import Any

from guard.errors import AuditError
from guard.errors import AuditWriteError

if TYPE_CHECKING:
    from guard.audit import AuditStore

MAX_PATH_ROWS = 2000
BATCH = 500
BATCH_SECONDS = 0.5


class Recorder:
    """Context manager around one audited operation; `event_id` / `error` tell how recording went."""

    def __init__(
        self, audit: AuditStore | None, kind: str, root: Path, trigger: str, detail: Mapping[str, Any]
    ) -> None:
        self.audit = audit
        self.kind = kind
        self.root = root
        self.trigger = trigger
        self.detail = dict(detail)
        self.event_id: int | None = None
        self.error: str | None = None
        self.files = 0
        self.bytes = 0
        self._finished = False
        self._lock = threading.Lock()
        self._pending: list[tuple[str, int, str]] = []
        self._rows = 0
        self._unflushed = 0
        self._flushed_at = time.monotonic()

    def __enter__(self) -> Recorder:
        if self.audit is not None:
            try:
                self.event_id = self.audit.begin(self.kind, self.root, trigger=self.trigger, detail=self.detail)
            except AuditError as e:
                raise AuditWriteError(
                    f'{e}; nothing was changed, because guard changes nothing it cannot record first'
                ) from None
        return self

    def progress(self, rel: str, size: int, outcome: str) -> None:
        """One path done (called from the clearing threads)."""
        with self._lock:
            self.files += 1
            self.bytes += size
            if self._rows < MAX_PATH_ROWS:
                self._pending.append((rel, size, outcome))
                self._rows += 1
            self._unflushed += 1
            if self._unflushed >= BATCH or time.monotonic() - self._flushed_at >= BATCH_SECONDS:
                self._flush_locked()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        self._flushed_at = time.monotonic()
        self._unflushed = 0
        if self.audit is None or self.event_id is None:
            self._pending.clear()
            return
        rows, self._pending = self._pending, []
        try:
            self.audit.progress(self.event_id, rows, files=self.files, bytes=self.bytes)
        except AuditError as e:
            raise AuditWriteError(f'{e}; stopped, so that nothing more is changed unrecorded') from None

    def finish(
        self, outcome: str, paths: Sequence[tuple[str, int, str]], bytes: int, detail: Mapping[str, Any]
    ) -> None:
        self._finished = True
        if self.audit is None:
            return
        extra = dict(detail)
        if len(paths) > MAX_PATH_ROWS:
            extra['paths_omitted'] = len(paths) - MAX_PATH_ROWS
            paths = paths[:MAX_PATH_ROWS]
        try:
            if self.event_id is None:
                self.event_id = self.audit.begin(self.kind, self.root, trigger=self.trigger, detail=self.detail)
            self.audit.finish(self.event_id, outcome, paths=paths, bytes=bytes, detail=extra)
            self.error = None
        except AuditError as e:
            self.error = str(e)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None or self._finished or self.audit is None or self.event_id is None:
            return
        interrupted = issubclass(exc_type, (KeyboardInterrupt, SystemExit))
        message = str(exc).splitlines()[0] if exc and str(exc) else exc_type.__name__
        with self._lock:
            rows, self._pending = self._pending, []
        try:
            self.audit.finish(
                self.event_id,
                'interrupted' if interrupted else 'failed',
                paths=rows,
                bytes=self.bytes,
                detail={'error': message, 'done_files': self.files},
            )
        except AuditError:
            pass  # the original exception matters more; the row stays 'running' and reads as interrupted
