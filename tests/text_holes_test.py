"""Text is what decodes (issue 15c findings 1 and 11): a run of NULs inside a log, NUL-ended records,
Windows-1252 punctuation (bytes 80..9F) and UTF-8 mixed with Windows-1252 lines never make a file
binary; images, archives and executables stay binary. Generated documents, secrets, holes and
binaries; the scanner is the real one, the repositories and hooks are real.
"""

from __future__ import annotations

import io
import random
import struct
import subprocess
import tempfile
import zipfile
import zlib
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

SCANNER = Scanner([r.id for r in CONTENT_RULES])
SECRETS = st.text('abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789', min_size=14, max_size=24).filter(
    lambda s: any(c.isdigit() for c in s) and any(c.isupper() for c in s) and any(c.islower() for c in s)
)
# Words of a log or a SQL script's comments: Word-style punctuation (Windows-1252 bytes 91..97, 85, 80, 99)
# and accented letters, all of which Windows-1252 encodes in one byte.
WORDS = st.sampled_from(
    ['INFO', 'start', 'the', 'orders', 'DB', '\u201cOrders\u201d', '\u2018prod\u2019', 'don\u2019t', '\u2013', '\u2014']
    + ['restore\u2026', '\u20ac42', 'caf\u00e9', 'Gr\u00fc\u00dfe', '\u2122', '=', '#', '--', '2024-05-01', '10:00:00']
)
LINES = st.lists(st.lists(WORDS, min_size=1, max_size=12).map(' '.join), min_size=1, max_size=80)
# A hole before a line: none, one NUL (records ended by NUL), a few, or what a crash leaves in an appended log.
HOLES = st.one_of(st.just(0), st.just(1), st.integers(2, 16), st.integers(512, 9000))
ENCODINGS = st.sampled_from(['utf-8', 'cp1252', 'mixed'])


@st.composite
def documents(draw: st.DrawFn) -> tuple[bytes, int, str]:
    """A text file's bytes, the 1-based line of its database URL, and the URL's password."""
    lines = draw(LINES)
    secret = draw(SECRETS)
    at = draw(st.integers(0, len(lines)))
    lines.insert(at, f'connecting to postgresql://app:{secret}@db.internal:5432/orders')
    encoding = draw(ENCODINGS)
    data = b''
    for line in lines:
        hole = draw(HOLES)
        codec = encoding if encoding != 'mixed' else draw(st.sampled_from(['utf-8', 'cp1252']))
        data += b'\0' * hole + (line + '\n').encode(codec)
    return data, at + 1, secret


def scanned(data: bytes, path: str = 'app.log') -> ScanResult:
    result = ScanResult('.')
    content.scan_data(path, data, SCANNER, result)
    return result


@settings(max_examples=300, deadline=None)
@given(doc=documents())
def test_text_with_nul_holes_and_cp1252_punctuation_is_scanned(doc: tuple[bytes, int, str]) -> None:
    """Whatever holes and punctuation surround it, the password's line is text and its finding is on it."""
    data, line, _ = doc
    result = scanned(data)
    assert result.skipped == [], result.skipped
    assert ('database-url-password', line) in [(f.rule, f.line) for f in result.findings], result.findings


@settings(max_examples=100, deadline=None)
@given(doc=documents(), size=st.sampled_from([1000, 4096, 1 << 16]))
def test_the_streamed_reading_agrees(doc: tuple[bytes, int, str], size: int) -> None:
    """A file read in pieces (larger than max-file-size) is judged as the whole file is when its head
    holds its text."""
    data, _, _ = doc
    whole = text.decode_all(data)
    streams = text.decode_pieces([data[i : i + size] for i in range(0, len(data), size)])
    if len(data.replace(b'\0', b'')) and b'\0' * text.DEEP not in data[: text.DEEP]:
        assert whole and streams
        assert ''.join(streams[0]) == whole[0]


# Every character Windows-1252 gives a byte: printable ASCII, line ends, and its 123 printable high characters.
CP1252_CHARS = sorted(
    {
        bytes((b,)).decode('cp1252')
        for b in [*range(0x20, 0x7F), *range(0x80, 0x100)]
        if b not in b'\x81\x8d\x8f\x90\x9d'
    }
    | {'\t', '\n'}
)


@settings(max_examples=300, deadline=None)
@given(value=st.text(st.sampled_from(CP1252_CHARS), min_size=1, max_size=400))
def test_every_windows_1252_text_is_read_back(value: str) -> None:
    """Any Windows-1252 text is text, read back exactly, or, when its bytes are mostly UTF-8 too, with
    its ASCII in place (a UTF-8 sequence is high bytes only, so the ASCII is the same either way)."""
    data = value.encode('cp1252')
    decoded = text.decode_all(data)
    assert decoded, data
    assert value in decoded or any(_ascii(d) == _ascii(value) for d in decoded), decoded


def _ascii(value: str) -> str:
    return ''.join(c for c in value if c.isascii())


# Binary files: what a repository holds that is not text, built with real encoders where there is one.
def png(rng: random.Random) -> bytes:
    width, height = rng.randint(8, 64), rng.randint(8, 64)
    rows = b''.join(b'\0' + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))

    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')


def archive(rng: random.Random, secret: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as zf:
        zf.writestr('data.bin', rng.randbytes(rng.randint(200, 20000)))
        zf.writestr('app.log', f'postgresql://app:{secret}@db/orders\n')
    return buffer.getvalue()


def elf(rng: random.Random, secret: str) -> bytes:
    """ELF-like: the header, NUL padding, machine code (random bytes) and a string table."""
    header = b'\x7fELF\x02\x01\x01' + b'\0' * 9 + struct.pack('<HHI', 3, 62, 1) + rng.randbytes(40)
    code = rng.randbytes(rng.randint(2000, 30000))
    strings = b'\0'.join(w.encode() for w in ('main', 'printf', f'postgresql://app:{secret}@db/x', 'libc.so.6'))
    return header + b'\0' * rng.randint(0, 4096) + code + b'\0' * rng.randint(0, 4096) + strings + b'\0'


def coff(rng: random.Random, secret: str) -> bytes:
    """A COFF object (an MSVC or MASM `.obj`): the header, machine code, a debug section naming the source
    path on the build machine, a symbol table (greenlet ships one: its path was a finding)."""
    machine = rng.choice([0x14C, 0x8664, 0xAA64, 0x1C4])
    header = struct.pack('<HHIIIHH', machine, rng.randint(1, 9), rng.getrandbits(32), 0x180, 16, 0, 0)
    path = f'C:\\Users\\{secret[:8]}\\Workspace\\src\\switch.asm'.encode()
    debug = b'\0' * rng.randint(4, 40) + b'B\0\x01\x11\0\0\0\0' + path + b'\0Microsoft (R) Macro Assembler\0'
    code = rng.randbytes(rng.randint(40, 400))  # a few instructions: the strings outweigh them, NULs aside
    symbols = b''.join(rng.choice([b'slp_switch', b'RETURN', b'.file', b'@feat.00']) + b'\0' * 8 for _ in range(16))
    return header + b'.debug$S\0\0' + b'\0' * 40 + code + debug + symbols


def holed_blob(rng: random.Random) -> bytes:
    """No magic number: compressed data padded with NUL runs (a disk image, a firmware blob)."""
    return b''.join(rng.randbytes(rng.randint(1000, 8000)) + b'\0' * rng.randint(0, 9000) for _ in range(4))


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), kind=st.sampled_from(['png', 'zip', 'elf', 'coff', 'holed']), secret=SECRETS)
def test_real_binaries_stay_binary(seed: int, kind: str, secret: str) -> None:
    rng = random.Random(seed)
    data = {
        'png': lambda: png(rng),
        'zip': lambda: archive(rng, secret),
        'elf': lambda: elf(rng, secret),
        'coff': lambda: coff(rng, secret),
        'holed': lambda: holed_blob(rng),
    }[kind]()
    assert text.decode_all(data) == []
    assert [s.reason for s in scanned(data, f'blob.{kind}').skipped] == [text.BINARY]


def test_a_hole_of_nuls_longer_than_the_head_is_still_a_hole() -> None:
    """A log that opens with more NULs than the bytes weighed (64 KiB): the text after them decides."""
    data = b'\0' * (text.DEEP + 100) + b'x postgresql://app:Qz7kP2wXy9Lm4Rt@db.internal/orders\n'
    assert ('database-url-password', 1) in [(f.rule, f.line) for f in scanned(data).findings]
    assert text.decode_all(b'\0' * 5000) == []  # NULs alone: nothing decodes to text


def commit(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(['git', 'commit', '-q', '-m', 'x'], cwd=repo, capture_output=True, text=True, timeout=300)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), seed=st.integers(0, 2**32))
def test_the_hooks_block_holed_and_cp1252_text_and_pass_binaries(doc: tuple[bytes, int, str], seed: int) -> None:
    """Through real hooks: the standalone commit hook, the pre-commit framework's entry, the pre-push
    hook; a generated image next to it is named as binary, never blocking."""
    data, line, secret = doc
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / 'repo'
        repo.mkdir()
        git(repo, 'init', '-q')
        git(repo, 'config', 'user.name', 't')
        git(repo, 'config', 'user.email', 't@example.com')
        write(repo, 'README.md', '# demo\n')
        git(repo, 'add', '.')
        git(repo, 'commit', '-q', '-m', 'init')
        remote = Path(tmp) / 'remote.git'
        git(Path(tmp), 'init', '-q', '--bare', str(remote))
        git(repo, 'remote', 'add', 'origin', str(remote))
        git(repo, 'push', '-q', 'origin', 'main')
        assert run_guard('install', repo).returncode == 0
        write(repo, 'logo.png', png(random.Random(seed)))
        git(repo, 'add', 'logo.png')
        assert commit(repo).returncode == 0  # a binary alone: named, not blocking
        write(repo, 'app.log', data)
        git(repo, 'add', 'app.log')
        proc = commit(repo)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1 and f'app.log:{line}:' in out and 'database-url-password' in out, out
        framework = run_guard('hook', 'guard', 'app.log', 'logo.png', cwd=repo)
        assert framework.returncode == 1 and f'app.log:{line}:' in framework.stdout, framework.stdout
        assert 'logo.png: binary' in framework.stdout + framework.stderr
        assert subprocess.run(['git', 'commit', '-q', '--no-verify', '-m', 'y'], cwd=repo).returncode == 0
        push = git(repo, 'push', 'origin', 'main', check=False)
        assert push.returncode != 0 and f'app.log:{line}:' in push.stdout + push.stderr, push.stdout + push.stderr
        for output in (out, framework.stdout, push.stdout + push.stderr):
            assert secret not in output


@settings(max_examples=100, deadline=None)
@given(
    lines=LINES,
    secret=SECRETS,
    magic=st.sampled_from(
        [b'\x7fELF', b'\x89PNG\r\n\x1a\n', b'PK\x03\x04', b'GIF89a', b'MZ', b'%PDF-', b'\x1f\x8b', b'\x64\xaa\x02\x00']
    ),
)
def test_a_magic_number_never_makes_text_binary(lines: list[str], secret: str, magic: bytes) -> None:
    """A magic number only takes away the NUL allowance: text behind one (a fake header) is still read."""
    body = '\n'.join([*lines, f'url = postgresql://app:{secret}@db.internal:5432/orders']) + '\n'
    result = scanned(magic + body.encode('utf-8'), 'notes.txt')
    assert result.skipped == []
    assert 'database-url-password' in [f.rule for f in result.findings]


# Comments in the "ANSI" code page of Japanese, Chinese and Korean Windows (attack 15d finding 04): their lead
# bytes include 81..9F, which a single-byte reading counts as controls.
CJK_WORDS = {
    'cp932': 'データベース接続設定本番環境のパスワードは必ず管理者に確認してください注意社内専用「申請書」。、',
    'gbk': '数据库连接设置生产环境的密码请务必向管理员确认注意内部专用申请书。，',
    'cp949': '데이터베이스연결설정운영환경의비밀번호는반드시관리자에게확인하십시오주의사내전용。',
    'big5': '資料庫連線設定正式環境的密碼請務必向管理員確認注意內部專用申請書。，',
}


@st.composite
def cjk_configs(draw: st.DrawFn) -> tuple[bytes, int]:
    """An INI file in one of those code pages: comment lines of random words, one password line; (bytes, its line)."""
    codec = draw(st.sampled_from(sorted(CJK_WORDS)))
    comment = st.text(st.sampled_from(CJK_WORDS[codec]), min_size=4, max_size=60).map(lambda c: f'# {c}')
    lines = draw(st.lists(st.one_of(comment, st.just('db_host = db.internal')), min_size=1, max_size=30))
    at = draw(st.integers(0, len(lines)))
    secret = draw(SECRETS)
    # Kanji, hangul or hanzi inside the password too (attack 15e finding 01): read one byte a character,
    # their trail bytes may be ASCII letters or `\`, which cut the value.
    cut = draw(st.integers(0, len(secret)))
    inside = draw(st.text(st.sampled_from(CJK_WORDS[codec].rstrip('。、，「」')), max_size=4))
    lines.insert(at, f'db_password = {secret[:cut]}{inside}{secret[cut:]}')
    return '\n'.join(lines).encode(codec) + b'\n', at + 1


@settings(max_examples=200, deadline=None)
@given(doc=cjk_configs())
def test_a_config_with_cjk_comments_is_text_and_its_password_found(doc: tuple[bytes, int]) -> None:
    data, line = doc
    result = scanned(data, 'database.ini')
    assert result.skipped == [], result.skipped
    assert ('generic-secret', line) in [(f.rule, f.line) for f in result.findings], result.findings
