"""The scan engine over git history: a range of commits, all of history, or what a `git push` sends.

One `git log --raw` lists every blob each commit introduced; each (blob, path) is read once, and a
changed file is scanned only on the lines its commit added (the lines of the blobs it replaced are
blanked, so line numbers stay true). Each finding is reported once, at the commit that introduced
it, as `<commit>:<path>` (git's own notation: `git show <commit>:<path>` opens it). Blobs are read
and scanned on every core, each worker with its own `git cat-file --batch`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from guard.config import Config
from guard.errors import UsageError
from guard.git import index as git_index
from guard.git.blobs import SHORT_SHA
from guard.git.blobs import Progress
from guard.git.blobs import scan_blobs
from guard.git.plumbing import GITLINK
from guard.git.plumbing import Entry
from guard.git.plumbing import parse_raw
from guard.rules import venv
from guard.scan import allowlist
from guard.scan import sources
from guard.scan.engine import ScanResult
from guard.scan.engine import finish
from guard.scan.engine import make_scanner
from guard.scan.findings import Finding

TYPE_CHECKING = False  # as in guard/scan/sources.py
if TYPE_CHECKING:
    from guard.scan.sources import StrPath




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


def _first_introductions(found: list[tuple[int, str | None, Finding]]) -> list[Finding]:
    """One finding per (path, fingerprint), at the first commit that had it, shown as `<commit>:<path>`."""
    kept: dict[tuple[str, str], Finding] = {}
    for _, commit, finding in sorted(found, key=lambda item: item[0]):
        # A root venv's fingerprint lists its entries, which differ commit by commit: report it once.
        key = (finding.rule, '') if finding.rule == venv.ROOT_RULE else (finding.path, finding.fingerprint)
        if key not in kept:
            kept[key] = finding._replace(path=f'{(commit or "")[:SHORT_SHA]}:{finding.path}')
    return list(kept.values())


def _existing(root: StrPath, shas: Sequence[str]) -> set[str]:
    if not shas:
        return set()
    out = sources.git(root, 'cat-file', '--batch-check', input_bytes=''.join(s + '\n' for s in shas).encode())
    return {line.split()[0] for line in out.decode().splitlines() if not line.endswith(' missing')}


def _is_sha(value: str) -> bool:
    return len(value) in (40, 64) and all(c in '0123456789abcdef' for c in value)


def _is_zero(sha: str) -> bool:
    return not sha.strip('0')
