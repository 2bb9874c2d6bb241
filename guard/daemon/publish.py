"""What the daemon tells the world about itself: the STATUS= line, the status file `guard status`
reads, and the metrics file. Counters live here; the service reports to it as things happen.
Publishing is rate-limited (at most once a second) except on a change of state.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from guard.daemon import metrics
from guard.daemon import status as status_file
from guard.daemon.actions import Done
from guard.daemon.facts import Facts
from guard.errors import ConfigError
from guard.errors import UnsafeOperationError
from guard.health.result import CheckResult
from guard.health.result import Status
from guard.health.units import human_size

if TYPE_CHECKING:
    from guard.daemon.service import Service

PUBLISH_EVERY = 1.0
# The metrics file is rewritten at least this often, so guard_metrics_updated_timestamp_seconds
# older than a few of these means a stuck (or killed) daemon; the docs' GuardStuck rule says 120 s.
REFRESH = 15.0
# What frees space: a quarantine moves entries within the filesystem and frees nothing.
FREES_SPACE = frozenset({'purge', 'purge-logs'})


class Publisher:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.state = 'starting'
        self.started_at = time.time()
        self.sweeps = 0
        self.drops = 0
        self.actions: Counter[tuple[str, str]] = Counter()
        self.reclaimed = 0
        self.last_action: dict[str, Any] = {}
        self.checks: dict[str, CheckResult] = {}
        self.log_bytes: tuple[tuple[str, int], ...] = ()
        self.free_disk: int | None = None
        self.next_at = time.monotonic()
        self._last: tuple[Any, ...] = ()
        self._refresh_at = 0.0
        self.errors = 0
        # Where the metrics went last: a reload that moves or drops watch.metrics-file retires it.
        self.metrics_target: Path | None = None

    # -- what happened ------------------------------------------------------------------------------------

    def observe(self, facts: Facts) -> None:
        self.observe_checks(facts.checks.values())
        if facts.root_problem:
            self.checks['root'] = CheckResult('root', Status.FAIL, '', facts.root_problem)
        else:
            self.checks.pop('root', None)
        if facts.logs is not None:
            self.log_bytes = facts.logs.per_path
        if facts.free_disk is not None:
            self.free_disk = facts.free_disk

    def observe_checks(self, checks: Any) -> None:
        for check in checks:
            self.checks[check.name] = check

    def acted(self, done: Done) -> None:
        self.actions[(done.kind, done.outcome)] += 1
        if done.kind in FREES_SPACE:
            self.reclaimed += done.bytes
        self.last_action = {
            'kind': done.kind,
            'outcome': done.outcome,
            'bytes': done.bytes,
            'at': done.at,
            'detail': done.detail,
            'audit_id': done.audit_id,
        }

    # -- saying it ----------------------------------------------------------------------------------------

    def counters(self) -> dict[str, Any]:
        buffer = self.service.buffer
        return {
            'events': buffer.events,
            'sweeps': self.sweeps,
            'drops': self.drops + buffer.drops,
            'actions': sum(self.actions.values()),
            'reclaimed_bytes': self.reclaimed,
            'pending': len(buffer),
            'started_at': self.started_at,
            'last_action_at': self.last_action.get('at', 0),
            'up': 0 if self.state == 'stopped' else 1,
            'ignored_keys': [i.key for i in self.service.config.ignored],
            'updated_at': time.time(),
        }

    def observer_kind(self) -> str:
        watcher = getattr(self.service, 'watcher', None)
        return f'polling: {watcher.polling}' if watcher is not None and watcher.polling else 'inotify'

    def line(self) -> str:
        """The one-line STATUS=."""
        c = self.counters()
        failing = sorted(name for name, check in self.checks.items() if check.status is Status.FAIL)
        health = f'failing: {", ".join(failing)}' if failing else 'healthy'
        rejected = self.checks.get('config')
        if rejected is not None and rejected.status is Status.FAIL:
            health = f'config rejected, still on the previous one ({rejected.reason}); {health}'
        state = {
            'watching': 'watching',
            'root-missing': 'root missing, waiting for it',
            'stopping': 'stopping',
            'stopped': 'stopped',
            'starting': 'starting',
        }.get(self.state, self.state)
        line = (
            f'{state} {self.service.root}: {health}; {c["events"]} events, {c["sweeps"]} sweeps, '
            f'{c["drops"]} drops, {c["actions"]} actions'
        )
        if self.last_action:
            at = time.strftime('%H:%M:%SZ', time.gmtime(self.last_action['at']))
            line += (
                f' (last {self.last_action["kind"]} {self.last_action["outcome"]}, '
                f'{human_size(self.last_action["bytes"])} at {at})'
            )
        if self.observer_kind() != 'inotify':
            line += f'; {self.observer_kind()}'
        return line

    def publish(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self.next_at:
            return
        self.next_at = now + PUBLISH_EVERY
        line = self.line()
        key = (
            line,
            self.state,
            tuple(sorted((n, c.status) for n, c in self.checks.items())),
            self.log_bytes,
            self.free_disk,
        )
        if not force and key == self._last and now < self._refresh_at:
            return
        self._last = key
        self._refresh_at = now + REFRESH
        if self.state not in ('stopping', 'stopped'):
            self.service.notifier.status(line)
        self._write_status(line)
        self._write_metrics()

    def _write_status(self, line: str) -> None:
        from guard.audit import _process_start

        service = self.service
        record = status_file.DaemonStatus(
            root=str(service.root),
            pid=os.getpid(),
            pid_start=_process_start(os.getpid()),
            started_at=self.started_at,
            updated_at=time.time(),
            state=self.state,
            status=line,
            config=service.config.source,
            observer=self.observer_kind(),
            counters=self.counters(),
            last_action=self.last_action,
            health=[
                {'check': c.name, 'status': c.status.value, 'value': c.value, 'reason': c.reason}
                for c in sorted(self.checks.values(), key=lambda c: c.name)
            ],
            ignored=[i.as_dict() for i in service.config.ignored],
        )
        try:
            status_file.write(status_file.path_for(service.config.state_path(), service.root), record)
        except OSError as e:
            self._error(f'cannot write the status file: {e.strerror}')

    def _write_metrics(self) -> None:
        from guard.daemon.startup import metrics_target

        service = self.service
        from guard.printable import printable

        try:
            # Judged at each write as at start: what a link or a folder planted since would be refused.
            target = metrics_target(service.config, service.root) if service.config.watch.metrics_file else None
        except ConfigError as e:
            self._error(str(e))
            return
        sample = metrics.Sample(
            printable(service.root),  # a label is UTF-8: a root's name that is not shows escaped
            tuple(sorted(self.checks.values(), key=lambda c: c.name)),
            self.log_bytes,
            self.free_disk,
            self.counters(),
            dict(self.actions),
        )
        if self.metrics_target is not None and target != self.metrics_target:
            self._retire(self.metrics_target, sample, moved=target is not None)
        self.metrics_target = target
        if target is None:
            return
        try:
            metrics.write(target, sample)
        except (OSError, ValueError, UnsafeOperationError) as e:
            self._error(f'cannot write the metrics file {target}: {getattr(e, "strerror", None) or e}')

    def _retire(self, old: Path, sample: metrics.Sample, *, moved: bool) -> None:
        """A file this daemon no longer writes must not stay at guard_up 1 with frozen counters:
        moved elsewhere, it goes; dropped (metrics-file unset or ignored), it says guard_up 0."""
        from guard.daemon.log import WARNING

        try:
            if moved:
                metrics.remove(old)
            else:
                # Said before it is written: whoever sees guard_up 0 there finds the reason already logged.
                self.service.log.say(
                    WARNING, 'metrics-dropped', f'watch.metrics-file is no longer set: {old} now says guard_up 0'
                )
                metrics.write(old, dataclasses.replace(sample, daemon={**(sample.daemon or {}), 'up': 0}))
        except (OSError, ValueError, UnsafeOperationError) as e:
            self._error(f'cannot retire the metrics file {old}: {getattr(e, "strerror", None) or e}')

    def _error(self, message: str) -> None:
        from guard.daemon.log import WARNING

        self.errors += 1
        if self.errors in (1, 10, 100) or self.errors % 1000 == 0:
            self.service.log.say(WARNING, 'publish-error', message)
