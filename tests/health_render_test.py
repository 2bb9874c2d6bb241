"""Text, JSON and Nagios output of a report, asserted exactly."""

from __future__ import annotations

import json

import pytest

from guard.health import CheckResult
from guard.health import HealthReport
from guard.health import Perf
from guard.health import Status
from guard.health import render

URL = 'postgresql://app:***@db:5432/app'
DB_OK = CheckResult(
    'database',
    Status.OK,
    f'{URL} (PostgreSQL 15.8)',
    latency=0.0123,
    perf=(Perf('db_connect', 0.0101, 's', crit='3', min=0), Perf('db_query', 0.0022, 's', crit='5', min=0)),
)
ASSETS = CheckResult(
    'table:assets',
    Status.OK,
    '25 rows (minimum 10)',
    latency=0.0004,
    perf=(Perf('assets_rows', 25, crit='10:', min=0),),
)
EMPTY = CheckResult(
    'table:market_data',
    Status.FAIL,
    '0 rows',
    'below the minimum of 1 row',
    0.0031,
    (Perf('market_data_rows', 0, crit='1:', min=0),),
)
DISK_WARN = CheckResult(
    'disk',
    Status.WARN,
    '900 MiB free of 20 GiB (4%) on /',
    'below the warning level of 1.0 GiB free',
    0.00002,
    (Perf('disk_free', 900.5, 'MB', warn='1024:', crit='100:', min=0, max=20480),),
)
SKIPPED = CheckResult('table:assets', Status.SKIP, '', 'not checked: the database is unreachable')
DB_DOWN = CheckResult('database', Status.FAIL, URL, 'connection refused | retry', 1.5)


def report(*checks: CheckResult) -> HealthReport:
    return HealthReport('/srv/app', checks, started_at=1_700_000_000.0, duration=0.0167, database=URL)


def test_text_one_line_per_check_then_the_verdict() -> None:
    assert render.text(report(DB_OK, ASSETS, EMPTY, DISK_WARN)) == (
        f'ok    database             12 ms  {URL} (PostgreSQL 15.8)\n'
        'ok    table:assets         <1 ms  25 rows (minimum 10)\n'
        'FAIL  table:market_data     3 ms  0 rows: below the minimum of 1 row\n'
        'WARN  disk                 <1 ms  900 MiB free of 20 GiB (4%) on /: below the warning level of 1.0 GiB free\n'
        'unhealthy: 1 of 4 checks failed (table:market_data)\n'
    )


def test_text_skipped_and_slow() -> None:
    assert render.text(report(DB_DOWN, SKIPPED)) == (
        f'FAIL  database        1.5 s  {URL}: connection refused | retry\n'
        'skip  table:assets        -  not checked: the database is unreachable\n'
        'unhealthy: 1 of 2 checks failed (database)\n'
    )


def test_text_in_color() -> None:
    assert render.text(report(ASSETS), color=True) == (
        '\033[32mok  \033[0m  table:assets    <1 ms  25 rows (minimum 10)\n\033[32mhealthy: 1 check passed\033[0m\n'
    )


@pytest.mark.parametrize(
    ('checks', 'verdict'),
    [
        ((DB_OK, ASSETS), 'healthy: 2 checks passed'),
        ((DB_OK, DISK_WARN), 'healthy with 1 warning (disk)'),
        ((DISK_WARN, EMPTY), 'unhealthy: 1 of 2 checks failed (table:market_data)'),
        ((), 'healthy: 0 checks passed'),
    ],
)
def test_verdicts(checks: tuple[CheckResult, ...], verdict: str) -> None:
    assert report(*checks).verdict() == verdict


def test_json() -> None:
    data = json.loads(render.as_json(report(DB_OK, EMPTY), extra={'alerts': []}))
    assert data == {
        'version': 1,
        'root': '/srv/app',
        'healthy': False,
        'status': 'fail',
        'verdict': 'unhealthy: 1 of 2 checks failed (table:market_data)',
        'database': URL,
        'started_at': '2023-11-14T22:13:20+00:00',
        'duration_ms': 16.7,
        'alerts': [],
        'checks': [
            {
                'name': 'database',
                'status': 'ok',
                'value': f'{URL} (PostgreSQL 15.8)',
                'reason': None,
                'latency_ms': 12.3,
                'perfdata': [
                    {
                        'label': 'db_connect',
                        'value': 0.0101,
                        'uom': 's',
                        'warn': None,
                        'crit': '3',
                        'min': 0,
                        'max': None,
                    },
                    {
                        'label': 'db_query',
                        'value': 0.0022,
                        'uom': 's',
                        'warn': None,
                        'crit': '5',
                        'min': 0,
                        'max': None,
                    },
                ],
            },
            {
                'name': 'table:market_data',
                'status': 'fail',
                'value': '0 rows',
                'reason': 'below the minimum of 1 row',
                'latency_ms': 3.1,
                'perfdata': [
                    {
                        'label': 'market_data_rows',
                        'value': 0,
                        'uom': None,
                        'warn': None,
                        'crit': '1:',
                        'min': 0,
                        'max': None,
                    }
                ],
            },
        ],
    }


def test_nagios_critical() -> None:
    text, code = render.nagios(report(DB_OK, ASSETS, EMPTY, DISK_WARN))
    assert code == 2
    assert text.splitlines()[0] == (
        'GUARD CRITICAL - table:market_data: 0 rows: below the minimum of 1 row | '
        'db_connect=0.0101s;;3;0 db_query=0.0022s;;5;0 assets_rows=25;;10:;0 market_data_rows=0;;1:;0 '
        'disk_free=900.5MB;1024:;100:;0;20480'
    )
    assert text.splitlines()[1:] == render.text(report(DB_OK, ASSETS, EMPTY, DISK_WARN)).splitlines()[:-1]


@pytest.mark.parametrize(
    ('checks', 'expected'),
    [
        ((DB_OK,), ('GUARD OK - healthy: 1 check passed | db_connect=0.0101s;;3;0 db_query=0.0022s;;5;0', 0)),
        (
            (ASSETS, DISK_WARN),
            (
                'GUARD WARNING - disk: 900 MiB free of 20 GiB (4%) on /: below the warning level of 1.0 GiB free'
                ' | assets_rows=25;;10:;0 disk_free=900.5MB;1024:;100:;0;20480',
                1,
            ),
        ),
        ((DB_DOWN, SKIPPED), (f'GUARD CRITICAL - database: {URL}: connection refused / retry', 2)),
    ],
)
def test_nagios_states(checks: tuple[CheckResult, ...], expected: tuple[str, int]) -> None:
    text, code = render.nagios(report(*checks))
    assert (text.splitlines()[0], code) == expected


def test_nagios_unknown_and_odd_labels() -> None:
    assert render.nagios_unknown('no database URL | here') == ('GUARD UNKNOWN - no database URL / here\n', 3)
    assert render.perfdata(Perf('Odd-Name rows', 2, min=0)) == "'Odd-Name rows'=2;;;0"
    assert render.perfdata(Perf('x', 1.25, 's')) == 'x=1.25s'
