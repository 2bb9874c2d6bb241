"""Signal wake-up: handlers only write a byte to a socketpair; the main loop `select`s on it.

SIGTERM and SIGINT become TerminateRequest, SIGHUP ReloadRequest, raised in the main loop where
it is safe to act on them (as nobodd does); the observer's thread wakes the loop the same way
when changes arrive. https://github.com/waveform80/nobodd
"""

from __future__ import annotations

import contextlib
import select
import signal
import socket
from collections.abc import Callable
from collections.abc import Iterator
from types import FrameType
from typing import Protocol

WAKE_EVENTS, WAKE_RELOAD, WAKE_TERMINATE = b'E', b'H', b'T'


class TerminateRequest(Exception):
    def __init__(self, returncode: int = 0) -> None:
        super().__init__(returncode)
        self.returncode = returncode


class ReloadRequest(Exception):
    pass


class Wakeable(Protocol):
    def wake(self, byte: bytes = ...) -> None: ...


class Wakeup:
    def __init__(self) -> None:
        self._read, self._write = socket.socketpair()
        for sock in (self._read, self._write):
            sock.setblocking(False)

    def wake(self, byte: bytes = WAKE_EVENTS) -> None:
        with contextlib.suppress(OSError):  # a full socket already holds a wake-up
            self._write.send(byte)

    def wait(self, timeout: float) -> None:
        """Return after `timeout` seconds or a wake-up; raise what a signal asked for."""
        readable, _, _ = select.select([self._read], [], [], timeout)
        if not readable:
            return
        try:
            data = self._read.recv(4096)
        except BlockingIOError:
            return
        if WAKE_TERMINATE in data:
            raise TerminateRequest(0)
        if WAKE_RELOAD in data:
            raise ReloadRequest()

    def close(self) -> None:
        self._read.close()
        self._write.close()


def _handler(target: Wakeable, byte: bytes) -> Callable[[int, FrameType | None], None]:
    def handle(_signum: int, _frame: FrameType | None) -> None:
        target.wake(byte)

    return handle


@contextlib.contextmanager
def signal_handlers(target: Wakeable) -> Iterator[None]:
    """SIGTERM, SIGINT -> terminate, SIGHUP -> reload; each handler only wakes the main loop.
    Enter it in the main thread (where Python runs handlers); the loop may run in another."""
    wanted = {signal.SIGTERM: WAKE_TERMINATE, signal.SIGINT: WAKE_TERMINATE, signal.SIGHUP: WAKE_RELOAD}
    previous = {}
    for signum, byte in wanted.items():
        previous[signum] = signal.signal(signum, _handler(target, byte))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
