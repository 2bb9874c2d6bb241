"""guard restore trusts nothing in a quarantine: each tampered manifest or folder is one clear line,
exit 2, and nothing is restored. Real venvs, real quarantines made by `guard clean`, guard run as
a real process.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from safety_trees import config
from safety_trees import snapshot
from support import run_guard
from support import write

from guard.errors import UnsafeOperationError
from guard.safety import manifest
from guard.safety import manifest_check
from guard.safety import quarantine
from guard.safety import restore


@pytest.fixture
def cleaned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A project whose root venv `guard clean` moved into a quarantine: (root, quarantine folder)."""
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))
    root = tmp_path / 'proj'
    write(root, 'bin/deploy.sh', '#!/bin/sh\n')
    write(root, 'src/app.py', 'print(1)\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    report = quarantine.execute(quarantine.plan(config(tmp_path / 'state'), root))
    assert report.outcome == 'ok'
    return root, report.quarantine_path


def edit(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads((folder / manifest.NAME).read_text())
    change(data)
    (folder / manifest.NAME).write_text(json.dumps(data))


def add_entry(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data['entries'].append({'path': path, 'kind': 'file', 'files': 1, 'bytes': 4096})

    return change


def set_mode(value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data['parent_modes'] = {'bin': value}

    return change


def setter(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[key] = value

    return change


def first_entry(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data['entries'][0][key] = value

    return change


TAMPERS = [
    ('git hook', add_entry('.git/hooks/post-commit'), "entry path '.git/hooks/post-commit' is inside .git"),
    ('nested git', add_entry('bin/.git'), "entry path 'bin/.git' is inside .git"),
    ('dot-dot', add_entry('bin/../../outside.txt'), "entry path 'bin/../../outside.txt' leaves its folder"),
    ('absolute', add_entry('/etc/cron.d/x'), "entry path '/etc/cron.d/x' is not a relative path"),
    ('not venv', add_entry('src/app.py'), "entry path 'src/app.py' is not a root venv entry"),
    ('too deep', add_entry('lib/python3/site.py'), "entry path 'lib/python3/site.py' is not a root venv entry"),
    ('huge mode', set_mode(10**30), f"parent_modes['bin'] = {oct(10**30)[:24]} is not a permission mode"),
    ('setuid', set_mode(0o4755), "parent_modes['bin'] = 0o4755 is not a permission mode"),
    ('sticky', set_mode(0o1755), "parent_modes['bin'] = 0o1755 is not a permission mode"),
    ('negative', set_mode(-1), "parent_modes['bin'] = -0o1 is not a permission mode"),
    ('mode as text', set_mode('755'), "parent_modes['bin'] = '755' is not a permission mode"),
    ('mode elsewhere', setter('parent_modes', {'etc': 0o755}), "parent_modes names 'etc', which is not the folder"),
    ('bad date', setter('created', 'yesterday'), "created 'yesterday' is not a date"),
    ('date type', setter('created', 20240101), 'created is missing or not a string'),
    ('state', setter('state', 'pwned'), "state 'pwned' is not one of moving, quarantined, restored"),
    ('entries type', setter('entries', {'path': 'bin'}), 'entries is not a list'),
    ('files type', first_entry('files', '3'), 'files is not a non-negative integer'),
    ('bool count', first_entry('bytes', True), 'bytes is not a non-negative integer'),
    ('kind', first_entry('kind', 'fifo'), "kind 'fifo' is not one of dir, file, link"),
    ('extra key', first_entry('mode', 0o4755), 'an entry is not an object with exactly bytes, files, kind, path'),
    ('id', setter('id', '../x'), "id '../x' does not match the folder name"),
    ('duplicate', lambda d: d['entries'].append(dict(d['entries'][0])), 'an entry is listed twice'),
]


def restore_cli(root: Path, qid: str) -> subprocess.CompletedProcess[str]:
    return run_guard('restore', qid, '--root', root, '--force')


def assert_refused(root: Path, qid: str, expected: str) -> None:
    """Exit 2, one line on stderr holding `expected`, and the root exactly as it was."""
    before = snapshot(root)
    for result in (restore_cli(root, qid), run_guard('clean', root, '--list')):
        assert result.returncode == 2, (result.stdout, result.stderr)
        [line] = result.stderr.splitlines()
        assert line.startswith('guard: error: ') and expected in line, line
        assert line.endswith('; refusing to use this quarantine (remove it, or restore by hand)'), line
        assert 'Traceback' not in result.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize(('name', 'change', 'expected'), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_a_tampered_manifest_is_one_clear_error_and_nothing_is_restored(
    cleaned: tuple[Path, Path], name: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    root, folder = cleaned
    # What a planted entry would bring in, present in the quarantine as restore expects it.
    hook = write(folder, '.git/hooks/post-commit', f'#!/bin/sh\necho {secrets.token_hex(4)}\n')
    hook.chmod(0o755)
    edit(folder, change)
    assert_refused(root, folder.name, expected)
    assert not (root / '.git').exists()


def test_not_json_and_not_an_object(cleaned: tuple[Path, Path]) -> None:
    root, folder = cleaned
    (folder / manifest.NAME).write_text('{"id": ' + secrets.token_hex(3))
    assert_refused(root, folder.name, 'the manifest is not JSON')
    (folder / manifest.NAME).write_text('[1, 2]')
    assert_refused(root, folder.name, 'the manifest is not a JSON object')
    (folder / manifest.NAME).write_bytes(b'\xff\xfe')
    assert_refused(root, folder.name, 'the manifest is not UTF-8 text')


def test_a_symlinked_quarantine_folder_is_refused(cleaned: tuple[Path, Path], tmp_path: Path) -> None:
    root, folder = cleaned
    elsewhere = tmp_path / 'elsewhere'
    shutil.move(str(folder), elsewhere)
    folder.symlink_to(elsewhere)
    assert_refused(root, folder.name, 'the quarantine folder is a symlink')


def test_a_symlinked_manifest_is_refused(cleaned: tuple[Path, Path], tmp_path: Path) -> None:
    root, folder = cleaned
    real = tmp_path / 'real.json'
    shutil.move(str(folder / manifest.NAME), real)
    (folder / manifest.NAME).symlink_to(real)
    assert_refused(root, folder.name, 'cannot read the manifest')


@pytest.mark.skipif(os.geteuid() != 0, reason='giving a folder to another user needs root')
def test_a_quarantine_folder_owned_by_someone_else_is_refused(cleaned: tuple[Path, Path]) -> None:
    root, folder = cleaned
    other = 40000 + secrets.randbelow(10000)
    os.chown(folder, other, other)
    assert_refused(root, folder.name, f'the quarantine folder is owned by uid {other}, not by you')


def test_a_protected_entry_is_refused(cleaned: tuple[Path, Path], tmp_path: Path) -> None:
    root, folder = cleaned
    write(root, 'guard.toml', "[purge]\nprotected = ['include/']\n")
    before = snapshot(root)
    result = restore_cli(root, folder.name)
    assert result.returncode == 2
    assert result.stderr == (
        f'guard: error: {folder / manifest.NAME}: it would restore protected include, which guard '
        'clean never moves; refusing to use this quarantine (remove it, or restore by hand)\n'
    )
    assert snapshot(root) == before
    with pytest.raises(UnsafeOperationError):
        restore.restore(config(tmp_path / 'state', protected=('include/',)), root, folder.name)
    assert snapshot(root) == before


def test_an_untampered_quarantine_still_restores(cleaned: tuple[Path, Path]) -> None:
    root, folder = cleaned
    listing = run_guard('clean', root, '--list')
    assert listing.returncode == 0 and folder.name in listing.stdout
    result = restore_cli(root, folder.name)
    assert result.returncode == 0, result.stderr
    assert (root / 'pyvenv.cfg').is_file() and not folder.exists()


@pytest.mark.slow  # ~19 s: a real venv with pip, quarantined and restored
def test_every_entry_clean_makes_passes_the_check(tmp_path: Path) -> None:
    """The validator's idea of a venv entry agrees with the venv rule's, on a real venv with pip
    and with a setgid parent folder (its mode is recorded as permission bits only)."""
    root = tmp_path / 'proj'
    write(root, 'bin/deploy.sh', '#!/bin/sh\n')
    write(root, 'lib/README', 'not the venv\n')
    (root / 'bin').chmod(0o2775)
    subprocess.run([sys.executable, '-m', 'venv', str(root)], check=True)
    report = quarantine.execute(quarantine.plan(config(tmp_path / 'state'), root))
    record = manifest.read(report.quarantine_path)
    assert {e.path for e in record.entries} == {e.path for e in report.moved}
    for entry in record.entries:
        manifest_check.venv_path(entry.path)
    assert record.parent_modes['bin'] == 0o775
    assert restore.restore(config(tmp_path / 'state'), root).outcome == 'ok'
    assert stat.S_IMODE((root / 'bin').stat().st_mode) == 0o2775
