"""Which settings a project's own config file may set only once trusted, and where trust is recorded.

A cloned repository's `pyproject.toml` must not run code, reach the network or read or write
outside its root as whoever runs guard (often root, from cron or the daemon). What a key could do is
its trust class in guard.schema (capability, not a list of keys); a key of any class but SAFE is
honoured from the user's and the system's config, the environment and a `--config FILE` the user
names, and from a project's own file only after `guard trust ROOT` recorded what that file sets.

What is recorded is the sha256 of the canonical JSON of the parsed `[tool.guard]` table (or of
guard.toml's table): a `[project] version` bump in pyproject.toml keeps the trust, any change to
guard's own settings needs trusting again (as `direnv allow` and `mise trust` pin content).

Two stores, read in this order (docs/trust.md says why):
- the user's: `$XDG_STATE_HOME/guard/trusted.json` (0600, owned by the user);
- the system's: `/etc/guard/trusted.json` ($GUARD_SYSTEM_TRUST), written by `guard trust` run as
  root and honoured by every user, the daemon's service account included, but only while it and
  every folder above it belong to root and no one else may write them.
A store that is damaged, a symlink or not owned as it must be trusts nothing, with one warning, and
never crashes a run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from guard import schema
from guard.errors import ConfigError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from typing import Any

# Dotted config key -> its trust class, for every key that needs trust (derived from the schema).
NEEDS_TRUST: Mapping[str, str] = {key.name: key.trust for key in schema.KEYS if key.trust != schema.SAFE}

SYSTEM_STORE = '/etc/guard/trusted.json'


class Ignored:
    """A key guard leaves out of a layer, where it came from and why (`untrusted`, `changed since ...`)."""

    __slots__ = ('file', 'key', 'trust', 'why')

    def __init__(self, key: str, file: str, why: str) -> None:
        self.key = key
        self.file = file
        self.why = why
        self.trust = schema.BY_NAME[key].trust

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ignored) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f'Ignored({self.key!r}, {self.file!r}, {self.why!r})'

    def as_dict(self) -> dict[str, str]:
        return {'key': self.key, 'file': self.file, 'why': self.why, 'trust': self.trust}

    def line(self) -> str:
        return f'{self.key} ({self.trust}) from {self.file}: {self.why}'


def ignored_keys(values: Mapping[str, Any], path: str, root: str, why: str) -> list[Ignored]:
    """Pure: what guard ignores of one validated layer read from `path` whose trust state is `why`
    ('' = trusted: nothing is ignored). The daemon reports this list at start and at each reload."""
    if not why:
        return []
    return [Ignored(key, path, why) for key in needing_trust(values, root)]


def store_path(environ: Mapping[str, str]) -> str:
    """The user's trust store: in the user's state, never in a config's `state-dir` (a project could set that)."""
    base = environ.get('XDG_STATE_HOME') or os.path.join(
        environ.get('HOME') or os.path.expanduser('~'), '.local', 'state'
    )
    return os.path.join(base, 'guard', 'trusted.json')


def system_store_path(environ: Mapping[str, str]) -> str:
    """The system trust store, honoured by every user: root's `guard trust` writes it."""
    return environ.get('GUARD_SYSTEM_TRUST') or SYSTEM_STORE


def needing_trust(values: Mapping[str, Any], root: str) -> list[str]:
    """The dotted keys of one validated layer (snake_case names, sections as mappings) that need trust."""
    keys = []
    for key in schema.KEYS:
        if key.trust == schema.SAFE:
            continue
        table = values.get(key.section, {}) if key.section else values
        value = table.get(key.field) if isinstance(table, Mapping) else None
        if not value:
            continue  # unset, empty or off: turning something off runs, sends and writes nothing
        paths = (value,) if isinstance(value, str) else value
        if key.trust == schema.OUTSIDE_ROOT and not any(leaves_root(root, path) for path in paths):
            continue
        keys.append(key.name)
    return keys


def leaves_root(root: str, value: str) -> bool:
    """Whether a configured path, read from the root, is outside it (absolute, `..`, or a symlink out)."""
    if not value:
        return False  # the default: guard's own place, not one the file chose
    if os.path.isabs(value) or value.startswith('~'):
        return True
    try:
        real_root = os.path.realpath(root)
        target = os.path.realpath(os.path.join(real_root, value))
    except OSError:
        return True  # a link changing while it is read (realpath's readlink raced): judged as leaving
    return os.path.commonpath((real_root, target)) != real_root


def without(values: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """A copy of a validated layer without these dotted keys."""
    kept = {name: dict(value) if isinstance(value, dict) else value for name, value in values.items()}
    for dotted in keys:
        section, _, name = dotted.rpartition('.')
        table = kept.get(section) if section else kept
        if isinstance(table, dict):
            table.pop(name.replace('-', '_'), None)
    return kept


def file_key(path: str) -> str:
    """A config file's entry in the store: its absolute path as found in the root, symlinks not followed,
    so another root whose guard.toml links to a trusted file (and whose relative commands differ) is not
    trusted by that."""
    return os.path.abspath(path)


def digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def table_digest(table: Mapping[str, Any]) -> str:
    """The sha256 of guard's settings as parsed: canonical JSON (sorted keys, no blanks), so comments,
    layout and every other table of pyproject.toml can change without touching the trust."""
    import json

    def tagged(value: Any) -> str:  # TOML dates and times: tagged, so a date never equals its text
        return f'{type(value).__name__}:{value.isoformat()}'

    text = json.dumps(table, sort_keys=True, separators=(',', ':'), ensure_ascii=False, default=tagged)
    return digest(text.encode('utf-8', 'surrogatepass'))


def check(path: str, table: Mapping[str, Any], environ: Mapping[str, str], data: bytes = b'') -> tuple[bool, str]:
    """(trusted, why not): whether the guard table just read from `path` is what the user (or root, in
    the system store) trusted. `data`, the file's bytes, also matches entries from before trust
    covered the table alone (they hashed the whole file)."""
    wanted = {table_digest(table)} | ({digest(data)} if data else set())
    changed = False
    problems = []
    for entries, problem in (read_store(environ), read_system_store(environ)):
        if problem:
            problems.append(problem)
        recorded = entries.get(file_key(path))
        if recorded in wanted:
            return True, ''
        changed = changed or recorded is not None
    if changed:
        return False, 'changed since you trusted it'
    return False, problems[0] if problems else 'untrusted'


def skipped_note(path: str, root: str, keys: list[str], why: str) -> str:
    """The one line the CLI prints for settings it did not honour."""
    import shlex

    return (
        f'ignoring {", ".join(keys)} from {path} ({why}); '
        f'to honour them, review the file and run: guard trust {shlex.quote(os.fspath(root))}'
    )


STORE_VERSION = 1
MAX_STORE_BYTES = 1 << 20  # a store this big was not written by guard


def read_store(environ: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """(file_key -> sha256, problem): what the user's store trusts, or nothing and why when it cannot
    be relied on (not the user's own, or writable by others)."""
    return _read(store_path(environ), system=False)


def read_system_store(environ: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """The same for the system store: honoured only while it and every folder above it are root's
    and writable by no one else (a store the service's own user could write would be no root trust)."""
    return _read(system_store_path(environ), system=True)


def _read(path: str, *, system: bool) -> tuple[dict[str, str], str]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return {}, ''
    except OSError as e:
        why = 'is a symlink' if os.path.islink(path) else f'cannot be read ({e.strerror})'
        return {}, f'trust store {path} {why}: trusting no project config'
    try:
        info = os.fstat(fd)
        problem = _unsafe(info, 0 if system else os.geteuid())
        if not problem and system:
            from guard import secure_path

            problem = secure_path.problem(os.path.dirname(path), (0,))
        data = b'' if problem else os.read(fd, MAX_STORE_BYTES + 1)
    finally:
        os.close(fd)
    entries = {} if problem else _entries(data)
    if entries is None:
        problem = 'is damaged'
    return ({}, f'trust store {path} {problem}: trusting no project config') if problem else (entries or {}, '')


def _unsafe(info: os.stat_result, owner: int) -> str:
    import stat

    if not stat.S_ISREG(info.st_mode):
        return 'is not a regular file'
    if info.st_uid != owner:
        return 'belongs to another user' if owner else 'does not belong to root'
    if info.st_mode & 0o022:
        return 'is writable by others'
    if info.st_size > MAX_STORE_BYTES:
        return 'is too large'
    return ''


def _entries(data: bytes) -> dict[str, str] | None:
    """The store's entries, or None when it is not a store guard wrote."""
    import json

    try:
        store = json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    files = store.get('files') if isinstance(store, dict) and store.get('version') == STORE_VERSION else None
    if not isinstance(files, dict):
        return None
    entries = {}
    for name, entry in files.items():
        sha = entry.get('sha256') if isinstance(entry, dict) else None
        if not (isinstance(sha, str) and len(sha) == 64 and all(c in '0123456789abcdef' for c in sha)):
            return None
        entries[name] = sha
    return entries


def update(environ: Mapping[str, str], path: str, sha256: str | None, *, system: bool = False) -> str:
    """Trust `path` at `sha256` (None: stop trusting it) in the user's store, or the system's (root
    only); returns the previous problem, if any.

    Read, change and write happen under a lock, so two `guard trust` runs lose neither entry.
    """
    import fcntl

    if system and os.geteuid() != 0:
        raise ConfigError('only root can write the system trust store')
    store = system_store_path(environ) if system else store_path(environ)
    from guard import ownfiles
    from guard.errors import UnsafeOperationError

    # The store's folder is reached without following a link at any component, and must be ours and
    # writable by nobody else (the system store's: root's, 0755, read by every user).
    try:
        dir_fd = ownfiles.open_dir(os.path.dirname(store), create=True, mode=0o755 if system else 0o700)
        try:
            lock = ownfiles.open_file(dir_fd, os.path.basename(store) + '.lock', os.O_RDWR, shown=store + '.lock')
        except BaseException:
            os.close(dir_fd)
            raise
    except UnsafeOperationError as e:
        raise ConfigError(f'cannot write the trust store: {e}') from None
    except OSError as e:
        raise ConfigError(f'{store}.lock: cannot open the trust store lock: {e.strerror}') from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entries, problem = read_system_store(environ) if system else read_store(environ)
        entries.pop(file_key(path), None)
        if sha256 is not None:
            entries[file_key(path)] = sha256
        _write(dir_fd, store, entries, mode=0o644 if system else 0o600)
    finally:
        os.close(lock)
        os.close(dir_fd)
    return problem


def _write(dir_fd: int, store: str, entries: dict[str, str], *, mode: int) -> None:
    """Replace the store atomically in its pinned folder: a fresh O_EXCL file, fsync, rename over the
    old one (a symlink planted at the name is replaced, never written through)."""
    import json

    from guard import ownfiles

    files = {name: {'sha256': sha} for name, sha in sorted(entries.items())}
    text = json.dumps({'version': STORE_VERSION, 'files': files}, indent=2) + '\n'
    try:
        ownfiles.write_atomic(dir_fd, os.path.basename(store), text.encode('utf-8'), mode)
    except OSError as e:
        raise ConfigError(f'{store}: cannot write the trust store: {e.strerror}') from None
