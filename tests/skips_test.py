"""Every file guard did not scan is named in every output format (issue 15): text, JSON, SARIF and the
hook's message. Generated names and contents; real `guard scan` runs on a real git repository."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard
from support import write

NAMES = st.lists(st.from_regex(r'[a-z][a-z0-9_-]{0,11}', fullmatch=True), min_size=1, max_size=30, unique=True)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=NAMES)
def test_every_skipped_file_is_named_in_text_json_and_sarif(git_repo: Path, names: list[str]) -> None:
    folder = f'assets-{os.urandom(4).hex()}'
    for name in names:
        write(git_repo, f'{folder}/{name}.bin', b'\x89PNG\r\n\x1a\n' + os.urandom(300))
    git(git_repo, 'add', '.')
    expected = {f'{folder}/{name}.bin' for name in names}
    text = run_guard('scan', git_repo, '--no-color').stdout
    assert expected <= {
        line[len('skipped ') :].rsplit(': ', 1)[0] for line in text.splitlines() if line.startswith('skipped ')
    }
    report = json.loads(run_guard('scan', git_repo, '--format', 'json').stdout)
    assert expected <= {s['path'] for s in report['summary']['skipped'] if s['reason'] == 'binary'}
    sarif = json.loads(run_guard('scan', git_repo, '--format', 'sarif').stdout)
    (invocation,) = sarif['runs'][0]['invocations']
    named = {
        unquote(n['locations'][0]['physicalLocation']['artifactLocation']['uri'])
        for n in invocation['toolExecutionNotifications']
    }
    assert expected <= named
    assert invocation['executionSuccessful'] is True


def test_the_hook_names_each_skipped_file_even_on_a_clean_commit(git_repo: Path) -> None:
    write(git_repo, 'a.bin', b'\0\1\2\3' * 100)
    pointer = b'version https://git-lfs.github.com/spec/v1\noid sha256:' + b'0' * 64 + b'\nsize 9\n'
    write(git_repo, 'pointer.dat', pointer)
    write(git_repo, 'ok.py', 'x = 1\n')
    git(git_repo, 'add', '.')
    proc = run_guard('hook', 'pre-commit', cwd=git_repo)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        'guard: not scanned: a.bin: binary',
        'guard: not scanned: pointer.dat: a git-lfs pointer (the content lives in LFS storage)',
    ]
