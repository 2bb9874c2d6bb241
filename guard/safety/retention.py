"""Quarantine retention: quarantines older than `clean.keep-days`, and the oldest past
`clean.max-quarantine-mb` in all, are deleted (the daemon prunes at each health tick).

A quarantine is what `guard restore` can still put back, so only whole quarantines go, oldest
first, under the root's lock (never while a clean or a restore runs). Deletion is shutil.rmtree's
fd-based walk, which follows no symlink, on a folder that list_all has checked is none.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guard.config import Config
    from guard.safety.fd import RootPin
    from guard.safety.manifest import Quarantine


def due(quarantines: list[Quarantine], *, keep_days: int, max_mb: int, now: datetime) -> list[Quarantine]:
    """Which of `quarantines` (oldest first) retention removes. Pure."""
    doomed = [q for q in quarantines if keep_days and q.created < now - timedelta(days=keep_days)]
    kept = [q for q in quarantines if q not in doomed]
    total = sum(q.bytes for q in kept)
    while max_mb and kept and total > max_mb * 1024 * 1024:
        oldest = kept.pop(0)
        total -= oldest.bytes
        doomed.append(oldest)
    return doomed


def prune(config: Config, root: Path | RootPin, *, now: datetime | None = None) -> list[Quarantine]:
    """Delete what retention says; return what was deleted. Nothing to do costs one listing.
    Everything goes through the pinned root (`root` pinned now when a path is given): the base
    folder is reached from it without following a link, and each quarantine removed below it."""
    settings = config.clean
    if not settings.keep_days and not settings.max_quarantine_mb:
        return []
    from guard.safety.fd import RootPin
    from guard.safety.lock import root_lock
    from guard.safety.paths import check_root
    from guard.safety.quarantine import list_quarantines
    from guard.safety.quarantine import open_base
    from guard.safety.quarantine import quarantine_dir

    pin = root if isinstance(root, RootPin) else RootPin(check_root(root))
    pin.verify()
    with root_lock(config.state_path(), pin.path, 'prune', timeout=0, root_fd=pin.fd):
        pin.verify()
        doomed = due(
            list_quarantines(config, pin),
            keep_days=settings.keep_days,
            max_mb=settings.max_quarantine_mb,
            now=now or datetime.now(UTC),
        )
        if not doomed:
            return []
        base_fd = open_base(pin.fd, pin.path, quarantine_dir(config, pin.path), create=False)
        if base_fd is None:
            return []
        try:
            for quarantine in doomed:
                # rmtree with dir_fd walks descriptors and follows no link, the quarantine itself included.
                shutil.rmtree(quarantine.id, dir_fd=base_fd)
        finally:
            os.close(base_fd)
    return doomed
