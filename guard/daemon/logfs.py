"""Log paths that live on a filesystem of their own (a log volume mounted inside the root).

The purge engine never crosses a mount point from the root, so a log volume was neither purged
nor (its free space being no part of the root's disk check) seen to fill. Here each log-paths
entry is placed on its filesystem: those inside a mount point are purged with that mount point as
the purge's root (the same engine, the same rules, within that filesystem), and a nearly full log
volume fails the logs check. Mount points are found by lstat, component by component from the
root: a symlinked folder is not followed (it is no mount of the root's).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

# A log volume with less free than this share of its size counts as full.
FULL_BELOW = 0.05


@dataclass(frozen=True)
class Volume:
    """A filesystem mounted inside the root that holds log paths."""

    mount: Path  # the mount point, inside the root
    patterns: tuple[str, ...]  # the log-paths entries, relative to the mount point


def split(root: Path, patterns: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[Volume, ...]]:
    """(the entries on the root's own filesystem, the volumes holding the others)."""
    try:
        root_dev = os.lstat(root).st_dev
    except OSError:
        return patterns, ()
    own: list[str] = []
    volumes: dict[Path, list[str]] = {}
    for pattern in patterns:
        found = _mount_of(root, root_dev, pattern)
        if found is None:
            own.append(pattern)
        else:
            volumes.setdefault(found[0], []).append(found[1])
    return tuple(own), tuple(Volume(mount, _expanded(mount, rel)) for mount, rel in volumes.items())


def _expanded(mount: Path, patterns: list[str]) -> tuple[str, ...]:
    """The whole volume ('') as its top-level entries: the purge refuses a pattern for all of its root."""
    if '' not in patterns:
        return tuple(dict.fromkeys(patterns))
    try:
        with os.scandir(mount) as it:
            names = [
                '/' + e.name + ('/' if e.is_dir(follow_symlinks=False) else '') for e in it if e.name != 'lost+found'
            ]
    except OSError:
        names = []
    return tuple(dict.fromkeys([*sorted(names), *(p for p in patterns if p)]))


def _mount_of(root: Path, root_dev: int, pattern: str) -> tuple[Path, str] | None:
    """(the mount point, the pattern relative to it) when the pattern's folder lies on another filesystem."""
    parts = pattern.strip('/').split('/')
    folder = root
    for index, part in enumerate(parts):
        if not part or any(c in part for c in '*?[') or part in ('.', '..'):
            return None
        folder = folder / part
        try:
            st = os.lstat(folder)
        except OSError:
            return None
        if not stat.S_ISDIR(st.st_mode):
            return None
        if st.st_dev != root_dev:
            rest = '/'.join(parts[index + 1 :])
            # '' is the mount point itself: the whole volume.
            return folder, ('/' + rest + ('/' if pattern.endswith('/') else '')) if rest else ''
    return None


def full_volumes(root: Path, patterns: tuple[str, ...]) -> list[str]:
    """One line per log volume that is nearly full: its mount point and what is free."""
    from guard.health.units import human_size

    lines = []
    for volume in split(root, patterns)[1]:
        try:
            st = os.statvfs(volume.mount)
        except OSError:
            continue
        total, free = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
        if total and free < total * FULL_BELOW:
            lines.append(f'the log volume {volume.mount} is full ({human_size(free)} free of {human_size(total)})')
    return lines
