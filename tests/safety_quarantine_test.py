"""guard clean / restore as a library, on real `python -m venv` environments."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from safety_trees import config
from safety_trees import snapshot
from safety_trees import tree_hash
from support import git
from support import write

from guard.errors import UnsafeOperationError
from guard.errors import UsageError
from guard.safety import fixes
from guard.safety import quarantine
from guard.safety import restore


def project_with_venv(root: Path, *, with_pip: bool = False) -> Path:
    """A project whose bin/ holds its own scripts, with `python -m venv .` run in its root."""
    write(root, 'bin/deploy.sh', '#!/bin/sh\necho deploy\n')
    (root / 'bin/deploy.sh').chmod(0o755)
    write(root, 'lib/README', 'not a venv file, but lib/ is claimed whole only when all of it is the venv\n')
    write(root, 'src/app.py', 'print(1)\n')
    write(root, '.env', 'DB_PASSWORD=hunter2\nexport API_TOKEN="abc def"\n# comment\nEMPTY=\n')
    args = [sys.executable, '-m', 'venv', str(root)] + ([] if with_pip else ['--without-pip'])
    subprocess.run(args, check=True)
    return root


def test_clean_then_restore_round_trips_a_real_venv_exactly(tmp_path: Path) -> None:
    root = project_with_venv(tmp_path / 'proj', with_pip=True)
    git(root, 'init', '-q')
    cfg = config(tmp_path / 'state')
    before = snapshot(root)
    plan = quarantine.plan(cfg, root)
    moved = {e.path for e in plan.entries}
    assert 'bin/deploy.sh' not in moved and 'bin/activate' in moved and 'bin/pip' in moved
    assert {'pyvenv.cfg', 'include', 'lib64'} <= moved
    assert 'lib/README' not in moved and f'lib/python{sys.version_info[0]}.{sys.version_info[1]}' in moved

    report = quarantine.execute(plan)
    assert report.outcome == 'ok' and len(report.moved) == len(plan.entries)
    left = sorted(os.listdir(root))
    assert left == ['.env', '.git', '.guard', 'bin', 'lib', 'src']
    assert os.listdir(root / 'bin') == ['deploy.sh']
    # The quarantine is ignored by git, so it never shows up as something to commit.
    status = git(root, 'status', '--porcelain', '--untracked-files=all').stdout
    assert '.guard' not in status
    assert quarantine.list_quarantines(cfg, root)[0].bytes > 1_000_000

    restored = restore.restore(cfg, root, report.quarantine_id)
    assert restored.outcome == 'ok'
    after = {k: v for k, v in snapshot(root).items() if not k.startswith('.guard')}
    assert after == before
    assert quarantine.list_quarantines(cfg, root) == []


def test_restore_refuses_when_a_path_reappeared_and_moves_nothing(tmp_path: Path) -> None:
    root = project_with_venv(tmp_path / 'proj')
    cfg = config(tmp_path / 'state')
    report = quarantine.execute(quarantine.plan(cfg, root))
    write(root, 'pyvenv.cfg', 'a new one\n')
    state = tree_hash(root)
    with pytest.raises(UnsafeOperationError) as info:
        restore.restore(cfg, root, report.quarantine_id)
    assert str(info.value) == (
        f'refusing to restore {report.quarantine_id}: these paths exist again and would be '
        'overwritten: pyvenv.cfg; move them away first'
    )
    assert tree_hash(root) == state


def test_restore_unknown_id_and_nothing_to_restore(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    root.mkdir()
    cfg = config(tmp_path / 'state')
    with pytest.raises(UsageError, match='no quarantine to restore'):
        restore.restore(cfg, root)
    with pytest.raises(UsageError, match="no quarantine 'nope'"):
        restore.restore(cfg, root, 'nope')


def test_clean_of_a_clean_root_moves_nothing(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    write(root, 'bin/tool', '#!/bin/sh\n')
    write(root, 'include/api.h', 'int f(void);\n')
    plan = quarantine.plan(config(tmp_path / 'state'), root)
    assert plan.entries == ()
    report = quarantine.execute(plan)
    assert report.outcome == 'nothing' and not (root / '.guard').exists()


def test_quarantine_dir_on_another_filesystem_is_refused(tmp_path: Path) -> None:
    root = project_with_venv(tmp_path / 'proj')
    other = tmp_path / 'other'
    other.mkdir()
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(other)], capture_output=True).returncode:
        pytest.skip('cannot mount a tmpfs here (needs CAP_SYS_ADMIN)')
    try:
        cfg = config(tmp_path / 'state')
        cfg = cfg.updated(clean=dataclasses.replace(cfg.clean, quarantine_dir=str(other / 'q')))
        state = tree_hash(root)
        with pytest.raises(UnsafeOperationError, match='is on another filesystem'):
            quarantine.execute(quarantine.plan(cfg, root))
        assert tree_hash(root) == state
    finally:
        subprocess.run(['umount', str(other)], check=True)


def test_fixes_add_missing_ignores_and_write_env_example_without_values(tmp_path: Path) -> None:
    root = project_with_venv(tmp_path / 'proj')
    write(root, '.gitignore', '*.pyc\n/lib/')  # no trailing newline: the fix must not glue lines
    plan = quarantine.plan(config(tmp_path / 'state'), root)
    by_name = {f.name: f for f in plan.fixes}
    ignore = by_name['.gitignore']
    assert '/lib/' not in ignore.lines and '/pyvenv.cfg' in ignore.lines and '.env' in ignore.lines
    assert '/bin/deploy.sh' not in ignore.lines
    assert plan.pin is not None
    for fix in plan.fixes:
        fixes.apply(fix, plan.pin)
    text = (root / '.gitignore').read_text()
    assert text.startswith('*.pyc\n/lib/\n\n# Python environments')
    example = (root / '.env.example').read_text()
    assert example == (
        '# Keys the app reads from .env; copy to .env and fill in the values (added by guard clean)\n'
        'DB_PASSWORD=\nAPI_TOKEN=\nEMPTY=\n'
    )
    assert 'hunter2' not in example and 'abc' not in example
    # Applied once, they are not offered again.
    assert quarantine.plan(config(tmp_path / 'state'), root).fixes == ()
