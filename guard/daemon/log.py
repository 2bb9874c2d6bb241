"""The daemon's own lines (started, reloaded, an action, a drop): journald fields, or stderr.

The same route as the journal alert sink: systemd.journal.send with GUARD_* fields when
systemd-python is installed and journald listens, else one `<N>message` line on stderr, which
journald reads with its priority when the daemon runs under systemd.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from guard.alerts.journal import SYSLOG_IDENTIFIER
from guard.alerts.journal import system_send

INFO = 6
NOTICE = 5
WARNING = 4
ERR = 3


# logging level -> syslog priority, for the `<N>` prefix journald reads from stderr.
_PRIORITIES = {logging.CRITICAL: 2, logging.ERROR: ERR, logging.WARNING: WARNING, logging.INFO: INFO, logging.DEBUG: 7}


class _PriorityFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = ' '.join(super().format(record).split())
        return f'<{_PRIORITIES.get(record.levelno, WARNING)}>{text}'


def route_library_logging() -> None:
    """Warnings the libraries log (watchdog's "Inotify queue overflowed") go to stderr as one
    prefixed line each, so journald files them with their priority."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PriorityFormatter('guard watch: %(name)s: %(message)s'))
    root_logger = logging.getLogger()
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.WARNING)


class DaemonLog:
    def __init__(self, root: str, *, stream: TextIO | None = None) -> None:
        self._root = root
        self._send = system_send()
        self._stream = stream

    def say(self, priority: int, event: str, message: str, **fields: object) -> None:
        extra = {f'GUARD_{k.upper()}': str(v) for k, v in fields.items()}
        from guard.printable import printable

        # A name in it (the root, a log) may hold any byte: one inert line, in the journal too.
        text = printable(' '.join(f'guard watch {self._root}: {message}'.split()))
        if self._send is not None:
            try:
                self._send(
                    text,
                    PRIORITY=str(priority),
                    SYSLOG_IDENTIFIER=SYSLOG_IDENTIFIER,
                    GUARD_EVENT=event,
                    GUARD_ROOT=printable(self._root),
                    **extra,
                )
                return
            except (OSError, ValueError):
                pass
        stream = self._stream or sys.stderr
        try:
            stream.write(f'<{priority}>{text}\n')
            stream.flush()
        except (OSError, ValueError):
            pass
