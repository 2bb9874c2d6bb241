"""The journal sink: systemd-python's journal.send where installed, `<N>` lines on stderr otherwise."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import trust
from support import write

from guard.alerts.journal import JournalSink
from guard.alerts.journal import journal_fields
from guard.alerts.journal import open_journal
from guard.alerts.journal import stderr_line
from guard.alerts.model import Alert
from guard.health import Status

ALERT = Alert(
    event='problem',
    check='database',
    state=Status.FAIL,
    previous=Status.OK,
    root='/srv/app',
    host='web1',
    detail='postgresql://app:***@db/app: connection refused',
    since=1_700_000_000.0,
    time=1_700_000_060.0,
)
RECOVERY = Alert(
    event='recovery',
    check='disk',
    state=Status.OK,
    previous=Status.WARN,
    root='/srv/app',
    host='web1',
    detail='9.0 GiB free\nof 20 GiB',
    since=1_700_000_000.0,
    time=1_700_000_600.0,
)
FIELDS = {
    'PRIORITY': '3',
    'SYSLOG_IDENTIFIER': 'guard',
    'GUARD_EVENT': 'problem',
    'GUARD_CHECK': 'database',
    'GUARD_STATE': 'fail',
    'GUARD_PREVIOUS': 'ok',
    'GUARD_ROOT': '/srv/app',
    'GUARD_HOST': 'web1',
    'GUARD_DETAIL': 'postgresql://app:***@db/app: connection refused',
    'GUARD_SINCE': '2023-11-14T22:13:20Z',
    'GUARD_PRIORITY': '3',
}
MESSAGE = 'guard web1:/srv/app: database is failing: postgresql://app:***@db/app: connection refused'


def systemd_journal() -> Any:
    return pytest.importorskip('systemd.journal', reason='systemd-python is not installed (pip install guard[systemd])')


def test_systemd_python_path_passes_priority_and_fields() -> None:
    journal = systemd_journal()
    # Documented exception to "no mocks": with no journald on the test machine, journal.send drops
    # what it gets without a trace, so this wrapper records what guard passed and still calls the
    # real journal.send. test_real_journal_protocol below checks the bytes on the wire where it can.
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def recording_send(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return journal.send(*args, **kwargs)

    delivery = JournalSink(send=recording_send).deliver(ALERT)
    assert (delivery.sink, delivery.ok, delivery.detail) == ('journal', True, 'journal')
    assert calls == [((MESSAGE,), FIELDS)]
    assert journal_fields(ALERT) == FIELDS


def test_stderr_fallback_exact_lines() -> None:
    stream = io.StringIO()
    sink = JournalSink(send=None, stream=stream)
    assert [sink.deliver(a).detail for a in (ALERT, RECOVERY)] == ['stderr', 'stderr']
    assert stream.getvalue() == (
        f'<3>{MESSAGE}\n<5>guard web1:/srv/app: disk is healthy again after 10 min warning: 9.0 GiB free of 20 GiB\n'
    )
    assert stderr_line(ALERT) == f'<3>{MESSAGE}\n'


def test_no_journald_socket_means_stderr(tmp_path: Path) -> None:
    stream = io.StringIO()
    sink = open_journal(stream=stream, socket_path=str(tmp_path / 'no-socket'))
    assert sink.route == 'stderr'
    sink.deliver(ALERT)
    assert stream.getvalue() == f'<3>{MESSAGE}\n'


def test_journald_socket_present_means_systemd_python(tmp_path: Path) -> None:
    systemd_journal()
    path = tmp_path / 'socket'
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        assert open_journal(socket_path=str(path)).route == 'journal'


# Runs in a private mount namespace with a tmpfs over /run/systemd: it binds the journal socket
# there, lets guard send through systemd-python, and prints the datagram libsystemd wrote.
CAPTURE = textwrap.dedent("""
    import json, os, socket, sys
    os.makedirs('/run/systemd/journal')
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind('/run/systemd/journal/socket')
    listener.settimeout(10)
    from guard.alerts.journal import open_journal
    from guard.alerts.model import Alert
    from guard.health import Status
    sink = open_journal()
    alert = Alert(**{**json.loads(sys.argv[1]), 'state': Status.FAIL, 'previous': Status.OK})
    delivery = sink.deliver(alert)
    data = listener.recv(65536)
    fields, rest = {}, data
    while rest:
        line, sep, rest = rest.partition(b'\\n')
        if b'=' in line:
            key, _, value = line.partition(b'=')
        else:  # KEY, then a 64-bit little-endian length, then the value (multi-line values)
            size = int.from_bytes(rest[:8], 'little')
            key, value, rest = line, rest[8:8 + size], rest[9 + size:]
        fields[key.decode()] = value.decode()
    print(json.dumps({'route': sink.route, 'ok': delivery.ok, 'fields': fields}))
""")


def test_real_journal_protocol() -> None:
    systemd_journal()
    if subprocess.run(['unshare', '--mount', 'true'], capture_output=True).returncode != 0:
        pytest.skip('unshare --mount is not permitted here (needs root)')
    alert = {k: getattr(ALERT, k) for k in ('event', 'check', 'root', 'host', 'detail', 'since', 'time')}
    script = 'mount -t tmpfs tmpfs /run/systemd && exec "$0" -c "$1" "$2"'
    proc = subprocess.run(
        [
            'unshare',
            '--mount',
            '--propagation',
            'private',
            'sh',
            '-c',
            script,
            sys.executable,
            CAPTURE,
            json.dumps(alert),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result['route'], result['ok']) == ('journal', True)
    sent = result['fields']
    assert sent['MESSAGE'] == MESSAGE
    assert {k: sent[k] for k in FIELDS} == FIELDS


def test_cli_alert_without_systemd_python_writes_prefixed_stderr(tmp_path: Path) -> None:
    write(
        tmp_path,
        'guard.toml',
        'state-dir = ".state"\n[health]\nchecks = ["database"]\ndb-url = "sqlite:///missing.db"\n',
    )
    trust(tmp_path)  # a project file's state-dir and db-url apply once trusted
    # systemd-python made unimportable for this process only, as on a machine without it.
    code = 'import sys; sys.modules["systemd"] = None; from guard.cli import main; sys.exit(main(sys.argv[1:]))'
    proc = subprocess.run(
        [sys.executable, '-c', code, 'health', str(tmp_path), '--alert'], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stderr == (
        f'<3>guard {socket.gethostname()}:{tmp_path}: database is failing: '
        f'sqlite:///missing.db: database file not found: {tmp_path}/missing.db\n'
    )
