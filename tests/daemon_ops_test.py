"""guard watch as an operator runs it (issue 17): metrics another user can read, written without
following symlinks; per-instance config; checked reloads; logs it cannot empty and log volumes;
low disk caught in seconds and never left low; a venv moved once complete; restore holds;
retention; hysteresis; uninstall-service.

Real processes, real signals, real mounts (a tmpfs for a small filesystem: root only) and a real
immutable file (chattr +i) for a log the daemon may not empty: the daemon runs as root here, and
root can empty any other file (tests/systemd_nspawn_test.py meets the real case, a root-owned log
and a service user).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from daemon_harness import Daemon
from daemon_harness import Setup
from daemon_harness import no_thread_leaks
from daemon_harness import wait_for
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from support import run_guard

from guard import config as config_module
from guard import instances
from guard.daemon import metrics
from guard.daemon import startup
from guard.daemon.actions import Executor
from guard.errors import UnsafeOperationError
from guard.health.result import CheckResult
from guard.health.result import Status
from guard.safety import retention
from guard.safety.manifest import Manifest
from guard.safety.manifest import Quarantine

MIB = 1024 * 1024
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason='mounts a tmpfs (root only)')


@pytest.fixture(autouse=True)
def _no_thread_leaks():  # type: ignore[no-untyped-def]
    yield from no_thread_leaks()


@contextlib.contextmanager
def tmpfs(path: Path, size_mb: int, *options: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ['mount', '-t', 'tmpfs', '-o', ','.join((f'size={size_mb}m', *options)), 'tmpfs', str(path)], check=True
    )
    try:
        yield path
    finally:
        subprocess.run(['umount', '--lazy', str(path)], check=False)


def _metrics(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = path.read_text() if path.is_file() else ''
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _fill(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'\0' * size)  # zeros still take tmpfs pages: tmpfs has no holes for written data


def _audit_all(setup: Setup, kind: str) -> list[object]:
    from guard.audit import AuditStore

    with AuditStore.open_url(f'sqlite:///{setup.state / "audit.db"}') as store:
        return list(store.history(limit=1000, kind=kind))


def _sweeps(setup: Setup) -> int:
    status = next(setup.state.glob('watch-*.json'))
    return int(json.loads(status.read_text())['counters']['sweeps'])


def _wait_sweeps(setup: Setup, count: int) -> None:
    start = _sweeps(setup)
    wait_for(lambda: _sweeps(setup) >= start + count, 30.0, f'{count} more sweeps')


# -- D3: metrics another user can read; written without following symlinks ----------------------------


def test_metrics_are_0644_under_the_services_umask_and_say_when_they_were_written(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    target = tmp_path / 'textfile' / 'guard.prom'
    target.parent.mkdir()
    setup.watch['metrics-file'] = str(target)
    setup.write()
    old = os.umask(0o027)  # the unit's UMask=; the daemon inherits it
    try:
        daemon = Daemon(setup)
    finally:
        os.umask(old)
    with daemon:
        started = time.time()
        daemon.wait_ready()
        values = wait_for(lambda: _metrics(target), 10.0, 'the metrics file')
        mode = stat.S_IMODE(target.stat().st_mode)
        assert daemon.stop() == 0
    assert mode == 0o644
    root = (('root', str(setup.root)),)
    assert values[('guard_metrics_updated_timestamp_seconds', root)] >= started - 1
    assert values[('guard_check_status', (('check', 'config'), *root))] == 0


def test_a_reload_that_drops_or_moves_the_metrics_file_retires_the_old_one(tmp_path: Path) -> None:
    # Left at guard_up 1 with frozen counters, a file no daemon writes any more alerts nobody.
    setup = Setup(tmp_path)
    first, moved = tmp_path / 'a' / 'guard.prom', tmp_path / 'b' / 'guard.prom'
    first.parent.mkdir()
    moved.parent.mkdir()
    up = ('guard_up', (('root', str(setup.root)),))
    setup.watch['metrics-file'] = str(first)
    setup.write()
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        wait_for(lambda: _metrics(first).get(up) == 1, 10.0, 'the first metrics file')
        setup.watch['metrics-file'] = str(moved)
        setup.write()
        daemon.signal(signal.SIGHUP)
        wait_for(lambda: _metrics(moved).get(up) == 1 and not first.exists(), 10.0, 'the move')
        del setup.watch['metrics-file']
        setup.write()
        daemon.signal(signal.SIGHUP)
        wait_for(lambda: _metrics(moved).get(up) == 0, 10.0, 'guard_up 0 in the dropped file')
        assert 'watch.metrics-file is no longer set' in daemon.stderr()
        assert daemon.stop() == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(1, 4), swapped=st.integers(0, 3), umask=st.integers(0, 0o777))
def test_a_metrics_folder_swapped_for_a_symlink_never_sends_the_file_elsewhere(
    tmp_path_factory: pytest.TempPathFactory, depth: int, swapped: int, umask: int
) -> None:
    # Issue 16 attack 8: a folder on the metrics path replaced by a symlink to a place the attacker
    # wants written (as the daemon's user). Any component may be the one swapped.
    base = tmp_path_factory.mktemp('metrics')
    outside = base / 'outside'
    outside.mkdir()
    folders = [base / 'tree']
    for index in range(depth):
        folders.append(folders[-1] / f'd{index}')
    folders[-1].mkdir(parents=True)
    target = folders[-1] / 'guard.prom'
    old = os.umask(umask)
    try:
        metrics.write_text(target, 'guard_up 1\n')
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 and target.read_text() == 'guard_up 1\n'
    victim = folders[1 + swapped % depth]
    shutil.rmtree(victim)
    victim.symlink_to(outside, target_is_directory=True)
    with pytest.raises((OSError, UnsafeOperationError)):  # ELOOP, or the walk naming the symlink
        metrics.write_text(target, 'guard_up 1\n')
    assert list(outside.iterdir()) == []
    assert not [p for p in folders[0].rglob('*') if p.name.endswith('.tmp')]


# -- D4: per-instance config, the project's still beneath it -------------------------------------------


def test_the_instance_file_lies_over_the_project_and_the_shared_file_and_only_for_its_root(tmp_path: Path) -> None:
    etc = tmp_path / 'etc'
    etc.mkdir()
    shared = etc / 'guard.toml'
    shared.write_text('[health]\nmax-log-mb = 7\nmin-free-disk-mb = 3\n')
    app, other = tmp_path / 'srv' / 'my-app', tmp_path / 'srv' / 'other'
    app.mkdir(parents=True)
    other.mkdir()
    for root in (app, other):
        (root / 'pyproject.toml').write_text('[tool.guard]\nfail-on = "error"\n[tool.guard.health]\nmax-log-mb = 9\n')
    instance = Path(instances.instance_file(app, str(shared)))
    assert instance == etc / (
        subprocess.run(
            ['systemd-escape', '--path', str(app)], capture_output=True, text=True, check=True
        ).stdout.strip()
        + '.toml'
    )
    instance.write_text('[health]\nmax-log-mb = 11\n[watch]\non-pollution = "quarantine"\n')
    environ = {'GUARD_SYSTEM_CONFIG': str(shared), 'HOME': str(tmp_path)}
    mine = config_module.load(app, environ=environ)
    theirs = config_module.load(other, environ=environ)
    assert (mine.fail_on, mine.health.max_log_mb, mine.health.min_free_disk_mb, mine.watch.on_pollution) == (
        'error',
        11,
        3,
        'quarantine',
    )
    assert mine.source == str(instance)
    assert (theirs.fail_on, theirs.health.max_log_mb, theirs.watch.on_pollution) == ('error', 9, 'alert')


@given(st.lists(st.text(st.sampled_from('ab-_. /\\x2dü'), min_size=1, max_size=8), min_size=2, max_size=2))
def test_two_roots_never_share_an_instance_file_or_a_metrics_file(names: list[str]) -> None:
    first, second = (Path(os.path.normpath('/srv/' + n)) for n in names)
    if first == second:
        return
    assert instances.instance_file(first, '/etc/guard/guard.toml') != instances.instance_file(
        second, '/etc/guard/guard.toml'
    )
    shared = config_module.Config(watch=config_module.Config().watch.__class__(metrics_file='/var/lib/node/'))
    assert startup.metrics_path(shared, first) != startup.metrics_path(shared, second)


def test_two_daemons_sharing_a_metrics_folder_each_write_their_own_file(tmp_path: Path) -> None:
    folder = tmp_path / 'node-exporter'
    folder.mkdir()
    shared = tmp_path / 'etc' / 'guard.toml'
    shared.parent.mkdir()
    shared.write_text(f'[watch]\nmetrics-file = "{folder}/"\n')
    for name in ('one', 'two'):
        (tmp_path / name).mkdir()
    setups = [Setup(tmp_path / name) for name in ('one', 'two')]
    env = {'GUARD_SYSTEM_CONFIG': str(shared)}
    with Daemon(setups[0], env=env) as first, Daemon(setups[1], env=env) as second:
        first.wait_ready()
        second.wait_ready()
        for setup in setups:
            path = folder / f'guard-{instances.escape_path(setup.root)}.prom'
            wait_for(
                lambda p=path, s=setup: _metrics(p).get(('guard_up', (('root', str(s.root)),))) == 1,
                10.0,
                f'the metrics of {setup.root}',
            )
        assert (first.stop(), second.stop()) == (0, 0)
    assert len(list(folder.glob('*.prom'))) == 2


@ROOT_ONLY
def test_a_sandbox_that_hides_the_metrics_folder_fails_the_start_once_and_says_so(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    with tmpfs(tmp_path / 'textfile', 1, 'ro'):
        setup.watch['metrics-file'] = str(tmp_path / 'textfile' / 'guard.prom')
        setup.write()
        done = run_guard('watch', setup.root, '--config', setup.config_file, env={'INVOCATION_ID': 'test'})
    # 2 is in RestartPreventExitStatus=: no restart loop; the hint names the fix, not "create the folder".
    assert done.returncode == 2, done.stderr
    assert 'read-only for this service' in done.stderr and 'guard install-service' in done.stderr
    assert done.stderr.count('\n') == 1


# -- D6: a rejected reload is visible everywhere -------------------------------------------------------


def test_a_rejected_reload_fails_the_reload_and_shows_in_status_and_metrics(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    target = tmp_path / 'textfile' / 'guard.prom'
    target.parent.mkdir()
    setup.watch['metrics-file'] = str(target)
    good = setup.write().read_text()
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        setup.config_file.write_text(good.replace('debounce = 0.1', 'debounce = "soon"'))
        reload = run_guard('watch', setup.root, '--config', setup.config_file, '--reload', str(daemon.pid))
        assert reload.returncode == 2
        assert 'config rejected' in reload.stderr and 'watch.debounce' in reload.stderr
        config_check = ('guard_check_status', (('check', 'config'), ('root', str(setup.root))))
        wait_for(lambda: _metrics(target).get(config_check) == 2, 10.0, 'config = 2 in the metrics')
        status = run_guard('status', setup.root, '--config', setup.config_file, '--json')
        report = json.loads(status.stdout)
        assert status.returncode == 1
        assert report['running'] is True
        assert 'config rejected' in report['daemon']['status']
        assert {h['check']: h['status'] for h in report['health']}['config'] == 'fail'
        setup.config_file.write_text(good)
        accepted = run_guard('watch', setup.root, '--config', setup.config_file, '--reload', str(daemon.pid))
        assert accepted.returncode == 0, accepted.stderr
        wait_for(lambda: _metrics(target).get(config_check) == 0, 10.0, 'config = 0 after a good reload')
        assert daemon.stop() == 0


def test_watch_check_is_nginx_t(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    assert run_guard('watch', setup.root, '--config', setup.config_file, '--check').returncode == 0
    setup.watch['max-wait'] = 0.01  # below debounce: the daemon would refuse it
    setup.write()
    done = run_guard('watch', setup.root, '--config', setup.config_file, '--check')
    assert done.returncode == 2 and 'max-wait' in done.stderr


# -- D7: a log the service cannot empty is reported once, with its owner -------------------------------


@ROOT_ONLY
def test_a_log_the_daemon_may_not_empty_is_reported_once_with_its_owner(tmp_path: Path) -> None:
    # Each health tick looks again, and the cooldown lets each look purge: the "every 30 s".
    setup = Setup(tmp_path, **{'on-log-limit': 'purge', 'cooldown': 0.5, 'health-interval': 1})
    setup.health['max-log-mb'] = 1
    setup.write()
    log = setup.root / 'logs' / 'app.log'
    _fill(log, 2 * MIB)
    subprocess.run(['chattr', '+i', str(log)], check=True)  # EPERM to any writer, root included
    try:
        with Daemon(setup) as daemon:
            daemon.wait_ready()
            try:
                wait_for(lambda: len(setup.finished('purge')) >= 3, 30.0, 'three purges that could not empty it')
            except AssertionError:
                raise AssertionError(daemon.stderr()[-3000:] + repr(setup.alerts())) from None
            assert daemon.stop() == 0
    finally:
        subprocess.run(['chattr', '-i', str(log)], check=True)
    assert setup.alerts().count('problem log-permissions fail') == 1
    reported = [r for r in setup.audit('alert') if r.detail.get('check') == 'log-permissions']
    assert len(reported) == 1
    text = json.dumps(reported[0].detail)
    assert f'{log}: owned by root:root' in text and 'LogsDirectory=' in text


# -- D8: a log volume of its own -----------------------------------------------------------------------


@ROOT_ONLY
def test_a_full_log_volume_is_caught_and_purged_within_its_filesystem(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'on-log-limit': 'purge'})
    setup.write()  # no size limit on the logs: only the volume's own fullness can trigger
    with tmpfs(setup.root / 'logs', 8):
        with Daemon(setup) as daemon:
            daemon.wait_ready()
            _fill(setup.root / 'logs' / 'app.log', int(7.9 * MIB))
            try:
                purged = wait_for(
                    lambda: [r for r in _audit_all(setup, 'purge') if r.outcome == 'ok'],
                    15.0,
                    'a purge of the log volume',
                )
            except AssertionError:
                raise AssertionError(daemon.stderr()[-3000:] + repr(setup.alerts())) from None
            assert daemon.stop() == 0
        assert not (setup.root / 'logs' / 'app.log').exists()
        free = shutil.disk_usage(setup.root / 'logs').free
    assert free > 7 * MIB
    assert purged[0].root == str(setup.root / 'logs')


# -- D9: low disk caught within seconds, and never left low for a cooldown -----------------------------


@ROOT_ONLY
def test_low_disk_filled_from_outside_the_root_is_caught_within_five_seconds(tmp_path: Path) -> None:
    with tmpfs(tmp_path / 'fs', 64):
        setup = Setup(tmp_path / 'fs')
        setup.health['min-free-disk-mb'] = 16
        setup.write()  # health-interval stays 60 s: only the disk look can catch it in time
        with Daemon(setup) as daemon:
            daemon.wait_ready()
            _fill(tmp_path / 'fs' / 'elsewhere' / 'blob', 52 * MIB)  # no event in the root
            filled = time.monotonic()
            wait_for(lambda: setup.has_alert('problem disk fail'), 5.0, 'the low-disk alert')
            caught = time.monotonic() - filled
            assert daemon.stop() == 0
    assert caught < 5.0


@ROOT_ONLY
def test_a_disk_still_low_after_its_purge_escalates_and_is_purged_again_within_the_cooldown(tmp_path: Path) -> None:
    with tmpfs(tmp_path / 'fs', 64):
        setup = Setup(tmp_path / 'fs', **{'on-low-disk': 'purge', 'cooldown': 600})
        setup.health['min-free-disk-mb'] = 16
        setup.write()
        _fill(setup.root / 'data' / 'temp' / 'a.bin', 8 * MIB)
        # Code beside the runtime state: a root of logs/ and data/ only is one the guard rail refuses
        # to clear whole (data/ holds nothing but ephemeral data/temp/).
        (setup.root / 'src').mkdir()
        (setup.root / 'src' / 'app.py').write_text('print(1)\n')
        with Daemon(setup) as daemon:
            daemon.wait_ready()
            _fill(tmp_path / 'fs' / 'elsewhere' / 'blob', 48 * MIB)  # free < 16 MiB; the purge frees 8
            wait_for(lambda: setup.finished('purge'), 10.0, 'the first purge')
            wait_for(lambda: setup.has_alert('problem disk-still-low fail'), 10.0, 'the still-low escalation')
            _fill(setup.root / 'data' / 'temp' / 'b.bin', 4 * MIB)  # it fills further
            wait_for(lambda: len(setup.finished('purge')) >= 2, 20.0, 'a second purge within the cooldown')
            assert daemon.stop() == 0
        assert [r.outcome for r in setup.finished('purge')][:2] == ['ok', 'ok']  # the state dir is on the tmpfs


# -- D10: a venv is moved once complete and quiet, in one move -----------------------------------------


def test_a_venv_still_being_written_is_moved_whole_once_quiet(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'on-pollution': 'quarantine'})  # venv-quiet: its default, 3 s
    root = setup.root
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        (root / 'bin').mkdir()
        (root / 'bin' / 'python').symlink_to(sys.executable)
        (root / 'pyvenv.cfg').write_text('home = /usr/bin\n')
        site = root / 'lib' / 'python3.11' / 'site-packages' / 'pkg'
        written = 0
        for index in range(12):  # 3.6 s of writing, as ensurepip does after pyvenv.cfg appeared
            with contextlib.suppress(OSError):
                site.mkdir(parents=True, exist_ok=True)
                (site / f'm{index}.py').write_bytes(os.urandom(4096))
                written += 1
            time.sleep(0.3)
        wait_for(lambda: setup.finished('clean'), 15.0, 'the quarantine')
        _wait_sweeps(setup, 2)
        assert daemon.stop() == 0
    cleans = setup.finished('clean')
    assert len(cleans) == 1
    assert written == 12  # nothing was moved from under the writer
    assert not [p for p in ('bin', 'lib', 'pyvenv.cfg') if os.path.lexists(root / p)]
    moved = list((root / '.guard' / 'quarantine').rglob('m*.py'))
    assert len(moved) == 12


# -- restore holds, retention, hysteresis, reclaimed -----------------------------------------------------


def test_a_restore_is_not_undone_until_its_hold_is_released(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'on-pollution': 'quarantine', 'cooldown': 0.5})
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(setup.root)], check=True)
        wait_for(lambda: not (setup.root / 'pyvenv.cfg').exists(), 10.0, 'the quarantine')
        restored = run_guard('restore', setup.root, '--force', '--config', setup.config_file)
        assert restored.returncode == 0, restored.stderr
        assert 'guard watch leaves them alone until ' in restored.stdout
        _wait_sweeps(setup, 4)  # the daemon looks again and again
        assert (setup.root / 'pyvenv.cfg').exists()
        released = run_guard('restore', setup.root, '--release', '--config', setup.config_file)
        assert released.stdout.strip() == f'guard restore: released the hold on {setup.root}'
        (setup.root / 'pyvenv.cfg').touch()  # an event, so the daemon looks now
        wait_for(lambda: not (setup.root / 'pyvenv.cfg').exists(), 10.0, 'the quarantine after the release')
        target_metrics = _wait_status(setup)
        assert daemon.stop() == 0
    assert target_metrics['reclaimed_bytes'] == 0  # two quarantines: moved, nothing freed


def _wait_status(setup: Setup) -> dict[str, float]:
    status = next(setup.state.glob('watch-*.json'))
    return wait_for(
        lambda: (c := json.loads(status.read_text())['counters'])['actions'] >= 2 and c,
        10.0,
        'both quarantines counted',
    )


def _quarantine(qid: str, age_days: float, size: int, now: datetime) -> Quarantine:
    created = (now - timedelta(days=age_days)).isoformat()
    return Quarantine(qid, Path('/q') / qid, Manifest(qid, '/r', created, 'done', (), {}), 1, size)


@given(
    st.lists(st.tuples(st.floats(0, 60), st.integers(0, 50 * MIB)), max_size=12),
    st.integers(0, 30),
    st.integers(0, 100),
)
def test_retention_removes_the_old_and_the_oldest_past_the_cap(
    items: list[tuple[float, int]], keep_days: int, max_mb: int
) -> None:
    now = datetime.now(UTC)
    quarantines = sorted(
        (_quarantine(f'q{i}', age, size, now) for i, (age, size) in enumerate(items)), key=lambda q: q.created
    )
    doomed = retention.due(quarantines, keep_days=keep_days, max_mb=max_mb, now=now)
    kept = [q for q in quarantines if q not in doomed]
    if keep_days:
        assert all(q.created >= now - timedelta(days=keep_days) for q in kept)
    if max_mb:
        assert sum(q.bytes for q in kept) <= max_mb * MIB
        by_cap = [q for q in doomed if not keep_days or q.created >= now - timedelta(days=keep_days)]
        assert all(d.created <= k.created for d in by_cap for k in kept)  # the oldest went first
    if not keep_days and not max_mb:
        assert doomed == []


def test_the_daemon_prunes_quarantines_past_retention(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'health-interval': 0.5})
    setup_clean = {'keep-days': 1}
    setup.write()
    setup.config_file.write_text(
        setup.config_file.read_text() + '[clean]\n' + ''.join(f'{k} = {v}\n' for k, v in setup_clean.items())
    )
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(setup.root)], check=True)
    assert run_guard('clean', setup.root, '--force', '--config', setup.config_file).returncode == 0
    made = next(p for p in (setup.root / '.guard' / 'quarantine').iterdir() if p.is_dir())
    manifest = json.loads((made / 'manifest.json').read_text())
    manifest['created'] = '2020-01-01T00:00:00+00:00'
    (made / 'manifest.json').write_text(json.dumps(manifest))
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        wait_for(lambda: not made.exists(), 10.0, 'the retention prune')
        assert daemon.stop() == 0
    assert [r.outcome for r in setup.audit('prune')] == ['ok']


def test_a_recovery_after_the_daemons_own_action_waits_for_recover_after() -> None:
    config = config_module.Config(watch=config_module.Config().watch.__class__(recover_after=60.0))
    executor = Executor(config, Path('/nonexistent'), None, [])
    executor.acted_on['logs'] = None  # as run() leaves it after a purge of the logs
    ok, fail = CheckResult('logs', Status.OK, ''), CheckResult('logs', Status.FAIL, '', 'above')
    assert executor._steadied([ok], 100.0) == []  # the purge made it fine: not yet a recovery
    assert executor._steadied([fail], 110.0) == [fail]  # the writer filled it again: no flap
    assert executor._steadied([ok], 120.0) == []
    assert executor._steadied([ok], 179.0) == []
    assert executor._steadied([ok], 180.0) == [ok]  # fine for a whole minute: announced once
    assert executor._steadied([ok], 181.0) == [ok]  # and from then on handed on as any check
    other = CheckResult('root', Status.OK, '')
    assert executor._steadied([other], 100.0) == [other]


def test_ephemeral_patterns_naming_a_floor_or_a_protected_path_are_warned_about(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.purge['ephemeral'] = ['logs/', '.git/objects/', 'src/', 'data/temp/']
    setup.write()
    done = run_guard('watch', setup.root, '--config', setup.config_file, '--check')
    assert done.returncode == 0
    warnings = [line for line in done.stderr.splitlines() if 'warning' in line]
    assert len(warnings) == 2
    assert "'.git/objects/' names a floor" in warnings[0] and "'src/' names a protected path" in warnings[1]


# -- uninstall-service -----------------------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason='install-service needs a non-root owner for the root (chown)')
def test_uninstall_service_removes_what_install_service_wrote_and_the_metrics(tmp_path: Path) -> None:
    import pwd

    roots = [tmp_path / 'srv' / name for name in ('a-1', 'b')]
    units = tmp_path / 'units'
    metrics_dir = tmp_path / 'node'
    metrics_dir.mkdir()
    config = tmp_path / 'guard.toml'
    config.write_text(f'[watch]\nmetrics-file = "{metrics_dir}/"\n')
    for root in roots:
        root.mkdir(parents=True)
        os.chown(root, pwd.getpwnam('www-data').pw_uid, -1)
        assert run_guard('install-service', root, '--config', config, '--unit-dir', units).returncode == 0
    prom = metrics_dir / f'guard-{instances.escape_path(roots[0])}.prom'
    # What guard writes, its HELP lines first: uninstall-service removes only a file guard wrote.
    prom.write_text('# HELP guard_up Whether guard watch runs.\n# TYPE guard_up gauge\nguard_up 0\n')
    first = run_guard('uninstall-service', roots[0], '--config', config, '--unit-dir', units)
    assert first.returncode == 0, first.stderr
    assert not (units / f'{_unit(roots[0])}.d').exists() and not prom.exists()
    assert (units / 'guard@.service').exists()  # still used by the other root
    assert f"  systemctl disable '{_unit(roots[0])}'   # if it is still enabled" in first.stdout.splitlines()
    assert run_guard('uninstall-service', roots[1], '--config', config, '--unit-dir', units).returncode == 0
    assert list(units.rglob('*')) == []


def _unit(root: Path) -> str:
    return f'guard@{instances.escape_path(root)}.service'


def test_uninstall_service_refuses_while_the_daemon_runs(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        done = run_guard('uninstall-service', setup.root, '--config', setup.config_file, '--unit-dir', tmp_path / 'u')
        assert done.returncode == 2 and 'stop it first' in done.stderr
        daemon.signal(signal.SIGTERM)
        assert daemon.stop() == 0
