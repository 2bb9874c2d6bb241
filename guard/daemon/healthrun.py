"""The timed health checks (the database above all) in a worker thread, off the main loop.

A database that hangs holds a check for up to its connect and statement timeouts; the main loop
must keep pinging the watchdog and answer SIGTERM within 2 s meanwhile. The worker only runs
`health.run_checks`; the loop collects the report and dispatches it itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from guard.errors import GuardError
from guard.health.result import CheckResult
from guard.health.result import Status

if TYPE_CHECKING:
    from guard.config import Config


class HealthRun:
    """One run of `run_checks(config, root, only=...)`; `wake` is called when it has finished.

    `root_fd` is the daemon's pinned root: the files the project names (its env file) are read
    through it, never through the path again. The run keeps its own duplicate, closed when it ends,
    so a re-pin in the main loop meanwhile cannot close it under the worker."""

    def __init__(
        self, config: Config, root: Path, only: list[str], wake: Callable[[], None], root_fd: int | None = None
    ) -> None:
        self._config, self._root, self._only, self._wake = config, root, only, wake
        self._root_fd = os.dup(root_fd) if root_fd is not None else None
        self.results: tuple[CheckResult, ...] = ()
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name='guard-watch-health', daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from guard.health import run_checks

        try:
            self.results = run_checks(self._config, self._root, only=self._only, root_fd=self._root_fd).checks
        except GuardError as e:
            self.results = (CheckResult('health', Status.FAIL, '', str(e)),)
        except Exception as e:  # a bug in a check must not end the daemon: report it as a failed check
            self.results = (CheckResult('health', Status.FAIL, '', f'{type(e).__name__}: {e}'),)
        finally:
            if self._root_fd is not None:
                os.close(self._root_fd)
            self.done.set()
            self._wake()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
