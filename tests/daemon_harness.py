"""Helpers for the daemon tests: `guard watch` as a real process, its config, its alerts, waiting.

Alerts are read from what the command sink writes (alerts.command, set in a `--config FILE`: a
file the operator passes is trusted). Waits are conditions polled until a deadline, never sleeps
whose length is the assertion.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import TypeVar

T = TypeVar('T')
POLL = 0.02


def wait_for(condition: Callable[[], T], timeout: float, what: str) -> T:
    """Poll `condition` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f'timed out after {timeout:g} s waiting for {what}')
        time.sleep(POLL)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return '[' + ', '.join(toml_value(v) for v in value) + ']'
    return json.dumps(str(value))


def write_config(path: Path, top: dict[str, Any], **sections: dict[str, Any]) -> Path:
    lines = [f'{k} = {toml_value(v)}' for k, v in top.items()]
    for name, values in sections.items():
        lines.append(f'[{name}]')
        lines.extend(f'{k} = {toml_value(v)}' for k, v in values.items())
    path.write_text('\n'.join(lines) + '\n')
    return path


class Setup:
    """A temporary root, a state folder, an alert file and a config file tying them together."""

    def __init__(self, tmp_path: Path, **watch: Any) -> None:
        self.tmp = tmp_path
        self.root = tmp_path / 'root'
        self.root.mkdir()
        (self.root / 'logs').mkdir()
        self.state = tmp_path / 'state'
        self.alerts_file = tmp_path / 'alerts.txt'
        self.config_file = tmp_path / 'guard.toml'
        self.health: dict[str, Any] = {'checks': ['disk', 'logs', 'pollution'], 'min-free-disk-mb': 0}
        self.watch: dict[str, Any] = {
            'debounce': 0.1,
            'max-wait': 0.5,
            'sweep-interval': 0.5,
            'health-interval': 60,
            **watch,
        }
        self.purge: dict[str, Any] = {}
        self.write()

    def write(self) -> Path:
        command = f'printf "%s %s %s\\n" "$GUARD_EVENT" "$GUARD_CHECK" "$GUARD_STATE" >> {self.alerts_file}'
        sections = {'health': self.health, 'alerts': {'journal': False, 'command': command}, 'watch': self.watch}
        if self.purge:
            sections['purge'] = self.purge
        return write_config(self.config_file, {'state-dir': str(self.state)}, **sections)

    def alerts(self) -> list[str]:
        try:
            return self.alerts_file.read_text().splitlines()
        except FileNotFoundError:
            return []

    def has_alert(self, line: str) -> bool:
        return line in self.alerts()

    def finished(self, kind: str) -> list[Any]:
        """The audit records of `kind` whose operation has finished (not 'running')."""
        return [r for r in self.audit(kind) if r.outcome != 'running']

    def audit(self, kind: str | None = None) -> list[Any]:
        from guard.audit import AuditStore

        with AuditStore.open_url(f'sqlite:///{self.state / "audit.db"}') as store:
            return store.history(limit=1000, kind=kind, root=str(self.root))


class Daemon:
    """`guard watch ROOT --config FILE` as a real process; stderr goes to a file."""

    def __init__(self, setup: Setup, *, env: dict[str, str] | None = None, shell_pid_var: str = '') -> None:
        self.setup = setup
        self.stderr_path = setup.tmp / f'watch-{secrets.token_hex(4)}.err'
        command = [sys.executable, '-m', 'guard', 'watch', str(setup.root), '--config', str(setup.config_file)]
        if shell_pid_var:
            # `exec` keeps the shell's pid, so $$ is the daemon's pid before it starts (WATCHDOG_PID).
            command = ['/bin/sh', '-c', f'{shell_pid_var}=$$ exec "$@"', 'sh', *command]
        with open(self.stderr_path, 'wb') as stderr:
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=stderr, env={**os.environ, **(env or {})}
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors='replace')

    def wait_ready(self, timeout: float = 30) -> None:
        def started() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f'guard watch exited {self.process.returncode}: {self.stderr()}')
            return ': watching (' in self.stderr()

        wait_for(started, timeout, 'guard watch to start')

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)

    def stop(self, timeout: float = 2.0) -> int:
        """SIGTERM, and the exit code it ends with within `timeout` seconds."""
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f'guard watch did not stop within {timeout:g} s after SIGTERM') from None

    def peak_rss_kib(self) -> int:
        """VmHWM: the most resident memory the process ever used, from /proc."""
        for line in Path(f'/proc/{self.pid}/status').read_text().splitlines():
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
        raise AssertionError('no VmHWM in /proc/PID/status')

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class NotifySocket:
    """The service manager's end: a bound AF_UNIX datagram socket; reports each message and its sender's pid."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)

    def receive(self, timeout: float) -> tuple[str, int | None, float]:
        """(message, sender pid, monotonic time received); fails after `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            data, ancillary, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except TimeoutError:
            raise AssertionError(f'no notify message within {timeout:g} s') from None
        pid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack('iII', payload[:12])[0]
        return data.decode(), pid, time.monotonic()

    def until(self, prefix: str, timeout: float) -> list[tuple[str, int | None, float]]:
        """Every message up to and including the first that contains the line `prefix`."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            message = self.receive(max(0.01, deadline - time.monotonic()))
            seen.append(message)
            if any(line.startswith(prefix) for line in message[0].splitlines()):
                return seen

    def close(self) -> None:
        self.sock.close()


def no_thread_leaks() -> Any:
    """A fixture body: the threads a test started must all have ended (2 s grace) when it ends."""
    before = set(threading.enumerate())
    yield
    wait_for(
        lambda: not [t for t in threading.enumerate() if t not in before and t.is_alive()],
        2.0,
        'the threads the test started to end',
    )
