"""The status file: what `guard status` reads about a running daemon (pid, since when, state).

A small JSON file per root in guard's state directory, replaced atomically. It is no pid file and
nothing supervises by it: systemd does that. A reader trusts it only while the pid it names is
alive and started when the file says (pids are reused).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
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


def path_for(state_dir: Path, root: str | os.PathLike[str]) -> Path:
    digest = hashlib.sha1(os.fsencode(os.fspath(root))).hexdigest()[:16]
    return state_dir / f'watch-{digest}.json'


def write(path: Path, status: DaemonStatus) -> None:
    """Replace the file atomically (temp file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix='.watch.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump({'version': VERSION, **asdict(status)}, f, indent=1, sort_keys=True)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


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
