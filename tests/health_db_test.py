"""The database check against a real PostgreSQL server (tests/postgres.py) and real SQLite files."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres import PASSWORD
from postgres import PostgresServer

from guard.config import Config
from guard.health import HealthReport
from guard.health import Status
from guard.health import run_checks
from guard.health.db import check_db
from guard.health.dburl import DatabaseUrl
from guard.health.dburl import mask
from guard.health.dburl import parse
from guard.settings import HealthSettings


def config_for(root: Path, url: str, **health: object) -> Config:
    settings = HealthSettings(checks=('database',), db_url=url, **health)  # type: ignore[arg-type]
    return Config(root=root, health=settings)


def by_name(report: HealthReport) -> dict[str, tuple[Status, str, str]]:
    return {c.name: (c.status, c.value, c.reason) for c in report.checks}


def test_populated_tables_are_healthy(postgres_server: PostgresServer, tmp_path: Path) -> None:
    config = config_for(
        tmp_path,
        postgres_server.url(),
        tables=('assets', 'market_data', 'archive.trades', 'Odd-Name'),
        min_rows={'assets': 10, 'market_data': 1000},
    )
    report = run_checks(config, tmp_path)
    checks = by_name(report)
    assert report.healthy and report.status is Status.OK
    assert list(checks) == ['database', 'table:assets', 'table:market_data', 'table:archive.trades', 'table:Odd-Name']
    status, value, reason = checks['database']
    assert (status, reason) == (Status.OK, '')
    assert value.startswith(f'postgresql://guard_owner:***@127.0.0.1:{postgres_server.port}/app (PostgreSQL 15.')
    assert checks['table:assets'] == (Status.OK, '25 rows (minimum 10)', '')
    assert checks['table:market_data'] == (Status.OK, '5,000 rows (minimum 1,000)', '')
    assert checks['table:archive.trades'] == (Status.OK, '7 rows', '')
    assert checks['table:Odd-Name'] == (Status.OK, '2 rows', '')
    assert report.database == f'postgresql://guard_owner:***@127.0.0.1:{postgres_server.port}/app'
    assert report.verdict() == 'healthy: 5 checks passed'


def test_a_table_only_named_in_min_rows_is_checked(postgres_server: PostgresServer, tmp_path: Path) -> None:
    report = run_checks(config_for(tmp_path, postgres_server.url(), min_rows={'assets': 26}), tmp_path)
    assert by_name(report)['table:assets'] == (Status.FAIL, '25 rows', 'below the minimum of 26 rows')


def test_an_empty_table_below_its_minimum_is_unhealthy(postgres_server: PostgresServer, tmp_path: Path) -> None:
    config = config_for(tmp_path, postgres_server.url(), tables=('assets', 'empty_table'), min_rows={'empty_table': 1})
    report = run_checks(config, tmp_path)
    assert not report.healthy
    assert by_name(report)['table:empty_table'] == (Status.FAIL, '0 rows', 'below the minimum of 1 row')
    assert by_name(report)['table:assets'][0] is Status.OK
    assert report.verdict() == 'unhealthy: 1 of 3 checks failed (table:empty_table)'


def test_a_missing_table_is_unhealthy_and_named(postgres_server: PostgresServer, tmp_path: Path) -> None:
    config = config_for(tmp_path, postgres_server.url(), tables=('market_dta', 'assets'))
    checks = by_name(run_checks(config, tmp_path))
    assert checks['table:market_dta'] == (Status.FAIL, '', 'table market_dta does not exist')
    assert checks['table:assets'] == (Status.OK, '25 rows', ''), 'the tables after a missing one are still checked'


def test_estimate_reads_the_planner_statistics_not_the_table(postgres_server: PostgresServer, tmp_path: Path) -> None:
    # Rows added after ANALYZE are invisible to the estimate: proof that no COUNT(*) ran.
    postgres_server.execute(
        'CREATE TABLE estimate_probe (id int)',
        'INSERT INTO estimate_probe SELECT generate_series(1, 400)',
        'ANALYZE estimate_probe',
        'INSERT INTO estimate_probe SELECT generate_series(1, 100)',
    )
    config = config_for(
        tmp_path,
        postgres_server.url(),
        tables=('estimate_probe', 'assets'),
        row_count='estimate',
        min_rows={'estimate_probe': 300},
    )
    checks = by_name(run_checks(config, tmp_path))
    assert checks['table:estimate_probe'] == (Status.OK, '~400 rows (planner estimate, minimum 300)', '')
    exact = by_name(run_checks(config_for(tmp_path, postgres_server.url(), tables=('estimate_probe',)), tmp_path))
    assert exact['table:estimate_probe'] == (Status.OK, '500 rows', '')


def test_never_analysed_is_unknown_not_empty(postgres_server: PostgresServer, tmp_path: Path) -> None:
    config = config_for(
        tmp_path,
        postgres_server.url(),
        tables=('never_analysed', 'Odd-Name', 'archive.trades'),
        row_count='estimate',
        min_rows={'never_analysed': 1},
    )
    report = run_checks(config, tmp_path)
    checks = by_name(report)
    assert checks['table:never_analysed'] == (
        Status.WARN,
        'row count unknown (planner estimate: never analysed)',
        'cannot check the minimum of 1: never analysed, run ANALYZE never_analysed',
    )
    # Without a minimum an unknown count is no problem; quoted and schema names resolve too.
    assert checks['table:Odd-Name'] == (Status.OK, 'row count unknown (planner estimate: never analysed)', '')
    assert checks['table:archive.trades'][0] is Status.OK
    assert report.healthy and report.status is Status.WARN


def test_estimate_for_some_tables_and_a_missing_one(postgres_server: PostgresServer, tmp_path: Path) -> None:
    config = config_for(
        tmp_path,
        postgres_server.url(),
        tables=('market_data', 'assets', 'gone'),
        estimate_tables=('market_data', 'gone'),
        min_rows={'market_data': 6000},
    )
    checks = by_name(run_checks(config, tmp_path))
    assert checks['table:market_data'] == (
        Status.FAIL,
        '~5,000 rows (planner estimate)',
        'below the minimum of 6,000 rows',
    )
    assert checks['table:assets'] == (Status.OK, '25 rows', '')
    assert checks['table:gone'] == (Status.FAIL, '', 'table gone does not exist')


def test_wrong_password_is_unhealthy_and_never_shown(postgres_server: PostgresServer, tmp_path: Path) -> None:
    wrong = 'Wr0ng:pass@word/xyz'
    config = config_for(tmp_path, postgres_server.url(password=wrong), tables=('assets',))
    report = run_checks(config, tmp_path)
    checks = by_name(report)
    status, value, reason = checks['database']
    assert status is Status.FAIL
    assert value == f'postgresql://guard_owner:***@127.0.0.1:{postgres_server.port}/app'
    assert reason == (
        f'connection to server at "127.0.0.1", port {postgres_server.port} failed: '
        'FATAL: password authentication failed for user "guard_owner"'
    )
    assert checks['table:assets'] == (Status.SKIP, '', 'not checked: the database is unreachable')
    assert wrong not in repr(report) and 'Wr0ng' not in repr(report) and PASSWORD not in repr(report)


def test_server_stopped_is_unhealthy_within_the_timeout(postgres_server: PostgresServer, tmp_path: Path) -> None:
    config = config_for(tmp_path, postgres_server.url(), tables=('assets',), connect_timeout=2.0)
    postgres_server.stop()
    try:
        started = time.monotonic()
        checks = by_name(run_checks(config, tmp_path))
        elapsed = time.monotonic() - started
    finally:
        postgres_server.start()
    status, _value, reason = checks['database']
    assert status is Status.FAIL
    assert reason.startswith(
        f'connection to server at "127.0.0.1", port {postgres_server.port} failed: Connection refused'
    )
    assert elapsed < 2.0 + 1.0
    assert by_name(run_checks(config, tmp_path))['database'][0] is Status.OK, 'healthy again once restarted'


@contextlib.contextmanager
def blackhole_port() -> Iterator[int]:
    """A local port whose listen queue is full: the kernel drops new SYNs, as for an unroutable host.

    Nothing leaves the machine: the address is 127.0.0.1.
    """
    with socket.socket() as server:
        server.bind(('127.0.0.1', 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(('127.0.0.1', port))
            fillers.append(filler)
        try:
            yield port
        finally:
            for filler in fillers:
                filler.close()


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A local server that accepts connections and never says a word of the PostgreSQL protocol."""
    with socket.socket() as server:
        server.bind(('127.0.0.1', 0))
        server.listen(8)
        yield server.getsockname()[1]


@pytest.mark.parametrize('make_port', [blackhole_port, silent_port], ids=['unroutable', 'silent-server'])
def test_an_unreachable_host_is_unhealthy_within_the_timeout(
    postgres_server: PostgresServer, tmp_path: Path, make_port: object
) -> None:
    with make_port() as port:  # type: ignore[operator]
        config = config_for(tmp_path, postgres_server.url(port=port), tables=('assets',), connect_timeout=2.0)
        started = time.monotonic()
        checks = by_name(run_checks(config, tmp_path))
        elapsed = time.monotonic() - started
    assert checks['database'][0] is Status.FAIL
    # libpq's own connect_timeout answers first (it gets whole seconds, at least 2).
    assert checks['database'][2] == f'connection to server at "127.0.0.1", port {port} failed: timeout expired'
    assert 2.0 <= elapsed < 2.0 + 1.0
    assert checks['table:assets'] == (Status.SKIP, '', 'not checked: the database is unreachable')


def test_guard_deadline_holds_below_what_libpq_can_do(postgres_server: PostgresServer, tmp_path: Path) -> None:
    # libpq cannot wait less than 2 s; guard's own deadline (timeout + 0.5 s grace) still holds.
    with blackhole_port() as port:
        config = config_for(tmp_path, postgres_server.url(port=port), connect_timeout=0.3)
        started = time.monotonic()
        checks = by_name(run_checks(config, tmp_path))
        elapsed = time.monotonic() - started
    assert checks['database'][0] is Status.FAIL
    assert checks['database'][2] == 'no connection within 0.3 s (connect timeout)'
    assert elapsed < 0.3 + 1.0


def test_statement_timeout_fails_one_table_and_the_rest_are_checked(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    config = config_for(tmp_path, postgres_server.url(), tables=('slow_view', 'assets'), statement_timeout=1.0)
    started = time.monotonic()
    checks = by_name(run_checks(config, tmp_path))
    elapsed = time.monotonic() - started
    assert checks['database'][0] is Status.OK
    assert checks['table:slow_view'] == (Status.FAIL, '', 'canceling statement due to statement timeout')
    assert checks['table:assets'] == (Status.OK, '25 rows', '')
    assert elapsed < 1.0 + 1.0


def sqlite_db(path: Path, tables: dict[str, int]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        for name, rows in tables.items():
            conn.execute(f'CREATE TABLE {name} (id INTEGER)')
            conn.executemany(f'INSERT INTO {name} VALUES (?)', [(i,) for i in range(rows)])
        conn.commit()


def test_sqlite_url_relative_to_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / 'data').mkdir()
    sqlite_db(tmp_path / 'data' / 'app.db', {'assets': 3, 'market_data': 0})
    monkeypatch.chdir('/')  # the URL is read from the root, not from wherever guard was started
    config = config_for(
        tmp_path, 'sqlite:///data/app.db', tables=('assets', 'market_data'), min_rows={'market_data': 1}
    )
    checks = by_name(run_checks(config, tmp_path))
    status, value, _ = checks['database']
    assert status is Status.OK and value.startswith('sqlite:///data/app.db (SQLite 3.')
    assert checks['table:assets'] == (Status.OK, '3 rows', '')
    assert checks['table:market_data'] == (Status.FAIL, '0 rows', 'below the minimum of 1 row')


def test_sqlite_estimate_falls_back_to_counting(tmp_path: Path) -> None:
    sqlite_db(tmp_path / 'app.db', {'assets': 2})
    config = config_for(tmp_path, f'sqlite:///{tmp_path}/app.db', tables=('assets',), row_count='estimate')
    assert by_name(run_checks(config, tmp_path))['table:assets'] == (
        Status.OK,
        '2 rows (exact: sqlite has no row estimate)',
        '',
    )


def test_missing_sqlite_file_is_unhealthy_and_not_created(tmp_path: Path) -> None:
    config = config_for(tmp_path, 'sqlite:///app.db', tables=('assets',))
    checks = by_name(run_checks(config, tmp_path))
    assert checks['database'] == (Status.FAIL, 'sqlite:///app.db', f'database file not found: {tmp_path}/app.db')
    assert not (tmp_path / 'app.db').exists()


def test_guard_deadline_interrupts_a_query_sqlite_cannot_time_out(tmp_path: Path) -> None:
    # SQLite has no statement timeout: guard's deadline fires and interrupts the query.
    with contextlib.closing(sqlite3.connect(tmp_path / 'app.db')) as conn:
        conn.execute(
            'CREATE VIEW endless AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n'
        )
        conn.execute('CREATE TABLE assets (id INTEGER)')
    config = config_for(tmp_path, f'sqlite:///{tmp_path}/app.db', tables=('endless', 'assets'), statement_timeout=0.3)
    started = time.monotonic()
    checks = by_name(run_checks(config, tmp_path))
    elapsed = time.monotonic() - started
    assert checks['table:endless'] == (Status.FAIL, '', 'no answer within 0.3 s (statement timeout)')
    assert checks['table:assets'] == (Status.SKIP, '', 'not checked: an earlier query timed out')
    assert elapsed < 0.3 + 1.0


def test_check_db_directly_returns_database_then_tables(tmp_path: Path) -> None:
    sqlite_db(tmp_path / 'app.db', {'assets': 1})
    raw = f'sqlite:///{tmp_path}/app.db'
    url = DatabaseUrl(masked=mask(parse(raw, 'test')), source='test', secret=raw)
    results = check_db(url, HealthSettings(tables=('assets',)), root=tmp_path)
    assert [(r.name, r.status, r.value) for r in results][1:] == [('table:assets', Status.OK, '1 row')]
    assert [p.label for p in results[0].perf] == ['db_connect', 'db_query']
    assert [(p.label, p.value, p.crit) for p in results[1].perf] == [('assets_rows', 1, '')]
