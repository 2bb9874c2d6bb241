"""The status file: what `guard status` reads about a running daemon (pid, since when, state).

A small JSON file per root in guard's state directory, replaced atomically. It is no pid file and
nothing supervises by it: systemd does that. A reader trusts it only while the pid it names is
alive and started when the file says (pids are reused).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

VERSION = 1


@dataclass(frozen=True)
class DaemonStatus:
    root: str
    pid: int
    pid_start: int | None
    started_at: float  # wall clock
    updated_at: float
    state: str  # starting | watching | root-missing | reloading | stopping | stopped
    status: str  # the one-line STATUS= text
    config: str
    observer: str  # inotify | polling: <why>
    counters: dict[str, Any] = field(default_factory=dict)
    last_action: dict[str, Any] = field(default_factory=dict)
    health: list[dict[str, str]] = field(default_factory=list)
    # The settings the daemon's config leaves out (guard.trust.Ignored.as_dict): key, file, why, trust.
    ignored: list[dict[str, str]] = field(default_factory=list)


def path_for(state_dir: Path, root: str | os.PathLike[str]) -> Path:
    digest = hashlib.sha1(os.fsencode(os.fspath(root))).hexdigest()[:16]
    return state_dir / f'watch-{digest}.json'


def write(path: Path, status: DaemonStatus) -> None:
    """Replace the file atomically, in guard's own state folder reached without following links."""
    from guard import ownfiles
    from guard.errors import UnsafeOperationError

    try:
        dir_fd = ownfiles.open_dir(path.parent, create=True)
    except UnsafeOperationError as e:  # planted or foreign: said like any other write error
        raise OSError(errno.EACCES, str(e)) from None
    try:
        data = json.dumps({'version': VERSION, **asdict(status)}, indent=1, sort_keys=True).encode()
        ownfiles.write_atomic(dir_fd, path.name, data, 0o600)
    finally:
        os.close(dir_fd)


def read(path: Path) -> DaemonStatus | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get('version') != VERSION:
        return None
    data.pop('version')
    try:
        return DaemonStatus(**data)
    except TypeError:
        return None


def is_running(status: DaemonStatus) -> bool:
    """The daemon that wrote `status` still runs: its pid is alive with the same start time."""
    if status.state == 'stopped':
        return False
    from guard.audit import _process_start

    try:
        os.kill(status.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return status.pid_start is None or _process_start(status.pid) == status.pid_start
