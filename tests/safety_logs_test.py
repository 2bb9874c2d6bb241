"""Logs held open by a running process: truncated in place, so the filesystem gets the space back.

The holder is a real separate process. Free space is read with statvfs; where possible the root
lives on its own tmpfs so nothing else on the machine moves the numbers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from safety_trees import config
from support import write

from guard.safety import purge
from guard.safety.purge import OK

MiB = 1 << 20
LOG_SIZE = 64 * MiB

HOLDER = textwrap.dedent("""
    import os, sys
    files = [open(p, 'ab', buffering=0) for p in sys.argv[2:]]
    chunk = b'x' * (1 << 20)
    for f in files:
        for _ in range(int(sys.argv[1])):
            f.write(chunk)
        os.fsync(f.fileno())
    print('ready', flush=True)
    sys.stdin.readline()
    for f in files:
        f.write(b'after purge\\n')
    print(' '.join(str(os.fstat(f.fileno()).st_size) for f in files), flush=True)
    sys.stdin.readline()
""")


class Holder:
    """A process that writes `mib` MiB to each file and keeps them open until told to stop."""

    def __init__(self, paths: list[Path], mib: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, '-c', HOLDER, str(mib), *map(str, paths)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == 'ready'

    def write_again(self) -> list[int]:
        """Make it write one more line to each file; the sizes it then sees."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write('go\n')
        self.proc.stdin.flush()
        return [int(n) for n in self.proc.stdout.readline().split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def own_fs(tmp_path: Path) -> Iterator[Path]:
    """A folder on its own tmpfs when this machine allows mounting, else on the temp filesystem."""
    mount = Path(tempfile.mkdtemp(prefix='guard-fs-'))
    mounted = (
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', str(mount)], capture_output=True).returncode
        == 0
    )
    try:
        yield mount / 'root'
    finally:
        if mounted:
            subprocess.run(['umount', str(mount)], check=True)
        subprocess.run(['rm', '-rf', str(mount)], check=True)


def free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def test_open_log_is_truncated_and_free_space_rises_by_its_size(own_fs: Path, tmp_path: Path) -> None:
    root = own_fs
    write(root, 'src/app.py', 'print(1)\n')
    write(root, 'logs/app.log', '')
    holder = Holder([root / 'logs/app.log'], LOG_SIZE // MiB)
    try:
        plan = purge.plan(config(tmp_path / 'state'), root)
        truncations = [t for i in plan.items for t in i.truncated]
        assert [t.rel for t in truncations] == ['logs/app.log']
        assert [h.split()[0] for h in truncations[0].holders] == [str(holder.proc.pid)]
        before = free(root)
        report = purge.execute(plan)
        gained = free(root) - before
        assert gained >= LOG_SIZE - MiB, f'free space rose by {gained} bytes only'
        assert report.reclaimed >= LOG_SIZE - MiB
        assert report.outcome == OK
        assert (root / 'logs/app.log').stat().st_size == 0
        # The service keeps writing to the same file, from its start (it opened it for append).
        assert holder.write_again() == [len(b'after purge\n')]
        assert (root / 'logs/app.log').read_bytes() == b'after purge\n'
    finally:
        holder.stop()


def test_open_file_that_is_not_a_log_is_unlinked_and_reported_as_still_held(own_fs: Path, tmp_path: Path) -> None:
    root = own_fs
    write(root, 'data/temp/blob.bin', '')
    holder = Holder([root / 'data/temp/blob.bin'], 8)
    try:
        before = free(root)
        report = purge.execute(purge.plan(config(tmp_path / 'state'), root))
        held = [h for i in report.items for h in i.held_open]
        assert [h.rel for h in held] == ['data/temp/blob.bin']
        assert not (root / 'data/temp/blob.bin').exists()
        # Deleting a file a process holds frees nothing yet: the report measures, not assumes.
        assert free(root) - before < MiB
    finally:
        holder.stop()


def test_keep_rotated_copies_the_open_log_and_shifts_old_copies(own_fs: Path, tmp_path: Path) -> None:
    root = own_fs
    write(root, 'logs/app.log', '')
    write(root, 'logs/app.log.1', 'one')
    write(root, 'logs/app.log.2', 'two')
    write(root, 'logs/app.log.3', 'three')
    write(root, 'logs/closed.log', 'closed')
    write(root, 'logs/other.txt', 'gone')
    holder = Holder([root / 'logs/app.log'], 1)
    try:
        report = purge.execute(purge.plan(config(tmp_path / 'state', keep_rotated=2), root))
        assert report.outcome == OK, report.failures
        assert sorted(os.listdir(root / 'logs')) == ['app.log', 'app.log.1', 'app.log.2', 'closed.log.1']
        assert (root / 'logs/app.log').stat().st_size == 0
        assert (root / 'logs/app.log.1').stat().st_size == MiB
        assert (root / 'logs/app.log.2').read_text() == 'one'
        assert (root / 'logs/closed.log.1').read_text() == 'closed'
        [truncated] = [t for i in report.items for t in i.truncated]
        assert (truncated.rel, truncated.copy) == ('logs/app.log', 'logs/app.log.1')
    finally:
        holder.stop()


def test_open_log_hard_linked_to_a_protected_file_is_never_truncated(own_fs: Path, tmp_path: Path) -> None:
    root = own_fs
    write(root, 'models/w.log', '')
    holder = Holder([root / 'models/w.log'], 1)
    try:
        (root / 'logs').mkdir()
        os.link(root / 'models/w.log', root / 'logs/w.log')
        report = purge.execute(purge.plan(config(tmp_path / 'state'), root))
        assert (root / 'models/w.log').stat().st_size == MiB
        assert not (root / 'logs/w.log').exists()
        assert report.verification.ok
        assert [t for i in report.items for t in i.truncated] == []
    finally:
        holder.stop()
