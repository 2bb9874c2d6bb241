"""Configuration: `[tool.guard]` in pyproject.toml or a guard.toml, then GUARD_* variables, then flags.

Loading has two stages, as in gitleaks: a raw TOML mapping is validated field by field into a
frozen `Config`. Every error names the file (or variable, or flag), the key and what was expected.
Config is only ever read, never rewritten.
"""
from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guard.errors import ConfigError

SEVERITIES = ('note', 'warning', 'error')
CATEGORIES = ('secret', 'env-file', 'ip', 'abs-path', 'venv')

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
    at the root unless they start with `**/`. The deepest match decides, protection winning ties.
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
class Config:
    """Validated settings for one project root. Top-level keys configure `guard scan`."""

    exclude: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    fail_on: str = 'warning'
    max_file_size: int = 2_000_000
    baseline: str = ''
    allow_ips: tuple[str, ...] = ()
    jobs: int = 0
    state_dir: str = ''
    purge: PurgeSettings = field(default_factory=PurgeSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    # Not a key: where the project is and which file the settings came from.
    root: Path = field(default=Path('.'), metadata={'internal': True})
    source: str = field(default='defaults', metadata={'internal': True})

    def replace(self, where: str, **overrides: Any) -> Config:
        """Return a copy with top-level values overridden (by flags), validated like the file."""
        raw = {k.replace('_', '-'): v for k, v in overrides.items() if v is not None}
        return dataclasses.replace(self, **_validate_fields(Config, raw, where, prefix=''))

    def state_path(self) -> Path:
        """guard's own state directory (audit database, locks): never inside a scanned tree by accident."""
        if self.state_dir:
            return (self.root / self.state_dir).resolve()
        base = os.environ.get('XDG_STATE_HOME') or os.path.expanduser('~/.local/state')
        return Path(base) / 'guard'


_CHOICES: dict[str, tuple[str, ...]] = {
    'fail-on': SEVERITIES,
    'health.row-count': ('exact', 'estimate'),
}


def load(root: Path, *, config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the project's config file, then GUARD_* variables, into a validated Config."""
    environ = os.environ if environ is None else environ
    if config_file is None and environ.get('GUARD_CONFIG'):
        config_file = Path(environ['GUARD_CONFIG'])
    path, raw = _read_file(root, config_file)
    source = str(path) if path else 'defaults'
    # Validation resolves every section's type hints (~2 ms): pay for it only when something was
    # set. The defaults are valid by construction, and most projects set nothing.
    config = Config(**_validate_fields(Config, raw, source, prefix=''), root=root, source=source) if raw else \
        Config(root=root, source=source)
    if not any(name.startswith('GUARD_') for name in environ):
        return config
    return _apply_environ(config, environ)


def _read_file(root: Path, config_file: Path | None) -> tuple[Path | None, dict[str, Any]]:
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f'{config_file}: config file not found')
        return config_file, _table(config_file, _parse(config_file))
    guard_toml = root / 'guard.toml'
    if guard_toml.is_file():
        return guard_toml, _table(guard_toml, _parse(guard_toml))
    pyproject = root / 'pyproject.toml'
    if pyproject.is_file():
        data = _parse(pyproject)
        section = data.get('tool', {}).get('guard') if isinstance(data.get('tool'), dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError(f'{pyproject}: [tool.guard] must be a table')
            return pyproject, section
    return None, {}


def _parse(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(f'{path}: cannot read: {e.strerror}') from None
    # Most pyproject.toml files have no guard section; the hook should not pay for parsing them.
    if path.name == 'pyproject.toml' and b'guard' not in data:
        return {}
    import tomllib

    try:
        return tomllib.loads(data.decode('utf-8'))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f'{path}: invalid TOML: {e}') from None


def _table(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    # guard.toml may hold the keys at top level, or under [tool.guard] like pyproject.toml.
    tool = data.get('tool')
    if isinstance(tool, dict) and 'guard' in tool and len(data) == 1:
        section = tool['guard']
        if not isinstance(section, dict):
            raise ConfigError(f'{path}: [tool.guard] must be a table')
        return section
    return data


def _validate_fields(cls: type, raw: Mapping[str, Any], where: str, *, prefix: str) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get('internal')}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace('-', '_')
        if name not in fields or '_' in key:
            known = ', '.join(sorted(n.replace('_', '-') for n in fields))
            raise ConfigError(f'{where}: unknown key {prefix + key!r} (known keys: {known})')
        values[name] = _coerce(hints[name], value, where, f'{prefix}{key}')
    return values


def _coerce(hint: Any, value: Any, where: str, key: str) -> Any:
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f'{where}: {key} must be a table')
        return hint(**_validate_fields(hint, value, where, prefix=f'{key}.'))
    origin = typing.get_origin(hint)
    if origin is tuple:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f'{where}: {key} must be a list of strings, got {_show(value)}')
        return tuple(items)
    if origin in (Mapping, dict):
        if not isinstance(value, dict) or not all(_is_int(v) and v >= 0 for v in value.values()):
            raise ConfigError(f'{where}: {key} must be a table of whole numbers >= 0, got {_show(value)}')
        return types.MappingProxyType(dict(value))
    return _coerce_scalar(hint, value, where, key)


def _coerce_scalar(hint: Any, value: Any, where: str, key: str) -> Any:
    if hint is bool and isinstance(value, bool):
        return value
    if hint is int and _is_int(value):
        if value < 0:
            raise ConfigError(f'{where}: {key} must be >= 0, got {value}')
        return value
    if hint is float and (_is_int(value) or isinstance(value, float)):
        if value < 0:
            raise ConfigError(f'{where}: {key} must be >= 0, got {value}')
        return float(value)
    if hint is str and isinstance(value, str):
        choices = _CHOICES.get(key)
        if choices and value not in choices:
            raise ConfigError(f'{where}: {key} must be one of {", ".join(choices)}, got {value!r}')
        return value
    expected = {bool: 'true or false', int: 'a whole number', float: 'a number', str: 'a string'}[hint]
    raise ConfigError(f'{where}: {key} must be {expected}, got {_show(value)}')


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: Any) -> str:
    text = repr(value)
    return f'{type(value).__name__} {text if len(text) <= 40 else text[:37] + "..."}'


def _apply_environ(config: Config, environ: Mapping[str, str]) -> Config:
    """GUARD_FAIL_ON=error sets fail-on; GUARD_PURGE_KEEP_ROTATED=3 sets purge.keep-rotated."""
    hints = typing.get_type_hints(Config)
    top: dict[str, Any] = {}
    for f in dataclasses.fields(Config):
        if f.metadata.get('internal'):
            continue
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            section = getattr(config, f.name)
            values = _section_from_environ(hint, f.name, environ)
            if values:
                top[f.name] = dataclasses.replace(section, **values)
            continue
        var = f'GUARD_{f.name}'.upper()
        if var in environ:
            raw = {f.name.replace('_', '-'): _from_env(hint, environ[var], var)}
            top.update(_validate_fields(Config, raw, var, prefix=''))
    return dataclasses.replace(config, **top) if top else config


def _section_from_environ(cls: type, section: str, environ: Mapping[str, str]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for g in dataclasses.fields(cls):
        var = f'GUARD_{section}_{g.name}'.upper()
        if var in environ:
            raw = {g.name.replace('_', '-'): _from_env(hints[g.name], environ[var], var)}
            values.update(_validate_fields(cls, raw, var, prefix=f'{section}.'))
    return values


def _from_env(hint: Any, text: str, var: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is tuple:
        return [part.strip() for part in text.split(',') if part.strip()]
    if origin in (Mapping, dict):
        pairs: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in text.split(','))):
            name, sep, number = part.partition('=')
            if not sep or not number.strip().isdigit():
                raise ConfigError(f'{var}: expected NAME=COUNT pairs separated by commas, got {part!r}')
            pairs[name.strip()] = int(number)
        return pairs
    if hint is bool:
        lowered = text.strip().lower()
        if lowered not in ('1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'):
            raise ConfigError(f'{var}: expected true or false, got {text!r}')
        return lowered in ('1', 'true', 'yes', 'on')
    if hint in (int, float):
        try:
            return hint(text)
        except ValueError:
            raise ConfigError(f'{var}: expected {"a whole number" if hint is int else "a number"}, got {text!r}') from None
    return text
