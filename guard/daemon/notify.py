"""sd_notify: tell the service manager READY, STATUS, RELOADING, STOPPING and WATCHDOG.

systemd-python's `systemd.daemon.notify` when it is installed; otherwise a small sender that
writes one datagram to $NOTIFY_SOCKET itself (an `@` name is an abstract socket). Without
NOTIFY_SOCKET every call is a no-op, so `guard watch` runs the same in a terminal.
https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html
"""

from __future__ import annotations

import importlib
import os
import socket
import time
from collections.abc import Callable
from collections.abc import Mapping

Send = Callable[[str], bool]


def builtin_send(state: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send `state` to $NOTIFY_SOCKET; False when there is none to send to."""
    address = (os.environ if environ is None else environ).get('NOTIFY_SOCKET', '')
    if not address:
        return False
    if address[0] == '@':
        address = '\0' + address[1:]
    # Non-blocking: a manager that stopped reading fails the send (counted) instead of stalling the loop.
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK) as sock:
        sock.connect(address)
        sock.sendall(state.encode())
    return True


def _systemd_send() -> Send | None:
    try:
        daemon = importlib.import_module('systemd.daemon')
    except ImportError:
        return None
    notify: Send = daemon.notify
    return notify


class Notifier:
    """The daemon's end of the protocol. A failed send is counted, never raised: a service manager
    that went away must not stop the daemon from doing its job."""

    def __init__(self, *, send: Send | None = None, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._send = send or _systemd_send() or builtin_send
        self.failures = 0
        self.last_status = ''

    def notify(self, state: str) -> bool:
        from guard.printable import printable_lines

        try:
            # STATUS= may name the root, whose name may hold any byte: a UTF-8 message, one line per field.
            return bool(self._send(printable_lines(state)))
        except OSError:
            self.failures += 1
            return False

    def ready(self, status: str) -> None:
        self.last_status = status
        self.notify(f'READY=1\nSTATUS={status}')

    def status(self, status: str) -> None:
        if status != self.last_status:
            self.last_status = status
            self.notify(f'STATUS={status}')

    def reloading(self) -> None:
        # systemd (>= 253) matches RELOADING=1 to the reload job by this timestamp.
        self.notify(f'RELOADING=1\nMONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}')

    def stopping(self) -> None:
        self.notify('STOPPING=1')

    def watchdog(self) -> None:
        self.notify('WATCHDOG=1')

    def watchdog_period(self) -> float | None:
        """Seconds between WATCHDOG=1 pings (half of WATCHDOG_USEC), or None when not asked for
        or when WATCHDOG_PID names another process (the variable was inherited)."""
        usec = self._environ.get('WATCHDOG_USEC', '')
        pid = self._environ.get('WATCHDOG_PID', '')
        if not usec.isdigit() or int(usec) == 0:
            return None
        if pid and (not pid.isdigit() or int(pid) != os.getpid()):
            return None
        return int(usec) / 2 / 1_000_000
