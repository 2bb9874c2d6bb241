"""`guard watch --reload PID ROOT` signals ROOT's running `guard watch` and no other process
(issue 16b, finding 04: `--reload -1` was kill(-1, SIGHUP), every process on the machine).

Safe by construction: pids that kill(2) reads as groups (0, negative) are only ever passed inside
a private PID namespace (`unshare --pid --fork --mount-proc`) started in a session of its own, so
a regression hangs up that namespace, not the test machine; every other pid is one of a process
this test started.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from daemon_harness import Daemon
from daemon_harness import Setup
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import run_guard


def _can_unshare() -> bool:
    if os.geteuid() != 0 or shutil.which('unshare') is None:
        return False
    probe = subprocess.run(['unshare', '--pid', '--fork', '--mount-proc', 'true'], capture_output=True, check=False)
    return probe.returncode == 0


def one_line_exit_2(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert 'Traceback' not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert 'nothing was signalled' in proc.stderr


GROUPS = st.one_of(st.just(0), st.just(-1), st.integers(max_value=-2), st.integers(min_value=-(2**70), max_value=-1))


@pytest.mark.skipif(not _can_unshare(), reason='needs root and unshare --pid to pass pids kill(2) reads as groups')
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(pid=GROUPS)
def test_a_group_pid_signals_nothing(tmp_path_factory: pytest.TempPathFactory, pid: int) -> None:
    tmp = tmp_path_factory.mktemp('ns')
    root = tmp / 'root'
    root.mkdir()
    (root / 'guard.toml').write_text('[health]\nchecks = ["disk"]\n')
    # Inside the namespace: a victim with SIGHUP's default action (it dies of one), then the reload.
    script = (
        'sleep 60 & victim=$!\n'
        "trap '' HUP\n"
        f'{sys.executable} -m guard watch --reload={pid} {root} >{tmp}/out 2>{tmp}/err; echo $? >{tmp}/rc\n'
        'sleep 0.3\n'
        f'if kill -0 $victim 2>/dev/null; then echo alive >{tmp}/victim; kill $victim; fi\n'
    )
    env = {**os.environ, 'XDG_STATE_HOME': str(tmp / 'state'), 'XDG_CONFIG_HOME': str(tmp / 'cfg')}
    env['PYTHONPATH'] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get('PYTHONPATH', '')])
    # A session of its own too: process groups are not namespaced, and kill(0) would reach pytest's.
    command = ['unshare', '--pid', '--fork', '--mount-proc', 'sh', '-c', script]
    subprocess.run(command, env=env, timeout=120, check=False, start_new_session=True)
    assert (tmp / 'victim').read_text().strip() == 'alive'
    err = (tmp / 'err').read_text()
    one_line_exit_2(subprocess.CompletedProcess([], int((tmp / 'rc').read_text()), '', err))


def _started(*command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_only_roots_own_daemon_is_signalled(tmp_path: Path) -> None:
    """Strangers, all started here: a sleep (SIGHUP kills it), a process whose command line reads
    `guard watch ROOT` (the status file does not name it), the guard watch of another root, and a pid
    no process has. Each is refused in one line and lives on; ROOT's daemon is reloaded."""
    (tmp_path / 'a').mkdir()
    (tmp_path / 'b').mkdir()
    setup = Setup(tmp_path / 'a')
    other = Setup(tmp_path / 'b')
    other.state = setup.state  # one state folder for both: the status files must still tell them apart
    other.write()
    sleeper = _started('sleep', '120')
    lookalike = _started(sys.executable, '-c', 'import time; time.sleep(120)', 'guard', 'watch', str(setup.root))
    with Daemon(setup) as daemon:
        daemon.wait_ready()  # before the neighbour: two daemons creating one audit store at once race
        neighbour = Daemon(other)
        neighbour.wait_ready()
        try:
            for pid in (sleeper.pid, lookalike.pid, neighbour.pid, _unused_pid()):
                one_line_exit_2(run_guard('watch', setup.root, '--config', setup.config_file, '--reload', str(pid)))
            time.sleep(0.3)  # a signal, had one been sent, has landed
            assert sleeper.poll() is None and lookalike.poll() is None and neighbour.process.poll() is None
            assert 'reloaded' not in neighbour.stderr()
            done = run_guard('watch', setup.root, '--config', setup.config_file, '--reload', str(daemon.pid))
            assert done.returncode == 0, done.stderr
            deadline = time.monotonic() + 10
            while 'reloaded the config' not in daemon.stderr() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert 'reloaded the config' in daemon.stderr()
        finally:
            for process in (sleeper, lookalike):
                process.kill()
                process.wait()
            neighbour_code = neighbour.stop()
        assert daemon.stop() == 0 and neighbour_code == 0


def test_a_forged_status_file_is_not_enough(tmp_path: Path) -> None:
    """The status file names a sleep (its real start time): /proc/PID/cmdline is no guard watch."""
    from guard.audit import _process_start
    from guard.daemon import status as status_file

    setup = Setup(tmp_path)
    sleeper = _started('sleep', '120')
    try:
        now = time.time()
        forged = status_file.DaemonStatus(
            root=str(setup.root.resolve()),
            pid=sleeper.pid,
            pid_start=_process_start(sleeper.pid),
            started_at=now,
            updated_at=now,
            state='watching',
            status='',
            config='',
            observer='inotify',
        )
        status_file.write(status_file.path_for(setup.state, setup.root.resolve()), forged)
        one_line_exit_2(run_guard('watch', setup.root, '--config', setup.config_file, '--reload', str(sleeper.pid)))
        time.sleep(0.3)
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def _unused_pid() -> int:
    limit = int(Path('/proc/sys/kernel/pid_max').read_text())
    return next(p for p in range(limit - 1, 1, -1) if not Path(f'/proc/{p}').exists())
