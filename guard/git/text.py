"""Bytes to the text guard scans, the same way for every source: work tree, index, history and ranges.

A file is read in every decoding that yields text, and each reading is scanned (guard.scan.content
unions the findings): a byte-order mark is a hint, not a verdict. The readings: the mark's (UTF-8,
UTF-16, UTF-32); the bytes as UTF-8, or Windows-1252, one character per byte, for what is not UTF-8
(byte by byte, so a UTF-8 file with one stray byte keeps its other characters); UTF-16
and UTF-32 without a mark, told by their NUL pattern (in ASCII-heavy UTF-16 every other byte is
NUL, in UTF-32 three of every four), aligned on where the NULs are, so junk before the text does
not hide it. A UTF-8 file opening with bytes FF FE is thus read as UTF-16 (mojibake, no finding)
and as UTF-8 (its secret found). The common file, UTF-8 with no NUL and no mark in its first
SNIFF bytes, has one reading, decided without counting anything.

A decoding "yields text" when control characters (C0 codes, DEL, C1 codes in UTF-8, the five bytes
Windows-1252 leaves undefined; tabs and line ends aside) are at most a tenth of what is weighed; a
file is binary only when none does. NULs are weighed apart from the rest unless a magic number names
a binary format: a hole of NULs in a log, NUL-ended records or one NUL before a secret do not make a
file binary, and the text around them is scanned. A file whose first 8 KiB hold a NUL or are not
UTF-8 is weighed over its first 64 KiB: a shared library may open with a few KiB of symbol names.

trufflehog's decoders are the model (pkg/decoders: UTF-8 with a printable fallback, UTF-16); unlike
them each byte keeps its place, so line numbers stay true. Large files are decoded piece by piece
(`decode_pieces`) in the readings their first 64 KiB chose, all from one pass over the pieces.
"""

from __future__ import annotations

import codecs

from guard.lazy_regex import LazyRegex

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

    from _typeshed import ReadableBuffer

    from guard.git.streams import Stream

    Reading = tuple[str, int]  # a codec and how many bytes to skip first (a mark, or junk before UTF-32)

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
_NOT_C0 = b'\t\n\v\f\r\x1b' + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
# Windows-1252 ("ANSI", Notepad's old default) gives bytes 80..9F printable characters (curly quotes, dashes, an
# ellipsis, the euro sign) but these five; read as Latin-1 they would be C1 controls, and Word-style punctuation
# would make a SQL script "binary" (issue 15c finding 11). The single-byte reading is Windows-1252, these five
# bytes read as their Latin-1 characters: one character per byte, every byte in its place.
_CP1252_UNDEFINED = b'\x81\x8d\x8f\x90\x9d'
_NOT_C0_C1 = _NOT_C0.translate(None, _CP1252_UNDEFINED)
_NOT_C0_LATIN1_C1 = _NOT_C0.translate(None, bytes(range(0x80, 0xA0)))  # bytes 80..9F all controls: see _MAGIC
SINGLE_BYTE = 'windows-1252'  # the reading of text that is not UTF-8 (see _CP1252_UNDEFINED)
# Formats that are binary whatever bytes follow their magic number: such a file is weighed with its NULs (an
# executable's or an archive's NULs are structure, not a hole in a log), so its strings do not make it text,
# and with bytes 80..9F as C1 controls (Latin-1): random bytes are then a quarter controls, not an eighth, so
# a small compressed image is never taken for text. A text file behind a magic number is still text.
_MAGIC = (
    b'\x7fELF',  # ELF executables and libraries
    b'\x89PNG\r\n\x1a\n',
    b'GIF87a',
    b'GIF89a',
    b'\xff\xd8\xff',  # JPEG
    b'PK\x03\x04',  # ZIP, JAR, wheels, Office documents
    b'PK\x05\x06',  # an empty ZIP
    b'\x1f\x8b',  # gzip
    b'\xfd7zXZ\x00',  # xz
    b'\x28\xb5\x2f\xfd',  # zstd
    b"7z\xbc\xaf'\x1c",
    b'\xca\xfe\xba\xbe',  # Mach-O universal, Java class
    b'\xcf\xfa\xed\xfe',  # Mach-O 64-bit
    b'\xce\xfa\xed\xfe',  # Mach-O 32-bit
    b'\x00asm',  # WebAssembly
    b'SQLite format 3\x00',
    b'MZ',  # DOS and Windows (PE) executables
    b'RIFF',  # WAV, AVI, WebP
    b'OggS',
    b'%PDF-',
    b'\xde\x12\x04\x95',  # gettext catalogues (.mo), little-endian
    b'\x95\x04\x12\xde',  # and big-endian
)
_PYC_FLAGS = (b'\0\0\0\0', b'\1\0\0\0', b'\3\0\0\0')  # CPython 3.7+ .pyc: a 2-byte version, CR LF, then flags
_SAMPLE = 64 << 10  # bytes of a UTF-16/32 file decoded to weigh it
# Byte-order marks, longest first: UTF-32 LE's starts with UTF-16 LE's.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, 'utf-32'),
    (codecs.BOM_UTF32_BE, 'utf-32'),
    (codecs.BOM_UTF8, 'utf-8-sig'),
    (codecs.BOM_UTF16_LE, 'utf-16'),
    (codecs.BOM_UTF16_BE, 'utf-16'),
)
_BOM_FIRST = frozenset(bom[:1] for bom, _ in _BOMS)
# Codecs the marks name, without the mark: the mark is skipped, so each reading says its byte order.
_MARKED = {
    codecs.BOM_UTF32_LE: 'utf-32-le',
    codecs.BOM_UTF32_BE: 'utf-32-be',
    codecs.BOM_UTF8: 'utf-8',
    codecs.BOM_UTF16_LE: 'utf-16-le',
    codecs.BOM_UTF16_BE: 'utf-16-be',
}
# ASCII-heavy UTF-16/32: at least this share of code units has a NUL in each high byte, and few a NUL in the
# character's low byte (a few junk bytes before the text or a few NUL characters may add some).
_WIDE_NULS = 0.5
_WIDE_STRAY = 0.2
# git-lfs pointer files (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md): these three lines, nothing else.
_LFS_PREFIX = b'version https://git-lfs.github.com/spec/v1\noid sha256:'
_LFS_MAX = 200


def readings(head: bytes, solid: bytes | None = None) -> list[Reading]:
    """How to read a file whose first bytes are `head` (up to DEEP): every decoding that yields text,
    the mark's first; empty when none does (binary). `solid`: the file's first DEEP bytes that are not
    NUL, when the caller has the whole file (a log may open with a hole of NULs longer than `head`).

    A file with no NUL in its first SNIFF bytes that starts as UTF-8 and has no mark is UTF-8 (the
    common case, decided without counting anything). Otherwise all of `head` is weighed, at C speed: a
    shared library can start with a few KiB of symbol names that look like text.
    """
    if head[:1] not in _BOM_FIRST and b'\0' not in head[:SNIFF] and _utf8_prefix(head[:SNIFF]):
        return [('utf-8', 0)]
    wide = _wide_readings(head)
    wide_text = [w for w in wide if _is_text(_decoder(w[0]).decode(head[w[1] : _SAMPLE], False))]
    # NULs are weighed apart from the rest only when no NUL pattern says UTF-16/32 (its NULs are its
    # characters' high bytes) and no magic number says binary format.
    fmt = _binary_format(head)
    holes = not wide_text and b'\0' in head and not fmt
    found: list[Reading] = []
    marked = next((bom for bom, _ in _BOMS if head.startswith(bom)), None) if head[:1] in _BOM_FIRST else None
    if marked is not None:
        codec = _MARKED[marked]
        if codec == 'utf-8':
            if _plain(head[len(marked) :], holes, solid, fmt) == 'utf-8':
                found.append((codec, len(marked)))
        elif _is_text(_decoder(codec).decode(head[len(marked) : _SAMPLE], False)):
            found.append((codec, len(marked)))
    plain = _plain(head, holes, solid, fmt)
    if plain is not None:
        found.append((plain, 0))
        if not fmt and b'\0' not in head and _stray(head):  # not UTF-8 throughout: maybe a CJK code page
            found.extend((codec, 0) for codec in _legacy_multibyte(head))
    if found and found[0][0][:6] in ('utf-16', 'utf-32') and any(_same(found[0], w) for w in wide):
        # The mark's reading agrees with the NUL pattern: the other byte order would read the same text again.
        wide_text = [w for w in wide_text if _unit(w[0]) != _unit(found[0][0])]
    found.extend(wide_text)
    return _distinct(found)


def _binary_format(head: bytes) -> bool:
    """`head` opens with the magic number of a binary format."""
    return (
        head.startswith(_MAGIC)
        or (head[2:4] == b'\r\n' and head[4:8] in _PYC_FLAGS)
        or (head[:2] in _COFF_MACHINES and head[3:4] == b'\0')
    )


# A COFF object file (MSVC's and MASM's `.obj`) opens with its machine, then a section count under 256: its
# debug section names the build machine's source path (`C:\Users\<name>\...`), a home path in no text.
_COFF_MACHINES = frozenset({b'\x4c\x01', b'\x64\x86', b'\x64\xaa', b'\xc4\x01', b'\xc0\x01'})  # x86, x64, ARM64, ARM


def _plain(head: bytes, holes: bool, solid: bytes | None, fmt: bool = False) -> str | None:
    """'utf-8' or SINGLE_BYTE when `head` read one byte (or UTF-8 sequence) per character is text, else None.

    With `holes`, NULs are left out of the weighing: a crash leaves a run of NULs in an appended log,
    records may end in a NUL (/proc/PID/environ, find -print0), and the text around them is still text
    to scan (issue 15c finding 1). What decides is the rest: real binaries hold other control bytes
    too (opcodes, lengths, compressed data: an eighth of random bytes are controls). A head of NULs
    alone is not text, unless `solid` shows text after it.
    """
    codec = _utf8_or_latin1(head, fmt)
    if codec is not None or not holes:
        return codec
    rest = solid if solid is not None else head.replace(b'\0', b'')
    return _utf8_or_latin1(rest) if rest else None


def codec_for(head: bytes) -> str | None:
    """The codec of the first reading of a file whose first bytes are `head`, or None for binary."""
    found = readings(head)
    return found[0][0] if found else None


def decode(data: bytes) -> str | None:
    """A whole file's text in its first reading, or None for binary."""
    texts = decode_all(data)
    return texts[0] if texts else None


def decode_all(data: bytes) -> list[str]:
    """A whole file's text in every reading (see the module's docstring); empty for binary.

    A file that holds NUL-interleaved runs is also read in pieces (`_pieced`): UTF-16 appended to UTF-8
    (PowerShell 5.1's `>>`), UTF-16 with a junk byte that shifts its alignment, UTF-16 then UTF-8.
    """
    head = data[:DEEP]
    found = readings(head, data.replace(b'\0', b'')[:DEEP] if b'\0' in head else None)
    texts = [_decode_as(data, codec, skip) for codec, skip in found]
    # A file with no reading is pieced only when its bytes less NULs look like text: the run search is a
    # regex pass over every byte, and images and libraries (NULs, no reading) are most files holding NULs.
    # Nor is a binary format's (an object file's strings less its NULs read as text).
    if b'\0' in data and (
        texts or not _binary_format(head) and _utf8_or_latin1(data[:DEEP].replace(b'\0', b'')) is not None
    ):
        order = next((codec for codec, _ in found if codec.startswith('utf-16')), 'utf-16-le')
        pieced, mixed = _pieced(data, bool(texts), order)
        if mixed:  # whole-file UTF-16 readings put the part after a UTF-8 line on the wrong line
            # ...except the one a byte-order mark declares: in it a line-end byte may be half of a
            # character ('Ċ' is 0A 01 in UTF-16 LE), and the mark says how the file was written.
            marked = bool(found) and found[0][1] > 0 and any(data.startswith(bom) for bom, _ in _BOMS)
            texts = [
                t
                for index, (t, (codec, _)) in enumerate(zip(texts, found, strict=True))
                if codec[:6] not in ('utf-16', 'utf-32') or (index == 0 and marked)
            ]
        for extra in pieced:
            if extra not in texts:
                texts.append(extra)
    return texts


# UTF-16 of ASCII-range characters: a character byte and a NUL, at least this many in a row.
_RUN_UNITS = 4
_RUNS = (('utf-16-le', rb'(?:[^\0]\0){%d,}' % _RUN_UNITS), ('utf-16-be', rb'(?:\0[^\0]){%d,}' % _RUN_UNITS))


def _pieced(data: bytes, text: bool, order: str = 'utf-16-le') -> tuple[list[str], bool]:
    """Readings of a file that mixes UTF-16 runs with other bytes, each piece in its own decoding.

    The UTF-16 reading decodes each run (little- or big-endian at whichever alignment it has; where
    both fit one stretch, the longer) and keeps of the rest only its line ends; the plain reading
    decodes the rest as UTF-8 (Latin-1 for stray bytes) and keeps of the runs only their line ends.
    So each piece sits on its line, as in the file. One regex pass each way: linear in the file. When
    the file has no other reading (`text` False), they count only if the rest is text too: the
    UTF-16 strings of an executable do not make it a text file. Also whether the rest holds line ends
    of its own (a file of two encodings, not UTF-16 with a few characters outside the runs).
    """
    import re

    runs: list[tuple[int, int, str]] = []
    for codec, pattern in _RUNS:
        runs.extend((m.start(), m.end(), codec) for m in re.finditer(pattern, data))
    if not runs:
        return [], False
    runs.sort()
    kept: list[tuple[int, int, str]] = []
    for run in runs:  # one byte order per stretch: the other reads it shifted by a byte, one character short
        if kept and run[0] < kept[-1][1]:
            longer = run[1] - run[0] - (kept[-1][1] - kept[-1][0])
            # As long, the stretch is ambiguous (a byte either side): the byte order of the file's mark wins.
            if longer > 0 or longer == 0 and run[2] == order != kept[-1][2]:
                kept[-1] = run
            continue
        kept.append(run)
    wide: list[str] = []
    plain: list[bytes] = []
    at = 0
    own_lines = data.count(b'\n', kept[-1][1])
    for start, end, codec in kept:
        gap = data[at:start]
        own_lines += gap.count(b'\n')
        wide.append('\n' * gap.count(b'\n'))
        plain.append(gap)
        wide.append(data[start:end].decode(codec, 'replace'))
        plain.append(b'\n' * data.count(b'\n', start, end))
        at = end
    wide.append('\n' * data.count(b'\n', at))
    plain.append(data[at:])
    rest = b''.join(plain)
    plain_text = _decode_as(rest, 'utf-8', 0) if rest.strip() else ''
    if not text and plain_text and _utf8_or_latin1(rest[:DEEP].replace(b'\0', b'')) is None:
        return [], False
    return [t for t in (''.join(wide), plain_text) if t], own_lines > 0


def _decode_as(data: bytes, codec: str, skip: int) -> str:
    if skip:
        data = data[skip:]
    if codec == 'utf-8':
        try:
            return data.decode('utf-8')
        except UnicodeDecodeError:
            if not _few(_stray(data), len(data)):  # UTF-8 only at its start: one byte a character throughout
                return _single_byte(data)
            _register_fallback()  # a few stray bytes: each calls the handler once
            return data.decode('utf-8', _FALLBACK)
    if codec == SINGLE_BYTE:
        return _single_byte(data)
    return data.decode(codec, 'replace')


def decode_pieces(pieces: Iterable[bytes]) -> list[Stream]:
    """A large file's text piece by piece (a character cut between two pieces is joined), one stream per
    reading; empty for binary.

    Its first DEEP bytes choose the readings, however the pieces are cut. The pieces are read once for
    all streams: advance the one with the most `backlog` (what the others have read ahead for it), and
    memory stays bounded.
    """
    source = iter(pieces)
    first = b''
    while len(first) < DEEP:
        piece = next(source, None)
        if piece is None:
            break
        first += piece
    from guard.git.streams import Fan
    from guard.git.streams import Stream

    found = readings(first[:DEEP])
    if len(found) == 1:
        codec, skip = found[0]
        return [Stream(None, _decoded(_decoder(codec), first[skip:], source))]
    return Fan([_decoder(codec) for codec, _ in found], [skip for _, skip in found], first, source).streams


def is_lfs_pointer(data: bytes) -> bool:
    """Exactly a git-lfs pointer: the spec's `version`, `oid sha256:` and `size` lines and nothing else.

    A file that merely starts like one (a pointer header with a secret after it) is text to scan.
    """
    if len(data) > _LFS_MAX or not data.startswith(_LFS_PREFIX):
        return False
    lines = data[len(_LFS_PREFIX) :].split(b'\n')
    if len(lines) != 3 or lines[2]:  # `<oid>`, `size N`, and the empty rest after the final newline
        return False
    oid, size = lines[0], lines[1]
    return (
        len(oid) == 64
        and all(c in b'0123456789abcdef' for c in oid)
        and size.startswith(b'size ')
        and size[5:].isdigit()
        and size[5:6] != b''
    )


def _decoded(decoder: codecs.IncrementalDecoder, first: bytes, rest: Iterator[bytes]) -> Iterator[str]:
    yield decoder.decode(first, False)
    for piece in rest:
        yield decoder.decode(piece, False)
    yield decoder.decode(b'', True)


def _distinct(found: list[Reading]) -> list[Reading]:
    """Readings that differ: the same codec at the same alignment reads the same characters (a marked
    UTF-16 file is also told by its NUL pattern); the first, which skips its mark, is kept."""
    kept: list[Reading] = []
    for reading in found:
        if not any(_same(reading, other) for other in kept):
            kept.append(reading)
    return kept


def _same(one: Reading, other: Reading) -> bool:
    return one[0] == other[0] and one[1] % _unit(one[0]) == other[1] % _unit(other[0])


def _unit(codec: str) -> int:
    return 4 if codec.startswith('utf-32') else 2 if codec.startswith('utf-16') else 1


def _decoder(codec: str) -> codecs.IncrementalDecoder:
    if codec == 'utf-8':
        _register_fallback()
        return codecs.getincrementaldecoder('utf-8')(_FALLBACK)
    if codec == SINGLE_BYTE:
        return _SingleByte()
    return codecs.getincrementaldecoder(codec)('replace')


def _utf8_prefix(head: bytes) -> bool:
    """`head` is UTF-8, perhaps cut inside its last character (it is the start of a longer file)."""
    try:
        head.decode('utf-8')
    except UnicodeDecodeError as e:
        return e.reason == 'unexpected end of data' and e.start >= len(head) - 3
    return True


def _wide_readings(head: bytes) -> list[Reading]:
    """UTF-16 and UTF-32 without a mark, told by where the NULs are (ASCII in UTF-16: every other byte
    NUL; in UTF-32: three of every four), each aligned on the byte that carries the characters."""
    found: list[Reading] = []
    for width, codec in ((4, 'utf-32'), (2, 'utf-16')):
        units = len(head) // width
        if not units:
            continue
        nuls = [head[r : units * width : width].count(0) for r in range(width)]
        low = min(range(width), key=nuls.__getitem__)  # where the characters' low bytes are
        if nuls[low] > units * _WIDE_STRAY:
            continue
        if all(nuls[r] >= units * _WIDE_NULS for r in range(width) if r != low):
            # A little-endian unit starts at its low byte: each character whole, whatever junk comes
            # first. A big-endian one ends there; read too when it is aligned on the file's start (it
            # is then right for characters beyond Latin-1, where the little-endian reading is not).
            if low == width - 1:
                found.append((f'{codec}-be', 0))
            found.append((f'{codec}-le', low))
    return found


def _utf8_or_latin1(head: bytes, fmt: bool = False) -> str | None:
    """'utf-8' for UTF-8 with at most a few stray bytes, SINGLE_BYTE for other text, None when neither is text.

    Counted on bytes: C0 controls and DEL are single bytes in both; C1 controls are C2 80..9F in UTF-8
    and the five bytes Windows-1252 leaves undefined in a single-byte reading (a stray byte inside
    UTF-8 counts as one when it may be one); with `fmt` (a binary format's magic number) all of 80..9F.
    """
    size = len(head) or 1
    c0 = len(head.translate(None, _NOT_C0))
    if c0 > size * CONTROL_SHARE:  # NUL-heavy data (executables, UTF-16): no need to look further
        return None
    stray = _stray(head)
    c1_bytes = len(head.translate(None, _NOT_C0_LATIN1_C1 if fmt else _NOT_C0_C1)) - c0  # 81, 8D, 8F, 90, 9D
    if _few(stray, size) and c0 + _c1_in_utf8(head) + min(stray, c1_bytes) <= size * CONTROL_SHARE:
        return 'utf-8'  # a stray byte is a control only if Windows-1252 leaves it undefined
    # Not UTF-8 text (C2 80..9F are C1 controls in UTF-8, a curly quote and an A-circumflex in Windows-1252).
    if c0 + c1_bytes <= size * CONTROL_SHARE or not fmt and _legacy_multibyte(head):
        return SINGLE_BYTE
    return None


# The "ANSI" code pages of Japanese, Chinese and Korean Windows: their lead bytes include 81..9F, which a
# single-byte reading counts as controls, so a config with a few lines of Japanese comments was "binary"
# (attack 15d finding 04). Such a file is text when its head decodes cleanly in one of them, and it is read
# in that code page too (readings()): a trail byte may be an ASCII letter or `\`, so the single-byte
# reading cuts a password holding kanji into pieces (attack 15e finding 01). Line ends are never trail
# bytes in them, so every reading keeps the file's lines.
_LEGACY_MULTIBYTE = ('cp932', 'gbk', 'cp949', 'big5')


def _legacy_multibyte(head: bytes) -> list[str]:
    """The CJK code pages `head` decodes in without an error (a character cut at its end is none) into
    CJK text: kana, hanzi, hangul or full-width forms, and no private-use characters (two bytes of a
    lying byte-order mark, FE FF, decode in Korean's code page as one)."""
    found = []
    for codec in _LEGACY_MULTIBYTE:
        try:
            decoded = codecs.getincrementaldecoder(codec)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if _CJK.search(decoded) and not _PRIVATE_USE.search(decoded):
            found.append(codec)
    return found


_CJK = LazyRegex('[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]')
_PRIVATE_USE = LazyRegex('[\ue000-\uf8ff]')


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
    """At most CONTROL_SHARE of `sample` (decoded UTF-16 or UTF-32) is control characters, and it is
    not empty."""
    if not sample:
        return False
    data = sample.encode('utf-8', 'surrogatepass')
    c0 = len(data.translate(None, _NOT_C0))
    return c0 + _c1_in_utf8(data) <= len(sample) * CONTROL_SHARE


def _register_fallback() -> None:
    try:
        codecs.lookup_error(_FALLBACK)
    except LookupError:
        codecs.register_error(_FALLBACK, _latin1)


def _latin1(error: UnicodeError) -> tuple[str, int]:
    """A stray byte in UTF-8 read as one character: Windows-1252's (a curly quote pasted from Word), else Latin-1's."""
    assert isinstance(error, UnicodeDecodeError)
    return _single_byte(error.object[error.start : error.end]), error.end


_TABLE: list[str] = []  # the single-byte reading's 256 characters, built on first use


def _single_byte(data: bytes) -> str:
    """`data` read as SINGLE_BYTE, one character per byte, at C speed."""
    if not _TABLE:
        _TABLE.append(''.join(chr(b) if b in _CP1252_UNDEFINED else bytes((b,)).decode('cp1252') for b in range(256)))
    return codecs.charmap_decode(data, 'strict', _TABLE[0])[0]


class _SingleByte(codecs.IncrementalDecoder):
    """The incremental decoder of SINGLE_BYTE: every byte is a whole character."""

    def decode(self, input: ReadableBuffer, final: bool = False) -> str:  # noqa: A002 (codecs' parameter name)
        return _single_byte(bytes(input))
