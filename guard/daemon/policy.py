"""What to do about what was measured. Pure: `decide(facts, state, rules, now)` -> actions, new state.

Alerts go through `alerts.dispatch`, which alerts on a change of state only; so every measured
check is handed to it (failing or not), and recoveries are announced the same way. Acting
(quarantine, purge) is what needs care: an action on a target starts its cooldown, and nothing
acts on a target again until the cooldown has passed, whatever events the action itself caused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from guard.daemon.changes import ROOT
from guard.daemon.changes import Change
from guard.daemon.facts import CONCERNS
from guard.daemon.facts import DISK
from guard.daemon.facts import ENV_FILES
from guard.daemon.facts import LOGS
from guard.daemon.facts import POLLUTION
from guard.daemon.facts import Facts
from guard.health.result import CheckResult
from guard.health.result import Status
from guard.health.units import MIB
from guard.health.units import human_size

DISPATCH = 'dispatch'
QUARANTINE = 'quarantine'
PURGE_LOGS = 'purge-logs'
PURGE = 'purge'
# The growth rate is judged over at least this many seconds of samples, at most a minute of them.
GROWTH_MIN_SPAN = 5.0
# A disk still low after its purge may be purged again before the cooldown ends, once it has filled
# further (new data by others: not a loop on guard's own deletions), at most this often at first;
# each retry that frees nothing doubles the wait, up to the cooldown.
DISK_RETRY = 5.0
# "Filled further": this much less free than right after the purge.
DISK_REFILL = 1024 * 1024
STILL_LOW = 'disk-still-low'
GROWTH_WINDOW = 60.0
_MAX_SAMPLES = 64


@dataclass(frozen=True)
class Action:
    """One thing to do. `target` keys the cooldown; `paths` are purge patterns for purge-logs;
    `results` the check results a dispatch hands to alerts.dispatch."""

    kind: str
    target: str
    reason: str = ''
    paths: tuple[str, ...] = ()
    results: tuple[CheckResult, ...] = ()


@dataclass(frozen=True)
class Rules:
    """The settings decide() reads (from WatchSettings and HealthSettings)."""

    on_pollution: str = 'alert'
    on_log_limit: str = 'alert'
    on_low_disk: str = 'alert'
    log_paths: tuple[str, ...] = ('logs/',)
    max_log_growth_mb_per_min: float = 0.0
    cooldown: float = 300.0
    venv_quiet: float = 0.0

    @classmethod
    def from_config(cls, config: object) -> Rules:
        watch, health = config.watch, config.health  # type: ignore[attr-defined]
        return cls(
            watch.on_pollution,
            watch.on_log_limit,
            watch.on_low_disk,
            tuple(health.log_paths),
            watch.max_log_growth_mb_per_min,
            watch.cooldown,
            watch.venv_quiet,
        )


@dataclass(frozen=True)
class State:
    """What decide() remembers: when each target was last acted on, recent log totals (for growth)."""

    last_action: Mapping[str, float] = field(default_factory=dict)
    samples: tuple[tuple[float, int], ...] = ()
    # Free bytes at the first look after the last disk purge (None until then), and the retries since
    # the disk was last fine.
    disk_floor: int | None = None
    disk_retries: int = 0

    def acted(self, target: str, now: float) -> State:
        return dataclasses.replace(self, last_action={**self.last_action, target: now})


def concerns_for(changes: Iterable[Change], log_paths: Iterable[str]) -> frozenset[str]:
    """Which concerns the changes touched: root entries -> pollution and env files, log paths -> logs.
    Disk is measured with every look (one statvfs); a rescan of the root touches everything."""
    prefixes = tuple(_static_prefix(p) for p in log_paths)
    touched = {DISK}
    for change in changes:
        if change.rel == ROOT and change.rescan:
            return frozenset(CONCERNS)
        if change.rel == ROOT or '/' not in change.rel:
            touched.update((POLLUTION, ENV_FILES))
        if any(
            p == ROOT or change.rel == p or change.rel.startswith(p + '/') or p.startswith(change.rel + '/')
            for p in prefixes
        ):
            touched.add(LOGS)
    return frozenset(touched)


def decide(facts: Facts, state: State, rules: Rules, now: float) -> tuple[list[Action], State]:
    """The actions `facts` call for, in order, and the state after them."""
    if facts.root_problem:
        return [Action(DISPATCH, 'root', results=(CheckResult('root', Status.FAIL, '', facts.root_problem),))], state
    actions = [Action(DISPATCH, 'root', results=(CheckResult('root', Status.OK, 'present and readable'),))]
    checks = facts.checks
    if rules.on_pollution != 'off':
        state = _pollution(checks, facts, state, rules, now, actions)
    if rules.on_log_limit != 'off' and LOGS in checks:
        state = _logs(facts, state, rules, now, actions)
    if rules.on_low_disk != 'off' and DISK in checks:
        state = _disk(checks[DISK], facts.free_disk, state, rules, now, actions)
    return actions, state


def _pollution(
    checks: Mapping[str, CheckResult], facts: Facts, state: State, rules: Rules, now: float, actions: list[Action]
) -> State:
    found = tuple(checks[name] for name in (POLLUTION, ENV_FILES) if name in checks)
    if found:
        actions.append(Action(DISPATCH, POLLUTION, results=found))
    venv = checks.get(POLLUTION)
    # Still being written (quiet for less than venv-quiet): wait, so that it moves whole, in one go.
    # Put back by `guard restore` (a hold): leave it, the operator wants it there for now.
    quiet = facts.venv_quiet
    settled = (quiet is None or quiet >= rules.venv_quiet) and facts.held_until is None
    if (
        venv is not None
        and venv.status is Status.FAIL
        and rules.on_pollution == 'quarantine'
        and settled
        and not _cooling(state, POLLUTION, rules, now)
    ):
        actions.append(Action(QUARANTINE, POLLUTION, venv.value))
        state = state.acted(POLLUTION, now)
    return state


def _logs(facts: Facts, state: State, rules: Rules, now: float, actions: list[Action]) -> State:
    result = facts.checks[LOGS]
    usage = facts.logs
    total = usage.total if usage else 0
    state = dataclasses.replace(state, samples=_sampled(state.samples, now, total))
    rate = growth_mb_per_min(state.samples)
    why = []
    if result.status is Status.FAIL:
        why.append(result.reason)
    if usage and usage.over_file_limit:
        rel, size = usage.over_file_limit[0]
        why.append(f'{len(usage.over_file_limit)} file(s) above the per-file limit, largest {rel} ({human_size(size)})')
    if rules.max_log_growth_mb_per_min and rate is not None and rate > rules.max_log_growth_mb_per_min:
        why.append(f'growing {rate:.1f} MiB/min, above the limit of {rules.max_log_growth_mb_per_min:g} MiB/min')
    if why and rules.on_log_limit == 'purge' and not _cooling(state, LOGS, rules, now):
        # Only files above the per-file limit: purge those; the total or the growth: the whole log paths.
        only_files = bool(usage and usage.over_file_limit) and len(why) == 1
        paths = tuple('/' + rel for rel, _ in usage.over_file_limit) if usage and only_files else rules.log_paths
        actions.append(Action(PURGE_LOGS, LOGS, '; '.join(why), paths))
        # The purge is judged by what is measured after it: the service looks again and dispatches that.
        return dataclasses.replace(state.acted(LOGS, now), samples=())
    if why and result.status is not Status.FAIL:
        result = dataclasses.replace(result, status=Status.FAIL, reason='; '.join(why))
    actions.append(Action(DISPATCH, LOGS, results=(result,)))
    return state


def _disk(
    result: CheckResult, free: int | None, state: State, rules: Rules, now: float, actions: list[Action]
) -> State:
    """Low disk: alert, purge the ephemeral set; still low after that, escalate (`disk-still-low`)
    and purge again once the disk has filled further, rather than sit at 0 bytes free for a cooldown."""
    actions.append(Action(DISPATCH, DISK, results=(result,)))
    low = result.status is Status.FAIL
    if not low:
        if DISK in state.last_action:
            actions.append(Action(DISPATCH, STILL_LOW, results=(CheckResult(STILL_LOW, Status.OK, result.value),)))
        return dataclasses.replace(state, disk_floor=None, disk_retries=0)
    if rules.on_low_disk != 'purge':
        return state
    last = state.last_action.get(DISK)
    if last is None or now - last >= rules.cooldown:
        actions.append(Action(PURGE, DISK, result.reason))
        return dataclasses.replace(state.acted(DISK, now), disk_floor=None)
    if state.disk_floor is None:  # the first look after the purge: what it left
        state = dataclasses.replace(state, disk_floor=free)
    wait = min(rules.cooldown, DISK_RETRY * 2**state.disk_retries)
    refilled = free is not None and state.disk_floor is not None and free < state.disk_floor - DISK_REFILL
    if refilled and now - last >= wait:
        actions.append(
            Action(PURGE, DISK, f'still low after the purge {now - last:.0f} s ago and filling: {result.reason}')
        )
        return dataclasses.replace(state.acted(DISK, now), disk_floor=None, disk_retries=state.disk_retries + 1)
    why = (
        f'still low after the purge {now - last:.0f} s ago ({result.value}); purging again once it fills '
        f'further, at the latest in {max(0.0, rules.cooldown - (now - last)):.0f} s'
    )
    actions.append(Action(DISPATCH, STILL_LOW, results=(CheckResult(STILL_LOW, Status.FAIL, result.value, why),)))
    return state


def growth_mb_per_min(samples: tuple[tuple[float, int], ...]) -> float | None:
    """MiB per minute between the oldest and newest sample, None until they span GROWTH_MIN_SPAN."""
    if len(samples) < 2:
        return None
    (t0, b0), (t1, b1) = samples[0], samples[-1]
    if t1 - t0 < GROWTH_MIN_SPAN:
        return None
    return (b1 - b0) / MIB / ((t1 - t0) / 60)


def _sampled(samples: tuple[tuple[float, int], ...], now: float, total: int) -> tuple[tuple[float, int], ...]:
    if samples and total < samples[-1][1]:
        return ((now, total),)  # the logs shrank (rotated, purged): growth starts again from here
    kept = [s for s in samples if now - s[0] <= GROWTH_WINDOW]
    kept.append((now, total))
    return tuple(kept[-_MAX_SAMPLES:])


def _cooling(state: State, target: str, rules: Rules, now: float) -> bool:
    last = state.last_action.get(target)
    return last is not None and now - last < rules.cooldown


def _static_prefix(pattern: str) -> str:
    """The folder part of a log-paths entry before any glob character: 'logs/*.log' -> 'logs'."""
    parts = []
    for part in pattern.strip('/').split('/'):
        if any(c in part for c in '*?['):
            break
        parts.append(part)
    return '/'.join(parts)


def watch_dirs(log_paths: Iterable[str]) -> tuple[str, ...]:
    """The folders (relative to the root) that hold the log paths, to watch recursively."""
    return tuple(dict.fromkeys(_static_prefix(p) for p in log_paths))
