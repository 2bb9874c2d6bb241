"""A real loopback TCP listener that records every connection and every byte sent to it.

Used where a test must prove guard connected nowhere (or sent nothing secret): a database URL, a
webhook or an audit URL pointed at it from an untrusted file. It answers nothing, so a client
(libpq, urllib) gives up after its own timeout; each connection's bytes are kept in order. The one
exception: libpq's SSL/GSS encryption requests get PostgreSQL's "N" (not supported), so that libpq
goes on to send its start-up packet (user, database, options), which is what a test inspects.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# PostgreSQL's SSLRequest and GSSENCRequest: length 8, then the magic codes 80877103 and 80877104.
ENCRYPTION_REQUESTS = (b'\x00\x00\x00\x08\x04\xd2\x16\x2f', b'\x00\x00\x00\x08\x04\xd2\x16\x30')


class Listener:
    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._record, args=(conn,), daemon=True).start()

    def _record(self, conn: socket.socket) -> None:
        with self._lock:
            index = len(self.connections)
            self.connections.append(b'')
        conn.settimeout(1.0)
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                with self._lock:
                    self.connections[index] += chunk
                if chunk in ENCRYPTION_REQUESTS:
                    conn.sendall(b'N')
        except OSError:
            pass
        finally:
            conn.close()

    @property
    def received(self) -> bytes:
        with self._lock:
            return b''.join(self.connections)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()
