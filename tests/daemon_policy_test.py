"""The pure stages, table-tested: policy.decide, policy.concerns_for, the growth rate, and the
ChangeBuffer's debounce, max-wait, collapse and mute (driven by a fake clock: no waiting)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.daemon.changes import Change
from guard.daemon.changes import ChangeBuffer
from guard.daemon.facts import Facts
from guard.daemon.facts import LogUsage
from guard.daemon.policy import DISK_REFILL
from guard.daemon.policy import DISK_RETRY
from guard.daemon.policy import DISPATCH
from guard.daemon.policy import PURGE
from guard.daemon.policy import PURGE_LOGS
from guard.daemon.policy import QUARANTINE
from guard.daemon.policy import Rules
from guard.daemon.policy import State
from guard.daemon.policy import concerns_for
from guard.daemon.policy import decide
from guard.daemon.policy import growth_mb_per_min
from guard.daemon.policy import watch_dirs
from guard.health.result import CheckResult
from guard.health.result import Status

MIB = 1024 * 1024
OK, FAIL = Status.OK, Status.FAIL


def _facts(
    pollution: Status = OK,
    logs: Status = OK,
    disk: Status = OK,
    *,
    total: int = 0,
    over: tuple[tuple[str, int], ...] = (),
) -> Facts:
    checks = {
        'pollution': CheckResult('pollution', pollution, 'venv entries: bin/' if pollution is FAIL else 'none'),
        'env-files': CheckResult('env-files', OK, 'none'),
        'logs': CheckResult('logs', logs, f'{total} B', 'above the limit' if logs is FAIL else ''),
        'disk': CheckResult('disk', disk, 'free', 'below the minimum' if disk is FAIL else ''),
    }
    return Facts('', checks, LogUsage(total, 1, (('logs/', total),), over), 10 * MIB)


def _kinds(actions: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(a.kind, a.target) for a in actions if a.kind != DISPATCH]


DECISIONS = [
    # (rules, facts, actions other than dispatches)
    (Rules(), _facts(), []),
    (Rules(), _facts(pollution=FAIL, logs=FAIL, disk=FAIL), []),
    (Rules(on_pollution='quarantine'), _facts(pollution=FAIL), [(QUARANTINE, 'pollution')]),
    (Rules(on_pollution='quarantine'), _facts(), []),
    (Rules(on_log_limit='purge'), _facts(logs=FAIL, total=9 * MIB), [(PURGE_LOGS, 'logs')]),
    (Rules(on_log_limit='purge'), _facts(total=9 * MIB), []),
    (Rules(on_log_limit='purge'), _facts(over=(('logs/big.log', 3 * MIB),)), [(PURGE_LOGS, 'logs')]),
    (Rules(on_low_disk='purge'), _facts(disk=FAIL), [(PURGE, 'disk')]),
    (
        Rules(on_low_disk='purge', on_log_limit='purge', on_pollution='quarantine'),
        _facts(pollution=FAIL, logs=FAIL, disk=FAIL),
        [(QUARANTINE, 'pollution'), (PURGE_LOGS, 'logs'), (PURGE, 'disk')],
    ),
    (
        Rules(on_low_disk='off', on_log_limit='off', on_pollution='off'),
        _facts(pollution=FAIL, logs=FAIL, disk=FAIL),
        [],
    ),
]


@pytest.mark.parametrize(('rules', 'facts', 'expected'), DECISIONS)
def test_decide(rules: Rules, facts: Facts, expected: list[tuple[str, str]]) -> None:
    actions, _state = decide(facts, State(), rules, now=1000.0)
    assert _kinds(actions) == expected


def test_alert_mode_hands_every_measured_check_to_dispatch() -> None:
    actions, _ = decide(_facts(pollution=FAIL, logs=FAIL), State(), Rules(), now=1.0)
    dispatched = {r.name: r.status for a in actions if a.kind == DISPATCH for r in a.results}
    assert dispatched == {'root': OK, 'pollution': FAIL, 'env-files': OK, 'logs': FAIL, 'disk': OK}


def test_off_dispatches_nothing_for_its_concern() -> None:
    actions, _ = decide(_facts(pollution=FAIL), State(), Rules(on_pollution='off'), now=1.0)
    assert 'pollution' not in {r.name for a in actions for r in a.results}


def test_cooldown_stops_a_second_action_on_the_same_target_until_it_passes() -> None:
    rules = Rules(on_log_limit='purge', cooldown=60)
    first, state = decide(_facts(logs=FAIL), State(), rules, now=100.0)
    again, state = decide(_facts(logs=FAIL), state, rules, now=159.0)
    later, _ = decide(_facts(logs=FAIL), state, rules, now=161.0)
    assert _kinds(first) == [(PURGE_LOGS, 'logs')]
    assert _kinds(again) == []
    assert [r.status for a in again for r in a.results if r.name == 'logs'] == [FAIL]  # still alerted
    assert _kinds(later) == [(PURGE_LOGS, 'logs')]


def test_a_per_file_breach_purges_only_those_files_and_a_total_breach_the_log_paths() -> None:
    rules = Rules(on_log_limit='purge', log_paths=('logs/', 'var/log/*.log'))
    files, _ = decide(_facts(over=(('logs/a.log', 5 * MIB), ('var/log/b.log', 4 * MIB))), State(), rules, now=1.0)
    total, _ = decide(_facts(logs=FAIL), State(), rules, now=1.0)
    assert [a.paths for a in files if a.kind == PURGE_LOGS] == [('/logs/a.log', '/var/log/b.log')]
    assert [a.paths for a in total if a.kind == PURGE_LOGS] == [('logs/', 'var/log/*.log')]


def test_growth_limit_acts_once_samples_span_enough_time() -> None:
    rules = Rules(on_log_limit='purge', max_log_growth_mb_per_min=10)
    state = State()
    actions = []
    for second, total in ((0, 0), (3, 3 * MIB), (6, 6 * MIB)):  # 60 MiB/min
        actions, state = decide(_facts(total=total), state, rules, now=float(second))
    assert _kinds(actions) == [(PURGE_LOGS, 'logs')]
    assert 'growing 60.0 MiB/min' in next(a for a in actions if a.kind == PURGE_LOGS).reason


GROWTH = [
    ((), None),
    (((0.0, 0), (4.9, MIB)), None),  # not yet GROWTH_MIN_SPAN
    (((0.0, 0), (6.0, MIB)), 10.0),
    (((0.0, 0), (30.0, 5 * MIB), (60.0, 5 * MIB)), 5.0),
]


@pytest.mark.parametrize(('samples', 'expected'), GROWTH)
def test_growth_rate(samples: tuple[tuple[float, int], ...], expected: float | None) -> None:
    assert growth_mb_per_min(samples) == expected


def _change(rel: str, rescan: bool = False) -> Change:
    return Change(rel, rescan, 1, 0.0, 0.0)


CONCERNS = [
    ([_change('pyvenv.cfg')], {'pollution', 'env-files', 'disk'}),
    ([_change('logs/app.log')], {'logs', 'disk'}),
    ([_change('logs')], {'pollution', 'env-files', 'logs', 'disk'}),
    ([_change('src/main.py')], {'disk'}),
    ([_change('', rescan=True)], {'pollution', 'env-files', 'logs', 'disk'}),
]


@pytest.mark.parametrize(('changes', 'expected'), CONCERNS)
def test_concerns_for(changes: list[Change], expected: set[str]) -> None:
    assert concerns_for(changes, ('logs/',)) == expected


def test_watch_dirs_stop_at_the_first_glob() -> None:
    assert watch_dirs(('logs/', 'var/log/*.log', '**/*.log', 'logs/app.log')) == ('logs', 'var/log', '', 'logs/app.log')


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_buffer_debounces_and_coalesces_per_path() -> None:
    clock = Clock()
    buffer = ChangeBuffer(max_pending=100, clock=clock)
    assert buffer.add('logs/a.log') is True  # the first change wakes the loop
    assert buffer.add('logs/a.log') is False
    clock.now = 0.4
    buffer.add('logs/a.log')
    assert buffer.take_due(debounce=0.5, max_wait=5) == []
    clock.now = 0.9
    assert buffer.take_due(debounce=0.5, max_wait=5) == [Change('logs/a.log', False, 3, 0.0, 0.4)]


def test_buffer_max_wait_fires_a_path_that_never_goes_quiet() -> None:
    clock = Clock()
    buffer = ChangeBuffer(max_pending=100, clock=clock)
    due = []
    while not due:
        buffer.add('logs/busy.log')
        clock.now = round(clock.now + 0.1, 3)
        due = buffer.take_due(debounce=0.5, max_wait=2.0)
    assert clock.now == 2.0
    assert due[0].count == 20


def test_buffer_stays_bounded_under_a_storm_and_counts_the_collapse() -> None:
    clock = Clock()
    buffer = ChangeBuffer(max_pending=1000, clock=clock)
    for n in range(100_000):
        buffer.add(f'logs/f{n:06}.log')
        assert len(buffer) <= 1000
    clock.now = 10.0
    changes = buffer.take_due(debounce=0.5, max_wait=5)
    assert changes == [Change('logs', True, 100_000, 0.0, 0.0)]
    assert buffer.drops == 1 and buffer.events == 100_000


def test_buffer_collapses_to_the_root_when_one_folder_is_not_enough() -> None:
    buffer = ChangeBuffer(max_pending=10, clock=Clock())
    for n in range(50):
        buffer.add(f'd{n}/file')
    assert len(buffer) <= 10
    assert any(c.rel == '' and c.rescan for c in buffer.take_all())


def test_buffer_mutes_its_own_actions_until_the_deadline() -> None:
    clock = Clock()
    buffer = ChangeBuffer(max_pending=100, clock=clock)
    buffer.add('logs/a.log')
    buffer.mute(['logs'], until=5.0)
    assert len(buffer) == 0  # what was pending under it is its own doing too
    buffer.add('logs/a.log')
    buffer.add('pyvenv.cfg')
    assert [c.rel for c in buffer.take_all()] == ['pyvenv.cfg']
    clock.now = 5.0
    buffer.add('logs/a.log')
    assert [c.rel for c in buffer.take_all()] == ['logs/a.log']
    assert buffer.events == 4


def _disk_facts(free: int, limit: int) -> Facts:
    status = FAIL if free < limit else OK
    checks = {'disk': CheckResult('disk', status, f'{free} free', 'below the minimum' if status is FAIL else '')}
    return Facts('', checks, None, free)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0.1, 20.0), st.integers(0, 40 * MIB)), min_size=1, max_size=40))
def test_a_low_disk_is_never_left_low_for_a_cooldown_nor_purged_in_a_loop(looks: list[tuple[float, int]]) -> None:
    # Generated looks (seconds since the last one, free bytes) at a disk whose limit is 16 MiB.
    rules, limit = Rules(on_low_disk='purge', cooldown=300.0), 16 * MIB
    state, now, purges, floor = State(), 0.0, [], None
    for gap, free in looks:
        now += gap
        actions, after = decide(_disk_facts(free, limit), state, rules, now)
        purged = [a for a in actions if a.kind == PURGE]
        still_low = [r for a in actions for r in a.results if r.name == 'disk-still-low']
        if free >= limit:
            assert not purged and after.disk_floor is None
        elif not purges or now - purges[-1] >= rules.cooldown:
            assert purged, (now, purges)  # low and free to act: it acts
        elif purged:
            # Again within the cooldown: only once the disk filled further, and never in a tight loop.
            assert floor is not None and free < floor - DISK_REFILL
            assert now - purges[-1] >= DISK_RETRY
        else:
            assert still_low and still_low[0].status is FAIL  # it says so, rather than wait in silence
        if purged:
            purges.append(now)
            floor = None
        elif purges and free < limit and floor is None:
            floor = free  # the first look after a purge: what it left
        if free >= limit:
            floor = None
        state = after
