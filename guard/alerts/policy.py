"""When to alert: on a change of state, not on every check. Pure, so it is table-tested.

Each check keeps what it is now and what people were last told (`notified`). An alert goes out
when the two differ: a problem after alerts.failures-before-alert bad results in a row, a
recovery at once. While both say "failing", a reminder goes out every alerts.repeat-after
seconds. `notified` only moves when a sink took the alert, so an alert no sink could deliver is
tried again on the next run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from guard.alerts.model import Alert
from guard.health.result import CheckResult
from guard.health.result import HealthReport
from guard.health.result import Status


@dataclass(frozen=True)
class Entry:
    """One check's remembered state for one root."""

    state: Status
    since: float
    count: int  # consecutive results in `state`
    notified: Status
    notified_at: float | None = None
    trouble_since: float | None = None  # when it last left OK; a recovery says how long it lasted


@dataclass(frozen=True)
class Rules:
    """The settings decide() needs (from AlertSettings)."""

    repeat_after: float = 3600.0
    failures_before_alert: int = 1
    recovery: bool = True


def decide(
    report: HealthReport, entries: Mapping[str, Entry], rules: Rules, *, host: str, now: float
) -> tuple[list[Alert], dict[str, Entry]]:
    """The alerts this report calls for, and every check's entry after observing it."""
    alerts: list[Alert] = []
    updated = dict(entries)
    for check in report.checks:
        if check.status is Status.SKIP:
            continue  # not checked says nothing about the state; keep what we knew
        entry = observe(entries.get(check.name), check.status, now)
        alert = _alert_for(entry, check, rules, report.root, host, now)
        if alert is None and entry.state is Status.OK and entry.notified is not Status.OK:
            entry = dataclasses.replace(entry, notified=Status.OK, notified_at=now)  # recovery alerts are off
        updated[check.name] = entry
        if alert is not None:
            alerts.append(alert)
    return alerts, updated


def observe(entry: Entry | None, status: Status, now: float) -> Entry:
    if entry is None:
        # A first result of "failing" is news: people assume a check they never heard of is fine.
        entry = Entry(state=Status.OK, since=now, count=0, notified=Status.OK)
    if status is entry.state:
        return dataclasses.replace(entry, count=entry.count + 1)
    trouble = entry.trouble_since
    if entry.state is Status.OK and status is not Status.OK:
        trouble = now
    return dataclasses.replace(entry, state=status, since=now, count=1, trouble_since=trouble)


def notified(entry: Entry, alert: Alert) -> Entry:
    """The entry once `alert` reached someone."""
    return dataclasses.replace(entry, notified=alert.state, notified_at=alert.time)


def _alert_for(entry: Entry, check: CheckResult, rules: Rules, root: str, host: str, now: float) -> Alert | None:
    detail = ': '.join(part for part in (check.value, check.reason) if part)

    def make(event: str, since: float) -> Alert:
        return Alert(event, check.name, entry.state, entry.notified, root, host, detail, since, now)

    if entry.state is entry.notified:
        due = entry.notified_at is not None and now - entry.notified_at >= rules.repeat_after
        if entry.state is not Status.OK and rules.repeat_after > 0 and due:
            return make('repeat', entry.since)
        return None
    if entry.state is Status.OK:
        return make('recovery', entry.trouble_since or entry.since) if rules.recovery else None
    if entry.count < max(1, rules.failures_before_alert):
        return None
    return make('problem' if entry.notified is Status.OK else 'change', entry.since)
