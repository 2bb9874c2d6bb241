"""What a health check returns: one CheckResult per check, gathered into a HealthReport."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from dataclasses import field


class Status(enum.StrEnum):
    """A check's outcome. SKIP means it could not run because one it depends on failed."""

    OK = 'ok'
    WARN = 'warn'
    FAIL = 'fail'
    SKIP = 'skip'


# Worst first decides a report's overall status; SKIP never makes a report worse.
SEVERITY = {Status.OK: 0, Status.SKIP: 0, Status.WARN: 1, Status.FAIL: 2}


@dataclass(frozen=True)
class Perf:
    """One Nagios performance value: `label=value[uom];warn;crit;min;max` (ranges already formatted)."""

    label: str
    value: float
    uom: str = ''
    warn: str = ''
    crit: str = ''
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class CheckResult:
    """One line of the report. `value` is what was measured, `reason` why it is not OK ('' if it is)."""

    name: str
    status: Status
    value: str
    reason: str = ''
    latency: float = 0.0
    perf: tuple[Perf, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.status is not Status.FAIL


@dataclass(frozen=True)
class HealthReport:
    """All checks of one run for one root. Healthy means no check failed (warnings are allowed)."""

    root: str
    checks: tuple[CheckResult, ...]
    started_at: float
    duration: float
    database: str = ''  # the database URL with its password masked; '' when not checked

    @property
    def status(self) -> Status:
        return max((c.status for c in self.checks), key=SEVERITY.__getitem__, default=Status.OK)

    @property
    def healthy(self) -> bool:
        return self.status is not Status.FAIL

    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status is Status.FAIL)

    def warnings(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status is Status.WARN)

    def verdict(self) -> str:
        """One line a person reads first: healthy, or which checks failed."""
        failed, warned = self.failed(), self.warnings()
        if failed:
            names = ', '.join(c.name for c in failed)
            return f'unhealthy: {len(failed)} of {len(self.checks)} checks failed ({names})'
        if warned:
            names = ', '.join(c.name for c in warned)
            return f'healthy with {len(warned)} warning{"s" if len(warned) > 1 else ""} ({names})'
        count = len(self.checks)
        return f'healthy: {count} check{"s" if count != 1 else ""} passed'
