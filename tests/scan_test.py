"""`guard scan` end to end on real git repositories and plain folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support import git
from support import run_guard
from support import write

# Assembled at run time so this file is not itself a secret to any scanner.
DB_PASSWORD = 'Zq8v' + '2LmP9xTw4'
DB_URL = f'postgresql://app:{DB_PASSWORD}@db.internal:5432/prod'
AWS_KEY = 'AKIA' + 'Z2RJ7QWNPL4XT3VB'


def scan_json(root: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    proc = run_guard('scan', root, '--format', 'json', *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def found(report: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(f['path'], f['rule']) for f in report['findings']}


def test_clean_repo_exits_zero(git_repo: Path) -> None:
    write(git_repo, 'app.py', 'import os\nURL = os.environ["DATABASE_URL"]\n')
    proc = run_guard('scan', git_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith('guard: no findings in 1 file')


def test_tracked_and_untracked_files_are_scanned_ignored_ones_are_not(git_repo: Path) -> None:
    write(git_repo, '.gitignore', 'secret-notes.txt\n')
    write(git_repo, 'tracked.py', f'DB = "{DB_URL}"\n')
    git(git_repo, 'add', 'tracked.py', '.gitignore')
    write(git_repo, 'untracked.json', '{"host": "192.168.86.42"}\n')
    write(git_repo, 'secret-notes.txt', f'{DB_URL}\n')
    code, report = scan_json(git_repo)
    assert code == 1
    paths = {f['path'] for f in report['findings']}
    assert paths == {'tracked.py', 'untracked.json'}


def test_root_venv_is_found_even_when_ignored_and_its_files_are_not_content_scanned(git_repo: Path) -> None:
    write(git_repo, '.gitignore', 'bin/\nlib/\nlib64\ninclude/\npyvenv.cfg\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(git_repo)], check=True)
    write(git_repo, 'lib/python3.11/site-packages/leak.py', f'URL = "{DB_URL}"\n')
    code, report = scan_json(git_repo)
    assert code == 1
    assert [f['rule'] for f in report['findings']] == ['venv-root']
    assert 'ignored paths included' in ' '.join(report['summary']['notes'])


def test_outside_git_the_tree_is_walked_and_subfolder_venvs_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, 'conf/app.yaml', 'host: 10.1.2.3\n')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(tmp_path / '.venv')], check=True)
    write(tmp_path, '.venv/lib/python3.11/site-packages/x.py', 'H = "10.9.9.9"\n')
    code, report = scan_json(tmp_path)
    assert code == 1
    assert found(report) == {('conf/app.yaml', 'hardcoded-ipv4')}


def test_symlinks_are_never_followed_out_of_the_root(tmp_path: Path) -> None:
    outside = tmp_path / 'outside'
    write(outside, 'creds.py', f'URL = "{DB_URL}"\n')
    root = tmp_path / 'root'
    write(root, 'ok.py', 'x = 1\n')
    os.symlink(outside / 'creds.py', root / 'link.py')
    os.symlink(outside, root / 'linkdir')
    code, report = scan_json(root)
    assert code == 0 and report['findings'] == []


def test_binary_large_and_undecodable_files(tmp_path: Path) -> None:
    write(tmp_path, 'image.bin', b'\x89PNG\0\0\1\2\3\4' + AWS_KEY.encode())  # a tenth control bytes: no text
    write(tmp_path, 'big.txt', 'x' * 3000 + f'\nkey = {AWS_KEY}\n')
    write(tmp_path, 'latin.cfg', b'name = caf\xe9\nhost = 10.20.30.40\n')
    code, report = scan_json(tmp_path, '--max-file-size', '2000')
    # Over max-file-size: streamed and scanned, not skipped.
    assert found(report) == {('latin.cfg', 'hardcoded-ipv4'), ('big.txt', 'aws-access-key-id')}
    assert report['summary']['skipped'] == [{'path': 'image.bin', 'reason': 'binary'}]  # named, binary too
    assert report['summary']['binary_skipped'] == 1


def test_inline_markers(tmp_path: Path) -> None:
    write(
        tmp_path,
        'a.py',
        '\n'.join(
            [
                'HOST = "10.0.0.1"  # guard: allow',
                'HOST2 = "10.0.0.2"  # guard: allow hardcoded-ipv4',
                'HOST3 = "10.0.0.3"  # guard: allow home-path',
                f'URL = "{DB_URL}"  # pragma: allowlist secret',
                f'URL2 = "{DB_URL}"  # gitleaks:allow',
                '# pragma: allowlist nextline secret',
                f'URL3 = "{DB_URL}"',
                'HOST4 = "10.0.0.4"  # pragma: allowlist secret',
            ]
        )
        + '\n',
    )
    code, report = scan_json(tmp_path)
    assert sorted(f['line'] for f in report['findings']) == [3, 8]
    assert report['summary']['suppressed_inline'] == 5


def test_exclude_and_disable_from_config(tmp_path: Path) -> None:
    write(tmp_path, 'pyproject.toml', '[tool.guard]\nexclude = ["fixtures/"]\ndisable = ["abs-path"]\n')
    write(tmp_path, 'fixtures/hosts.txt', '10.0.0.9\n')
    write(tmp_path, 'app.py', 'P = "/home/alice/data"\nH = "10.0.0.8"\n')
    code, report = scan_json(tmp_path)
    assert found(report) == {('app.py', 'hardcoded-ipv4')}


def test_scan_of_a_subpath_only_reports_that_path(git_repo: Path) -> None:
    write(git_repo, 'a/one.py', 'H = "10.0.0.1"\n')
    write(git_repo, 'b/two.py', 'H = "10.0.0.2"\n')
    code, report = scan_json(git_repo / 'a')
    assert found(report) == {('a/one.py', 'hardcoded-ipv4')}


def test_baseline_accepts_current_findings_and_reports_new_ones(git_repo: Path) -> None:
    write(git_repo, 'app.py', f'H = "10.0.0.1"\nURL = "{DB_URL}"\n')
    proc = run_guard('baseline', git_repo)
    assert proc.returncode == 0, proc.stderr
    baseline_text = (git_repo / '.guard-baseline.json').read_text()
    assert DB_PASSWORD not in baseline_text
    assert scan_json(git_repo)[0] == 0

    # Moving code (new line numbers) keeps it accepted.
    write(git_repo, 'app.py', f'\n\n# moved\nURL = "{DB_URL}"\nH = "10.0.0.1"\n')
    code, report = scan_json(git_repo)
    assert code == 0 and report['summary']['baselined'] == 2

    # A different secret on the accepted line is new; the old fingerprint is now stale.
    other = DB_URL.replace(DB_PASSWORD, 'Xy7' + 'Qw2Er9Ty5')
    write(git_repo, 'app.py', f'URL = "{other}"\nH = "10.0.0.1"\n')
    code, report = scan_json(git_repo)
    assert code == 1
    assert [f['category'] for f in report['findings']] == ['secret']
    assert len(report['summary']['stale_baseline']) == 1
    text = run_guard('scan', git_repo).stdout
    assert 'stale baseline entry' in text


def test_fail_on_threshold(tmp_path: Path) -> None:
    write(tmp_path, 'a.py', 'H = "10.0.0.1"\n')  # a warning
    assert run_guard('scan', tmp_path).returncode == 1
    assert run_guard('scan', tmp_path, '--fail-on', 'error').returncode == 0
    write(tmp_path, 'guard.toml', 'fail-on = "error"\n')
    assert run_guard('scan', tmp_path).returncode == 0
    assert run_guard('scan', tmp_path, env={'GUARD_FAIL_ON': 'warning'}).returncode == 1


def test_many_files_use_worker_processes_with_the_same_result(tmp_path: Path) -> None:
    for i in range(400):
        write(tmp_path, f'pkg/m{i:03}.py', f'H = "10.0.{i // 200}.{i % 200 + 1}"\n' if i % 50 == 0 else 'x = 1\n')
    _, serial = scan_json(tmp_path, '--jobs', '1')
    _, parallel = scan_json(tmp_path, '--jobs', '2')
    assert serial['findings'] == parallel['findings']
    assert len(serial['findings']) == 8 and serial['summary']['files_scanned'] == 400
