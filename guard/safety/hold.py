"""Holds: entries `guard restore` put back, which `guard watch` leaves alone for a while.

Without one, a daemon with on-pollution = "quarantine" moved a restored environment away again
within a second. The hold is a small JSON file in the state directory, per root, written
atomically: the entries and until when (Unix time). `guard restore --release` ends it sooner.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path


def path_for(state_dir: Path, root: Path) -> Path:
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return state_dir / f'hold-{digest}.json'


def hold(state_dir: Path, root: Path, entries: list[str], seconds: float) -> float:
    """Hold `entries` of `root` for `seconds`; returns until when (Unix time)."""
    until = time.time() + seconds
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = path_for(state_dir, root)
    temporary = target.with_name(f'.{target.name}.{os.getpid()}')
    temporary.write_text(json.dumps({'root': str(root), 'entries': sorted(entries), 'until': until}))
    os.chmod(temporary, 0o644)  # the daemon may run as another user than the one who restored
    os.replace(temporary, target)
    return until


def held_until(state_dir: Path, root: Path, *, now: float | None = None) -> float | None:
    """Until when the root's restored entries are held, or None (no hold, or it ran out)."""
    try:
        data = json.loads(path_for(state_dir, root).read_text())
        until = float(data['until'])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return until if until > (time.time() if now is None else now) and data.get('root') == str(root) else None


def release(state_dir: Path, root: Path) -> bool:
    """End the hold; False when there was none."""
    try:
        path_for(state_dir, root).unlink()
    except FileNotFoundError:
        return False
    return True
