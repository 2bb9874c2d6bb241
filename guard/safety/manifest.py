"""The quarantine folder's manifest: what was moved out of the root, from where, so it can go back.

Each quarantine is `<quarantine dir>/<id>/` holding the moved entries at their root-relative
paths plus `manifest.json`. The manifest is written before the first move and rewritten
atomically after the last, so a quarantine interrupted half-way can still be restored.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from guard.du import disk_usage
from guard.errors import UsageError
from guard.safety import manifest_check

NAME = 'manifest.json'
FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One moved root entry: path relative to the root, kind, and what it held (bytes are disk usage)."""

    path: str
    kind: str
    files: int
    bytes: int


@dataclass(frozen=True)
class Manifest:
    id: str
    root: str
    created: str
    state: str
    entries: tuple[Entry, ...]
    parent_modes: dict[str, int]
    root_dev: int = 0  # the root's device and inode when it was cleaned (0: an older manifest)
    root_ino: int = 0

    def with_state(self, state: str) -> Manifest:
        return Manifest(
            self.id, self.root, self.created, state, self.entries, self.parent_modes, self.root_dev, self.root_ino
        )


@dataclass(frozen=True)
class Quarantine:
    """One quarantine as `guard clean --list` shows it; bytes/files are measured on disk now."""

    id: str
    path: Path
    manifest: Manifest
    files: int
    bytes: int

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.manifest.created)


def write(dir_fd: int, manifest: Manifest) -> None:
    data = asdict(manifest)
    data['format'] = FORMAT
    text = json.dumps(data, indent=2, sort_keys=True) + '\n'
    from guard import ownfiles

    ownfiles.write_atomic(dir_fd, NAME, text.encode(), 0o600)  # a fresh O_EXCL name, renamed into place


def read(path: Path, fd: int | None = None) -> Manifest:
    """The manifest in quarantine folder `path` (or its descriptor `fd`), validated (see
    guard.safety.manifest_check): UsageError when there is none, UnsafeOperationError when the
    folder or the manifest is not one guard could have written."""
    own = fd is None
    if fd is None:
        fd = manifest_check.open_folder(path)
    try:
        if not _exists(fd, NAME):
            raise UsageError(f'{path}: not a guard quarantine (no {NAME})')
        text = manifest_check.read_text(fd, NAME, path / NAME)
    finally:
        if own:
            os.close(fd)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise manifest_check.refuse(path / NAME, f'the manifest is not JSON ({e})') from None
    fields = manifest_check.check(data, path.name, path / NAME)
    entries = tuple(Entry(e['path'], e['kind'], e['files'], e['bytes']) for e in fields['entries'])
    return Manifest(
        fields['id'],
        fields['root'],
        fields['created'],
        fields['state'],
        entries,
        fields['parent_modes'],
        fields['root_dev'],
        fields['root_ino'],
    )


def list_all(base: Path, base_fd: int) -> list[Quarantine]:
    """Every quarantine in the base folder `base` (opened as `base_fd`), oldest first. A folder there
    that is a symlink, or a manifest guard could not have written, is an error rather than something
    to skip: it was planted."""
    import stat

    found = []
    for name in sorted(os.listdir(base_fd)):
        path = base / name
        st = os.stat(name, dir_fd=base_fd, follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            raise manifest_check.refuse(path, 'the quarantine folder is a symlink')
        if not stat.S_ISDIR(st.st_mode):
            continue  # the base's .gitignore
        fd = manifest_check.open_folder_at(base_fd, name, path)
        try:
            if not _exists(fd, NAME):
                continue  # a folder clean is still creating
            record = read(path, fd)
            files, size = measure(fd, skip=(NAME,))
        finally:
            os.close(fd)
        found.append(Quarantine(name, path, record, files, size))
    return found


def _exists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def measure(path: Path | int, *, skip: Iterable[str] = ()) -> tuple[int, int]:
    """(files, disk bytes) below `path` (or a directory descriptor), without following links;
    top-level names in `skip` ignored."""
    files = size = 0
    skipped = set(skip)
    walk = os.fwalk('.', dir_fd=path) if isinstance(path, int) else os.fwalk(path)
    for dirpath, dirnames, filenames, dir_fd in walk:
        top = dirpath == ('.' if isinstance(path, int) else os.fspath(path))
        for name in filenames + dirnames:
            if top and name in skipped:
                continue
            try:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                continue
            files += 1
            size += disk_usage(st)
    return files, size
