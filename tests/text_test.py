"""Decoding (guard.git.text) and windowed scanning (guard.scan.windows) hold for generated inputs.

The promise under test: a secret planted in any text, written in any supported encoding and handed
over in pieces of any size, scanned in windows of any size, is found once, at its true line and column.
"""

from __future__ import annotations

import codecs
import os

import pytest
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.config import Config
from guard.git import text
from guard.scan import content
from guard.scan import windows
from guard.scan.engine import make_scanner
from guard.scan.result import ScanResult

AWS_KEY = 'AKIA' + 'Z2RJ7QWNPL4XT3VB'
SECRET_LINE = f'aws_key = "{AWS_KEY}"'
# Encodings and the prefix a writer puts first (PowerShell 5.1's `>`: UTF-16 LE with a BOM).
ENCODINGS = {
    'utf-8': b'',
    'utf-8-bom': codecs.BOM_UTF8,
    'utf-16-le-bom': codecs.BOM_UTF16_LE,
    'utf-16-be-bom': codecs.BOM_UTF16_BE,
    'utf-16-le': b'',
    'utf-16-be': b'',
    'utf-32-le-bom': codecs.BOM_UTF32_LE,
    'utf-32-be-bom': codecs.BOM_UTF32_BE,
    'utf-32-le': b'',
    'utf-32-be': b'',
    'latin-1': b'',
}
CODECS = {
    'utf-8': 'utf-8',
    'utf-8-bom': 'utf-8',
    'utf-16-le-bom': 'utf-16-le',
    'utf-16-be-bom': 'utf-16-be',
    'utf-16-le': 'utf-16-le',
    'utf-16-be': 'utf-16-be',
    'utf-32-le-bom': 'utf-32-le',
    'utf-32-be-bom': 'utf-32-be',
    'utf-32-le': 'utf-32-le',
    'utf-32-be': 'utf-32-be',
    'latin-1': 'latin-1',
}
BOMS = [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE]
# What may come before the text: nothing, a byte-order mark that lies (a UTF-8 file opening with FF FE),
# or a few junk bytes (they shift UTF-16/32 off their alignment). Junk is kept to at most a tenth of the
# text, which the test's padding line ensures: more control bytes than that would make any file binary.
PREFIXES = st.one_of(
    st.just(b''),
    st.sampled_from(BOMS),  # junk without line ends: they would move the lines
    st.binary(min_size=1, max_size=4).filter(lambda b: b'\n' not in b and b'\r' not in b),
)
PADDING = '# the settings of this service, read at start-up and written by the installer\n'


# Words of ASCII-heavy text (BOM-less UTF-16 is told by its NUL pattern, which needs mostly ASCII), some accented.
WORDS = st.sampled_from(['the', 'value', 'config', '=', '#', 'host', 'café', 'naïve', '{', '}', '"x"', '42', '\t'])
LINES = st.lists(st.lists(WORDS, max_size=12).map(' '.join), min_size=1, max_size=60)
SCANNER = make_scanner(Config())


def encode(value: str, encoding: str) -> bytes:
    return ENCODINGS[encoding] + value.encode(CODECS[encoding])


def cut(data: bytes, sizes: list[int]) -> list[bytes]:
    """`data` in pieces of the given sizes, repeated; never empty pieces."""
    pieces, at, i = [], 0, 0
    while at < len(data):
        size = sizes[i % len(sizes)]
        pieces.append(data[at : at + size])
        at += size
        i += 1
    return pieces


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=LINES,
    at=st.integers(min_value=0),
    encoding=st.sampled_from(sorted(ENCODINGS)),
    sizes=st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=5),
    window=st.integers(min_value=1, max_value=900),
    whole=st.booleans(),
    crlf=st.booleans(),
)
def test_a_planted_secret_is_found_at_its_line_in_every_encoding_and_cut(
    lines: list[str], at: int, encoding: str, sizes: list[int], window: int, whole: bool, crlf: bool
) -> None:
    at %= len(lines) + 1
    planted = [*lines[:at], SECRET_LINE, *lines[at:]]
    data = encode(('\r\n' if crlf else '\n').join(planted) + '\n', encoding)
    result = ScanResult()
    if whole:
        content.scan_data('f.txt', data, SCANNER, result)
    else:
        # The overlap must hold the secret's line: guard's is 64 KiB, far longer than any secret.
        content.scan_pieces('f.txt', cut(data, sizes), SCANNER, result, window=window, overlap=len(SECRET_LINE) + 2)
    assert result.skipped == []
    assert [(f.rule, f.line, f.column) for f in result.findings] == [
        ('aws-access-key-id', at + 1, SECRET_LINE.index(AWS_KEY) + 1)
    ]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=LINES,
    at=st.integers(min_value=0),
    encoding=st.sampled_from(sorted(ENCODINGS)),
    prefix=PREFIXES,
    sizes=st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=5),
    window=st.integers(min_value=1, max_value=900),
    whole=st.booleans(),
)
def test_a_planted_secret_is_found_whatever_comes_before_the_text(
    lines: list[str], at: int, encoding: str, prefix: bytes, sizes: list[int], window: int, whole: bool
) -> None:
    """A byte-order mark is a hint, not a verdict: a lying mark or junk before the text hides nothing.
    Whole or in pieces, the secret is found at its line; or the file fails closed, named."""
    at %= len(lines) + 1
    planted = [*lines[:at], SECRET_LINE, *lines[at:]]
    data = prefix + encode(PADDING + '\n'.join(planted) + '\n', encoding)
    result = ScanResult()
    if whole:
        content.scan_data('f.txt', data, SCANNER, result)
    else:
        content.scan_pieces('f.txt', cut(data, sizes), SCANNER, result, window=window, overlap=len(SECRET_LINE) + 2)
    if result.failed:
        assert [s.path for s in result.failed] == ['f.txt']
        return
    assert result.skipped == [], (encoding, prefix)
    found = [(f.rule, f.line) for f in result.findings]
    assert found == [('aws-access-key-id', at + 2)], (encoding, prefix, found)


@pytest.mark.parametrize('encoding', ['utf-32-le', 'utf-32-be', 'utf-16-le', 'utf-16-be'])
@pytest.mark.parametrize('junk', [b'', b'\x01', b'\xff\xfe', b'\x00\x00\xfe'])
def test_wide_text_without_a_mark_is_read_whatever_its_alignment(encoding: str, junk: bytes) -> None:
    """UTF-16/32 without a mark, shifted by junk bytes, is still read: its NULs say where characters sit."""
    value = 'host = example\npassword = 1\n' * 4
    # Junk before big-endian text leaves its last character cut short: the one it may lose.
    assert any(value[:-1] in t for t in text.decode_all(junk + value.encode(encoding)))


def test_a_lying_mark_does_not_hide_utf8() -> None:
    """A UTF-8 file opening with FF FE (or FE FF) is read as UTF-16 too, but never only so."""
    for mark in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        readings = text.decode_all(mark + b' = 1\nDB_PASSWORD="x"\n')
        assert len(readings) == 2 and readings[1].endswith(' = 1\nDB_PASSWORD="x"\n')


@settings(max_examples=100, deadline=None)
@given(
    lines=st.lists(st.text(st.characters(blacklist_categories=['Cs']), max_size=80), min_size=1, max_size=40),
    size=st.integers(min_value=1, max_value=200),
    overlap=st.integers(min_value=1, max_value=50),
    sizes=st.lists(st.integers(min_value=1, max_value=90), min_size=1, max_size=4),
)
def test_windows_own_every_character_once(lines: list[str], size: int, overlap: int, sizes: list[int]) -> None:
    """Stitched back by what each window owns, the windows are the text: nothing lost, nothing twice."""
    whole = '\n'.join(lines)
    pieces = [whole[i : i + sizes[0]] for i in range(0, len(whole), sizes[0])] or ['']
    rebuilt = ''
    for part in windows.windows(pieces, size, overlap):
        split = part.text.split('\n')

        def offset(at: tuple[int, int], split: list[str] = split) -> int:
            return sum(len(line) + 1 for line in split[: at[0] - 1]) + at[1] - 1

        start = offset(part.own_from)
        end = offset(part.own_to) if part.own_to is not None else len(part.text)
        # The window's first owned character is where the file says: same line, same column.
        line_in_file = rebuilt.count('\n') + 1
        assert part.first_line + part.own_from[0] - 1 == line_in_file
        if part.own_from[0] == 1:  # the window starts inside a line: its first owned character's column
            assert part.first_column + part.own_from[1] - 1 == len(rebuilt) - (rebuilt.rfind('\n') + 1)
        assert whole.startswith(part.text[start:], len(rebuilt)) or part.own_to is not None
        rebuilt += part.text[start:end]
    assert rebuilt == whole


@pytest.mark.parametrize(
    ('data', 'expected'),
    [
        (b'x' * 7999 + b'\0', 'x' * 7999 + '\0'),  # one NUL: still text
        (b'# \0\npassword = 1\n', '# \0\npassword = 1\n'),
        ('café'.encode(), 'café'),
        (b'caf\xe9', 'caf\xe9'),  # not UTF-8: Latin-1, one character per byte, never an error
        ('naïve caf'.encode() + b'\xe9', 'naïve caf\xe9'),  # mostly UTF-8: only the bad byte is Latin-1
        (b'\xff\xfea\x00=\x001\x00', 'a=1'),  # UTF-16 LE with a BOM (PowerShell 5.1)
        (b'a\x00=\x001\x00\n\x00', 'a=1\n'),  # UTF-16 LE without one
        (b'\x00a\x00=\x001', 'a=1'),  # UTF-16 BE without one
        ('a=1\n'.encode('utf-32-le'), 'a=1\n'),  # UTF-32 without a mark
        ('a=1\n'.encode('utf-32-be'), 'a=1\n'),
        (codecs.BOM_UTF8 + b'a=1', 'a=1'),
        (b'\0' * 100, None),  # no decoding yields text
        (b'\x89PNG\r\n\x1a\n' + bytes(range(256)) * 8, None),
    ],
)
def test_decode(data: bytes, expected: str | None) -> None:
    assert text.decode(data) == expected


def test_random_bytes_are_binary() -> None:
    assert all(text.decode(os.urandom(4096)) is None for _ in range(50))


def test_only_an_exact_lfs_pointer_is_one() -> None:
    pointer = b'version https://git-lfs.github.com/spec/v1\noid sha256:' + b'ab' * 32 + b'\nsize 12345\n'
    assert text.is_lfs_pointer(pointer)
    for other in (
        pointer + b'password = "x"\n',
        pointer[:-1],
        pointer.replace(b'size 12345', b'size '),
        pointer.replace(b'sha256:ab', b'sha256:xy'),
        pointer.replace(b'\nsize', b'\nextra 1\nsize'),
    ):
        assert not text.is_lfs_pointer(other)


@settings(max_examples=40, deadline=None)
@given(noise=st.binary(min_size=64, max_size=2000), key=st.from_regex(r'[A-Z][A-Z0-9_]{2,20}', fullmatch=True))
def test_path_rules_judge_a_binary_env_file(noise: bytes, key: str) -> None:
    """An env file is one whatever its bytes: binary content is skipped, the env-file rule still fires."""
    data = b'\0\1\2\3' * 64 + noise + f'\n{key}=s3cr3t-value\n'.encode()
    result = ScanResult()
    content.scan_data('.env', data, SCANNER, result)
    assert [s.reason for s in result.skipped] == ['binary']
    assert [f.rule for f in result.findings] == ['env-file']


PRINTABLE = st.text(st.characters(blacklist_categories=['Cc', 'Cs']), min_size=1, max_size=300)


@settings(max_examples=300, deadline=None)
@given(
    value=PRINTABLE,
    bom=st.sampled_from(['', 'utf-8-bom', 'utf-16-le-bom', 'utf-16-be-bom', 'utf-32-le-bom', 'utf-32-be-bom']),
)
@example(value='0000Ċ', bom='utf-16-le-bom')  # 'Ċ' is 0A 01: a line-end byte inside a marked UTF-16 character
def test_text_without_controls_decodes_to_itself(value: str, bom: str) -> None:
    """Any text free of control characters, as UTF-8 or behind any byte-order mark, is read back exactly."""
    data = encode(value, bom) if bom else value.encode('utf-8')
    assert text.decode(data) == value
    streams = text.decode_pieces([data[i : i + 5] for i in range(0, len(data), 5)])
    assert ''.join(streams[0]) == value


@settings(max_examples=200, deadline=None)
@given(value=st.text(st.characters(max_codepoint=0xFF, blacklist_categories=['Cc']), min_size=1, max_size=300))
def test_latin1_text_is_text_with_every_byte_in_place(value: str) -> None:
    """Latin-1 text is never binary, and its ASCII stays where it was (stray bytes read one for one)."""
    data = value.encode('latin-1')
    decoded = text.decode(data)
    assert decoded is not None
    ascii_only = ''.join(c if c.isascii() else '?' for c in value)
    if text.codec_for(data) == text.SINGLE_BYTE:
        assert ''.join(c if c.isascii() else '?' for c in decoded) == ascii_only


def _peak_streaming(size: int) -> int:
    """Peak memory of scanning a `size`-byte UTF-8 file behind a lying mark (two readings) in 64 KiB pieces."""
    import tracemalloc

    line = b"INSERT INTO t VALUES (1, 'user@example.com');\n"
    data = codecs.BOM_UTF16_LE + line * (size // len(line)) + SECRET_LINE.encode() + b'\n'
    pieces = (data[i : i + (64 << 10)] for i in range(0, len(data), 64 << 10))
    result = ScanResult()
    tracemalloc.start()
    try:
        content.scan_pieces('dump.sql', pieces, SCANNER, result, window=256 << 10, overlap=4096)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [f.rule for f in result.findings] == ['aws-access-key-id']
    return peak


def test_streaming_several_readings_keeps_memory_bounded() -> None:
    """Two readings of one stream (UTF-16 mojibake takes twice the bytes a window) share one pass over the
    pieces; neither runs ahead, so four times the file is not more memory (read one reading after the
    other, the second would hold the whole file: +8 MB here)."""
    small, large = _peak_streaming(2 << 20), _peak_streaming(8 << 20)
    assert large < small * 1.25, (small, large)
