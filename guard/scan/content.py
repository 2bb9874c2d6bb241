"""From a file's bytes to the scan: the one way every source (work tree, index, history, ranges) is read.

A file at most max-file-size is decoded whole (guard.git.text) and scanned; a larger one is decoded
piece by piece and scanned in windows that overlap (guard.scan.windows), so memory stays bounded
and a secret across a window's edge is still found at its line. A file with more than one reading
(a byte-order mark and bytes that are UTF-8 too, UTF-16/32 told by NULs) is scanned in each, and
the findings are joined, the same one found twice kept once. What is not scanned is recorded in
the result with its reason: an exact git-lfs pointer, binary content (no decoding yields text).
Path rules judge every file first, whatever its content: an env file is one whatever its bytes, a
binary one or a git-lfs pointer included.
"""

from __future__ import annotations

from guard.findings import Skipped
from guard.git.text import BINARY
from guard.git.text import LFS_POINTER
from guard.git.text import SNIFF
from guard.git.text import decode_all
from guard.git.text import decode_pieces
from guard.git.text import is_lfs_pointer
from guard.rules import env_files
from guard.scan import sources
from guard.scan.lines import added_line_numbers
from guard.scan.scanner import Document

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Sequence

    from guard.findings import Finding
    from guard.records import StrPath
    from guard.scan.result import ScanResult
    from guard.scan.scanner import Scanner


def scan_data(
    path: str,
    data: bytes,
    scanner: Scanner,
    result: ScanResult,
    *,
    label: str = '',
    commit: str | None = None,
    replaced: Sequence[bytes] = (),
    source: str = '',
) -> None:
    """Scan a whole file's bytes at `path` (named `label` when skipped). With `replaced` (the versions
    it replaced), only findings touching the lines it added are kept (guard.scan.lines): the file is
    still scanned whole, so a key block or a filter reading the rest of the file sees what it would.
    `source`: the path it was renamed from; an old line whose finding the new path changes is new."""
    if is_lfs_pointer(data):
        _unread(path, label, LFS_POINTER, data, scanner, result)
        return
    texts = decode_all(data)
    if not texts:
        _unread(path, label, BINARY, data[:SNIFF], scanner, result)
        return
    old = [t for r in replaced for t in decode_all(r) or ['']] if replaced else []
    if len(texts) == 1:  # the common case: one reading, nothing to join
        added = judged_lines(path, source, texts[0], commit, old, scanner) if replaced else None
        scan_text(Document(path, texts[0], commit, added), scanner, result)
        return
    readings: list[list[Finding]] = []
    suppressed = 0
    for text in texts:
        added = judged_lines(path, source, text, commit, old, scanner) if replaced else None
        found, allowed = scanner.scan(Document(path, text, commit, added))
        readings.append(found)
        suppressed = max(suppressed, allowed)
    result.scanned(_distinct(readings), suppressed, max(map(len, texts)))


def judged_lines(
    path: str, source: str, text: str, commit: str | None, old: Sequence[str], scanner: Scanner
) -> frozenset[int]:
    """The lines of `text` to judge: those it adds to `old`, and, for a file renamed from `source`, the
    lines whose findings the new path changes (a note in tests/ is an error in config/: issue 15c
    finding 17, where `git mv` laundered a password because a rename adds no line)."""
    added = added_line_numbers(text, old)
    if not source or source == path:
        return added
    here, _ = scanner.scan(Document(path, text, commit))
    if not here:
        return added
    there, _ = scanner.scan(Document(source, text, commit))
    before = {(f.rule, f.severity, f.line, f.column) for f in there}
    return added | {f.line for f in here if f.line is not None and (f.rule, f.severity, f.line, f.column) not in before}


def scan_pieces(
    path: str,
    pieces: Iterable[bytes],
    scanner: Scanner,
    result: ScanResult,
    *,
    label: str = '',
    commit: str | None = None,
    window: int = 0,
    overlap: int = 0,
) -> None:
    """Scan a large file given in pieces (the first at least SNIFF bytes), window by window; every
    piece is consumed. `window`/`overlap` (characters) override guard.scan.windows' sizes (tests)."""
    from guard.scan import windows

    source = iter(pieces)
    first = next(source, b'')
    streams = decode_pieces(_chain(first, source))
    if not streams:
        close = getattr(source, 'close', None)
        if close is not None:  # a file's pieces: its descriptor closes; a blob's: the rest leaves git's pipe
            close()
        _unread(path, label, BINARY, first[:SNIFF], scanner, result)
        return
    findings: list[Finding] = []
    sizes = [0] * len(streams)

    def counted(parts: Iterable[str], i: int) -> Iterable[str]:
        for part in parts:
            sizes[i] += len(part)
            yield part

    # The readings share one pass over the pieces: the one with the most text read ahead for it goes
    # next, so none runs far ahead (a reading with fewer characters per byte takes more bytes a window).
    parts = [
        (i, enumerate(windows.windows(counted(texts, i), window or windows.SIZE, overlap or windows.OVERLAP)))
        for i, texts in enumerate(streams)
    ]
    allowed_by = [0] * len(parts)
    while parts:
        i, reading = max(parts, key=lambda p: streams[p[0]].backlog)
        step = next(reading, None)
        if step is None:
            parts.remove((i, reading))
            continue
        n, part = step
        found, allowed = scanner.scan(Document(path, part.text, commit))
        findings.extend(part.place(found, first=n == 0))
        allowed_by[i] += allowed
    result.scanned(_distinct([findings]) if len(streams) > 1 else findings, max(allowed_by), max(sizes))


def scan_file(root: StrPath, rel: str, max_size: int, scanner: Scanner, result: ScanResult) -> None:
    """Scan a file of the work tree (not followed when a symlink; nothing when not a regular file)."""
    data = sources.read(root, rel, max_size)
    if data is None:
        return
    if isinstance(data, Skipped):
        result.skip(data.path, data.reason, failed=True)
    elif isinstance(data, bytes):
        scan_data(rel, data, scanner, result)
    else:
        try:
            scan_pieces(rel, data, scanner, result)
        except OSError as e:
            result.skip(rel, f'{sources.UNREADABLE}: {e.strerror}', failed=True)


def scan_text(doc: Document, scanner: Scanner, result: ScanResult) -> None:
    findings, suppressed = scanner.scan(doc)
    result.scanned(findings, suppressed, len(doc.text))


def _unread(path: str, label: str, reason: str, head: bytes, scanner: Scanner, result: ScanResult) -> None:
    """Not scanned (binary, a git-lfs pointer): skipped, yet an env file by its name is still one, its
    assignments seen or not (64 NULs before `DB_PASSWORD=…` hid the only line the rule looks for)."""
    result.skip(label or path, reason)
    if env_files.RULE_ID in scanner.enabled:
        text = head.decode('latin-1').replace('\0', '')
        finding = env_files.check(path, text) or env_files.check_unread(path, reason)
        if finding is not None:
            result.findings.append(finding)


def _distinct(readings: list[list[Finding]]) -> list[Finding]:
    """Findings of several readings of one file (the first reading first), each kept once: same rule,
    line and matched content. A match an earlier reading found on another line is that one again,
    read misaligned (a UTF-16 reading that joins a line end into a character puts it a line early)."""
    seen: set[tuple[str, int | None, str]] = set()
    earlier: set[tuple[str, str]] = set()
    kept: list[Finding] = []
    for found in readings:
        for finding in found:
            key = (finding.rule, finding.line, finding.fingerprint)
            if key in seen or finding.line is not None and (finding.rule, finding.fingerprint) in earlier:
                continue
            seen.add(key)
            kept.append(finding)
        earlier.update((f.rule, f.fingerprint) for f in found if f.line is not None)
    return kept


def _chain(first: bytes, rest: Iterable[bytes]) -> Iterable[bytes]:
    yield first
    yield from rest
