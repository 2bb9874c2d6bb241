"""Configuration: layers of settings, each over the one before, then flags.

The layers: the system's guard.toml (/etc/guard, or $GUARD_SYSTEM_CONFIG), the user's
($XDG_CONFIG_HOME/guard), the project's own `[tool.guard]` in pyproject.toml or guard.toml (or the
file --config / GUARD_CONFIG names instead), GUARD_* variables. A project's own file sets what
runs commands, sends data or writes outside the root only once the user trusts it (guard.trust).

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

from guard import schema
from guard.errors import ConfigError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from guard.records import StrPath
    from guard.settings import AlertSettings
    from guard.settings import AuditSettings
    from guard.settings import CleanSettings
    from guard.settings import HealthSettings
    from guard.settings import PurgeSettings
    from guard.settings import WatchSettings
    from guard.trust import Ignored

SEVERITIES = schema.SEVERITIES
CATEGORIES = ('secret', 'env-file', 'ip', 'abs-path', 'venv')

# Config's sections, in order: each is a guard.settings class, built with its defaults on first use.
SECTION_NAMES = schema.SECTIONS

SYSTEM_CONFIG = '/etc/guard/guard.toml'


class Config:
    """Validated settings for one project root. Top-level keys configure `guard scan`.

    `root` (where the project is) and `source` (which file the settings came from) are not keys,
    nor what loading has to tell the user: `notes` (a value it changed), `untrusted` (the dotted keys
    it skipped in an untrusted project file), `ignored` (the same as guard.trust.Ignored records:
    key, file, why, trust class) and `trust_note` (the one line that says so).
    Frozen like a dataclass, but not one: `dataclasses` costs ~10 ms to import on a commit hook that
    only reads the top-level keys, and the sections are built on first use for the same reason.
    """

    # Defaults, kinds and documentation are in guard.schema; the annotations are for the type checker
    # (and name the fields: a test checks they match the schema's top-level keys and sections).
    exclude: tuple[str, ...] = schema.default('exclude')
    disable: tuple[str, ...] = schema.default('disable')
    fail_on: str = schema.default('fail-on')
    max_file_size: int = schema.default('max-file-size')
    baseline: str = schema.default('baseline')
    allow_ips: tuple[str, ...] = schema.default('allow-ips')
    # Where IPs and home paths are test or docs data: reported at `note`, below the default fail-on.
    test_paths: tuple[str, ...] = schema.default('test-paths')
    jobs: int = schema.default('jobs')
    state_dir: str = schema.default('state-dir')
    hook_scope: str = schema.default('hook-scope')
    purge: PurgeSettings
    clean: CleanSettings
    health: HealthSettings
    alerts: AlertSettings
    audit: AuditSettings
    watch: WatchSettings

    if TYPE_CHECKING:  # not keys: out of __annotations__, which name the fields
        notes: tuple[str, ...]
        untrusted: tuple[str, ...]
        trust_note: str
        ignored: tuple[Ignored, ...]

    def __init__(
        self,
        *,
        root: StrPath | None = None,
        source: str = 'defaults',
        notes: tuple[str, ...] = (),
        untrusted: tuple[str, ...] = (),
        trust_note: str = '',
        ignored: tuple[Ignored, ...] = (),
        **values: Any,
    ) -> None:
        for name, value in values.items():
            if name not in _KEYS:
                raise TypeError(f'Config() got an unexpected keyword argument {name!r}')
            object.__setattr__(self, name, value)
        if root is None:
            from pathlib import Path

            root = Path('.')
        object.__setattr__(self, 'root', root)
        object.__setattr__(self, 'source', source)
        object.__setattr__(self, 'notes', notes)
        object.__setattr__(self, 'untrusted', untrusted)
        object.__setattr__(self, 'trust_note', trust_note)
        object.__setattr__(self, 'ignored', ignored)

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
        return type(other) is type(self) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # equal configs may hold unhashable mappings

    def __repr__(self) -> str:
        return 'Config(' + ', '.join(f'{name}={value!r}' for name, value in self._fields().items()) + ')'

    def _fields(self) -> dict[str, Any]:
        return {'root': self.root, 'source': self.source, **{name: getattr(self, name) for name in _KEYS}}

    def updated(self, **values: Any) -> Config:
        """A copy with these fields replaced, as given (already validated values, such as a section)."""
        given = {name: value for name, value in vars(self).items() if name in _KEYS}
        return Config(
            root=self.root,
            source=self.source,
            notes=self.notes,
            untrusted=self.untrusted,
            trust_note=self.trust_note,
            ignored=self.ignored,
            **{**given, **values},
        )

    def replace(self, where: str, **overrides: Any) -> Config:
        """Return a copy with top-level values overridden (by flags), validated like the file."""
        raw = {k.replace('_', '-'): v for k, v in overrides.items() if v is not None}
        return self.updated(**_built(_validate_fields('', raw, where, prefix='')))

    def state_path(self) -> Path:
        """guard's own state directory (audit database, locks): never inside a scanned tree by accident."""
        from pathlib import Path

        if self.state_dir:
            # Joined and normalised as text, never resolved: a symlink anywhere in a state-dir path
            # would otherwise be followed here, once, and everything after would trust its target.
            # The walk refuses it instead (one line, exit 2), as every open of guard's files does.
            from guard import ownfiles

            path = os.path.normpath(os.path.join(os.path.realpath(self.root), self.state_dir))
            ownfiles.refuse_links(path, why='state-dir')
            return Path(path)
        base = os.environ.get('XDG_STATE_HOME') or os.path.expanduser('~/.local/state')
        return Path(base) / 'guard'


_KEYS = tuple(Config.__annotations__)


def load(root: StrPath, *, config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Settings for `root`: the system's and the user's config files, the project's own (or the file
    --config / GUARD_CONFIG names instead), this root's own system file (/etc/guard/<instance>.toml),
    then GUARD_* variables, each over the one before.

    What a project's own file may set only once trusted (guard.trust.NEEDS_TRUST) is left out, and
    said in `trust_note`, while the user has not trusted the file as it is.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    notes: list[str] = []
    source = 'defaults'
    for path in shared_files(environ):
        data = _read(path)
        _merge(values, _checked(_table(path, _parse(path, data)), path, notes))
        source = path
    named = config_file or environ.get('GUARD_CONFIG') or None
    path, raw, data = _read_file(root, named)
    ignored: list[Ignored] = []
    trust_note = ''
    if raw:  # the defaults are valid by construction, and most projects set nothing: validate only what is set
        layer = _checked(raw, path, notes)
        if named is None:
            layer, ignored, trust_note = _trusted_part(layer, path, raw, data, root, environ)
        _merge(values, layer)
    source = path or source
    instance = _instance_layer(root, environ, notes)
    if instance is not None:
        _merge(values, instance[1])
        source = instance[0]
    if any(name.startswith('GUARD_') for name in environ):
        _merge(values, _environ_layer(environ, notes))
    return Config(
        **_built(values),
        root=root,
        source=source,
        notes=tuple(notes),
        untrusted=tuple(i.key for i in ignored),
        trust_note=trust_note,
        ignored=tuple(ignored),
    )


def _instance_layer(root: StrPath, environ: Mapping[str, str], notes: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(path, validated values) of this root's own system file, /etc/guard/<instance>.toml, if there is one.

    It lies over the project's `[tool.guard]` (which still applies beneath it) and is the operator's,
    so nothing in it waits for trust; each root of a machine gets its own, none inherits another's.
    """
    from guard import instances

    path = instances.instance_file(root, system_file(environ))
    if path in shared_files(environ) or not os.path.isfile(path):
        return None
    return path, _checked(_table(path, _parse(path, _read(path))), path, notes)


def system_file(environ: Mapping[str, str]) -> str:
    """The shared system file, whether or not it exists: /etc/guard/guard.toml or $GUARD_SYSTEM_CONFIG."""
    return environ.get('GUARD_SYSTEM_CONFIG') or SYSTEM_CONFIG


def shared_files(environ: Mapping[str, str]) -> list[str]:
    """The system's and the user's config files that exist, in that order (what every project shares)."""
    user_dir = environ.get('XDG_CONFIG_HOME') or os.path.join(environ.get('HOME') or os.path.expanduser('~'), '.config')
    candidates = (system_file(environ), os.path.join(user_dir, 'guard', 'guard.toml'))
    return [path for path in candidates if os.path.isfile(path)]


def project_file(root: StrPath) -> str:
    """The project's own config file: guard.toml, else pyproject.toml, else ''."""
    for name in ('guard.toml', 'pyproject.toml'):
        path = os.path.join(root, name)
        if os.path.isfile(path):
            return path
    return ''


def project_trust(root: StrPath) -> tuple[str, dict[str, Any], bytes, list[str]]:
    """(the project's own config file, its guard table, its bytes, the keys it sets that need trust),
    for `guard trust`; ('', {}, b'', []) when the project has no settings. A file that does not
    validate is a ConfigError."""
    path, raw, data = _read_file(root, None)
    if not path:
        return '', {}, b'', []
    from guard import trust

    return path, raw, data, trust.needing_trust(_checked(raw, path, []), os.fspath(root))


def _read_file(root: StrPath, config_file: str | Path | None) -> tuple[str, dict[str, Any], bytes]:
    """(the file's name, its guard table, its bytes): ('', {}, b'') when the project has no settings."""
    if config_file is not None:
        path = os.fspath(config_file)
        if not os.path.isfile(path):
            raise ConfigError(f'{path}: config file not found')
        data = _read(path)
        return path, _table(path, _parse(path, data)), data
    path = project_file(root)
    if not path:
        return '', {}, b''
    data = _read(path)
    section = _guard_table(path, data)
    return (path, section, data) if section is not None else ('', {}, b'')


def read_table(path: str) -> dict[str, Any]:
    """The guard table of a project's config file (guard.toml, or pyproject.toml's [tool.guard]): what
    trust covers. {} when a pyproject.toml has none."""
    return _guard_table(path, _read(path)) or {}


def _guard_table(path: str, data: bytes) -> dict[str, Any] | None:
    if os.path.basename(path) == 'guard.toml':
        return _table(path, _parse(path, data))
    parsed = _parse(path, data)
    section = parsed.get('tool', {}).get('guard') if isinstance(parsed.get('tool'), dict) else None
    if section is not None and not isinstance(section, dict):
        raise ConfigError(f'{path}: [tool.guard] must be a table')
    return section


def _read(path: str) -> bytes:
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError as e:
        raise ConfigError(f'{path}: cannot read: {e.strerror}') from None


def _parse(path: str, data: bytes) -> dict[str, Any]:
    # Most pyproject.toml files have no guard section; the hook should not pay for parsing them.
    if os.path.basename(path) == 'pyproject.toml' and b'guard' not in data:
        return {}
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        raise ConfigError(f'{path}: invalid TOML: {e}') from None
    return _parse_toml(path, text)


def _trusted_part(
    layer: dict[str, Any], path: str, table: Mapping[str, Any], data: bytes, root: StrPath, environ: Mapping[str, str]
) -> tuple[dict[str, Any], list[Ignored], str]:
    """(what of the project's own file guard honours, what it ignored, the line that says so)."""
    from guard import trust

    keys = trust.needing_trust(layer, os.fspath(root))
    if not keys:
        return layer, [], ''
    trusted, why = trust.check(path, table, environ, data)
    if trusted:
        return layer, [], ''
    ignored = trust.ignored_keys(layer, path, os.fspath(root), why)
    return trust.without(layer, keys), ignored, trust.skipped_note(path, os.fspath(root), keys, why)


def _checked(raw: Mapping[str, Any], where: str, notes: list[str]) -> dict[str, Any]:
    """One layer validated (sections as mappings of their fields), `jobs` capped at the CPU count."""
    values = _validate_fields('', raw, where, prefix='')
    cpus = os.cpu_count() or 1
    if values.get('jobs', 0) > cpus:
        notes.append(f'{where}: jobs = {values["jobs"]} is more than the {cpus} CPUs of this machine: using {cpus}')
        values['jobs'] = cpus
    return values


def _merge(values: dict[str, Any], layer: Mapping[str, Any]) -> None:
    """Lay `layer` over `values`: a section's keys one by one, so a later file need not repeat a whole table."""
    for name, value in layer.items():
        if name in SECTION_NAMES:
            values[name] = {**values.get(name, {}), **value}
        else:
            values[name] = value


def _built(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated values with each section's fields made into its settings object."""
    if not any(name in SECTION_NAMES for name in values):
        return dict(values)
    from guard.settings import SECTIONS  # dataclasses: paid only by a config that sets a section

    return {name: SECTIONS[name](**value) if name in SECTION_NAMES else value for name, value in values.items()}


def _parse_toml(path: str, text: str) -> dict[str, Any]:
    # Parsed in every run (tomllib costs ~10 ms to import): a settings file's text is never kept anywhere.
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f'{path}: invalid TOML: {e}') from None
    except RecursionError:  # [[[[…]]]]: tomllib recurses per level
        raise ConfigError(f'{path}: invalid TOML: nested too deeply') from None


def _table(path: str, data: dict[str, Any]) -> dict[str, Any]:
    # guard.toml may hold the keys at top level, or under [tool.guard] like pyproject.toml.
    tool = data.get('tool')
    if isinstance(tool, dict) and 'guard' in tool and len(data) == 1:
        section = tool['guard']
        if not isinstance(section, dict):
            raise ConfigError(f'{path}: [tool.guard] must be a table')
        return section
    return data


def _validate_fields(section: str, raw: Mapping[str, Any], where: str, *, prefix: str) -> dict[str, Any]:
    """One table of a layer (a section's, or the top level's: '') checked against the schema."""
    keys = schema.BY_SECTION[section]
    values: dict[str, Any] = {}
    for name, value in raw.items():
        field = name.replace('-', '_')
        if not section and field in SECTION_NAMES and '_' not in name:
            if not isinstance(value, dict):
                raise ConfigError(f'{where}: {name} must be a table')
            values[field] = _validate_fields(field, value, where, prefix=f'{name}.')  # built by _built()
            continue
        if field not in keys or '_' in name:
            known = ', '.join(
                sorted([k.name.rpartition('.')[2] for k in keys.values()] + ([] if section else list(SECTION_NAMES)))
            )
            raise ConfigError(f'{where}: unknown key {_quoted(prefix + name)} (known keys: {known})')
        values[field] = _coerce(keys[field], value, where)
    return values


def _coerce(key: schema.Key, value: Any, where: str) -> Any:
    if key.kind == 'list':
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f'{where}: {key.name} must be a list of strings, got {_show(value)}')
        if any('\x00' in item for item in items):
            raise ConfigError(f'{where}: {key.name} must not contain a NUL character')
        if key.gitignore:
            from guard import gitignore

            for pattern in items:
                try:
                    gitignore.pattern_regex(pattern, f'{where}: {key.name}')
                except gitignore.PatternError as e:
                    raise ConfigError(e.shown(_quoted, _masked)) from None
        return tuple(items)
    if key.kind == 'counts':
        if not isinstance(value, dict) or not all(_is_int(v) and v >= 0 for v in value.values()):
            raise ConfigError(f'{where}: {key.name} must be a table of whole numbers >= 0, got {_show(value)}')
        from types import MappingProxyType

        return MappingProxyType(dict(value))
    return _coerce_scalar(key, value, where)


def _coerce_scalar(key: schema.Key, value: Any, where: str) -> Any:
    kind = key.kind
    if kind == 'bool' and isinstance(value, bool):
        return value
    if kind == 'int' and _is_int(value):
        if value < 0:
            raise ConfigError(f'{where}: {key.name} must be >= 0, got {value}')
        return value
    if kind == 'float' and (_is_int(value) or isinstance(value, float)):
        if not value >= 0:  # also NaN, which compares false with everything
            raise ConfigError(f'{where}: {key.name} must be >= 0, got {value}')
        return float(value)
    if kind == 'str' and isinstance(value, str):
        if '\x00' in value:  # no path, command or URL holds one; os calls would raise on it
            raise ConfigError(f'{where}: {key.name} must not contain a NUL character')
        if key.choices and value not in key.choices:
            raise ConfigError(f'{where}: {key.name} must be one of {", ".join(key.choices)}, got {_quoted(value)}')
        return value
    expected = {'bool': 'true or false', 'int': 'a whole number', 'float': 'a number', 'str': 'a string'}[kind]
    raise ConfigError(f'{where}: {key.name} must be {expected}, got {_show(value)}')


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: Any) -> str:
    """A mistyped value as an error message quotes it: its type, and its text masked default-deny
    (guard.excerpt: only plain words, numbers and the structure stay) before it is cut. A list-valued
    command (`["curl", "-u", "ops:PW"]`) holds its credentials in forms no scrubber knows (15c finding 14)."""
    # A string is masked as a line (`"big"` stays readable); a list or table as its repr, whose
    # structure keeps each value's position (`-u`, then a value) in sight of the masker.
    text = _quoted(value) if isinstance(value, str) else _masked(repr(value))
    return f'{type(value).__name__} {text if len(text) <= 40 else text[:37] + "..."}'


def _quoted(text: str) -> str:
    """A string value an error message quotes (a misspelt choice, an environment variable's text),
    masked as _show() masks: `warnign` stays readable, `Qz7kP2w` does not."""
    from guard.excerpt import quoted  # only on the error path: excerpt is a large module

    return quoted(text)


def _masked(text: str) -> str:
    from guard.excerpt import masked  # only on the error path: excerpt is a large module

    return masked(text)


def _environ_layer(environ: Mapping[str, str], notes: list[str]) -> dict[str, Any]:
    """GUARD_FAIL_ON=error sets fail-on; GUARD_PURGE_KEEP_ROTATED=3 sets purge.keep-rotated."""
    values: dict[str, Any] = {}
    for key in schema.KEYS:
        var = key.env_var
        if var not in environ:
            continue  # (GUARD_CACHE_DIR and the like are no keys: they load no section)
        raw = {key.name.rpartition('.')[2]: _from_env(key.kind, environ[var], var)}
        if key.section:
            values.setdefault(key.section, {}).update(_validate_fields(key.section, raw, var, prefix=f'{key.section}.'))
        else:
            values.update(_checked(raw, var, notes))
    return values


def _from_env(kind: str, text: str, var: str) -> Any:
    if kind == 'list':
        return [part.strip() for part in text.split(',') if part.strip()]
    if kind == 'counts':
        pairs: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in text.split(','))):
            name, sep, number = part.partition('=')
            if not sep or not number.strip().isdigit():
                raise ConfigError(f'{var}: expected NAME=COUNT pairs separated by commas, got {_quoted(part)}')
            pairs[name.strip()] = int(number)
        return pairs
    if kind == 'bool':
        lowered = text.strip().lower()
        if lowered not in ('1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'):
            raise ConfigError(f'{var}: expected true or false, got {_quoted(text)}')
        return lowered in ('1', 'true', 'yes', 'on')
    if kind in ('int', 'float'):
        try:
            return int(text) if kind == 'int' else float(text)
        except ValueError:
            raise ConfigError(
                f'{var}: expected {"a whole number" if kind == "int" else "a number"}, got {_quoted(text)}'
            ) from None
    return text
