"""The command sink: a real /bin/sh command gets the alert in GUARD_* variables."""

from __future__ import annotations

import base64
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from passwords import mixed_passwords

from guard.alerts.command import CommandSink
from guard.alerts.model import Alert
from guard.health import Status

ALERT = Alert(
    event='problem',
    check='table:assets',
    state=Status.FAIL,
    previous=Status.OK,
    root='/srv/app',
    host='web1',
    detail='0 rows: below the minimum of 1 row',
    since=1_700_000_000.0,
    time=1_700_000_000.0,
)


def test_alert_arrives_in_the_environment(tmp_path: Path) -> None:
    out = tmp_path / 'env.txt'
    user_env = {
        name: value for name, value in os.environ.items() if not name.startswith('GUARD_')
    }  # (tests set GUARD_SYSTEM_CONFIG)
    sink = CommandSink(
        f'env | grep ^GUARD_ | sort > {out}; echo "$GUARD_SUMMARY" >> {out}',
        timeout=10,
        cwd=str(tmp_path),
        environ=user_env,
    )
    delivery = sink.deliver(ALERT)
    assert (delivery.sink, delivery.ok, delivery.detail) == ('command', True, 'exit 0')
    assert out.read_text().splitlines() == [
        'GUARD_CHECK=table:assets',
        'GUARD_DETAIL=0 rows: below the minimum of 1 row',
        'GUARD_EVENT=problem',
        'GUARD_HOST=web1',
        'GUARD_MESSAGE=guard web1:/srv/app: table:assets is failing: 0 rows: below the minimum of 1 row',
        'GUARD_PREVIOUS=ok',
        'GUARD_PRIORITY=3',
        'GUARD_ROOT=/srv/app',
        'GUARD_SINCE=2023-11-14T22:13:20Z',
        'GUARD_STATE=fail',
        'GUARD_SUMMARY=table:assets is failing: 0 rows: below the minimum of 1 row',
        'table:assets is failing: 0 rows: below the minimum of 1 row',
    ]


def test_failure_reports_exit_code_and_last_stderr_line(tmp_path: Path) -> None:
    delivery = CommandSink('echo starting >&2; echo "smtp: connection refused" >&2; exit 3', timeout=10).deliver(ALERT)
    # Default-deny (guard.excerpt): the word after `name:` is a value's position, masked whatever it is.
    assert (delivery.ok, delivery.detail) == (False, 'exit 3: smtp: ******** refused')


def test_missing_program(tmp_path: Path) -> None:
    delivery = CommandSink('no-such-notifier --page', timeout=10).deliver(ALERT)
    assert delivery.ok is False
    assert delivery.detail == 'exit 127: /bin/sh: ******** no-such-notifier: ******** found'


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / 'child.pid'
    # The shell starts a child that would outlive a kill of the shell alone.
    sink = CommandSink(f'sleep 30 & echo $! > {pid_file}; wait', timeout=0.5)
    started = time.monotonic()
    delivery = sink.deliver(ALERT)
    assert time.monotonic() - started < 0.5 + 0.5
    assert (delivery.ok, delivery.timed_out, delivery.detail) == (False, True, 'killed after 0.5 s (command timeout)')
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.01)  # the killed child is reaped by init, which may take a moment
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): look at its state.
    with open(f'/proc/{pid}/stat') as f:
        return f.read().rsplit(')', 1)[1].split()[0] != 'Z'


# How a failing command's last line may echo a credential it was not given on its command line
# (read from a netrc, a vault, its own config): none of these forms is one the scrubber knows.
LAST_LINES = (
    'curl: (22) 401, retrying as {user}:{pw} with Basic {basic}',
    'Authorization: Basic {basic} rejected',
    'pass {pw} rejected',
    'using credentials {user} / {pw}',
    "['-p', '{pw}']",
    'login failed for {user} (password {pw})',
    'smtp: AUTH PLAIN {basic}',
    '{pw}',
)
PASSWORDS = mixed_passwords()


@settings(max_examples=40, deadline=None)
@given(form=st.sampled_from(LAST_LINES), pw=PASSWORDS, user=st.from_regex(r'[a-z]{2,8}', fullmatch=True))
def test_a_failing_commands_last_line_shows_no_credential(form: str, pw: str, user: str) -> None:
    basic = base64.b64encode(f'{user}:{pw}'.encode()).decode()
    with tempfile.TemporaryDirectory() as tmp:
        said = Path(tmp, 'said.txt')
        said.write_text(f'starting\n{form.format(user=user, pw=pw, basic=basic)}\n')
        # The line comes from a file, so nothing of it is on the command line (which is masked apart).
        delivery = CommandSink(f'cat {said} >&2; exit 1', timeout=10).deliver(ALERT)
    assert not delivery.ok and delivery.detail.startswith('exit 1: ')
    pieces = {pw[i : i + 5] for i in range(len(pw) - 4)} if len(pw) > 5 else {pw}
    shown = [p for p in pieces | {basic[:8]} if any(c.isdigit() for c in p) and p in delivery.detail]
    assert basic not in delivery.detail and not shown, delivery.detail


def test_a_plain_reason_stays_readable(tmp_path: Path) -> None:
    said = tmp_path / 'said.txt'  # not on the command line, whose own words are hidden in its output
    said.write_text('curl: (7) Failed to connect to alerts.internal port 443\n')
    delivery = CommandSink(f'cat {said} >&2; exit 7', timeout=10).deliver(ALERT)
    assert delivery.detail == 'exit 7: curl: (7) Failed to connect to alerts.internal port 443'


@pytest.mark.parametrize('form', LAST_LINES)
def test_health_alert_and_the_audit_store_keep_no_credential_a_command_echoed(tmp_path: Path, form: str) -> None:
    """As the attack ran it (15c finding 15): `guard health --alert` prints the failed delivery and
    records it in the audit store, which `guard history` reads back."""
    import json
    import secrets

    from support import run_guard

    pw = f'{secrets.token_hex(3)}Qz{secrets.token_hex(3)}'
    basic = base64.b64encode(f'ops:{pw}'.encode()).decode()
    said = tmp_path / 'said.txt'
    said.write_text(form.format(user='ops', pw=pw, basic=basic) + '\n')
    notify = tmp_path / 'notify.sh'
    notify.write_text(f'#!/bin/sh\ncat {said} >&2\nexit 1\n')
    notify.chmod(0o755)
    (tmp_path / 'root').mkdir()
    env = {
        'HOME': str(tmp_path),
        'XDG_STATE_HOME': str(tmp_path / 'state'),
        'XDG_CONFIG_HOME': str(tmp_path / 'config'),
        'DB_URL': f'sqlite:///{tmp_path}/missing.db',
        'GUARD_ALERTS_COMMAND': str(notify),
        'GUARD_ALERTS_JOURNAL': 'false',
    }
    health = run_guard('health', tmp_path / 'root', '--alert', env=env)
    history = run_guard('history', tmp_path / 'root', '--format', 'json', env=env)
    assert 'not delivered by command: exit 1: ' in health.stderr, health.stderr
    assert 'exit 1: ' in history.stdout and json.loads(history.stdout), history.stdout
    stored = [p.read_bytes().decode('latin-1') for p in (tmp_path / 'state').rglob('*') if p.is_file()]
    for text in [health.stdout, health.stderr, history.stdout, history.stderr, *stored]:
        assert pw not in text and basic not in text and basic[:12] not in text
