"""Free disk on the root's filesystem, judged against thresholds set around the real free space."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from guard.health import Status
from guard.health.disk import check_disk
from guard.health.units import MIB
from guard.settings import HealthSettings


def free_mb(path: Path) -> int:
    return shutil.disk_usage(path).free // MIB


def test_enough_free_space_is_ok(tmp_path: Path) -> None:
    result = check_disk(tmp_path, HealthSettings(min_free_disk_mb=1))
    assert (result.name, result.status, result.reason) == ('disk', Status.OK, '')
    assert re.fullmatch(r'[\d.]+ [KMGTP]?i?B free of [\d.]+ [KMGTP]?i?B \(\d+%\) on /\S*', result.value), result.value
    (perf,) = result.perf
    assert (perf.label, perf.uom, perf.crit, perf.warn, perf.min) == ('disk_free', 'MB', '1:', '', 0)
    assert abs(perf.value - free_mb(tmp_path)) < 64


def test_below_the_minimum_fails(tmp_path: Path) -> None:
    minimum = free_mb(tmp_path) * 2 + 1
    result = check_disk(tmp_path, HealthSettings(min_free_disk_mb=minimum))
    assert result.status is Status.FAIL
    assert result.reason.startswith('below the minimum of ') and result.reason.endswith(' free')


def test_below_the_warning_level_warns(tmp_path: Path) -> None:
    result = check_disk(tmp_path, HealthSettings(min_free_disk_mb=1, warn_free_disk_mb=free_mb(tmp_path) * 2 + 1))
    assert result.status is Status.WARN
    assert result.reason.startswith('below the warning level of ')


def test_zero_turns_the_thresholds_off(tmp_path: Path) -> None:
    assert check_disk(tmp_path, HealthSettings(min_free_disk_mb=0, warn_free_disk_mb=0)).status is Status.OK


def test_unreadable_root_fails_with_the_reason(tmp_path: Path) -> None:
    result = check_disk(tmp_path / 'gone', HealthSettings())
    assert (result.status, result.reason) == (Status.FAIL, 'cannot read free space: No such file or directory')
