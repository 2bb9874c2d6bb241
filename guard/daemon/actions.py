"""Carry out the policy's actions through the library: alerts.dispatch, safety.quarantine and
safety.purge (plan -> execute), every one recorded in the audit store with trigger `daemon`.

A purge from the daemon is narrower than `guard purge`: the log paths only (or the configured
ephemeral set when the disk is low), never `--full`, and the purge's before/after service
commands only when watch.run-commands is true. Protected paths are fingerprinted before and
checked after by the purge engine itself; a protected path that changed is alerted on.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guard.daemon.policy import DISPATCH
from guard.daemon.policy import PURGE
from guard.daemon.policy import PURGE_LOGS
from guard.daemon.policy import QUARANTINE
from guard.daemon.policy import Action
from guard.errors import GuardError
from guard.health.result import CheckResult
from guard.health.result import HealthReport
from guard.health.result import Status

if TYPE_CHECKING:
    from guard.alerts import AlertResult
    from guard.alerts import Sink
    from guard.audit import AuditStore
    from guard.config import Config
    from guard.safety.fd import RootPin
    from guard.safety.results import Failure

TRIGGER = 'daemon'


@dataclass(frozen=True)
class Done:
    """What came of one action (dispatches are not counted as actions)."""

    kind: str
    target: str
    outcome: str  # ok | partial | protected-changed | nothing | refused | failed
    bytes: int = 0
    files: int = 0
    audit_id: int | None = None
    detail: str = ''
    at: float = 0.0  # wall-clock time


class Executor:
    """Runs actions for one root with one config, one audit store and one set of alert sinks."""

    def __init__(
        self,
        config: Config,
        root: Path,
        store: AuditStore | None,
        sinks: Sequence[Sink],
        *,
        tick: Callable[[], None] = lambda: None,
        pin: RootPin | None = None,
    ) -> None:
        self.config = config
        self.root = root
        # The root as the daemon pinned it at start: every action looks and acts through it, and is
        # refused when the path leads elsewhere now.
        self.pin = pin
        self.store = store
        self.sinks = sinks
        self._tick = tick
        self.alert_errors: list[str] = []
        # (dev, inode) of files already reported as not the service's to empty (once each).
        self.reported_denied: set[tuple[int, int]] = set()
        # Checks the daemon acted on -> when they were first seen OK since (None: not yet).
        self.acted_on: dict[str, float | None] = {}

    def dispatch(self, results: Sequence[CheckResult]) -> list[AlertResult]:
        """Hand check results to alerts.dispatch, which alerts only on a change of state."""
        from guard.alerts import dispatch

        results = self._steadied(results, time.monotonic())
        if not results:
            return []
        report = HealthReport(str(self.root), tuple(results), time.time(), 0.0)
        try:
            alerts = dispatch(report, self.config, store=self.store, trigger=TRIGGER, sinks=self.sinks)
        except GuardError as e:
            self.alert_errors.append(str(e))
            return []
        for result in alerts:
            self.alert_errors.extend(f'{d.sink}: {d.detail}' for d in result.deliveries if not d.ok)
            if result.audit_error:
                self.alert_errors.append(result.audit_error)
        return alerts

    def _steadied(self, results: Sequence[CheckResult], now: float) -> list[CheckResult]:
        """Hysteresis: an OK for a check the daemon acted on is held back (so no recovery is
        announced) until the check has stayed OK for watch.recover-after seconds."""
        kept = []
        for result in results:
            name = result.name
            if name not in self.acted_on:
                kept.append(result)
            elif result.status is not Status.OK:
                self.acted_on[name] = None  # failing again: the quiet period starts over at the next OK
                kept.append(result)
            else:
                since = self.acted_on[name]
                if since is None:
                    self.acted_on[name] = now
                elif now - since >= self.config.watch.recover_after:
                    del self.acted_on[name]
                    kept.append(result)
        return kept

    def run(self, action: Action) -> Done | None:
        if action.kind == DISPATCH:
            self.dispatch(action.results)
            return None
        if self.config.watch.recover_after > 0:
            self.acted_on.setdefault(action.target, None)
        started = time.time()
        try:
            if self.pin is not None:
                self.pin.verify()
            done = _RUNNERS[action.kind](self, action)
        except GuardError as e:  # a lock held by a manual purge, an unsafe root: try again later
            done = Done(action.kind, action.target, 'refused', detail=str(e))
        return dataclasses.replace(done, at=started)

    def _quarantine(self, action: Action) -> Done:
        from guard.safety import quarantine

        plan = quarantine.plan(self.config, self.root, pin=self.pin)
        if not plan.entries:
            return Done(action.kind, action.target, 'nothing')
        report = quarantine.execute(plan, audit=self.store, trigger=TRIGGER, lock_timeout=0)
        moved = ', '.join(e.path for e in report.moved)
        return Done(
            action.kind,
            action.target,
            report.outcome,
            report.bytes,
            len(report.moved),
            report.audit_id,
            f'moved {moved} to {report.quarantine_path}',
        )

    def _purge(self, action: Action) -> Done:
        if action.kind != PURGE_LOGS:
            return self._purge_in(action, self.root, tuple(self.config.purge.ephemeral))
        # Log paths on a volume of their own are purged within it: the engine never crosses a mount.
        from guard.daemon.logfs import split

        own, volumes = split(self.root, action.paths)
        parts = [(self.root, own)] if own else []
        parts += [(volume.mount, volume.patterns) for volume in volumes]
        done = [self._purge_in(action, where, patterns) for where, patterns in parts]
        acted = [d for d in done if d.outcome != 'nothing']
        if not acted:
            return Done(action.kind, action.target, 'nothing')
        worst = max(acted, key=lambda d: _SEVERITY.get(d.outcome, 9))
        return Done(
            action.kind,
            action.target,
            worst.outcome,
            sum(d.bytes for d in acted),
            sum(d.files for d in acted),
            worst.audit_id,
            '; '.join(d.detail for d in acted),
        )

    def _purge_in(self, action: Action, where: Path, ephemeral: tuple[str, ...]) -> Done:
        from guard.safety import purge
        from guard.safety.fd import RootPin

        pin = self.pin
        if pin is not None and where != self.root:
            # A log volume mounted inside the root: reached from the pinned root, no link followed.
            pin = RootPin.beneath(pin, where.relative_to(self.root).as_posix())
        try:
            plan = purge.plan(purge_config(self.config, ephemeral), where, pin=pin)
            if not plan.items:
                return Done(action.kind, action.target, 'nothing')
            report = purge.execute(
                plan, audit=self.store, trigger=TRIGGER, full=False, lock_timeout=0, progress=lambda _: self._tick()
            )
        finally:
            if pin is not None and pin is not self.pin:
                pin.close()
        detail = f'{action.reason}; cleared {report.files} files, {report.reclaimed} bytes freed'
        if where != self.root:
            detail += f' on the volume {where}'
        if not report.verification.ok:
            changed = ', '.join((*report.verification.changed, *report.verification.missing)[:5])
            detail += f'; PROTECTED PATHS CHANGED: {changed}'
            self.dispatch(
                [CheckResult('protected', Status.FAIL, changed, 'a protected path differs after a daemon purge')]
            )
        self._report_denied(where, report.failures)
        return Done(
            action.kind, action.target, report.outcome, max(report.reclaimed, 0), report.files, report.audit_id, detail
        )

    def _report_denied(self, where: Path, failures: Sequence[Failure]) -> None:
        """A file the service user may not truncate or remove fails every purge the same way: say so
        once, with its owner and the fix (an alert, check `log-permissions`, which stays failed)."""
        from guard.daemon.logperm import denied

        lines = denied(where, failures, self.reported_denied)
        if lines:
            self.dispatch(
                [
                    CheckResult(
                        'log-permissions',
                        Status.FAIL,
                        '; '.join(lines),
                        'the service cannot empty these logs: create them as its user '
                        "(LogsDirectory= in the writer's unit, or chown them to it)",
                    )
                ]
            )


# Which outcome a combined purge (the root and its log volumes) reports: the worst.
_SEVERITY = {'ok': 0, 'partial': 1, 'refused': 2, 'failed': 3, 'protected-changed': 4}


def purge_config(config: Config, ephemeral: tuple[str, ...]) -> Config:
    """The config a daemon purge runs with: these patterns only; service commands only when allowed."""
    settings = dataclasses.replace(config.purge, ephemeral=ephemeral, full=())
    if not config.watch.run_commands:
        settings = dataclasses.replace(settings, before=(), after=())
    return config.updated(purge=settings)


_RUNNERS: dict[str, Callable[[Executor, Action], Done]] = {
    QUARANTINE: Executor._quarantine,
    PURGE_LOGS: Executor._purge,
    PURGE: Executor._purge,
}
