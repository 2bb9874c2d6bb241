"""The settings sections of a config: `[tool.guard.purge]`, `.clean`, `.health`, `.alerts`, `.audit`, `.watch`.

Frozen dataclasses, validated by guard.config like the top-level keys. They live apart from
`Config` because only purge, clean, health and the daemon read them: the commit hook never imports
this module (`dataclasses` alone costs ~10 ms there), and `Config` builds a section on first use.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

# Defaults for the safety core. Matching is by path components and globs, never by substring.
DEFAULT_PROTECTED = (
    'models/', 'config/', 'src/', 'scripts/', 'docs/', '.git/', '.gitignore', '.env', '.env.example',
    'requirements*.txt', 'pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile', 'Pipfile.lock',
    'poetry.lock', 'Dockerfile', 'Dockerfile.*', '*.dockerfile', 'docker-compose*.yml',
    'docker-compose*.yaml', 'compose*.yml', 'compose*.yaml', '.guard/',
)
DEFAULT_EPHEMERAL = (
    'logs/', 'data/redis/', 'data/temp/', '**/__pycache__/', '.pytest_cache/', '.mypy_cache/',
    '.ruff_cache/', '.hypothesis/',
)


@dataclass(frozen=True)
class PurgeSettings:
    """`[tool.guard.purge]`: what a purge may clear and what it must never touch.

    Both lists use gitignore syntax and match whole path components. `protected` patterns without
    an inner slash match at any depth (`.env` protects every .env); `ephemeral` ones are anchored
    at the root unless they start with `**/`. Anything at or below a protected path is protected;
    inside an ephemeral path the deepest match decides, protection winning ties.
    """

    protected: tuple[str, ...] = DEFAULT_PROTECTED
    ephemeral: tuple[str, ...] = DEFAULT_EPHEMERAL
    # File names (globs) of logs: when a running process holds one open it is truncated in place
    # (deleting it would free nothing until the process restarts).
    active_logs: tuple[str, ...] = ('*.log', '*.log.*', '*.out')
    # Keep this many old copies (<log>.1 .. <log>.N): the log is copied to .1 before truncation.
    keep_rotated: int = 0
    # Service commands (split like a shell, run without one, in the root): before and after the
    # purge; `full` runs after `before` only with --full (destructive extras such as volume removal).
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    full: tuple[str, ...] = ()
    command_timeout: float = 300.0
    # Seconds a second purge/clean/restore of the same root waits for the first one (0: fail at once).
    lock_timeout: float = 0.0


@dataclass(frozen=True)
class CleanSettings:
    """`[tool.guard.clean]`: where quarantined venv artifacts go (relative to the root, or absolute
    on the same filesystem: entries move by rename). guard writes a `.gitignore` of `*` into it."""

    quarantine_dir: str = '.guard/quarantine'
    # Retention, applied by `guard watch`: quarantines older than this many days go (0: kept forever),
    # and the oldest go while all of them take more than max-quarantine-mb (0: no cap).
    keep_days: int = 0
    max_quarantine_mb: int = 0


@dataclass(frozen=True)
class HealthSettings:
    """`[tool.guard.health]`: what `guard health` checks and when a check counts as failed."""

    # Which checks run: database (with its tables), disk, logs, pollution.
    checks: tuple[str, ...] = ('database', 'disk', 'logs', 'pollution')
    # The database URL: db-url if set, else the variable db-url-env names, else DB_URL / DATABASE_URL,
    # each looked up in the environment first and then in env-file (relative to the root).
    db_url: str = ''
    db_url_env: str = ''
    env_file: str = '.env'
    tables: tuple[str, ...] = ()
    min_rows: Mapping[str, int] = field(default_factory=dict)
    # exact: COUNT(*); estimate: the planner's statistics (PostgreSQL), never a full scan.
    row_count: str = 'exact'
    # Tables always counted by estimate whatever row-count says (the huge ones).
    estimate_tables: tuple[str, ...] = ()
    connect_timeout: float = 3.0
    statement_timeout: float = 5.0
    # Free space on the root's filesystem: below min fails, below warn warns (0 = no limit).
    min_free_disk_mb: int = 100
    warn_free_disk_mb: int = 0
    log_paths: tuple[str, ...] = ('logs/',)
    # Total size of the log paths: above max fails, above warn warns (0 = no limit).
    max_log_mb: int = 0
    warn_log_mb: int = 0


@dataclass(frozen=True)
class AlertSettings:
    """`[tool.guard.alerts]`: where alerts go and how often a failing check repeats."""

    journal: bool = True
    # An http(s) URL that receives a JSON POST per alert. It may hold a token: set it through
    # GUARD_ALERTS_WEBHOOK rather than a committed file.
    webhook: str = ''
    # The whole delivery, retries included, ends after webhook-timeout seconds.
    webhook_timeout: float = 5.0
    webhook_retries: int = 3
    webhook_backoff: float = 0.5
    # Run through /bin/sh with the alert in GUARD_* environment variables.
    command: str = ''
    command_timeout: float = 10.0
    # Seconds before a still-failing check alerts again (0 = never).
    repeat_after: float = 3600.0
    # Consecutive failed checks before the first alert, so one blip does not page anyone.
    failures_before_alert: int = 1
    recovery: bool = True


@dataclass(frozen=True)
class AuditSettings:
    """`[tool.guard.audit]`: the SQLAlchemy URL of the audit store (SQLite in state-dir by default)."""

    url: str = ''


@dataclass(frozen=True)
class WatchSettings:
    """`[tool.guard.watch]`: how `guard watch` reacts to what it sees, and how quickly."""

    # alert | quarantine (guard clean's code: venv entries only; an env file is alerted, never moved) | off
    on_pollution: str = 'alert'
    # purge (the purge engine on the log paths only) | alert | off
    on_log_limit: str = 'alert'
    # purge (the ephemeral set) and alert | alert | off; the limit is health.min-free-disk-mb
    on_low_disk: str = 'alert'
    # One log file above this size, or the logs growing faster than this, counts as over the limit (0 = no limit).
    max_log_file_mb: int = 0
    max_log_growth_mb_per_min: float = 0.0
    health_interval: float = 60.0
    sweep_interval: float = 30.0
    # Seconds between looks at free disk space (one statvfs): low disk is caught within this.
    disk_interval: float = 2.0
    # Seconds after an action on a target before the daemon may act on it again.
    cooldown: float = 300.0
    # A Python environment in the root is quarantined once nothing in it changed for this long
    # (`python -m venv .` writes for seconds after its pyvenv.cfg appears): one move, all of it.
    venv_quiet: float = 3.0
    # After the daemon acted on a check (a purge of the logs or the disk), its recovery is announced
    # only once it stayed fine this long: a steady writer purged again and again does not page
    # "recovered" and "failing" at every purge.
    recover_after: float = 60.0
    # Seconds the daemon leaves what `guard restore` put back alone (0: no hold; --release ends it).
    restore_hold: float = 3600.0
    # A path is handled once it has been quiet this long, or at the latest max-wait after its first change.
    debounce: float = 0.5
    max_wait: float = 5.0
    # The purge's before/after/full service commands run from the daemon only when this is true.
    run_commands: bool = False
    # A Prometheus textfile (node_exporter's textfile collector), written atomically; '' = none.
    metrics_file: str = ''
    # Paths remembered between debounce rounds; past it, changes collapse into "rescan this folder".
    max_pending: int = 10000


# Section name in a config (and attribute of Config) -> its class.
SECTIONS = {
    'purge': PurgeSettings,
    'clean': CleanSettings,
    'health': HealthSettings,
    'alerts': AlertSettings,
    'audit': AuditSettings,
    'watch': WatchSettings,
}
