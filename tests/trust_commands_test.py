"""A trusted config runs a command only when nobody but root or the invoking user could have changed
what it runs since (issue 16, attack 9): root trusted `before = ["./scripts/stop.sh"]`, the project's
owner rewrote stop.sh, and root's next purge ran it as uid 0.

Built as the attack: we are root, and a second user (useradd) owns what the project's owner owns.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import pytest
import second_user
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import run_guard
from support import trust
from support import write

from guard import secure_path


@pytest.fixture(scope='module')
def alice() -> int:
    return second_user.uid()


def project(base: Path, marker: Path) -> Path:
    root = base / 'proj'
    write(root, 'scripts/stop.sh', f'#!/bin/sh\nid -u > {marker}\n').chmod(0o755)
    write(root, 'guard.toml', '[purge]\nbefore = ["./scripts/stop.sh"]\n')
    write(root, 'logs/app.log', 'x\n')
    return root


def test_a_trusted_script_its_owner_can_rewrite_runs_as_them_never_root(alice: int) -> None:
    """Root trusted `./scripts/stop.sh`; the project's user then owns it, or a folder on the way to it
    (she can swap it): root's purge runs it as her, never as uid 0 (docs/trust.md)."""
    with tempfile.TemporaryDirectory() as base:
        os.chmod(base, 0o755)
        out = Path(base) / 'out'
        out.mkdir(mode=0o1777)
        out.chmod(0o1777)  # where anyone may say who they ran as
        marker = out / f'ran-{secrets.token_hex(4)}'
        root = project(Path(base), marker)
        trust(root)
        script = root / 'scripts/stop.sh'
        for owned in (script, script.parent):
            os.chown(owned, alice, alice)
            proc = run_guard('purge', root, '--force')
            assert marker.read_text().split() == [str(alice)], proc.stdout + proc.stderr
            os.chown(owned, 0, 0)
            marker.unlink()
            write(root, 'logs/app.log', 'x\n')
        assert run_guard('purge', root, '--force').returncode == 0
        assert marker.read_text().split() == ['0']  # root's all the way: it runs as root


def test_an_alert_command_naming_a_script_others_can_write_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / f'ran-{secrets.token_hex(4)}'
    root = tmp_path / 'proj'
    write(root, 'notify.sh', f'#!/bin/sh\ntouch {marker}\n').chmod(0o757)  # world-writable
    write(
        root,
        'guard.toml',
        '[health]\nchecks = ["disk"]\nmin-free-disk-mb = 1000000000\n'
        '[alerts]\njournal = false\ncommand = "sh ./notify.sh"\n',
    )
    trust(root)
    proc = run_guard('health', root, '--alert', env={'GUARD_STATE_DIR': str(tmp_path / 'state')})
    assert proc.returncode == 1
    assert not marker.exists()
    assert f'{root}/notify.sh is writable by others' in proc.stderr
    (root / 'notify.sh').chmod(0o755)
    run_guard('health', root, '--alert', env={'GUARD_STATE_DIR': str(tmp_path / 'state2')})
    assert marker.exists()


OWNERS = st.sampled_from(['root', 'alice'])
MODES = st.sampled_from([0o755, 0o775, 0o757, 0o777, 0o1777, 0o1775, 0o700])


@settings(max_examples=150, deadline=None)
@given(folder_owner=OWNERS, folder_mode=MODES, file_owner=OWNERS, file_mode=MODES, as_argument=st.booleans())
def test_a_command_runs_only_when_everything_on_the_way_is_roots_or_ours(
    alice: int, folder_owner: str, folder_mode: int, file_owner: str, file_mode: int, as_argument: bool
) -> None:
    with tempfile.TemporaryDirectory() as base:
        os.chmod(base, 0o755)
        folder = Path(base) / 'scripts'
        folder.mkdir()
        script = folder / 'stop.sh'
        script.write_text('#!/bin/sh\n')
        uid = {'root': 0, 'alice': alice}
        os.chown(script, uid[file_owner], uid[file_owner])
        os.chown(folder, uid[folder_owner], uid[folder_owner])
        script.chmod(file_mode & 0o777)
        folder.chmod(folder_mode)
        argv = ['/bin/sh', 'scripts/stop.sh'] if as_argument else ['./scripts/stop.sh']
        found = secure_path.command_problem(argv, base, {0})
        # Group-writable is no one else's write when the group is root's own (nobody else holds it).
        safe = (
            folder_owner == file_owner == 'root'
            and not file_mode & 0o002
            and (not folder_mode & 0o002 or bool(folder_mode & 0o1000))
        )
        assert (found == '') == safe, found
        if not safe:
            assert found.startswith((f'{script} ', f'{folder} ')), found  # names the file to fix


# Issue 16, finding 3: a trusted command reads files the project's owner controls without naming them
# (make reads the Makefile, `python3 -m` imports from the working directory). Run as root on a root
# alice owns, the command runs as alice: whatever she wrote into those files never runs as uid 0.
OWNER_FILES = {
    'make -s stop': ('Makefile', 'stop:\n\t@id -u > ran.txt; id -G >> ran.txt; env > env.txt\n'),
    'make -s -f build.mk stop': ('build.mk', 'stop:\n\t@id -u > ran.txt; id -G >> ran.txt; env > env.txt\n'),
    'python3 -m stopper': (
        'stopper.py',
        'import os\nopen("ran.txt", "w").write(f"{os.getuid()} {os.geteuid()}\\n'
        '{os.getgid()}\\n")\nopen("env.txt", "w").write(repr(dict(os.environ)))\n',
    ),
}
# A credential in root's environment: the command the owner controls must not see it either.
ROOT_ONLY = {'AWS_SECRET_ACCESS_KEY': 'RootOnlyS3cret', 'PGPASSWORD': 'RootOnlyS3cret'}


@settings(max_examples=6, deadline=None)
@given(command=st.sampled_from(sorted(OWNER_FILES)), where=st.sampled_from(['before', 'after', 'alert']))
def test_a_command_reading_owner_files_never_runs_as_root(alice: int, command: str, where: str) -> None:
    import pwd

    with tempfile.TemporaryDirectory() as base:
        os.chmod(base, 0o755)  # as /srv is: alice can reach her project
        root = Path(base) / 'proj'
        name, text = OWNER_FILES[command]
        if where == 'alert':
            write(
                root,
                'guard.toml',
                '[health]\nchecks = ["disk"]\nmin-free-disk-mb = 1000000000\n'
                f'[alerts]\njournal = false\ncommand = "{command}"\n',
            )
        else:
            write(root, 'guard.toml', f'[purge]\n{where} = ["{command}"]\n')
        write(root, 'logs/app.log', 'x\n')
        trust(root)  # root reviewed guard.toml; then the owner (alice) writes the file the command reads
        write(root, name, text)
        for path in [root, *root.rglob('*')]:
            os.chown(path, alice, alice)
        if where == 'alert':
            proc = run_guard(
                'health',
                root,
                '--alert',
                env={'GUARD_STATE_DIR': str(Path(base) / 'state'), 'PGPASSWORD': ROOT_ONLY['PGPASSWORD']},
            )
        else:
            proc = run_guard('purge', root, '--force', env=ROOT_ONLY)
        ran = (root / 'ran.txt').read_text().split()
        assert 'RootOnlyS3cret' not in (root / 'env.txt').read_text()
        assert ran, proc.stdout + proc.stderr
        assert '0' not in ran, (ran, proc.stdout, proc.stderr)  # neither uid 0 nor gid 0, not even a group
        assert int(ran[0]) == alice
        assert set(map(int, ran[1:])) <= {pwd.getpwuid(alice).pw_gid, *os.getgrouplist('gct-alice', alice)}


def test_another_unprivileged_user_refuses_a_project_command(alice: int, tmp_path: Path) -> None:
    """alice cannot become the project's owner (nobody here), and running as herself would hand the
    owner alice's privileges: the command is refused with one line, never run."""
    import subprocess
    import sys

    base = Path(tempfile.mkdtemp())
    try:
        os.chmod(base, 0o755)
        root = base / 'proj'
        root.mkdir()
        os.chown(root, 65534, 65534)
        code = (
            'import sys\nfrom guard import runas\ntry:\n    runas.for_root(sys.argv[1])\n'
            'except runas.RefusedRunAs as e:\n    print(e)\nelse:\n    print("allowed")\n'
        )
        # The venv's python lives under /root, which alice cannot reach: the system one, with guard's
        # source on the path (runas needs nothing but the standard library).
        python = '/usr/bin/python3' if os.access('/usr/bin/python3', os.X_OK) else sys.executable
        proc = subprocess.run(
            [python, '-c', code, str(root)],
            user=alice,
            capture_output=True,
            text=True,
            cwd='/',
            env={**os.environ, 'PYTHONPATH': os.path.dirname(os.path.dirname(__file__))},
            timeout=60,
        )
        if 'Permission denied' in proc.stderr or 'No module named' in proc.stderr:
            pytest.skip(f"alice cannot run guard's source here: {proc.stderr.strip().splitlines()[-1]}")
        assert proc.returncode == 0, proc.stderr
        assert (
            proc.stdout.startswith(f'{root} belongs to ')
            and "a project's command runs only as its owner" in proc.stdout
        )
        assert proc.stdout.count('\n') == 1
    finally:
        root.rmdir()
        base.rmdir()
