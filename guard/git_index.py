"""What the next commit will hold: staged blobs read from the git index, never from the working tree.

A secret that is staged and then deleted from the working file is still committed, and a secret in
an unstaged edit is not, so a commit hook must judge the index. Git is asked through its plumbing
(`diff --cached --raw -z`, `ls-files --stage -z`, one `cat-file --batch`): a few milliseconds,
where GitPython would cost ~250 ms of import before doing anything.

Records here are NamedTuples: a dataclass costs ~0.5 ms to create at import, on the commit hook's path.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from guard import allowlist
from guard import sources
from guard.config import Config
from guard.errors import SourceError
from guard.findings import Finding
from guard.rules import venv
from guard.scan import PARALLEL_MIN_FILES
from guard.scan import ScanResult
from guard.scan import finish
from guard.scan import make_scanner
from guard.scanner import Document
from guard.scanner import Scanner
from guard.sources import Skipped
from guard.trees import PathListTree

SYMLINK = '120000'
GITLINK = '160000'  # a submodule: its "content" is a commit id in another repository
LFS_POINTER = b'version https://git-lfs.github.com/spec/'
LFS_POINTER_MAX = 1024  # git-lfs pointers are ~130 bytes; a real file may merely start like one
# Up to this many paths are looked up in the index by pathspec; more, and one full listing is cheaper.
PATHSPEC_MAX = 64


class Entry(NamedTuple):
    """One file of the index (or of a commit's tree): where, what kind, which blob."""

    path: str
    mode: str
    oid: str
    # In history: the blobs this one replaced (one per parent of a merge); empty for an added file.
    parents: tuple[str, ...] = ()


class Repo(NamedTuple):
    """A work tree's top level, and the commits being merged into HEAD (none outside a merge)."""

    root: Path
    merge_heads: tuple[str, ...] = ()


def locate(start: Path) -> Repo:
    """The repository containing `start` (a subdirectory is fine), in one `git rev-parse`."""
    folder = start if start.is_dir() else start.parent
    try:
        out = sources.git(folder, 'rev-parse', '--show-toplevel', '--git-path', 'MERGE_HEAD')
    except SourceError as e:
        raise SourceError(f'{folder} is not inside a git work tree ({e})') from None
    top, merge_head = os.fsdecode(out).splitlines()[:2]
    merge_path = folder / merge_head
    heads = tuple(merge_path.read_text().split()) if merge_path.is_file() else ()
    return Repo(Path(top).resolve(), heads)


def staged_entries(repo: Repo) -> list[Entry]:
    """Files the next commit adds or changes (deletions hold nothing to scan).

    During a merge only what differs from every parent counts: the rest is already in a commit,
    which is how pre-commit limits a merge commit too (its `get_conflicted_files`).
    """
    entries = _diff_cached(repo.root)
    for head in repo.merge_heads:
        also_new = {(e.path, e.oid) for e in _diff_cached(repo.root, head)}
        entries = [e for e in entries if (e.path, e.oid) in also_new]
    return entries


def index_entries(root: Path, paths: Sequence[str]) -> dict[str, Entry]:
    """Stage-0 index entries for these root-relative paths (absent paths are simply missing)."""
    if not paths:
        return {}
    args = ['--literal-pathspecs', 'ls-files', '--stage', '-z']
    out = sources.git(root, *args, '--', *paths) if len(paths) <= PATHSPEC_MAX else sources.git(root, *args)
    wanted = set(paths)
    found = {}
    for record in out.split(b'\0'):
        if not record:
            continue
        meta, _, raw_path = record.partition(b'\t')
        mode, oid, stage = meta.decode().split()
        path = os.fsdecode(raw_path)
        if stage == '0' and path in wanted:
            found[path] = Entry(path, mode, oid)
    return found


def read_blobs(root: Path, oids: Iterable[str]) -> dict[str, bytes]:
    """Blob contents by object id, from a single `git cat-file --batch`."""
    unique = list(dict.fromkeys(oids))
    if not unique:
        return {}
    out = sources.git(root, 'cat-file', '--batch', input_bytes=''.join(o + '\n' for o in unique).encode())
    blobs = {}
    pos = 0
    while pos < len(out):
        newline = out.index(b'\n', pos)
        header = out[pos:newline].split()
        pos = newline + 1
        if len(header) != 3:  # `<oid> missing`: nothing follows
            continue
        size = int(header[2])
        blobs[header[0].decode()] = out[pos:pos + size]
        pos += size + 1
    return blobs


def scan_staged(config: Config, repo: Repo, *, paths: Sequence[str] | None = None, only: Sequence[str] = (),
                use_baseline: bool = True) -> ScanResult:
    """Scan what is staged. `paths` (root-relative, as pre-commit passes them) limits the scan to
    those files, read from the index when it has them and from the working tree when it does not."""
    scanner = make_scanner(config, only)
    result = ScanResult(repo.root)
    if paths is None:
        entries = staged_entries(repo)
        loose: list[str] = []
    else:
        indexed = index_entries(repo.root, paths)
        entries = sorted(indexed.values(), key=lambda e: e.path)
        loose = [p for p in paths if p not in indexed]
    scan_entries(repo.root, entries, config, scanner, result, loose=loose)
    finish(result, config, use_baseline=use_baseline, whole_tree=False)
    return result


def scan_entries(root: Path, entries: Sequence[Entry], config: Config, scanner: Scanner, result: ScanResult, *,
                 loose: Sequence[str] = ()) -> None:
    """Judge the paths (venvs), then scan the content of what is left; `loose` paths are read from disk."""
    entries = [e for e in entries if e.mode != GITLINK]
    early = read_blobs(root, (e.oid for e in entries if _needed_for_venv(e)))
    judged = judge_paths(entries, early, root, allowlist.PathFilter(config.exclude), scanner.enabled, loose=loose)
    result.findings.extend(judged.findings)
    if len(judged.entries) >= PARALLEL_MIN_FILES and (config.jobs or os.cpu_count() or 1) > 1:
        _scan_in_parallel(root, judged.entries, config, scanner, result)
        judged = judged._replace(entries=[])
    blobs = {**early, **read_blobs(root, (e.oid for e in judged.entries if e.oid not in early))}
    for entry in judged.entries:
        data = blobs.get(entry.oid)
        if data is None:
            result.skipped.append(Skipped(entry.path, 'not in the object store (a broken index?)'))
        else:
            scan_blob(entry.path, data, config.max_file_size, scanner, result)
    for path in judged.loose:
        text = sources.read_text(root, path, config.max_file_size)
        if isinstance(text, str):
            scan_text(Document(path, text), scanner, result)
        elif text is not None:
            result.skipped.append(text)


def _scan_in_parallel(root: Path, entries: Sequence[Entry], config: Config, scanner: Scanner,
                      result: ScanResult) -> None:
    from guard import history  # its worker pool costs an import only big commits pay for

    work = [(None, e._replace(parents=())) for e in entries]  # the index: whole files, not just changes
    batch = history.scan_blobs(root, work, scanner, config.max_file_size, config.jobs)
    result.findings.extend(f for _, _, f in sorted(batch.findings, key=lambda item: item[0]))
    result.skipped.extend(batch.skipped)
    result.files_scanned += batch.files
    result.bytes_scanned += batch.bytes
    result.suppressed += batch.suppressed


class Judged(NamedTuple):
    """The outcome of looking at paths only: venv findings, and what is left to read and scan."""

    findings: list[Finding]
    entries: list[Entry]
    loose: list[str]
    venv_dirs: set[str]  # environments (root entries, nested folders) whose files are not read


def judge_paths(entries: Sequence[Entry], blobs: dict[str, bytes], root: Path, excluded: allowlist.PathFilter,
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


def scan_blob(path: str, data: bytes, max_size: int, scanner: Scanner, result: ScanResult) -> None:
    """Scan one blob's bytes, or record why it was skipped."""
    text = blob_text(path, data, max_size)
    if isinstance(text, Skipped):
        result.skipped.append(text)
    else:
        scan_text(Document(path, text), scanner, result)


def blob_text(path: str, data: bytes, max_size: int) -> str | Skipped:
    """A blob's text, or why it is not scanned: too large, a git-lfs pointer, binary."""
    if max_size and len(data) > max_size:
        return Skipped(path, f'larger than max-file-size ({len(data):,} > {max_size:,} bytes)')
    if data.startswith(LFS_POINTER) and len(data) < LFS_POINTER_MAX:
        return Skipped(path, 'a git-lfs pointer (the content lives in LFS storage)')
    text = sources.decode(data)
    return Skipped(path, sources.BINARY) if text is None else text


def scan_text(doc: Document, scanner: Scanner, result: ScanResult) -> None:
    findings, suppressed = scanner.scan(doc)
    result.findings.extend(findings)
    result.suppressed += suppressed
    result.files_scanned += 1
    result.bytes_scanned += len(doc.text)


def parse_raw(out: bytes) -> Iterable[tuple[str | None, Entry | None]]:
    """(commit, entry) for each added or changed path in `--raw -z` output, and (commit, None) at
    each commit header (any token that is not a record: `git log --format=%H`).

    Understands plain (`:m1 m2 o1 o2 S`) and combined (`::m1 m2 m3 o1 o2 o3 SS`) records.
    Deleted paths (result mode 000000) are dropped.
    """
    tokens = out.split(b'\0')
    commit = None
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b'\n')
        i += 1
        if not token.startswith(b':'):
            if token:
                commit = token.decode().strip()
                yield commit, None
            continue
        parents = len(token) - len(token.lstrip(b':'))
        fields = token[parents:].decode().split()
        mode, oid = fields[parents], fields[2 * parents + 1]
        replaced = tuple(o for o in fields[parents + 1:2 * parents + 1] if o.strip('0'))
        path = os.fsdecode(tokens[i])
        i += 1
        if mode != '000000':
            yield commit, Entry(path, mode, oid, replaced)


def _diff_cached(root: Path, against: str | None = None) -> list[Entry]:
    # Porcelain `diff --cached` compares with an empty tree when HEAD is unborn (the first commit).
    args = ['diff', '--cached', '--raw', '-z', '--no-renames', '--no-abbrev', '--no-ext-diff', '--no-color',
            '--ignore-submodules=none', '--diff-filter=d']
    out = sources.git(root, *args, *([against] if against else []), '--')
    return sorted((e for _, e in parse_raw(out) if e is not None), key=lambda e: e.path)


def _needed_for_venv(entry: Entry) -> bool:
    """Blobs the venv rule reads before anything else: root symlinks (lib64 -> lib), bin/ script heads."""
    top, _, rest = entry.path.partition('/')
    return (entry.mode == SYMLINK and not rest) or (top in ('bin', 'Scripts') and bool(rest) and '/' not in rest)


def inside(path: str, folders: set[str]) -> bool:
    return any(path == d or path.startswith(d + '/') for d in folders)
