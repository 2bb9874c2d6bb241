"""Recording one purge, clean or restore in the audit store, without letting the store stop it.

The row is written ('running') before anything is touched. If that write fails (a full disk is a
common reason to purge), the operation still runs and the row is written at the end, once space
is back; an exception or an interrupt closes the row as 'failed' or 'interrupted'.
"""
from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from typing import Any

from guard.errors import AuditError

if TYPE_CHECKING:
    from guard.audit import AuditStore

MAX_PATH_ROWS = 2000


class Recorder:
    """Context manager around one audited operation; `event_id` / `error` tell how recording went."""

    def __init__(self, audit: AuditStore | None, kind: str, root: Path, trigger: str,
                 detail: Mapping[str, Any]) -> None:
        self.audit = audit
        self.kind = kind
        self.root = root
        self.trigger = trigger
        self.detail = dict(detail)
        self.event_id: int | None = None
        self.error: str | None = None
        self._finished = False

    def __enter__(self) -> Recorder:
        if self.audit is not None:
            try:
                self.event_id = self.audit.begin(self.kind, self.root, trigger=self.trigger, detail=self.detail)
            except AuditError as e:
                self.error = str(e)
        return self

    def finish(self, outcome: str, paths: Sequence[tuple[str, int, str]], bytes: int,
               detail: Mapping[str, Any]) -> None:
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

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None or self._finished or self.audit is None or self.event_id is None:
            return
        interrupted = issubclass(exc_type, (KeyboardInterrupt, SystemExit))
        message = str(exc).splitlines()[0] if exc and str(exc) else exc_type.__name__
        try:
            self.audit.finish(self.event_id, 'interrupted' if interrupted else 'failed', detail={'error': message})
        except AuditError:
            pass  # the original exception matters more; the row stays 'running' and reads as interrupted
