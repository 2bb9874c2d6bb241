"""Which settings a project's own config file may set only once the user trusts that file.

A cloned repository's `pyproject.toml` must not run commands, send data or write outside its root
as whoever runs guard (often root, from cron or the daemon). The model is direnv's `direnv allow`
and mise's `mise trust`: those settings are honoured from the user's and the system's config, the
environment and a `--config FILE` the user names, and from a project's own file only after
`guard trust ROOT` recorded that file's sha256; a changed file needs trusting again.

The trust store is `$XDG_STATE_HOME/guard/trusted.json` (0600, written atomically). A store that is
damaged, a symlink or someone else's trusts nothing, with one warning, and never crashes a run.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from guard.errors import ConfigError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from typing import Any

# What a setting does that a project file may not ask for unasked.
RUNS_COMMAND = 'runs a command'
SENDS_DATA = 'sends data'
# A path (or a list of paths): needs trust only when one is absolute or leads out of the root (`..`, a symlink).
WRITES_OUTSIDE_ROOT = 'writes outside the root'
# Where guard keeps its own records (audit store, locks, salts): needs trust wherever it points,
# because inside the root the repository could ship the store itself (a committed audit.db whose
# triggers erase what guard records), and outside it, it writes outside the root.
HOLDS_GUARD_STATE = "holds guard's own state and audit store"

# Dotted config key -> what it does. A new section declares its own such keys here
# (say 'watch.run-commands': RUNS_COMMAND, 'watch.metrics-file': WRITES_OUTSIDE_ROOT).
NEEDS_TRUST: Mapping[str, str] = {
    'alerts.command': RUNS_COMMAND,
    'alerts.webhook': SENDS_DATA,
    'purge.before': RUNS_COMMAND,
    'purge.after': RUNS_COMMAND,
    'purge.full': RUNS_COMMAND,
    'audit.url': SENDS_DATA,
    'state-dir': HOLDS_GUARD_STATE,
    'clean.quarantine-dir': WRITES_OUTSIDE_ROOT,
    'baseline': WRITES_OUTSIDE_ROOT,  # `guard baseline` writes it
    'watch.run-commands': RUNS_COMMAND,  # lets the daemon run purge.before/after
    'watch.metrics-file': WRITES_OUTSIDE_ROOT,
}

STORE_VERSION = 1
MAX_STORE_BYTES = 1 << 20  # a store this big was not written by guard


def store_path(environ: Mapping[str, str]) -> str:
    """The trust store: in the user's state, never in a config's `state-dir` (a project could set that)."""
    base = environ.get('XDG_STATE_HOME') or os.path.join(environ.get('HOME') or os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'guard', 'trusted.json')


def needing_trust(values: Mapping[str, Any], root: str) -> list[str]:
    """The dotted keys of one validated layer (snake_case names, sections as mappings) that need trust."""
    keys = []
    for dotted, effect in NEEDS_TRUST.items():
        section, _, name = dotted.rpartition('.')
        table = values.get(section, {}) if section else values
        value = table.get(name.replace('-', '_')) if isinstance(table, Mapping) else None
        if not value:
            continue  # unset, empty or off: turning something off runs, sends and writes nothing
        paths = (value,) if isinstance(value, str) else value
        if effect == WRITES_OUTSIDE_ROOT and not any(leaves_root(root, path) for path in paths):
            continue
        keys.append(dotted)
    return keys


def leaves_root(root: str, value: str) -> bool:
    """Whether a configured path, read from the root, is outside it (absolute, `..`, or a symlink out)."""
    if not value:
        return False  # the default: guard's own place, not one the file chose
    if os.path.isabs(value):
        return True
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(real_root, value))
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


def check(path: str, data: bytes, environ: Mapping[str, str]) -> tuple[bool, str]:
    """(trusted, why not): whether `data`, just read from the config file `path`, is what the user trusted."""
    entries, problem = read_store(environ)
    if problem:
        return False, problem
    recorded = entries.get(file_key(path))
    if recorded is None:
        return False, 'untrusted'
    return (True, '') if recorded == digest(data) else (False, 'changed since you trusted it')


def skipped_note(path: str, root: str, keys: list[str], why: str) -> str:
    """The one line the CLI prints for settings it did not honour."""
    import shlex

    return (f'ignoring {", ".join(keys)} from {path} ({why}); '
            f'to honour them, review the file and run: guard trust {shlex.quote(os.fspath(root))}')


def read_store(environ: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """(file_key -> sha256, problem): what the store trusts, or nothing and why when it cannot be relied on."""
    path = store_path(environ)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return {}, ''
    except OSError as e:
        why = 'is a symlink' if os.path.islink(path) else f'cannot be read ({e.strerror})'
        return {}, f'trust store {path} {why}: trusting no project config'
    try:
        info = os.fstat(fd)
        problem = _unsafe(info)
        data = b'' if problem else os.read(fd, MAX_STORE_BYTES + 1)
    finally:
        os.close(fd)
    entries = {} if problem else _entries(data)
    if entries is None:
        problem = 'is damaged'
    return ({}, f'trust store {path} {problem}: trusting no project config') if problem else (entries or {}, '')


def _unsafe(info: os.stat_result) -> str:
    import stat

    if not stat.S_ISREG(info.st_mode):
        return 'is not a regular file'
    if info.st_uid != os.geteuid():
        return 'belongs to another user'
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


def update(environ: Mapping[str, str], path: str, sha256: str | None) -> str:
    """Trust `path` at `sha256` (None: stop trusting it) in the store; returns the previous problem, if any.

    Read, change and write happen under a lock, so two `guard trust` runs lose neither entry.
    """
    import fcntl

    store = store_path(environ)
    os.makedirs(os.path.dirname(store), mode=0o700, exist_ok=True)
    try:
        lock = os.open(store + '.lock', os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise ConfigError(f'{store}.lock: cannot open the trust store lock: {e.strerror}') from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entries, problem = read_store(environ)
        entries.pop(file_key(path), None)
        if sha256 is not None:
            entries[file_key(path)] = sha256
        _write(store, entries)
    finally:
        os.close(lock)
    return problem


def _write(store: str, entries: dict[str, str]) -> None:
    """Replace the store atomically: a temporary file (0600), fsync, rename over the old one (or a symlink)."""
    import json
    import tempfile

    files = {name: {'sha256': sha} for name, sha in sorted(entries.items())}
    text = json.dumps({'version': STORE_VERSION, 'files': files}, indent=2) + '\n'
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(store), prefix='.trusted-', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, store)
    except OSError as e:
        os.unlink(temporary)
        raise ConfigError(f'{store}: cannot write the trust store: {e.strerror}') from None
