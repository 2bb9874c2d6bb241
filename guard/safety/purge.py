"""`guard purge` as a library: `plan(config, root)` looks, `execute(plan)` acts and reports.

The daemon calls these directly. `plan` changes nothing (it reads the tree and /proc); `execute`
takes the root's lock, records the operation in the audit store, runs the `before` (and `full`)
service commands, fingerprints every protected path, clears each planned path with the fd-based
`Clearer`, checks the fingerprints again, runs the `after` commands and measures the free space
the filesystem actually gained.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guard.safety import commands
from guard.safety import fd as fdops
from guard.safety import fingerprint
from guard.safety import openfiles
from guard.safety.lock import root_lock
from guard.safety.paths import EPHEMERAL
from guard.safety.paths import Matcher
from guard.safety.paths import PROTECTED
from guard.safety.paths import check_root
from guard.safety.paths import is_inside
from guard.safety.record import Recorder
from guard.safety.remove import Clearer
from guard.safety.results import Failure
from guard.safety.results import ItemResult
from guard.safety.results import Kept

if TYPE_CHECKING:
    from guard.audit import AuditStore
    from guard.config import Config

OK = 'ok'
PARTIAL = 'partial'
PROTECTED_CHANGED = 'protected-changed'


@dataclass(frozen=True)
class PurgePlan:
    """What a purge of `root` would do, as of when it was planned."""

    root: Path
    config: Config
    items: tuple[ItemResult, ...]
    protected: tuple[str, ...]  # the top-most protected paths; directories end with '/'
    skipped: tuple[Kept, ...]
    unreadable: tuple[Failure, ...]
    open_files_complete: bool

    @property
    def files(self) -> int:
        return sum(item.files for item in self.items)

    @property
    def bytes(self) -> int:
        return sum(item.bytes for item in self.items)

    def commands(self, phase: str) -> tuple[str, ...]:
        return tuple(getattr(self.config.purge, phase))

    def missing_tools(self, *, full: bool = False) -> tuple[str, ...]:
        phases = ('before', 'full', 'after') if full else ('before', 'after')
        return tuple(c for p in phases for c in self.commands(p) if not commands.is_installed(c, self.root))


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did. `outcome` is ok, partial (something could not be cleared, or a service
    command failed) or protected-changed (a protected path differs afterwards)."""

    root: Path
    items: tuple[ItemResult, ...]
    commands: tuple[commands.CommandResult, ...]
    verification: fingerprint.Verification
    free_before: int
    free_after: int
    outcome: str
    audit_id: int | None
    audit_error: str | None

    @property
    def reclaimed(self) -> int:
        """Free space the filesystem gained, measured (other writers can make this differ from `bytes`)."""
        return self.free_after - self.free_before

    @property
    def files(self) -> int:
        return sum(item.files for item in self.items)

    @property
    def bytes(self) -> int:
        return sum(item.bytes for item in self.items)

    @property
    def failures(self) -> list[Failure]:
        return [f for item in self.items for f in item.failures]


def matcher_for(config: Config, root: Path) -> Matcher:
    """The configured patterns, plus guard's own folders (state, quarantine) when they lie in the
    root: whatever the ephemeral patterns say, a purge never removes its own lock or audit trail."""
    own = []
    for folder in (config.state_path(), (root / config.clean.quarantine_dir).resolve()):
        if is_inside(folder, root) and folder != root:
            own.append('/' + folder.relative_to(root).as_posix() + '/')
    return Matcher((*config.purge.protected, *own), config.purge.ephemeral)


def plan(config: Config, root: str | os.PathLike[str]) -> PurgePlan:
    """Look at the root and say what a purge would clear, keep and protect. Changes nothing."""
    resolved = check_root(root)
    matcher = matcher_for(config, resolved)
    root_fd = fdops.open_root(resolved)
    try:
        found = _Discovery(matcher)
        found.walk(root_fd, '', None)
        open_files = openfiles.scan(os.fstat(root_fd).st_dev)
        clearer = _clearer(root_fd, resolved, config, matcher, open_files, act=False)
        items = tuple(clearer.clear(rel) for rel in found.items)
    finally:
        os.close(root_fd)
    return PurgePlan(resolved, config, items, tuple(found.protected), tuple(found.skipped),
                     tuple(found.unreadable), open_files.complete)


def execute(plan: PurgePlan, *, audit: AuditStore | None = None, trigger: str = 'manual', full: bool = False,
            lock_timeout: float | None = None, progress: Callable[[str], None] | None = None) -> PurgeReport:
    """Carry out a plan. Raises LockedError when another operation holds the root, and
    UnsafeOperationError when the root became unsafe; every other problem is in the report."""
    root = check_root(plan.root)
    config = plan.config
    timeout = config.purge.lock_timeout if lock_timeout is None else lock_timeout
    with root_lock(config.state_path(), root, 'purge', timeout=timeout):
        recorder = Recorder(audit, 'purge', root, trigger, {'full': full, 'planned_files': plan.files,
                                                            'planned_bytes': plan.bytes})
        with recorder:
            report = _Run(plan, root, full, progress or (lambda _: None)).run()
            recorder.finish(report.outcome, _audit_paths(report), report.bytes, _audit_detail(report))
    return _with_audit(report, recorder)


class _Run:
    """One execution of a plan, in order: before, full, fingerprints, clearing, check, after."""

    def __init__(self, plan: PurgePlan, root: Path, full: bool, progress: Callable[[str], None]) -> None:
        self.plan, self.root, self.full, self.progress = plan, root, full, progress
        self.config = plan.config
        self.timeout = self.config.purge.command_timeout

    def run(self) -> PurgeReport:
        ran = self._commands('before')
        if self.full:
            ran += self._commands('full')
        try:
            root_fd = fdops.open_root(self.root)
            try:
                free_before = fdops.free_bytes(root_fd)
                items, verification = self._clear(root_fd)
                free_after = fdops.free_bytes(root_fd)
            finally:
                os.close(root_fd)
        finally:
            # Services stopped by `before` come back up even when the purge is interrupted.
            ran += self._commands('after')
        outcome = OK
        if any(item.failures for item in items) or not all(c.ok for c in ran):
            outcome = PARTIAL
        if not verification.ok:
            outcome = PROTECTED_CHANGED
        return PurgeReport(self.root, items, tuple(ran), verification, free_before, free_after, outcome, None, None)

    def _commands(self, phase: str) -> tuple[commands.CommandResult, ...]:
        results = []
        for command in self.plan.commands(phase):
            self.progress(f'{phase}: {command}')
            results.append(commands.run(phase, command, cwd=self.root, timeout=self.timeout))
        return tuple(results)

    def _clear(self, root_fd: int) -> tuple[tuple[ItemResult, ...], fingerprint.Verification]:
        matcher = matcher_for(self.config, self.root)
        tops = [*self.plan.protected, *(k.rel for item in self.plan.items for k in item.kept if k.reason == 'protected')]
        before = fingerprint.take(root_fd, matcher, tops)
        # Who holds which file open is read after `before` ran: stopped services hold nothing.
        open_files = openfiles.scan(os.fstat(root_fd).st_dev)
        clearer = _clearer(root_fd, self.root, self.config, matcher, open_files, act=True)
        items = []
        for item in self.plan.items:
            self.progress(f'clearing {item.rel}')
            items.append(clearer.clear(item.rel))
        after = fingerprint.take(root_fd, matcher, tops)
        return tuple(items), fingerprint.compare(before, after)


class _Discovery:
    """One walk of the root: the top-most ephemeral paths, and the top-most protected ones."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.items: list[str] = []
        self.protected: list[str] = []
        self.skipped: list[Kept] = []
        self.unreadable: list[Failure] = []
        self.root_dev = -1

    def walk(self, dir_fd: int, rel: str, verdict: str | None) -> None:
        if self.root_dev < 0:
            self.root_dev = os.fstat(dir_fd).st_dev
        with os.scandir(dir_fd) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            child = f'{rel}/{entry.name}' if rel else entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            # Symlinks match as what they name (a `logs` link to a folder is the logs/ folder).
            own = self.matcher.child(verdict, child, is_dir=is_dir or _names_a_dir(entry))
            if own == EPHEMERAL:
                self.items.append(child)
            elif own == PROTECTED and verdict != PROTECTED:
                self.protected.append(child + '/' if is_dir else child)
            if is_dir and own != EPHEMERAL and entry.name != '.git':
                self._descend(dir_fd, entry.name, child, own)

    def _descend(self, dir_fd: int, name: str, rel: str, verdict: str | None) -> None:
        try:
            sub = fdops.open_dir(dir_fd, name)
        except OSError as e:
            self.unreadable.append(Failure(rel, fdops.describe(e), fdops.hint(e)))
            return
        try:
            if os.fstat(sub).st_dev != self.root_dev:
                self.skipped.append(Kept(rel, 'another filesystem (mount point)'))
            elif _has_git(sub):
                self.skipped.append(Kept(rel, 'a nested git repository'))
            else:
                self.walk(sub, rel, verdict)
        except OSError as e:
            self.unreadable.append(Failure(rel, fdops.describe(e), fdops.hint(e)))
        finally:
            os.close(sub)


def _names_a_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink() and entry.is_dir()
    except OSError:
        return False


def _has_git(dir_fd: int) -> bool:
    try:
        os.stat('.git', dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _clearer(root_fd: int, root: Path, config: Config, matcher: Matcher, open_files: openfiles.OpenFiles, *,
             act: bool) -> Clearer:
    return Clearer(root_fd, root, matcher, log_globs=config.purge.active_logs,
                   keep_rotated=config.purge.keep_rotated, open_files=open_files, act=act)


def _audit_paths(report: PurgeReport) -> list[tuple[str, int, str]]:
    rows: list[tuple[str, int, str]] = []
    for item in report.items:
        rows.append((item.rel, item.bytes, 'failed' if item.failures else 'cleared'))
        rows.extend((t.rel, t.bytes, 'truncated') for t in item.truncated)
        rows.extend((k.rel, 0, f'kept: {k.reason}') for k in item.kept if k.reason != 'protected')
        rows.extend((f.rel, 0, f'failed: {f.error}') for f in item.failures)
    return rows


def _audit_detail(report: PurgeReport) -> dict[str, object]:
    return {
        'files': report.files, 'reclaimed': report.reclaimed,
        'protected_checked': report.verification.checked,
        'protected_changed': list(report.verification.changed + report.verification.missing)[:100],
        'commands': [{'phase': c.phase, 'command': c.command, 'outcome': c.outcome, 'returncode': c.returncode}
                     for c in report.commands],
    }


def _with_audit(report: PurgeReport, recorder: Recorder) -> PurgeReport:
    import dataclasses
    return dataclasses.replace(report, audit_id=recorder.event_id, audit_error=recorder.error)
