"""Reading files for the scan: whole contents in one read, binary sniffing, what is skipped and why."""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard

from guard.findings import Skipped
from guard.scan import sources


@pytest.mark.parametrize('size', [0, 1, 4095, 4096, 65537, 1_500_000])
def test_the_whole_file_is_read(tmp_path: Path, size: int) -> None:
    content = ''.join(chr(ord('a') + i % 26) for i in range(size))
    (tmp_path / 'f.txt').write_text(content)
    assert sources.read(tmp_path, 'f.txt', 2_000_000) == content.encode()


def test_what_is_streamed_and_what_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / 'big.txt').write_text('x' * 101)
    (tmp_path / 'link').symlink_to(tmp_path / 'big.txt')
    os.mkfifo(tmp_path / 'fifo')
    streamed = sources.read(tmp_path, 'big.txt', 100)
    assert not isinstance(streamed, (bytes, Skipped)) and streamed is not None
    assert b''.join(streamed) == b'x' * 101  # over max-file-size: in pieces, not skipped
    assert sources.read(tmp_path, 'big.txt', 0) == b'x' * 101  # 0: always whole
    assert sources.read(tmp_path, 'link', 100) is None  # never followed
    assert sources.read(tmp_path, 'fifo', 100) is None  # opened without blocking, then left alone
    assert sources.read(tmp_path, 'gone.txt', 100) is None


# Unreadable directories (issue 11). Tests run as root here, and root reads a chmod 000 folder
# anyway (CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH). So guard runs in a child that drops those two
# capabilities from its bounding set before exec (prctl PR_CAPBSET_DROP): it stays uid 0, and the
# kernel then enforces the folder's mode on it as on any user. As a non-root user nothing is dropped.
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2


def _without_file_permission_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), 'prctl(PR_CAPBSET_DROP)')


def _guard_as_an_ordinary_user(*args: str) -> subprocess.CompletedProcess[str]:
    preexec = _without_file_permission_override if os.geteuid() == 0 else None
    return subprocess.run(
        [sys.executable, '-m', 'guard', *args],
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        timeout=300,
        check=False,
    )


@pytest.fixture
def locked_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A tree whose `locked/` folder (mode 000) holds a finding no one may read; yields (root, its IP)."""
    ip = f'10.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.9'
    root = tmp_path / 'tree'
    (root / 'locked' / 'deeper').mkdir(parents=True)
    (root / 'locked' / 'deeper' / 'conf.py').write_text(f'HOST = "{ip}"\n')
    (root / 'open.py').write_text('x = 1\n')
    (root / 'locked').chmod(0)
    yield root, ip
    (root / 'locked').chmod(0o755)


def _unreadable_is_reported(root: Path, ip: str) -> None:
    text = _guard_as_an_ordinary_user('scan', str(root))
    assert text.returncode == 0, text.stderr
    assert 'skipped locked/: unreadable directory: Permission denied\n' in text.stdout
    assert text.stdout.splitlines()[-1] == 'guard: no findings in 1 file (6 B); 1 skipped'
    assert ip not in text.stdout
    report = json.loads(_guard_as_an_ordinary_user('scan', str(root), '--format', 'json').stdout)
    assert report['summary']['skipped'] == [{'path': 'locked/', 'reason': 'unreadable directory: Permission denied'}]
    excluded = _guard_as_an_ordinary_user('scan', str(root), '--exclude', 'locked/')
    assert excluded.stdout == 'guard: no findings in 1 file (6 B)\n'


def test_an_unreadable_directory_is_reported_as_skipped_outside_git(locked_folder: tuple[Path, str]) -> None:
    _unreadable_is_reported(*locked_folder)


def test_an_unreadable_directory_is_reported_as_skipped_in_git(locked_folder: tuple[Path, str]) -> None:
    root, ip = locked_folder
    git(root, 'init', '-q')
    _unreadable_is_reported(root, ip)


def test_git_warnings_name_only_candidates(tmp_path: Path) -> None:
    (tmp_path / 'fine').mkdir()
    warnings = b"warning: could not open directory 'fine/': Permission denied\nwarnung: 'gone/' kaputt\n"
    assert sources._unlistable(tmp_path, warnings) == [
        Skipped('gone/', 'unreadable directory: No such file or directory')
    ]
    assert sources._unlistable(tmp_path, b'') == []


@settings(max_examples=8, deadline=None)
@given(
    places=st.lists(
        st.tuples(
            st.sampled_from([*sorted(sources.WALK_SKIP_DIRS - {'.git'}), 'venv']),
            st.lists(st.sampled_from(['app', 'lib', 'pkg']), max_size=2).map('/'.join),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda p: (p[1], p[0]),
    )
)
def test_folders_a_walk_passes_over_are_named_in_every_format(places: list[tuple[str, str]]) -> None:
    """Outside git, a folder not walked (a cache, node_modules, a venv in a subfolder) is named in text,
    JSON and SARIF, so a password under it is never passed over in silence (issue 15c finding 20)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        expected = set()
        for folder, parent in places:
            where = root / parent / folder if parent else root / folder
            (where / 'internal').mkdir(parents=True, exist_ok=True)
            (where / 'internal' / 'settings.py').write_text('DB_PASSWORD = "Qz7kP2wXy9Lm4Rt!"\n')
            if folder == 'venv':
                (where / 'pyvenv.cfg').write_text('home = /usr/bin\n')
            expected.add(f'{parent}/{folder}/' if parent else f'{folder}/')
        (root / 'app.py').write_text('x = 1\n')
        text = run_guard('scan', root, '--no-baseline', '-v')
        named = {line.split(': ', 1)[0].removeprefix('skipped ') for line in text.stdout.splitlines()}
        assert expected <= named, text.stdout
        report = json.loads(run_guard('scan', root, '--no-baseline', '--format', 'json').stdout)
        assert expected <= {s['path'] for s in report['summary']['skipped']}
        sarif = json.loads(run_guard('scan', root, '--no-baseline', '--format', 'sarif').stdout)
        notes = sarif['runs'][0]['invocations'][0]['toolExecutionNotifications']
        uris = {n['locations'][0]['physicalLocation']['artifactLocation']['uri'] + '/' for n in notes}
        assert expected <= uris, notes
