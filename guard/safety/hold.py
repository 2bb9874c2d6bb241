"""Holds: entries `guard restore` put back, which `guard watch` leaves alone for a while.

Without one, a daemon with on-pollution = "quarantine" moved a restored environment away again
within a second. The hold is a small JSON file in the state directory, per root: the entries and
until when (Unix time). `guard restore --release` ends it sooner. Like every file guard keeps, it is
reached without following a link and written atomically under a fresh O_EXCL name (guard.ownfiles).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from guard import ownfiles
from guard.errors import UnsafeOperationError


def path_for(state_dir: Path, root: Path) -> Path:
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return state_dir / f'hold-{digest}.json'


def hold(state_dir: Path, root: Path, entries: list[str], seconds: float) -> float:
    """Hold `entries` of `root` for `seconds`; returns until when (Unix time)."""
    until = time.time() + seconds
    target = path_for(state_dir, root)
    data = json.dumps({'root': str(root), 'entries': sorted(entries), 'until': until}).encode()
    dir_fd = ownfiles.open_dir(state_dir, create=True)
    try:
        ownfiles.write_atomic(dir_fd, target.name, data, 0o644)  # readable: the daemon may be another user
    finally:
        os.close(dir_fd)
    return until


def held_until(state_dir: Path, root: Path, *, now: float | None = None) -> float | None:
    """Until when the root's restored entries are held, or None (no hold, a planted file, or it ran out)."""
    target = path_for(state_dir, root)
    try:
        dir_fd = ownfiles.open_dir(state_dir, private=False)
        try:
            raw = ownfiles.read(dir_fd, target.name, limit=1 << 16, shown=str(target))
        finally:
            os.close(dir_fd)
        if raw is None:
            return None
        data = json.loads(raw)
        until = float(data['until'])
    except (OSError, ValueError, KeyError, TypeError, UnsafeOperationError):
        return None
    return until if until > (time.time() if now is None else now) and data.get('root') == str(root) else None


def release(state_dir: Path, root: Path) -> bool:
    """End the hold; False when there was none."""
    try:
        dir_fd = ownfiles.open_dir(state_dir)
    except FileNotFoundError:
        return False
    try:
        os.unlink(path_for(state_dir, root).name, dir_fd=dir_fd)  # unlinks a planted link, never its target
    except FileNotFoundError:
        return False
    finally:
        os.close(dir_fd)
    return True
