"""`/`, a system directory or a home directory reached through a bind mount is refused as a root,
as it is by its own path (issue 16, attack 21): the directory is judged, not its name.

Real bind mounts, as root, each in a private mount namespace (`unshare -m`) and read-only: the mount
of `/` vanishes with the namespace, so no other process (nor a later tmp cleanup's `rm -rf`) ever
sees the whole machine under a scratch folder. Skipped, with the reason, where that cannot run.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

# The directories guard refuses by path; each is bind-mounted under a project's name below.
REFUSED = ['/', '/usr', '/var', '/var/log', '/etc', '/root', '/home']
COMMANDS = [
    ('purge', '--dry-run'),
    ('clean', '--dry-run'),
]


def _home() -> str:
    return pwd.getpwuid(os.getuid()).pw_dir


def _in_namespace(source: str, mount: Path, *guard_args: str) -> subprocess.CompletedProcess[str]:
    """`guard ARGS` run inside a private mount namespace where `source` is bound read-only at `mount`."""
    script = (
        f'set -e; mount --bind "$1" "$2"; mount -o remount,bind,ro "$2"; shift 2; exec {sys.executable} -m guard "$@"'
    )
    return subprocess.run(
        ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh', source, str(mount), *guard_args],
        capture_output=True,
        text=True,
        env={**os.environ, 'GUARD_PURGE_EPHEMERAL': 'var/log/'},
        timeout=120,
    )


@pytest.fixture(scope='module', autouse=True)
def _can_bind(tmp_path_factory: pytest.TempPathFactory) -> None:
    if os.geteuid() != 0:
        pytest.skip('a bind mount needs root')
    if not shutil.which('unshare'):
        pytest.skip('no unshare(1) for a private mount namespace')
    probe = tmp_path_factory.mktemp('probe')
    (probe / 'src').mkdir()
    (probe / 'dst').mkdir()
    done = subprocess.run(
        ['unshare', '-m', '--propagation', 'private', 'mount', '--bind', str(probe / 'src'), str(probe / 'dst')],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f'mount --bind in a private namespace failed here: {done.stderr.decode().strip()}')


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    source=st.sampled_from([*REFUSED, 'HOME']),
    command=st.sampled_from(COMMANDS),
    name=st.sampled_from(['bm', 'host', 'sysimage']),
)
def test_a_refused_directory_bind_mounted_is_refused(
    tmp_path: Path, source: str, command: tuple[str, ...], name: str
) -> None:
    source = _home() if source == 'HOME' else source
    if not os.path.isdir(source):
        pytest.skip(f'{source} is not on this machine')
    mount = tmp_path / name
    mount.mkdir(exist_ok=True)
    proc = _in_namespace(source, mount, command[0], str(mount), *command[1:])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ''
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and 'refusing to work on a' in lines[0] and f'it is {source}' in lines[0], proc.stderr


def test_a_project_bind_mounted_is_still_a_root(tmp_path: Path) -> None:
    """The same run on an ordinary project folder is accepted: the refusal above is about the directory."""
    project = tmp_path / 'project'
    (project / 'var/log').mkdir(parents=True)
    (project / 'var/log/app.log').write_text('x\n')
    mount = tmp_path / 'bm'
    mount.mkdir()
    proc = _in_namespace(str(project), mount, 'purge', str(mount), '--dry-run')
    assert proc.returncode == 0, proc.stderr
    assert 'var/log/' in proc.stdout and 'refusing' not in proc.stderr


def test_the_pinned_directory_is_judged_not_only_the_path(tmp_path: Path) -> None:
    """RootPin judges what it opened: a root path swapped for `/`'s bind mount after check_root still
    fails when pinned (here the bind mount sits where the checked path leads)."""
    script = f'set -e; mount --bind / "$1"; mount -o remount,bind,ro "$1"; exec {sys.executable} -c "$2" "$1"'
    code = (
        'import sys\n'
        'from pathlib import Path\n'
        'from guard.errors import UnsafeOperationError\n'
        'from guard.safety.fd import RootPin\n'
        'try:\n'
        '    RootPin(Path(sys.argv[1]))\n'
        'except UnsafeOperationError as e:\n'
        '    print(e)\n'
        '    sys.exit(7)\n'
    )
    mount = tmp_path / 'pinned'
    mount.mkdir()
    proc = subprocess.run(
        ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh', str(mount), code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 7, proc.stdout + proc.stderr
    assert 'refusing to work on a system directory (it is /,' in proc.stdout
