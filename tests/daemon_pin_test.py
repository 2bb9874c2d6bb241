"""The daemon pins its root (issue 16, finding 11 of the second attack).

`guard watch ROOT` purged logs over the limit; the root was renamed and a symlink to another
folder put at its path; the next sweep measured that folder and purged its logs. Now the daemon
opens the root once at start and every action looks and acts through that descriptor: a path that
leads elsewhere is a root problem (an alert, no action) until it leads back. The second test closes
the race between the daemon's look and its action: the Executor itself refuses once the path moved.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from daemon_harness import Daemon
from daemon_harness import Setup
from daemon_harness import wait_for
from safety_trees import config
from safety_trees import snapshot

from guard.daemon.actions import Executor
from guard.daemon.policy import PURGE
from guard.daemon.policy import PURGE_LOGS
from guard.daemon.policy import QUARANTINE
from guard.daemon.policy import Action
from guard.safety.fd import RootPin

BIG = 3 * 1024 * 1024


def test_the_daemon_never_follows_a_root_swapped_for_a_symlink(tmp_path: Path) -> None:
    setup = Setup(tmp_path, **{'on-log-limit': 'purge'})
    setup.health['max-log-mb'] = 1
    setup.write()
    (setup.root / 'logs/a.log').write_text('small\n')
    victim = tmp_path / 'victim'
    (victim / 'logs').mkdir(parents=True)
    (victim / 'logs/big.log').write_bytes(os.urandom(BIG))
    before = snapshot(victim)
    with Daemon(setup) as daemon:
        daemon.wait_ready()
        setup.root.rename(tmp_path / 'root.old')
        setup.root.symlink_to(victim)  # the swap
        wait_for(lambda: 'now leads to another directory' in daemon.stderr(), 10.0, 'the daemon noticing the swap')
        wait_for(lambda: setup.has_alert('problem root fail'), 5.0, 'the root alert')
        # Sweeps (every 0.5 s) go on while the path leads elsewhere: none of them may act there.
        time.sleep(3)
        assert snapshot(victim) == before
        assert 'purge-logs' not in daemon.stderr()
        # The path leads back to the pinned folder: the daemon watches (and would act) again.
        setup.root.unlink()
        (tmp_path / 'root.old').rename(setup.root)
        wait_for(lambda: setup.has_alert('recovery root ok'), 10.0, 'the root-back alert')
        assert daemon.stop() == 0
    assert snapshot(victim) == before
    assert 'Traceback' not in daemon.stderr()


def test_every_daemon_action_is_refused_once_the_path_leads_elsewhere(tmp_path: Path) -> None:
    """The race between the daemon's look and its action: the swap lands after the facts were
    gathered. Purge, log purge and quarantine are each refused, and nothing outside changes."""
    root = tmp_path / 'root'
    (root / 'logs').mkdir(parents=True)
    (root / 'logs/a.log').write_text('x\n')
    victim = tmp_path / 'victim'
    for rel in ('logs/big.log', 'data/temp/t', 'bin/python', 'lib/x.py', 'pyvenv.cfg'):
        (victim / rel).parent.mkdir(parents=True, exist_ok=True)
        (victim / rel).write_text('precious\n')
    before = snapshot(victim)
    cfg = config(tmp_path / 'state')
    pin = RootPin(root)
    executor = Executor(cfg, root, None, (), pin=pin)
    root.rename(tmp_path / 'root.old')
    root.symlink_to(victim)
    for kind, paths in ((PURGE_LOGS, ('logs/',)), (PURGE, ()), (QUARANTINE, ())):
        done = executor.run(Action(kind, kind, 'test', paths=paths))
        assert done is not None and done.outcome == 'refused', done
        assert 'now leads to another directory' in done.detail
    assert snapshot(victim) == before
    assert (tmp_path / 'root.old/logs/a.log').exists()
