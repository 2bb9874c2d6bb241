"""Free space on the filesystem that holds the root."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from guard.health.result import CheckResult
from guard.health.result import Perf
from guard.health.result import Status
from guard.health.units import MIB
from guard.health.units import human_size
from guard.health.units import mib

if TYPE_CHECKING:
    from guard.settings import HealthSettings

NAME = 'disk'


def check_disk(root: Path, settings: HealthSettings) -> CheckResult:
    """FAIL below health.min-free-disk-mb, WARN below health.warn-free-disk-mb (0 turns each off)."""
    started = time.perf_counter()
    try:
        # shutil.disk_usage reports f_bavail: the space a non-root service can still use.
        usage = shutil.disk_usage(root)
    except OSError as e:
        seconds = time.perf_counter() - started
        return CheckResult(NAME, Status.FAIL, str(root), f'cannot read free space: {e.strerror or e}', seconds)
    seconds = time.perf_counter() - started
    percent = 100 * usage.free / usage.total if usage.total else 0.0
    value = f'{human_size(usage.free)} free of {human_size(usage.total)} ({percent:.0f}%) on {_mount_point(root)}'
    status, reason = _judge(usage.free, settings)
    perf = Perf(
        'disk_free',
        mib(usage.free),
        'MB',
        warn=_range(settings.warn_free_disk_mb),
        crit=_range(settings.min_free_disk_mb),
        min=0,
        max=mib(usage.total),
    )
    return CheckResult(NAME, status, value, reason, seconds, (perf,))


def _judge(free: int, settings: HealthSettings) -> tuple[Status, str]:
    if settings.min_free_disk_mb and free < settings.min_free_disk_mb * MIB:
        return Status.FAIL, f'below the minimum of {human_size(settings.min_free_disk_mb * MIB)} free'
    if settings.warn_free_disk_mb and free < settings.warn_free_disk_mb * MIB:
        return Status.WARN, f'below the warning level of {human_size(settings.warn_free_disk_mb * MIB)} free'
    return Status.OK, ''


def _range(limit_mb: int) -> str:
    # Nagios range "N:" alerts when the value drops below N.
    return f'{limit_mb}:' if limit_mb else ''


def _mount_point(path: Path) -> str:
    current = path.resolve()
    while not os.path.ismount(current) and current != current.parent:
        current = current.parent
    return str(current)
