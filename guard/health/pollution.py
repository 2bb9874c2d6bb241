"""Root pollution: the venv rule of `guard scan`, asked of the root as it is on disk now."""

from __future__ import annotations

import time
from pathlib import Path

from guard.health.result import CheckResult
from guard.health.result import Status

NAME = 'pollution'


def check_pollution(root: Path) -> CheckResult:
    """FAIL when a Python environment sits in the project root (what `guard clean` quarantines)."""
    from guard.rules.trees import DiskTree
    from guard.rules.venv import detect_root_venv

    started = time.perf_counter()
    finding = detect_root_venv(DiskTree(root), root_path=str(root))
    seconds = time.perf_counter() - started
    if finding is None:
        return CheckResult(NAME, Status.OK, 'no Python environment in the root', latency=seconds)
    return CheckResult(
        NAME,
        Status.FAIL,
        finding.excerpt,
        'a Python environment sits in the project root; `guard clean` moves it to a quarantine',
        seconds,
    )
