"""The sd_notify protocol, asserted on a real AF_UNIX datagram socket set as NOTIFY_SOCKET, with the
daemon a real process: READY (after the observer started), STATUS, WATCHDOG at half of
WATCHDOG_USEC, RELOADING with MONOTONIC_USEC then READY, STOPPING."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import time
from pathlib import Path

import pytest
from daemon_harness import Daemon
from daemon_harness import NotifySocket
from daemon_harness import Setup
from daemon_harness import no_thread_leaks

from guard.daemon.notify import Notifier
from guard.daemon.notify import builtin_send

WATCHDOG_USEC = 400_000


@pytest.fixture(autouse=True)
def _no_thread_leaks():  # type: ignore[no-untyped-def]
    yield from no_thread_leaks()


@pytest.fixture
def manager(tmp_path: Path):  # type: ignore[no-untyped-def]
    sock = NotifySocket(tmp_path / 'notify.sock')
    yield sock
    sock.close()


def _lines(message: str) -> dict[str, str]:
    return dict(line.split('=', 1) for line in message.splitlines())


def test_ready_status_watchdog_reloading_stopping(tmp_path: Path, manager: NotifySocket) -> None:
    setup = Setup(tmp_path)
    env = {'NOTIFY_SOCKET': manager.path, 'WATCHDOG_USEC': str(WATCHDOG_USEC)}
    with Daemon(setup, env=env, shell_pid_var='WATCHDOG_PID') as daemon:
        first = manager.until('READY=1', 30)
        ready, pid, _at = first[-1]
        assert pid == daemon.pid
        assert _lines(ready)['STATUS'].startswith(f'watching {setup.root}: ')
        assert not [m for m, _p, _t in first[:-1] if 'READY=1' in m]
        # The observer runs by now: a venv created right after READY is seen.
        os.mkdir(setup.root / 'bin')
        (setup.root / 'pyvenv.cfg').write_text('home = /usr/bin\n')
        pings = []
        while len(pings) < 6:
            message, pid, at = manager.receive(5)
            assert pid == daemon.pid
            if message == 'WATCHDOG=1':
                pings.append(at)
        gaps = [b - a for a, b in zip(pings, pings[1:], strict=False)]
        # Half of WATCHDOG_USEC: never so late that systemd would kill it, never a busy loop.
        assert max(gaps) < WATCHDOG_USEC / 1e6, gaps
        assert min(gaps) > WATCHDOG_USEC / 1e6 / 8, gaps

        daemon.signal(signal.SIGHUP)
        before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        reloading = manager.until('RELOADING=1', 5)[-1][0]
        stamp = int(_lines(reloading)['MONOTONIC_USEC'])
        assert abs(stamp - before) < 5_000_000  # the same clock as systemd's, near now
        assert 'READY=1' in manager.until('READY=1', 5)[-1][0]

        daemon.signal(signal.SIGTERM)
        assert manager.until('STOPPING=1', 5)[-1][0] == 'STOPPING=1'
        assert daemon.process.wait(2) == 0


def test_status_line_reports_a_failing_check(tmp_path: Path, manager: NotifySocket) -> None:
    setup = Setup(tmp_path)
    with Daemon(setup, env={'NOTIFY_SOCKET': manager.path}) as daemon:
        manager.until('READY=1', 30)
        (setup.root / 'pyvenv.cfg').write_text('home = /usr/bin\n')
        status = manager.until('STATUS=', 5)[-1][0]
        assert _lines(status)['STATUS'].startswith(f'watching {setup.root}: failing: pollution;')
        assert '\n' not in _lines(status)['STATUS']
        assert daemon.stop() == 0


def test_no_ready_when_startup_fails(tmp_path: Path, manager: NotifySocket) -> None:
    setup = Setup(tmp_path)
    setup.root.rename(tmp_path / 'elsewhere')
    with Daemon(setup, env={'NOTIFY_SOCKET': manager.path}) as daemon:
        assert daemon.process.wait(30) == 1
    manager.sock.settimeout(0.2)
    with pytest.raises(socket.timeout):
        manager.sock.recv(4096)


def test_watchdog_only_for_the_process_named_by_watchdog_pid() -> None:
    own = Notifier(send=lambda _s: True, environ={'WATCHDOG_USEC': '3000000', 'WATCHDOG_PID': str(os.getpid())})
    assert own.watchdog_period() == 1.5
    inherited = Notifier(send=lambda _s: True, environ={'WATCHDOG_USEC': '3000000', 'WATCHDOG_PID': '1'})
    assert inherited.watchdog_period() is None
    assert Notifier(send=lambda _s: True, environ={}).watchdog_period() is None


def test_builtin_sender_reaches_an_abstract_socket() -> None:
    name = f'guard-test-{secrets.token_hex(6)}'
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind('\0' + name)
        server.settimeout(5)
        assert builtin_send('WATCHDOG=1', {'NOTIFY_SOCKET': '@' + name}) is True
        assert server.recv(4096) == b'WATCHDOG=1'
    assert builtin_send('READY=1', {}) is False


def test_a_vanished_manager_socket_is_counted_not_raised(tmp_path: Path) -> None:
    notifier = Notifier(send=lambda s: builtin_send(s, {'NOTIFY_SOCKET': str(tmp_path / 'gone.sock')}))
    assert notifier.notify('READY=1') is False
    assert notifier.failures == 1


def test_a_manager_that_stopped_reading_never_blocks_the_builtin_sender(tmp_path: Path) -> None:
    path = str(tmp_path / 'full.sock')
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        notifier = Notifier(send=lambda s: builtin_send(s, {'NOTIFY_SOCKET': path}))
        sent = [notifier.notify(f'STATUS={n}') for n in range(5000)]  # nobody reads: the queue fills
        assert sent[0] is True and sent[-1] is False
        assert notifier.failures >= 1
