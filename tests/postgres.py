"""A real PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder.

It listens on 127.0.0.1 only, on a free port, with scram-sha-256 password authentication, so a
wrong password is refused by the server itself. initdb refuses to run as root, so when the tests
run as root the server runs as `nobody`. Needs the Debian package `postgresql` (server binaries
in /usr/lib/postgresql/*/bin); without it the tests that use it are skipped, saying so.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

USER = 'guard_owner'
# Characters that must be URL-encoded, so masking is tested against both spellings.
PASSWORD = 'S3cret:p@ss/w0rd#42'
DATABASE = 'app'
SERVER_USER = 'nobody'


def find_bindir() -> Path | None:
    """The newest installed server's bin directory, or None."""
    candidates = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'), key=_version, reverse=True)
    candidates += [p for p in (shutil.which('initdb'),) if p]
    pg_config = shutil.which('pg_config')
    if pg_config:
        out = subprocess.run([pg_config, '--bindir'], capture_output=True, text=True).stdout.strip()
        candidates.append(os.path.join(out, 'initdb'))
    for initdb in candidates:
        if os.access(initdb, os.X_OK) and os.access(os.path.join(os.path.dirname(initdb), 'pg_ctl'), os.X_OK):
            return Path(initdb).parent
    return None


def _version(path: str) -> float:
    try:
        return float(Path(path).parts[-3])
    except ValueError:
        return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One throw-away cluster. `url()` gives SQLAlchemy URLs; `stop()`/`start()` for outage tests."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # /tmp rather than $TMPDIR or pytest's folders: those may be closed (0700) to the server's user.
        self.base = Path(tempfile.mkdtemp(prefix='guard-pg-', dir='/tmp' if os.path.isdir('/tmp') else None))
        self.data = self.base / 'data'
        self.port = free_port()
        self._as_other_user = os.geteuid() == 0
        if self._as_other_user:
            entry = pwd.getpwnam(SERVER_USER)
            self._uid, self._gid = entry.pw_uid, entry.pw_gid
            os.chown(self.base, self._uid, self._gid)
        self.base.chmod(0o700)

    def init(self) -> None:
        pwfile = self.base / 'pwfile'
        pwfile.write_text(PASSWORD + '\n')
        if self._as_other_user:
            os.chown(pwfile, self._uid, self._gid)
        self._run(
            'initdb',
            '-D',
            str(self.data),
            '-U',
            USER,
            f'--pwfile={pwfile}',
            '--auth=scram-sha-256',
            '-E',
            'UTF8',
            '--locale=C',
            '--no-sync',
            '--no-instructions',
        )
        pwfile.unlink()

    def start(self) -> None:
        # autovacuum off: it would ANALYZE tables behind the estimate tests' backs.
        options = (
            f'-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} -c fsync=off '
            '-c synchronous_commit=off -c full_page_writes=off -c autovacuum=off'
        )
        self._run(
            'pg_ctl',
            '-D',
            str(self.data),
            '-l',
            str(self.base / 'server.log'),
            '-w',
            '-t',
            '60',
            '-o',
            options,
            'start',
        )

    def stop(self) -> None:
        self._run('pg_ctl', '-D', str(self.data), '-m', 'fast', '-w', '-t', '60', 'stop')

    def running(self) -> bool:
        result = subprocess.run(
            [str(self.bindir / 'pg_ctl'), '-D', str(self.data), 'status'], capture_output=True, **self._user_args()
        )
        return result.returncode == 0

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def url(
        self, *, password: str = PASSWORD, database: str = DATABASE, port: int | None = None, user: str = USER
    ) -> str:
        return f'postgresql://{user}:{quote(password, safe="")}@127.0.0.1:{port or self.port}/{database}'

    def execute(self, *statements: str, database: str = DATABASE) -> None:
        import psycopg2

        conn = psycopg2.connect(
            host='127.0.0.1', port=self.port, user=USER, password=PASSWORD, dbname=database, connect_timeout=5
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            conn.close()

    def _user_args(self) -> dict[str, Any]:
        if not self._as_other_user:
            return {}
        return {
            'user': self._uid,
            'group': self._gid,
            'extra_groups': [],
            'cwd': self.base,
            'env': {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': str(self.base), 'LC_ALL': 'C'},
        }

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bindir / tool), *args], capture_output=True, text=True, timeout=120, **self._user_args()
        )
        if result.returncode != 0:
            log = self.base / 'server.log'
            tail = log.read_text(errors='replace')[-2000:] if log.exists() else ''
            raise RuntimeError(f'{tool} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{tail}')


SCHEMA = (f'CREATE DATABASE {DATABASE}',)
TABLES = (
    'CREATE TABLE assets (id serial PRIMARY KEY, symbol text NOT NULL)',
    "INSERT INTO assets (symbol) SELECT 'SYM' || g FROM generate_series(1, 25) g",
    'CREATE TABLE market_data (id bigserial PRIMARY KEY, asset_id int, price numeric)',
    'INSERT INTO market_data (asset_id, price) SELECT g % 25, g * 1.5 FROM generate_series(1, 5000) g',
    'ANALYZE market_data',
    'CREATE TABLE empty_table (id int)',
    'CREATE TABLE never_analysed (id int)',
    'INSERT INTO never_analysed SELECT generate_series(1, 300)',
    'CREATE SCHEMA archive',
    'CREATE TABLE archive.trades (id int)',
    'INSERT INTO archive.trades SELECT generate_series(1, 7)',
    'CREATE TABLE "Odd-Name" (id int)',
    'INSERT INTO "Odd-Name" VALUES (1), (2)',
    # A count(*) over this view sleeps 30 s: only the statement timeout ends it.
    'CREATE VIEW slow_view AS SELECT pg_sleep(30)::text AS slept',
)


@pytest.fixture(scope='session')
def postgres_server() -> Iterator[PostgresServer]:
    """A running server with database `app` and the tables of TABLES, for the whole session."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            'PostgreSQL server binaries not found (apt-get install postgresql): '
            'looked in /usr/lib/postgresql/*/bin, PATH and pg_config --bindir'
        )
    server = PostgresServer(bindir)
    try:
        server.init()
        for attempt in range(3):
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                server.port = free_port()  # someone took the free port first
        server.execute(*SCHEMA, database='postgres')
        server.execute(*TABLES)
        yield server
    finally:
        server.remove()
