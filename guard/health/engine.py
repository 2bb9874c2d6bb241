"""The engine for a health check: the right driver, timeouts the driver enforces, no pool.

Timeouts go where each driver takes them: libpq's connect_timeout and a server-side
statement_timeout (per transaction) for PostgreSQL, the busy timeout for SQLite. Other dialects get none and rely on
guard's own deadline in guard.health.db.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from guard.errors import ConfigError
from guard.health.dburl import DatabaseUrl
from guard.health.dburl import parse

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

    from guard.settings import HealthSettings

# libpq rounds connect_timeout to whole seconds and treats anything below 2 as 2.
# https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-CONNECT-TIMEOUT
_LIBPQ_MIN_CONNECT_TIMEOUT = 2


def open_engine(url: DatabaseUrl, settings: HealthSettings, *, root: Path | None = None) -> Engine | str:
    """An engine for `url`, or why there is nothing to connect to (a missing SQLite file).

    Raises ConfigError for timeouts that could wait forever and for a dialect with no driver.
    """
    _check_timeouts(settings)
    parsed = _prepare(parse(url.secret, url.source), root)
    missing = _missing_sqlite_file(parsed)
    if missing:
        return f'database file not found: {missing}'
    return _engine(parsed, settings, url)


def _check_timeouts(settings: HealthSettings) -> None:
    for key, value in (('connect-timeout', settings.connect_timeout), ('statement-timeout', settings.statement_timeout)):
        if value <= 0:
            raise ConfigError(f'health.{key} must be more than 0 seconds, got {value:g}: a health check must never wait forever')


def _prepare(url: URL, root: Path | None) -> URL:
    """Pick an installed PostgreSQL driver, and read relative SQLite paths from the root."""
    if url.drivername == 'postgresql' and not _importable('psycopg'):
        # SQLAlchemy 2.1 maps postgresql:// to psycopg 3; guard depends on psycopg2.
        url = url.set(drivername='postgresql+psycopg2')
    if url.get_backend_name() == 'sqlite' and root is not None and _is_file_db(url):
        path = Path(url.database or '')
        if not path.is_absolute():
            url = url.set(database=str(root / path))
    return url


def _missing_sqlite_file(url: URL) -> str:
    # Connecting would create an empty database, which would then look merely empty.
    if url.get_backend_name() != 'sqlite' or not _is_file_db(url) or url.query.get('uri'):
        return ''
    return '' if Path(url.database or '').is_file() else str(url.database)


def _is_file_db(url: URL) -> bool:
    return bool(url.database) and url.database != ':memory:'


def _engine(url: URL, settings: HealthSettings, shown: DatabaseUrl) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError
    from sqlalchemy.exc import NoSuchModuleError
    from sqlalchemy.pool import NullPool
    try:
        return create_engine(url, poolclass=NullPool, connect_args=_connect_args(url, settings))
    except (NoSuchModuleError, ImportError) as e:
        why = shown.scrub(str(e))
        raise ConfigError(f'{shown.masked}: no database driver for {url.drivername!r} is installed ({why})') from None
    except ArgumentError as e:
        raise ConfigError(f'{shown.masked}: {shown.scrub(str(e))}') from None


def _connect_args(url: URL, settings: HealthSettings) -> dict[str, Any]:
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend == 'postgresql' and driver in ('psycopg2', 'psycopg'):
        # statement_timeout is set per transaction (see statement_limit), not as a startup
        # `options` parameter: PgBouncer refuses connections that carry one.
        return {
            'connect_timeout': max(_LIBPQ_MIN_CONNECT_TIMEOUT, math.ceil(settings.connect_timeout)),
            'application_name': 'guard health',
        }
    if backend == 'sqlite':
        return {'timeout': settings.statement_timeout}  # how long to wait for a writer's lock
    return {}


def statement_limit(conn: Connection, seconds: float) -> None:
    """Bound every statement of the current transaction on the server, where the dialect allows it."""
    if conn.dialect.name == 'postgresql':
        from sqlalchemy import text
        # SET LOCAL ends with the transaction, so it cannot leak through a transaction-pooling proxy.
        conn.execute(text(f'SET LOCAL statement_timeout = {math.ceil(seconds * 1000)}'))


def _importable(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None
