"""Scanning what the next commit will hold: staged blobs read from the git index, never from the working tree.

A secret that is staged and then deleted from the working file is still committed, and a secret in
an unstaged edit is not, so a commit hook must judge the index (read through guard.git.plumbing).

Records here are tuples (guard.records): every commit runs this module, and dataclasses cost ~10 ms to import.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

from guard.git.blobs import BlobReader
from guard.git.plumbing import GITLINK
from guard.git.plumbing import SYMLINK
from guard.git.plumbing import Entry
from guard.git.plumbing import Repo
from guard.git.plumbing import index_entries
from guard.git.plumbing import staged_entries
from guard.records import Record
from guard.rules import venv
from guard.rules.trees import PathListTree
from guard.scan import allowlist
from guard.scan import content
from guard.scan.engine import PARALLEL_MIN_FILES
from guard.scan.engine import finish
from guard.scan.engine import make_scanner
from guard.scan.result import ScanResult

MISSING = 'not in the object store (a broken index?)'

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.config import Config
    from guard.findings import Finding
    from guard.git.plumbing import StagedRead
    from guard.records import StrPath
    from guard.scan.scanner import Scanner



def scan_staged(config: Config, repo: Repo, *, paths: Sequence[str] | None = None, only: Sequence[str] = (),
                use_baseline: bool = True, read: StagedRead | None = None) -> ScanResult:
    """Scan what is staged. `paths` (root-relative, as pre-commit passes them) limits the scan to
    those files, read from the index when it has them and from the working tree when it does not.
    `read`: git's answers, when the caller started asking before (the commit hook does)."""
    scanner = make_scanner(config, only)
    result = ScanResult(repo.root)
    if paths is None:
        entries = read.staged_entries(repo) if read else staged_entries(repo)
        loose: list[str] = []
    else:
        indexed = read.index_entries(repo, paths) if read else index_entries(repo.root, paths)
        entries = sorted(indexed.values(), key=lambda e: e.path)
        loose = [p for p in paths if p not in indexed]
    scan_entries(repo.root, entries, config, scanner, result, loose=loose)
    finish(result, config, use_baseline=use_baseline, whole_tree=False)
    return result


def scan_entries(root: StrPath, entries: Sequence[Entry], config: Config, scanner: Scanner, result: ScanResult, *,
                 loose: Sequence[str] = ()) -> None:
    """Judge the paths (venvs), then scan the content of what is left; `loose` paths are read from disk."""
    entries = [e for e in entries if e.mode != GITLINK]
    max_size = config.max_file_size
    # Sizes first: a blob over max-file-size is streamed, never read whole. While git looks them
    # up, the scanner prepares what every text needs.
    with BlobReader(root, (oid for e in entries for oid in (e.oid, *e.parents))) as reader:
        scanner.warm_up()
        sizes = reader.sizes()

        def fits(oid: str) -> bool:
            return oid in sizes and (not max_size or sizes[oid] <= max_size)

        def whole(entry: Entry) -> bool:
            return fits(entry.oid)

        early = reader.read(e.oid for e in entries if _needed_for_venv(e) and whole(e))
        judged = judge_paths(entries, early, root, allowlist.PathFilter(config.exclude), scanner.enabled, loose=loose)
        parallel = len(judged.entries) >= PARALLEL_MIN_FILES and (config.jobs or os.cpu_count() or 1) > 1
        if not parallel:
            # An entry's `parents` (the blobs it replaces) are read too: only the lines it adds are judged.
            wanted = (oid for e in judged.entries if whole(e)
                      for oid in (e.oid, *e.parents) if oid not in early and fits(oid))
            blobs = {**early, **reader.read(wanted)}
            _scan_read(judged.entries, blobs, sizes, reader, scanner, result)
    # git has ended before the workers fork: none of them holds its pipes open.
    result.findings[:0] = judged.findings
    if parallel:
        from guard.scan import blobs as blob_scan  # its worker pool costs an import only big commits pay for

        work = [(None, e._replace(parents=())) for e in judged.entries]  # the index: whole files, not just changes
        result.merge(blob_scan.scan_blobs(root, work, scanner, max_size, config.jobs))
    for path in judged.loose:
        content.scan_file(root, path, max_size, scanner, result)


def _scan_read(entries: Sequence[Entry], blobs: dict[str, bytes], sizes: dict[str, int], reader: BlobReader,
               scanner: Scanner, result: ScanResult) -> None:
    """Scan staged blobs: those in `blobs` from memory, the other sized ones streamed from `reader`."""
    for entry in entries:
        data = blobs.get(entry.oid)
        if data is not None:
            replaced = [blobs.get(p, b'') for p in entry.parents]
            content.scan_data(entry.path, data, scanner, result, replaced=replaced)
        elif entry.oid in sizes:
            content.scan_pieces(entry.path, reader.pieces(entry.oid), scanner, result)
        else:
            result.skip(entry.path, MISSING, failed=True)


class Judged(Record):
    """The outcome of looking at paths only: venv `findings`, and what is left to read and scan
    (`entries` from git, `loose` paths from disk); `venv_dirs` are environments (root entries,
    nested folders) whose files are not read."""

    findings: list[Finding]
    entries: list[Entry]
    loose: list[str]
    venv_dirs: set[str]


def judge_paths(entries: Sequence[Entry], blobs: dict[str, bytes], root: StrPath, excluded: allowlist.PathFilter,
                enabled: frozenset[str], *, loose: Sequence[str] = ()) -> Judged:
    """Venv findings from the paths alone; the files inside an environment or excluded are not read."""
    paths = [e.path for e in entries] + list(loose)
    links = {e.path: os.fsdecode(blobs.get(e.oid, b'')) for e in entries if e.mode == SYMLINK}
    heads = {e.path: blobs[e.oid][:256] for e in entries if e.mode != SYMLINK and e.oid in blobs}
    root_venv = venv.detect_root_venv(PathListTree(paths, links=links, heads=heads), staged=True,
                                      root_path=str(root))
    nested = venv.detect_nested_venvs(paths)
    findings: list[Finding] = []
    if root_venv and venv.ROOT_RULE in enabled:
        findings.append(root_venv)
    if venv.NESTED_RULE in enabled:
        findings.extend(f for f in nested if not excluded.excluded(f.path))
    skip = {f.path.rstrip('/') for f in nested} | set(root_venv.entries if root_venv else ())

    def wanted(path: str) -> bool:
        return not inside(path, skip) and not excluded.excluded(path)

    return Judged(findings, [e for e in entries if e.mode != SYMLINK and wanted(e.path)],
                  [p for p in loose if wanted(p)], skip)


def _needed_for_venv(entry: Entry) -> bool:
    """Blobs the venv rule reads before anything else: root symlinks (lib64 -> lib), bin/ script heads."""
    top, _, rest = entry.path.partition('/')
    return (entry.mode == SYMLINK and not rest) or (top in ('bin', 'Scripts') and bool(rest) and '/' not in rest)


def inside(path: str, folders: set[str]) -> bool:
    return any(path == d or path.startswith(d + '/') for d in folders)
