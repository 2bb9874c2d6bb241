"""`guard health`: is the database up and populated, is there disk left, are the logs in bounds,
is the root free of Python environments. The daemon calls `run_checks` on a timer.
"""

from __future__ import annotations

from guard.health.checks import CHECKS
from guard.health.checks import run_checks
from guard.health.result import CheckResult
from guard.health.result import HealthReport
from guard.health.result import Perf
from guard.health.result import Status

__all__ = ['CHECKS', 'CheckResult', 'HealthReport', 'Perf', 'Status', 'run_checks']
