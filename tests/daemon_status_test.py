"""`guard status` against a running daemon and with none; the metrics file and
`guard health --format prometheus`; the sweep catching what a stopped observer missed."""

from __future__ import annotations

import errno
import json
import os
import secrets
import signal
import threading
from pathlib import Path

import pytest
from daemon_harness import Daemon
from daemon_harness import Setup
from daemon_harness import no_thread_leaks
from daemon_harness import wait_for
from prometheus_client.parser import text_string_to_metric_families
from support import git
from support import run_guard

from guard.du import disk_usage
from guard.health.units import MIB


@pytest.fixture(autouse=True)
def _no_thread_leaks():  # type: ignore[no-untyped-def]
    yield from no_thread_leaks()


def _metrics(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_status_with_no_daemon(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    text = run_guard('status', setup.root, '--config', setup.config_file)
    assert text.returncode == 1
    assert text.stdout.splitlines()[0] == f'guard watch is not running for {setup.root} (never started here)'
    assert '  OK   pollution: no Python environment in the root' in text.stdout
    data = json.loads(run_guard('status', setup.root, '--config', setup.config_file, '--json').stdout)
    assert (data['running'], data['daemon'], data['root']) == (False, None, str(setup.root))
    assert data['git_work_tree'] is None
    assert {h['check'] for h in data['health']} == {'disk', 'logs', 'pollution'}


def test_status_of_a_running_daemon_then_a_stopped_one(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    git(setup.root, 'init', '-q')
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        text = run_guard('status', setup.root, '--config', setup.config_file)
        assert text.returncode == 0, text.stdout + text.stderr
        assert text.stdout.startswith(f'guard watch is running for {setup.root} (pid {daemon.pid}, since ')
        assert f'  state: watching {setup.root}: healthy;' in text.stdout
        data = json.loads(run_guard('status', setup.root, '--config', setup.config_file, '--format', 'json').stdout)
        assert data['running'] is True and data['daemon']['pid'] == daemon.pid
        assert data['git_work_tree'] == str(setup.root)
        assert f'git work tree: {setup.root}' in text.stdout
        assert data['daemon']['observer'] == 'inotify'
        assert [(r['kind'], r['outcome']) for r in data['recent']] == [('watch', 'started')]
        assert daemon.stop() == 0
    stopped = run_guard('status', setup.root, '--config', setup.config_file, '--json')
    data = json.loads(stopped.stdout)
    assert stopped.returncode == 1 and data['running'] is False and data['daemon']['state'] == 'not running'


def test_metrics_file_after_a_purge(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'on-log-limit': 'purge'})
    metrics_file = tmp_path / 'textfile' / 'guard.prom'
    metrics_file.parent.mkdir()
    setup.watch['metrics-file'] = str(metrics_file)
    setup.health['max-log-mb'] = 1
    setup.write()
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        # Renamed in whole: a log purged half-written would free less than it is asserted to below.
        (tmp_path / 'big.log').write_bytes(os.urandom(2 * MIB))
        os.rename(tmp_path / 'big.log', setup.root / 'logs' / 'big.log')
        root = str(setup.root)

        def purged() -> dict | None:  # type: ignore[type-arg]
            values = _metrics(metrics_file.read_text())
            return (
                values
                if values.get(('guard_actions_total', (('kind', 'purge-logs'), ('outcome', 'ok'), ('root', root)))) == 1
                else None
            )

        values = wait_for(purged, 10.0, 'the purge in the metrics file')
        assert daemon.stop() == 0
    assert values[('guard_up', (('root', root),))] == 1
    assert values[('guard_reclaimed_bytes_total', (('root', root),))] > MIB
    assert values[('guard_last_action_timestamp_seconds', (('root', root),))] > 0
    assert values[('guard_check_status', (('check', 'logs'), ('root', root)))] == 0
    assert ('guard_log_bytes', (('path', 'logs/'), ('root', root))) in values
    assert values[('guard_disk_free_bytes', (('root', root),))] > 0
    assert values[('guard_events_total', (('root', root),))] >= 1
    final = _metrics(metrics_file.read_text())
    assert final[('guard_up', (('root', root),))] == 0  # written once more on the way out
    assert not [p for p in metrics_file.parent.iterdir() if p != metrics_file]  # no temporary files left


def test_health_prometheus_prints_the_check_metrics(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    (setup.root / 'pyvenv.cfg').write_text('home = /usr/bin\n')
    (setup.root / 'logs' / 'a.log').write_bytes(b'x' * 5000)
    result = run_guard('health', setup.root, '--config', setup.config_file, '--format', 'prometheus')
    assert result.returncode == 0, result.stderr
    values = _metrics(result.stdout)
    root = str(setup.root)
    assert values[('guard_check_status', (('check', 'pollution'), ('root', root)))] == 2
    assert values[('guard_check_status', (('check', 'disk'), ('root', root)))] == 0
    # As du counts it (guard.du): the blocks the file holds, not its 5,000 bytes of content.
    assert values[('guard_log_bytes', (('path', 'logs/'), ('root', root)))] == disk_usage(
        os.lstat(setup.root / 'logs' / 'a.log')
    )
    assert not [k for k in values if k[0] == 'guard_up']  # daemon metrics only from the daemon


def test_the_sweep_catches_what_a_stopped_observer_missed(tmp_path: Path) -> None:
    """The dropped-event stand-in: the observer is stopped for a moment (as when inotify gives up
    on a watch), the root is polluted meanwhile; the sweep must notice, count a drop and re-arm."""
    setup = Setup(tmp_path, **{'sweep-interval': 0.5})

    def check(daemon) -> None:  # type: ignore[no-untyped-def]
        observer = daemon.watcher.observer
        observer.stop()
        observer.join(5)
        (setup.root / 'pyvenv.cfg').write_text('home = /usr/bin\n')
        wait_for(lambda: setup.has_alert('problem pollution fail'), 5.0, 'the sweep to catch the venv')
        assert daemon.publisher.drops >= 1
        wait_for(
            lambda: daemon.watcher.observer is not None and daemon.watcher.observer.is_alive(),
            5.0,
            'the observer to be re-armed',
        )

    assert _run_in_thread(setup, check) == [0]


def test_the_sweep_catches_a_log_that_grew_while_the_observer_was_stopped(tmp_path: Path) -> None:
    """The same stand-in for the log paths' sizes: a log deep under logs/ grows past the limit
    unseen; the sweep's walk must find it (its nested folder included) and count a drop."""
    setup = Setup(tmp_path, **{'sweep-interval': 0.5})
    setup.health['max-log-mb'] = 1
    setup.write()
    log = setup.root / 'logs' / secrets.token_hex(4) / secrets.token_hex(4) / f'{secrets.token_hex(4)}.log'

    def check(daemon) -> None:  # type: ignore[no-untyped-def]
        observer = daemon.watcher.observer
        observer.stop()
        observer.join(5)
        log.parent.mkdir(parents=True)
        log.write_bytes(os.urandom(MIB + secrets.randbelow(MIB)))
        wait_for(lambda: setup.has_alert('problem logs fail'), 5.0, 'the sweep to catch the grown log')
        assert daemon.publisher.drops >= 1

    assert _run_in_thread(setup, check) == [0]


def _run_in_thread(setup: Setup, check) -> list[int]:  # type: ignore[no-untyped-def]
    """Run the service in a thread (signal handlers in this main thread), call `check(service)`, then
    stop it with a real SIGTERM; the exit codes it returned."""
    from guard import config as config_module
    from guard.daemon import service as service_module

    config = config_module.load(setup.root, config_file=setup.config_file)
    daemon = service_module.Service(config, config_file=setup.config_file)
    result: list[int] = []
    with service_module.signal_handlers(daemon):
        thread = threading.Thread(target=lambda: result.append(daemon.run()), name='guard-watch-under-test')
        thread.start()
        try:
            assert daemon.ready.wait(30)
            check(daemon)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)
            thread.join(5)
    return result


def test_falls_back_to_polling_when_inotify_cannot_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """inotify running out of watches cannot be caused here without changing a machine-wide limit
    (fs.inotify.max_user_watches) under every other process: the inotify observer is replaced by one
    that fails as the kernel does (ENOSPC). The polling observer that takes over is real."""
    from watchdog.observers import inotify

    class NoWatchesLeft(inotify.InotifyObserver):
        def start(self) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(inotify, 'InotifyObserver', NoWatchesLeft)
    setup = Setup(tmp_path)

    def check(daemon) -> None:  # type: ignore[no-untyped-def]
        assert daemon.watcher.polling.startswith('inotify unavailable (No space left on device)')
        wait_for(lambda: setup.has_alert('problem events warn'), 5.0, 'the polling alert')
        (setup.root / 'pyvenv.cfg').write_text('home = /usr/bin\n')
        wait_for(lambda: setup.has_alert('problem pollution fail'), 10.0, 'the polling observer to see the venv')
        assert 'polling: inotify unavailable' in daemon.publisher.line()

    assert _run_in_thread(setup, check) == [0]
