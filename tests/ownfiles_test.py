"""guard's own files: no link followed, nothing planted used, StrictModes for the state directory.

The ownership cases use a real second user (useradd, as root); they are skipped with the reason
when the tests do not run as root.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from safety_trees import tree_hash
from support import run_guard
from support import write

from guard import ownfiles
from guard.errors import UnsafeOperationError

OTHER = 'guard-safety-other'


@pytest.fixture(scope='module')
def other_uid() -> int:
    if os.geteuid() != 0:
        pytest.skip('another user needs root to create (useradd) and to chown to')
    try:
        return pwd.getpwnam(OTHER).pw_uid
    except KeyError:
        pass
    made = subprocess.run(
        ['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0 and 'already exists' not in made.stderr:
        pytest.skip(f'useradd failed: {made.stderr.strip()}')
    return pwd.getpwnam(OTHER).pw_uid


def purge_with_state(tmp_path: Path, state: Path) -> tuple[subprocess.CompletedProcess[str], Path, str]:
    root = tmp_path / 'proj'
    write(root, 'logs/app.log', 'x' * 100)
    before = tree_hash(root)
    return run_guard('purge', root, '--force', env={'GUARD_STATE_DIR': str(state)}), root, before


def test_a_state_dir_owned_by_another_user_is_refused_in_one_line(tmp_path: Path, other_uid: int) -> None:
    state = tmp_path / 'state'
    state.mkdir(mode=0o700)
    os.chown(state, other_uid, -1)
    proc, root, before = purge_with_state(tmp_path, state)
    assert proc.returncode == 2
    assert proc.stderr.count('\n') == 1
    assert f"guard's own directory is owned by uid {other_uid}, not by uid 0" in proc.stderr
    assert tree_hash(root) == before


def test_a_state_dir_others_can_write_is_refused(tmp_path: Path) -> None:
    state = tmp_path / 'state'
    state.mkdir()
    state.chmod(0o770)
    proc, root, before = purge_with_state(tmp_path, state)
    assert proc.returncode == 2
    assert 'writable by group or others (mode 770)' in proc.stderr
    assert tree_hash(root) == before


def test_a_folder_on_the_way_owned_by_another_user_is_refused(tmp_path: Path, other_uid: int) -> None:
    theirs = tmp_path / 'theirs'
    theirs.mkdir()
    os.chown(theirs, other_uid, -1)  # they could rename `state` and put their own in its place
    proc, root, before = purge_with_state(tmp_path, theirs / 'state')
    assert proc.returncode == 2
    assert f'a directory on the way is owned by uid {other_uid}, neither root nor uid 0' in proc.stderr
    assert tree_hash(root) == before


def test_an_audit_store_owned_by_another_user_is_refused(tmp_path: Path, other_uid: int) -> None:
    state = tmp_path / 'state'
    state.mkdir(mode=0o700)
    (state / 'audit.db').write_bytes(b'')
    os.chown(state / 'audit.db', other_uid, -1)
    proc, root, before = purge_with_state(tmp_path, state)
    assert proc.returncode == 2
    assert f'audit.db: it is owned by uid {other_uid}, not by uid 0' in proc.stderr
    assert tree_hash(root) == before


def test_a_link_planted_in_the_state_dir_is_refused(tmp_path: Path) -> None:
    state = tmp_path / 'state'
    state.mkdir(mode=0o700)
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    (state / 'locks').symlink_to(elsewhere)
    proc, root, before = purge_with_state(tmp_path, state)
    assert proc.returncode == 2
    assert f'{state}/locks: it is a symlink, where guard expects its own directory' in proc.stderr
    assert os.listdir(elsewhere) == []
    assert tree_hash(root) == before


NAMES = st.text(alphabet='abc.-_x', min_size=1, max_size=12).filter(lambda n: n not in ('.', '..'))


@settings(max_examples=60, deadline=None)
@given(
    name=NAMES,
    data=st.binary(max_size=2000),
    mode=st.sampled_from([0o600, 0o640, 0o644, 0o400]),
    umask=st.sampled_from([0o022, 0o077, 0o027, 0o000]),
    planted=st.sampled_from(['none', 'link-to-victim', 'file', 'dangling-link']),
)
def test_write_atomic_replaces_whatever_was_planted_and_sets_the_mode(
    tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes, mode: int, umask: int, planted: str
) -> None:
    base = tmp_path_factory.mktemp('own')
    folder = base / 'dir'
    folder.mkdir()
    victim = base / 'victim'
    victim.write_bytes(b'must not change')
    target = folder / name
    if planted == 'link-to-victim':
        target.symlink_to(victim)
    elif planted == 'dangling-link':
        target.symlink_to(base / 'nowhere')
    elif planted == 'file':
        target.write_bytes(b'old')
    old = os.umask(umask)
    try:
        ownfiles.write_atomic(folder, name, data, mode)
    finally:
        os.umask(old)
    assert victim.read_bytes() == b'must not change'
    assert not (base / 'nowhere').exists()
    st_ = os.lstat(target)
    assert stat.S_ISREG(st_.st_mode) and stat.S_IMODE(st_.st_mode) == mode
    assert target.read_bytes() == data
    assert sorted(os.listdir(folder)) == [name]  # no temporary file left behind


def test_open_dir_never_follows_a_link_at_any_component(tmp_path: Path) -> None:
    (tmp_path / 'a/b').mkdir(parents=True)
    (tmp_path / 'elsewhere').mkdir()
    (tmp_path / 'a/c').symlink_to(tmp_path / 'elsewhere')
    fd = ownfiles.open_dir(tmp_path / 'a/b', private=False)
    os.close(fd)
    with pytest.raises(UnsafeOperationError, match='it is a symlink'):
        ownfiles.open_dir(tmp_path / 'a/c/d', create=True, private=False)
    assert os.listdir(tmp_path / 'elsewhere') == []


def test_mount_id_tells_a_bind_mount_apart(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip('a bind mount needs root')
    (tmp_path / 'src').mkdir()
    (tmp_path / 'dst').mkdir()
    if subprocess.run(['mount', '--bind', str(tmp_path / 'src'), str(tmp_path / 'dst')], check=False).returncode != 0:
        pytest.skip('mount --bind failed here')
    try:
        a = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        b = os.open(tmp_path / 'dst', os.O_RDONLY | os.O_DIRECTORY)
        try:
            assert os.fstat(a).st_dev == os.fstat(b).st_dev
            assert ownfiles.mount_id(a) is not None and ownfiles.mount_id(a) != ownfiles.mount_id(b)
            assert not ownfiles.same_mount(b, os.fstat(a).st_dev, ownfiles.mount_id(a))
            for fd in (a, b):  # statx's mount id is the one /proc/self/fdinfo shows (the fallback)
                with open(f'/proc/self/fdinfo/{fd}') as info:
                    shown = int(info.read().split('mnt_id:')[1].split()[0])
                assert ownfiles.mount_id(fd) == shown
        finally:
            os.close(a)
            os.close(b)
    finally:
        subprocess.run(['umount', str(tmp_path / 'dst')], check=True)


def _special(path: Path, kind: str) -> None:
    """Make a node of `kind` at `path`: what a rename must never replace."""
    import socket

    if kind == 'fifo':
        os.mkfifo(path)
    elif kind == 'folder':
        path.mkdir()
    elif kind == 'socket':
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(path))
    elif kind == 'device':
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # /dev/full's numbers, in a temp folder
    else:
        raise AssertionError(kind)


SPECIAL_KINDS = ['fifo', 'folder', 'socket'] + (['device'] if os.geteuid() == 0 else [])


@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(SPECIAL_KINDS),
    name=st.from_regex(r'[A-Za-z0-9_][A-Za-z0-9._ -]{0,20}', fullmatch=True).filter(lambda n: n not in ('.', '..')),
    data=st.binary(max_size=64),
    by_path=st.booleans(),
)
def test_write_atomic_never_replaces_what_is_no_regular_file(kind: str, name: str, data: bytes, by_path: bool) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp, name)
        _special(target, kind)
        before = os.lstat(target)
        dir_fd = os.open(tmp, os.O_RDONLY | os.O_DIRECTORY)
        try:
            with pytest.raises(OSError, match='guard replaces only a regular file'):
                ownfiles.write_atomic(tmp if by_path else dir_fd, name, data)
        finally:
            os.close(dir_fd)
        after = os.lstat(target)
        assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino, stat.S_IFMT(before.st_mode))
        assert sorted(os.listdir(tmp)) == [name]  # no temporary file left behind


def test_write_atomic_still_replaces_a_regular_file_and_a_planted_link(tmp_path: Path) -> None:
    write(tmp_path, 'file', 'old')
    os.mkfifo(tmp_path / 'fifo')
    os.symlink('fifo', tmp_path / 'link')
    for name in ('file', 'link'):
        ownfiles.write_atomic(str(tmp_path), name, b'new')
        assert (tmp_path / name).read_bytes() == b'new' and not (tmp_path / name).is_symlink()
    assert stat.S_ISFIFO(os.lstat(tmp_path / 'fifo').st_mode)
