"""Staged and historical blobs are sized (`cat-file --batch-check`) before they are read: one over
max-file-size is named, never loaded. Real git repositories, the hook run as a separate process."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import git
from support import run_guard
from support import write

from guard.git.plumbing import blob_sizes
from guard.rules.secrets.fakes import ALNUM_UPPER
from guard.rules.secrets.fakes import fake

AWS_KEY = fake('AKIA', (ALNUM_UPPER, 16))
MAX_SIZE = 1_000_000
BIG_SIZE = 64 * 1024 * 1024
# Peak memory of the hook and everything it ran, in KiB (Linux ru_maxrss). Reading the big blob
# once costs 64 MiB more than this; a hook that never reads it stays far below.
RSS_BOUND_KIB = 56 * 1024

# Runs the hook as its child and reports the largest peak resident size among its descendants.
MEASURE = '''
import resource, subprocess, sys
proc = subprocess.run([sys.executable, '-m', 'guard', 'hook', 'pre-commit'], capture_output=True, text=True)
sys.stdout.write(proc.stdout + proc.stderr)
print('RC', proc.returncode, 'MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
'''


def big_text() -> bytes:
    """A large file that holds a secret on its first line: read whole, it would be a finding."""
    line = b'value = 1234567890  # padding\n'
    return f'KEY = "{AWS_KEY}"\n'.encode() + line * (BIG_SIZE // len(line))


def configured_repo(repo: Path) -> Path:
    write(repo, 'guard.toml', f'max-file-size = {MAX_SIZE}\n')
    write(repo, 'big/data.py', big_text())
    write(repo, 'small.py', 'import os\n')
    git(repo, 'add', 'guard.toml', 'big/data.py', 'small.py')
    return repo


def test_the_hook_names_an_oversized_staged_file_without_reading_it(git_repo: Path) -> None:
    configured_repo(git_repo)
    proc = subprocess.run([sys.executable, '-c', MEASURE], cwd=git_repo, capture_output=True, text=True, timeout=300)
    output, _, tail = proc.stdout.rpartition('RC ')
    rc, _, maxrss = tail.split()
    assert int(rc) == 0, output  # skipped is not a finding
    assert output.splitlines() == [
        f'guard: not scanned: big/data.py: larger than max-file-size ({len(big_text()):,} > {MAX_SIZE:,} bytes)']
    assert int(maxrss) < RSS_BOUND_KIB, f'peak {int(maxrss) // 1024} MiB: the blob was read'


def test_git_reports_sizes_without_contents(git_repo: Path) -> None:
    configured_repo(git_repo)
    oids = {}
    for line in git(git_repo, 'ls-files', '--stage').stdout.splitlines():
        meta, path = line.split('\t')
        oids[path] = meta.split()[1]
    sizes = blob_sizes(git_repo, [*oids.values(), '0' * 40])  # a missing object is left out
    assert sizes == {oids['big/data.py']: len(big_text()), oids['small.py']: 10, oids['guard.toml']: 24}


def test_history_skips_an_oversized_blob_and_names_it(git_repo: Path) -> None:
    configured_repo(git_repo)
    git(git_repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'big')
    proc = run_guard('scan', git_repo, '--history', '--format', 'json')
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report['findings'] == []
    (skipped,) = report['summary']['skipped']
    assert skipped['path'].endswith(':big/data.py') and skipped['reason'].startswith('larger than max-file-size')
