"""Configuration: `[tool.guard]` in pyproject.toml or a guard.toml, then GUARD_* variables, then flags.

Loading has two stages, as in gitleaks: a raw TOML mapping is validated field by field into a
frozen `Config`. Every error names the file (or variable, or flag), the key and what was expected.
Config is only ever read, never rewritten.

Every commit hook loads a Config, so this module imports nothing heavy: a project with no settings
costs a few stat calls, and validating top-level keys needs neither typing nor dataclasses. The
sections (guard.settings, dataclasses) load only when one is set or used.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from guard.errors import ConfigError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from guard.scan.sources import StrPath
    from guard.settings import AlertSettings
    from guard.settings import AuditSettings
    from guard.settings import CleanSettings
    from guard.settings import HealthSettings
    from guard.settings import PurgeSettings
    from guard.settings import WatchSettings

SEVERITIES = ('note', 'warning', 'error')
CATEGORIES = ('secret', 'env-file', 'ip', 'abs-path', 'venv')

# Config's sections, in order: each is a guard.settings class, built with its defaults on first use.
SECTION_NAMES = ('purge', 'clean', 'health', 'alerts', 'audit', 'watch')


class Config:
    """Validated settings for one project root. Top-level keys configure `guard scan`.

    `root` (where the project is) and `source` (which file the settings came from) are not keys.
    Frozen like a dataclass, but not one: `dataclasses` costs ~10 ms to import on a commit hook that
    only reads the top-level keys, and the sections are built on first use for the same reason.
    """

    exclude: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    fail_on: str = 'warning'
    max_file_size: int = 2_000_000
    baseline: str = ''
    allow_ips: tuple[str, ...] = ()
    jobs: int = 0
    state_dir: str = ''
    purge: PurgeSettings
    clean: CleanSettings
    health: HealthSettings
    alerts: AlertSettings
    audit: AuditSettings
    watch: WatchSettings

    def __init__(self, *, root: StrPath | None = None, source: str = 'defaults', **values: Any) -> None:
        for name, value in values.items():
            if name not in _KEYS:
                raise TypeError(f'Config() got an unexpected keyword argument {name!r}')
            object.__setattr__(self, name, value)
        if root is None:
            from pathlib import Path

            root = Path('.')
        object.__setattr__(self, 'root', root)
        object.__setattr__(self, 'source', source)

    def __getattr__(self, name: str) -> Any:
        # Reached only for what __init__ did not set: a section nobody configured, built on first use.
        if name not in SECTION_NAMES:
            raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')
        from guard.settings import SECTIONS

        section = SECTIONS[name]()
        object.__setattr__(self, name, section)
        return section

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f'Config is frozen: cannot set {name!r} (use replace() or updated())')

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f'Config is frozen: cannot delete {name!r}')

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # equal configs may hold unhashable mappings

    def __repr__(self) -> str:
        return 'Config(' + ', '.join(f'{name}={value!r}' for name, value in self._fields().items()) + ')'

    def _fields(self) -> dict[str, Any]:
        return {'root': self.root, 'source': self.source, **{name: getattr(self, name) for name in _KEYS}}

    def updated(self, **values: Any) -> Config:
        """A copy with these fields replaced, as given (already validated values, such as a section)."""
        given = {name: value for name, value in vars(self).items() if name in _KEYS}
        return Config(root=self.root, source=self.source, **{**given, **values})

    def replace(self, where: str, **overrides: Any) -> Config:
        """Return a copy with top-level values overridden (by flags), validated like the file."""
        raw = {k.replace('_', '-'): v for k, v in overrides.items() if v is not None}
        return self.updated(**_validate_fields(Config, raw, where, prefix=''))

    def state_path(self) -> Path:
        """guard's own state directory (audit database, locks): never inside a scanned tree by accident."""
        from pathlib import Path

        if self.state_dir:
            return (Path(self.root) / self.state_dir).resolve()
        base = os.environ.get('XDG_STATE_HOME') or os.path.expanduser('~/.local/state')
        return Path(base) / 'guard'


_KEYS = tuple(Config.__annotations__)


_CHOICES: dict[str, tuple[str, ...]] = {
    'fail-on': SEVERITIES,
    'health.row-count': ('exact', 'estimate'),
    'watch.on-pollution': ('alert', 'quarantine', 'off'),
    'watch.on-log-limit': ('purge', 'alert', 'off'),
    'watch.on-low-disk': ('purge', 'alert', 'off'),
}


def load(root: StrPath, *, config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the project's config file, then GUARD_* variables, into a validated Config."""
    environ = os.environ if environ is None else environ
    path, raw = _read_file(root, config_file or environ.get('GUARD_CONFIG') or None)
    source = path or 'defaults'
    # The defaults are valid by construction, and most projects set nothing: validate only what is set.
    config = Config(**_validate_fields(Config, raw, source, prefix=''), root=root, source=source) if raw else \
        Config(root=root, source=source)
    if not any(name.startswith('GUARD_') for name in environ):
        return config
    return _apply_environ(config, environ)


def _read_file(root: StrPath, config_file: str | Path | None) -> tuple[str, dict[str, Any]]:
    """(the file's name, its guard table): ('', {}) when the project has no settings."""
    if config_file is not None:
        path = os.fspath(config_file)
        if not os.path.isfile(path):
            raise ConfigError(f'{path}: config file not found')
        return path, _table(path, _parse(path))
    guard_toml = os.path.join(root, 'guard.toml')
    if os.path.isfile(guard_toml):
        return guard_toml, _table(guard_toml, _parse(guard_toml))
    pyproject = os.path.join(root, 'pyproject.toml')
    if os.path.isfile(pyproject):
        data = _parse(pyproject)
        section = data.get('tool', {}).get('guard') if isinstance(data.get('tool'), dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError(f'{pyproject}: [tool.guard] must be a table')
            return pyproject, section
    return '', {}


def _parse(path: str) -> dict[str, Any]:
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise ConfigError(f'{path}: cannot read: {e.strerror}') from None
    # Most pyproject.toml files have no guard section; the hook should not pay for parsing them.
    if os.path.basename(path) == 'pyproject.toml' and b'guard' not in data:
        return {}
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        raise ConfigError(f'{path}: invalid TOML: {e}') from None
    from guard.scan import startup_cache

    # Parsed once per distinct text: tomllib costs ~10 ms to import, on every commit of a configured project.
    # A text that holds a credential is never written to the cache: guard writes no secret anywhere.
    return startup_cache.derived('toml', text, 0, lambda: _parse_toml(path, text),  # type: ignore[no-any-return]
                                 keep=lambda data: not _holds_credentials(path, text, data))


def _parse_toml(path: str, text: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f'{path}: invalid TOML: {e}') from None


# Settings that may carry a credential (a password in a URL, a token in a webhook or a command).
CREDENTIAL_KEYS = ('db-url', 'webhook', 'command', 'url', 'before', 'after', 'full')


def _holds_credentials(path: str, text: str, data: dict[str, Any]) -> bool:
    """Whether a settings file (its text, parsed as `data`) may hold a credential: a credential-bearing
    key is set in any table (say `health.db-url`), or guard's own secret rules find something in it."""
    tables = [data]
    while tables:
        table = tables.pop()
        if any(table.get(key) for key in CREDENTIAL_KEYS):
            return True
        tables.extend(value for value in table.values() if isinstance(value, dict))
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    secret_rules = [rule_id for rule_id, rule in RULES.items() if rule.category == 'secret']
    findings, suppressed = Scanner(secret_rules).scan(Document(os.path.basename(path), text))
    return bool(findings or suppressed)


def _table(path: str, data: dict[str, Any]) -> dict[str, Any]:
    # guard.toml may hold the keys at top level, or under [tool.guard] like pyproject.toml.
    tool = data.get('tool')
    if isinstance(tool, dict) and 'guard' in tool and len(data) == 1:
        section = tool['guard']
        if not isinstance(section, dict):
            raise ConfigError(f'{path}: [tool.guard] must be a table')
        return section
    return data


# Annotation text -> the kind of value a key takes. Annotations are strings (`from __future__ import
# annotations`), read as written: typing.get_type_hints would cost ~3 ms of import on every commit.
# Any other annotation names a section class in guard.settings.
_KINDS: dict[str, type] = {'str': str, 'int': int, 'float': float, 'bool': bool,
                           'tuple[str, ...]': tuple, 'Mapping[str, int]': dict}


def _hints(cls: type) -> dict[str, Any]:
    """Key name (snake_case) -> str, int, float, bool, tuple (of strings), dict (of whole numbers),
    or the name of a section class, for Config or a section."""
    return {name: _KINDS.get(text, text) for name, text in cls.__annotations__.items()}


def _is_section(hint: Any) -> bool:
    return isinstance(hint, str)


def _section_class(hint: str) -> type:
    from guard import settings  # dataclasses: paid only by a config that sets a section

    return vars(settings)[hint]  # type: ignore[no-any-return]


def _validate_fields(cls: type, raw: Mapping[str, Any], where: str, *, prefix: str) -> dict[str, Any]:
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace('-', '_')
        if name not in hints or '_' in key:
            known = ', '.join(sorted(n.replace('_', '-') for n in hints))
            raise ConfigError(f'{where}: unknown key {prefix + key!r} (known keys: {known})')
        values[name] = _coerce(hints[name], value, where, f'{prefix}{key}')
    return values


def _coerce(hint: Any, value: Any, where: str, key: str) -> Any:
    if _is_section(hint):
        if not isinstance(value, dict):
            raise ConfigError(f'{where}: {key} must be a table')
        section = _section_class(hint)
        return section(**_validate_fields(section, value, where, prefix=f'{key}.'))
    if hint is tuple:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f'{where}: {key} must be a list of strings, got {_show(value)}')
        return tuple(items)
    if hint is dict:
        if not isinstance(value, dict) or not all(_is_int(v) and v >= 0 for v in value.values()):
            raise ConfigError(f'{where}: {key} must be a table of whole numbers >= 0, got {_show(value)}')
        from types import MappingProxyType

        return MappingProxyType(dict(value))
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
    top: dict[str, Any] = {}
    for name, hint in _hints(Config).items():
        if _is_section(hint):
            if not any(var.startswith(f'GUARD_{name.upper()}_') for var in environ):
                continue  # (GUARD_CACHE_DIR and the like are no keys: they must not load the sections)
            values = _section_from_environ(_section_class(hint), name, environ)
            if values:
                import dataclasses

                top[name] = dataclasses.replace(getattr(config, name), **values)
            continue
        var = f'GUARD_{name}'.upper()
        if var in environ:
            raw = {name.replace('_', '-'): _from_env(hint, environ[var], var)}
            top.update(_validate_fields(Config, raw, var, prefix=''))
    return config.updated(**top) if top else config


def _section_from_environ(cls: type, section: str, environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, hint in _hints(cls).items():
        var = f'GUARD_{section}_{name}'.upper()
        if var in environ:
            raw = {name.replace('_', '-'): _from_env(hint, environ[var], var)}
            values.update(_validate_fields(cls, raw, var, prefix=f'{section}.'))
    return values


def _from_env(hint: Any, text: str, var: str) -> Any:
    if hint is tuple:
        return [part.strip() for part in text.split(',') if part.strip()]
    if hint is dict:
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
