"""Files over max-file-size are streamed in pieces and scanned in overlapping windows, never skipped and
never read whole: the secret on a large file's last line is found at its line, in bounded memory.
Real git repositories, the hook run as a separate process whose peak memory is measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import git
from support import run_guard
from support import write

from guard.git.blobs import BlobReader
from guard.rules.secrets.fakes import ALNUM_UPPER
from guard.rules.secrets.fakes import fake

AWS_KEY = fake('AKIA', (ALNUM_UPPER, 16))
MAX_SIZE = 1_000_000
BIG_SIZE = 48 * 1024 * 1024
# Peak memory of the hook and everything it ran, in KiB (Linux ru_maxrss). Reading the big blob
# whole costs 48 MiB (and its text as much again) more than this; a streaming hook stays far below.
RSS_BOUND_KIB = 56 * 1024

# Runs the hook as its child and reports the largest peak resident size among its descendants.
MEASURE = """
import resource, subprocess, sys
proc = subprocess.run([sys.executable, '-m', 'guard', 'hook', 'pre-commit'], capture_output=True, text=True)
sys.stdout.write(proc.stdout + proc.stderr)
print('RC', proc.returncode, 'MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
LINE = b'value = 1234567890  # padding\n'
LINES = BIG_SIZE // len(LINE)


def big_text() -> bytes:
    """A large file that holds a secret on its last line."""
    return LINE * LINES + f'KEY = "{AWS_KEY}"\n'.encode()


def configured_repo(repo: Path) -> Path:
    write(repo, 'guard.toml', f'max-file-size = {MAX_SIZE}\n')
    write(repo, 'big/data.py', big_text())
    write(repo, 'small.py', 'import os\n')
    git(repo, 'add', 'guard.toml', 'big/data.py', 'small.py')
    return repo


def test_the_hook_streams_a_large_staged_file_and_finds_its_last_line(git_repo: Path) -> None:
    configured_repo(git_repo)
    proc = subprocess.run([sys.executable, '-c', MEASURE], cwd=git_repo, capture_output=True, text=True, timeout=600)
    output, _, tail = proc.stdout.rpartition('RC ')
    rc, _, maxrss = tail.split()
    assert int(rc) == 1, output
    assert f'big/data.py:{LINES + 1}:' in output
    assert AWS_KEY not in output
    assert int(maxrss) < RSS_BOUND_KIB, f'peak {int(maxrss) // 1024} MiB: the blob was read whole'


def test_git_reports_sizes_without_contents(git_repo: Path) -> None:
    configured_repo(git_repo)
    oids = {}
    for line in git(git_repo, 'ls-files', '--stage').stdout.splitlines():
        meta, path = line.split('\t')
        oids[path] = meta.split()[1]
    with BlobReader(git_repo) as reader:
        sizes = reader.sizes([*oids.values(), '0' * 40])  # a missing object is left out
    assert sizes == {oids['big/data.py']: len(big_text()), oids['small.py']: 10, oids['guard.toml']: 24}


def test_history_streams_a_large_blob(git_repo: Path) -> None:
    configured_repo(git_repo)
    git(git_repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'big')
    proc = run_guard('scan', git_repo, '--history', '--format', 'json')
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [(f['path'].split(':', 1)[1], f['line']) for f in report['findings']] == [('big/data.py', LINES + 1)]
    assert report['summary']['skipped'] == []
