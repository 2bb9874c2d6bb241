"""The database check: connect within a deadline, run a liveness query, then count each table's rows.

Every step has two bounds. The driver's own (libpq `connect_timeout`, the server's
`statement_timeout`, SQLite's busy timeout) fails it with the driver's message; guard's deadline
(the same timeout plus a grace period) is the backstop for what drivers do not bound: name
resolution, dialects without a timeout option, a statement the server does not cancel. The
connection runs in a worker thread so the backstop holds whatever the driver does.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from guard.health.dburl import DatabaseUrl
from guard.health.engine import open_engine
from guard.health.engine import statement_limit
from guard.health.result import CheckResult
from guard.health.result import Perf
from guard.health.result import Status
from guard.health.tables import TableSpec
from guard.health.tables import check_table
from guard.health.tables import table_specs

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine

    from guard.settings import HealthSettings

NAME = 'database'
# Time the driver gets to report its own, clearer timeout before guard's deadline strikes.
GRACE = 0.5


@dataclass(frozen=True)
class _Event:
    kind: str  # connected | alive | table | error
    seconds: float = 0.0
    detail: str = ''
    result: CheckResult | None = None


def check_db(url: DatabaseUrl, settings: HealthSettings, *, root: Path | None = None) -> tuple[CheckResult, ...]:
    """The 'database' result first, then one 'table:<name>' result per configured table.

    Never raises for a database that is down, refuses the password or hangs: those are FAIL
    results. Raises ConfigError for what no retry can fix: a bad URL, a missing driver, bad timeouts.
    """
    specs = table_specs(settings)
    engine = open_engine(url, settings, root=root)
    if isinstance(engine, str):
        return _unreachable(url, specs, engine, 0.0)
    probe = _Probe(engine, specs, url, settings.statement_timeout)
    threading.Thread(target=probe.run, name='guard-health-db', daemon=True).start()
    return _collect(probe, specs, settings, url)


def _collect(
    probe: _Probe, specs: list[TableSpec], settings: HealthSettings, url: DatabaseUrl
) -> tuple[CheckResult, ...]:
    step = settings.statement_timeout + GRACE
    connected = probe.next(settings.connect_timeout + GRACE)
    if connected is None:
        probe.abandon()
        why = f'no connection within {settings.connect_timeout:g} s (connect timeout)'
        return _unreachable(url, specs, why, settings.connect_timeout)
    if connected.kind == 'error':
        return _unreachable(url, specs, connected.detail, connected.seconds)
    alive = probe.next(step)
    if alive is None or alive.kind == 'error':
        probe.abandon()
        why = alive.detail if alive else f'liveness query got no answer within {settings.statement_timeout:g} s'
        return _unreachable(url, specs, why, connected.seconds + (alive.seconds if alive else step))
    results = [_alive(url, connected, alive, settings)]
    for index, spec in enumerate(specs):
        event = probe.next(step)
        if event is None or event.result is None:
            # The server did not end the statement in time (or the dialect has no timeout).
            probe.abandon()
            why = f'no answer within {settings.statement_timeout:g} s (statement timeout)'
            results.append(CheckResult(spec.check_name, Status.FAIL, '', why, step))
            results.extend(_skipped(specs[index + 1 :], 'not checked: an earlier query timed out'))
            break
        results.append(event.result)
    return tuple(results)


def _alive(url: DatabaseUrl, connected: _Event, alive: _Event, settings: HealthSettings) -> CheckResult:
    perf = (
        Perf('db_connect', round(connected.seconds, 6), 's', crit=f'{settings.connect_timeout:g}', min=0),
        Perf('db_query', round(alive.seconds, 6), 's', crit=f'{settings.statement_timeout:g}', min=0),
    )
    value = f'{url.masked} ({alive.detail})' if alive.detail else url.masked
    return CheckResult(NAME, Status.OK, value, latency=connected.seconds + alive.seconds, perf=perf)


def _unreachable(url: DatabaseUrl, specs: list[TableSpec], why: str, seconds: float) -> tuple[CheckResult, ...]:
    failed = CheckResult(NAME, Status.FAIL, url.masked, url.scrub(why), seconds)
    return (failed, *_skipped(specs, 'not checked: the database is unreachable'))


def _skipped(specs: list[TableSpec], why: str) -> list[CheckResult]:
    return [CheckResult(s.check_name, Status.SKIP, '', why) for s in specs]


class _Probe:
    """The worker's side: talks to the database and reports each step on a queue."""

    def __init__(self, engine: Engine, specs: list[TableSpec], url: DatabaseUrl, statement_timeout: float) -> None:
        self._engine = engine
        self._statement_timeout = statement_timeout
        self._specs = specs
        self._url = url
        self._events: queue.Queue[_Event] = queue.Queue()
        self._cancelled = threading.Event()
        self._dbapi: Any = None

    def next(self, timeout: float) -> _Event | None:
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def abandon(self) -> None:
        """Stop after the current step and ask the server to cancel the statement running now."""
        self._cancelled.set()
        _cancel(self._dbapi)

    def run(self) -> None:
        try:
            self._talk()
        finally:
            self._engine.dispose()

    def _talk(self) -> None:
        started = time.perf_counter()
        try:
            conn = self._engine.connect()
        except Exception as e:  # any failure to connect is the verdict, not a crash
            self._events.put(_Event('error', time.perf_counter() - started, self._reason(e)))
            return
        with conn:
            self._dbapi = conn.connection.dbapi_connection
            self._events.put(_Event('connected', time.perf_counter() - started))
            if self._cancelled.is_set() or not self._liveness(conn):
                return
            for spec in self._specs:
                if self._cancelled.is_set():
                    return
                self._events.put(self._table(conn, spec))

    def _liveness(self, conn: Connection) -> bool:
        from sqlalchemy import text

        started = time.perf_counter()
        try:
            statement_limit(conn, self._statement_timeout)
            conn.execute(text('SELECT 1')).scalar_one()
            conn.rollback()
        except Exception as e:
            self._events.put(_Event('error', time.perf_counter() - started, self._reason(e)))
            return False
        self._events.put(_Event('alive', time.perf_counter() - started, _server(conn)))
        return True

    def _table(self, conn: Connection, spec: TableSpec) -> _Event:
        started = time.perf_counter()
        try:
            statement_limit(conn, self._statement_timeout)
            result = check_table(conn, spec)
        except Exception as e:  # a missing grant, a timeout: this table fails, the next is still checked
            seconds = time.perf_counter() - started
            result = CheckResult(spec.check_name, Status.FAIL, '', self._reason(e), seconds)
        _rollback(conn)
        return _Event('table', result=result)

    def _reason(self, error: BaseException) -> str:
        return self._url.scrub(describe(error))


def describe(error: BaseException) -> str:
    """The driver's own message on one line (psycopg2 spreads it over several lines)."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(error, DBAPIError) and error.orig is not None:
        text = _one_line(str(error.orig))
    elif isinstance(error, SQLAlchemyError):
        text = _one_line(str(error).split('\n(Background on this error')[0])
    else:
        # Not the database talking (a resolver error, a driver bug): name the type so it can be traced.
        text = f'{type(error).__name__}: {_one_line(str(error))}'.rstrip(': ')
    text = text or type(error).__name__
    return text if len(text) <= 300 else text[:297] + '...'


def _one_line(message: str) -> str:
    lines = (' '.join(line.split()) for line in message.splitlines())
    return '; '.join(line for line in lines if line)


def _server(conn: Connection) -> str:
    version = conn.dialect.server_version_info
    name = _DIALECT_NAMES.get(conn.dialect.name, conn.dialect.name)
    return f'{name} {".".join(str(part) for part in version)}' if version else name


_DIALECT_NAMES = {
    'postgresql': 'PostgreSQL',
    'sqlite': 'SQLite',
    'mysql': 'MySQL',
    'mariadb': 'MariaDB',
    'mssql': 'SQL Server',
    'oracle': 'Oracle',
}


def _cancel(dbapi: Any) -> None:
    # psycopg2 and psycopg send a cancel request to the server; sqlite3 interrupts the running query.
    cancel: Callable[[], object] | None = getattr(dbapi, 'cancel', None) or getattr(dbapi, 'interrupt', None)
    if cancel is None:
        return
    try:
        cancel()
    except Exception:  # best effort: the worker thread is abandoned either way
        pass


def _rollback(conn: Connection) -> None:
    # After a failed statement PostgreSQL refuses more until the transaction ends.
    try:
        conn.rollback()
    except Exception:
        pass
