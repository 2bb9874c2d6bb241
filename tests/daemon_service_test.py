"""guard watch as a real process on a real temporary root: real inotify observer, real signals,
real child processes writing logs. Every wait is a condition with a deadline."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from daemon_harness import Daemon
from daemon_harness import Setup
from daemon_harness import no_thread_leaks
from daemon_harness import wait_for
from support import git
from support import run_guard

from guard.du import disk_usage

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def _no_thread_leaks():  # type: ignore[no-untyped-def]
    yield from no_thread_leaks()


def _writer(path: Path, *, chunk: int, every: float, seconds: float) -> subprocess.Popen[bytes]:
    """A process that holds `path` open and appends `chunk` bytes every `every` s for `seconds` s."""
    code = textwrap.dedent(f"""
        import os, sys, time
        fd = os.open({str(path)!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        print('open', flush=True)
        end = time.monotonic() + {seconds}
        while time.monotonic() < end:
            os.write(fd, os.urandom({chunk}))
            time.sleep({every})
        sys.stdin.read()  # hold the file open until the test closes our stdin
    """)
    process = subprocess.Popen([sys.executable, '-c', code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == b'open\n'
    return process


def test_venv_in_root_alerts_within_two_seconds(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(setup.root)], check=True)
        wait_for(lambda: setup.has_alert('problem pollution fail'), 2.0, 'the pollution alert')
        assert daemon.stop() == 0
    alerts = setup.audit('alert')
    assert [r.trigger for r in alerts] == ['daemon']
    assert alerts[0].detail['check'] == 'pollution'


def test_quarantine_moves_the_venv_and_alerts_on_an_env_file_it_never_moves(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'on-pollution': 'quarantine'})
    git(setup.root, 'init', '-q')  # a work tree where .env is not ignored: it could be committed
    value = secrets.token_hex(8)
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        (setup.root / '.env').write_text(f'API_TOKEN={value}\n')
        wait_for(lambda: setup.has_alert('problem env-files fail'), 5.0, 'the env-file alert')
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(setup.root)], check=True)
        wait_for(lambda: not (setup.root / 'pyvenv.cfg').exists(), 5.0, 'the venv to be quarantined')
        assert daemon.stop() == 0
    assert (setup.root / '.env').read_text() == f'API_TOKEN={value}\n'
    cleans = setup.audit('clean')
    assert [(r.trigger, r.outcome) for r in cleans] == [('daemon', 'ok')]
    assert {p for p, _b, _o in cleans[0].paths} >= {'pyvenv.cfg', 'bin', 'lib'}
    assert value not in ''.join(setup.alerts()) + daemon.stderr()


def test_open_log_past_its_limit_is_truncated_in_place_and_protected_paths_stay(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'on-log-limit': 'purge'})
    setup.health['max-log-mb'] = 2
    setup.write()
    protected = {rel: os.urandom(4096) for rel in ('config/app.yaml', '.env.example', 'src/main.py')}
    for rel, data in protected.items():
        (setup.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (setup.root / rel).write_bytes(data)
    log = setup.root / 'logs' / 'app.log'
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        # 3 MiB in 12 writes, then the writer keeps the log open (as a running service does).
        writer = _writer(log, chunk=256 * 1024, every=0.02, seconds=0.25 + 0.05)
        inode = log.stat().st_ino
        try:
            purges = wait_for(lambda: setup.finished('purge'), 10.0, 'the daemon to purge the logs')
            assert writer.poll() is None  # it held the log open all along
        finally:
            writer.communicate(timeout=10)
        assert daemon.stop() == 0
    record = purges[0]
    assert (record.trigger, record.outcome) == ('daemon', 'ok')
    assert [(p, o) for p, _b, o in record.paths if p == 'logs/app.log'] == [('logs/app.log', 'truncated')]
    assert record.detail['reclaimed'] > 2 * MIB  # space back, as the filesystem measured it
    assert log.stat().st_ino == inode and log.stat().st_size == 0
    for rel, data in protected.items():
        assert (setup.root / rel).read_bytes() == data


def test_a_continuously_written_log_triggers_within_max_wait(tmp_path: Path) -> None:
    # debounce 1 s while the writer never pauses 1 s: only max-wait can make the daemon look.
    setup = Setup(tmp_path, debounce=1.0, **{'max-wait': 1.5, 'sweep-interval': 60})
    setup.health['max-log-mb'] = 1
    setup.write()
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        writer = _writer(setup.root / 'logs' / 'busy.log', chunk=64 * 1024, every=0.05, seconds=12.0)
        try:
            wait_for(lambda: setup.has_alert('problem logs fail'), 8.0, 'the logs alert')
            assert writer.poll() is None, 'the writer had stopped: the debounce, not max-wait, fired'
        finally:
            writer.kill()
            writer.communicate()
        assert daemon.stop() == 0


@pytest.mark.slow
def test_a_storm_of_100000_files_keeps_memory_bounded_and_ends_under_the_limit(tmp_path: Path) -> None:
    # A purge that saw only part of the storm leaves the rest for the next purge after the cooldown:
    # a short one, so the test ends well inside its limit however the storm and the purges interleave.
    setup = Setup(
        tmp_path,
        **{'on-log-limit': 'purge', 'max-wait': 2.0, 'max-pending': 500, 'sweep-interval': 2.0, 'cooldown': 5.0},
    )
    setup.health['max-log-mb'] = 5
    setup.write()
    logs = setup.root / 'logs'
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        baseline = daemon.peak_rss_kib()
        storm = textwrap.dedent(f"""
            import os
            payload = b'x' * 100
            for i in range(100_000):
                fd = os.open(os.path.join({str(logs)!r}, f'f{{i:06}}.log'), os.O_WRONLY | os.O_CREAT, 0o644)
                os.write(fd, payload)
                os.close(fd)
        """)
        subprocess.run([sys.executable, '-c', storm], check=True, timeout=600)
        # 100,000 files of 100 B are 9.5 MiB, above the 5 MiB limit: the daemon must purge until the
        # logs are back under it, whatever part of the storm each purge saw.
        wait_for(
            lambda: setup.finished('purge') and _log_bytes(logs) <= 5 * MIB, 120.0, 'the logs back under the limit'
        )
        status = json.loads(next(setup.state.glob('watch-*.json')).read_text())
        assert daemon.process.poll() is None, daemon.stderr()
        peak = daemon.peak_rss_kib()
        assert daemon.stop(timeout=10) == 0
    # Every line (watchdog's overflow warnings too) carries a priority journald can read.
    assert all(line[:1] == '<' and line[2:3] == '>' for line in daemon.stderr().splitlines()), daemon.stderr()
    assert status['counters']['pending'] <= 500
    assert status['counters']['drops'] >= 1  # the collapse (or the kernel's overflow) was counted
    # Bounded: the storm's 200,000 events and 100,000 files cost the daemon far less than a record each.
    assert peak - baseline < 120 * 1024, (baseline, peak)
    purges = setup.finished('purge')
    assert purges and all(r.trigger == 'daemon' and r.outcome == 'ok' for r in purges)


def _log_bytes(folder: Path) -> int:
    total = 0
    for entry in os.scandir(folder):
        try:
            st = entry.stat()
        except FileNotFoundError:  # purged while we looked
            continue
        total += disk_usage(st)  # as guard counts a log's bytes
    return total


@pytest.mark.parametrize(('cooldown', 'new_writes'), [(600, 20), (0, 0)])
def test_no_action_loop_on_its_own_deletions(tmp_path: Path, cooldown: int, new_writes: int) -> None:
    # logs/keep.log is protected: the purge cannot bring the logs under the limit. With a cooldown,
    # new writes must not make it purge again before the cooldown ends; without one, its own
    # deletions (events, or the sweep's view of them) must not count as a reason to purge again.
    setup = Setup(tmp_path, **{'on-log-limit': 'purge', 'cooldown': cooldown})
    setup.health['max-log-mb'] = 1
    setup.purge = {'protected': ['logs/keep.log', 'src/']}
    setup.write()
    (setup.root / 'logs' / 'keep.log').write_bytes(os.urandom(2 * MIB))
    for n in range(50):
        (setup.root / 'logs' / f'old-{n}.log').write_bytes(os.urandom(1024))
    with Daemon(setup) as daemon:
        daemon.wait_ready()  # its first look purges
        wait_for(lambda: setup.finished('purge'), 10.0, 'the first purge')
        assert not list((setup.root / 'logs').glob('old-*'))
        status = next(setup.state.glob('watch-*.json'))
        sweeps = json.loads(status.read_text())['counters']['sweeps']
        for n in range(new_writes):
            (setup.root / 'logs' / f'new-{n}.log').write_bytes(os.urandom(1024))
        wait_for(lambda: json.loads(status.read_text())['counters']['sweeps'] >= sweeps + 4, 20.0, 'four more sweeps')
        assert daemon.stop() == 0
    purges = setup.audit('purge')
    assert len(purges) == 1, ([(r.outcome, r.paths[:3]) for r in purges], daemon.stderr())
    assert (setup.root / 'logs' / 'keep.log').stat().st_size == 2 * MIB


def test_sighup_with_a_bad_config_keeps_the_old_one_and_alerts(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        good = setup.config_file.read_text()
        setup.config_file.write_text(good.replace('debounce = 0.1', 'debounce = "soon"'))
        daemon.signal(signal.SIGHUP)
        wait_for(lambda: setup.has_alert('problem config fail'), 5.0, 'the reload-failed alert')
        assert 'reload failed, keeping the previous config' in daemon.stderr()
        assert 'watch.debounce must be a number' in daemon.stderr()
        # Still running, with the old config (its alert command still works).
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(setup.root)], check=True)
        wait_for(lambda: setup.has_alert('problem pollution fail'), 5.0, 'an alert under the old config')
        setup.config_file.write_text(good)
        daemon.signal(signal.SIGHUP)
        wait_for(lambda: setup.has_alert('recovery config ok'), 5.0, 'the config recovery alert')
        assert daemon.stop() == 0
    outcomes = [r.outcome for r in setup.audit('watch')]
    assert 'reload-failed' in outcomes and 'reloaded' in outcomes


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_cleanly_within_two_seconds(tmp_path: Path, signum: int) -> None:
    setup = Setup(tmp_path)
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        daemon.signal(signum)
        assert daemon.process.wait(2.0) == 0
    assert 'Traceback' not in daemon.stderr()
    assert [r.outcome for r in setup.audit('watch')][:2] == ['stopped', 'started']


def test_root_deleted_then_recreated_alerts_and_resumes(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        import shutil

        shutil.rmtree(setup.root)
        wait_for(lambda: setup.has_alert('problem root fail'), 5.0, 'the root-missing alert')
        setup.root.mkdir()
        wait_for(lambda: setup.has_alert('recovery root ok'), 5.0, 'the root-back alert')
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(setup.root)], check=True)
        wait_for(lambda: setup.has_alert('problem pollution fail'), 5.0, 'events from the re-armed observer')
        assert daemon.process.poll() is None
        assert daemon.stop() == 0


def test_guard_history_shows_daemon_actions(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'on-log-limit': 'purge'})
    setup.health['max-log-mb'] = 1
    setup.write()
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        (setup.root / 'logs' / 'big.log').write_bytes(os.urandom(2 * MIB))
        wait_for(lambda: setup.finished('purge'), 10.0, 'the purge')
        assert daemon.stop() == 0
    result = run_guard('history', setup.root, '--json', '--config', setup.config_file)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert any(r['kind'] == 'purge' and r['trigger'] == 'daemon' and r['outcome'] == 'ok' for r in rows)


def test_timed_health_checks_alert_on_the_database_and_its_recovery(tmp_path: Path) -> None:
    import sqlite3

    database = tmp_path / f'app-{secrets.token_hex(4)}.db'
    setup = Setup(tmp_path, **{'health-interval': 0.5})
    setup.health.update({'checks': ['database', 'disk', 'logs', 'pollution'], 'db-url': f'sqlite:///{database}'})
    setup.write()
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        wait_for(lambda: setup.has_alert('problem database fail'), 10.0, 'the database alert')
        sqlite3.connect(database).close()
        wait_for(lambda: setup.has_alert('recovery database ok'), 10.0, 'the database recovery')
        assert daemon.stop() == 0


def test_low_disk_alerts_and_purges_the_ephemeral_set_once(tmp_path: Path) -> None:
    # No test may fill the disk: the limit is set above any disk's size instead, so it is always low.
    setup = Setup(tmp_path, **{'on-low-disk': 'purge', 'cooldown': 600})
    setup.health['min-free-disk-mb'] = 10**12
    setup.write()
    cache = setup.root / 'pkg' / '__pycache__'
    cache.mkdir(parents=True)
    (cache / 'mod.cpython-311.pyc').write_bytes(os.urandom(8192))
    source = setup.root / 'src' / 'main.py'
    source.parent.mkdir()
    source.write_text(secrets.token_hex(16))
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        wait_for(lambda: setup.has_alert('problem disk fail'), 5.0, 'the low-disk alert')
        wait_for(lambda: setup.finished('purge'), 10.0, 'the purge of the ephemeral set')
        (setup.root / 'logs' / 'later.log').write_text('x')  # events keep coming; the cooldown holds
        status = next(setup.state.glob('watch-*.json'))
        sweeps = json.loads(status.read_text())['counters']['sweeps']
        wait_for(lambda: json.loads(status.read_text())['counters']['sweeps'] >= sweeps + 2, 10.0, 'two more sweeps')
        assert daemon.stop() == 0
    assert not (cache / 'mod.cpython-311.pyc').exists()
    assert source.exists()
    purges = setup.audit('purge')
    assert [(r.trigger, r.outcome) for r in purges] == [('daemon', 'ok')]
    assert any(p == 'pkg/__pycache__' for p, _b, _o in purges[0].paths)
