"""The scan engine over git history: a range of commits, all of history, or what a `git push` sends.

One `git log --raw` lists every blob each commit introduced; each (blob, path) is read once, and a
changed file is judged only on the lines its commit added: it is read whole, and findings that
touch no added line (guard.scan.lines) are left out. Each finding is reported once, at the commit
that introduced it, as `<commit>:<path>` (git's own notation: `git show <commit>:<path>` opens
it). Blobs are read and scanned on every core, each worker with its own guard.git.blobs.BlobReader.
"""

from __future__ import annotations

from collections.abc import Sequence

from guard.config import Config
from guard.findings import Finding
from guard.git import runner
from guard.git.plumbing import GITLINK
from guard.git.plumbing import Entry
from guard.git.plumbing import parse_raw
from guard.rules import venv
from guard.scan import allowlist
from guard.scan import staged
from guard.scan.blobs import SHORT_SHA
from guard.scan.blobs import Progress
from guard.scan.blobs import scan_blobs
from guard.scan.engine import finish
from guard.scan.engine import make_scanner
from guard.scan.result import ScanResult

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.records import StrPath


def scan_revisions(
    config: Config,
    revisions: Sequence[str],
    *,
    only: Sequence[str] = (),
    use_baseline: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan every commit `git log <revisions>` lists (e.g. ['--all'], ['main..topic'])."""
    root = config.root
    scanner = make_scanner(config, only, jobs)
    result = ScanResult(root)
    commits, work, path_findings = _plan(root, revisions, config, scanner.enabled)
    if len(work) > FOCUS_MIN_BLOBS:
        scanner.focus()
    result.findings = [f._replace(path=f'{commit[:SHORT_SHA]}:{f.path}') for commit, f in path_findings]
    result.merge(scan_blobs(root, work, scanner, config.max_file_size, jobs or config.jobs, progress))
    result.findings = _first_introductions(result.findings)
    result.notes.append(
        f'scanned {commits} commit{"s" if commits != 1 else ""}, {len(work)} new or changed blobs; '
        'changed files only on the lines each commit added'
    )
    finish(result, config, use_baseline=use_baseline, whole_tree=False)
    return result


# Past this many blobs, working out every rule's reach first (~50 ms) pays: keywords are then looked
# for only near the lines each commit added.
FOCUS_MIN_BLOBS = 64


def _plan(
    root: StrPath, revisions: Sequence[str], config: Config, enabled: frozenset[str]
) -> tuple[int, list[tuple[str, Entry]], list[tuple[str, Finding]]]:
    """(commits listed, (commit, blob) pairs to scan oldest first, venv findings by commit)."""
    # -M: a renamed file replaces the blob at its old path, so a rename adds no line.
    out = runner.git(
        root,
        'log',
        '--raw',
        '-z',
        '-M',
        '--no-abbrev',
        '--root',
        '-c',
        '--reverse',
        '--topo-order',
        '--no-color',
        '--format=%H',
        *revisions,
        '--',
    )
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
        judged = staged.judge_paths(entries, {}, root, excluded, enabled)
        path_findings.extend((commit, f) for f in judged.findings)
        work.extend((commit, e) for e in judged.entries)
        venv_dirs |= judged.venv_dirs
    # A later commit may add files to an environment without the files that give it away.
    work = [(c, e) for c, e in work if not staged.inside(e.path, venv_dirs)]
    return len(by_commit), work, path_findings


def _first_introductions(found: list[Finding]) -> list[Finding]:
    """One finding per (path, fingerprint), at the first commit that had it: `found` is in commit order,
    its paths `<commit>:<path>`."""
    kept: dict[tuple[str, str], Finding] = {}
    for finding in found:
        # A root venv's fingerprint lists its entries, which differ commit by commit: report it once.
        path = finding.path.partition(':')[2]
        key = (finding.rule, '') if finding.rule == venv.ROOT_RULE else (path, finding.fingerprint)
        kept.setdefault(key, finding)
    return list(kept.values())
