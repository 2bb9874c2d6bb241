"""The second attack on clean and purge (issue 16, findings 01, 02, 08, 12, 14, 15), each built as
the attack: a real terminal with a real swap at the fix prompt, real hard links, a real bind mount
(as root; skipped with the reason otherwise), real venvs and quarantines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from safety_trees import config
from safety_trees import snapshot
from safety_trees import tree_hash
from support import git
from support import on_tty
from support import run_guard
from support import write

from guard.safety import fixes
from guard.safety import quarantine

IS_ROOT = os.geteuid() == 0


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / 'state'
    monkeypatch.setenv('GUARD_STATE_DIR', str(folder))
    return folder


def venv_root(root: Path) -> Path:
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    git(root, 'init', '-q')
    write(root, 'app.py', 'print(1)\n')
    write(root, '.env', 'DB_PASSWORD=hunter2\nAPI_KEY=abc\n')
    return root


# Finding 02: the root swapped for a symlink at the fix prompt; the fixes followed the path.
def test_clean_fixes_never_follow_a_root_swapped_at_the_fix_prompt(tmp_path: Path, state: Path) -> None:
    root = venv_root(tmp_path / 'root')
    victim = tmp_path / 'victim'
    write(victim, '.gitignore', "# victim's own file\n")
    before = snapshot(victim)

    def swap() -> None:
        root.rename(tmp_path / 'root.real')
        root.symlink_to(victim)

    code, output = on_tty(
        ['clean', str(root)], lambda n: (n == 2 and swap(), b'y')[1]
    )  # 1: move the venv; 2: the .gitignore fix
    assert code == 2, output
    assert 'now leads to another directory' in output
    assert snapshot(victim) == before
    assert not (tmp_path / 'root.real/.gitignore').exists()  # refused, not redirected


# Finding 14: `.gitignore` and `.env.example` hard links to files outside the root.
def test_clean_fix_never_appends_through_a_hard_link(tmp_path: Path, state: Path) -> None:
    root = venv_root(tmp_path / 'root')
    outside = tmp_path / 'outside'
    write(outside, 'shared.conf', '# a file outside the root\n')
    write(outside, 'ex', '# another file outside the root\n')
    os.link(outside / 'shared.conf', root / '.gitignore')
    os.link(outside / 'ex', root / '.env.example')
    before = snapshot(outside)
    done = run_guard('clean', root, '--force', '--fix')
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.count('hard links') == 2
    assert snapshot(outside) == before
    assert (root / '.guard/quarantine').is_dir()  # the clean itself went ahead


# The invariant, by generation: whatever stands at the two fix targets, an apply changes nothing
# outside the root and writes only into a plain file of the root's own.
KINDS = ('missing', 'plain', 'hardlink', 'symlink', 'dir', 'fifo', 'dangling')


def plant(root: Path, name: str, kind: str, outside: Path) -> None:
    target = outside / f'{name}.target'
    if kind == 'plain':
        write(root, name, '# mine\n')
    elif kind == 'hardlink':
        os.link(target, root / name)
    elif kind == 'symlink':
        (root / name).symlink_to(target)
    elif kind == 'dangling':
        (root / name).symlink_to(outside / 'nothing-here')
    elif kind == 'dir':
        (root / name).mkdir()
    elif kind == 'fifo':
        os.mkfifo(root / name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ignore=st.sampled_from(KINDS), example=st.sampled_from(KINDS), swap=st.booleans())
def test_a_fix_writes_only_a_plain_file_of_the_pinned_root(ignore: str, example: str, swap: bool) -> None:
    from guard.errors import UnsafeOperationError

    base = Path(tempfile.mkdtemp(prefix='guard-fix-'))
    try:
        root = base / 'root'
        write(root, '.env', 'A=1\nB=2\n')
        write(root, 'pyvenv.cfg', 'home = /usr/bin\n')
        outside = base / 'outside'
        for name in ('.gitignore', '.env.example'):
            write(outside, f'{name}.target', '# outside\n')
        plant(root, '.gitignore', ignore, outside)
        plant(root, '.env.example', example, outside)
        plan = quarantine.plan(config(base / 'state'), root)
        assert plan.pin is not None
        before = snapshot(outside)
        if swap:
            root.rename(base / 'real')
            root.symlink_to(outside)
        for fix in plan.fixes:
            try:
                fixes.apply(fix, plan.pin)
            except UnsafeOperationError:
                continue
            written = (base / 'real' if swap else root) / fix.name
            assert written.is_file() and not written.is_symlink() and os.stat(written).st_nlink == 1
            assert not swap, 'a fix was applied although the root path leads elsewhere'
        assert snapshot(outside) == before
    finally:
        shutil.rmtree(base)


# Finding 08: a project's config moves quarantine-dir and makes .guard/ ephemeral; the purge took
# the existing quarantine with it.
def test_the_default_quarantine_stays_a_floor_whatever_quarantine_dir_says(tmp_path: Path, state: Path) -> None:
    root = venv_root(tmp_path / 'root')
    assert run_guard('clean', root, '--force', '--no-fix').returncode == 0
    held = snapshot(root / '.guard/quarantine')
    write(
        root,
        'pyproject.toml',
        '[tool.guard.clean]\nquarantine-dir = "q2"\n[tool.guard.purge]\nprotected = []\nephemeral = [".guard/"]\n',
    )
    run_guard('purge', root, '--force')
    assert snapshot(root / '.guard/quarantine') == held
    (root / 'pyproject.toml').unlink()
    assert run_guard('restore', root, '--force').returncode == 0
    assert (root / 'pyvenv.cfg').is_file()


# Finding 12: an untrusted quarantine-dir inside the root, under protected src/ or inside .git.
@pytest.mark.parametrize('where', ['src/q', '.git/q', 'src'])
def test_a_quarantine_dir_under_a_protected_path_or_git_is_refused(tmp_path: Path, state: Path, where: str) -> None:
    root = venv_root(tmp_path / 'root')
    write(root, 'src/main.py', 'print(1)\n')
    write(root, 'pyproject.toml', f'[tool.guard.clean]\nquarantine-dir = "{where}"\n')
    before = tree_hash(root)
    refused = run_guard('clean', root, '--force', '--no-fix')
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert 'clean.quarantine-dir' in refused.stderr
    assert tree_hash(root) == before


# Finding 01: a single file from outside bind-mounted onto an active log, held open by a writer.
def test_a_file_bind_mounted_onto_a_log_is_never_truncated(tmp_path: Path, state: Path) -> None:
    if not IS_ROOT:
        pytest.skip('a bind mount needs root (CAP_SYS_ADMIN)')
    root = tmp_path / 'root'
    write(root, 'src/app.py', 'print(1)\n')
    log = write(root, 'logs/app.log', '')
    precious = write(tmp_path / 'outside', 'precious.log', os.urandom(5000))
    expected = precious.read_bytes()
    mounted = subprocess.run(['mount', '--bind', str(precious), str(log)], capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f'cannot bind-mount here: {mounted.stderr.strip()}')
    writer = subprocess.Popen(['sleep', '60'], stdout=open(log, 'ab'))  # a service holding its log open
    try:
        done = run_guard('purge', root, '--force', '-v')
        assert 'a file mounted here' in done.stdout, done.stdout + done.stderr
    finally:
        writer.kill()
        writer.wait()
        subprocess.run(['umount', str(log)], check=False)
    assert precious.read_bytes() == expected


# Finding 15: protected paths deep inside a venv folder (lib/pythonX.Y/.env, lib/pythonX.Y/config/). The
# installed packages (site-packages) are the environment's own files: pip's `models/` does not hold it
# back (tests/safety_quarantine_test.py round-trips a real venv with pip).
def test_a_venv_folder_holding_a_protected_path_deep_down_stays(tmp_path: Path, state: Path) -> None:
    root = venv_root(tmp_path / 'root')
    inner = root / 'lib' / f'python{sys.version_info[0]}.{sys.version_info[1]}'
    write(inner, '.env', 'DB_PASSWORD=x\n')
    write(inner, 'extra/config/c.yaml', 'k: v\n')
    write(inner, 'site-packages/pkg/models/m.py', 'x = 1\n')
    inside = snapshot(root / 'lib')
    done = run_guard('clean', root, '--force', '--no-fix')
    assert done.returncode == 0, done.stderr
    assert 'Left in place, a protected path never moves: lib/ (holds protected' in done.stdout
    assert snapshot(root / 'lib') == inside
    assert not (root / 'pyvenv.cfg').exists()  # the rest of the venv moved
