"""The audit store: who purged, cleaned, restored or alerted, when, where, and what came of it.

One SQLAlchemy database, an SQLite file in guard's state directory by default; any SQLAlchemy URL
(PostgreSQL for a fleet of servers) through `[tool.guard.audit] url`. An operation writes its row
with outcome 'running' before it touches anything and commits at once, so a crash mid-purge leaves
a row that `history()` reads back as 'interrupted' once its process is gone.
Secrets never go in: details pass guard's one scrubber (guard.redact.scrub_any), which masks values
under secret-looking keys, URL passwords and credential options (`--password=...`) inside any string.
"""

from __future__ import annotations

import os
import pwd
import socket
import stat
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from guard.errors import AuditError
from guard.errors import AuditWriteError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy import Table
    from sqlalchemy.engine import URL

    from guard.config import Config

T = TypeVar('T')

RUNNING = 'running'
INTERRUPTED = 'interrupted'
TRIGGERS = ('manual', 'daemon')  # what the safety operations pass; alerts may name their own


@dataclass(frozen=True)
class AuditRecord:
    """One recorded operation. `paths` holds (path relative to root, bytes, outcome) per path."""

    id: int
    kind: str
    root: str
    trigger: str
    user: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    bytes: int
    detail: dict[str, Any]
    paths: tuple[tuple[str, int, str], ...]

    @property
    def via(self) -> str:
        """Who ran sudo to become `user` (SUDO_USER), or ''."""
        return str(self.detail.get('via', ''))


class AuditStore:
    """Transactional writes to the audit tables; open with `AuditStore.open(config)`."""

    def __init__(self, engine: Engine, *, label: str, secrets: tuple[str, ...] = ()) -> None:
        self._engine = engine
        self._label = label
        self._secrets = secrets  # pieces of the URL's password a driver's message may quote
        self._events, self._paths = _tables()
        self._dir_fd = -1  # the pinned state directory a local store is reached through

    @classmethod
    def open(cls, config: Config) -> AuditStore:
        """Connect to `config.audit.url` (default: SQLite in the state directory) and create the tables."""
        if config.audit.url:
            return cls.open_url(config.audit.url)
        return cls.open_local(config.state_path())

    @classmethod
    def open_local(cls, state_dir: Path, name: str = 'audit.db') -> AuditStore:
        """The SQLite store in guard's state directory, reached only through that directory pinned
        (guard.ownfiles): no link followed on the way, the directory and the file guard's own and
        private, or it is refused before SQLite reads a byte."""
        from guard import ownfiles
        from guard.errors import UnsafeOperationError

        shown = state_dir / name
        try:
            dir_fd = ownfiles.open_dir(state_dir, create=True)
        except UnsafeOperationError as e:
            raise AuditError(f'refusing the audit store {shown}: {e}') from None
        except OSError as e:
            raise AuditError(f'cannot open the directory of the audit store {shown}: {e.strerror}') from None
        try:
            try:
                # O_PATH: closing it releases no POSIX lock. A readable descriptor closed here would drop
                # the locks SQLite holds on this file for another store of this process (a reload opens
                # the new store before it closes the old), and the old store's close would then delete
                # the -wal and -shm files the new one still uses: "disk I/O error" at the next reload.
                # (O_PATH | O_NOFOLLOW opens a symlink itself rather than failing: said first.)
                if stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
                    raise ownfiles.refuse(str(shown), 'it is a symlink, where guard expects its own file')
                os.close(ownfiles.open_file(dir_fd, name, os.O_PATH, create=False, shown=str(shown)))
            except FileNotFoundError:  # a new store: no connection of this process can hold it yet
                os.close(ownfiles.open_file(dir_fd, name, os.O_RDONLY, shown=str(shown)))
            store = cls.open_url(f'sqlite:///{ownfiles.fd_path(dir_fd, name)}', label=f'sqlite:///{shown}')
        except UnsafeOperationError as e:
            os.close(dir_fd)
            raise AuditError(f'refusing the audit store: {e}') from None
        except BaseException:
            os.close(dir_fd)
            raise
        store._dir_fd = dir_fd
        return store

    @classmethod
    def open_url(cls, url: str, *, label: str = '') -> AuditStore:
        from guard.redact import url_secrets

        engine, shown = _engine(url)
        store = cls(engine, label=label or shown, secrets=url_secrets(url))
        if engine.dialect.name == 'sqlite' and engine.url.database:
            _refuse_foreign_objects(engine.url.database, store._label)
        store._guarded(lambda: store._events.metadata.create_all(engine), 'open')
        return store

    def progress(self, event_id: int, paths: Iterable[tuple[str, int, str]], *, files: int, bytes: int) -> None:
        """Record what a running operation has done so far (a batch of paths and the totals), so
        an operation that is killed leaves a record of what it had already done."""
        rows = [{'event_id': event_id, 'path': p, 'bytes': int(b), 'outcome': o} for p, b, o in paths]

        def write() -> None:
            from sqlalchemy import select

            with self._engine.begin() as conn:
                old = conn.execute(select(self._events.c.detail).where(self._events.c.id == event_id)).scalar()
                detail = {**(old or {}), 'done_files': int(files)}
                conn.execute(
                    self._events.update().where(self._events.c.id == event_id).values(bytes=int(bytes), detail=detail)
                )
                if rows:
                    conn.execute(self._paths.insert(), rows)

        self._guarded(write, 'write to')

    def begin(
        self, kind: str, root: str | Path, *, trigger: str = 'manual', detail: Mapping[str, Any] | None = None
    ) -> int:
        """Record that an operation starts; committed at once so a crash leaves the row behind."""
        values = {
            'kind': kind,
            'root': os.fspath(root),
            'trigger': trigger,
            'user': _user(),
            'host': socket.gethostname(),
            'pid': os.getpid(),
            'pid_start': _process_start(os.getpid()),
            'started_at': _now(),
            'outcome': RUNNING,
            'bytes': 0,
            'detail': _with_via(scrub(detail or {})),
        }
        return self._insert_event(values)

    def finish(
        self,
        event_id: int,
        outcome: str,
        *,
        paths: Iterable[tuple[str, int, str]] = (),
        bytes: int = 0,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Close an operation: outcome, bytes and per-path results in one transaction."""
        rows = [{'event_id': event_id, 'path': p, 'bytes': int(b), 'outcome': o} for p, b, o in paths]

        def write() -> None:
            from sqlalchemy import select

            with self._engine.begin() as conn:
                values: dict[str, Any] = {'outcome': outcome, 'finished_at': _now(), 'bytes': int(bytes)}
                if detail is not None:
                    old = conn.execute(select(self._events.c.detail).where(self._events.c.id == event_id)).scalar()
                    values['detail'] = {**(old or {}), **scrub(detail)}
                conn.execute(self._events.update().where(self._events.c.id == event_id).values(**values))
                if rows:
                    conn.execute(self._paths.insert(), rows)

        self._guarded(write, 'write to')

    def record(
        self, kind: str, root: str | Path, *, trigger: str, outcome: str, detail: Mapping[str, Any] | None = None
    ) -> int:
        """A one-shot event (an alert, a refused operation): started and finished at once."""
        now = _now()
        values = {
            'kind': kind,
            'root': os.fspath(root),
            'trigger': trigger,
            'user': _user(),
            'host': socket.gethostname(),
            'pid': os.getpid(),
            'pid_start': _process_start(os.getpid()),
            'started_at': now,
            'finished_at': now,
            'outcome': outcome,
            'bytes': 0,
            'detail': _with_via(scrub(detail or {})),
        }
        return self._insert_event(values)

    def import_event(self, values: Mapping[str, Any], paths: Iterable[tuple[str, int, str]]) -> int:
        """Insert an event recorded elsewhere (a daemon's spool), once: an event with the same
        host, pid, start time and `spool_id` already here is left as it is (forwarding is retried
        after a crash, and must not double a record)."""
        from sqlalchemy import select

        row = {
            k: values[k]
            for k in ('kind', 'root', 'trigger', 'user', 'host', 'pid', 'pid_start', 'outcome', 'bytes', 'detail')
        }
        row['started_at'] = _utc(values['started_at'])
        row['finished_at'] = _utc(values['finished_at']) if values.get('finished_at') else None
        key = (row['detail'] or {}).get('spool_id')
        e = self._events.c

        def write() -> int:
            with self._engine.begin() as conn:
                same = conn.execute(
                    select(e.id, e.detail)
                    .where(e.host == row['host'], e.pid == row['pid'], e.kind == row['kind'], e.root == row['root'])
                    .order_by(e.id.desc())
                    .limit(1000)
                ).all()
                for found_id, detail in same:
                    if key and (detail or {}).get('spool_id') == key:
                        return int(found_id)
                found = conn.execute(self._events.insert().values(**row)).inserted_primary_key
                assert found is not None
                event_id = int(found[0])
                rows = [{'event_id': event_id, 'path': p, 'bytes': int(b), 'outcome': o} for p, b, o in paths]
                if rows:
                    conn.execute(self._paths.insert(), rows)
                return event_id

        return self._guarded(write, 'write to')

    def history(self, *, limit: int = 50, kind: str | None = None, root: str | None = None) -> list[AuditRecord]:
        """The newest events first, with their paths."""
        from sqlalchemy import select

        query = select(self._events).order_by(self._events.c.id.desc()).limit(limit)
        if kind and not kind.isascii():
            return []  # every kind is guard's own ASCII word; one that is not UTF-8 could not even be asked
        if kind:
            query = query.where(self._events.c.kind == kind)
        if root:
            query = query.where(self._events.c.root == os.fspath(root))

        def read() -> list[AuditRecord]:
            with self._engine.connect() as conn:
                events = conn.execute(query).mappings().all()
                ids = [e['id'] for e in events]
                per_event: dict[int, list[tuple[str, int, str]]] = {i: [] for i in ids}
                if ids:
                    p = self._paths.c
                    for row in conn.execute(
                        select(p.event_id, p.path, p.bytes, p.outcome).where(p.event_id.in_(ids)).order_by(p.id)
                    ):
                        per_event[row.event_id].append((row.path, row.bytes, row.outcome))
            return [_to_record(e, per_event[e['id']]) for e in events]

        return self._guarded(read, 'read')

    def close(self) -> None:
        self._engine.dispose()
        if self._dir_fd >= 0:
            os.close(self._dir_fd)
            self._dir_fd = -1

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _insert_event(self, values: dict[str, Any]) -> int:
        def write() -> int:
            with self._engine.begin() as conn:
                key = conn.execute(self._events.insert().values(**values)).inserted_primary_key
                assert key is not None
                return int(key[0])

        return self._guarded(write, 'write to')

    def _guarded(self, action: Callable[[], T], verb: str) -> T:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return action()
        except SQLAlchemyError as e:
            from guard.redact import without

            reason = without(str(getattr(e, 'orig', None) or e).strip().splitlines()[0], self._secrets)
            raise AuditWriteError(f'cannot {verb} the audit store {self._label}: {reason}') from None


def scrub(value: Any) -> Any:
    """A copy of `value` safe to store: guard's one scrubber through the whole structure, credential
    forms and every token format the secret rules know (guard.scan.redaction), and every string a
    UTF-8 store takes (a name that is not UTF-8 in guard.fsname's form)."""
    from guard.scan.redaction import scrub_any

    return _storable(scrub_any(value))


def _storable(value: Any) -> Any:
    from guard.fsname import stored

    if isinstance(value, str):
        # Only a string a UTF-8 store refuses changes: detail is for reading, not for path lookups.
        return value if value.isascii() or value.isprintable() or not _has_surrogate(value) else stored(value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    return value


def _engine(url: str) -> tuple[Engine, str]:
    from sqlalchemy import create_engine
    from sqlalchemy import event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError
    from sqlalchemy.exc import NoSuchModuleError

    from guard.redact import mask_url
    from guard.redact import url_secrets
    from guard.redact import without

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # Never the value, not even scrubbed: a password holding `@` or `:` unencoded is what makes a
        # URL fail to parse (an int() of the password's tail as a port), so no reading of it is safe.
        raise AuditError(
            'audit url is not an SQLAlchemy URL (expected dialect://user:password@host/dbname, '
            'with any @ : / # ? % in the password percent-encoded)'
        ) from None
    parsed = _with_available_driver(parsed)
    # SQLAlchemy's own mask hides only the password it parsed: the rest of one holding an unencoded
    # `@` would show as the host. With more than one `@` the URL is shown as scheme://***@host (issue 16b, 01).
    label = mask_url(url) if url.count('@') > 1 else parsed.render_as_string(hide_password=True)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == 'sqlite':
        _prepare_sqlite_dir(parsed.database, label)
        connect_args['timeout'] = 30  # a purge and the daemon may write at the same moment
    elif parsed.get_backend_name() == 'postgresql':
        connect_args['connect_timeout'] = 5  # an unreachable fleet server must not hang a purge
    try:
        engine = create_engine(parsed, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as e:
        raise AuditError(f'audit url {label}: no driver for it ({without(str(e), url_secrets(url))})') from None
    except (ArgumentError, ValueError) as e:
        raise AuditError(f'audit url {label}: {without(str(e), url_secrets(url))}') from None
    if parsed.get_backend_name() == 'sqlite':
        event.listen(engine, 'connect', _sqlite_pragmas)
    return engine, label


def _with_available_driver(parsed: URL) -> URL:
    """`postgresql://` means psycopg 3 to SQLAlchemy 2.1; fall back to psycopg2, which guard depends on."""
    if parsed.drivername != 'postgresql':
        return parsed
    import importlib.util

    if importlib.util.find_spec('psycopg') is None:
        return parsed.set(drivername='postgresql+psycopg2')
    return parsed


def _refuse_foreign_objects(database: str, label: str) -> None:
    """A store holding triggers or views was not made by guard (it creates two plain tables): a
    trigger that deletes rows would let a repository erase what guard records. Read-only, before
    anything else connects, so a refused store is left exactly as it was found."""
    import sqlite3
    from urllib.parse import quote

    if database == ':memory:' or not os.path.exists(database):
        return
    try:
        conn = sqlite3.connect(f'file:{quote(database)}?mode=ro', uri=True)
        try:
            found = conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise AuditWriteError(f'cannot open the audit store {label}: {e}') from None
    if found:
        names = ', '.join(f'{kind} {name}' for kind, name in found[:5])
        raise AuditError(
            f'refusing the audit store {label}: it holds {names}, which guard never creates; '
            'it was planted or edited by hand'
        )


def _prepare_sqlite_dir(database: str | None, label: str) -> None:
    if not database or database == ':memory:':
        return
    try:
        Path(database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as e:
        raise AuditError(f'cannot create the directory of the audit store {label}: {e.strerror}') from None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets `guard history` read while a purge writes; the busy timeout covers writer overlap.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute('PRAGMA journal_mode=WAL')
    finally:
        cursor.close()


def _has_surrogate(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


def _tables() -> tuple[Table, Table]:
    from sqlalchemy import JSON
    from sqlalchemy import BigInteger
    from sqlalchemy import Column
    from sqlalchemy import DateTime
    from sqlalchemy import ForeignKey
    from sqlalchemy import Integer
    from sqlalchemy import MetaData
    from sqlalchemy import String
    from sqlalchemy import Table
    from sqlalchemy import Text
    from sqlalchemy.types import TypeDecorator

    from guard.fsname import name_of
    from guard.fsname import stored

    class Name(TypeDecorator[str]):
        """A root or a path: any bytes a name may hold, kept as text every store takes (guard.fsname)."""

        impl = Text
        cache_ok = True

        def process_bind_param(self, value: str | None, dialect: object) -> str | None:
            return None if value is None else stored(value)

        def process_result_value(self, value: str | None, dialect: object) -> str | None:
            return None if value is None else name_of(value)

    metadata = MetaData()
    events = Table(
        'guard_audit_events',
        metadata,
        Column('id', Integer, primary_key=True, autoincrement=True),
        Column('kind', String(32), nullable=False, index=True),
        Column('root', Name, nullable=False, index=True),
        Column('trigger', String(16), nullable=False),
        Column('user', String(128), nullable=False),
        Column('host', String(255), nullable=False),
        Column('pid', Integer, nullable=False),
        Column('pid_start', BigInteger, nullable=True),
        Column('started_at', DateTime(timezone=True), nullable=False),
        Column('finished_at', DateTime(timezone=True), nullable=True),
        Column('outcome', String(32), nullable=False),
        Column('bytes', BigInteger, nullable=False, default=0),
        Column('detail', JSON, nullable=False),
    )
    paths = Table(
        'guard_audit_paths',
        metadata,
        Column('id', Integer, primary_key=True, autoincrement=True),
        Column(
            'event_id', Integer, ForeignKey('guard_audit_events.id', ondelete='CASCADE'), nullable=False, index=True
        ),
        Column('path', Name, nullable=False),
        Column('bytes', BigInteger, nullable=False),
        Column('outcome', String(32), nullable=False),
    )
    return events, paths


def _to_record(row: Any, paths: list[tuple[str, int, str]]) -> AuditRecord:
    outcome = row['outcome']
    if outcome == RUNNING and owner_gone(row['host'], row['pid'], row['pid_start']):
        outcome = INTERRUPTED
    return AuditRecord(
        id=row['id'],
        kind=row['kind'],
        root=row['root'],
        trigger=row['trigger'],
        user=row['user'],
        started_at=_utc(row['started_at']),
        finished_at=_utc(row['finished_at']) if row['finished_at'] else None,
        outcome=outcome,
        bytes=row['bytes'],
        detail=dict(row['detail'] or {}),
        paths=tuple(paths),
    )


def owner_gone(host: str, pid: int, pid_start: int | None) -> bool:
    """True when the process that wrote a 'running' row has died (only knowable on its own host)."""
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, owned by another user
    # The pid may have been reused by an unrelated process since: compare start times.
    return pid_start is not None and _process_start(pid) != pid_start


def _process_start(pid: int) -> int | None:
    """The process start time in clock ticks since boot (field 22 of /proc/PID/stat), or None."""
    try:
        with open(f'/proc/{pid}/stat', 'rb') as f:
            data = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = data[data.rfind(b')') + 2 :].split()
    return int(fields[19]) if len(fields) > 19 else None


def _user() -> str:
    """The name of the real uid. Not LOGNAME or USER: whoever runs guard sets those, so root's purge
    could be recorded as anyone's."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def _with_via(detail: dict[str, Any]) -> dict[str, Any]:
    """`via`: who ran sudo (SUDO_USER), kept apart from `user`, which the kernel vouches for.
    SUDO_USER is only a claim: it is recorded as said, never as the user."""
    sudo = os.environ.get('SUDO_USER')
    if sudo and sudo != _user():
        return {**detail, 'via': sudo[:128]}
    return detail


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
