"""The settings sections of a config: `[tool.guard.purge]`, `.clean`, `.health`, `.alerts`, `.audit`, `.watch`.

Frozen dataclasses, validated by guard.config like the top-level keys. Each field's default, kind,
allowed values, trust class and documentation are in guard.schema (the one table of keys); the
annotations here are for the type checker, and a test checks they agree with the schema. They live
apart from `Config` because only purge, clean, health and the daemon read them: the commit hook never
imports this module (`dataclasses` alone costs ~10 ms there), and `Config` builds a section on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from guard import schema

# Kept for the modules that import them from here.
DEFAULT_PROTECTED = schema.DEFAULT_PROTECTED
DEFAULT_EPHEMERAL = schema.DEFAULT_EPHEMERAL


def _default(name: str) -> Any:
    """The schema's default for a field; a table (dict) is copied per instance, as dataclasses require."""
    value = schema.default(name)
    if isinstance(value, dict):
        return field(default_factory=lambda: dict(value))
    return field(default=value)


@dataclass(frozen=True)
class PurgeSettings:
    """`[tool.guard.purge]`: what a purge may clear and what it must never touch (see guard.safety.paths)."""

    protected: tuple[str, ...] = _default('purge.protected')
    ephemeral: tuple[str, ...] = _default('purge.ephemeral')
    active_logs: tuple[str, ...] = _default('purge.active-logs')
    keep_rotated: int = _default('purge.keep-rotated')
    before: tuple[str, ...] = _default('purge.before')
    after: tuple[str, ...] = _default('purge.after')
    full: tuple[str, ...] = _default('purge.full')
    command_timeout: float = _default('purge.command-timeout')
    lock_timeout: float = _default('purge.lock-timeout')


@dataclass(frozen=True)
class CleanSettings:
    """`[tool.guard.clean]`: where quarantined venv artifacts go. guard writes a `.gitignore` of `*` into it."""

    quarantine_dir: str = _default('clean.quarantine-dir')
    keep_days: int = _default('clean.keep-days')
    max_quarantine_mb: int = _default('clean.max-quarantine-mb')


@dataclass(frozen=True)
class HealthSettings:
    """`[tool.guard.health]`: what `guard health` checks and when a check counts as failed."""

    checks: tuple[str, ...] = _default('health.checks')
    db_url: str = _default('health.db-url')
    db_url_env: str = _default('health.db-url-env')
    env_file: str = _default('health.env-file')
    tables: tuple[str, ...] = _default('health.tables')
    min_rows: Mapping[str, int] = _default('health.min-rows')
    row_count: str = _default('health.row-count')
    estimate_tables: tuple[str, ...] = _default('health.estimate-tables')
    connect_timeout: float = _default('health.connect-timeout')
    statement_timeout: float = _default('health.statement-timeout')
    min_free_disk_mb: int = _default('health.min-free-disk-mb')
    warn_free_disk_mb: int = _default('health.warn-free-disk-mb')
    log_paths: tuple[str, ...] = _default('health.log-paths')
    max_log_mb: int = _default('health.max-log-mb')
    warn_log_mb: int = _default('health.warn-log-mb')


@dataclass(frozen=True)
class AlertSettings:
    """`[tool.guard.alerts]`: where alerts go and how often a failing check repeats."""

    journal: bool = _default('alerts.journal')
    webhook: str = _default('alerts.webhook')
    webhook_timeout: float = _default('alerts.webhook-timeout')
    webhook_retries: int = _default('alerts.webhook-retries')
    webhook_backoff: float = _default('alerts.webhook-backoff')
    command: str = _default('alerts.command')
    command_timeout: float = _default('alerts.command-timeout')
    repeat_after: float = _default('alerts.repeat-after')
    failures_before_alert: int = _default('alerts.failures-before-alert')
    recovery: bool = _default('alerts.recovery')


@dataclass(frozen=True)
class AuditSettings:
    """`[tool.guard.audit]`: the SQLAlchemy URL of the audit store (SQLite in state-dir by default)."""

    url: str = _default('audit.url')


@dataclass(frozen=True)
class WatchSettings:
    """`[tool.guard.watch]`: how `guard watch` reacts to what it sees, and how quickly."""

    on_pollution: str = _default('watch.on-pollution')
    on_log_limit: str = _default('watch.on-log-limit')
    on_low_disk: str = _default('watch.on-low-disk')
    max_log_file_mb: int = _default('watch.max-log-file-mb')
    max_log_growth_mb_per_min: float = _default('watch.max-log-growth-mb-per-min')
    health_interval: float = _default('watch.health-interval')
    sweep_interval: float = _default('watch.sweep-interval')
    disk_interval: float = _default('watch.disk-interval')
    cooldown: float = _default('watch.cooldown')
    venv_quiet: float = _default('watch.venv-quiet')
    recover_after: float = _default('watch.recover-after')
    restore_hold: float = _default('watch.restore-hold')
    debounce: float = _default('watch.debounce')
    max_wait: float = _default('watch.max-wait')
    run_commands: bool = _default('watch.run-commands')
    metrics_file: str = _default('watch.metrics-file')
    max_pending: int = _default('watch.max-pending')


# Section name in a config (and attribute of Config) -> its class.
SECTIONS = {
    'purge': PurgeSettings,
    'clean': CleanSettings,
    'health': HealthSettings,
    'alerts': AlertSettings,
    'audit': AuditSettings,
    'watch': WatchSettings,
}
