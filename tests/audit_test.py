"""The audit store on SQLite (default) and on a real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guard.audit import AuditStore
from guard.audit import scrub
from guard.config import Config
from guard.errors import AuditError
from guard.settings import AuditSettings


def sqlite_store(tmp_path: Path) -> AuditStore:
    return AuditStore.open(Config(state_dir=str(tmp_path / 'state')))


def test_begin_finish_history_round_trip(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    event = store.begin('purge', tmp_path / 'root', trigger='daemon', detail={'full': False})
    running = store.history()[0]
    assert (running.id, running.outcome, running.finished_at) == (event, 'running', None)
    store.finish(
        event,
        'ok',
        paths=[('logs', 4096, 'cleared'), ('logs/app.log', 100, 'truncated')],
        bytes=4196,
        detail={'files': 3},
    )
    [record] = store.history()
    assert (record.kind, record.root, record.trigger, record.outcome, record.bytes) == (
        'purge',
        str(tmp_path / 'root'),
        'daemon',
        'ok',
        4196,
    )
    assert record.paths == (('logs', 4096, 'cleared'), ('logs/app.log', 100, 'truncated'))
    assert record.detail == {'full': False, 'files': 3}
    assert record.user and record.started_at.tzinfo is not None
    assert record.finished_at is not None and record.finished_at >= record.started_at
    assert (tmp_path / 'state/audit.db').is_file()
    store.close()


def test_history_filters_and_orders_newest_first(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    ids = [
        store.record(kind, root, trigger='manual', outcome='ok')
        for kind, root in [('purge', '/a'), ('clean', '/a'), ('alert', '/b'), ('purge', '/b')]
    ]
    assert [r.id for r in store.history()] == ids[::-1]
    assert [r.id for r in store.history(kind='purge')] == [ids[3], ids[0]]
    assert [r.id for r in store.history(root='/a')] == [ids[1], ids[0]]
    assert [r.id for r in store.history(limit=1)] == [ids[3]]
    store.close()


CRASHER = textwrap.dedent("""
    import os, sys
    from guard.audit import AuditStore
    from guard.config import Config
    store = AuditStore.open(Config(state_dir=sys.argv[1]))
    print(store.begin('purge', '/srv/app'), flush=True)
    os.kill(os.getpid(), 9)  # dies mid-purge, as a crash or the OOM killer would do it
""")


def test_crash_mid_operation_reads_back_as_interrupted(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, '-c', CRASHER, str(tmp_path / 'state')], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL
    store = sqlite_store(tmp_path)
    [record] = store.history()
    assert (record.id, record.outcome, record.finished_at) == (int(proc.stdout), 'interrupted', None)


def test_secrets_in_details_are_masked() -> None:
    detail = {
        'command': 'psql postgresql://app:hunter2@db/app -c x',
        'password': 'hunter2',
        'nested': [{'api_key': 'k'}, 'ok'],
        'count': 3,
    }
    assert scrub(detail) == {
        'command': 'psql postgresql://app:h********@db/app -c x',
        'password': 'h********',
        'nested': [{'api_key': '********'}, 'ok'],
        'count': 3,
    }


@pytest.mark.parametrize(
    ('url', 'message'),
    [
        ('not a url', 'audit url is not an SQLAlchemy URL (expected dialect://user:password@host/dbname, '),
        ('nosuchdb://x', 'audit url nosuchdb://x: no driver for it'),
        (
            'postgresql://app:hunter2@127.0.0.1:1/app',
            'cannot open the audit store postgresql+psycopg2://app:***@127.0.0.1:1/app: ',
        ),
        (
            'sqlite:////proc/no/such/dir/audit.db',
            'cannot create the directory of the audit store sqlite:////proc/no/such/dir/audit.db',
        ),
    ],
)
def test_bad_urls_give_one_line_errors_without_the_password(url: str, message: str) -> None:
    with pytest.raises(AuditError) as info:
        AuditStore.open(Config(audit=AuditSettings(url=url)))
    text = str(info.value)
    assert text.startswith(message)
    assert '\n' not in text and 'hunter2' not in text


def test_postgresql_store(postgres_server) -> None:  # type: ignore[no-untyped-def]
    postgres_server.execute('DROP DATABASE IF EXISTS guard_audit', 'CREATE DATABASE guard_audit', database='postgres')
    url = postgres_server.url(database='guard_audit')
    store = AuditStore.open(Config(audit=AuditSettings(url=url)))
    event = store.begin('clean', '/srv/app', trigger='manual')
    store.finish(event, 'ok', paths=[('pyvenv.cfg', 4096, 'quarantined')], bytes=4096, detail={'quarantine': 'x'})
    store.record('alert', '/srv/app', trigger='daemon', outcome='failing', detail={'check': 'db'})
    records = store.history()
    assert [(r.kind, r.outcome) for r in records] == [('alert', 'failing'), ('clean', 'ok')]
    assert records[1].paths == (('pyvenv.cfg', 4096, 'quarantined'),)
    assert records[1].detail == {'quarantine': 'x'}
    store.close()
    # A second store (another server of the fleet) sees the same trail.
    other = AuditStore.open(Config(audit=AuditSettings(url=url)))
    assert [r.id for r in other.history(kind='clean')] == [event]
    other.close()


def test_wrong_password_is_a_clear_error(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = postgres_server.url(password='wrong-password')
    with pytest.raises(AuditError) as info:
        AuditStore.open(Config(audit=AuditSettings(url=url)))
    assert 'password authentication failed' in str(info.value)
    assert 'wrong-password' not in str(info.value)


def test_state_dir_is_created_private(tmp_path: Path) -> None:
    sqlite_store(tmp_path).close()
    assert os.stat(tmp_path / 'state').st_mode & 0o777 == 0o700
