"""`run(config) -> int`: the daemon. Observer, signal wake-up, notify, and the main loop.

Signal handlers only write a byte to a socketpair; the main loop `select`s on it and on its
timers (debounced changes due, sweep, health, watchdog, publishing), then raises TerminateRequest
or ReloadRequest, as nobodd does. Everything else runs in the main loop's thread, one step at a
time: changes -> facts -> policy -> actions -> audit, alerts, STATUS=, metrics, status file.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from guard.daemon import facts as facts_module
from guard.daemon import startup
from guard.daemon import sweep
from guard.daemon.actions import Executor
from guard.daemon.changes import ChangeBuffer
from guard.daemon.events import ChangeHandler
from guard.daemon.healthrun import HealthRun
from guard.daemon.log import INFO
from guard.daemon.log import NOTICE
from guard.daemon.log import WARNING
from guard.daemon.log import DaemonLog
from guard.daemon.notify import Notifier
from guard.daemon.policy import DISPATCH
from guard.daemon.policy import Rules
from guard.daemon.policy import State
from guard.daemon.policy import concerns_for
from guard.daemon.policy import decide
from guard.daemon.policy import watch_dirs
from guard.daemon.publish import Publisher
from guard.daemon.wakeup import WAKE_EVENTS
from guard.daemon.wakeup import ReloadRequest
from guard.daemon.wakeup import TerminateRequest
from guard.daemon.wakeup import Wakeup
from guard.daemon.wakeup import signal_handlers
from guard.daemon.watcher import Watcher
from guard.errors import GuardError
from guard.health.result import CheckResult
from guard.health.result import Status
from guard.health.units import MIB

if TYPE_CHECKING:
    from guard.config import Config
    from guard.daemon.policy import Action
    from guard.health.logs import LogUsage
    from guard.safety.fd import RootPin

# After an action, changes under what it touched are still its own for this long (inotify lag).
SETTLE = 1.0
ROOT_RETRY = 1.0
AUDIT_RETRY = 5.0  # how often a remote audit store that is down is retried (and its check refreshed)


def run(config: Config, *, config_file: Path | None = None) -> int:
    """Validate, watch until SIGTERM/SIGINT, return 0. Raises ConfigError (2) or StartupError (1)
    before READY=1 when something must be fixed first."""
    service = Service(config, config_file=config_file)
    with signal_handlers(service):
        return service.run()


class Service:
    """One daemon for one root. `run()` returns the exit code; `ready` is set once READY=1 went out."""

    def __init__(self, config: Config, *, config_file: Path | None = None, notifier: Notifier | None = None) -> None:
        self.config = config
        self.config_file = config_file
        self.root = Path(config.root).resolve()
        self.notifier = notifier or Notifier()
        self.log = DaemonLog(str(self.root))
        self.buffer = ChangeBuffer(max_pending=config.watch.max_pending)
        self.wakeup = Wakeup()
        self.policy_state = State()
        self.touched: set[str] = set()
        self.root_problem = ''
        # The root as opened at start: every action goes through it (see _pin). `root_gone` is set
        # once the path was seen missing: a folder created there later is pinned anew.
        self.pin: RootPin | None = None
        self.root_gone = False
        self.polling_reported = False
        self.disk_low = False
        self.next_venv: float | None = None
        self.health_run: HealthRun | None = None
        self.snapshot: sweep.Snapshot | None = None
        # The log paths as measured in this step (by the sweep or after an action); None = walk them again.
        self.fresh_logs: LogUsage | None = None
        self.ready = threading.Event()
        self.watchdog_period = self.notifier.watchdog_period()
        self.next_watchdog = time.monotonic() if self.watchdog_period else None

    def wake(self, byte: bytes = WAKE_EVENTS) -> None:
        self.wakeup.wake(byte)

    def run(self) -> int:
        try:
            self._start()
            return self._loop()
        finally:
            self._teardown()  # whatever ended it: the observer's threads never outlive run()

    # -- start, reload, stop -------------------------------------------------------------------------------

    def _start(self) -> None:
        ready = startup.validate(self.config, self.root)
        self._pin()
        self._use(self.config, ready)
        self.publisher = Publisher(self)
        self.publisher.observe_checks([CheckResult('config', Status.OK, self.config.source, '')])
        try:
            self.store.record(
                'watch',
                self.root,
                trigger='daemon',
                outcome='started',
                detail={'pid': os.getpid(), 'config': self.config.source},
            )
        except GuardError as e:
            self.store.close()
            raise startup.StartupError(f'{e}; the audit store must be writable') from None
        handler = ChangeHandler(self.root, self.buffer, self.wake, ignore=self._own_folders())
        watcher = Watcher(self.root, handler, tuple(self.config.health.log_paths))
        try:
            watcher.sync()
        except OSError as e:
            self.store.close()
            raise startup.StartupError(f'cannot watch {self.root}: {e.strerror or e}') from None
        self.watcher = watcher  # from here on, _teardown has something to stop
        self._report_polling()
        self._take()
        self._evaluate(frozenset(facts_module.CONCERNS), health=True)
        now = time.monotonic()
        self.next_sweep = now + self.config.watch.sweep_interval
        self.next_health = now + self.config.watch.health_interval
        self.next_disk = now + self.config.watch.disk_interval
        self.publisher.state = 'watching'
        self.notifier.ready(self.publisher.line())
        self.publisher.publish(force=True)
        self.log.say(INFO, 'started', f'watching ({self.publisher.observer_kind()}), config {self.config.source}')
        self._say_ignored()
        self._warn_patterns()
        self.ready.set()

    def _use(self, config: Config, ready: startup.Ready) -> None:
        self.config = config
        self.rules = Rules.from_config(config)
        self.store = ready.store
        old = getattr(self, 'executor', None)
        self.executor = Executor(config, self.root, ready.store, ready.sinks, tick=self._watchdog_tick, pin=self.pin)
        if old is not None:  # a reload: what was reported once, and the recoveries held back, carry over
            self.executor.acted_on.update(old.acted_on)
            self.executor.reported_denied.update(old.reported_denied)

    def _reload(self) -> None:
        from guard import config as config_module

        self.notifier.reloading()
        self.fresh_logs = None  # the log paths or the file limit may change
        old_store = self.store
        try:
            config = config_module.load(self.root, config_file=self.config_file)
            ready = startup.validate(config, self.root)
        except GuardError as e:
            self.log.say(WARNING, 'reload-failed', f'reload failed, keeping the previous config: {e}')
            rejected = CheckResult('config', Status.FAIL, self.config.source, f'reload failed: {e}')
            self.executor.dispatch([rejected])
            self.publisher.observe_checks([rejected])  # STATUS=, the status file, metrics: config = 2
            self._audit('watch', 'reload-failed', {'error': str(e)})
        else:
            self._use(config, ready)
            old_store.close()
            self.buffer.max_pending = max(2, config.watch.max_pending)
            self.watcher.log_paths = tuple(config.health.log_paths)
            self.watcher.sync()
            accepted = CheckResult('config', Status.OK, config.source, '')
            self.executor.dispatch([accepted])
            self.publisher.observe_checks([accepted])
            self._audit('watch', 'reloaded', {'config': config.source})
            self.log.say(INFO, 'reloaded', f'reloaded the config from {config.source}')
            self._say_ignored()
            self._warn_patterns()
            self._evaluate(frozenset(facts_module.CONCERNS))
        self.notifier.ready(self.publisher.line())
        self.publisher.publish(force=True)

    def _say_ignored(self) -> None:
        """One journal line naming every setting this config's layers left out, and why (issue 17, D1):
        `guard status` and the metrics show the same list (config.ignored)."""
        if self.config.ignored:
            lines = '; '.join(i.line() for i in self.config.ignored)
            self.log.say(
                WARNING,
                'untrusted',
                f'ignoring {lines}; to honour them, review the file and run as root: guard trust --system {self.root}',
                keys=','.join(i.key for i in self.config.ignored),
            )

    def _teardown(self) -> None:
        if not hasattr(self, 'watcher'):
            return
        self.notifier.stopping()
        self.publisher.state = 'stopping'
        self.watcher.stop()
        if self.health_run is not None:
            self.health_run.join(0.5)  # a hung database check is abandoned: it is a daemon thread
        self._audit('watch', 'stopped', {'pid': os.getpid()})
        self.publisher.state = 'stopped'
        self.publisher.publish(force=True)
        self.store.close()
        self.log.say(INFO, 'stopping', 'stopped')
        self.wakeup.close()

    # -- the loop ----------------------------------------------------------------------------------------

    def _loop(self) -> int:
        while True:
            try:
                self._wait(self._timeout())
                self._step()
            except ReloadRequest:
                self._reload()
            except TerminateRequest as request:
                return request.returncode

    def _timeout(self) -> float:
        watch = self.config.watch
        now = time.monotonic()
        deadlines = [self.next_sweep, self.next_health, self.next_disk, self.publisher.next_at]
        if self.next_venv is not None:
            deadlines.append(self.next_venv)
        if self.next_watchdog is not None:
            deadlines.append(self.next_watchdog)
        due = self.buffer.next_due(watch.debounce, watch.max_wait)
        if due is not None:
            deadlines.append(now + due)
        return max(0.0, min(deadlines) - now)

    def _wait(self, timeout: float) -> None:
        self.wakeup.wait(timeout)  # raises TerminateRequest or ReloadRequest

    def _step(self) -> None:
        watch = self.config.watch
        self.fresh_logs = None
        changes = self.buffer.take_due(watch.debounce, watch.max_wait)
        if changes:
            concerns = concerns_for(changes, self.rules.log_paths)
            self.touched.update(concerns)
            if any('/' not in c.rel for c in changes):
                self.watcher.sync()  # a log folder may have appeared, or the root come back
            self._evaluate(concerns)
        now = time.monotonic()
        if self.next_venv is not None and now >= self.next_venv:
            self.next_venv = None
            self._evaluate(frozenset({facts_module.POLLUTION}))
        health_due = now >= self.next_health
        # The health tick sweeps too, so that one walk of the log paths serves both (fresh_logs).
        if now >= self.next_sweep or health_due:
            self._sweep()
            interval = ROOT_RETRY if self.root_problem else watch.sweep_interval
            self.next_sweep = time.monotonic() + min(interval, watch.sweep_interval)
        if health_due:
            self._evaluate(frozenset(facts_module.CONCERNS), health=True)
            self.next_health = time.monotonic() + watch.health_interval
        elif now >= self.next_disk:
            self._look_at_disk()
        if now >= self.next_disk:
            self.next_disk = time.monotonic() + watch.disk_interval
        self._collect_health()
        self._audit_check()
        self._watchdog_tick()
        self.publisher.publish()

    def _watchdog_tick(self) -> None:
        if self.next_watchdog is not None and time.monotonic() >= self.next_watchdog:
            self.notifier.watchdog()
            self.next_watchdog = time.monotonic() + (self.watchdog_period or 0)

    # -- sweep, evaluate, act ------------------------------------------------------------------------------

    def _sweep(self) -> None:
        self.publisher.sweeps += 1
        if self.root_problem:
            self._evaluate(frozenset(facts_module.CONCERNS))
            return
        seen = self.touched | concerns_for(self.buffer.peek(), self.rules.log_paths)
        previous = self.snapshot
        result = sweep.compare(previous, self._take(), seen)
        self.touched = set()
        rearmed = self.watcher.sync()
        self._report_polling()
        if result.missed:
            self.publisher.drops += 1
            self.log.say(
                WARNING,
                'drop',
                f'the sweep found changes no event reported ({", ".join(sorted(result.missed))}); '
                'rescanning everything and re-arming the observer',
            )
            if not rearmed:
                self.watcher.stop()
                self.watcher.sync()
            self._evaluate(frozenset(facts_module.CONCERNS))
        elif result.changed:
            self._evaluate(result.changed)

    def _take(self) -> sweep.Snapshot:
        """A new sweep snapshot, kept as the baseline; its log measurement serves this step's evaluations."""
        self.snapshot = sweep.take(self.root, self.watcher.log_paths, self.config.watch.max_log_file_mb * MIB)
        self.fresh_logs = self.snapshot.logs
        return self.snapshot

    def _pin(self) -> None:
        """Open the root, no link followed at any component, and keep it: the daemon's actions look
        and act through this descriptor, and the path leading elsewhere stops them (issue 16)."""
        from guard.safety.fd import RootPin

        try:
            pin = RootPin(self.root)
        except (OSError, GuardError) as e:
            raise startup.StartupError(f'cannot watch {self.root}: {e}') from None
        self._use_pin(pin)

    def _use_pin(self, pin: RootPin) -> None:
        old, self.pin = self.pin, pin
        if getattr(self, 'executor', None) is not None:
            self.executor.pin = pin
        if old is not None:
            old.close()

    def _pinned(self) -> tuple[int, int] | None:
        return (self.pin.dev, self.pin.ino) if self.pin is not None else None

    def _repin_if_back(self) -> None:
        """The root was deleted (seen missing) and a folder is there again: that folder is the root
        now (`rm -rf` and a fresh checkout). A symlink put there is refused by the no-follow open, and
        stays a problem; a folder swapped in without the path ever going missing is never adopted."""
        from guard.safety.fd import RootPin

        if not self.root_gone or not os.path.lexists(self.root):
            return
        try:
            pin = RootPin(self.root)
        except (OSError, GuardError):
            return
        self.root_gone = False
        self._use_pin(pin)

    def _evaluate(self, concerns: frozenset[str], *, health: bool = False) -> None:
        self._repin_if_back()
        found = facts_module.gather(self.config, self.root, concerns, logs=self.fresh_logs, pinned=self._pinned())
        if found.root_problem and not os.path.lexists(self.root):
            self.root_gone = True
        self._root_state(found.root_problem)
        if found.venv_quiet is not None and found.venv_quiet < self.config.watch.venv_quiet:
            # An environment still being written: look again once it may have gone quiet.
            wait = self.config.watch.venv_quiet - found.venv_quiet
            self.next_venv = time.monotonic() + max(0.2, min(wait, self.config.watch.venv_quiet))
        actions, self.policy_state = decide(found, self.policy_state, self.rules, time.monotonic())
        self.publisher.observe(found)
        for action in actions:
            self._act(action)
        if health and not found.root_problem:
            self._health_checks()
            self._prune_quarantines()

    def _audit_check(self) -> None:
        """A remote audit store that is down: records wait in the spool (guard.audit_spool), forwarding
        is retried, and the `audit` check says so; dispatched when it changes."""
        check = getattr(self.store, 'check', None)
        now = time.monotonic()
        if check is None or now < getattr(self, 'next_audit', 0.0):
            return
        self.next_audit = now + AUDIT_RETRY
        result = check()
        if result.status != getattr(self, 'audit_status', None):
            self.audit_status = result.status
            self.executor.dispatch([result])
        self.publisher.observe_checks([result])

    def _act(self, action: Action) -> None:
        if action.kind == DISPATCH:
            self.executor.run(action)
            return
        prefixes = watch_dirs(action.paths) if action.paths else ('',)
        self.buffer.mute(prefixes, float('inf'))
        self.fresh_logs = None  # the action may delete or truncate logs
        try:
            done = self.executor.run(action)
        finally:
            self.buffer.mute(prefixes, time.monotonic() + max(SETTLE, self.config.watch.debounce * 2))
        self.touched.update(facts_module.CONCERNS)
        # What the action changed is no news to the next sweep either.
        self._take()
        if done is None:
            return
        self.publisher.acted(done)
        level = NOTICE if done.outcome in ('ok', 'nothing') else WARNING
        self.log.say(
            level,
            'action',
            f'{done.kind} ({action.reason}): {done.outcome}; {done.detail}',
            action=done.kind,
            outcome=done.outcome,
            bytes=done.bytes,
        )
        # Judge the action by what is there now; the cooldown keeps this look from acting again.
        recheck = facts_module.gather(
            self.config, self.root, frozenset(facts_module.CONCERNS), logs=self.fresh_logs, pinned=self._pinned()
        )
        actions, self.policy_state = decide(recheck, self.policy_state, self.rules, time.monotonic())
        self.publisher.observe(recheck)
        for follow_up in actions:
            if follow_up.kind == DISPATCH:
                self.executor.run(follow_up)

    def _warn_patterns(self) -> None:
        for line in startup.pattern_warnings(self.config, self.root):
            self.log.say(WARNING, 'config-warning', line)

    def _prune_quarantines(self) -> None:
        """Quarantine retention (clean.keep-days, clean.max-quarantine-mb), at each health tick."""
        from guard.safety.retention import prune

        try:
            gone = prune(self.config, self.pin or self.root)
        except (GuardError, OSError) as e:  # a clean or restore holds the lock: next tick
            self.log.say(WARNING, 'prune-error', f'quarantine retention: {e}')
            return
        if gone:
            ids = ', '.join(q.id for q in gone)
            self.log.say(NOTICE, 'pruned', f'quarantine retention deleted {ids}')
            self._audit('prune', 'ok', {'quarantines': [q.id for q in gone], 'bytes': sum(q.bytes for q in gone)})

    def _look_at_disk(self) -> None:
        """One statvfs; the disk concern is judged (alerts, purge) only when the free space is below a
        limit or was at the last look, so a fine disk costs no more than that call."""
        free = facts_module.free_bytes(self.root)
        health = self.config.health
        limit = max(health.min_free_disk_mb, health.warn_free_disk_mb) * MIB
        low = free is not None and limit > 0 and free < limit
        if low or self.disk_low:
            self._evaluate(frozenset({facts_module.DISK}))
        self.disk_low = low

    def _report_polling(self) -> None:
        """Alert once when inotify could not serve and the observer polls instead (slower, costlier)."""
        if self.watcher.polling and not self.polling_reported:
            self.polling_reported = True
            self.log.say(WARNING, 'polling', f'falling back to polling: {self.watcher.polling}')
            self.executor.dispatch([CheckResult('events', Status.WARN, 'polling', self.watcher.polling)])

    def _health_checks(self) -> None:
        """The health checks the events do not cover (the database, and checks whose on-* is off),
        in a worker thread; `_collect_health` dispatches what it found."""
        off = {'pollution': self.rules.on_pollution, 'logs': self.rules.on_log_limit, 'disk': self.rules.on_low_disk}
        only = [c for c in self.config.health.checks if c == 'database' or off.get(c) == 'off']
        if only and (self.health_run is None or self.health_run.done.is_set()):
            root_fd = self.pin.fd if self.pin is not None and self.pin.fd >= 0 else None
            self.health_run = HealthRun(self.config, self.root, only, self.wake, root_fd)

    def _collect_health(self) -> None:
        run = self.health_run
        if run is not None and run.done.is_set():
            self.health_run = None
            self.executor.dispatch(run.results)
            self.publisher.observe_checks(run.results)

    def _root_state(self, problem: str) -> None:
        if problem and not self.root_problem:
            self.log.say(WARNING, 'root-missing', f'{problem}; waiting for it to come back')
            self.watcher.stop()
            self.publisher.state = 'root-missing'
            self.next_sweep = time.monotonic() + ROOT_RETRY
        elif not problem and self.root_problem:
            self.log.say(NOTICE, 'root-back', 'the root is back; watching again')
            self.watcher.sync()
            self.snapshot = None
            self.publisher.state = 'watching'
        self.root_problem = problem

    def _audit(self, kind: str, outcome: str, detail: dict[str, object]) -> None:
        try:
            self.store.record(kind, self.root, trigger='daemon', outcome=outcome, detail=detail)
        except GuardError as e:
            self.log.say(WARNING, 'audit-error', str(e))

    def _own_folders(self) -> tuple[str, ...]:
        own = []
        for folder in (self.config.state_path(), (self.root / self.config.clean.quarantine_dir).resolve()):
            with contextlib.suppress(ValueError):
                own.append(folder.relative_to(self.root).as_posix())
        return tuple(o for o in own if o != '.')
