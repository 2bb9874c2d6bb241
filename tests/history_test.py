"""Scanning git history: ranges, all refs, push updates; each finding once, at the commit that added it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import git
from support import run_guard
from support import write

from guard import config as config_module
from guard.errors import UsageError
from guard.git.revisions import PushUpdate
from guard.git.revisions import parse_push_lines
from guard.git.revisions import push_revisions
from guard.scan import blobs
from guard.scan import history
from guard.scan.engine import ScanResult
from guard.scan.lines import added_line_numbers

# Assembled at run time so this file is not itself a secret to any scanner.
DB_PASSWORD = 'Zq8v' + '2LmP9xTw4'
DB_URL = f'postgresql://app:{DB_PASSWORD}@db.internal:5432/prod'
AWS_KEY = 'AKIA' + 'Z2RJ7QWNPL4XT3VB'
ZERO = '0' * 40


def commit(repo: Path, files: dict[str, str], message: str = 'c') -> str:
    for rel, text in files.items():
        write(repo, rel, text)
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '--no-verify', '-m', message)
    return git(repo, 'rev-parse', 'HEAD').stdout.strip()


def scan(repo: Path, revisions: list[str], **kwargs: object) -> ScanResult:
    return history.scan_revisions(config_module.load(repo.resolve()), revisions, **kwargs)  # type: ignore[arg-type]


def found(result: ScanResult) -> set[tuple[str, str, int | None]]:
    return {(f.path, f.rule, f.line) for f in result.findings}


def test_a_secret_is_reported_once_at_the_commit_that_added_it(git_repo: Path) -> None:
    commit(git_repo, {'app.py': 'import os\n'})
    added = commit(git_repo, {'app.py': f'import os\nURL = "{DB_URL}"\n'})
    commit(git_repo, {'app.py': f'import os\nURL = "{DB_URL}"\nDEBUG = True\n'})  # touches the file again
    commit(git_repo, {'app.py': 'import os\nDEBUG = True\n'})  # removes it: still in history
    result = scan(git_repo, ['--all'])
    assert found(result) == {(f'{added[:12]}:app.py', 'database-url-password', 2)}
    assert DB_PASSWORD not in result.findings[0].excerpt


def test_env_file_added_then_deleted_and_a_range(git_repo: Path) -> None:
    base = commit(git_repo, {'README.md': 'hello\n'})
    leak = commit(git_repo, {'.env': f'DATABASE_URL={DB_URL}\n'})
    (git_repo / '.env').unlink()
    commit(git_repo, {'conf.json': '{"host": "192.168.86.42"}\n'})
    result = scan(git_repo, [f'{base}..HEAD'])
    tip = git(git_repo, 'rev-parse', 'HEAD').stdout.strip()
    assert found(result) == {
        (f'{leak[:12]}:.env', 'env-file', None),
        (f'{leak[:12]}:.env', 'database-url-password', 1),
        (f'{tip[:12]}:conf.json', 'hardcoded-ipv4', 1),
    }
    assert found(scan(git_repo, [f'{leak}..HEAD'])) == {(f'{tip[:12]}:conf.json', 'hardcoded-ipv4', 1)}


def test_a_merge_is_blamed_only_for_what_its_resolution_added(git_repo: Path) -> None:
    commit(git_repo, {'shared.py': 'A = 1\n'})
    git(git_repo, 'checkout', '-q', '-b', 'topic')
    topic = commit(git_repo, {'shared.py': 'A = 2\n', 'topic.py': f'KEY = "{AWS_KEY}"\n'})
    git(git_repo, 'checkout', '-q', 'main')
    commit(git_repo, {'shared.py': 'A = 3\n'})
    git(git_repo, 'merge', '-q', 'topic', check=False)
    merge = commit(git_repo, {'shared.py': f'A = 4\nURL = "{DB_URL}"\n'}, 'merge')
    assert found(scan(git_repo, ['--all'])) == {
        (f'{topic[:12]}:topic.py', 'aws-access-key-id', 1),
        (f'{merge[:12]}:shared.py', 'database-url-password', 2),
    }


def test_parallel_and_serial_scans_agree(git_repo: Path) -> None:
    files = {f'pkg/m{i}.py': f'VALUE_{i} = {i}\n' for i in range(blobs.PARALLEL_MIN_BLOBS + 20)}
    files['pkg/m7.py'] = f'URL = "{DB_URL}"\n'
    files['pkg/m99.py'] = 'HOME = "/home/alice/proj/data"\n'
    commit(git_repo, files)
    seen: list[tuple[int, int]] = []
    serial = scan(git_repo, ['--all'], jobs=1)
    parallel = scan(git_repo, ['--all'], jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert found(serial) == found(parallel) and len(found(serial)) == 2
    assert parallel.files_scanned == serial.files_scanned == len(files)
    assert seen[-1] == (len(files), len(files))


def test_committed_venv_and_baseline(git_repo: Path) -> None:
    commit(
        git_repo,
        {
            'tools/venv/pyvenv.cfg': 'home = /usr/bin\n',
            'tools/venv/lib/python3.11/site-packages/x.py': f'KEY = "{AWS_KEY}"\n',
        },
    )
    commit(git_repo, {'tools/venv/lib/python3.11/site-packages/y.py': 'y = 1\n'})
    commit(git_repo, {'tools/venv/bin/tool': f'#!/bin/sh\nKEY={AWS_KEY}\n'})  # nothing here says "venv"
    result = scan(git_repo, ['--all'])
    assert [(f.rule, f.path.split(':', 1)[1]) for f in result.findings] == [('venv-committed', 'tools/venv/')]
    commit(git_repo, {'app.py': f'URL = "{DB_URL}"\n'})
    proc = run_guard('baseline', git_repo, '--only', 'secret')
    assert proc.returncode == 0, proc.stderr
    assert scan(git_repo, ['--all'], only=['secret']).findings == []
    # With the venv rule off, the environment's files are committed code like any other: read.
    assert {
        (f.rule, f.path.split(':', 1)[1])
        for f in scan(git_repo, ['--all'], only=['secret'], use_baseline=False).findings
    } == {
        ('database-url-password', 'app.py'),
        ('aws-access-key-id', 'tools/venv/lib/python3.11/site-packages/x.py'),
        ('aws-access-key-id', 'tools/venv/bin/tool'),
    }


def test_added_line_numbers_are_the_lines_no_replaced_version_had() -> None:
    old = 'a\nb\nc\n'
    assert added_line_numbers('a\nb\nNEW\nc\n', [old]) == {3}
    assert added_line_numbers('a\nb\nc\n', [old]) == set()
    assert added_line_numbers('c\n  a\r\nb\n', [old]) == set()  # moved, re-indented, CRLF: not new
    # A merge: only lines in neither parent count.
    assert added_line_numbers('x\ny\nz', ['x\n', 'y\n']) == {3}


def test_parse_push_lines() -> None:
    local, remote = 'a' * 40, 'b' * 40
    text = f'refs/heads/main {local} refs/heads/main {remote}\n\nrefs/heads/gone {ZERO} refs/heads/gone {remote}\n'
    assert parse_push_lines(text) == [
        PushUpdate('refs/heads/main', local, 'refs/heads/main', remote),
        PushUpdate('refs/heads/gone', ZERO, 'refs/heads/gone', remote),
    ]
    with pytest.raises(UsageError, match='expected "<local ref> <local sha> <remote ref> <remote sha>"'):
        parse_push_lines('refs/heads/main deadbeef\n')


def test_push_revisions(git_repo: Path) -> None:
    first = commit(git_repo, {'a.py': 'a = 1\n'})
    second = commit(git_repo, {'b.py': 'b = 1\n'})
    update = PushUpdate('refs/heads/main', second, 'refs/heads/main', first)
    assert push_revisions(git_repo, [update]) == [second, '--not', first]
    new_branch = PushUpdate('refs/heads/topic', second, 'refs/heads/topic', ZERO)
    assert push_revisions(git_repo, [new_branch], 'origin') == [second, '--not', '--remotes=origin']
    assert push_revisions(git_repo, [new_branch]) == [second]  # a push to a URL: no ref counts as published
    unknown = PushUpdate('refs/heads/main', second, 'refs/heads/main', 'c' * 40)  # never fetched
    assert push_revisions(git_repo, [unknown], 'origin') == [second, '--not', '--remotes=origin']
    assert push_revisions(git_repo, [unknown], 'or*') == [second]  # a glob would select other remotes' refs
    deletion = PushUpdate('(delete)', ZERO, 'refs/heads/old', first)
    assert push_revisions(git_repo, [deletion]) == []


def test_cli_history_and_range(git_repo: Path) -> None:
    base = commit(git_repo, {'a.py': 'a = 1\n'})
    leak = commit(git_repo, {'b.py': f'KEY = "{AWS_KEY}"\n'})
    proc = run_guard('scan', '--history', '--format', 'json', cwd=git_repo)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [(f['path'], f['rule'], f['line']) for f in report['findings']] == [
        (f'{leak[:12]}:b.py', 'aws-access-key-id', 1)
    ]
    assert AWS_KEY not in proc.stdout
    assert run_guard('scan', '--range', f'{leak}..HEAD', git_repo).returncode == 0
    assert run_guard('scan', '--range', f'{base}..{leak}', git_repo).returncode == 1
    bad = run_guard('scan', '--range', 'nope..HEAD', git_repo)
    assert (
        bad.returncode == 2 and bad.stderr.startswith('guard: error: git log failed:') and 'Traceback' not in bad.stderr
    )
    assert bad.stderr.count('\n') == 1


# Attack 15g finding 09: an address reported once per file hid its second line, which held a credential no
# secret rule knows; the push then offered a skip that pushed it. Tools, options and passwords are generated.
_TOOLS = ['myapp', 'syncer', 'ingest', 'feedctl', 'bridge']
_OPTIONS = ['--frob', '--with', '-k', '--login', '-X']


@pytest.mark.parametrize('seed', range(6))
def test_a_credential_line_is_reported_though_its_address_was_on_an_earlier_line(git_repo: Path, seed: int) -> None:
    import random

    rng = random.Random(seed)
    ip = f'10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}'
    password = ''.join(rng.choice('abcdefghjkmnpqrstuvwxyzABCDEFGH23456789#!') for _ in range(12)) + '7k'
    line = f'{rng.choice(_TOOLS)} {rng.choice(_OPTIONS)} bob:{password} http://{ip}/\n'
    head = commit(git_repo, {'deploy.sh': f'API_HOST={ip}\n' + line})
    result = scan(git_repo, [head])
    second = [f for f in result.findings if f.line == 2]
    assert second and all(f.credential for f in second), result.findings
    assert all(password not in f.excerpt for f in result.findings)
