"""Validating a quarantine's manifest before anything is restored from it.

The manifest is a file in the user's tree: an edited or planted one must not make `guard restore`
put `.git/hooks/post-commit` in place, write outside the root, or apply a setuid mode. So a
manifest is accepted only when it describes what `guard clean` could have written: root venv
entries (the names the venv-root rule in guard/rules/venv.py attributes to an environment), plain
permission bits, a parseable date, the expected types. Anything else is one UnsafeOperationError
naming the file and the first problem; nothing is restored.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from guard.errors import UnsafeOperationError

STATES = ('moving', 'quarantined', 'restored')
KINDS = ('dir', 'file', 'link')
# Permission bits only: no setuid, setgid or sticky bit is ever applied by a restore.
MAX_MODE = 0o777
MAX_BYTES = 4 << 20
# Root entries `guard clean` moves (guard/rules/venv.py), and whether entries one level inside
# them may move on their own (`bin/activate` when bin/ also holds project scripts).
VENV_TOPS = {
    'pyvenv.cfg': False,
    'conda-meta': False,
    'bin': True,
    'Scripts': True,
    'lib': True,
    'Lib': True,
    'lib64': True,
    'include': True,
    'Include': True,
}
ENTRY_KEYS = frozenset(('path', 'kind', 'files', 'bytes'))


class _Bad(Exception):
    """One problem found in a manifest; turned into an UnsafeOperationError naming the file."""


def refuse(where: Path, problem: str) -> UnsafeOperationError:
    return UnsafeOperationError(f'{where}: {problem}; refusing to use this quarantine (remove it, or restore by hand)')


def open_folder(path: Path) -> int:
    """A descriptor for the quarantine folder itself: not a symlink, a directory, owned by the user."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as e:
        reason = 'is a symlink' if os.path.islink(path) else f'cannot be opened ({e.strerror})'
        raise refuse(path, f'the quarantine folder {reason}') from None
    st = os.fstat(fd)
    if st.st_uid != os.geteuid():
        os.close(fd)
        raise refuse(path, f'the quarantine folder is owned by uid {st.st_uid}, not by you (uid {os.geteuid()})')
    return fd


def open_folder_at(base_fd: int, name: str, path: Path) -> int:
    """As open_folder, for folder `name` of the pinned base folder `base_fd`."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=base_fd)
    except OSError as e:
        raise refuse(path, f'the quarantine folder cannot be opened ({e.strerror})') from None
    st = os.fstat(fd)
    if st.st_uid != os.geteuid():
        os.close(fd)
        raise refuse(path, f'the quarantine folder is owned by uid {st.st_uid}, not by you (uid {os.geteuid()})')
    return fd


def read_text(dir_fd: int, name: str, where: Path) -> str:
    """The manifest's text, opened without following a link and limited in size."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError as e:
        raise refuse(where, f'cannot read the manifest ({e.strerror})') from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            raise refuse(where, 'the manifest is not a regular file of sensible size')
        data = os.read(fd, MAX_BYTES + 1)
    finally:
        os.close(fd)
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        raise refuse(where, 'the manifest is not UTF-8 text') from None


def check(data: Any, folder_name: str, where: Path) -> dict[str, Any]:
    """The manifest's fields, each checked; UnsafeOperationError for the first problem."""
    try:
        return _check(data, folder_name)
    except _Bad as e:
        raise refuse(where, str(e)) from None


def _check(data: Any, folder_name: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _Bad('the manifest is not a JSON object')
    if data.get('format', 1) != 1:
        raise _Bad(f'unknown manifest format {data.get("format")!r}')
    fields: dict[str, Any] = {name: _string(data, name) for name in ('id', 'root', 'created', 'state')}
    if fields['id'] != folder_name:
        raise _Bad(f'id {fields["id"]!r} does not match the folder name {folder_name!r}')
    _date(fields['created'])
    if fields['state'] not in STATES:
        raise _Bad(f'state {fields["state"]!r} is not one of {", ".join(STATES)}')
    entries = data.get('entries')
    if not isinstance(entries, list):
        raise _Bad('entries is not a list')
    fields['entries'] = [_entry(e) for e in entries]
    paths = [e['path'] for e in fields['entries']]
    if len(set(paths)) != len(paths):
        raise _Bad('an entry is listed twice')
    fields['parent_modes'] = _modes(data.get('parent_modes', {}), paths)
    for name in ('root_dev', 'root_ino'):
        value = data.get(name, 0)
        if not _count(value):
            raise _Bad(f'{name} is not a non-negative integer')
        fields[name] = value
    return fields


def _string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or '\0' in value:
        raise _Bad(f'{name} is missing or not a string')
    return value


def _date(text: str) -> None:
    try:
        datetime.fromisoformat(text).astimezone()
    except (ValueError, OverflowError, OSError):
        raise _Bad(f'created {text[:40]!r} is not a date') from None


def _entry(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != ENTRY_KEYS:
        raise _Bad(f'an entry is not an object with exactly {", ".join(sorted(ENTRY_KEYS))}')
    path = raw['path']
    venv_path(path)
    if raw['kind'] not in KINDS:
        raise _Bad(f'entry {path!r}: kind {raw["kind"]!r} is not one of {", ".join(KINDS)}')
    for name in ('files', 'bytes'):
        if not _count(raw[name]):
            raise _Bad(f'entry {path!r}: {name} is not a non-negative integer')
    return raw


def venv_path(path: Any) -> None:
    """Raise _Bad unless `path` is a root venv entry `guard clean` could have moved."""
    if not isinstance(path, str) or not path or '\0' in path or path.startswith('/'):
        raise _Bad(f'entry path {str(path)[:80]!r} is not a relative path')
    parts = path.split('/')
    if any(p in ('', '.', '..') for p in parts):
        raise _Bad(f'entry path {path[:80]!r} leaves its folder (empty, . or .. component)')
    if any(p.lower() == '.git' for p in parts):
        raise _Bad(f'entry path {path[:80]!r} is inside .git, which guard never moves')
    if parts[0] not in VENV_TOPS or len(parts) > 2 or (len(parts) == 2 and not VENV_TOPS[parts[0]]):
        raise _Bad(f'entry path {path[:80]!r} is not a root venv entry, so guard clean cannot have moved it')


def _modes(raw: Any, paths: list[str]) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise _Bad('parent_modes is not an object')
    parents = {p.rsplit('/', 1)[0] for p in paths if '/' in p}
    for key, value in raw.items():
        if key not in parents:
            raise _Bad(f'parent_modes names {str(key)[:80]!r}, which is not the folder of an entry')
        if not _count(value) or value > MAX_MODE:
            shown = oct(value) if isinstance(value, int) and not isinstance(value, bool) else repr(value)
            raise _Bad(
                f'parent_modes[{key!r}] = {shown[:24]} is not a permission mode (0 to 0o777, '
                'no setuid, setgid or sticky bit)'
            )
    return dict(raw)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
