"""Scanning git blobs, on every core when there are many, each worker with its own guard.git.blobs.BlobReader.
Shared by the index scan (a big commit) and the history scan; it imports neither, so the two depend
on it and not on each other.

Blobs are sized first: one at most max-file-size is read whole, a larger one is streamed in pieces
and scanned in windows (guard.scan.content), so no blob is skipped for its size.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Sequence

from guard.git.blobs import BlobReader
from guard.git.plumbing import Entry
from guard.scan import content
from guard.scan.result import ScanResult
from guard.scan.scanner import Scanner

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.records import StrPath

# Below this many blobs one process is faster than starting workers.
PARALLEL_MIN_BLOBS = 128
CHUNK_BLOBS = 32  # keeps each batch of object ids far below a pipe's 64 KiB, so cat-file never blocks us
SHORT_SHA = 12
MISSING = 'not in the object store (a shallow or partial clone, or a broken index?)'

Progress = Callable[[int, int], None]


def scan_blobs(
    root: StrPath,
    work: Sequence[tuple[str | None, Entry]],
    scanner: Scanner,
    max_size: int,
    jobs: int,
    progress: Progress | None = None,
) -> ScanResult:
    """Read and scan blobs, on every core when there are many. An entry with `parents` is scanned only
    on the lines it added. A commit labels its findings and skipped files `<commit>:<path>` (git's
    notation); a None commit (the index) labels them by path alone. Findings come in `work`'s order."""
    chunks = [work[i : i + CHUNK_BLOBS] for i in range(0, len(work), CHUNK_BLOBS)]
    total = ScanResult(root)
    jobs = jobs or os.cpu_count() or 1
    done = 0
    if jobs == 1 or len(work) < PARALLEL_MIN_BLOBS:
        with BlobReader(root) as reader:
            for chunk in chunks:
                total.merge(scan_chunk(reader, scanner, max_size, chunk))
                done += len(chunk)
                _report(progress, done, len(work))
        return total
    from guard.scan import pool

    readers: dict[int, BlobReader] = {}  # one per worker process, started on its first chunk

    def scan_in_worker(chunk: Sequence[tuple[str | None, Entry]]) -> ScanResult:
        reader = readers.get(os.getpid()) or readers.setdefault(os.getpid(), BlobReader(root))
        return scan_chunk(reader, scanner, max_size, chunk)

    for chunk, part in zip(chunks, pool.run(scan_in_worker, chunks, jobs), strict=True):
        total.merge(part)
        done += len(chunk)
        _report(progress, done, len(work))
    return total


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def scan_chunk(
    reader: BlobReader, scanner: Scanner, max_size: int, chunk: Sequence[tuple[str | None, Entry]]
) -> ScanResult:
    """Scan some blobs: the small ones read in one request, each large one streamed."""
    out = ScanResult()
    sizes = reader.sizes([oid for _, e in chunk for oid in (e.oid, *e.parents)])

    def whole(oid: str) -> bool:
        return not max_size or sizes.get(oid, 0) <= max_size

    # A parent too large to read whole: every line of its successor counts as added.
    blobs = reader.read([oid for _, e in chunk if whole(e.oid) for oid in (e.oid, *e.parents) if whole(oid)])
    for commit, entry in chunk:
        label = f'{commit[:SHORT_SHA]}:{entry.path}' if commit else entry.path
        part = ScanResult()
        if entry.oid not in sizes:
            out.skip(label, MISSING, failed=True)
        elif entry.oid in blobs:
            replaced = [blobs.get(p, b'') for p in entry.parents] if entry.parents else ()
            content.scan_data(
                entry.path,
                blobs[entry.oid],
                scanner,
                part,
                label=label,
                commit=commit,
                replaced=replaced,
                source=entry.source,
            )
        else:
            content.scan_pieces(entry.path, reader.pieces(entry.oid), scanner, part, label=label, commit=commit)
        if commit:
            part.findings = [f._replace(path=label) for f in part.findings]
        out.merge(part)
    return out
