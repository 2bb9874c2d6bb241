"""guard purge / clean / restore / history as users run them: real processes, exit codes, messages."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from safety_trees import can_make_immutable
from safety_trees import release_immutable
from safety_trees import set_immutable
from safety_trees import snapshot
from safety_trees import tree_hash
from support import answers
from support import git
from support import on_tty
from support import run_guard
from support import trust
from support import write

from guard.cli.common import format_bytes
from guard.redact import mask_command_line


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))
    project = tmp_path / 'proj'
    write(project, 'src/app.py', 'print(1)\n')
    write(project, 'models/w.bin', b'weights')
    write(project, '.env', 'TOKEN=s3cr3t-value\n')
    write(project, 'logs/app.log', 'x' * 5000)
    write(project, 'logs/config/keep.yaml', 'a: 1\n')
    write(project, 'logs/config_backup.log', 'old')
    write(project, 'data/temp/t.bin', b'\0' * 100)
    return project


def usage(root: Path, *rels: str) -> str:
    """Disk usage as guard reports it (du's count, which depends on the filesystem's blocks)."""
    return format_bytes(sum(os.lstat(root / rel).st_blocks * 512 for rel in rels))


LOGS = ('logs/app.log', 'logs/config_backup.log')
TEMP = ('data/temp/t.bin',)


def test_dry_run_prints_the_plan_and_leaves_the_tree_identical(root: Path) -> None:
    state = tree_hash(root)
    result = run_guard('purge', root, '--dry-run')
    assert result.returncode == 0, result.stderr
    assert tree_hash(root) == state
    assert result.stdout.splitlines() == [
        f'guard purge: {root}',
        f'Will clear (2 paths, 3 files, {usage(root, *LOGS, *TEMP)}):',
        f'  data/temp/  {"1 file":>15}  {usage(root, *TEMP):>10}',
        f'  logs/       {"2 files":>15}  {usage(root, *LOGS):>10}',
        'Will leave alone:',
        '  logs/config  (protected)',
        'Protected, checked unchanged afterwards: .env, models/, src/',
        'Dry run: nothing was changed.',
    ]
    assert result.stderr == ''


def test_without_a_terminal_and_without_force_it_refuses(root: Path) -> None:
    state = tree_hash(root)
    result = run_guard('purge', root, input_text='y\n')
    assert result.returncode == 2
    assert result.stderr == (
        'guard: error: refusing to purge without a terminal to confirm on; '
        'pass --force (or --dry-run to only see the plan)\n'
    )
    assert 'Will clear (2 paths' in result.stdout
    assert tree_hash(root) == state


def test_force_purges_verifies_and_records(root: Path) -> None:
    protected = {
        k: v
        for k, v in snapshot(root).items()
        if k.split('/')[0] in ('src', 'models', '.env') or k.startswith('logs/config/')
    }
    cleared = usage(root, *LOGS, *TEMP)
    result = run_guard('purge', root, '--force')
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-4:-1] == [
        f'Cleared 3 files ({cleared}) in 2 paths.',
        lines[-3],
        'Protected paths: 7 checked, all unchanged.',
    ]
    assert lines[-3].startswith('Free space gained on the filesystem (measured): ')
    assert lines[-1] == 'Recorded in the audit trail as #1 (guard history).'
    assert sorted(os.listdir(root / 'logs')) == ['config']
    assert os.listdir(root / 'data/temp') == []
    assert {k: v for k, v in snapshot(root).items() if k in protected} == protected

    history = run_guard('history', '--json')
    [event] = json.loads(history.stdout)
    assert (event['kind'], event['trigger'], event['outcome'], event['root']) == ('purge', 'manual', 'ok', str(root))
    assert {p['path'] for p in event['paths'] if p['outcome'] == 'cleared'} == {'logs', 'data/temp'}
    # Recorded as it went: each removed file, before the summary rows.
    assert {p['path'] for p in event['paths'] if p['outcome'] == 'removed'} == {
        'logs/app.log',
        'logs/config_backup.log',
        'data/temp/t.bin',
    }
    assert 's3cr3t' not in history.stdout
    table = run_guard('history', root)
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == [
        'ID',
        'STARTED',
        '(local',
        'time)',
        'KIND',
        'TRIGGER',
        'USER',
        'OUTCOME',
        'BYTES',
        'ROOT',
    ]
    assert table.stdout.splitlines()[1].split()[:6] == [
        '1',
        *lines_date(table.stdout),
        'purge',
        'manual',
        event['user'],
    ]


def lines_date(table: str) -> list[str]:
    """The date and time columns of the first row (they hold a space)."""
    return table.splitlines()[1].split()[1:3]


@pytest.mark.parametrize(
    ('target', 'message'),
    [
        ('/', 'guard: error: /: refusing to work on a system directory; point guard at a project root\n'),
        ('/etc', 'guard: error: /etc: refusing to work on a system directory; point guard at a project root\n'),
    ],
)
def test_unsafe_roots_are_refused(target: str, message: str) -> None:
    result = run_guard('purge', target, '--force')
    assert (result.returncode, result.stderr, result.stdout) == (2, message, '')


def test_home_directory_and_non_directory_are_refused(tmp_path: Path) -> None:
    home = tmp_path / 'home'
    write(home, 'logs/a.log', 'x')
    result = run_guard('purge', home, '--force', env={'HOME': str(home)})
    assert result.returncode == 2
    assert result.stderr == (
        f'guard: error: {home}: refusing to work on a home directory; point guard at a project root inside it\n'
    )
    assert (home / 'logs/a.log').exists()
    result = run_guard('purge', home / 'logs/a.log', '--force')
    assert (result.returncode, result.stderr) == (2, f'guard: error: {home / "logs/a.log"}: not a directory\n')


@pytest.mark.skipif(not can_make_immutable(Path('/tmp')), reason='chattr +i needs root and ext4/xfs/btrfs')
def test_permission_error_is_reported_with_a_hint_and_exit_1(root: Path) -> None:
    write(root, 'logs/stuck/s.log', 'x')
    set_immutable(root / 'logs/stuck/s.log', True)
    try:
        result = run_guard('purge', root, '--force')
    finally:
        release_immutable(root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        'guard: logs/stuck/s.log: Operation not permitted (hint: operation not permitted: the file may be immutable '
        'or append-only (lsattr; chattr -i / -a), or owned by another user)',
        'guard: 1 path(s) could not be cleared; everything else was.',
    ]
    assert not (root / 'logs/app.log').exists() and not (root / 'data/temp/t.bin').exists()
    assert 'Protected paths: 7 checked, all unchanged.' in result.stdout


def test_service_commands_missing_tool_is_skipped_and_full_runs_extras(root: Path, tmp_path: Path) -> None:
    trace = tmp_path / 'trace'
    write(tmp_path, 'step.py', 'import sys\nopen(sys.argv[1], "a").write(sys.argv[2] + "\\n")\n')
    step = f'{sys.executable} {tmp_path / "step.py"} {trace}'
    write(
        root,
        'guard.toml',
        (
            f"[purge]\nbefore = ['{step} before', 'no-such-tool-xyz compose down']\n"
            f"after = ['{step} after']\nfull = ['{step} full']\n"
        ),
    )
    trust(root)
    plain = run_guard('purge', root, '--dry-run')
    assert '  before: no-such-tool-xyz compose down   (skipped: no-such-tool-xyz is not installed)' in plain.stdout
    # The plan shows each command as the audit store keeps it (default-deny): paths holding digits are `***`.
    assert f'  full:   {mask_command_line(step + " full")}   (only with --full)' in plain.stdout
    assert f'  full:   {shlex.quote(sys.executable)} *** *** full   (only with --full)' in plain.stdout
    result = run_guard('purge', root, '--force', '--full')
    assert result.returncode == 0, result.stderr
    assert trace.read_text().splitlines() == ['before', 'full', 'after']
    assert result.stderr == (
        "guard: before command 'no-such-tool-xyz compose down' skipped: "
        'no-such-tool-xyz: not installed on this machine\n'
    )


def test_failing_service_command_gives_exit_1(root: Path) -> None:
    write(root, 'guard.toml', "[purge]\nafter = ['false']\n")
    trust(root)
    result = run_guard('purge', root, '--force')
    assert result.returncode == 1
    assert result.stderr == "guard: after command 'false' failed: exit status 1\n"
    assert not (root / 'logs/app.log').exists()


def test_bad_audit_url_is_a_one_line_error_and_nothing_changes(root: Path) -> None:
    state = tree_hash(root)
    result = run_guard('purge', root, '--force', env={'GUARD_AUDIT_URL': 'postgresql://u:pw@127.0.0.1:1/x'})
    assert result.returncode == 1  # the store cannot be written: nothing is deleted (issue 16, attack 13)
    assert result.stderr.rstrip().endswith('nothing was changed, because guard changes nothing it cannot record first')
    assert result.stderr.startswith(
        'guard: error: cannot open the audit store postgresql+psycopg2://u:***@127.0.0.1:1/x: '
    )
    assert result.stderr.count('\n') == 1 and ':pw@' not in result.stderr
    assert tree_hash(root) == state


def test_clean_list_restore_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))
    root = tmp_path / 'proj'
    write(root, 'bin/deploy.sh', '#!/bin/sh\n')
    write(root, '.env', 'KEY=value\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    before = snapshot(root)

    dry = run_guard('clean', root, '--dry-run')
    assert dry.returncode == 0 and snapshot(root) == before
    assert (
        'Will move ' in dry.stdout
        and '  pyvenv.cfg' in dry.stdout
        and 'bin/deploy.sh' not in dry.stdout.split('Why:')[0]
    )
    assert '  write .env.example the 1 key(s) of .env, without values' in dry.stdout

    refused = run_guard('clean', root)
    assert refused.returncode == 2 and 'refusing to clean without a terminal' in refused.stderr

    done = run_guard('clean', root, '--force', '--no-fix')
    assert done.returncode == 0, done.stderr
    qid = done.stdout.split('Undo with: guard restore ')[1].split()[1]
    assert not (root / 'pyvenv.cfg').exists() and (root / 'bin/deploy.sh').exists()
    assert not (root / '.env.example').exists()

    listing = run_guard('clean', root, '--list')
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[1].split()[0] == qid and 'quarantined' in listing.stdout

    write(root, 'pyvenv.cfg', 'reappeared\n')
    clash = run_guard('restore', qid, '--root', root, '--force')
    assert clash.returncode == 2
    assert clash.stderr == (
        f'guard: error: refusing to restore {qid}: these paths exist again and would be '
        'overwritten: pyvenv.cfg; move them away first\n'
    )
    (root / 'pyvenv.cfg').unlink()

    restored = run_guard('restore', '--root', root, '--force')
    assert restored.returncode == 0, restored.stderr
    assert {k: v for k, v in snapshot(root).items() if not k.startswith('.guard')} == before

    kinds = [e['kind'] for e in json.loads(run_guard('history', '--json', root).stdout)]
    assert kinds == ['restore', 'clean']


def test_clean_fix_writes_env_example_and_gitignore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))
    root = tmp_path / 'proj'
    write(root, '.env', 'A=1\nB=2\n')
    result = run_guard('clean', root, '--force', '--fix')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ['Wrote .gitignore.', 'Wrote .env.example.']
    assert (root / '.env.example').read_text().splitlines()[1:] == ['A=', 'B=']
    assert (root / '.gitignore').read_text().splitlines()[1:] == ['.venv/', '.env']


def test_history_with_nothing_recorded(tmp_path: Path) -> None:
    result = run_guard('history', env={'GUARD_STATE_DIR': str(tmp_path / 'empty')})
    assert (result.returncode, result.stdout) == (0, 'No recorded events.\n')
    bad = run_guard('history', '--limit', '0')
    assert bad.returncode == 2 and 'must be from 1 to' in bad.stderr


def test_terminal_no_answer_changes_nothing_and_yes_purges(root: Path) -> None:
    state = tree_hash(root)
    code, output = on_tty(['purge', str(root)], answers(b'n'))
    assert code == 2
    # (The terminal may or may not have echoed the answer by the time guard replies.)
    assert 'Purge the paths above? [y/N] ' in output
    assert output.endswith('guard: error: purge: cancelled, nothing was changed\n')
    assert tree_hash(root) == state
    code, output = on_tty(['purge', str(root)], answers(b'y'))
    assert code == 0, output
    assert 'Protected paths: 7 checked, all unchanged.' in output
    assert not (root / 'logs/app.log').exists()


def test_full_asks_a_second_time(root: Path, tmp_path: Path) -> None:
    write(root, 'guard.toml', "[purge]\nfull = ['true']\n")
    trust(root)
    state = tree_hash(root)
    code, output = on_tty(['purge', str(root), '--full'], answers(b'y', b'n'))
    assert code == 2
    assert '--full also runs: true. This destroys data. Run it? [y/N] ' in output
    assert output.endswith('guard: error: run the --full commands: cancelled, nothing was changed\n')
    assert tree_hash(root) == state


def test_clean_of_a_committed_venv_says_how_to_untrack_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))
    root = tmp_path / 'proj'
    write(root, 'bin/deploy.sh', '#!/bin/sh\n')
    write(root, 'src/app.py', 'print(1)\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    [site] = (root / 'lib').glob('python*/site-packages')
    write(site, 'mod.py', 'x = 1\n')
    git(root, 'init', '-q')
    # Committed by mistake: bin/, lib/ and pyvenv.cfg, not include/ (an empty folder) nor lib64.
    git(root, 'add', 'bin', 'lib', 'pyvenv.cfg', 'src')
    git(root, 'commit', '-qm', f'oops {secrets.token_hex(3)}')
    tracked_before = set(git(root, 'ls-files').stdout.split())

    done = run_guard('clean', root, '--force', '--no-fix')
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    hint = lines.index(f'These entries are tracked by git; in {root}, untrack them (then commit) with:')
    moved_bin = sorted(p for p in tracked_before if p.startswith('bin/') and p != 'bin/deploy.sh')
    assert lines[hint + 1] == f'  git rm -r --cached {" ".join(moved_bin)} lib pyvenv.cfg'
    # The command works as printed: afterwards git tracks only the project's own files.
    subprocess.run(lines[hint + 1].strip(), shell=True, cwd=root, check=True, capture_output=True)
    assert set(git(root, 'ls-files').stdout.split()) == {'bin/deploy.sh', 'src/app.py'}


def test_clean_of_an_untracked_venv_gives_no_git_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))
    root = tmp_path / 'proj'
    write(root, 'src/app.py', 'print(1)\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    git(root, 'init', '-q')
    done = run_guard('clean', root, '--force', '--no-fix')
    assert done.returncode == 0, done.stderr
    assert 'git rm' not in done.stdout and 'Moved ' in done.stdout
