"""Protected means protected: inherited protection, floors, the root venv left to clean, honest counts.

Real trees, a real git repository, a real `python -m venv`, real processes holding logs open and
deleting protected files mid-purge, and guard run as a real process for what the plan prints.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from safety_logs_test import Holder
from safety_trees import config
from safety_trees import snapshot
from support import git
from support import run_guard
from support import write

from guard.safety import fingerprint
from guard.safety import purge
from guard.safety.purge import OK
from guard.safety.purge import PROTECTED_CHANGED
from guard.safety.remove import VENV_REASON
from guard.safety.results import FLOOR_REASON


@pytest.fixture(autouse=True)
def _state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))


def models_tree(root: Path) -> dict[str, bytes]:
    """The tree of the bug report: a logs/ folder inside protected models/, and ordinary logs."""
    content = {
        'models/logs/m.bin': secrets.token_bytes(64),
        'models/w.bin': secrets.token_bytes(32),
        'logs/app.log': secrets.token_bytes(16),
        'svc/logs/s.log': secrets.token_bytes(16),
    }
    for rel, data in content.items():
        write(root, rel, data)
    return content


def test_protection_is_inherited_below_a_protected_folder(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    content = models_tree(root)
    cfg = config(tmp_path / 'state', protected=('models/',), ephemeral=('**/logs/',))
    plan = purge.plan(cfg, root)
    assert [i.rel for i in plan.items] == ['logs', 'svc/logs']
    assert [(k.rel, k.reason) for k in plan.skipped] == [('models/logs/', 'inside protected models/')]
    report = purge.execute(plan)
    assert report.outcome == OK
    assert (root / 'models/logs/m.bin').read_bytes() == content['models/logs/m.bin']
    assert not (root / 'logs/app.log').exists() and not (root / 'svc/logs/s.log').exists()
    # models/, models/logs/, models/logs/m.bin, models/w.bin: the whole subtree is checked.
    assert report.verification.checked == 4


def test_the_plan_names_what_protection_shadows_and_purge_keeps_it(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    content = models_tree(root)
    write(root, 'guard.toml', "[purge]\nprotected = ['models/']\nephemeral = ['**/logs/']\n")
    result = run_guard('purge', root, '--force')
    assert result.returncode == 0, result.stderr
    assert '  models/logs/  (inside protected models/)' in result.stdout.splitlines()
    # models/ in full (4 entries) and guard.toml, a floor.
    assert 'Protected paths: 5 checked, all unchanged.' in result.stdout
    assert (root / 'models/logs/m.bin').read_bytes() == content['models/logs/m.bin']


def test_a_deletion_anywhere_in_a_protected_subtree_is_reported(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    models_tree(root)
    write(root, 'models/deep/er/x.bin', secrets.token_bytes(8))
    plan = purge.plan(config(tmp_path / 'state', protected=('models/',), ephemeral=('**/logs/',)), root)

    def another_process_deletes(_line: str) -> None:
        # Between the two fingerprints, while the purge clears: a real separate process.
        subprocess.run(['rm', '-f', str(root / 'models/deep/er/x.bin'), str(root / 'models/logs/m.bin')], check=True)

    report = purge.execute(plan, progress=another_process_deletes)
    assert report.outcome == PROTECTED_CHANGED
    assert report.verification.missing == ('models/deep/er/x.bin', 'models/logs/m.bin')
    assert report.verification.changed == ()


def test_fingerprints_cover_whole_subtrees(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    write(root, 'models/a/b/c/d.bin', secrets.token_bytes(8))
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        before = fingerprint.take(fd, ['models/'])
        (root / 'models/a/b/c/d.bin').write_bytes(secrets.token_bytes(8))
        after = fingerprint.take(fd, ['models/'])
    finally:
        os.close(fd)
    assert set(before) == {'models', 'models/a', 'models/a/b', 'models/a/b/c', 'models/a/b/c/d.bin'}
    assert fingerprint.compare(before, after).changed == ('models/a/b/c/d.bin',)


def test_floors_are_never_purged_whatever_the_config_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('GUARD_STATE_DIR')  # the config file's state-dir applies
    root = tmp_path / 'proj'
    write(root, 'src/app.py', 'print(1)\n')
    write(root, 'pyproject.toml', '[project]\nname = "x"\n')
    write(root, 'logs/a.log', 'x')
    git(root, 'init', '-q')
    git(root, 'add', '-A')
    git(root, 'commit', '-qm', 'first')
    write(root, 'logs/vendor/.git', 'gitdir: ../../.git/modules/vendor\n')
    write(
        root,
        'etc/guard-conf.toml',
        (
            "state-dir = 'state'\n[purge]\nprotected = []\n"
            "ephemeral = ['.git/', '**/.git', 'pyproject.toml', 'etc/', 'state/', 'logs/']\n"
        ),
    )
    keep = {k: v for k, v in snapshot(root).items() if k.split('/')[0] in ('.git', 'etc', 'pyproject.toml')}
    result = run_guard('purge', root, '--force', '--allow-wide', '--config', root / 'etc/guard-conf.toml')
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert '  .git/  (never purged, whatever the config says)' in lines
    assert '  pyproject.toml  (never purged, whatever the config says)' in lines
    assert '  etc/guard-conf.toml  (never purged, whatever the config says)' in lines
    assert 'Never touched, whatever the config says: .git/, pyproject.toml' in lines
    assert {k: v for k, v in snapshot(root).items() if k in keep} == keep
    assert git(root, 'log', '--format=%s').stdout == 'first\n'
    assert (root / 'state/locks').is_dir()
    assert not (root / 'logs/a.log').exists() and (root / 'logs/vendor/.git').exists()


def test_purge_does_not_go_inside_the_root_venv(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    write(root, 'src/app.py', 'print(1)\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    [site] = (root / 'lib').glob('python*/site-packages')
    write(site, 'pkg/__pycache__/m.cpython.pyc', secrets.token_bytes(8))
    write(site, 'pkg/_internal/models/m.py', 'x = 1\n')
    write(root, 'tools/__pycache__/t.pyc', b'x')
    venv = {k: v for k, v in snapshot(root).items() if k.split('/')[0] in ('lib', 'bin', 'include', 'pyvenv.cfg')}
    plan = purge.plan(config(tmp_path / 'state'), root)
    assert [i.rel for i in plan.items] == ['tools/__pycache__']
    assert plan.protected == ('src/',)
    assert {k.rel for k in plan.skipped if k.reason == VENV_REASON} == {'bin/', 'include/', 'lib/', 'pyvenv.cfg'} | (
        {'lib64'} if (root / 'lib64').exists() else set()
    )
    dry = run_guard('purge', root, '--dry-run')
    assert 'site-packages' not in dry.stdout and '__pycache__' in dry.stdout
    assert (
        f'  bin/, include/, lib/, {"lib64, " if (root / "lib64").exists() else ""}pyvenv.cfg  ({VENV_REASON})'
        in dry.stdout.splitlines()
    )
    assert purge.execute(plan).outcome == OK
    assert {k: v for k, v in snapshot(root).items() if k in venv} == venv


def test_a_hand_made_plan_cannot_reach_a_protected_path_a_floor_or_the_venv(tmp_path: Path) -> None:
    """The daemon builds plans too: execute re-checks each planned path."""
    import dataclasses

    root = tmp_path / 'proj'
    models_tree(root)
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    git(root, 'init', '-q')
    before = snapshot(root)
    plan = purge.plan(config(tmp_path / 'state', protected=('models/',), ephemeral=('**/logs/',)), root)
    forged = [purge.ItemResult(rel, 'dir') for rel in ('models/logs', '.git', 'bin', 'lib')]
    report = purge.execute(dataclasses.replace(plan, items=tuple(forged)))
    assert snapshot(root) == before
    assert [k.reason for i in report.items for k in i.kept] == ['protected', FLOOR_REASON, VENV_REASON, VENV_REASON]


def test_an_emptied_open_log_counts_as_a_file_and_no_path_is_listed_twice(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    write(root, 'logs/old.log', 'x' * 100)
    write(root, 'logs/app.log', '')
    write(root, 'data/temp/.git', 'gitdir: elsewhere\n')
    write(root, 'data/temp/lib.py', 'x = 1\n')
    holder = Holder([root / 'logs/app.log'], 1)
    try:
        plan = purge.plan(config(tmp_path / 'state'), root)
        assert {i.rel: i.files for i in plan.items} == {'data/temp': 0, 'logs': 2}
        dry = run_guard('purge', root, '--dry-run')
        lines = dry.stdout.splitlines()
        assert lines[1].startswith('Will clear (1 path, 2 files, ')
        assert lines[2].startswith('  logs/ ') and '2 files' in lines[2]
        assert '  data/temp  (a nested git repository; guard does not clear inside it)' in lines
        assert not any(line.startswith('  data/temp/ ') for line in lines)
        report = purge.execute(plan)
        assert report.files == 2 and report.outcome == OK
        assert (root / 'logs/app.log').stat().st_size == 0 and not (root / 'logs/old.log').exists()
    finally:
        holder.stop()


def test_after_a_clean_the_quarantine_is_neither_walked_nor_listed(tmp_path: Path) -> None:
    from guard.safety import quarantine

    root = tmp_path / 'proj'
    write(root, 'src/app.py', 'print(1)\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    [site] = (root / 'lib').glob('python*/site-packages')
    write(site, 'pkg/__pycache__/m.pyc', secrets.token_bytes(8))
    cfg = config(tmp_path / 'state')
    assert quarantine.execute(quarantine.plan(cfg, root)).outcome == 'ok'
    quarantined = {k: v for k, v in snapshot(root).items() if k.startswith('.guard/')}
    plan = purge.plan(cfg, root)
    assert plan.items == () and plan.skipped == () and plan.protected == ('.guard/', 'src/')
    report = purge.execute(plan)
    assert report.outcome == OK and report.verification.checked > len(quarantined) // 2
    assert {k: v for k, v in snapshot(root).items() if k.startswith('.guard/')} == quarantined
