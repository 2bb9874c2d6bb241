"""Scanning git blobs on every core when there are many, each worker with its own
guard.git.blobs.BlobReader. Shared by the index scan (a big commit) and the history scan; it
imports neither, so the two depend on it and not on each other."""
from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from guard.findings import Finding
from guard.findings import Skipped
from guard.git.blobs import BlobReader
from guard.git.plumbing import Entry
from guard.git.plumbing import blob_text
from guard.git.plumbing import too_large
from guard.git.text import decode
from guard.scan.lines import added_line_numbers
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.records import StrPath

# Below this many blobs one process is faster than starting workers.
PARALLEL_MIN_BLOBS = 128
CHUNK_BLOBS = 32  # keeps each batch of object ids far below a pipe's 64 KiB, so cat-file never blocks us
SHORT_SHA = 12
_MISSING = 'not in the object store (a shallow or partial clone?)'

Progress = Callable[[int, int], None]


@dataclass
class Batch:
    """What scanning some blobs found: findings keep their work index and commit, for ordering."""

    findings: list[tuple[int, str | None, Finding]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    suppressed: int = 0

    def add(self, other: Batch) -> None:
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
        self.files += other.files
        self.bytes += other.bytes
        self.suppressed += other.suppressed


def scan_blobs(root: StrPath, work: Sequence[tuple[str | None, Entry]], scanner: Scanner, max_size: int, jobs: int,
               progress: Progress | None = None) -> Batch:
    """Read and scan blobs, on every core when there are many. An entry with `parents` is judged only
    on the lines it added (guard.scan.lines); a None commit (the index) labels skipped files by path alone."""
    items = list(enumerate(work))
    chunks = [items[i:i + CHUNK_BLOBS] for i in range(0, len(items), CHUNK_BLOBS)]
    total = Batch()
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(items) < PARALLEL_MIN_BLOBS:
        with BlobReader(root) as reader:
            for done, chunk in enumerate(chunks, 1):
                total.add(_scan_chunk(reader, scanner, max_size, chunk))
                _report(progress, min(done * CHUNK_BLOBS, len(items)), len(items))
        return total
    import multiprocessing

    # fork: workers inherit the scanner (its compiled patterns) instead of rebuilding it.
    with multiprocessing.get_context('fork').Pool(jobs, _init_worker, (root, scanner, max_size)) as pool:
        done = 0
        for chunk_batch, size in pool.imap_unordered(_worker, chunks):
            total.add(chunk_batch)
            done += size
            _report(progress, done, len(items))
    return total


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


_WORKER: tuple[BlobReader, Scanner, int] | None = None


def _init_worker(root: StrPath, scanner: Scanner, max_size: int) -> None:
    global _WORKER
    _WORKER = (BlobReader(root), scanner, max_size)


def _worker(chunk: list[tuple[int, tuple[str | None, Entry]]]) -> tuple[Batch, int]:
    assert _WORKER is not None
    return _scan_chunk(*_WORKER, chunk), len(chunk)


def _scan_chunk(reader: BlobReader, scanner: Scanner, max_size: int,
                chunk: list[tuple[int, tuple[str | None, Entry]]]) -> Batch:
    out = Batch()
    # Sizes first: a blob over max-file-size is never read (a parent that large: every line counts as added).
    sizes = reader.sizes([oid for _, (_, e) in chunk for oid in (e.oid, *e.parents)]) if max_size else {}

    def fits(oid: str) -> bool:
        return not max_size or sizes.get(oid, 0) <= max_size

    blobs = reader.read_many([oid for _, (_, e) in chunk if fits(e.oid) for oid in (e.oid, *e.parents) if fits(oid)])
    for seq, (commit, entry) in chunk:
        label = f'{commit[:SHORT_SHA]}:{entry.path}' if commit else entry.path
        data = blobs.get(entry.oid)
        oversized = too_large(label, sizes.get(entry.oid, 0), max_size)
        text = oversized or (blob_text(label, data, max_size) if data is not None else Skipped(label, _MISSING))
        if isinstance(text, Skipped):
            out.skipped.append(text)
            continue
        added = added_line_numbers(text, [decode(blobs.get(p, b'')) or '' for p in entry.parents]) \
            if entry.parents else None
        findings, suppressed = scanner.scan(Document(entry.path, text, commit, added))
        out.findings.extend((seq, commit, f) for f in findings)
        out.suppressed += suppressed
        out.files += 1
        out.bytes += len(text)
    return out

