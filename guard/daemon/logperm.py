"""Logs the service user may not empty: a log created by systemd or by root (StandardOutput=file:,
a root-run logrotate) belongs to root, and guard, running as the project's user, gets EACCES on
every purge. That is no passing failure: it is reported once per file, naming its owner, so the
operator can give it to the service (LogsDirectory= in the writer's unit, or chown).
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import stat
from collections.abc import Iterable
from collections.abc import MutableSet
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guard.safety.results import Failure

DENIED = frozenset({os.strerror(errno.EACCES), os.strerror(errno.EPERM)})


def denied(where: Path, failures: Iterable[Failure], reported: MutableSet[tuple[int, int]]) -> list[str]:
    """A line for each failure that is a refused permission on a file not reported before."""
    lines = []
    for failure in failures:
        if failure.error not in DENIED:
            continue
        path = where / failure.rel.lstrip('/')
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in reported:
            continue
        reported.add((st.st_dev, st.st_ino))
        lines.append(
            f'{path}: owned by {_user(st.st_uid)}:{_group(st.st_gid)} mode {stat.S_IMODE(st.st_mode):04o}, '
            f'guard runs as {_user(os.geteuid())}'
        )
    return lines


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
