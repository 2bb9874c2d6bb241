"""What an alert is, and what became of it at each sink."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from guard.health.result import Status
from guard.scan.redaction import scrub

# syslog priorities, as journald's PRIORITY= field and the '<N>' stderr prefix take them.
PRIORITY_ERR = 3
PRIORITY_WARNING = 4
PRIORITY_NOTICE = 5
EVENTS = ('problem', 'change', 'repeat', 'recovery')
_STATE_WORDS = {Status.OK: 'healthy', Status.WARN: 'warning', Status.FAIL: 'failing', Status.SKIP: 'not checked'}


@dataclass(frozen=True)
class Alert:
    """One check's change of state (or a reminder that it still fails), for one root.

    `event` is problem (was healthy), change (one bad state to another), repeat (still bad after
    alerts.repeat-after) or recovery (healthy again). `previous` is the state people were last told.
    Built from check results that are already masked: an alert carries no secret.
    """

    event: str
    check: str
    state: Status
    previous: Status
    root: str
    host: str
    detail: str  # the check's value and reason
    since: float  # when the check entered `state`; for a recovery, when the trouble began (epoch)
    time: float

    def __post_init__(self) -> None:
        # Every sink (journal, webhook, command environment, audit) reads `detail`: scrub it once here,
        # in case a check's reason quotes a driver message that echoed a credential.
        object.__setattr__(self, 'detail', scrub(self.detail))

    @property
    def priority(self) -> int:
        if self.state is Status.FAIL:
            return PRIORITY_ERR
        return PRIORITY_WARNING if self.state is Status.WARN else PRIORITY_NOTICE

    @property
    def summary(self) -> str:
        word = _STATE_WORDS[self.state]
        if self.event == 'recovery':
            lasted = _duration(self.time - self.since)
            return f'{self.check} is healthy again after {lasted} {_STATE_WORDS[self.previous]}: {self.detail}'
        if self.event == 'repeat':
            return f'{self.check} is still {word}, for {_duration(self.time - self.since)}: {self.detail}'
        if self.event == 'change':
            return f'{self.check} is {word} (was {_STATE_WORDS[self.previous]}): {self.detail}'
        return f'{self.check} is {word}: {self.detail}'

    @property
    def message(self) -> str:
        return f'guard {self.host}:{self.root}: {self.summary}'

    def fields(self) -> dict[str, str]:
        """GUARD_* fields: journal fields and the alert command's environment."""
        return {
            'GUARD_EVENT': self.event,
            'GUARD_CHECK': self.check,
            'GUARD_STATE': self.state.value,
            'GUARD_PREVIOUS': self.previous.value,
            'GUARD_ROOT': self.root,
            'GUARD_HOST': self.host,
            'GUARD_DETAIL': self.detail,
            'GUARD_SINCE': _iso(self.since),
            'GUARD_PRIORITY': str(self.priority),
        }

    def as_dict(self) -> dict[str, Any]:
        """The webhook body. `text` makes it readable as-is by Slack/Mattermost-style incoming webhooks."""
        return {
            'source': 'guard',
            'event': self.event,
            'check': self.check,
            'state': self.state.value,
            'previous': self.previous.value,
            'root': self.root,
            'host': self.host,
            'detail': self.detail,
            'summary': self.summary,
            'priority': self.priority,
            'since': _iso(self.since),
            'time': _iso(self.time),
            'text': self.message,
        }


@dataclass(frozen=True)
class Delivery:
    """One sink's attempt at one alert. `timed_out` makes dispatch skip the sink for the rest of a run."""

    sink: str
    ok: bool
    detail: str
    attempts: int = 1
    seconds: float = 0.0
    timed_out: bool = False


@dataclass(frozen=True)
class AlertResult:
    """An alert, its deliveries, and its row in the audit store (or why it has none)."""

    alert: Alert
    deliveries: tuple[Delivery, ...]
    audit_id: int | None = None
    audit_error: str = ''

    @property
    def delivered(self) -> bool:
        """At least one sink took it (or none is configured: then the audit store is the record)."""
        return not self.deliveries or any(d.ok for d in self.deliveries)

    @property
    def outcome(self) -> str:
        if all(d.ok for d in self.deliveries):
            return 'sent'
        return 'partial' if self.delivered else 'failed'


def _iso(epoch: float) -> str:
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f'{seconds} s'
    if seconds < 7200:
        return f'{seconds // 60} min'
    if seconds < 172800:
        return f'{seconds // 3600} h'
    return f'{seconds // 86400} days'
