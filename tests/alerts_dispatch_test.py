"""dispatch(): state persisted between runs, every alert in the audit store, no secret anywhere."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from postgres import PostgresServer

from guard.alerts import build_sinks
from guard.alerts import dispatch
from guard.alerts.command import CommandSink
from guard.alerts.state import AlertState
from guard.audit import AuditStore
from guard.config import Config
from guard.errors import LockedError
from guard.health import CheckResult
from guard.health import HealthReport
from guard.health import Status
from guard.health import run_checks
from guard.settings import AlertSettings
from guard.settings import AuditSettings
from guard.settings import HealthSettings


def make_config(root: Path, **alerts: object) -> Config:
    return Config(root=root, state_dir='.state', alerts=AlertSettings(journal=False, **alerts))  # type: ignore[arg-type]


def report(root: Path, **states: str) -> HealthReport:
    checks = tuple(CheckResult(name, Status(s), 'v', '' if s == 'ok' else 'broken') for name, s in states.items())
    return HealthReport(str(root), checks, 0.0, 0.0)


def recorder(root: Path, *, fail: bool = False) -> CommandSink:
    return CommandSink(
        f'echo "$GUARD_EVENT $GUARD_CHECK $GUARD_STATE" >> {root}/sent.txt' + ('; exit 1' if fail else ''), timeout=10
    )


def sent(root: Path) -> list[str]:
    path = root / 'sent.txt'
    lines = path.read_text().splitlines() if path.exists() else []
    path.unlink(missing_ok=True)
    return lines


def test_state_persists_between_runs_and_alerts_are_audited(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    sinks = [recorder(tmp_path)]
    runs = [
        {'database': 'ok', 'disk': 'ok'},
        {'database': 'fail', 'disk': 'ok'},
        {'database': 'fail', 'disk': 'warn'},
        {'database': 'ok', 'disk': 'warn'},
    ]
    seen = []
    for now, states in enumerate(runs):
        results = dispatch(report(tmp_path, **states), config, sinks=sinks, now=1000.0 + now, trigger='daemon')
        assert all(r.outcome == 'sent' and r.audit_id for r in results)
        seen.append(sent(tmp_path))
    assert seen == [[], ['problem database fail'], ['problem disk warn'], ['recovery database ok']]
    state = json.loads((tmp_path / '.state' / 'alert-state.json').read_text())
    assert state['roots'][str(tmp_path)]['database'] == {
        'count': 1,
        'notified': 'ok',
        'notified_at': 1003.0,
        'since': 1003.0,
        'state': 'ok',
        'trouble_since': 1001.0,
    }
    with AuditStore.open(config) as store:
        records = store.history(kind='alert')
    assert [(r.trigger, r.outcome, r.detail['event'], r.detail['check'], r.detail['deliveries']) for r in records] == [
        ('daemon', 'sent', 'recovery', 'database', {'command': 'ok: exit 0'}),
        ('daemon', 'sent', 'problem', 'disk', {'command': 'ok: exit 0'}),
        ('daemon', 'sent', 'problem', 'database', {'command': 'ok: exit 0'}),
    ]


def test_undelivered_alert_is_sent_again_next_run(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    (first,) = dispatch(report(tmp_path, database='fail'), config, sinks=[recorder(tmp_path, fail=True)], now=1.0)
    assert (first.outcome, first.deliveries[0].detail) == ('failed', 'exit 1')
    sent(tmp_path)
    (again,) = dispatch(report(tmp_path, database='fail'), config, sinks=[recorder(tmp_path)], now=2.0)
    assert (again.alert.event, again.outcome) == ('problem', 'sent')
    assert dispatch(report(tmp_path, database='fail'), config, sinks=[recorder(tmp_path)], now=3.0) == []


def test_one_sink_is_enough_for_partial(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    (result,) = dispatch(
        report(tmp_path, disk='fail'), config, sinks=[recorder(tmp_path, fail=True), recorder(tmp_path)]
    )
    assert result.outcome == 'partial'
    assert dispatch(report(tmp_path, disk='fail'), config, sinks=[recorder(tmp_path)]) == []


def test_without_sinks_the_audit_store_is_the_record(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    assert build_sinks(config) == []
    (result,) = dispatch(report(tmp_path, logs='fail'), config)
    assert (result.deliveries, result.outcome, result.delivered) == ((), 'sent', True)
    with AuditStore.open(config) as store:
        assert [r.id for r in store.history(kind='alert')] == [result.audit_id]


def test_an_audit_failure_does_not_lose_the_alert(tmp_path: Path) -> None:
    (tmp_path / 'blocker').write_text('a file where a directory should be')
    config = make_config(tmp_path).updated(audit=AuditSettings(url=f'sqlite:///{tmp_path}/blocker/audit.db'))
    (result,) = dispatch(report(tmp_path, disk='fail'), config, sinks=[recorder(tmp_path)])
    assert result.outcome == 'sent' and result.audit_id is None
    assert result.audit_error.startswith('cannot create the directory of the audit store sqlite:///')
    assert sent(tmp_path) == ['problem disk fail']


def test_build_sinks_order(tmp_path: Path) -> None:
    config = Config(root=tmp_path, alerts=AlertSettings(journal=True, command='true', webhook='http://127.0.0.1:9/x'))
    assert [s.name for s in build_sinks(config)] == ['journal', 'command', 'webhook']


def test_alert_state_lock_is_exclusive(tmp_path: Path) -> None:
    path = tmp_path / 'alert-state.json'
    with AlertState(path):
        failed: list[Exception] = []

        def other() -> None:
            try:
                with AlertState(path, lock_timeout=0.2):
                    pass
            except LockedError as e:
                failed.append(e)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(5)
    assert [str(e) for e in failed] == [f'{path}: another guard process has held the alert state for 0.2 s']


def test_unreadable_state_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / 'alert-state.json'
    path.write_text('{not json')
    with AlertState(path) as state:
        assert state.load('/srv/app') == {}
        assert state.warning.startswith(f'{path}: unreadable alert state (')


def test_no_secret_reaches_any_sink_or_store(postgres_server: PostgresServer, tmp_path: Path) -> None:
    wrong = 'Wr0ngSecretPw'
    health = HealthSettings(checks=('database',), db_url=postgres_server.url(password=wrong), tables=('assets',))
    config = make_config(tmp_path).updated(health=health)
    dump = CommandSink(f'env > {tmp_path}/env.txt', timeout=10)
    (result,) = dispatch(run_checks(config, tmp_path), config, sinks=[dump])
    assert result.outcome == 'sent' and result.alert.check == 'database'
    assert 'password authentication failed' in result.alert.summary
    for path in (tmp_path / 'env.txt', tmp_path / '.state' / 'audit.db', tmp_path / '.state' / 'alert-state.json'):
        assert wrong.encode() not in path.read_bytes(), path
    assert wrong not in json.dumps(result.alert.as_dict())


@pytest.mark.parametrize('status', ['ok', 'skip'])
def test_quiet_runs_open_no_audit_store(tmp_path: Path, status: str) -> None:
    assert dispatch(report(tmp_path, database=status), make_config(tmp_path)) == []
    assert not (tmp_path / '.state' / 'audit.db').exists()
