"""`guard watch` with its PostgreSQL audit store stopped, then started again (issue 17, D11).

A real daemon, a real PostgreSQL (tests/postgres.py) and a real log purge while the store is down:
the daemon keeps running and acting, alerts through its `audit` check, and every record it made
meanwhile arrives in the store once it is back.
"""

from __future__ import annotations

import os
from pathlib import Path

from daemon_harness import Daemon
from daemon_harness import Setup
from daemon_harness import wait_for
from postgres import PostgresServer

from guard.audit import AuditStore


def test_the_daemon_rides_out_its_audit_store_going_down(postgres_server: PostgresServer, tmp_path: Path) -> None:
    postgres_server.execute(
        'DROP DATABASE IF EXISTS guard_daemon_spool', 'CREATE DATABASE guard_daemon_spool', database='postgres'
    )
    url = postgres_server.url(database='guard_daemon_spool')
    setup = Setup(tmp_path, **{'on-log-limit': 'purge'})
    setup.health['max-log-mb'] = 1
    setup.write()
    with open(setup.config_file, 'a') as f:
        f.write(f'[audit]\nurl = "{url}"\n')

    def remote(kind: str) -> list[object]:
        with AuditStore.open_url(url) as store:
            return [r for r in store.history(limit=1000, kind=kind) if r.outcome != 'running']

    with Daemon(setup) as daemon:
        daemon.wait_ready()
        wait_for(lambda: remote('watch'), 10.0, 'the start record in PostgreSQL')
        postgres_server.stop()
        try:
            (setup.root / 'logs/app.log').write_bytes(os.urandom(2 * 1024 * 1024))
            wait_for(lambda: not (setup.root / 'logs/app.log').exists(), 20.0, 'the daemon to purge the log')
            wait_for(lambda: setup.has_alert('problem audit fail'), 20.0, 'the audit alert')
            assert daemon.process.poll() is None  # no restart loop: it kept running
        finally:
            postgres_server.start()
        wait_for(lambda: setup.has_alert('recovery audit ok'), 30.0, 'the audit recovery')
        purges = wait_for(lambda: remote('purge'), 10.0, 'the purge record in PostgreSQL')
        assert daemon.stop() == 0
    [purge] = purges
    assert purge.trigger == 'daemon' and purge.outcome == 'ok'  # type: ignore[attr-defined]
    assert ('logs/app.log', 2 * 1024 * 1024, 'removed') in purge.paths  # type: ignore[attr-defined]
    with AuditStore.open_local(setup.state, 'audit-spool.db') as spool:
        assert spool.history() == []  # everything forwarded, the stop record included
