"""`run_checks`: every configured check for one root, composed into a HealthReport."""

from __future__ import annotations

import time
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from guard.errors import ConfigError
from guard.health.result import CheckResult
from guard.health.result import HealthReport

if TYPE_CHECKING:
    from guard.config import Config

# The order checks run and are listed in.
CHECKS = ('database', 'disk', 'logs', 'pollution')


def run_checks(
    config: Config,
    root: str | Path | None = None,
    *,
    only: Iterable[str] | None = None,
    environ: Mapping[str, str] | None = None,
    root_fd: int | None = None,
) -> HealthReport:
    """Run health.checks (or `only` of them) for `root` and return the report; never prints.

    A database that is down is a FAIL in the report. A missing database URL, a bad URL or
    unknown check names raise ConfigError: no check result could be trusted. `root_fd` is the root
    as the caller pinned it (the daemon's): files the project names are read through it.
    """
    root = Path(root if root is not None else config.root).resolve()
    names = selected(config.health.checks, only)
    started_at, started = time.time(), time.perf_counter()
    results: list[CheckResult] = []
    database = ''
    if 'database' in names:
        from guard.health.db import check_db
        from guard.health.dburl import resolve

        url = resolve(config, root, environ, root_fd=root_fd)
        database = url.masked
        results.extend(check_db(url, config.health, root=root))
    if 'disk' in names:
        from guard.health.disk import check_disk

        results.append(check_disk(root, config.health))
    if 'logs' in names:
        from guard.health.logs import check_logs

        results.append(check_logs(root, config.health))
    if 'pollution' in names:
        from guard.health.pollution import check_pollution

        results.append(check_pollution(root))
    return HealthReport(str(root), tuple(results), started_at, time.perf_counter() - started, database)


def selected(configured: Iterable[str], only: Iterable[str] | None) -> tuple[str, ...]:
    """The checks to run, in CHECKS order; unknown names are a ConfigError naming the known ones."""
    configured = tuple(configured)
    for where, names in (('health.checks', configured), ('--check', tuple(only or ()))):
        unknown = [n for n in names if n not in CHECKS]
        if unknown:
            from guard.excerpt import quoted  # only on the error path: the value may be a credential

            raise ConfigError(f'{where}: unknown check {quoted(unknown[0])} (known: {", ".join(CHECKS)})')
    wanted = set(only) if only else set(configured)
    return tuple(name for name in CHECKS if name in wanted)
