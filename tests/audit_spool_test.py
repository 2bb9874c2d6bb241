"""The daemon's audit records when its PostgreSQL store goes away and comes back (issue 17, D11).

A real PostgreSQL (tests/postgres.py) is stopped while records are written, then started again:
nothing is lost, nothing doubled, and the `audit` check says what happened meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from postgres import PostgresServer

from guard.audit import AuditStore
from guard.audit_spool import SpoolingStore
from guard.config import Config
from guard.daemon import startup
from guard.health.result import Status
from guard.settings import AuditSettings


def fresh_database(server: PostgresServer, name: str) -> str:
    server.execute(f'DROP DATABASE IF EXISTS {name}', f'CREATE DATABASE {name}', database='postgres')
    return server.url(database=name)


def test_records_survive_the_store_going_down_and_arrive_once(postgres_server: PostgresServer, tmp_path: Path) -> None:
    url = fresh_database(postgres_server, 'guard_spool')
    store = SpoolingStore.open_spooling(url, tmp_path / 'state')
    first = store.record('watch', '/srv/app', trigger='daemon', outcome='started')
    assert store.check().status == Status.OK
    assert store.waiting() == 0  # forwarded at once while the store is up
    postgres_server.stop()
    try:
        event = store.begin('purge', '/srv/app', trigger='daemon')  # the intent is durable locally
        store.progress(event, [('logs/a.log', 4096, 'removed')], files=1, bytes=4096)
        store.finish(event, 'ok', paths=[('logs', 4096, 'cleared')], bytes=4096)
        for n in range(5):
            store.record('alert', '/srv/app', trigger='daemon', outcome=f'failing-{n}')
        down = store.check()
        assert down.status == Status.FAIL
        assert '6 record(s) kept in' in down.reason and 'audit-spool.db' in down.reason
        assert 'guard_spool' in down.value and 'secret' not in down.reason
    finally:
        postgres_server.start()
    store.forward(force=True)
    assert store.check().status == Status.OK
    assert store.waiting() == 0
    store.close()
    remote = AuditStore.open_url(url)
    records = remote.history(limit=100)
    assert sorted(r.outcome for r in records) == sorted(['started', 'ok'] + [f'failing-{n}' for n in range(5)])
    [purge] = [r for r in records if r.kind == 'purge']
    assert purge.paths == (('logs/a.log', 4096, 'removed'), ('logs', 4096, 'cleared'))
    assert purge.bytes == 4096 and purge.id != first
    remote.close()


def test_forwarding_twice_does_not_double_a_record(postgres_server: PostgresServer, tmp_path: Path) -> None:
    url = fresh_database(postgres_server, 'guard_spool_twice')
    remote = AuditStore.open_url(url)
    spool = AuditStore.open_local(tmp_path / 'state', 'spool.db')
    event = spool.record('alert', '/srv/app', trigger='daemon', outcome='failing', detail={'spool_id': 'k1'})
    [row] = [r for r in spool.history() if r.id == event]
    values = {
        'kind': row.kind,
        'root': row.root,
        'trigger': row.trigger,
        'user': row.user,
        'host': 'h',
        'pid': 1,
        'pid_start': 2,
        'started_at': row.started_at,
        'finished_at': row.finished_at,
        'outcome': row.outcome,
        'bytes': 0,
        'detail': row.detail,
    }
    # A crash after the remote commit and before the spool delete: the same record is sent again.
    assert remote.import_event(values, []) == remote.import_event(values, [])
    assert len(remote.history()) == 1
    spool.close()
    remote.close()


def test_the_daemon_starts_with_its_remote_store_down(tmp_path: Path) -> None:
    config = Config(
        state_dir=str(tmp_path / 'state'), audit=AuditSettings(url='postgresql://guard:secret@127.0.0.1:1/none')
    )
    store = startup.open_store(config)  # once a StartupError, and with it a restart loop
    try:
        assert isinstance(store, SpoolingStore)
        store.record('watch', str(tmp_path), trigger='daemon', outcome='started')
        check = store.check()
        assert check.status == Status.FAIL and '1 record(s) kept' in check.reason
        assert 'secret' not in check.reason and 'secret' not in check.value
    finally:
        store.close()
