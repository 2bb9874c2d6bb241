"""The quarantine folder's manifest: what was moved out of the root, from where, so it can go back.

Each quarantine is `<quarantine dir>/<id>/` holding the moved entries at their root-relative
paths plus `manifest.json`. The manifest is written before the first move and rewritten
atomically after the last, so a quarantine interrupted half-way can still be restored.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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

    def with_state(self, state: str) -> Manifest:
        return Manifest(self.id, self.root, self.created, state, self.entries, self.parent_modes)


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
    tmp = f'.{NAME}.tmp'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, NAME, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def read(path: Path) -> Manifest:
    """The manifest in quarantine folder `path`, validated (see guard.safety.manifest_check):
    UsageError when there is none, UnsafeOperationError when the folder or the manifest is not one
    guard could have written."""
    fd = manifest_check.open_folder(path)
    try:
        if not _exists(fd, NAME):
            raise UsageError(f'{path}: not a guard quarantine (no {NAME})')
        text = manifest_check.read_text(fd, NAME, path / NAME)
    finally:
        os.close(fd)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise manifest_check.refuse(path / NAME, f'the manifest is not JSON ({e})') from None
    fields = manifest_check.check(data, path.name, path / NAME)
    entries = tuple(Entry(e['path'], e['kind'], e['files'], e['bytes']) for e in fields['entries'])
    return Manifest(fields['id'], fields['root'], fields['created'], fields['state'], entries, fields['parent_modes'])


def list_all(base: Path) -> list[Quarantine]:
    """Every quarantine under `base`, oldest first. A folder there that is a symlink, or a manifest
    guard could not have written, is an error rather than something to skip: it was planted."""
    try:
        names = sorted(os.listdir(base))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        path = base / name
        if not path.is_symlink() and (not path.is_dir() or not (path / NAME).exists()):
            continue  # the base's .gitignore, or a folder clean is still creating
        record = read(path)
        files, size = measure(path, skip=(NAME,))
        found.append(Quarantine(name, path, record, files, size))
    return found


def _exists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def measure(path: Path, *, skip: Iterable[str] = ()) -> tuple[int, int]:
    """(files, disk bytes) below `path`, without following links; top-level names in `skip` ignored."""
    files = size = 0
    skipped = set(skip)
    for dirpath, dirnames, filenames in os.walk(path):
        names = filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in names:
            if dirpath == str(path) and name in skipped:
                continue
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            files += 1
            size += st.st_blocks * 512
    return files, size
