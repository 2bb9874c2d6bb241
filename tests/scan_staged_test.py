"""The index reader: what the next commit holds, on real git repositories, edge cases included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard
from support import write

from guard import config as config_module
from guard.git import plumbing as git_plumbing
from guard.git.blobs import BlobReader
from guard.scan import engine
from guard.scan import staged
from guard.scan.engine import ScanResult

# Assembled at run time so this file is not itself a secret to any scanner.
DB_PASSWORD = 'Zq8v' + '2LmP9xTw4'
DB_URL = f'postgresql://app:{DB_PASSWORD}@db.internal:5432/prod'
AWS_KEY = 'AKIA' + 'Z2RJ7QWNPL4XT3VB'
LFS_POINTER = (
    'version https://git-lfs.github.com/spec/v1\n'
    'oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n'
)


def scan(repo: Path, paths: list[str] | None = None, **kwargs: object) -> ScanResult:
    located = git_plumbing.locate(repo)
    return staged.scan_staged(config_module.load(located.root), located, paths=paths, **kwargs)  # type: ignore[arg-type]


def found(result: ScanResult) -> set[tuple[str, str, int | None]]:
    return {(f.path, f.rule, f.line) for f in result.findings}


def commit(repo: Path, message: str = 'c') -> None:
    git(repo, 'commit', '-q', '--no-verify', '-m', message)


def test_first_commit_without_head(git_repo: Path) -> None:
    write(git_repo, 'app.py', f'URL = "{DB_URL}"\n')
    git(git_repo, 'add', 'app.py')
    assert git(git_repo, 'rev-parse', '--verify', '-q', 'HEAD', check=False).returncode != 0
    assert found(scan(git_repo)) == {('app.py', 'database-url-password', 1)}


def test_the_index_is_scanned_not_the_working_tree(git_repo: Path) -> None:
    write(git_repo, 'staged.py', f'URL = "{DB_URL}"\n')
    write(git_repo, 'unstaged.py', 'x = 1\n')
    git(git_repo, 'add', 'staged.py', 'unstaged.py')
    write(git_repo, 'staged.py', 'URL = None\n')  # deleted from the working file, still staged
    write(git_repo, 'unstaged.py', f'URL = "{DB_URL}"\n')  # only in an unstaged change
    assert found(scan(git_repo)) == {('staged.py', 'database-url-password', 1)}


def test_deleted_files_are_not_scanned_and_renames_are_judged_at_their_new_path(git_repo: Path) -> None:
    write(git_repo, 'old.py', f'URL = "{DB_URL}"\n')
    write(git_repo, 'gone.py', f'KEY = "{AWS_KEY}"\n')
    git(git_repo, 'add', '.')
    commit(git_repo)
    git(git_repo, 'mv', 'old.py', 'new.py')
    git(git_repo, 'rm', '-q', 'gone.py')
    entries = git_plumbing.staged_entries(git_plumbing.locate(git_repo))
    assert [e.path for e in entries] == ['new.py']
    assert found(scan(git_repo, whole_files=True)) == {('new.py', 'database-url-password', 1)}
    assert found(scan(git_repo)) == set()  # a rename adds no line (hook-scope = "lines")


def test_binary_crlf_and_unusual_names(git_repo: Path) -> None:
    write(git_repo, 'blob.bin', b'\0\1\2\3\4\5\6\7' + AWS_KEY.encode())  # controls, not just NULs: binary
    write(git_repo, 'win.ini', f'[db]\r\nurl = {DB_URL}\r\n'.encode())
    write(git_repo, 'dir with space/naïve config.json', '{"host": "192.168.86.42"}\n')
    git(git_repo, 'add', '.')
    result = scan(git_repo)
    assert found(result) == {
        ('win.ini', 'database-url-password', 2),
        ('dir with space/naïve config.json', 'hardcoded-ipv4', 1),
    }
    crlf = next(f for f in result.findings if f.path == 'win.ini')
    assert not crlf.excerpt.endswith('\r') and DB_PASSWORD not in crlf.excerpt
    assert [(s.path, s.reason) for s in result.skipped] == [('blob.bin', 'binary')]


def test_submodule_gitlinks_lfs_pointers_and_symlinks(git_repo: Path) -> None:
    other = git_repo.parent / 'other'
    other.mkdir()
    git(other, 'init', '-q')
    write(other, 'x.py', 'x = 1\n')
    git(other, 'add', '.')
    commit(other)
    sha = git(other, 'rev-parse', 'HEAD').stdout.strip()
    git(git_repo, 'update-index', '--add', '--cacheinfo', f'160000,{sha},vendor/sub')
    write(git_repo, 'data/model.bin', LFS_POINTER)
    os.symlink('/home/alice/proj/creds.py', git_repo / 'creds-link')
    git(git_repo, 'add', 'data/model.bin', 'creds-link')
    result = scan(git_repo)
    assert result.findings == []  # a link's target is not file content; a pointer's hash is not a secret
    assert [(s.path, s.reason) for s in result.skipped] == [
        ('data/model.bin', 'a git-lfs pointer (the content lives in LFS storage)')
    ]
    assert result.files_scanned == 0


def test_from_a_subdirectory(git_repo: Path) -> None:
    write(git_repo, 'pkg/deep/settings.py', f'URL = "{DB_URL}"\n')
    git(git_repo, 'add', '.')
    located = git_plumbing.locate(git_repo / 'pkg' / 'deep')
    assert located.root == str(git_repo.resolve())
    proc = run_guard('scan', '--staged', '--format', 'json', cwd=git_repo / 'pkg' / 'deep')
    assert proc.returncode == 1, proc.stderr
    assert '"path": "pkg/deep/settings.py"' in proc.stdout


def test_outside_a_repository_is_a_one_line_error(tmp_path: Path) -> None:
    proc = run_guard('scan', '--staged', tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f'guard: error: {tmp_path} is not inside a git work tree')
    assert 'Traceback' not in proc.stderr


def test_merge_scans_only_what_differs_from_every_parent(git_repo: Path) -> None:
    write(git_repo, 'shared.py', 'A = 1\n')
    git(git_repo, 'add', '.')
    commit(git_repo)
    git(git_repo, 'checkout', '-q', '-b', 'topic')
    write(git_repo, 'shared.py', 'A = 2\n')
    write(git_repo, 'from_topic.py', f'KEY = "{AWS_KEY}"\n')  # already in a commit: the push hook's job
    git(git_repo, 'add', '.')
    commit(git_repo)
    git(git_repo, 'checkout', '-q', 'main')
    write(git_repo, 'shared.py', 'A = 3\n')
    git(git_repo, 'add', '.')
    commit(git_repo)
    assert git(git_repo, 'merge', '-q', 'topic', check=False).returncode != 0  # a conflict in shared.py
    write(git_repo, 'shared.py', f'A = 4\nURL = "{DB_URL}"\n')  # the resolution adds a secret
    git(git_repo, 'add', 'shared.py')
    located = git_plumbing.locate(git_repo)
    assert len(located.merge_heads) == 1
    assert found(scan(git_repo)) == {('shared.py', 'database-url-password', 2)}


def test_staged_root_venv_is_reported_with_how_to_unstage_and_not_content_scanned(git_repo: Path) -> None:
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(git_repo)], check=True)
    write(git_repo, 'lib/python3.11/site-packages/leak.py', f'URL = "{DB_URL}"\n')
    write(git_repo, 'tools/venv/pyvenv.cfg', 'home = /usr/bin\n')
    write(git_repo, 'tools/venv/lib/python3.11/site-packages/y.py', f'KEY = "{AWS_KEY}"\n')
    write(git_repo, 'app.py', 'x = 1\n')
    git(git_repo, 'add', '-A')
    result = scan(git_repo)
    assert sorted(f.rule for f in result.findings) == ['venv-committed', 'venv-root']
    root_venv = next(f for f in result.findings if f.rule == 'venv-root')
    assert 'pyvenv.cfg' in root_venv.entries and 'lib' in root_venv.entries
    assert '.gitignore' in root_venv.fix and 'git rm -r --cached' in root_venv.fix
    nested = next(f for f in result.findings if f.rule == 'venv-committed')
    assert nested.path == 'tools/venv/' and 'git rm -r --cached tools/venv' in nested.fix
    assert result.files_scanned == 1  # app.py only: nothing inside an environment is read


# Where an environment's files sit, and which of them holds the secret.
_VENV_LAYOUTS = {
    'root': (['pyvenv.cfg', 'bin/activate'], ['lib/python3.11/site-packages/acme/settings.py', 'bin/tool']),
    'root-lib-only': ([], ['lib/python3.12/site-packages/acme/settings.py', 'Lib/site-packages/w.py']),
    'nested': (['tools/env/pyvenv.cfg'], ['tools/env/lib/python3.11/site-packages/x.py', 'tools/env/bin/run']),
}
_RULE_CHOICES = [(), ('venv',), ('venv-root',), ('venv-committed',)]


@settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layout=st.sampled_from(sorted(_VENV_LAYOUTS)),
    pick=st.integers(0, 1),
    disabled=st.sampled_from(_RULE_CHOICES),
    only_secrets=st.booleans(),
)
def test_an_environments_files_go_unread_only_while_a_finding_names_it(
    tmp_path_factory: pytest.TempPathFactory, layout: str, pick: int, disabled: tuple[str, ...], only_secrets: bool
) -> None:
    """Issue 15 finding 14: with the venv rule off (`disable`, `--only secret`, the secrets hook alone)
    a password under the root's lib/pythonX.Y/site-packages was neither read nor named. Whatever the
    layout and the rules, the secret is found, or a reported venv finding names the folder it is in;
    staged and on disk alike."""
    repo = tmp_path_factory.mktemp('venv') / 'repo'
    repo.mkdir()
    git(repo, 'init', '-q')
    markers, holders = _VENV_LAYOUTS[layout]
    for marker in markers:
        write(repo, marker, 'home = /usr/bin\n' if marker.endswith('.cfg') else '# activate\n')
    holder = holders[pick]
    write(repo, holder, f'KEY = "{AWS_KEY}"\n')
    if disabled:
        write(repo, 'pyproject.toml', f'[tool.guard]\ndisable = {list(disabled)!r}\n'.replace("'", '"'))
    git(repo, 'add', '-A')
    only = ['secret'] if only_secrets else []
    located = git_plumbing.locate(repo)
    config = config_module.load(located.root)
    for result in (
        staged.scan_staged(config, located, only=only),
        engine.scan_worktree(config, only=only),
    ):
        secret = any(f.path.endswith(holder) and f.category == 'secret' for f in result.findings)
        named = any(
            holder == entry or holder.startswith(entry + '/')
            for f in result.findings
            if f.rule in ('venv-root', 'venv-committed')
            for entry in f.entries
        )
        assert secret or named, (layout, holder, disabled, only, [(f.rule, f.path) for f in result.findings])


def test_paths_as_pre_commit_passes_them_are_read_from_the_index(git_repo: Path) -> None:
    write(git_repo, 'a.py', f'URL = "{DB_URL}"\n')
    write(git_repo, 'b.py', f'URL = "{DB_URL}"\n')
    git(git_repo, 'add', '.')
    write(git_repo, 'a.py', 'URL = None\n')
    write(git_repo, 'untracked.py', f'KEY = "{AWS_KEY}"\n')  # e.g. `pre-commit run --files untracked.py`
    assert found(scan(git_repo, ['a.py', 'untracked.py'])) == {
        ('a.py', 'database-url-password', 1),
        ('untracked.py', 'aws-access-key-id', 1),
    }


@pytest.mark.parametrize('count', [3, git_plumbing.PATHSPEC_MAX + 5])
def test_index_lookup_takes_names_literally(git_repo: Path, count: int) -> None:
    names = ['[ab].py', '*.py', 'a.py'] + [f'f{i}.py' for i in range(count - 3)]
    for name in names:
        write(git_repo, name, f'# {name}\n')
    git(git_repo, 'add', '--', *names)
    entries = git_plumbing.index_entries(git_repo, ['[ab].py', '*.py', 'missing.py'])
    assert sorted(entries) == ['*.py', '[ab].py']
    with BlobReader(git_repo) as reader:
        assert reader.read([entries['*.py'].oid]) == {entries['*.py'].oid: b'# *.py\n'}


def test_parse_raw_understands_plain_and_combined_records() -> None:
    a, b, c = 'a' * 40, 'b' * 40, 'c' * 40
    zero = '0' * 40
    out = (
        f'{c}\0\n:000000 100644 {zero} {a} A\0new.py\0:100644 000000 {a} {zero} D\0gone.py\0'
        f'{b}\0\n::100644 100644 100644 {a} {b} {c} MM\0merged.py\0'
    ).encode()
    assert list(git_plumbing.parse_raw(out)) == [
        (c, None),
        (c, git_plumbing.Entry('new.py', '100644', a)),
        (b, None),
        (b, git_plumbing.Entry('merged.py', '100644', c, (a, b))),
    ]


def test_a_big_commit_is_scanned_on_every_core_with_the_same_result(git_repo: Path) -> None:
    from guard.scan.engine import PARALLEL_MIN_FILES

    for i in range(PARALLEL_MIN_FILES + 10):
        write(git_repo, f'pkg/m{i}.py', f'VALUE = {i}\n')
    write(git_repo, 'pkg/m42.py', f'URL = "{DB_URL}"\n')
    write(git_repo, 'pkg/blob.bin', b'\0' * 10)
    git(git_repo, 'add', '.')
    located = git_plumbing.locate(git_repo)
    config = config_module.load(located.root)
    parallel = staged.scan_staged(config.replace('test', jobs=2), located)
    serial = staged.scan_staged(config.replace('test', jobs=1), located)
    assert found(parallel) == found(serial) == {('pkg/m42.py', 'database-url-password', 1)}
    assert parallel.files_scanned == serial.files_scanned == PARALLEL_MIN_FILES + 10
    assert parallel.skipped == serial.skipped
