"""Scanning what the next commit will hold: staged blobs read from the git index, never from the working tree.

A secret that is staged and then deleted from the working file is still committed, and a secret in
an unstaged edit is not, so a commit hook must judge the index (read through guard.git.plumbing).

By default (`hook-scope = "lines"`) a changed file is judged on the lines the commit adds
(guard.scan.lines): each staged entry carries the blobs it replaces (`Entry.parents`: HEAD's, and
during a merge each merged head's), and only matches touching an added line are findings. Path
findings (venvs, env files) hold for every staged path. `hook-scope = "files"` judges every line.
The findings left out are counted (`ScanResult.left_out`) only when there is a report to say it in:
counting means running every rule on the old lines, which made a clean commit of a file with 50 old
findings cost ~40 % more (bench/RESULTS.md, issue 18).

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
from guard.git.plumbing import named_entries
from guard.git.plumbing import staged_entries
from guard.git.text import decode_all
from guard.records import Record
from guard.rules import venv
from guard.rules.trees import PathListTree
from guard.scan import allowlist
from guard.scan import content
from guard.scan.engine import PARALLEL_MIN_FILES
from guard.scan.engine import finish
from guard.scan.engine import make_scanner
from guard.scan.result import ScanResult
from guard.scan.scanner import Document

MISSING = 'not in the object store (a broken index?)'

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.config import Config
    from guard.findings import Finding
    from guard.git.plumbing import StagedRead
    from guard.records import StrPath
    from guard.scan.scanner import Scanner


def scan_staged(
    config: Config,
    repo: Repo,
    *,
    paths: Sequence[str] | None = None,
    only: Sequence[str] = (),
    use_baseline: bool = True,
    read: StagedRead | None = None,
    whole_files: bool | None = None,
    count_left_out: bool = False,
) -> ScanResult:
    """Scan what is staged. `paths` (root-relative, as pre-commit passes them) limits the scan to
    those files, read from the index when it has them and from the working tree when it does not.
    `read`: git's answers, when the caller started asking before (the commit hook does).
    `whole_files`: judge every line, not only the added ones (default: config.hook_scope == 'files').
    `count_left_out`: count the findings on untouched lines even when nothing is reported."""
    scanner = make_scanner(config, only)
    result = ScanResult(repo.root)
    if paths is None:
        entries = read.staged_entries(repo) if read else staged_entries(repo)
        loose: list[str] = []
    else:
        indexed = read.named_entries(repo, paths) if read else named_entries(repo, paths)
        entries = sorted(indexed.values(), key=lambda e: e.path)
        loose = [p for p in paths if p not in indexed]
    if config.hook_scope == 'files' if whole_files is None else whole_files:
        entries = [e._replace(parents=()) for e in entries]
    by_lines = scan_entries(repo.root, entries, config, scanner, result, loose=loose)
    finish(result, config, use_baseline=use_baseline, whole_tree=False)
    if by_lines and (count_left_out or result.findings):
        result.left_out = count_left_out_in(repo.root, by_lines, scanner)
        if result.left_out:
            result.notes.append(left_out_note(result.left_out))
    return result


LIST_ALL_LINES = 'guard scan --staged --all-lines'


def left_out_note(count: int) -> str:
    """What the hook and `guard scan --staged` say about findings on lines the commit does not change."""
    many = count != 1
    return (
        f'{count} finding{"s" if many else ""} on lines this commit does not change '
        f'{"were" if many else "was"} left out (hook-scope = "lines"); `{LIST_ALL_LINES}` lists '
        f'{"them" if many else "it"}'
    )


def count_left_out_in(root: StrPath, entries: Sequence[Entry], scanner: Scanner) -> int:
    """How many findings sit on lines these entries do not add (inline-allowed ones aside; the baseline
    is not applied): their blobs are read again and every rule runs on every line."""
    with BlobReader(root, ()) as reader:
        blobs = reader.read(oid for e in entries for oid in (e.oid, *_replaced(e)))
    count = 0
    for entry in entries:
        old = [t for oid in _replaced(entry) for t in decode_all(blobs.get(oid, b'')) or ['']]
        counts = [0]
        for text in decode_all(blobs.get(entry.oid, b'')):  # every reading, as the scan reads it (one, mostly)
            # An entry that is one of its parents adds no line, unless its new path re-judges some.
            same = entry.oid in entry.parents
            added = (
                frozenset()
                if same and not entry.source
                else content.judged_lines(entry.path, entry.source, text, None, [text] if same else old, scanner)
            )
            counts.append(scanner.count_left_out(Document(entry.path, text, None, added)))
        count += max(counts)
    return count


def scan_entries(
    root: StrPath,
    entries: Sequence[Entry],
    config: Config,
    scanner: Scanner,
    result: ScanResult,
    *,
    loose: Sequence[str] = (),
) -> list[Entry]:
    """Judge the paths (venvs), then scan the content of what is left; `loose` paths are read from disk.

    An entry with `parents` is judged on the lines it adds to them (see the module's docstring);
    those entries are returned (what count_left_out_in may look at again)."""
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
            wanted = (
                oid for e in judged.entries if whole(e) for oid in (e.oid, *e.parents) if oid not in early and fits(oid)
            )
            blobs = {**early, **reader.read(wanted)}
            _scan_read(judged.entries, blobs, sizes, reader, scanner, result)
    # git has ended before the workers fork: none of them holds its pipes open.
    result.findings[:0] = judged.findings
    # Read whole and judged by line: what count_left_out_in may look at again (a streamed file counts whole).
    by_lines = [e for e in judged.entries if e.parents and whole(e)]
    if parallel:
        from guard.scan import blobs as blob_scan  # its worker pool costs an import only big commits pay for

        result.merge(blob_scan.scan_blobs(root, [(None, e) for e in judged.entries], scanner, max_size, config.jobs))
    for path in judged.loose:
        content.scan_file(root, path, max_size, scanner, result)
    return by_lines


def _scan_read(
    entries: Sequence[Entry],
    blobs: dict[str, bytes],
    sizes: dict[str, int],
    reader: BlobReader,
    scanner: Scanner,
    result: ScanResult,
) -> None:
    """Scan staged blobs: those in `blobs` from memory, the other sized ones streamed from `reader`."""
    for entry in entries:
        data = blobs.get(entry.oid)
        if data is not None:
            # An entry that is one of its parents (a chmod, a merged side's version) adds no line.
            replaced = [blobs.get(p, b'') for p in entry.parents]
            content.scan_data(entry.path, data, scanner, result, replaced=replaced, source=entry.source)
        elif entry.oid in sizes:
            content.scan_pieces(entry.path, reader.pieces(entry.oid), scanner, result)
        else:
            result.skip(entry.path, MISSING, failed=True)


class Judged(Record):
    """The outcome of looking at paths only: venv `findings`, and what is left to read and scan
    (`entries` from git, `loose` paths from disk); `venv_dirs` are the environments a finding
    reports (root entries, nested folders), whose files are not read."""

    findings: list[Finding]
    entries: list[Entry]
    loose: list[str]
    venv_dirs: set[str]


def judge_paths(
    entries: Sequence[Entry],
    blobs: dict[str, bytes],
    root: StrPath,
    excluded: allowlist.PathFilter,
    enabled: frozenset[str],
    *,
    loose: Sequence[str] = (),
) -> Judged:
    """Venv findings from the paths alone; the files inside an environment or excluded are not read."""
    paths = [e.path for e in entries] + list(loose)
    links = {e.path: os.fsdecode(blobs.get(e.oid, b'')) for e in entries if e.mode == SYMLINK}
    heads = {e.path: blobs[e.oid][:256] for e in entries if e.mode != SYMLINK and e.oid in blobs}
    root_venv = venv.detect_root_venv(PathListTree(paths, links=links, heads=heads), staged=True, root_path=str(root))
    nested = venv.detect_nested_venvs(paths)
    findings: list[Finding] = []
    if root_venv and venv.ROOT_RULE in enabled:
        findings.append(root_venv)
    if venv.NESTED_RULE in enabled:
        findings.extend(f for f in nested if not excluded.excluded(f.path))
    # An environment's files go unread only while a finding names it: with its rule switched off
    # (`SKIP=guard-venv`, `disable`, the secrets hook alone) they are committed code like any other.
    skip = venv.reported_dirs(findings)

    def wanted(path: str) -> bool:
        return not inside(path, skip) and not excluded.excluded(path)

    return Judged(
        findings, [e for e in entries if e.mode != SYMLINK and wanted(e.path)], [p for p in loose if wanted(p)], skip
    )


def _replaced(entry: Entry) -> tuple[str, ...]:
    """The blobs to read for an entry's old lines: none when it is one of them (a chmod, a merged side's version)."""
    return () if entry.oid in entry.parents else entry.parents


def _needed_for_venv(entry: Entry) -> bool:
    """Blobs the venv rule reads before anything else: root symlinks (lib64 -> lib), bin/ script heads."""
    top, _, rest = entry.path.partition('/')
    return (entry.mode == SYMLINK and not rest) or (top in ('bin', 'Scripts') and bool(rest) and '/' not in rest)


def inside(path: str, folders: set[str]) -> bool:
    return any(path == d or path.startswith(d + '/') for d in folders)
