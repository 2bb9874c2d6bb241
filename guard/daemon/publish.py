"""What the daemon tells the world about itself: the STATUS= line, the status file `guard status`
reads, and the metrics file. Counters live here; the service reports to it as things happen.
Publishing is rate-limited (at most once a second) except on a change of state.
"""
from __future__ import annotations

import os
import time
from collections import Counter
from typing import TYPE_CHECKING
from typing import Any

from guard.daemon import metrics
from guard.daemon import status as status_file
from guard.daemon.actions import Done
from guard.daemon.facts import Facts
from guard.health.result import CheckResult
from guard.health.result import Status
from guard.health.units import human_size

if TYPE_CHECKING:
    from guard.daemon.service import Service

PUBLISH_EVERY = 1.0


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
        self.errors = 0

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
        self.reclaimed += done.bytes
        self.last_action = {'kind': done.kind, 'outcome': done.outcome, 'bytes': done.bytes, 'at': done.at,
                            'detail': done.detail, 'audit_id': done.audit_id}

    # -- saying it ----------------------------------------------------------------------------------------

    def counters(self) -> dict[str, Any]:
        buffer = self.service.buffer
        return {'events': buffer.events, 'sweeps': self.sweeps, 'drops': self.drops + buffer.drops,
                'actions': sum(self.actions.values()), 'reclaimed_bytes': self.reclaimed,
                'pending': len(buffer), 'started_at': self.started_at,
                'last_action_at': self.last_action.get('at', 0), 'up': 0 if self.state == 'stopped' else 1,
                'ignored_keys': [i.key for i in self.service.config.ignored]}

    def observer_kind(self) -> str:
        watcher = getattr(self.service, 'watcher', None)
        return f'polling: {watcher.polling}' if watcher is not None and watcher.polling else 'inotify'

    def line(self) -> str:
        """The one-line STATUS=."""
        c = self.counters()
        failing = sorted(name for name, check in self.checks.items() if check.status is Status.FAIL)
        health = f'failing: {", ".join(failing)}' if failing else 'healthy'
        state = {'watching': 'watching', 'root-missing': 'root missing, waiting for it', 'stopping': 'stopping',
                 'stopped': 'stopped', 'starting': 'starting'}.get(self.state, self.state)
        line = (f'{state} {self.service.root}: {health}; {c["events"]} events, {c["sweeps"]} sweeps, '
                f'{c["drops"]} drops, {c["actions"]} actions')
        if self.last_action:
            at = time.strftime('%H:%M:%SZ', time.gmtime(self.last_action['at']))
            line += f' (last {self.last_action["kind"]} {self.last_action["outcome"]}, ' \
                    f'{human_size(self.last_action["bytes"])} at {at})'
        if self.observer_kind() != 'inotify':
            line += f'; {self.observer_kind()}'
        return line

    def publish(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self.next_at:
            return
        self.next_at = now + PUBLISH_EVERY
        line = self.line()
        key = (line, self.state, tuple(sorted((n, c.status) for n, c in self.checks.items())), self.log_bytes,
               self.free_disk)
        if not force and key == self._last:
            return
        self._last = key
        if self.state not in ('stopping', 'stopped'):
            self.service.notifier.status(line)
        self._write_status(line)
        self._write_metrics()

    def _write_status(self, line: str) -> None:
        from guard.audit import _process_start
        service = self.service
        record = status_file.DaemonStatus(
            root=str(service.root), pid=os.getpid(), pid_start=_process_start(os.getpid()),
            started_at=self.started_at, updated_at=time.time(), state=self.state, status=line,
            config=service.config.source, observer=self.observer_kind(), counters=self.counters(),
            last_action=self.last_action,
            health=[{'check': c.name, 'status': c.status.value, 'value': c.value, 'reason': c.reason}
                    for c in sorted(self.checks.values(), key=lambda c: c.name)],
            ignored=[i.as_dict() for i in service.config.ignored],
        )
        try:
            status_file.write(status_file.path_for(service.config.state_path(), service.root), record)
        except OSError as e:
            self._error(f'cannot write the status file: {e.strerror}')

    def _write_metrics(self) -> None:
        from guard.daemon.startup import metrics_path
        service = self.service
        if not service.config.watch.metrics_file:
            return
        sample = metrics.Sample(str(service.root), tuple(sorted(self.checks.values(), key=lambda c: c.name)),
                                self.log_bytes, self.free_disk, self.counters(), dict(self.actions))
        try:
            metrics.write(metrics_path(service.config, service.root), sample)
        except OSError as e:
            self._error(f'cannot write the metrics file: {e.strerror}')

    def _error(self, message: str) -> None:
        from guard.daemon.log import WARNING
        self.errors += 1
        if self.errors in (1, 10, 100) or self.errors % 1000 == 0:
            self.service.log.say(WARNING, 'publish-error', message)


