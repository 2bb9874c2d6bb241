"""A project's command runs as the user whose code it could run (issue 16, findings 3, 14 and 18).

Built as the attacks were: we are root, gct-alice (useradd) owns what a project's user owns, and
uid 4243 (no account) is a third party. Every command is real (make, bash, sh) and writes `id -u`
and `id -G` into a file outside the root, which shows whom it ran as.
"""

from __future__ import annotations

import os
import pwd
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import second_user
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import run_guard
from support import trust
from support import write

from guard import runas
from guard.alerts.command import CommandSink
from guard.alerts.model import Alert
from guard.health import Status
from guard.safety import commands

NOBODY = 4243  # a uid with no account: its own group has no entry either

ALERT = Alert(
    event='problem',
    check='disk',
    state=Status.FAIL,
    previous=Status.OK,
    root='/srv/app',
    host='web1',
    detail='low',
    since=1_700_000_000.0,
    time=1_700_000_000.0,
)


@pytest.fixture(scope='module')
def alice() -> int:
    uid = second_user.uid()
    for taken in (NOBODY, 4242):
        try:
            pwd.getpwuid(taken)
        except KeyError:
            continue
        pytest.skip(f'uid {taken} has an account here')
    return uid


class Project:
    """A root-owned folder (as /srv is) holding `out/`, where anyone may record who they ran as, and
    the project root `proj/` with the files the commands read."""

    def __init__(self, base: Path) -> None:
        os.chmod(base, 0o755)
        self.out = base / 'out'
        self.out.mkdir()
        self.out.chmod(0o1777)
        self.ran = self.out / 'ran'
        self.root = base / 'proj'
        record = f'id -u >> {self.ran}; id -G >> {self.ran}'
        write(self.root, 'Makefile', f'stop:\n\t@{record}\n')
        write(self.root, 'mk', f'stop:\n\t@{record}\n')
        for script in ('a.sh', 'sub/n.sh'):
            write(self.root, script, f'#!/bin/sh\n{record}\n').chmod(0o755)
        write(self.root, 'sub/deep/x.txt', 'x\n')
        write(self.root, 'logs/app.log', 'x\n')

    def ids(self) -> list[int]:
        """Every uid and gid a command ran with, in the order written."""
        return [int(word) for word in self.ran.read_text().split()] if self.ran.exists() else []


@pytest.fixture
def project() -> Iterator[Project]:
    with tempfile.TemporaryDirectory() as base:
        yield Project(Path(base))


def alice_ids(alice: int) -> set[int]:
    entry = pwd.getpwuid(alice)
    return {alice, entry.pw_gid, *os.getgrouplist(entry.pw_name, entry.pw_gid)}


# --- finding 3: a root-owned root whose files are a user's --------------------------------------


def test_root_runs_the_makefile_of_a_user_who_owns_it_as_that_user(alice: int, project: Project) -> None:
    root = project.root
    write(root, 'guard.toml', '[purge]\nbefore = ["make -s stop"]\n')
    trust(root)
    os.chown(root / 'Makefile', alice, alice)  # the folder stays root's; the Makefile is alice's
    proc = run_guard('purge', root, '--force')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ran = project.ids()
    assert ran and ran[0] == alice, (ran, proc.stderr)
    assert set(ran) <= alice_ids(alice)  # neither uid 0 nor gid 0, not even a supplementary group


@pytest.mark.parametrize('how', ['subfolder', 'group-writable', 'symlink-out'])
def test_any_way_a_user_can_change_what_make_reads_makes_it_run_as_them(alice: int, project: Project, how: str) -> None:
    root = project.root
    if how == 'subfolder':
        os.chown(root / 'sub', alice, alice)  # a folder of hers anywhere in the root
    elif how == 'group-writable':
        os.chown(root / 'Makefile', 0, alice)
        (root / 'Makefile').chmod(0o664)  # root's file, her group may write it
    else:
        # root's own symlink to a Makefile she may change outside the root
        theirs = project.out / 'alices'
        theirs.mkdir()
        os.chown(theirs, alice, alice)
        (root / 'Makefile').rename(theirs / 'Makefile')
        (root / 'Makefile').symlink_to(theirs / 'Makefile')
    result = commands.run('before', 'make -s stop', cwd=root, timeout=30)
    ran = project.ids()
    assert result.outcome == commands.OK, result
    assert ran and ran[0] == alice and set(ran) <= alice_ids(alice), ran


# --- finding 14: the file is named where no word-by-word check sees it ---------------------------

GLUED = [
    'make -s -f ./mk stop',
    'make -s --file=./mk stop',
    'make -s -f./mk stop',
    'env BASH_ENV=./a.sh bash -c true',
    "sh -c './a.sh'",
    "sh -c 'cd sub && ./n.sh'",
]


@pytest.mark.parametrize('command', GLUED)
def test_a_users_file_named_in_any_form_never_runs_as_root(alice: int, project: Project, command: str) -> None:
    root = project.root
    for name in ('mk', 'a.sh', 'sub/n.sh'):
        os.chown(root / name, alice, alice)
    write(root, 'guard.toml', f'[purge]\nbefore = ["{command}"]\n')
    trust(root)
    proc = run_guard('purge', root, '--force')
    ran = project.ids()
    assert ran, proc.stdout + proc.stderr  # it ran, and as alice
    assert set(ran) <= alice_ids(alice), (ran, proc.stderr)


def test_the_alert_command_cd_into_a_users_folder_runs_as_them(alice: int, project: Project) -> None:
    os.chown(project.root / 'sub/n.sh', alice, alice)
    delivery = CommandSink('cd sub && ./n.sh', timeout=30, cwd=str(project.root)).deliver(ALERT)
    assert delivery.ok, delivery
    ran = project.ids()
    assert ran and set(ran) <= alice_ids(alice), ran


# --- finding 18: an owner with no account never gets the group of its files ----------------------


def test_an_owner_without_an_account_runs_in_nogroup_not_the_files_group(alice: int, project: Project) -> None:
    import grp

    for path in [project.root, *project.root.rglob('*')]:
        os.chown(path, 4242, 0, follow_symlinks=False)  # as an unpacked image or rsync --numeric-ids leaves it
    result = commands.run('before', 'make -s stop', cwd=project.root, timeout=30)
    assert result.outcome == commands.OK, result
    ran = project.ids()
    assert ran == [4242, grp.getgrnam('nogroup').gr_gid], ran


# --- refusals: one line, nothing run --------------------------------------------------------------


@pytest.mark.parametrize('how', ['two-users', 'others-write', 'sticky-inside', 'unnamed-group'])
def test_a_command_no_single_user_could_own_is_refused_in_one_line(alice: int, project: Project, how: str) -> None:
    root = project.root
    if how == 'two-users':
        os.chown(root / 'mk', alice, alice)
        os.chown(root / 'sub/deep/x.txt', NOBODY, NOBODY)
        expected = 'chown the project to one of them'
    elif how == 'others-write':
        (root / 'sub/deep/x.txt').chmod(0o666)
        expected = f'{root}/sub/deep/x.txt is writable by others'
    elif how == 'sticky-inside':
        (root / 'sub').chmod(0o1777)  # anyone may add a file there, even if not replace one
        expected = f'{root}/sub is writable by others'
    else:
        os.chown(root / 'a.sh', alice, NOBODY)
        (root / 'a.sh').chmod(0o775)
        expected = f'writable by group {NOBODY}, which has no entry in the group database'
    result = commands.run('before', 'make -s stop', cwd=root, timeout=30)
    assert result.outcome == commands.FAILED
    assert result.detail.startswith('refusing to run it: ') and expected in result.detail, result.detail
    assert '\n' not in result.detail
    assert project.ids() == []
    delivery = CommandSink('make -s stop', timeout=30, cwd=str(root)).deliver(ALERT)
    assert not delivery.ok and expected in delivery.detail, delivery
    assert project.ids() == []


def test_a_folder_above_the_root_a_user_owns_makes_it_theirs(alice: int, project: Project) -> None:
    os.chown(project.root.parent, alice, alice)  # she can rename the root away and put hers there
    assert runas.for_root(str(project.root)).uid == alice


def test_a_root_everyone_may_write_above_only_through_a_sticky_folder_runs_as_root(project: Project) -> None:
    """/tmp above the root is no writer (only the next folder's owner may replace it); nothing of
    anyone else's: the command runs as root, so the rule is no blanket refusal."""
    assert runas.for_root(str(project.root)) == runas.RunAs()
    result = commands.run('before', 'make -s stop', cwd=project.root, timeout=30)
    assert result.outcome == commands.OK, result
    assert project.ids() == [0, 0]


# --- generated trees and commands ----------------------------------------------------------------

PATHS = ['.', 'Makefile', 'mk', 'a.sh', 'sub', 'sub/n.sh', 'sub/deep', 'sub/deep/x.txt', 'logs', 'logs/app.log']
OWNERS = st.sampled_from(['root', 'alice', 'nobody'])
MODES = st.sampled_from([0o644, 0o755, 0o664, 0o775, 0o666, 0o777, 0o1777, 0o700, 0o1775])
CHANGES = st.lists(st.tuples(st.sampled_from(PATHS), OWNERS, MODES), max_size=4)


@st.composite
def command_strings(draw: st.DrawFn) -> str:
    """Ways a command reaches a file without naming it as a word of its own."""
    makefile = draw(st.sampled_from(['./mk', 'mk', 'Makefile']))
    form = draw(
        st.sampled_from(
            [
                'make -s stop',
                f'make -s -f {makefile} stop',
                f'make -s -f{makefile} stop',
                f'make -s --file={makefile} stop',
                f'make -s --makefile={makefile} stop',
                'env BASH_ENV=./a.sh bash -c true',
                'env X=1 BASH_ENV=a.sh bash -c :',
                "sh -c './a.sh'",
                "sh -c 'cd sub && ./n.sh'",
                "bash -c 'cd sub/.. && . ./a.sh'",
                "sh -c 'cd sub; sh n.sh'",
            ]
        )
    )
    return form


def writers_of(root: Path, alice: int) -> set[str]:
    """Who besides root may change anything under `root`, told from the tree alone: 'anyone' for a
    write bit for others or for a group with no entry, the owner, and alice for her group's bit."""
    found: set[str] = set()
    for path in [root, *root.rglob('*')]:
        info = path.lstat()
        if info.st_uid:
            found.add(str(info.st_uid))
        if info.st_mode & 0o002:
            found.add('anyone')
        if info.st_mode & 0o020:
            found.add(str(alice) if info.st_gid == alice else 'anyone' if info.st_gid == NOBODY else '')
    return found - {''}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES, command=command_strings(), sink=st.sampled_from(['purge', 'alert']))
def test_a_command_never_runs_as_root_when_anyone_else_could_change_the_tree(
    alice: int, changes: list[tuple[str, str, int]], command: str, sink: str
) -> None:
    uid = {'root': 0, 'alice': alice, 'nobody': NOBODY}
    with tempfile.TemporaryDirectory() as base:
        project = Project(Path(base))
        for rel, owner, mode in changes:
            path = project.root / rel
            os.chown(path, uid[owner], uid[owner])
            path.chmod(mode if path.is_dir() else mode & 0o777)
        writers = writers_of(project.root, alice)
        if sink == 'purge':
            result = commands.run('before', command, cwd=project.root, timeout=30)
            ok, detail = not result.detail.startswith('refusing to run it: '), result.detail
        else:
            delivery = CommandSink(command, timeout=30, cwd=str(project.root)).deliver(ALERT)
            ok, detail = not delivery.detail.startswith('refusing to run it: '), delivery.detail
        ran = project.ids()
        if 'anyone' in writers or len(writers) > 1:
            assert not ok and ran == [], (writers, detail, ran)
        elif writers:
            (who,) = writers
            assert ok, (writers, detail)
            expected = alice_ids(alice) if int(who) == alice else {NOBODY, 65534}
            assert set(ran) <= expected, (writers, ran, detail)  # 0 never among them
        else:
            assert ok, detail
            assert set(ran) <= {0}, ran
        if writers:
            assert 0 not in ran, (writers, ran, detail)


def test_a_random_marker_proves_the_generated_commands_run(alice: int, project: Project) -> None:
    """The generated test's oracle holds only if its commands really write where it looks: each form,
    on a tree of root's, records uid 0."""
    for command in ["sh -c 'cd sub && ./n.sh'", 'make -s --file=./mk stop', 'env BASH_ENV=./a.sh bash -c true']:
        project.ran.unlink(missing_ok=True)
        result = commands.run('before', command, cwd=project.root, timeout=30)
        assert result.outcome == commands.OK, result
        assert project.ids() == [0, 0], command


# --- POSIX ACLs: the group bits are only the mask -------------------------------------------------


def _acl(*named: tuple[int, int]) -> bytes:
    """A system.posix_acl_access value (linux/posix_acl_xattr.h) granting rw to each (tag, id)."""
    import struct

    def entry(tag: int, perm: int, ident: int = 0xFFFFFFFF) -> bytes:
        return struct.pack('<HHI', tag, perm, ident)

    fixed = [(0x01, 6, 0xFFFFFFFF), (0x04, 4, 0xFFFFFFFF), (0x10, 6, 0xFFFFFFFF), (0x20, 4, 0xFFFFFFFF)]
    ordered = sorted(fixed + [(tag, 6, ident) for tag, ident in named])  # the kernel wants tag, then id order
    return struct.pack('<I', 2) + b''.join(entry(tag, perm, ident) for tag, perm, ident in ordered)


@pytest.mark.parametrize(
    'named',
    [[(0x02, 'alice')], [(0x08, 'alice')], [(0x02, 'alice'), (0x02, NOBODY)], [(0x08, NOBODY)]],
    ids=['user-alice', 'group-alice', 'two-users', 'unnamed-group'],
)
def test_write_granted_by_an_acl_counts_as_the_users_it_names(
    alice: int, project: Project, named: list[tuple[int, object]]
) -> None:
    makefile = project.root / 'Makefile'
    makefile.chmod(0o664)  # root:root: only its ACL lets anyone but root write it
    own = {0x02: alice, 0x08: pwd.getpwuid(alice).pw_gid}  # her uid, her private group
    entries = [(tag, own[tag] if who == 'alice' else int(str(who))) for tag, who in named]
    try:
        os.setxattr(makefile, 'system.posix_acl_access', _acl(*entries))
    except OSError as e:
        pytest.skip(f'no POSIX ACLs on this file system: {e.strerror}')
    result = commands.run('before', 'make -s stop', cwd=project.root, timeout=30)
    if [who for _, who in named] == ['alice']:
        assert result.outcome == commands.OK, result
        assert project.ids() and set(project.ids()) <= alice_ids(alice)
    else:
        assert result.detail.startswith('refusing to run it: '), result
        assert project.ids() == []
    # The named-file check agrees: an ACL is a writer the group bits do not show.
    from guard import secure_path

    assert 'is writable by group' in secure_path.problem(str(makefile), {0})


# --- symlinks: judged where they lead -------------------------------------------------------------


def test_a_symlink_to_an_outside_folder_brings_in_the_writers_under_it(alice: int, project: Project) -> None:
    vendor = project.out / 'vendor'
    write(vendor, 'lib/inc.mk', '# included\n')
    vendor.chmod(0o755)
    (project.root / 'vendor').symlink_to(vendor)  # root's link, root's folder; a file deep in it is hers
    assert runas.for_root(str(project.root)) == runas.RunAs()
    os.chown(vendor / 'lib/inc.mk', alice, alice)
    assert runas.for_root(str(project.root)).uid == alice


def test_a_dangling_symlink_into_a_folder_anyone_may_write_is_refused(alice: int, project: Project) -> None:
    missing = f'/tmp/guard-missing-{os.getpid()}-{id(project)}/Makefile.inc'
    (project.root / 'Makefile.inc').symlink_to(missing)  # anyone may create /tmp/guard-missing-…
    with pytest.raises(runas.RefusedRunAs, match='/tmp is writable by others'):
        runas.for_root(str(project.root))


def test_links_back_into_the_walk_end_it_without_walking_twice(project: Project) -> None:
    outer = project.root.parent / 'outer'
    (outer / 'inner').mkdir(parents=True)
    (project.root / 'sub/self').symlink_to('..')  # inside: walked anyway
    (project.root / 'ext').symlink_to(outer)  # out of the root
    (outer / 'back').symlink_to(project.root)  # and from there back in
    (outer / 'inner/up').symlink_to(outer)  # and round again
    assert runas.for_root(str(project.root)) == runas.RunAs()
    (outer / 'inner/theirs.txt').write_text('x\n')
    os.chown(outer / 'inner/theirs.txt', NOBODY, NOBODY)  # reached only through `ext`
    assert runas.for_root(str(project.root)).uid == NOBODY
