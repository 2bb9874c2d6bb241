"""One purge or clean per root at a time, between real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from support import run_guard
from support import trust
from support import write

from guard.errors import LockedError
from guard.safety.lock import root_lock

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from guard.safety.lock import root_lock
    with root_lock(Path(sys.argv[1]), Path(sys.argv[2]), 'purge'):
        print('locked', flush=True)
        sys.stdin.readline()
""")


def test_second_comer_fails_at_once_with_who_holds_it(tmp_path: Path) -> None:
    state, root = tmp_path / 'state', tmp_path / 'root'
    root.mkdir()
    holder = subprocess.Popen(
        [sys.executable, '-c', HOLD, str(state), str(root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == 'locked\n'
        with pytest.raises(LockedError) as info:
            with root_lock(state, root, 'clean', timeout=0):
                pass
        message = str(info.value)
        assert message.startswith(f'{root} is locked by guard purge (pid {holder.pid}, user ')
        assert message.endswith(
            'try again when it finishes, or wait longer with --lock-timeout SECONDS (purge.lock-timeout)'
        )
        # A different state directory (the daemon's vs a person's) still sees the lock on the root.
        with pytest.raises(
            LockedError, match='is locked by another guard process that keeps its state elsewhere .* after waiting 0.2s'
        ):
            with root_lock(tmp_path / 'other-state', root, 'clean', timeout=0.2):
                pass
    finally:
        assert holder.stdin is not None
        holder.stdin.write('\n')
        holder.stdin.close()
        holder.wait(timeout=10)
    with root_lock(state, root, 'clean', timeout=0):
        pass  # released when the holder exited


SLOW_STEP = textwrap.dedent("""
    import sys, time
    with open(sys.argv[1], 'a') as trace:
        trace.write(f'{time.time()} start\\n')
        trace.flush()
        time.sleep(4)  # wide enough for the other guard processes to start on a loaded machine
        trace.write(f'{time.time()} end\\n')
""")


def test_two_concurrent_purges_serialise(tmp_path: Path) -> None:
    # Each purge's `before` step records when it starts and ends; steps run inside the lock.
    root = tmp_path / 'root'
    trace = tmp_path / 'trace'
    write(tmp_path, 'slow.py', SLOW_STEP)
    write(
        root,
        'guard.toml',
        f"[purge]\nbefore = ['{sys.executable} {tmp_path / 'slow.py'} {trace}']\nlock-timeout = 30\n",
    )
    trust(root)
    write(root, 'logs/a.log', 'x')
    env = {'GUARD_STATE_DIR': str(tmp_path / 'state')}
    cmd = [sys.executable, '-m', 'guard', 'purge', str(root), '--force']
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    deadline = time.monotonic() + 30
    while not (trace.exists() and 'start' in trace.read_text()):
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.05)
    impatient = run_guard('purge', root, '--force', '--lock-timeout', '0', env=env)
    assert impatient.returncode == 2
    assert impatient.stderr.startswith(f'guard: error: {root} is locked by guard purge (pid {first.pid}')
    second = run_guard('purge', root, '--force', env=env)
    out, err = first.communicate(timeout=60)
    assert (first.returncode, second.returncode) == (0, 0), (err, second.stderr)
    events = [line.split() for line in trace.read_text().splitlines()]
    assert [kind for _, kind in events] == ['start', 'end', 'start', 'end']
    # The second purge's work began only after the first one's had ended.
    assert float(events[2][0]) >= float(events[1][0])
