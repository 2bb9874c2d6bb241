"""The fd-based clearing walk: races, symlinks, hard links, mounts, nested repositories, errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from safety_trees import can_make_immutable
from safety_trees import config
from safety_trees import release_immutable
from safety_trees import set_immutable
from safety_trees import snapshot
from support import write

from guard.safety import fd as fdops
from guard.safety import purge
from guard.safety.purge import OK
from guard.safety.purge import PARTIAL


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    """A root with protected files, and an `outside` folder next to it that must never change."""
    root = tmp_path / 'root'
    write(root, 'models/w.bin', b'weights')
    write(root, 'src/app.py', 'print(1)\n')
    write(tmp_path, 'outside/keep.txt', 'outside')
    write(tmp_path, 'outside/sub/keep2.txt', 'outside 2')
    yield root
    release_immutable(tmp_path)


def run_purge(root: Path, **settings: object) -> purge.PurgeReport:
    return purge.execute(purge.plan(config(root.parent / 'state', **settings), root))


def test_directory_swapped_for_symlink_before_open_is_not_followed(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The swap is real and happens at the worst moment: after the walk listed logs/victim as a
    # directory and before it opens it. Only the timing is arranged, not the filesystem.
    outside = tree.parent / 'outside'
    for i in range(5):
        write(tree, f'logs/victim/f{i}.log', 'x')
    before = snapshot(outside)
    real_open_dir = fdops.open_dir

    def swap_then_open(parent_fd: int, name: str) -> int:
        if name == 'victim' and not (tree / 'logs/victim').is_symlink():
            os.rename(tree / 'logs/victim', tree.parent / 'stash')
            os.symlink(outside, tree / 'logs/victim')
        return real_open_dir(parent_fd, name)

    plan = purge.plan(config(tree.parent / 'state'), tree)
    monkeypatch.setattr(fdops, 'open_dir', swap_then_open)
    report = purge.execute(plan)
    assert snapshot(outside) == before
    # Linux reports ENOTDIR for O_NOFOLLOW | O_DIRECTORY on a symlink.
    assert [(f.rel, f.error) for f in report.failures] == [('logs/victim', 'Not a directory')]
    assert report.failures[0].hint.startswith('it stopped being a directory (replaced by a symlink or a file?)')
    assert report.outcome == PARTIAL
    assert (tree / 'logs/victim').is_symlink()


def test_file_swapped_for_symlink_before_unlink_removes_only_the_link(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tree.parent / 'outside'
    write(tree, 'logs/a.txt', 'x')
    real_unlink = os.unlink

    def swap_then_unlink(name: str, *, dir_fd: int | None = None) -> None:
        if name == 'a.txt' and not (tree / 'logs/a.txt').is_symlink():
            real_unlink(tree / 'logs/a.txt')
            os.symlink(outside / 'keep.txt', tree / 'logs/a.txt')
        real_unlink(name, dir_fd=dir_fd)

    plan = purge.plan(config(tree.parent / 'state'), tree)
    monkeypatch.setattr(os, 'unlink', swap_then_unlink)
    report = purge.execute(plan)
    assert (outside / 'keep.txt').read_text() == 'outside'
    assert not os.path.lexists(tree / 'logs/a.txt')
    assert report.outcome == OK


SWAPPER = textwrap.dedent("""
    import os, sys, time
    victim, stash, outside, seconds = sys.argv[1:5]
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        try:
            os.rename(victim, stash)
            os.symlink(outside, victim)
            os.unlink(victim)
            os.rename(stash, victim)
        except OSError:
            pass
""")


def test_concurrent_swapping_process_never_redirects_the_purge(tree: Path) -> None:
    # A real second process swaps logs/victim for a symlink to `outside` in a tight loop while
    # purges run; whatever interleaving happens, `outside` must come through untouched.
    outside = tree.parent / 'outside'
    for i in range(200):
        write(outside, f'bulk/f{i}', 'precious')
    before = snapshot(outside)
    for _attempt in range(8):
        for i in range(300):
            write(tree, f'logs/victim/d{i % 10}/f{i}.log', 'x' * 100)
        proc = subprocess.Popen(
            [sys.executable, '-c', SWAPPER, str(tree / 'logs/victim'), str(tree.parent / 'stash'), str(outside), '0.5']
        )
        try:
            run_purge(tree)
        finally:
            proc.wait(timeout=30)
        assert snapshot(outside) == before
        if (tree.parent / 'stash').exists():  # the swapper stopped mid-swap
            if os.path.islink(tree / 'logs/victim'):
                os.unlink(tree / 'logs/victim')
            os.rename(tree.parent / 'stash', tree / 'logs/victim')


def test_symlinked_ephemeral_root_is_refused_when_it_leaves_the_root(tree: Path) -> None:
    os.symlink(tree.parent / 'outside', tree / 'logs')
    plan = purge.plan(config(tree.parent / 'state'), tree)
    assert [(k.rel, k.reason) for i in plan.items for k in i.kept] == [
        ('logs', f'symlink to {tree.parent / "outside"}, outside the root; the link was left in place')
    ]
    report = purge.execute(plan)
    assert (tree / 'logs').is_symlink()
    assert (tree.parent / 'outside/keep.txt').exists()
    assert report.outcome == OK


def test_symlinked_ephemeral_path_inside_the_root_is_unlinked_not_followed(tree: Path) -> None:
    write(tree, 'var/app.log', 'real log elsewhere in the root')
    (tree / 'data').mkdir()
    os.symlink('../var', tree / 'data/temp')
    report = run_purge(tree)
    assert not os.path.lexists(tree / 'data/temp')
    assert (tree / 'var/app.log').read_text() == 'real log elsewhere in the root'
    assert report.files == 1


def test_nested_git_repository_and_other_filesystem_are_left_whole(tree: Path) -> None:
    write(tree, 'logs/vendor/.git/HEAD', 'ref: refs/heads/main\n')
    write(tree, 'logs/vendor/code.py', 'x = 1\n')
    write(tree, 'logs/old.log', 'x')
    mount = tree / 'logs/mnt'
    mount.mkdir()
    mounted = (
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(mount)], capture_output=True).returncode
        == 0
    )
    try:
        if mounted:
            write(mount, 'on-other-fs.log', 'x')
        report = run_purge(tree)
        kept = {k.rel: k.reason for i in report.items for k in i.kept}
        assert kept['logs/vendor'] == 'a nested git repository; guard does not clear inside it'
        assert (tree / 'logs/vendor/code.py').exists()
        assert not (tree / 'logs/old.log').exists()
        if mounted:
            assert kept['logs/mnt'] == 'another filesystem (mount point); guard does not cross into it'
            assert (mount / 'on-other-fs.log').exists()
    finally:
        if mounted:
            subprocess.run(['umount', str(mount)], check=True)
    if not mounted:
        pytest.skip('cannot mount a tmpfs here (needs CAP_SYS_ADMIN); the nested repository part passed')


def test_hard_link_to_protected_file_is_unlinked_and_protected_content_stays(tree: Path) -> None:
    (tree / 'logs').mkdir()
    os.link(tree / 'models/w.bin', tree / 'logs/w.log')
    report = run_purge(tree)
    assert (tree / 'models/w.bin').read_bytes() == b'weights'
    assert os.stat(tree / 'models/w.bin').st_nlink == 1
    assert report.verification.ok and report.verification.checked >= 3


@pytest.mark.skipif(not can_make_immutable(Path('/tmp')), reason='chattr +i needs root and ext4/xfs/btrfs')
def test_permission_errors_are_reported_per_path_and_the_rest_goes_on(tree: Path) -> None:
    write(tree, 'logs/locked/stuck.log', 'x')
    write(tree, 'logs/free/gone.log', 'x')
    write(tree, 'data/temp/gone.tmp', 'x')
    set_immutable(tree / 'logs/locked', True)
    report = run_purge(tree)
    assert [(f.rel, f.error) for f in report.failures] == [('logs/locked/stuck.log', 'Operation not permitted')]
    assert 'chattr -i' in report.failures[0].hint
    assert not (tree / 'logs/free').exists() and not (tree / 'data/temp/gone.tmp').exists()
    assert report.outcome == PARTIAL


def test_protected_change_during_purge_is_detected(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Something else (a service restarting) rewrites a protected file while the purge runs.
    write(tree, 'logs/a.log', 'x')
    from guard.safety import remove

    real_clear = remove.Clearer.clear

    def clear_and_meddle(self: remove.Clearer, rel: str) -> remove.ItemResult:
        result = real_clear(self, rel)
        if self.act:
            (tree / 'src/app.py').write_text('print(2)\n')
            (tree / 'models/w.bin').unlink()
        return result

    monkeypatch.setattr(remove.Clearer, 'clear', clear_and_meddle)
    report = run_purge(tree)
    assert report.verification.changed == ('src/app.py',)
    assert report.verification.missing == ('models/w.bin',)
    assert report.outcome == purge.PROTECTED_CHANGED


def test_ephemeral_directories_themselves_stay_with_their_mode(tree: Path) -> None:
    write(tree, 'logs/sub/a.log', 'x')
    (tree / 'logs').chmod(0o750)
    run_purge(tree)
    assert sorted(os.listdir(tree / 'logs')) == []
    assert (tree / 'logs').stat().st_mode & 0o777 == 0o750


def test_plan_changes_nothing_and_matches_what_execute_does(tree: Path) -> None:
    for i in range(30):
        write(tree, f'logs/d{i % 3}/f{i}.log', 'y' * i)
    write(tree, 'src/pkg/__pycache__/m.pyc', b'\0' * 10)
    write(tree, 'tools/__pycache__/t.pyc', b'\0' * 10)
    before = snapshot(tree)
    plan = purge.plan(config(tree.parent / 'state'), tree)
    assert snapshot(tree) == before
    assert [(i.rel, i.files) for i in plan.items] == [('logs', 30), ('tools/__pycache__', 1)]
    assert plan.protected == ('models/', 'src/')
    # The cache inside protected src/ matches **/__pycache__/ but protection is inherited.
    assert [(k.rel, k.reason) for k in plan.skipped] == [('src/pkg/__pycache__/', 'inside protected src/')]
    report = purge.execute(plan)
    assert (report.files, report.bytes) == (plan.files, plan.bytes)


def test_state_folder_inside_an_ephemeral_path_is_never_cleared(tree: Path) -> None:
    # A config that puts guard's state (lock, audit trail) under logs/ must not purge it.
    write(tree, 'logs/a.log', 'x')
    report = purge.execute(purge.plan(config(tree / 'logs/guard-state'), tree))
    assert (tree / 'logs/guard-state/locks').is_dir()
    assert not (tree / 'logs/a.log').exists()
    assert report.outcome == OK
