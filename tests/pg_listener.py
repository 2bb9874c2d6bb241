"""A loopback listener that speaks just enough of PostgreSQL's start-up protocol to ask the client for
a cleartext password (AuthenticationCleartextPassword), and records what each client sends: the
start-up packet's parameters (user, database, options...) and the password, if any.

So a test can prove which credentials a client would hand a host that a repository picked. It
refuses SSL and GSS encryption ('N') as a server without them does, asks for the password in clear
(libpq answers that request with whatever password it found, from any source), then fails the
login. https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_ENCRYPTION_REQUESTS = (80877103, 80877104)  # SSLRequest, GSSENCRequest
_PROTOCOL_3 = 196608
_CLEARTEXT_PASSWORD = 3


class PgListener:
    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.startups: list[dict[str, str]] = []
        self.passwords: list[bytes] = []
        self.raw = b''
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket, size: int) -> bytes:
        data = b''
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise EOFError
            with self._lock:
                self.raw += chunk
            data += chunk
        return data

    def _talk(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        try:
            while True:
                (size,) = struct.unpack('!i', self._read(conn, 4))
                body = self._read(conn, size - 4)
                (code,) = struct.unpack('!i', body[:4])
                if code in _ENCRYPTION_REQUESTS:
                    conn.sendall(b'N')
                    continue
                if code != _PROTOCOL_3:
                    return
                words = body[4:].split(b'\0')
                params = {words[i].decode(): words[i + 1].decode() for i in range(0, len(words) - 1, 2) if words[i]}
                with self._lock:
                    self.startups.append(params)
                break
            conn.sendall(b'R' + struct.pack('!ii', 8, _CLEARTEXT_PASSWORD))
            kind = self._read(conn, 1)
            (size,) = struct.unpack('!i', self._read(conn, 4))
            message = self._read(conn, size - 4)
            if kind == b'p':
                with self._lock:
                    self.passwords.append(message.rstrip(b'\0'))
            error = b'SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed\0\0'
            conn.sendall(b'E' + struct.pack('!i', len(error) + 4) + error)
        except (EOFError, OSError):
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@contextmanager
def pg_listening() -> Iterator[PgListener]:
    listener = PgListener()
    try:
        yield listener
    finally:
        listener.close()
