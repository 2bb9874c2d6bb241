"""The journal sink: systemd-python's journal.send with PRIORITY and GUARD_* fields.

Without systemd-python, or with no journald listening, it writes one line per alert to stderr
with the `<N>` syslog priority prefix; journald reads that prefix from a service's stderr
(SyslogLevelPrefix=, on by default), so the daemon's alerts keep their priority there too.
https://www.freedesktop.org/software/systemd/man/latest/sd-daemon.html
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable
from typing import Any
from typing import TextIO

from guard.alerts.model import Alert
from guard.alerts.model import Delivery

NAME = 'journal'
# libsystemd silently drops what it sends when this socket is missing; check first so
# alerts fall back to stderr instead of vanishing.
JOURNAL_SOCKET = '/run/systemd/journal/socket'
SYSLOG_IDENTIFIER = 'guard'

Send = Callable[..., Any]


class JournalSink:
    """Sends through `send` (systemd.journal.send) when given one, else writes to `stream`."""

    name = NAME

    def __init__(self, *, send: Send | None, stream: TextIO | None = None) -> None:
        self._send = send
        self._stream = stream

    @property
    def route(self) -> str:
        return 'journal' if self._send is not None else 'stderr'

    def deliver(self, alert: Alert) -> Delivery:
        started = time.perf_counter()
        try:
            if self._send is not None:
                self._send(alert.message, **journal_fields(alert))
            else:
                stream = self._stream or sys.stderr
                stream.write(stderr_line(alert))
                stream.flush()
        except (OSError, ValueError) as e:
            return Delivery(NAME, False, f'{self.route}: {e}', seconds=time.perf_counter() - started)
        return Delivery(NAME, True, self.route, seconds=time.perf_counter() - started)


def journal_fields(alert: Alert) -> dict[str, str]:
    """The keyword arguments for journal.send besides MESSAGE."""
    return {'PRIORITY': str(alert.priority), 'SYSLOG_IDENTIFIER': SYSLOG_IDENTIFIER, **alert.fields()}


def stderr_line(alert: Alert) -> str:
    # One line per alert: a newline inside would become a second, unprefixed journal entry.
    message = ' '.join(alert.message.split())
    return f'<{alert.priority}>{message}\n'


def system_send(socket_path: str = JOURNAL_SOCKET) -> Send | None:
    """systemd.journal.send when systemd-python is installed and journald listens, else None."""
    try:
        journal = importlib.import_module('systemd.journal')
    except ImportError:
        return None
    if not os.path.exists(socket_path):
        return None
    send: Send = journal.send
    return send


def open_journal(*, stream: TextIO | None = None, socket_path: str = JOURNAL_SOCKET) -> JournalSink:
    return JournalSink(send=system_send(socket_path), stream=stream)
