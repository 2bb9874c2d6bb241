"""Bytes to the text guard scans, the same way for every source: work tree, index, history and ranges.

Decoding tries, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-8; UTF-16 without a mark,
told by its NUL pattern (in ASCII-heavy UTF-16 every other byte is NUL); then Latin-1, one
character per byte, for what is not UTF-8 (byte by byte, so a UTF-8 file with one stray Latin-1
byte keeps its other characters). A decoding "yields text" when control characters (NUL and the
other C0/C1 codes, tabs and line ends aside) are at most a tenth of what is weighed; a file is
binary only when none does. One NUL before a secret does not make a file binary. A file whose
first 8 KiB hold a NUL or are not UTF-8 is weighed over its first 64 KiB: a shared library may open
with a few KiB of symbol names.

trufflehog's decoders are the model (pkg/decoders: UTF-8 with a printable fallback, UTF-16); unlike
them each byte keeps its place, so line numbers stay true. Large files are decoded piece by piece
(`decode_pieces`) with the codec their first 64 KiB chose.
"""
from __future__ import annotations

import codecs

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

SNIFF = 8192  # bytes looked at to choose a decoding when they hold no NUL and start as UTF-8
DEEP = 64 << 10  # bytes weighed otherwise
BINARY = 'binary'
LFS_POINTER = 'a git-lfs pointer (the content lives in LFS storage)'
# At most this share of control characters in the weighed bytes: more, and that decoding is not text.
CONTROL_SHARE = 0.10
# Up to this share (or this many) of undecodable bytes, a file is UTF-8 with a few stray bytes (each read
# as Latin-1); more, and it is read as Latin-1 throughout.
STRAY_SHARE = 0.01
STRAY_MIN = 64  # however small the file
_FALLBACK = 'guard-latin1'  # the UTF-8 error handler: an undecodable byte is its Latin-1 character
# Bytes that are not control characters: everything but C0 and DEL, except tab, line feed,
# vertical tab, form feed, carriage return and escape (ANSI logs). Deleting them leaves the controls.
_NOT_C0 = b'\t\n\v\f\r\x1b' + bytes(range(0x20, 0x7f)) + bytes(range(0x80, 0x100))
_NOT_C0_C1 = b'\t\n\v\f\r\x1b' + bytes(range(0x20, 0x7f)) + bytes(range(0xa0, 0x100))
_SAMPLE = 64 << 10  # bytes of a UTF-16/32 file decoded to weigh it
# Byte-order marks, longest first: UTF-32 LE's starts with UTF-16 LE's.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, 'utf-32'), (codecs.BOM_UTF32_BE, 'utf-32'), (codecs.BOM_UTF8, 'utf-8-sig'),
    (codecs.BOM_UTF16_LE, 'utf-16'), (codecs.BOM_UTF16_BE, 'utf-16'))
_BOM_FIRST = frozenset(bom[:1] for bom, _ in _BOMS)
# ASCII-heavy UTF-16: at least this share of code units has a NUL high byte, and almost none a NUL low byte.
_UTF16_NULS = 0.5
_UTF16_STRAY = 0.05
# git-lfs pointer files (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md): these three lines, nothing else.
_LFS_PREFIX = b'version https://git-lfs.github.com/spec/v1\noid sha256:'
_LFS_MAX = 200


def codec_for(head: bytes) -> str | None:
    """The codec to read a file whose first bytes are `head` (up to DEEP) with, or None when no decoding
    yields text: a byte-order mark's, else 'utf-8' (stray bytes read as Latin-1), BOM-less UTF-16,
    else 'latin-1'.

    A file with no NUL in its first SNIFF bytes that starts as UTF-8 is UTF-8 (the common case,
    decided without counting anything). Otherwise all of `head` is weighed, at C speed: a shared
    library can start with a few KiB of symbol names that look like text.
    """
    marked = next((codec for bom, codec in _BOMS if head.startswith(bom)), None) if head[:1] in _BOM_FIRST else None
    if marked is None and b'\0' not in head[:SNIFF] and _utf8_prefix(head[:SNIFF]):
        return 'utf-8'
    if marked == 'utf-8-sig':
        return marked if _utf8_or_latin1(head[len(codecs.BOM_UTF8):]) == 'utf-8' else None
    if marked is not None and _is_text(_decoder(marked).decode(head[:_SAMPLE], False)):
        return marked
    codec = _utf8_or_latin1(head)
    if codec is not None:
        return codec
    for utf16 in _utf16_codecs(head):
        if _is_text(_decoder(utf16).decode(head[:_SAMPLE], False)):
            return utf16
    return None


def decode(data: bytes) -> str | None:
    """A whole file's text, or None for binary."""
    codec = codec_for(data[:DEEP])
    if codec is None:
        return None
    if codec == 'utf-8':
        try:
            return data.decode('utf-8')
        except UnicodeDecodeError:
            if not _few(_stray(data), len(data)):  # UTF-8 only at its start: Latin-1 throughout, at C speed
                return data.decode('latin-1')
            _register_fallback()  # a few stray bytes: each calls the handler once
            return data.decode('utf-8', _FALLBACK)
    return data.decode(codec, 'replace')


def decode_pieces(pieces: Iterable[bytes]) -> Iterator[str] | None:
    """A large file's text piece by piece (a character cut between two pieces is joined), or None for binary.

    Its first DEEP bytes choose the codec, however the pieces are cut.
    """
    source = iter(pieces)
    first = b''
    while len(first) < DEEP:
        piece = next(source, None)
        if piece is None:
            break
        first += piece
    codec = codec_for(first[:DEEP])
    if codec is None:
        return None
    return _decoded(_decoder(codec), first, source)


def is_lfs_pointer(data: bytes) -> bool:
    """Exactly a git-lfs pointer: the spec's `version`, `oid sha256:` and `size` lines and nothing else.

    A file that merely starts like one (a pointer header with a secret after it) is text to scan.
    """
    if len(data) > _LFS_MAX or not data.startswith(_LFS_PREFIX):
        return False
    lines = data[len(_LFS_PREFIX):].split(b'\n')
    if len(lines) != 3 or lines[2]:  # `<oid>`, `size N`, and the empty rest after the final newline
        return False
    oid, size = lines[0], lines[1]
    return len(oid) == 64 and all(c in b'0123456789abcdef' for c in oid) \
        and size.startswith(b'size ') and size[5:].isdigit() and size[5:6] != b''


def _decoded(decoder: codecs.IncrementalDecoder, first: bytes, rest: Iterator[bytes]) -> Iterator[str]:
    yield decoder.decode(first, False)
    for piece in rest:
        yield decoder.decode(piece, False)
    yield decoder.decode(b'', True)


def _decoder(codec: str) -> codecs.IncrementalDecoder:
    if codec == 'utf-8':
        _register_fallback()
        return codecs.getincrementaldecoder('utf-8')(_FALLBACK)
    return codecs.getincrementaldecoder(codec)('replace')


def _utf8_prefix(head: bytes) -> bool:
    """`head` is UTF-8, perhaps cut inside its last character (it is the start of a longer file)."""
    try:
        head.decode('utf-8')
    except UnicodeDecodeError as e:
        return e.reason == 'unexpected end of data' and e.start >= len(head) - 3
    return True


def _utf16_codecs(head: bytes) -> tuple[str, ...]:
    """UTF-16 without a byte-order mark, told by where the NULs are (ASCII in UTF-16: every other byte)."""
    units = len(head) // 2
    if not units:
        return ()
    even, odd = head[0:units * 2:2].count(0), head[1:units * 2:2].count(0)
    if odd >= units * _UTF16_NULS and even <= units * _UTF16_STRAY:
        return ('utf-16-le',)
    if even >= units * _UTF16_NULS and odd <= units * _UTF16_STRAY:
        return ('utf-16-be',)
    return ()


def _utf8_or_latin1(head: bytes) -> str | None:
    """'utf-8' for UTF-8 with at most a few stray bytes, 'latin-1' for other text, None when neither is text.

    Counted on bytes: C0 controls and DEL are single bytes in both; C1 controls are C2 80..9F in UTF-8
    and the bytes 80..9F in Latin-1 (a stray byte inside UTF-8 counts as one when it may be one).
    """
    size = len(head) or 1
    c0 = len(head.translate(None, _NOT_C0))
    if c0 > size * CONTROL_SHARE:  # NUL-heavy data (executables, UTF-16): no need to look further
        return None
    stray = _stray(head)
    c1_bytes = len(head.translate(None, _NOT_C0_C1)) - c0  # bytes 80..9F
    if _few(stray, size):  # a stray byte is a C1 control only if it is one of 80..9F
        return 'utf-8' if c0 + _c1_in_utf8(head) + min(stray, c1_bytes) <= size * CONTROL_SHARE else None
    return 'latin-1' if c0 + c1_bytes <= size * CONTROL_SHARE else None


def _few(stray: int, size: int) -> bool:
    """Few enough stray bytes to read each as Latin-1 inside UTF-8 (each costs a call of the handler)."""
    return stray <= max(STRAY_MIN, size * STRAY_SHARE)


def _stray(data: bytes) -> int:
    """How many bytes of `data` are not UTF-8 (U+FFFD already in the text aside), counted at C speed."""
    return data.decode('utf-8', 'replace').count('\ufffd') - data.count(b'\xef\xbf\xbd')


def _c1_in_utf8(data: bytes) -> int:
    """How many C1 controls (U+0080..U+009F) UTF-8 `data` holds."""
    if b'\xc2' not in data:
        return 0
    import re  # loaded already wherever rules run; only files that need weighing get here

    return len(re.findall(rb'\xc2[\x80-\x9f]', data))


def _is_text(sample: str) -> bool:
    """At most CONTROL_SHARE of `sample` (decoded UTF-16 or UTF-32) is control characters."""
    data = sample.encode('utf-8', 'surrogatepass')
    c0 = len(data.translate(None, _NOT_C0))
    return c0 + _c1_in_utf8(data) <= len(sample) * CONTROL_SHARE


def _register_fallback() -> None:
    try:
        codecs.lookup_error(_FALLBACK)
    except LookupError:
        codecs.register_error(_FALLBACK, _latin1)


def _latin1(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start:error.end].decode('latin-1'), error.end
