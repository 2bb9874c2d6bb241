"""The engine for a health check: the right driver, timeouts the driver enforces, no pool.

Timeouts go where each driver takes them: libpq's connect_timeout and a server-side
statement_timeout (per transaction) for PostgreSQL, the busy timeout for SQLite. Other dialects get none and rely on
guard's own deadline in guard.health.db.
"""

from __future__ import annotations

import math
import os
import stat
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
    if url.from_repository:
        _confine_sqlite(parsed, url, root)
    missing = _missing_sqlite_file(parsed)
    if missing:
        return f'database file not found: {missing}'
    return _engine(parsed, settings, url)


def _check_timeouts(settings: HealthSettings) -> None:
    for key, value in (
        ('connect-timeout', settings.connect_timeout),
        ('statement-timeout', settings.statement_timeout),
    ):
        if value <= 0:
            raise ConfigError(
                f'health.{key} must be more than 0 seconds, got {value:g}: a health check must never wait forever'
            )


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


def _confine_sqlite(url: URL, shown: DatabaseUrl, root: Path | None) -> None:
    """A SQLite file a project's own env file names lies in the root, reached without a symlink at
    any component: else guard, run by root, would open (and report the tables of) any database on
    the machine, and say whether a path it cannot list exists (finding 16b-05). Checked before the
    file's existence is, so the refusal says nothing about the path."""
    if url.get_backend_name() != 'sqlite' or not _is_file_db(url):
        return
    refusal = (
        f"{shown.source}: a project's env file may name a SQLite database only inside the root, "
        'reached without a symlink; set the URL in the environment or health.db-url in a trusted config'
    )
    database = url.database or ''
    if root is None or url.query.get('uri') or database.startswith('file:'):
        raise ConfigError(refusal)
    path = os.path.normpath(database)
    # The root as given (relative paths were joined to it) or resolved (an absolute path to it).
    tops = [t for t in {os.path.abspath(root), os.path.realpath(root)} if os.path.commonpath((t, path)) == t]
    if not tops or path in tops:
        raise ConfigError(refusal)
    top = tops[0]
    current = top
    for name in os.path.relpath(path, top).split('/'):
        current = os.path.join(current, name)
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                raise ConfigError(refusal)
        except FileNotFoundError:
            return


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

    if shown.from_repository:
        _check_repository_driver(url, shown)
    try:
        return create_engine(url, poolclass=NullPool, connect_args=_connect_args(url, settings, shown))
    except (NoSuchModuleError, ImportError) as e:
        why = shown.scrub(str(e))
        raise ConfigError(f'{shown.masked}: no database driver for {url.drivername!r} is installed ({why})') from None
    except ArgumentError as e:
        raise ConfigError(f'{shown.masked}: {shown.scrub(str(e))}') from None


# The drivers a URL from a repository file may use: each is one whose reading of guard's own
# environment and files guard can switch off (libpq's, below) or that reads none (SQLite).
_REPOSITORY_DRIVERS = {('postgresql', 'psycopg2'), ('postgresql', 'psycopg'), ('sqlite', 'pysqlite')}

# What libpq takes from guard's environment and home when a URL leaves it out: PGHOST, PGPASSWORD,
# PGPASSFILE / ~/.pgpass, PGSERVICE's entries, PGSSLCERT / PGSSLKEY / ~/.postgresql/postgresql.crt,
# PGUSER, PGOPTIONS, a Kerberos ticket... For a URL a repository wrote, each keyword it does not set
# is set here to libpq's plain default, so that neither the variable nor the file is consulted
# (an explicit keyword wins over both: libpq's conninfo_add_defaults). Paths under /dev/null cannot
# exist, so libpq finds no password file or client certificate there and says nothing.
# https://www.postgresql.org/docs/current/libpq-envars.html
LIBPQ_CONFINED = {
    'host': '',
    'hostaddr': '',
    'port': '',
    'dbname': '',
    'user': '',
    'options': '',
    'password': '',
    'passfile': '/dev/null/guard-no-passfile',
    'sslmode': 'prefer',
    'sslcert': '/dev/null/guard-no-cert',
    'sslkey': '/dev/null/guard-no-key',
    'sslpassword': '',
    'sslcertmode': 'disable',
    # guard's Kerberos ticket is a credential too: no GSS encryption, delegation or authentication.
    'gssencmode': 'disable',
    'gssdelegation': '0',
    'require_auth': '!gss,!sspi',
}


def _check_repository_driver(url: URL, shown: DatabaseUrl) -> None:
    if (url.get_backend_name(), url.get_driver_name()) not in _REPOSITORY_DRIVERS:
        raise ConfigError(
            f"{shown.source}: guard connects to a URL from a project's own file only with "
            f"PostgreSQL (psycopg2) or SQLite, not {url.drivername!r}, whose driver may add guard's "
            'own credentials from its environment; set this URL in the environment or '
            'health.db-url in a trusted config'
        )


def confined_libpq_args(url: URL, driver: str) -> dict[str, str]:
    """libpq keywords that keep guard's environment out of a connection to `url`, for those the URL
    does not set itself (SQLAlchemy lets connect_args override the URL) and this libpq knows."""
    given = set(url.translate_connect_args(username='user', database='dbname')) | set(url.query)
    known = _libpq_keywords(driver)
    return {k: v for k, v in LIBPQ_CONFINED.items() if k not in given and k in known}


def _libpq_keywords(driver: str) -> frozenset[str]:
    """The keywords of LIBPQ_CONFINED the installed libpq accepts (sslcertmode, require_auth and
    gssdelegation are PostgreSQL 16's): an unknown one would fail every connection."""
    known = _KNOWN.get(driver)
    if known is None:
        known = _KNOWN[driver] = frozenset(k for k in LIBPQ_CONFINED if _libpq_accepts(driver, k))
    return known


_KNOWN: dict[str, frozenset[str]] = {}


def _libpq_accepts(driver: str, keyword: str) -> bool:
    try:
        if driver == 'psycopg':
            from psycopg.conninfo import conninfo_to_dict  # type: ignore[import-not-found,unused-ignore]

            conninfo_to_dict(f'{keyword}=x')
        else:
            from psycopg2.extensions import parse_dsn  # type: ignore[import-untyped,unused-ignore]

            parse_dsn(f'{keyword}=x')
    except Exception:  # the driver's 'invalid connection option'
        return False
    return True


def _connect_args(url: URL, settings: HealthSettings, shown: DatabaseUrl | None = None) -> dict[str, Any]:
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend == 'postgresql' and driver in ('psycopg2', 'psycopg'):
        # statement_timeout is set per transaction (see statement_limit), not as a startup
        # `options` parameter: PgBouncer refuses connections that carry one.
        confined = confined_libpq_args(url, driver) if shown is not None and shown.from_repository else {}
        return {
            **confined,
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
