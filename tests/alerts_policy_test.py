"""decide(): alerts on a change of state, recoveries, rate-limited repeats. Pure, so table-driven."""

from __future__ import annotations

import pytest

from guard.alerts.policy import Entry
from guard.alerts.policy import Rules
from guard.alerts.policy import decide
from guard.alerts.policy import notified
from guard.health import CheckResult
from guard.health import HealthReport
from guard.health import Status

S = {'ok': Status.OK, 'warn': Status.WARN, 'fail': Status.FAIL, 'skip': Status.SKIP}


def report(status: str, *, reason: str = 'boom') -> HealthReport:
    check = CheckResult('database', S[status], 'postgresql://app:***@db/app', '' if status == 'ok' else reason)
    return HealthReport('/srv/app', (check,), 0.0, 0.0)


def run(steps: list[tuple[str, float]], rules: Rules, *, deliver: bool = True) -> list[list[str]]:
    """Feed one status per step; return the alerts of each step as 'event:state<-previous'."""
    entries: dict[str, Entry] = {}
    seen = []
    for status, now in steps:
        alerts, entries = decide(report(status), entries, rules, host='h', now=now)
        if deliver:
            for alert in alerts:
                entries[alert.check] = notified(entries[alert.check], alert)
        seen.append([f'{a.event}:{a.state}<-{a.previous}' for a in alerts])
    return seen


SCENARIOS = [
    ('a first healthy result is silent', [('ok', 0)], [[]]),
    ('a first failure is news', [('fail', 0)], [['problem:fail<-ok']]),
    (
        'failure then recovery, once each',
        [('ok', 0), ('fail', 10), ('fail', 20), ('ok', 30), ('ok', 40)],
        [[], ['problem:fail<-ok'], [], ['recovery:ok<-fail'], []],
    ),
    (
        'still failing repeats after repeat-after, then waits again',
        [('fail', 0), ('fail', 3599), ('fail', 3600), ('fail', 3700), ('fail', 7200)],
        [['problem:fail<-ok'], [], ['repeat:fail<-fail'], [], ['repeat:fail<-fail']],
    ),
    (
        'a warning, then worse, then better',
        [('warn', 0), ('fail', 10), ('warn', 20), ('ok', 30)],
        [['problem:warn<-ok'], ['change:fail<-warn'], ['change:warn<-fail'], ['recovery:ok<-warn']],
    ),
    (
        'skipped results change nothing',
        [('fail', 0), ('skip', 10), ('skip', 20), ('fail', 30), ('ok', 40)],
        [['problem:fail<-ok'], [], [], [], ['recovery:ok<-fail']],
    ),
]


@pytest.mark.parametrize(('steps', 'expected'), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_scenarios(steps: list[tuple[str, float]], expected: list[list[str]]) -> None:
    assert run(steps, Rules(repeat_after=3600)) == expected


def test_repeat_after_zero_never_repeats() -> None:
    assert run([('fail', 0), ('fail', 10**6), ('fail', 10**7)], Rules(repeat_after=0)) == [['problem:fail<-ok'], [], []]


def test_failures_before_alert_absorbs_a_blip() -> None:
    rules = Rules(failures_before_alert=3)
    assert run([('fail', 0), ('ok', 1), ('fail', 2), ('fail', 3), ('fail', 4), ('fail', 5), ('ok', 6)], rules) == [
        [],
        [],
        [],
        [],
        ['problem:fail<-ok'],
        [],
        ['recovery:ok<-fail'],
    ]


def test_recovery_off_still_resets_the_state() -> None:
    assert run([('fail', 0), ('ok', 10), ('fail', 20)], Rules(recovery=False)) == [
        ['problem:fail<-ok'],
        [],
        ['problem:fail<-ok'],
    ]


def test_an_undelivered_alert_is_tried_again() -> None:
    assert run([('fail', 0), ('fail', 10)], Rules(), deliver=False) == [['problem:fail<-ok'], ['problem:fail<-ok']]


def test_alert_content() -> None:
    rules = Rules()
    alerts, entries = decide(report('fail', reason='connection refused'), {}, rules, host='web1', now=1000.0)
    (alert,) = alerts
    assert alert.summary == 'database is failing: postgresql://app:***@db/app: connection refused'
    assert alert.message == 'guard web1:/srv/app: database is failing: postgresql://app:***@db/app: connection refused'
    assert (alert.priority, alert.since, alert.time) == (3, 1000.0, 1000.0)
    entries['database'] = notified(entries['database'], alert)
    alerts, entries = decide(report('fail'), entries, Rules(repeat_after=60), host='web1', now=1000.0 + 7300)
    assert alerts[0].summary == 'database is still failing, for 2 h: postgresql://app:***@db/app: boom'
    entries['database'] = notified(entries['database'], alerts[0])
    (recovery,), _ = decide(report('ok'), entries, rules, host='web1', now=1000.0 + 7400)
    assert recovery.summary == 'database is healthy again after 2 h failing: postgresql://app:***@db/app'
    assert (recovery.priority, recovery.since) == (5, 1000.0)
    assert recovery.fields() == {
        'GUARD_EVENT': 'recovery',
        'GUARD_CHECK': 'database',
        'GUARD_STATE': 'ok',
        'GUARD_PREVIOUS': 'fail',
        'GUARD_ROOT': '/srv/app',
        'GUARD_HOST': 'web1',
        'GUARD_DETAIL': 'postgresql://app:***@db/app',
        'GUARD_SINCE': '1970-01-01T00:16:40Z',
        'GUARD_PRIORITY': '5',
    }
