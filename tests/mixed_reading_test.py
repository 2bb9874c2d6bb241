"""Files no single decoding reads (issue 15, second pass): UTF-8 with UTF-16 appended (PowerShell 5.1's
`>>`), UTF-16 with a junk byte that shifts its alignment, UTF-16 then UTF-8; and env files whose bytes
are binary or a git-lfs pointer. Generated secrets, prefixes, byte orders and alignments; the scanner
is the real one, the repositories and hooks are real.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard
from support import write

from guard.git import text
from guard.rules import CONTENT_RULES
from guard.scan import content
from guard.scan.result import ScanResult
from guard.scan.scanner import Scanner

SECRETS = st.text('abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789', min_size=14, max_size=24).filter(
    lambda s: any(c.isdigit() for c in s) and any(c.isupper() for c in s) and any(c.islower() for c in s)
)
ORDERS = st.sampled_from(['utf-16-le', 'utf-16-be'])
SCANNER = Scanner([r.id for r in CONTENT_RULES])


def _mixed(secret: str, prefix_lines: int, order: str, junk: int, tail_lines: int, head16: bool) -> tuple[bytes, int]:
    """A file and the 1-based line of its secret: UTF-8 (or UTF-16) lines, `junk` stray bytes, the secret's
    line in UTF-16 of `order`, then UTF-8 lines."""
    head = ''.join(f'# setting {i}\nDEBUG = False\n' for i in range(prefix_lines))
    line = f'DB_PASSWORD = "{secret}"\n'
    tail = ''.join(f'# trailing {i}\n' for i in range(tail_lines))
    data = (head.encode(order) if head16 else head.encode()) + b'A' * junk + line.encode(order) + tail.encode()
    return data, head.count('\n') + 1


def _found(data: bytes, path: str = 'settings.py') -> ScanResult:
    result = ScanResult('.')
    content.scan_data(path, data, SCANNER, result)
    return result


@settings(max_examples=60, deadline=None)
@given(
    secret=SECRETS,
    prefix_lines=st.integers(0, 300),
    order=ORDERS,
    junk=st.integers(0, 3),
    tail_lines=st.integers(0, 50),
    head16=st.booleans(),
)
def test_a_utf16_run_anywhere_is_read_and_its_secret_found_on_its_line(
    secret: str, prefix_lines: int, order: str, junk: int, tail_lines: int, head16: bool
) -> None:
    data, line = _mixed(secret, prefix_lines, order, junk, tail_lines, head16)
    assert any(f'"{secret}"' in t for t in text.decode_all(data))
    result = _found(data)
    assert [f.line for f in result.findings if f.rule == 'generic-secret'] == [line]
    assert not result.skipped


@settings(max_examples=30, deadline=None)
@given(secret=SECRETS, order=ORDERS, lines=st.integers(1, 200))
def test_utf16_then_utf8_reads_the_utf8_part_too(secret: str, order: str, lines: int) -> None:
    head = ''.join(f'# x {i}\n' for i in range(lines)).encode(order)
    data = head + f'DB_PASSWORD = "{secret}"\n'.encode()
    result = _found(data)
    assert [f.line for f in result.findings if f.rule == 'generic-secret'] == [lines + 1]


def test_utf16_strings_in_an_executable_do_not_make_it_text() -> None:
    data = b'\x7fELF' + bytes(range(256)) * 8 + 'DB_PASSWORD = "Xk9pQ2mZ7wLrTb"'.encode('utf-16-le') + bytes(range(256))
    assert text.decode_all(data) == []


def test_reading_the_runs_is_linear() -> None:
    """x4 input, at most x5 CPU time (process_time, best of five, interleaved): one regex pass per byte order."""

    def build(n: int) -> bytes:
        return b''.join(b'# utf-8 line\n' + 'PS>> appended line\n'.encode('utf-16-le') + b'\x00' for _ in range(n))

    small, large = build(5000), build(20000)
    text.decode_all(small)
    firsts, seconds = [], []
    for _ in range(5):
        start = time.process_time()
        text.decode_all(small)
        firsts.append(time.process_time() - start)
        start = time.process_time()
        text.decode_all(large)
        seconds.append(time.process_time() - start)
    assert min(seconds) <= 5 * min(firsts), (min(firsts), min(seconds))


def test_the_attack_files_are_reported_and_the_commit_blocked(git_repo: Path) -> None:
    """The three files of the attack (findings15b/02), with the commit hook on them."""
    secret = 'Xk9pQ2mZ7wLrTb'
    sec = f'DB_PASSWORD = "{secret}"\n'
    write(git_repo, 'settings.py', ('# settings\nDEBUG = False\n' * 40).encode() + sec.encode('utf-16-le'))
    body = ('# comment line\n' * 20).encode('utf-16-le')
    write(git_repo, 'shifted.py', b'\xff\xfe' + body + b'A' + sec.encode('utf-16-le'))
    write(git_repo, 'u16then8.py', ('# x\n' * 2500).encode('utf-16-le') + sec.encode())
    git(git_repo, 'add', '-A')
    scan = run_guard('scan', git_repo, '--no-color', '--no-baseline')
    assert scan.returncode == 1
    for name in ('settings.py', 'shifted.py', 'u16then8.py'):
        assert any(line.startswith(f'{name}:') and 'generic-secret' in line for line in scan.stdout.splitlines())
    assert secret not in scan.stdout + scan.stderr
    hook = run_guard('hook', 'pre-commit', cwd=git_repo)
    assert hook.returncode == 1 and secret not in hook.stdout + hook.stderr


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nuls=st.integers(1, 4096), folder=st.from_regex(r'[a-z]{1,8}', fullmatch=True))
def test_an_env_file_is_reported_whatever_its_bytes(git_repo: Path, nuls: int, folder: str) -> None:
    """NULs before the assignments (binary to the reader) and an exact git-lfs pointer: both are env files."""
    tag = os.urandom(3).hex()
    write(git_repo, f'{folder}{tag}/.env', b'\x00' * nuls + b'DB_PASSWORD=Xk9pQ2mZ7wLrTb\n')
    oid = os.urandom(32).hex().encode()
    write(git_repo, f'lfs{tag}/.env', b'version https://git-lfs.github.com/spec/v1\noid sha256:' + oid + b'\nsize 27\n')
    git(git_repo, 'add', '-A')
    scan = run_guard('scan', git_repo, '--no-color', '--no-baseline')
    for path in (f'{folder}{tag}/.env', f'lfs{tag}/.env'):
        assert any(line.startswith(f'{path}: error env-file') for line in scan.stdout.splitlines()), scan.stdout
    assert run_guard('hook', 'pre-commit', cwd=git_repo).returncode == 1
    git(git_repo, 'rm', '-rqf', f'{folder}{tag}', f'lfs{tag}')
