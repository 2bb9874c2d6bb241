"""The scan engine over git history: a range of commits, all of history, or what a `git push` sends.

One `git log --raw` lists every blob each commit introduced; each (blob, path) is read once, and a
changed file is scanned only on the lines its commit added (the lines of the blobs it replaced are
blanked, so line numbers stay true). Each finding is reported once, at the commit that introduced
it, as `<commit>:<path>` (git's own notation: `git show <commit>:<path>` opens it). Blobs are read
and scanned on every core, each worker with its own `git cat-file --batch`.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from guard import allowlist
from guard import git_index
from guard import sources
from guard.config import Config
from guard.errors import SourceError
from guard.errors import UsageError
from guard.findings import Finding
from guard.git_plumbing import GITLINK
from guard.git_plumbing import Entry
from guard.git_plumbing import parse_raw
from guard.rules import venv
from guard.scan import ScanResult
from guard.scan import finish
from guard.scan import make_scanner
from guard.scanner import Document
from guard.scanner import Scanner
from guard.sources import Skipped

TYPE_CHECKING = False  # as in guard/sources.py
if TYPE_CHECKING:
    from guard.sources import StrPath

# Below this many blobs one process is faster than starting workers.
PARALLEL_MIN_BLOBS = 128
CHUNK_BLOBS = 32  # keeps each batch of object ids far below a pipe's 64 KiB, so cat-file never blocks us
SHORT_SHA = 12
_MISSING = 'not in the object store (a shallow or partial clone?)'

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PushUpdate:
    """One line git gives a pre-push hook on stdin."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


def parse_push_lines(text: str) -> list[PushUpdate]:
    """`<local ref> <local sha> <remote ref> <remote sha>` lines (githooks(5), pre-push)."""
    updates = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4 or not all(_is_sha(p) for p in (parts[1], parts[3])):
            raise UsageError(f'pre-push: expected "<local ref> <local sha> <remote ref> <remote sha>", got {line!r}')
        updates.append(PushUpdate(*parts))
    return updates


def push_revisions(root: StrPath, updates: Sequence[PushUpdate]) -> list[str]:
    """`git log` arguments for the commits a push sends; [] when it only deletes branches.

    A branch the remote already has: the commits after the remote's tip. A new branch, or a remote
    tip this clone never fetched: the commits on no remote-tracking ref, as pre-commit does.
    """
    pushed = [u for u in updates if not _is_zero(u.local_sha)]
    if not pushed:
        return []
    known = _existing(root, [u.remote_sha for u in pushed if not _is_zero(u.remote_sha)])
    unknown_base = any(_is_zero(u.remote_sha) or u.remote_sha not in known for u in pushed)
    return [*dict.fromkeys(u.local_sha for u in pushed), '--not', *sorted(known),
            *(['--remotes'] if unknown_base else [])]


def scan_revisions(config: Config, revisions: Sequence[str], *, only: Sequence[str] = (), use_baseline: bool = True,
                   jobs: int | None = None, progress: Progress | None = None) -> ScanResult:
    """Scan every commit `git log <revisions>` lists (e.g. ['--all'], ['main..topic'])."""
    root = config.root
    scanner = make_scanner(config, only)
    result = ScanResult(root)
    commits, work, path_findings = _plan(root, revisions, config, scanner.enabled)
    found: list[tuple[int, str | None, Finding]] = [(seq, commit, f) for seq, (commit, f) in enumerate(path_findings)]
    batch = scan_blobs(root, work, scanner, config.max_file_size, jobs or config.jobs, progress)
    found.extend((len(path_findings) + seq, commit, f) for seq, commit, f in batch.findings)
    result.findings = _first_introductions(found)
    result.skipped = batch.skipped
    result.files_scanned, result.bytes_scanned, result.suppressed = batch.files, batch.bytes, batch.suppressed
    result.notes.append(f'scanned {commits} commit{"s" if commits != 1 else ""}, {len(work)} new or changed blobs; '
                        'changed files only on the lines each commit added')
    finish(result, config, use_baseline=use_baseline, whole_tree=False)
    return result


def _plan(root: StrPath, revisions: Sequence[str], config: Config,
          enabled: frozenset[str]) -> tuple[int, list[tuple[str, Entry]], list[tuple[str, Finding]]]:
    """(commits listed, (commit, blob) pairs to scan oldest first, venv findings by commit)."""
    out = sources.git(root, 'log', '--raw', '-z', '--no-renames', '--no-abbrev', '--root', '-c', '--reverse',
                      '--topo-order', '--no-color', '--format=%H', *revisions, '--')
    by_commit: dict[str, list[Entry]] = {}
    seen: set[tuple[str, str]] = set()
    for commit, entry in parse_raw(out):
        by_commit.setdefault(commit or '', [])
        if entry is not None and entry.mode != GITLINK and (entry.oid, entry.path) not in seen:
            seen.add((entry.oid, entry.path))
            by_commit[commit or ''].append(entry)
    excluded = allowlist.PathFilter(config.exclude)
    work: list[tuple[str, Entry]] = []
    path_findings: list[tuple[str, Finding]] = []
    venv_dirs: set[str] = set()
    for commit, entries in by_commit.items():
        judged = git_index.judge_paths(entries, {}, root, excluded, enabled)
        path_findings.extend((commit, f) for f in judged.findings)
        work.extend((commit, e) for e in judged.entries)
        venv_dirs |= judged.venv_dirs
    # A later commit may add files to an environment without the files that give it away.
    work = [(c, e) for c, e in work if not git_index.inside(e.path, venv_dirs)]
    return len(by_commit), work, path_findings


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
    """Read and scan blobs, on every core when there are many. An entry with `parents` is scanned only
    on the lines it added; a None commit (the index) labels skipped files by path alone."""
    items = list(enumerate(work))
    chunks = [items[i:i + CHUNK_BLOBS] for i in range(0, len(items), CHUNK_BLOBS)]
    total = Batch()
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(items) < PARALLEL_MIN_BLOBS:
        with _BlobReader(root) as reader:
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


_WORKER: tuple[_BlobReader, Scanner, int] | None = None


def _init_worker(root: StrPath, scanner: Scanner, max_size: int) -> None:
    global _WORKER
    _WORKER = (_BlobReader(root), scanner, max_size)


def _worker(chunk: list[tuple[int, tuple[str | None, Entry]]]) -> tuple[Batch, int]:
    assert _WORKER is not None
    return _scan_chunk(*_WORKER, chunk), len(chunk)


def _scan_chunk(reader: _BlobReader, scanner: Scanner, max_size: int,
                chunk: list[tuple[int, tuple[str | None, Entry]]]) -> Batch:
    out = Batch()
    blobs = reader.read_many([oid for _, (_, e) in chunk for oid in (e.oid, *e.parents)])
    for seq, (commit, entry) in chunk:
        label = f'{commit[:SHORT_SHA]}:{entry.path}' if commit else entry.path
        data = blobs.get(entry.oid)
        text = git_index.blob_text(label, data, max_size) if data is not None else Skipped(label, _MISSING)
        if isinstance(text, Skipped):
            out.skipped.append(text)
            continue
        if entry.parents:
            text = added_lines(text, [blobs.get(p, b'') for p in entry.parents])
        findings, suppressed = scanner.scan(Document(entry.path, text, commit))
        out.findings.extend((seq, commit, f) for f in findings)
        out.suppressed += suppressed
        out.files += 1
        out.bytes += len(text)
    return out


def added_lines(text: str, replaced: Sequence[bytes]) -> str:
    """`text` with every line that was already in a replaced version blanked (line numbers kept).

    The line above each added line stays, so a `pragma: allowlist nextline secret` marker still works.
    """
    old: set[str] = set()
    for data in replaced:
        old.update((sources.decode(data) or '').split('\n'))
    lines = text.split('\n')
    keep = [line not in old for line in lines]
    for i in range(len(lines) - 1):
        keep[i] = keep[i] or keep[i + 1]
    return '\n'.join(line if kept else '' for line, kept in zip(lines, keep))


def _first_introductions(found: list[tuple[int, str | None, Finding]]) -> list[Finding]:
    """One finding per (path, fingerprint), at the first commit that had it, shown as `<commit>:<path>`."""
    kept: dict[tuple[str, str], Finding] = {}
    for _, commit, finding in sorted(found, key=lambda item: item[0]):
        # A root venv's fingerprint lists its entries, which differ commit by commit: report it once.
        key = (finding.rule, '') if finding.rule == venv.ROOT_RULE else (finding.path, finding.fingerprint)
        if key not in kept:
            kept[key] = finding._replace(path=f'{(commit or "")[:SHORT_SHA]}:{finding.path}')
    return list(kept.values())


class _BlobReader:
    """A long-lived `git cat-file --batch`: one process serves every blob a worker reads."""

    def __init__(self, root: StrPath) -> None:
        try:
            self._proc = subprocess.Popen(['git', '-C', str(root), 'cat-file', '--batch'],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except FileNotFoundError:
            raise SourceError('git is not installed (needed to scan git history)') from None

    def __enter__(self) -> _BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait()

    def read_many(self, oids: Sequence[str]) -> dict[str, bytes]:
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        unique = list(dict.fromkeys(oids))
        stdin.write(''.join(o + '\n' for o in unique).encode())
        stdin.flush()
        blobs = {}
        for _ in unique:
            header = stdout.readline().split()
            if len(header) == 3:
                blobs[header[0].decode()] = stdout.read(int(header[2]))
                stdout.read(1)
        return blobs


def _existing(root: StrPath, shas: Sequence[str]) -> set[str]:
    if not shas:
        return set()
    out = sources.git(root, 'cat-file', '--batch-check', input_bytes=''.join(s + '\n' for s in shas).encode())
    return {line.split()[0] for line in out.decode().splitlines() if not line.endswith(' missing')}


def _is_sha(value: str) -> bool:
    return len(value) in (40, 64) and all(c in '0123456789abcdef' for c in value)


def _is_zero(sha: str) -> bool:
    return not sha.strip('0')
