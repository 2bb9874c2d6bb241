"""Two stores of one process on the same SQLite file, as a reload has them (the new store opens
before the old one closes): the old one's close must not pull the WAL from under the new one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from guard.audit import AuditStore

# Another process reading the store, as `guard status` or `guard history` does while the daemon runs.
READER = (
    'import pathlib, sys\n'
    'from guard.audit import AuditStore\n'
    'AuditStore.open_local(pathlib.Path(sys.argv[1])).history()\n'
)


def test_a_store_outlives_another_store_of_the_same_file_closing(tmp_path: Path) -> None:
    state = tmp_path / 'state'
    old = AuditStore.open_local(state)
    old.record('watch', tmp_path, trigger='daemon', outcome='started')
    for n in range(3):  # three reloads in a row, as `systemctl reload` thrice
        subprocess.run([sys.executable, '-c', READER, str(state)], check=True)
        new = AuditStore.open_local(state)
        old.close()
        new.record('watch', tmp_path, trigger='daemon', outcome=f'reloaded-{n}')
        old = new
    assert [r.outcome for r in old.history()] == ['reloaded-2', 'reloaded-1', 'reloaded-0', 'started']
    old.close()
    assert sorted(p.name for p in state.iterdir() if p.name.startswith('audit.db')) == ['audit.db']
