"""From a file's bytes to the scan: the one way every source (work tree, index, history, ranges) is read.

A file at most max-file-size is decoded whole (guard.git.text) and scanned; a larger one is decoded
piece by piece and scanned in windows that overlap (guard.scan.windows), so memory stays bounded
and a secret across a window's edge is still found at its line. What is not scanned is recorded in
the result with its reason: an exact git-lfs pointer, binary content (no decoding yields text).
Path rules still judge a binary file: an env file is one whatever its bytes.
"""
from __future__ import annotations

from guard.findings import Skipped
from guard.git.text import BINARY
from guard.git.text import LFS_POINTER
from guard.git.text import SNIFF
from guard.git.text import decode
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


def scan_data(path: str, data: bytes, scanner: Scanner, result: ScanResult, *, label: str = '',
              commit: str | None = None, replaced: Sequence[bytes] = ()) -> None:
    """Scan a whole file's bytes at `path` (named `label` when skipped). With `replaced` (the versions
    it replaced), only findings touching the lines it added are kept (guard.scan.lines): the file is
    still scanned whole, so a key block or a filter reading the rest of the file sees what it would."""
    if is_lfs_pointer(data):
        result.skip(label or path, LFS_POINTER)
        return
    text = decode(data)
    if text is None:
        _binary(path, label, data[:SNIFF], scanner, result)
        return
    added = added_line_numbers(text, [decode(r) or '' for r in replaced]) if replaced else None
    scan_text(Document(path, text, commit, added), scanner, result)


def scan_pieces(path: str, pieces: Iterable[bytes], scanner: Scanner, result: ScanResult, *, label: str = '',
                commit: str | None = None, window: int = 0, overlap: int = 0) -> None:
    """Scan a large file given in pieces (the first at least SNIFF bytes), window by window; every
    piece is consumed. `window`/`overlap` (characters) override guard.scan.windows' sizes (tests)."""
    from guard.scan import windows

    source = iter(pieces)
    first = next(source, b'')
    texts = decode_pieces(_chain(first, source))
    if texts is None:
        close = getattr(source, 'close', None)
        if close is not None:  # a file's pieces: its descriptor closes; a blob's: the rest leaves git's pipe
            close()
        _binary(path, label, first[:SNIFF], scanner, result)
        return
    findings: list[Finding] = []
    suppressed = 0
    size = [0]

    def counted(parts: Iterable[str]) -> Iterable[str]:
        for part in parts:
            size[0] += len(part)
            yield part

    for n, part in enumerate(windows.windows(counted(texts), window or windows.SIZE, overlap or windows.OVERLAP)):
        found, allowed = scanner.scan(Document(path, part.text, commit))
        findings.extend(part.place(found, first=n == 0))
        suppressed += allowed
    result.scanned(findings, suppressed, size[0])


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


def _binary(path: str, label: str, head: bytes, scanner: Scanner, result: ScanResult) -> None:
    """Not text: skipped, yet an env file by its name is still one (a UTF-16 `.env` used to pass unseen)."""
    result.skip(label or path, BINARY)
    if env_files.RULE_ID in scanner.enabled:
        finding = env_files.check(path, head.decode('latin-1'))
        if finding is not None:
            result.findings.append(finding)


def _chain(first: bytes, rest: Iterable[bytes]) -> Iterable[bytes]:
    yield first
    yield from rest
