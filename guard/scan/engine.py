"""`guard scan` as a library: list the files, check the root, scan texts (on every core), apply the baseline.

Returns a `ScanResult`; the CLI and the hooks decide what to print and which exit code it means.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from guard.errors import ConfigError
from guard.errors import UsageError
from guard.findings import Finding
from guard.findings import Skipped
from guard.git import runner
from guard.rules import categories as rule_categories
from guard.rules import venv
from guard.rules.trees import DiskTree
from guard.scan import allowlist
from guard.scan import content
from guard.scan import sources
from guard.scan.result import ScanResult as ScanResult  # re-exported: reporters and tests import it here
from guard.scan.scanner import Scanner

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path

    from guard.config import Config
    from guard.records import StrPath
    from guard.scan import baseline as baseline_module

# Below this many files one process is faster than starting workers.
PARALLEL_MIN_FILES = 256
CHUNK_FILES = 48


def enabled_rules(config: Config, only: Sequence[str] = ()) -> set[str]:
    """Rule ids to run: all, minus `disable`, restricted to `--only` when given."""
    categories = rule_categories()
    enabled = set(categories) - allowlist.select_rules(config.disable, categories, f'{config.source}: disable')
    if only:
        enabled &= allowlist.select_rules(only, categories, '--only')
    return enabled


def make_scanner(config: Config, only: Sequence[str] = (), jobs: int | None = None) -> Scanner:
    """The scanner for `config`'s rules; a large document's candidates are judged on `jobs` (or config's) cores."""
    return Scanner(
        enabled_rules(config, only),
        allow_ips=config.allow_ips,
        test_paths=config.test_paths,
        jobs=jobs or config.jobs or os.cpu_count() or 1,
    )


def scan_worktree(
    config: Config,
    targets: Sequence[Path] = (),
    *,
    only: Sequence[str] = (),
    use_baseline: bool = True,
    jobs: int | None = None,
) -> ScanResult:
    """Scan the working tree of `config.root` (tracked + untracked-not-ignored files in git)."""
    root = config.root
    scanner = make_scanner(config, only, jobs)
    listing = sources.list_files(root, _in_git(root))
    result = ScanResult(root)
    excluded = allowlist.PathFilter(config.exclude)
    prefixes = _target_prefixes(root, targets)
    root_venv = venv.detect_root_venv(DiskTree(root), root_path=str(root))
    # Pollution on disk is what a cleanup looks for, so ignored paths count here.
    reported = root_venv if (not prefixes or '' in prefixes) and venv.ROOT_RULE in scanner.enabled else None
    if reported:
        result.findings.append(reported)
    paths = _select(listing, excluded, prefixes, result, scanner.enabled, reported.entries if reported else ())
    result.skipped.extend(s for s in (*listing.unreadable, *listing.walked_past) if _wanted(s.path, excluded, prefixes))
    if listing.in_git:
        result.notes.append('the venv check looked at the root on disk, ignored paths included')
    _scan_files(root, paths, scanner, config.max_file_size, jobs or config.jobs, result)
    finish(result, config, use_baseline=use_baseline, whole_tree=not prefixes)
    return result


def finish(result: ScanResult, config: Config, *, use_baseline: bool, whole_tree: bool) -> None:
    """Apply the baseline (when there is one), give each finding its location key, sort for stable output.

    The baseline's salt is kept even when it is not applied (`guard baseline` rewrites the file with
    it); a baseline that cannot be read then counts as absent. A part of the tree with no finding (a
    clean commit) has nothing to match: no baseline is loaded.
    """
    result.skipped.sort(key=lambda s: s.path)
    if not result.findings and not whole_tree:
        return
    from guard.scan import fingerprints

    baseline = _baseline(config, use_baseline)
    if baseline is not None and baseline.note:
        result.notes.append(baseline.note)
        result.warnings.append(baseline.note)
    result.salt = baseline.salt if baseline is not None else None
    # Reports carry location keys; content keys stay in memory, for the baseline only.
    locations = fingerprints.location_keys(result.findings)
    if use_baseline and baseline is not None:
        kept, result.baselined, seen, warnings = baseline.partition(result.findings, locations)
        result.notes.extend(warnings)
        result.warnings.extend(warnings)
        kept_ids = {id(f) for f in kept}
        locations = [loc for f, loc in zip(result.findings, locations, strict=True) if id(f) in kept_ids]
        result.findings = kept
        if whole_tree:
            result.stale = baseline.stale(seen)
    result.content_keys = {loc: f.fingerprint for f, loc in zip(result.findings, locations, strict=True)}
    result.findings = [f._replace(fingerprint=loc) for f, loc in zip(result.findings, locations, strict=True)]
    result.findings.sort(key=Finding.sort_key)


def _baseline(config: Config, use_baseline: bool) -> baseline_module.Baseline | None:
    from guard.scan import baseline as baseline_module

    if not baseline_module.exists(config.root, config.baseline):
        return None
    try:
        return baseline_module.load(baseline_module.resolve_path(config.root, config.baseline))
    except ConfigError:
        if use_baseline:
            raise
        return None


def _in_git(root: StrPath) -> bool:
    from pathlib import Path

    top, in_git = runner.find_root(Path(root))
    return in_git and top == Path(root)


def _target_prefixes(root: StrPath, targets: Sequence[Path]) -> list[str]:
    prefixes = []
    for target in targets:
        resolved = target.resolve()
        if not resolved.exists() and not target.is_symlink():
            raise UsageError(f'{target}: no such file or directory')
        try:
            rel = resolved.relative_to(root).as_posix()
        except ValueError:
            raise UsageError(f'{target}: outside the scanned root {root}') from None
        prefixes.append('' if rel == '.' else rel)
    return prefixes


def _wanted(directory: str, excluded: allowlist.PathFilter, prefixes: list[str]) -> bool:
    """A directory (`dir/`) that overlaps the targets and is not excluded."""
    inside = not prefixes or any(
        p == '' or (directory + '/').startswith(p + '/') or p.startswith(directory) for p in prefixes
    )
    return inside and not excluded.excluded(directory)


def _select(
    listing: sources.Listing,
    excluded: allowlist.PathFilter,
    prefixes: list[str],
    result: ScanResult,
    enabled: frozenset[str],
    root_venv_entries: Sequence[str],
) -> list[str]:
    """Paths to read: inside the targets, not excluded, and not inside a Python environment that a
    finding reports (`root_venv_entries` are given only when the root's is reported).

    A committed environment whose rule is switched off is read like any other code: what is
    committed is scanned. One that git does not track yet is left out and named.
    """
    tracked_venvs = {f.entries[0] for f in venv.detect_nested_venvs(listing.tracked)}
    skip = list(root_venv_entries)
    for found in venv.detect_nested_venvs(listing.tracked + listing.untracked):
        directory = found.entries[0]
        if directory not in tracked_venvs:
            skip.append(directory)
            result.skipped.append(
                Skipped(directory + '/', 'a Python environment not ignored by git: add it to .gitignore')
            )
        elif venv.NESTED_RULE in enabled and not excluded.excluded(directory + '/'):
            skip.append(directory)
            result.findings.append(found)
    selected = []
    for path in dict.fromkeys(listing.tracked + listing.untracked):
        if prefixes and not any(p == '' or path == p or path.startswith(p + '/') for p in prefixes):
            continue
        if excluded.excluded(path) or any(path == d or path.startswith(d + '/') for d in skip):
            continue
        selected.append(path)
    return selected


def _scan_files(
    root: StrPath, paths: list[str], scanner: Scanner, max_size: int, jobs: int, result: ScanResult
) -> None:
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(paths) < PARALLEL_MIN_FILES:
        for path in paths:
            content.scan_file(root, path, max_size, scanner, result)
        return
    from guard.scan import pool

    def scan_chunk(chunk: list[str]) -> ScanResult:
        part = ScanResult(root)
        for path in chunk:
            content.scan_file(root, path, max_size, scanner, part)
        return part

    scanner.prepare()  # once here: the forked workers inherit the compiled patterns
    for part in pool.run(scan_chunk, [paths[i : i + CHUNK_FILES] for i in range(0, len(paths), CHUNK_FILES)], jobs):
        result.merge(part)
