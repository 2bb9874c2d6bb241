"""A relative health.env-file is read through the root's descriptor, no link followed (issue 16,
attack 20): the project's owner swapping a folder on the way for a symlink to a private folder,
while guard reads, never makes guard read the file there.

The racer is a real process (the second user when we run as root, as in the attack); the reads are
the library's resolve() in a tight loop (thousands of tries in seconds, where the old check-then-
reopen lost within a few dozen) and real `guard health` processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import run_guard
from support import write

SECRET = 'TopSecretPayroll'
RACER = """
import os, sys
os.chdir(sys.argv[1])
while True:
    try:
        os.rename('x', 'xd'); os.symlink(sys.argv[2], 'x'); os.unlink('x'); os.rename('xd', 'x')
    except OSError:
        pass
"""


def _tree(base: Path) -> tuple[Path, Path]:
    root, private = base / 'root', base / 'private'
    write(root, 'x/.env', 'DB_URL=sqlite:///inside.db\n')
    write(private, '.env', f'DB_URL=postgresql://admin:{SECRET}@payroll.invalid:5432/payroll\n')
    private.chmod(0o700)
    (private / '.env').chmod(0o600)
    write(root, 'pyproject.toml', '[tool.guard.health]\nchecks = ["database"]\nenv-file = "x/.env"\n')
    return root, private


def _racer(root: Path, private: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, '-c', RACER, str(root), str(private)]
    if os.geteuid() == 0:
        import second_user

        uid = second_user.uid()
        os.chown(root.parent, 0, 0)
        os.chmod(root.parent, 0o755)
        for folder, _, files in os.walk(root):
            os.chown(folder, uid, uid)
            for name in files:
                os.chown(os.path.join(folder, name), uid, uid)
        command = ['setpriv', f'--reuid={uid}', f'--regid={uid}', '--clear-groups', *command]
    return subprocess.Popen(command)


def test_a_folder_swapped_for_a_symlink_during_the_read_is_never_followed() -> None:
    from guard.config import load
    from guard.errors import ConfigError
    from guard.health.dburl import resolve

    with tempfile.TemporaryDirectory() as base:
        root, private = _tree(Path(base))
        config = load(root)
        racer = _racer(root, private)
        seen = {'inside': 0, 'refused': 0, 'none': 0}
        try:
            deadline = time.monotonic() + 30
            tries = 0
            # Until guard has met both states (on a loaded machine the racer may start slowly), and
            # at least 4,000 tries: the read that checked, then reopened by path, lost within ~100.
            while time.monotonic() < deadline and (tries < 4000 or not seen['refused']):
                tries += 1
                try:
                    url = resolve(config, root, environ={})
                except ConfigError as e:
                    assert SECRET not in str(e) and 'payroll' not in str(e), str(e)
                    seen['refused' if 'symlink' in str(e) else 'none'] += 1
                    continue
                assert 'payroll' not in url.secret, f'try {tries}: read the private .env through the swap'
                seen['inside'] += 1
            for _ in range(8):  # and the command itself, as root's cron job runs it
                proc = run_guard('health', root, env={'GUARD_HEALTH_CONNECT_TIMEOUT': '0.2'})
                assert 'payroll' not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
                assert proc.returncode in (0, 1, 2), proc.stdout + proc.stderr
        finally:
            racer.kill()
            racer.wait()
        # The race was run, not missed: guard saw the folder as a folder and as a symlink.
        assert seen['inside'] > 0 and seen['refused'] > 0, seen


@settings(max_examples=40, deadline=None)
@given(
    depth=st.integers(min_value=1, max_value=3),
    link_at=st.integers(min_value=0, max_value=3),
    target=st.sampled_from(['outside', 'inside', 'outside-file']),
)
def test_no_component_of_the_env_file_path_is_followed(depth: int, link_at: int, target: str) -> None:
    """Any component of the env-file's path a symlink (to a folder or file outside, or even inside
    the root): guard refuses with one line and never returns what lies behind it."""
    from guard.config import load
    from guard.errors import ConfigError
    from guard.health.dburl import resolve

    with tempfile.TemporaryDirectory() as base:
        root, outside = Path(base) / 'root', Path(base) / 'outside'
        folders = [f'd{i}' for i in range(depth - 1)]
        rel = '/'.join([*folders, 'app.env'])
        write(root, rel, 'DB_URL=sqlite:///inside.db\n')
        write(outside, rel, f'DB_URL=postgresql://u:{SECRET}@h.invalid/x\n')
        write(root, 'elsewhere/' + rel, f'DB_URL=postgresql://u:{SECRET}@h.invalid/x\n')
        write(root, 'pyproject.toml', f'[tool.guard.health]\nchecks = ["database"]\nenv-file = "{rel}"\n')
        # Loaded while the path is plain (config loading drops an env-file that leads outside then);
        # the symlink arrives after, as the project's owner would swap it in.
        config = load(root)
        assert config.health.env_file == rel
        index = min(link_at, depth - 1)
        swapped = '/'.join(rel.split('/')[: index + 1])
        real = root / swapped
        aside = root / f'aside-{index}'
        real.rename(aside)
        points_to = {'outside': outside, 'inside': root / 'elsewhere', 'outside-file': outside}[target] / swapped
        real.symlink_to(points_to)
        try:
            url = resolve(config, root, environ={})
        except ConfigError as e:
            assert 'symlink' in str(e) and '\n' not in str(e)
        else:
            raise AssertionError(f'read {url.masked} through a symlink at {swapped}')


def test_the_daemons_health_run_reads_the_env_file_through_its_pinned_root(tmp_path: Path) -> None:
    """The daemon's database check (HealthRun, a real worker thread) reads the env file through the
    root it pinned: the root's path renamed away and another folder put in its place changes nothing."""
    import threading

    from guard.config import load
    from guard.daemon.healthrun import HealthRun
    from guard.safety.fd import RootPin

    root = tmp_path / 'root'
    write(root, '.env', 'DB_URL=sqlite:///pinned.db\n')
    write(root, 'pyproject.toml', '[tool.guard.health]\nchecks = ["database"]\n')
    config = load(root)
    pin = RootPin(root)
    try:
        root.rename(tmp_path / 'moved')
        write(root, '.env', 'DB_URL=sqlite:///planted.db\n')  # the path now leads to another folder
        finished = threading.Event()
        run = HealthRun(config, root, ['database'], finished.set, pin.fd)
        assert finished.wait(30)
        text = ' '.join(f'{r.value} {r.reason}' for r in run.results)
        assert 'pinned.db' in text and 'planted.db' not in text, text
    finally:
        pin.close()
