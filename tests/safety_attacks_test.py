"""Issue 16's attacks on purge, clean, restore and the audit trail, each built as the attack.

Each test here failed on f96448f (the code the attacks were run against) and passes now. They run
guard as users do (a separate process, a real terminal where the attack needs the prompt), on real
trees, with a real bind mount, a real full filesystem and a real SIGKILL where the attack needs them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safety_trees import snapshot
from safety_trees import tree_hash
from support import on_tty
from support import run_guard
from support import write

IS_ROOT = os.geteuid() == 0


def history(*args: str) -> list[dict[str, object]]:
    proc = run_guard('history', '--json', *args)
    assert proc.returncode == 0, proc.stderr
    result: list[dict[str, object]] = json.loads(proc.stdout)
    return result


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / 'state'
    monkeypatch.setenv('GUARD_STATE_DIR', str(folder))
    return folder


# Attack 1: the root swapped for a symlink while guard waits at its y/N prompt.
def test_root_swapped_for_a_symlink_during_the_prompt_is_noticed_and_nothing_changes(
    tmp_path: Path, state: Path
) -> None:
    root = tmp_path / 'proj'
    write(root, 'logs/app.log', 'planned\n')
    write(root, 'src/app.py', 'print(1)\n')
    elsewhere = tmp_path / 'elsewhere'
    write(elsewhere, 'logs/precious.log', 'must survive\n')
    write(elsewhere, 'src/main.py', 'keep\n')
    outside, planned = tree_hash(elsewhere), snapshot(root)

    def swap() -> None:
        root.rename(tmp_path / 'proj.moved')
        root.symlink_to(elsewhere)

    code, output = on_tty(['purge', str(root)], lambda n: (swap(), b'y')[1] if n == 1 else None)
    assert code == 2, output
    assert f'{root} now leads to another directory' in output
    assert 'nothing was changed' in output
    assert tree_hash(elsewhere) == outside
    assert snapshot(tmp_path / 'proj.moved') == planned


# Attack 4: the repository ships guard's state directory and an audit store with triggers.
PLANTED_TRIGGER = """
CREATE TABLE guard_audit_events (id INTEGER PRIMARY KEY, kind VARCHAR(32) NOT NULL, root TEXT NOT NULL,
  "trigger" VARCHAR(16) NOT NULL, user VARCHAR(128) NOT NULL, host VARCHAR(255) NOT NULL, pid INTEGER NOT NULL,
  pid_start BIGINT, started_at DATETIME NOT NULL, finished_at DATETIME, outcome VARCHAR(32) NOT NULL,
  bytes BIGINT NOT NULL, detail JSON NOT NULL);
CREATE TABLE guard_audit_paths (id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, path TEXT NOT NULL,
  bytes BIGINT NOT NULL, outcome VARCHAR(32) NOT NULL);
CREATE TRIGGER erase AFTER UPDATE ON guard_audit_events BEGIN DELETE FROM guard_audit_events; END;
"""


def plant_audit_store(root: Path) -> Path:
    db = root / '.guard/state/audit.db'
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(PLANTED_TRIGGER)
    conn.close()
    return db


def test_a_committed_state_dir_and_audit_store_are_not_used_untrusted(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    write(root, 'pyproject.toml', '[tool.guard]\nstate-dir = ".guard/state"\n')
    write(root, 'logs/app.log', 'x' * 100)
    plant_audit_store(root)
    done = run_guard('purge', root, '--force')
    assert done.returncode == 0, done.stderr
    assert 'ignoring state-dir' in done.stderr
    [event] = history(str(root))  # recorded in the user's own store, where the repository cannot reach
    assert (event['kind'], event['outcome']) == ('purge', 'ok')


def test_a_planted_audit_store_with_triggers_is_refused_even_when_trusted(tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    write(root, 'pyproject.toml', '[tool.guard]\nstate-dir = ".guard/state"\n')
    write(root, 'logs/app.log', 'x' * 100)
    plant_audit_store(root)
    assert run_guard('trust', root).returncode == 0
    before = tree_hash(root)
    refused = run_guard('purge', root, '--force')
    assert refused.returncode == 2
    assert 'holds trigger erase, which guard never creates' in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert tree_hash(root) == before


# Attack 5: a bind mount from the same disk shares st_dev; purge must not go through it.
def test_a_bind_mount_inside_an_ephemeral_folder_is_not_crossed(tmp_path: Path, state: Path) -> None:
    if not IS_ROOT or shutil.which('mount') is None:
        pytest.skip('a bind mount needs root (mount --bind); this test runs only as root')
    root = tmp_path / 'proj'
    write(root, 'logs/app.log', 'x' * 100)
    (root / 'logs/mnt').mkdir()
    behind = tmp_path / 'behind'
    write(behind, 'data/precious.db', 'keep me\n')
    mounted = subprocess.run(
        ['mount', '--bind', str(behind), str(root / 'logs/mnt')], capture_output=True, text=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f'mount --bind failed here: {mounted.stderr.strip()}')
    try:
        assert os.stat(root / 'logs/mnt').st_dev == os.stat(root / 'logs').st_dev  # what fooled st_dev
        before = tree_hash(behind)
        done = run_guard('purge', root, '--force', '--verbose')
        assert done.returncode == 0, done.stderr
        assert 'logs/mnt  (another filesystem (mount point); guard does not cross into it)' in done.stdout
        assert not (root / 'logs/app.log').exists()
    finally:
        subprocess.run(['umount', str(root / 'logs/mnt')], check=True)
    assert tree_hash(behind) == before


# Attack 6: a committed `.guard` symlink moves the quarantine outside the root.
def test_a_committed_guard_symlink_cannot_move_the_quarantine_out(tmp_path: Path, state: Path) -> None:
    root = tmp_path / 'proj'
    write(root, 'src/app.py', 'print(1)\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    outside = tmp_path / 'outside'
    outside.mkdir()
    (root / '.guard').symlink_to(outside)
    before = snapshot(root)
    refused = run_guard('clean', root, '--force', '--no-fix')
    assert refused.returncode == 2
    assert refused.stderr == (
        f'guard: error: {root}/.guard: it is a symlink, where guard expects its own '
        'directory; guard does not use it (fix the owner or mode, or remove it)\n'
    )
    assert os.listdir(outside) == []
    assert snapshot(root) == before


# Attack 7: a committed `.guard-baseline.json` symlink to a file of the user's.
def test_guard_baseline_never_writes_through_a_committed_symlink(tmp_path: Path, git_repo: Path) -> None:
    bashrc = tmp_path / 'bashrc'
    bashrc.write_text('alias ll="ls -l"\n')
    (git_repo / '.guard-baseline.json').symlink_to(bashrc)
    write(git_repo, 'app.py', 'print(1)\n')
    done = run_guard('baseline', git_repo)
    assert done.returncode == 0, done.stderr
    assert bashrc.read_text() == 'alias ll="ls -l"\n'
    written = git_repo / '.guard-baseline.json'
    assert not written.is_symlink() and json.loads(written.read_text())['version']


# Attack 10: one project's quarantine restored into another; an entry's type changed.
def clean_a_venv(root: Path) -> str:
    write(root, 'src/app.py', 'print(1)\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    done = run_guard('clean', root, '--force', '--no-fix')
    assert done.returncode == 0, done.stderr
    return done.stdout.split('Undo with: guard restore ')[1].split()[1]


def test_a_quarantine_goes_back_only_into_the_root_its_manifest_names(tmp_path: Path, state: Path) -> None:
    a, b = tmp_path / 'a', tmp_path / 'b'
    qid = clean_a_venv(a)
    write(b, 'src/other.py', 'print(2)\n')
    (b / '.guard/quarantine').mkdir(parents=True)
    shutil.copytree(a / '.guard/quarantine' / qid, b / '.guard/quarantine' / qid, symlinks=True)
    before = tree_hash(b)
    refused = run_guard('restore', b, qid, '--force')
    assert refused.returncode == 2
    assert f'it was made for {a}, not for {b}' in refused.stderr
    assert tree_hash(b) == before


def test_a_root_recreated_at_the_same_path_is_another_root(tmp_path: Path, state: Path) -> None:
    a = tmp_path / 'a'
    qid = clean_a_venv(a)
    a.rename(tmp_path / 'a.old')
    write(a, 'src/new.py', 'print(3)\n')
    shutil.copytree(tmp_path / 'a.old/.guard', a / '.guard', symlinks=True)
    refused = run_guard('restore', a, qid, '--force')
    assert refused.returncode == 2
    assert 'it was made for another directory at' in refused.stderr


def test_an_entry_whose_kind_changed_in_the_quarantine_is_refused(tmp_path: Path, state: Path) -> None:
    a = tmp_path / 'a'
    qid = clean_a_venv(a)
    folder = a / '.guard/quarantine' / qid
    shutil.rmtree(folder / 'include')
    (folder / 'include').symlink_to('/etc')  # the manifest says dir
    before = tree_hash(a)
    refused = run_guard('restore', a, qid, '--force')
    assert refused.returncode == 2
    assert 'include is a link, the manifest says dir' in refused.stderr
    assert tree_hash(a) == before


# Attack 11: LOGNAME/USER claim another user.
def test_the_audit_user_is_the_real_uid_and_sudo_user_is_only_via(tmp_path: Path, state: Path) -> None:
    import pwd

    root = tmp_path / 'proj'
    write(root, 'logs/app.log', 'x')
    done = run_guard('purge', root, '--force', env={'LOGNAME': 'alice', 'USER': 'alice', 'SUDO_USER': 'bob'})
    assert done.returncode == 0, done.stderr
    [event] = history()
    assert event['user'] == pwd.getpwuid(os.getuid()).pw_name
    assert event['via'] == 'bob'


# Attack 12: `?*` with nothing protected is `*` by another name.
def test_the_guard_rail_judges_the_plan_not_the_pattern(tmp_path: Path, state: Path) -> None:
    root = tmp_path / 'proj'
    write(root, 'guard.toml', "[purge]\nprotected = []\nephemeral = ['?*']\n")
    write(root, 'notes/todo.md', 'remember\n')
    write(root, 'src/app.py', 'print(1)\n')
    write(root, 'logs/app.log', 'x')
    before = tree_hash(root)
    refused = run_guard('purge', root, '--force')
    assert refused.returncode == 2
    assert 'the plan would clear every top-level entries that are not floors (logs, notes, src)' in refused.stderr
    assert tree_hash(root) == before
    allowed = run_guard('purge', root, '--force', '--allow-wide')
    assert allowed.returncode == 0, allowed.stderr
    assert os.listdir(root / 'src') == [] and (root / 'guard.toml').exists()


# Attack 13: a store that cannot be written; a purge killed half-way.
def test_when_the_audit_store_cannot_be_written_nothing_is_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not IS_ROOT:
        pytest.skip('a full filesystem for the state directory needs a tmpfs mount, which needs root')
    state = tmp_path / 'state'
    state.mkdir(mode=0o700)
    mounted = subprocess.run(
        ['mount', '-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', str(state)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f'cannot mount a tmpfs here: {mounted.stderr.strip()}')
    try:
        monkeypatch.setenv('GUARD_STATE_DIR', str(state))
        root = tmp_path / 'proj'
        write(root, 'logs/app.log', 'x' * 1000)
        assert run_guard('history').returncode == 0  # creates the store and its tables
        with open(state / 'filler', 'wb') as f:  # then the disk fills up
            try:
                while True:
                    f.write(b'\0' * 65536)
                    f.flush()
            except OSError:
                pass
        before = tree_hash(root)
        refused = run_guard('purge', root, '--force')
        assert refused.returncode == 1, refused.stderr
        assert refused.stderr.count('\n') == 1
        assert 'nothing was changed, because guard changes nothing it cannot record first' in refused.stderr
        assert tree_hash(root) == before
    finally:
        subprocess.run(['umount', str(state)], check=True)


def test_a_sigkilled_purge_leaves_an_accurate_partial_record(tmp_path: Path, state: Path) -> None:
    root = tmp_path / 'proj'
    total = 20_000
    for d in range(100):
        folder = root / 'logs' / f'd{d:03}'
        folder.mkdir(parents=True)
        for f in range(total // 100):
            (folder / f'{f}.log').write_bytes(b'x' * 10)
    proc = subprocess.Popen(
        [sys.executable, '-m', 'guard', 'purge', str(root), '--force'],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            left = sum(len(files) for _, _, files in os.walk(root / 'logs'))
            if left < total - 3000:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    gone = total - sum(len(files) for _, _, files in os.walk(root / 'logs'))
    assert 0 < gone < total, 'the purge finished before it could be killed; make the tree bigger'
    [event] = history()
    detail = event['detail']
    assert isinstance(detail, dict)
    assert event['outcome'] == 'interrupted'
    recorded = detail['done_files']
    assert isinstance(recorded, int)
    # Written after each batch: never more than was done, and behind by at most one batch, plus the
    # one file the kill may land between its unlink and its joining the batch.
    from guard.safety.record import BATCH

    assert gone - BATCH - 1 <= recorded <= gone
    paths = event['paths']
    assert isinstance(paths, list)
    assert all(not (root / str(p['path'])).exists() for p in paths)
    assert event['bytes'] == sum(int(p['bytes']) for p in paths) or recorded > 2000


def test_clean_and_restore_stop_when_the_root_is_swapped_after_the_plan(tmp_path: Path) -> None:
    from safety_trees import config

    from guard.errors import UnsafeOperationError
    from guard.safety import fd as fdops
    from guard.safety import quarantine
    from guard.safety import restore

    cfg = config(tmp_path / 'state')
    root = tmp_path / 'proj'
    write(root, 'src/app.py', 'print(1)\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    other = tmp_path / 'other'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(other)], check=True)
    outside = tree_hash(other)

    plan = quarantine.plan(cfg, root)
    root.rename(tmp_path / 'proj.moved')
    root.symlink_to(other)
    with pytest.raises(UnsafeOperationError, match='now leads to another directory'):
        quarantine.execute(plan)
    assert tree_hash(other) == outside and (tmp_path / 'proj.moved/pyvenv.cfg').exists()

    root.unlink()
    (tmp_path / 'proj.moved').rename(root)
    report = quarantine.execute(quarantine.plan(cfg, root))
    assert report.outcome == 'ok'
    pin = fdops.RootPin(root)  # taken when `guard restore` shows what it will do
    root.rename(tmp_path / 'proj.moved')
    root.symlink_to(other)
    with pytest.raises(UnsafeOperationError, match='now leads to another directory'):
        restore.restore(cfg, pin, report.quarantine_id)
    assert tree_hash(other) == outside


def test_a_store_that_refuses_every_write_stops_the_purge_before_it_starts(
    tmp_path: Path, state: Path, postgres_server: object
) -> None:
    """Attack 13 with a store that opens and reads fine but refuses every write (a PostgreSQL role
    with SELECT only): the purge must not start, rather than delete and say the record failed."""
    from postgres import PostgresServer

    from guard.audit import AuditStore

    assert isinstance(postgres_server, PostgresServer)
    postgres_server.execute(
        'DROP DATABASE IF EXISTS guard_readonly',
        'CREATE DATABASE guard_readonly',
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'guard_reader') THEN "
        "CREATE ROLE guard_reader LOGIN PASSWORD 'reader-pw'; END IF; END $$",
        database='postgres',
    )
    AuditStore.open_url(postgres_server.url(database='guard_readonly')).close()  # the owner creates the tables
    postgres_server.execute('GRANT SELECT ON ALL TABLES IN SCHEMA public TO guard_reader', database='guard_readonly')
    url = postgres_server.url(database='guard_readonly', user='guard_reader', password='reader-pw')
    root = tmp_path / 'proj'
    write(root, 'logs/app.log', 'x' * 1000)
    before = tree_hash(root)
    refused = run_guard('purge', root, '--force', env={'GUARD_AUDIT_URL': url})
    assert refused.returncode == 1, refused.stderr
    assert 'permission denied' in refused.stderr
    assert refused.stderr.rstrip().endswith('nothing was changed, because guard changes nothing it cannot record first')
    assert refused.stderr.count('\n') == 1 and 'reader-pw' not in refused.stderr
    assert tree_hash(root) == before
