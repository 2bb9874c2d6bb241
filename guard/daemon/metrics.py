"""Prometheus metrics for node_exporter's textfile collector, written atomically.

Per check status, log bytes per path, free disk, events and sweeps seen, drops detected, actions
and bytes reclaimed, last action time, daemon up. prometheus_client's `write_to_textfile` writes a
temporary file beside the target and renames it, so the collector never reads half a file.
`guard health --format prometheus` prints the check metrics alone, for a cron job.
https://github.com/prometheus/node_exporter#textfile-collector
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from guard.health.result import CheckResult
from guard.health.result import Status

# guard_check_status values: a number so alert rules can say `guard_check_status >= 2`.
STATUS_VALUES = {Status.OK: 0, Status.WARN: 1, Status.FAIL: 2, Status.SKIP: 3}


@dataclass(frozen=True)
class Sample:
    """Everything one metrics file holds, for one root."""

    root: str
    checks: tuple[CheckResult, ...] = ()
    log_bytes: tuple[tuple[str, int], ...] = ()
    free_disk: int | None = None
    daemon: Mapping[str, Any] | None = None  # the daemon's counters; None for `guard health`
    actions: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (kind, outcome) -> count


class _Collector:
    def __init__(self, sample: Sample) -> None:
        self.sample = sample

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily
        from prometheus_client.core import GaugeMetricFamily

        s = self.sample
        status = GaugeMetricFamily(
            'guard_check_status', 'Health check status: 0 ok, 1 warn, 2 fail, 3 skipped', labels=['root', 'check']
        )
        latency = GaugeMetricFamily('guard_check_duration_seconds', 'How long the check took', labels=['root', 'check'])
        for check in s.checks:
            status.add_metric([s.root, check.name], STATUS_VALUES[check.status])
            latency.add_metric([s.root, check.name], round(check.latency, 6))
        yield status
        yield latency
        logs = GaugeMetricFamily('guard_log_bytes', 'Bytes used by each log-paths entry', labels=['root', 'path'])
        for path, size in s.log_bytes:
            logs.add_metric([s.root, path], size)
        yield logs
        if s.free_disk is not None:
            yield _gauge(
                'guard_disk_free_bytes',
                "Free bytes on the root's filesystem (for the service user)",
                s.root,
                s.free_disk,
            )
        if s.daemon is None:
            return
        d = s.daemon
        yield _gauge('guard_up', 'guard watch is running for this root', s.root, d.get('up', 1))
        yield _gauge('guard_start_time_seconds', 'When guard watch started (Unix time)', s.root, d.get('started_at', 0))
        # Rewritten at least every REFRESH seconds while the daemon runs: older than that, it is stuck.
        yield _gauge(
            'guard_metrics_updated_timestamp_seconds',
            'When guard watch last wrote this file (Unix time)',
            s.root,
            d.get('updated_at', 0),
        )
        for name, help_text in (
            ('events', 'File system events seen'),
            ('sweeps', 'Sweeps run'),
            ('drops', 'Dropped events detected (by a sweep, a lost-events report or a collapse)'),
            ('reclaimed_bytes', "Bytes freed by the daemon's purges (a quarantine frees none)"),
        ):
            counter = CounterMetricFamily(f'guard_{name}', help_text, labels=['root'])
            counter.add_metric([s.root], d.get(name, 0))
            yield counter
        actions = CounterMetricFamily(
            'guard_actions', 'Actions taken, by kind and outcome', labels=['root', 'kind', 'outcome']
        )
        for (kind, outcome), count in sorted(s.actions.items()):
            actions.add_metric([s.root, kind, outcome], count)
        yield actions
        yield _gauge(
            'guard_last_action_timestamp_seconds',
            'When the last action ran (Unix time; 0 = none yet)',
            s.root,
            d.get('last_action_at', 0),
        )
        ignored = d.get('ignored_keys', ())
        yield _gauge(
            'guard_config_ignored_keys',
            'Settings guard watch ignores (an untrusted project file set them)',
            s.root,
            len(ignored),
        )
        by_key = GaugeMetricFamily(
            'guard_config_ignored', 'A setting guard watch ignores, by key (1)', labels=['root', 'key']
        )
        for key in ignored:
            by_key.add_metric([s.root, key], 1)
        yield by_key


def _gauge(name: str, help_text: str, root: str, value: float) -> Any:
    from prometheus_client.core import GaugeMetricFamily

    gauge = GaugeMetricFamily(name, help_text, labels=['root'])
    gauge.add_metric([root], value)
    return gauge


def _registry(sample: Sample) -> Any:
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(sample))
    return registry


def render(sample: Sample) -> str:
    """The Prometheus text exposition of `sample`."""
    from prometheus_client import generate_latest

    return generate_latest(_registry(sample)).decode()


def write(path: Path, sample: Sample) -> None:
    """Replace `path` atomically with `sample`, mode 0644 whatever the umask (node_exporter runs as
    another user), following no symlink on the way: see `write_text`."""
    write_text(path, render(sample))


def write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` (ownfiles.write_atomic): the folder is reached one component at a
    time with O_NOFOLLOW (a folder swapped for a symlink cannot send the file elsewhere, issue 16),
    and the file is made 0644 whatever the umask (the service's UMask=0027 would leave it 0640,
    unreadable to node_exporter's `prometheus` user). The folder may be another user's (node_exporter's
    textfile folder), so its owner is not checked. The temporary name does not end in .prom, so the
    textfile collector never reads half a file."""
    import os

    from guard import ownfiles

    folder = ownfiles.open_dir(path.parent, owners=False)
    try:
        ownfiles.write_atomic(folder, path.name, text.encode(errors='backslashreplace'), 0o644)  # never a crash
    finally:
        os.close(folder)


def remove(path: Path) -> None:
    """Remove `path` (no symlink followed on the way); a missing one is no error."""
    import os

    from guard import ownfiles

    folder = ownfiles.open_dir(path.parent, owners=False)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.name, dir_fd=folder)
    finally:
        os.close(folder)


def latest_checks(checks: Iterable[CheckResult]) -> tuple[CheckResult, ...]:
    return tuple(sorted(checks, key=lambda c: c.name))
