"""`guard health` as users run it: a real process, its exit code and its output."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote
from urllib.parse import quote_plus

import pytest
from postgres import PostgresServer
from support import run_guard
from support import trust
from support import write

LINE = re.compile(r'(?P<status>ok|WARN|FAIL|skip)  +(?P<name>\S+) +(?P<latency><1 ms|\d+ ms|[\d.]+ s|-)  (?P<shown>.*)')


def lines(stdout: str) -> list[tuple[str, str, str]]:
    """(status, name, shown) per check line; the latency varies, so only its shape is checked."""
    parsed = []
    for line in stdout.splitlines()[:-1]:
        match = LINE.fullmatch(line)
        assert match, f'not a check line: {line!r}'
        parsed.append((match['status'], match['name'], match['shown']))
    return parsed


def sqlite_project(root: Path, *, assets: int, toml: str = '') -> Path:
    write(root, 'guard.toml', '[health]\nchecks = ["database"]\ntables = ["assets"]\nmin-rows = {assets = 1}\n' + toml)
    with contextlib.closing(sqlite3.connect(root / 'app.db')) as conn:
        conn.execute('CREATE TABLE assets (id INTEGER)')
        conn.executemany('INSERT INTO assets VALUES (?)', [(i,) for i in range(assets)])
        conn.commit()
    write(root, '.env', 'DB_URL=sqlite:///app.db\n')
    return root


def test_healthy_exits_0_with_one_line_per_check(tmp_path: Path) -> None:
    proc = run_guard('health', sqlite_project(tmp_path, assets=2))
    assert (proc.returncode, proc.stderr) == (0, '')
    assert lines(proc.stdout)[1:] == [('ok', 'table:assets', '2 rows (minimum 1)')]
    assert lines(proc.stdout)[0][:2] == ('ok', 'database')
    assert re.fullmatch(r'sqlite:///app\.db \(SQLite 3\.[\d.]+\)', lines(proc.stdout)[0][2])
    assert proc.stdout.splitlines()[-1] == 'healthy: 2 checks passed'


def test_unhealthy_exits_1(tmp_path: Path) -> None:
    proc = run_guard('health', sqlite_project(tmp_path, assets=0))
    assert proc.returncode == 1
    assert lines(proc.stdout)[1] == ('FAIL', 'table:assets', '0 rows: below the minimum of 1 row')
    assert proc.stdout.splitlines()[-1] == 'unhealthy: 1 of 2 checks failed (table:assets)'


def test_missing_url_exits_2_naming_where_guard_looked(tmp_path: Path) -> None:
    write(tmp_path, 'guard.toml', '[health]\nchecks = ["database", "disk"]\n')
    proc = run_guard('health', tmp_path)
    assert (proc.returncode, proc.stdout) == (2, '')
    assert proc.stderr == (
        f'guard: error: no database URL: looked for health.db-url ({tmp_path}/guard.toml) and for DB_URL or '
        f'DATABASE_URL in the environment and in {tmp_path}/.env (no such file); set one, '
        'or leave "database" out of health.checks\n'
    )


def test_missing_url_is_unknown_to_nagios(tmp_path: Path) -> None:
    write(tmp_path, 'guard.toml', '[health]\nchecks = ["database"]\ndb-url-env = "APP_DB"\n')
    trust(tmp_path)  # db-url-env picks which URL guard connects to: a project file sets it once trusted
    proc = run_guard('health', tmp_path, '--format', 'nagios')
    assert (proc.returncode, proc.stderr) == (3, '')
    assert proc.stdout == (
        f'GUARD UNKNOWN - no database URL: looked for health.db-url ({tmp_path}/guard.toml) '
        f'and for APP_DB in the environment and in {tmp_path}/.env (no such file); '
        'set one, or leave "database" out of health.checks\n'
    )


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    sqlite_project(tmp_path, assets=3)
    (tmp_path / 'other.db').touch()
    proc = run_guard('health', tmp_path, '--format', 'json', env={'DB_URL': f'sqlite:///{tmp_path}/other.db'})
    data = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert data['database'] == f'sqlite:///{tmp_path}/other.db'
    assert [(c['name'], c['status'], c['reason']) for c in data['checks']][1:] == [
        ('table:assets', 'fail', 'table assets does not exist')
    ]


@pytest.mark.parametrize(
    ('toml', 'code', 'head'),
    [
        ('checks = ["database"]\n', 0, 'GUARD OK - healthy: 2 checks passed | db_connect='),
        ('warn-free-disk-mb = 999999999\nchecks = ["database", "disk"]\n', 1, 'GUARD WARNING - disk: '),
        ('min-free-disk-mb = 999999999\nchecks = ["database", "disk"]\n', 2, 'GUARD CRITICAL - disk: '),
    ],
)
def test_nagios_exit_codes(tmp_path: Path, toml: str, code: int, head: str) -> None:
    root = sqlite_project(tmp_path, assets=1)
    write(root, 'guard.toml', f'[health]\ntables = ["assets"]\n{toml}')
    proc = run_guard('health', root, '--format', 'nagios')
    assert (proc.returncode, proc.stderr) == (code, '')
    assert proc.stdout.startswith(head)
    assert ' assets_rows=1;;;0' in proc.stdout.splitlines()[0]


def test_check_option_runs_only_that_check(tmp_path: Path) -> None:
    proc = run_guard('health', tmp_path, '--check', 'disk', '--check', 'pollution')
    assert proc.returncode == 0
    assert [name for _, name, _ in lines(proc.stdout)] == ['disk', 'pollution']


def test_check_takes_a_comma_list(tmp_path: Path) -> None:
    proc = run_guard('health', tmp_path, '--check', 'pollution,disk')
    assert proc.returncode == 0, proc.stderr
    assert [name for _, name, _ in lines(proc.stdout)] == ['disk', 'pollution']


@pytest.mark.parametrize(
    ('toml', 'error'),
    [
        (
            '[health]\nchecks = ["database"]\ndb-url-env = "APP_DB"\n',
            'no database URL: looked for health.db-url ({root}/guard.toml) and for APP_DB in the environment and in '
            '{root}/.env (no such file); set one, or leave "database" out of health.checks',
        ),
        (
            '[health]\nrow-count = "guess"\n',
            "{root}/guard.toml: health.row-count must be one of exact, estimate, got 'guess'",
        ),
    ],
)
def test_json_format_answers_with_an_object_on_a_config_error(tmp_path: Path, toml: str, error: str) -> None:
    root = tmp_path / f'p{secrets.token_hex(3)}'
    write(root, 'guard.toml', toml)
    if 'db-url-env' in toml:
        trust(root)
    proc = run_guard('health', root, '--format', 'json')
    message = error.format(root=root)
    assert proc.returncode == 2
    assert json.loads(proc.stdout) == {'version': 1, 'status': 'error', 'healthy': False, 'error': message}
    assert proc.stderr == f'guard: error: {message}\n'


def test_json_format_answers_with_an_object_for_a_missing_root(tmp_path: Path) -> None:
    proc = run_guard('health', tmp_path / 'gone', '--format', 'json')
    assert proc.returncode == 2
    assert json.loads(proc.stdout)['error'] == f'{tmp_path}/gone: no such directory'


@pytest.mark.parametrize(
    ('args', 'message'),
    [
        (['--check', 'cpu'], "argument --check: invalid choice: 'cpu' (choose from database, disk, logs, pollution)"),
        (['--timeout', '0'], "argument --timeout: must be more than 0 seconds, got '0'"),
        (['--format', 'xml'], "argument --format: invalid choice: 'xml' (choose from text, json, nagios, prometheus)"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run_guard('health', tmp_path, *args)
    assert proc.returncode == 2
    # Python versions differ in quoting argparse choices.
    assert proc.stderr.splitlines()[-1].replace("'", '') == f'guard health: error: {message}'.replace("'", '')


def test_bad_config_exits_2(tmp_path: Path) -> None:
    write(tmp_path, 'guard.toml', '[health]\nrow-count = "guess"\n')
    proc = run_guard('health', tmp_path)
    assert (proc.returncode, proc.stdout) == (2, '')
    assert (
        proc.stderr
        == f"guard: error: {tmp_path}/guard.toml: health.row-count must be one of exact, estimate, got 'guess'\n"
    )


def test_wrong_password_never_appears(postgres_server: PostgresServer, tmp_path: Path) -> None:
    wrong = 'Wr0ng:pass@word/xyz'
    write(tmp_path, 'guard.toml', '[health]\nchecks = ["database"]\ntables = ["assets"]\n')
    env = {'DATABASE_URL': postgres_server.url(password=wrong)}
    reason = (
        f'connection to server at "127.0.0.1", port {postgres_server.port} failed: '
        'FATAL: password authentication failed for user "guard_owner"'
    )
    masked = f'postgresql://guard_owner:***@127.0.0.1:{postgres_server.port}/app'
    outputs = {}
    for fmt in ('text', 'json', 'nagios'):
        proc = run_guard('health', tmp_path, '--format', fmt, env=env)
        assert proc.returncode == (2 if fmt == 'nagios' else 1)
        outputs[fmt] = proc.stdout + proc.stderr
    assert lines(outputs['text']) == [
        ('FAIL', 'database', f'{masked}: {reason}'),
        ('skip', 'table:assets', 'not checked: the database is unreachable'),
    ]
    data = json.loads(outputs['json'])
    assert (data['database'], data['checks'][0]['value'], data['checks'][0]['reason']) == (masked, masked, reason)
    nagios = outputs['nagios'].splitlines()
    assert nagios[0] == f'GUARD CRITICAL - database: {masked}: {reason}'
    assert lines('\n'.join(nagios[1:]) + '\nend') == lines(outputs['text'])
    for output in outputs.values():
        for secret in (wrong, quote(wrong, safe=''), quote_plus(wrong), 'Wr0ng'):
            assert secret not in output


def test_unknown_host_is_unhealthy(tmp_path: Path) -> None:
    # A network namespace of its own (no interfaces up) makes name resolution fail at once,
    # with no query leaving the machine.
    if subprocess.run(['unshare', '--net', 'true'], capture_output=True).returncode != 0:
        pytest.skip('unshare --net is not permitted here (needs root or user namespaces)')
    write(tmp_path, 'guard.toml', '[health]\nchecks = ["database"]\n')
    url = 'postgresql://app:S3cretPw@db.guard-test.invalid:5432/app'
    proc = subprocess.run(
        ['unshare', '--net', sys.executable, '-m', 'guard', 'health', str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={'PATH': '/usr/bin:/bin', 'DB_URL': url},
    )
    assert (proc.returncode, proc.stderr) == (1, '')
    ((status, name, shown),) = lines(proc.stdout)
    assert (status, name) == ('FAIL', 'database')
    # The resolver's own words differ between setups (EAI_AGAIN here, EAI_NONAME elsewhere).
    assert shown.startswith(
        'postgresql://app:***@db.guard-test.invalid:5432/app: '
        'could not translate host name "db.guard-test.invalid" to address: '
    )
    assert 'S3cretPw' not in proc.stdout
