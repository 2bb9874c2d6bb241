"""Issue 15's inputs that used to pass unseen, each blocked by the commit hook and the pre-push hook.

Real git repositories: the standalone hooks `guard install` puts in place, driven by `git commit` and
`git push`, and the pre-commit framework's entry (`guard hook guard <files>`, as pre-commit runs it,
with PRE_COMMIT_FROM_REF/TO_REF for its pre-push stage). The framework itself is exercised in
tests/hooks_precommit_test.py; here its entry point runs directly, which is the same code path.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
from pathlib import Path

import pytest
from support import git
from support import run_guard
from support import write

from guard.scan import windows

# Assembled at run time so this file is not itself a secret to any scanner.
AWS_KEY = 'AKIA' + 'Z2RJ7QWNPL4XT3VB'
SQL_LINE = "INSERT INTO accounts VALUES ({n}, 'user{n}@example.com', '2024-01-01', {n}.50);\n"


def db_password() -> str:
    return 'Zq8v' + secrets.token_hex(6)


def db_url(password: str) -> str:
    return f'postgresql://app:{password}@db.internal:5432/prod'


def pem_key() -> str:
    body = base64.b64encode(os.urandom(48 * 30)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return '-----BEGIN RSA ' + 'PRIVATE KEY-----\n' + '\n'.join(lines) + '\n-----END RSA ' + 'PRIVATE KEY-----\n'


def sql_dump(size: int, tail: str) -> str:
    """A SQL dump of about `size` characters with `tail` in its last kilobyte."""
    lines = []
    total = 0
    n = 0
    while total < size - 1024:
        line = SQL_LINE.format(n=n)
        lines.append(line)
        total += len(line)
        n += 1
    return ''.join(lines) + tail + '-- end of dump\n' * 20


def across_the_window_edge() -> tuple[str, int]:
    """A 3 MB text whose private key starts just before a window's edge and ends after it; its line."""
    filler = '# padding line for the window\n'
    before = filler * ((windows.SIZE - 600) // len(filler))
    text = before + pem_key() + filler * ((3_000_000 - len(before)) // len(filler))
    return text, before.count('\n') + 1


def across_a_piece_edge() -> tuple[bytes, int]:
    """UTF-16 LE bytes where the 1 MiB read of the stream cuts the AWS key in two; its line."""
    filler = 'x = 1\n'
    secret_line = f'KEY = "{AWS_KEY}"\n'
    chars = (1 << 19) - 10  # UTF-16: two bytes a character; the key straddles byte 1 MiB
    head = filler * (chars // len(filler))
    head += '#' * (chars - len(head)) + '\n'
    text = head + secret_line + filler * 300_000
    return text.encode('utf-16-le'), head.count('\n') + 1


def cases() -> list[tuple[str, str, bytes, str, int | None]]:
    """(case id, path, content, rule expected, line expected (None: a path-level finding))."""
    password = db_password()
    env = f'DATABASE_URL={db_url(password)}\r\nDEBUG=false\r\n'
    window_text, window_line = across_the_window_edge()
    piece_bytes, piece_line = across_a_piece_edge()
    lfs = (
        'version https://git-lfs.github.com/spec/v1\noid sha256:'
        + secrets.token_hex(32)
        + '\nsize 1234\n'
        + f'URL = "{db_url(password)}"\n'
    )
    return [
        ('utf16-le-bom-env', '.env', b'\xff\xfe' + env.encode('utf-16-le'), 'database-url-password', 1),
        ('utf16-le-bom-env-path-rule', '.env', b'\xff\xfe' + env.encode('utf-16-le'), 'env-file', None),
        ('utf16-be-env', 'prod.env', env.encode('utf-16-be'), 'database-url-password', 1),
        (
            'stray-nul',
            'settings.py',
            b'# generated\0\n' + f'URL = "{db_url(password)}"\n'.encode(),
            'database-url-password',
            2,
        ),
        ('fake-lfs-header', 'data.bin', lfs.encode(), 'database-url-password', 4),
        (
            'sql-dump-3mb',
            'dump.sql',
            sql_dump(3_000_000, f"-- dsn: '{db_url(password)}'\n").encode(),
            'database-url-password',
            None,
        ),
        ('key-across-window-edge', 'keys.txt', window_text.encode(), 'private-key', window_line),
        ('key-across-piece-edge', 'big16.txt', piece_bytes, 'aws-access-key-id', piece_line),
        # A byte-order mark that lies: UTF-8 opening with FF FE or FE FF (findings15/10).
        (
            'fake-utf16-le-bom-on-utf8',
            'settings.py',
            b'\xff\xfe' + f' = 1\nURL = "{db_url(password)}"\n'.encode(),
            'database-url-password',
            2,
        ),
        (
            'fake-utf16-be-bom-on-utf8',
            'config.py',
            b'\xfe\xff' + f'\nURL = "{db_url(password)}"\n'.encode(),
            'database-url-password',
            2,
        ),
        # UTF-32 without a mark (iconv -t UTF-32LE, str.encode('utf-32-le')): findings15/11.
        (
            'utf32-le-no-bom',
            'settings.py',
            f'# settings\nURL = "{db_url(password)}"\n'.encode('utf-32-le'),
            'database-url-password',
            2,
        ),
        (
            'utf32-be-no-bom',
            'prod.cfg',
            f'# settings\nURL = "{db_url(password)}"\n'.encode('utf-32-be'),
            'database-url-password',
            2,
        ),
    ]


CASES = cases()


@pytest.fixture
def hooked(git_repo: Path, tmp_path: Path) -> Path:
    """A repository with one clean commit pushed to a bare remote, and guard's standalone hooks installed."""
    write(git_repo, 'README.md', '# demo\n')
    git(git_repo, 'add', '.')
    git(git_repo, 'commit', '-q', '-m', 'init')
    remote = tmp_path / 'remote.git'
    git(tmp_path, 'init', '-q', '--bare', str(remote))
    git(git_repo, 'remote', 'add', 'origin', str(remote))
    git(git_repo, 'push', '-q', 'origin', 'main')
    assert run_guard('install', git_repo).returncode == 0
    return git_repo


def expected_location(path: str, content: bytes, line: int | None) -> str:
    if line is None and path == 'dump.sql':
        line = content.decode().count('\n', 0, content.decode().index('-- dsn:')) + 1
    return f'{path}:{line}:' if line is not None else f'{path}: error env-file'


def commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ['git', 'commit', '-q', '-m', 'change', *args], cwd=repo, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(('path', 'content', 'rule', 'line'), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_blocked_by_the_commit_hook_and_the_pre_push_hook(
    hooked: Path, path: str, content: bytes, rule: str, line: int | None
) -> None:
    write(hooked, path, content)
    git(hooked, 'add', path)
    where = expected_location(path, content, line)
    # The standalone commit hook.
    proc = commit(hooked)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert where in out and rule in out, out
    # The pre-commit framework's commit stage: the staged files by name.
    framework = run_guard('hook', 'guard', path, cwd=hooked)
    assert framework.returncode == 1 and where in framework.stdout, framework.stdout + framework.stderr
    # Committed anyway: the standalone pre-push hook, then the framework's pre-push stage.
    assert commit(hooked, '--no-verify').returncode == 0
    head = git(hooked, 'rev-parse', 'HEAD').stdout.strip()
    push = git(hooked, 'push', 'origin', 'main', check=False)
    assert push.returncode != 0 and 'push blocked' in push.stdout + push.stderr, push.stdout + push.stderr
    assert f'{head[:12]}:{where}' in push.stdout + push.stderr
    remote_head = git(hooked, 'rev-parse', 'origin/main').stdout.strip()
    framework_push = run_guard(
        'hook', 'guard', cwd=hooked, env={'PRE_COMMIT_FROM_REF': remote_head, 'PRE_COMMIT_TO_REF': head}
    )
    assert framework_push.returncode == 1 and f'{head[:12]}:{where}' in framework_push.stdout
    for output in (out, framework.stdout, push.stdout + push.stderr, framework_push.stdout):
        assert AWS_KEY not in output and 'PRIVATE KEY-----\n' not in output


def test_a_staged_file_guard_cannot_read_fails_the_hook_closed(hooked: Path) -> None:
    """An index entry whose blob is not in the object store (a broken index): named, the commit blocked,
    and the setting that lets it through given."""
    oid = git(hooked, 'hash-object', '--stdin', input_text='x = 1\n').stdout.strip()  # not written (-w)
    git(hooked, 'update-index', '--add', '--cacheinfo', f'100644,{oid},ghost.py')
    proc = run_guard('hook', 'pre-commit', cwd=hooked)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert 'guard: not scanned: ghost.py: not in the object store' in out
    assert 'commit blocked: guard could not read ghost.py' in out and '`exclude` in [tool.guard]' in out
    write(hooked, 'guard.toml', 'exclude = ["ghost.py"]\n')
    assert run_guard('hook', 'pre-commit', cwd=hooked).returncode == 0  # the setting relaxes it


def test_a_binary_file_is_named_and_lets_the_commit_through(hooked: Path) -> None:
    write(hooked, 'logo.png', b'\x89PNG\r\n\x1a\n' + os.urandom(4000))
    git(hooked, 'add', 'logo.png')
    proc = run_guard('hook', 'pre-commit', cwd=hooked)
    assert proc.returncode == 0
    assert proc.stdout == 'guard: not scanned: logo.png: binary\n'


def test_a_pushed_blob_guard_cannot_read_fails_the_pre_push_hook_closed(hooked: Path) -> None:
    """A commit whose tree names a blob missing from the object store (`git mktree --missing`): the push
    is blocked with the reason and the setting, before git would try to send it."""
    missing = git(hooked, 'hash-object', '--stdin', input_text='x = 1\n').stdout.strip()  # not written (-w)
    readme = git(hooked, 'rev-parse', 'HEAD:README.md').stdout.strip()
    tree = git(
        hooked, 'mktree', '--missing', input_text=f'100644 blob {readme}\tREADME.md\n100644 blob {missing}\tghost.py\n'
    ).stdout.strip()
    head = git(hooked, 'commit-tree', tree, '-p', 'HEAD', '-m', 'ghost').stdout.strip()
    git(hooked, 'update-ref', 'refs/heads/main', head)
    push = git(hooked, 'push', 'origin', 'main', check=False)
    out = push.stdout + push.stderr
    assert push.returncode != 0, out
    assert f'guard: not scanned: {head[:12]}:ghost.py: not in the object store' in out
    assert 'push blocked: guard could not read' in out and '`exclude` in [tool.guard]' in out
