"""`dispatch`: turn a HealthReport into alerts on state change, deliver them, record each one.

The daemon calls this after every health run; `guard health --alert` calls it once. Returns what
happened and never prints (the stderr journal fallback is a sink, writing where it was told to).
"""

from __future__ import annotations

import logging
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Protocol
from typing import TextIO

from guard.alerts.model import Alert
from guard.alerts.model import AlertResult
from guard.alerts.model import Delivery
from guard.alerts.policy import Rules
from guard.alerts.policy import decide
from guard.alerts.policy import notified
from guard.alerts.state import FILE_NAME
from guard.alerts.state import AlertState
from guard.errors import GuardError
from guard.health.result import HealthReport

if TYPE_CHECKING:
    from guard.audit import AuditStore
    from guard.config import Config

_log = logging.getLogger(__name__)


class Sink(Protocol):
    name: str

    def deliver(self, alert: Alert) -> Delivery: ...


def dispatch(
    report: HealthReport,
    config: Config,
    *,
    store: AuditStore | None = None,
    trigger: str = 'manual',
    sinks: Sequence[Sink] | None = None,
    now: float | None = None,
    state_path: Path | None = None,
) -> list[AlertResult]:
    """Alert on what changed since the last run for this root; one AlertResult per alert.

    `store` defaults to the configured audit store, opened only when there is an alert to record.
    `sinks` defaults to build_sinks(config). Raises ConfigError for a bad sink setting or an
    unusable state directory, LockedError when another process holds the alert state too long.
    """
    now = time.time() if now is None else now
    sinks = build_sinks(config) if sinks is None else sinks
    rules = Rules(config.alerts.repeat_after, config.alerts.failures_before_alert, config.alerts.recovery)
    with AlertState(state_path or config.state_path() / FILE_NAME) as state:
        if state.warning:
            _log.warning('%s', state.warning)
        alerts, entries = decide(report, state.load(report.root), rules, host=socket.gethostname(), now=now)
        results = []
        with _Recorder(config, store, trigger) as recorder:
            given_up: dict[str, Delivery] = {}
            for alert in alerts:
                deliveries = tuple(_deliver(sink, alert, given_up) for sink in sinks)
                result = recorder.record(alert, deliveries)
                if result.delivered:
                    entries[alert.check] = notified(entries[alert.check], alert)
                results.append(result)
        state.save(report.root, entries)
    return results


def build_sinks(config: Config, *, stream: TextIO | None = None) -> list[Sink]:
    """The sinks alerts.* configures, in the order they are tried: journal, command, webhook."""
    from guard.alerts.command import CommandSink
    from guard.alerts.journal import open_journal
    from guard.alerts.webhook import WebhookSink

    settings = config.alerts
    sinks: list[Sink] = []
    if settings.journal:
        sinks.append(open_journal(stream=stream or sys.stderr))
    if settings.command:
        sinks.append(CommandSink(settings.command, timeout=settings.command_timeout, cwd=str(config.root)))
    if settings.webhook:
        sinks.append(
            WebhookSink(
                settings.webhook,
                timeout=settings.webhook_timeout,
                retries=settings.webhook_retries,
                backoff=settings.webhook_backoff,
            )
        )
    return sinks


def _deliver(sink: Sink, alert: Alert, given_up: dict[str, Delivery]) -> Delivery:
    # A sink that timed out once in this run is not waited on again: one hung webhook must not
    # hold up a run by its timeout times the number of alerts.
    if sink.name in given_up:
        return Delivery(
            sink.name, False, f'skipped: timed out on an earlier alert ({given_up[sink.name].detail})', attempts=0
        )
    delivery = sink.deliver(alert)
    if delivery.timed_out:
        given_up[sink.name] = delivery
    return delivery


class _Recorder:
    """Writes one audit row per alert; opens the configured store only if an alert comes."""

    def __init__(self, config: Config, store: AuditStore | None, trigger: str) -> None:
        self._config = config
        self._store = store
        self._owned: AuditStore | None = None
        self._trigger = trigger
        self._error = ''

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._owned is not None:
            self._owned.close()

    def record(self, alert: Alert, deliveries: tuple[Delivery, ...]) -> AlertResult:
        result = AlertResult(alert, deliveries)
        store = self._open()
        if store is None:
            return AlertResult(alert, deliveries, audit_error=self._error)
        detail = {
            'check': alert.check,
            'event': alert.event,
            'state': alert.state.value,
            'previous': alert.previous.value,
            'summary': alert.summary,
            'host': alert.host,
            'deliveries': {d.sink: ('ok: ' if d.ok else 'failed: ') + d.detail for d in deliveries},
        }
        try:
            audit_id = store.record('alert', alert.root, trigger=self._trigger, outcome=result.outcome, detail=detail)
        except GuardError as e:
            return AlertResult(alert, deliveries, audit_error=str(e))
        return AlertResult(alert, deliveries, audit_id=audit_id)

    def _open(self) -> AuditStore | None:
        if self._store is None and self._owned is None and not self._error:
            from guard.audit import AuditStore

            try:
                self._owned = AuditStore.open(self._config)
            except GuardError as e:
                self._error = str(e)
        return self._store or self._owned
