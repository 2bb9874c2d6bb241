"""Table checks: the table exists and holds at least its minimum of rows.

Rows are counted exactly (COUNT(*)) unless the table is set to the planner's estimate. On
PostgreSQL the estimate is `pg_class.reltuples`, which costs one catalog lookup however big the
table is; -1 there means "never analysed" (PostgreSQL 14+), which is unknown, not empty.
https://www.postgresql.org/docs/current/catalog-pg-class.html
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from guard.errors import ConfigError
from guard.health.result import CheckResult
from guard.health.result import Perf
from guard.health.result import Status

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from guard.settings import HealthSettings

# Before PostgreSQL 14 a never-analysed table had reltuples 0, the same as an empty one.
_NEVER_ANALYSED_IS_MINUS_ONE = (14,)


@dataclass(frozen=True)
class TableSpec:
    """One configured table: `schema.table` or `table`, its minimum rows and how to count them."""

    name: str
    schema: str | None
    table: str
    min_rows: int | None
    estimate: bool

    @property
    def check_name(self) -> str:
        return f'table:{self.name}'


@dataclass(frozen=True)
class _Count:
    rows: int | None  # None: the planner has no statistics yet
    estimated: bool
    note: str = ''


def table_specs(settings: HealthSettings) -> list[TableSpec]:
    """health.tables in order, then tables that only appear in health.min-rows."""
    names = list(dict.fromkeys(settings.tables))
    names += sorted(set(settings.min_rows) - set(names))
    unknown = sorted(set(settings.estimate_tables) - set(names))
    if unknown:
        raise ConfigError(f'health.estimate-tables: {", ".join(unknown)} not in health.tables or health.min-rows')
    return [_spec(name, settings) for name in names]


def _spec(name: str, settings: HealthSettings) -> TableSpec:
    parts = name.split('.')
    if len(parts) > 2 or not all(part.strip() for part in parts):
        from guard.excerpt import quoted  # only on the error path: the value may be a credential

        raise ConfigError(f'health.tables: {quoted(name)} is not a table name (expected "table" or "schema.table")')
    schema, table = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    estimate = settings.row_count == 'estimate' or name in settings.estimate_tables
    return TableSpec(name, schema, table, settings.min_rows.get(name), estimate)


def check_table(conn: Connection, spec: TableSpec) -> CheckResult:
    """Count the table's rows and judge them against its minimum. Database errors propagate."""
    started = time.perf_counter()
    count = _count(conn, spec)
    seconds = time.perf_counter() - started
    if count is None:
        return CheckResult(spec.check_name, Status.FAIL, '', f'table {spec.name} does not exist', seconds)
    status, reason = _judge(spec, count)
    perf = (
        ()
        if count.rows is None
        else (Perf(f'{spec.name}_rows', count.rows, crit=f'{spec.min_rows}:' if spec.min_rows else '', min=0),)
    )
    return CheckResult(spec.check_name, status, _show(spec, count, status), reason, seconds, perf)


def _count(conn: Connection, spec: TableSpec) -> _Count | None:
    if spec.estimate and conn.dialect.name == 'postgresql':
        return _estimate(conn, spec)
    from sqlalchemy import func
    from sqlalchemy import inspect
    from sqlalchemy import select
    from sqlalchemy import table

    if not inspect(conn).has_table(spec.table, schema=spec.schema):
        return None
    rows = conn.execute(select(func.count()).select_from(table(spec.table, schema=spec.schema))).scalar_one()
    note = f'exact: {conn.dialect.name} has no row estimate' if spec.estimate else ''
    return _Count(int(rows), estimated=False, note=note)


def _estimate(conn: Connection, spec: TableSpec) -> _Count | None:
    from sqlalchemy import table
    from sqlalchemy import text

    # to_regclass resolves the name like the query would (search_path, quoting) and is NULL if absent.
    qualified = conn.dialect.identifier_preparer.format_table(table(spec.table, schema=spec.schema))
    row = conn.execute(
        text('SELECT reltuples, relpages FROM pg_class WHERE oid = to_regclass(:name)'),
        {'name': qualified},
    ).first()
    if row is None:
        return None
    reltuples, relpages = float(row[0]), int(row[1])
    old_server = (conn.dialect.server_version_info or (0,)) < _NEVER_ANALYSED_IS_MINUS_ONE
    if reltuples < 0 or (old_server and reltuples == 0 and relpages == 0):
        return _Count(None, estimated=True)
    return _Count(round(reltuples), estimated=True)


def _judge(spec: TableSpec, count: _Count) -> tuple[Status, str]:
    if not spec.min_rows:
        return Status.OK, ''
    if count.rows is None:
        return Status.WARN, f'cannot check the minimum of {spec.min_rows:,}: never analysed, run ANALYZE {spec.name}'
    if count.rows < spec.min_rows:
        return Status.FAIL, f'below the minimum of {_rows(spec.min_rows)}'
    return Status.OK, ''


def _show(spec: TableSpec, count: _Count, status: Status) -> str:
    if count.rows is None:
        return 'row count unknown (planner estimate: never analysed)'
    notes = ['planner estimate'] if count.estimated else [count.note] if count.note else []
    if spec.min_rows and status is Status.OK:
        notes.append(f'minimum {spec.min_rows:,}')
    text = f'~{_rows(count.rows)}' if count.estimated else _rows(count.rows)
    return text + (f' ({", ".join(notes)})' if notes else '')


def _rows(n: int) -> str:
    return f'{n:,} row{"" if n == 1 else "s"}'
