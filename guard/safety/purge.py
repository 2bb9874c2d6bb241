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

from guard.errors import UnsafeOperationError
from guard.redact import mask_command_line
from guard.safety import commands
from guard.safety import fd as fdops
from guard.safety import fingerprint
from guard.safety import openfiles
from guard.safety.discovery import Discovery
from guard.safety.discovery import root_venv
from guard.safety.lock import root_lock
from guard.safety.paths import FLOOR_NAMES
from guard.safety.paths import Matcher
from guard.safety.paths import check_root
from guard.safety.paths import is_inside
from guard.safety.quarantine import DEFAULT_QUARANTINE
from guard.safety.quarantine import quarantine_dir
from guard.safety.record import Recorder
from guard.safety.remove import Clearer
from guard.safety.results import FLOOR_REASON
from guard.safety.results import PROTECTED_REASON
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
    floors: tuple[str, ...] = ()  # floors present in the root (`.git/`, config files, guard's folders)
    venv: tuple[str, ...] = ()  # root venv entries, left to `guard clean`
    pin: fdops.RootPin | None = None  # the root as opened at plan time; execute acts through it only
    top_level: tuple[str, ...] = ()  # the root's top-level entries that are not floors, for the guard rail
    # Top-level entries that keep something the plan does not clear (see Discovery.remains).
    remains: frozenset[str] = frozenset()

    @property
    def to_clear(self) -> tuple[ItemResult, ...]:
        """The planned paths that will be cleared (those left whole are only listed as left alone)."""
        return tuple(item for item in self.items if not item.left_whole)

    @property
    def left_alone(self) -> tuple[Kept, ...]:
        """Everything the purge will not touch and says why, each path once."""
        kept = [k for item in self.items for k in item.kept] + list(self.skipped)
        return tuple({k.rel: k for k in kept}.values())

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
    """The configured patterns over the floors: `.git`, config files, and guard's own folders (state,
    quarantine) and the config file in use when they lie in the root. Whatever the patterns say, a
    purge never removes the repository's history, its own lock and audit trail, or its config."""
    return Matcher(config.purge.protected, config.purge.ephemeral, floors=(*FLOOR_NAMES, *_own_floors(config, root)))


def _own_floors(config: Config, root: Path) -> list[str]:
    # Every quarantine guard makes by default is a floor, whatever quarantine-dir says now: a config
    # that moves the quarantine elsewhere must not hand the existing one to the purge (finding 08).
    own = ['/' + DEFAULT_QUARANTINE + '/']
    for folder in (config.state_path(), quarantine_dir(config, root)):
        if is_inside(folder, root) and folder != root:
            own.append('/' + folder.relative_to(root).as_posix() + '/')
    if config.source != 'defaults':
        source = Path(os.path.abspath(config.source))
        if is_inside(source, root) and source != root:
            own.append('/' + source.relative_to(root).as_posix())
    return own


def _state_rel(config: Config, root: Path) -> str | None:
    """The state folder relative to the root when it lies there: a floor, but not fingerprinted,
    because the audit store and the daemon write into it while a purge runs."""
    state = config.state_path()
    return state.relative_to(root).as_posix() if is_inside(state, root) and state != root else None


def plan(config: Config, root: str | os.PathLike[str], *, pin: fdops.RootPin | None = None) -> PurgePlan:
    """Look at the root and say what a purge would clear, keep and protect. Changes nothing.

    `pin`: the root as pinned earlier (the daemon pins it at start); the plan then looks and the
    execution acts through it, and UnsafeOperationError says so when the path leads elsewhere now."""
    resolved = check_root(root)
    pin = pinned(pin, resolved)
    matcher = matcher_for(config, resolved)
    venv = root_venv(resolved)
    root_fd = pin.dup()
    try:
        found = Discovery(matcher, venv)
        found.walk(root_fd, '', None, '')
        open_files = openfiles.scan(os.fstat(root_fd).st_dev)
        clearer = _clearer(root_fd, resolved, config, matcher, open_files, act=False, venv=venv)
        items = tuple(clearer.clear(rel) for rel in found.items)
        top_level = _top_level(root_fd, matcher)
    finally:
        os.close(root_fd)
    return PurgePlan(
        resolved,
        config,
        items,
        tuple(found.protected),
        tuple(found.skipped),
        tuple(found.unreadable),
        open_files.complete,
        floors=tuple(found.floors),
        venv=tuple(sorted(venv)),
        pin=pin,
        top_level=top_level,
        remains=frozenset(found.remains),
    )


def pinned(pin: fdops.RootPin | None, resolved: Path) -> fdops.RootPin:
    """The pin to plan with: a fresh one, or `pin` once its path still leads to it."""
    if pin is None:
        return fdops.RootPin(resolved)
    pin.verify()
    if resolved != pin.path:
        raise UnsafeOperationError(f'{resolved} is not the pinned root {pin.path}; nothing was changed')
    return pin


def _top_level(root_fd: int, matcher: Matcher) -> tuple[str, ...]:
    with os.scandir(root_fd) as it:
        names = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
    return tuple(sorted(name for name, is_dir in names if not matcher.is_floor(name, is_dir=is_dir)))


def execute(
    plan: PurgePlan,
    *,
    audit: AuditStore | None = None,
    trigger: str = 'manual',
    full: bool = False,
    lock_timeout: float | None = None,
    progress: Callable[[str], None] | None = None,
    allow_wide: bool = False,
) -> PurgeReport:
    """Carry out a plan. Raises LockedError when another operation holds the root, and
    UnsafeOperationError when the root became unsafe (its path now leads elsewhere, or the plan is
    too wide: see `wide`); every other problem is in the report."""
    pin = plan.pin or fdops.RootPin(check_root(plan.root))
    pin.verify()
    refusal = wide(plan) if not allow_wide else None
    if refusal:
        raise UnsafeOperationError(refusal)
    root = plan.root
    config = plan.config
    timeout = config.purge.lock_timeout if lock_timeout is None else lock_timeout
    with root_lock(config.state_path(), root, 'purge', timeout=timeout, root_fd=pin.fd):
        pin.verify()
        recorder = Recorder(
            audit, 'purge', root, trigger, {'full': full, 'planned_files': plan.files, 'planned_bytes': plan.bytes}
        )
        with recorder:
            report = _Run(plan, pin, full, progress or (lambda _: None), recorder).run()
            recorder.finish(report.outcome, _audit_paths(report), report.bytes, _audit_detail(report))
    return _with_audit(report, recorder)


# The guard rail judges the plan, not the pattern that produced it (`?*` clears as much as `*`,
# `*/*` empties every folder, `**/*.*` takes every file). Counted are the root's top-level entries
# that are not floors, and among them those the plan clears: a top-level path it empties or
# removes, and a top-level folder everything in which it would clear (see `cleared`). A plan is
# "wide", and refused unless allowed, when it clears:
# - every one of them, and there are at least WIDE_EVERY_MIN (one folder in a root that holds
#   nothing else, `logs/` beside `.git` and `pyproject.toml`, is a normal purge), or
# - more than WIDE_SHARE of them, and at least WIDE_SHARE_MIN (a small root with logs/,
#   .pytest_cache/ and __pycache__/ beside src/ is a normal purge too).
# `--allow-wide` overrides; the daemon never does.
WIDE_EVERY_MIN = 2
WIDE_SHARE = 0.5
WIDE_SHARE_MIN = 4


def wide(plan: PurgePlan) -> str | None:
    """Why the plan is refused as too wide, or None."""
    if not plan.top_level:
        return None
    hit = cleared(plan)
    every = len(hit) == len(plan.top_level) and len(hit) >= WIDE_EVERY_MIN
    share = len(hit) > WIDE_SHARE * len(plan.top_level) and len(hit) >= WIDE_SHARE_MIN
    if not (every or share):
        return None
    amount = 'every' if len(hit) == len(plan.top_level) else f'{len(hit)} of the {len(plan.top_level)}'
    return (
        f'{plan.root}: the plan would clear {amount} top-level entries that are not floors '
        f'({", ".join(hit[:8])}{", ..." if len(hit) > 8 else ""}); a pattern matches more than meant? '
        'Narrow purge.ephemeral, or pass --allow-wide if this is really what you want'
    )


def cleared(plan: PurgePlan) -> list[str]:
    """The top-level entries (not floors) the plan clears: those it empties or removes itself, and the
    folders it reaches inside where nothing would remain — no file it leaves, no protected path,
    floor, mount, nested repository or venv entry, nothing it keeps or cannot clear. (Empty folders
    left behind do not count as remaining: a tree of empty folders is a cleared one.)"""
    whole: set[str] = set()
    reached: set[str] = set()
    partial = set(plan.remains)
    for item in plan.items:
        head, inner, _ = item.rel.partition('/')
        if not inner:
            if not item.left_whole:
                whole.add(head)
            continue
        reached.add(head)
        if item.kept or item.failures:
            partial.add(head)
    return sorted((whole | (reached - partial)) & set(plan.top_level))


class _Run:
    """One execution of a plan, in order: before, full, fingerprints, clearing, check, after."""

    def __init__(
        self, plan: PurgePlan, pin: fdops.RootPin, full: bool, progress: Callable[[str], None], recorder: Recorder
    ) -> None:
        self.plan, self.pin, self.full, self.progress = plan, pin, full, progress
        self.root = plan.root
        self.recorder = recorder
        self.config = plan.config
        self.timeout = self.config.purge.command_timeout

    def run(self) -> PurgeReport:
        ran = self._commands('before')
        if self.full:
            ran += self._commands('full')
        try:
            # The `before` commands may take long: the root must still be the planned one after them.
            self.pin.verify()
            root_fd = self.pin.dup()
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
            results.append(commands.run(phase, command, cwd=self.root, timeout=self.timeout, root_fd=self.pin.fd))
        return tuple(results)

    def _clear(self, root_fd: int) -> tuple[tuple[ItemResult, ...], fingerprint.Verification]:
        matcher = matcher_for(self.config, self.root)
        tops = fingerprint_tops(self.plan)
        before = fingerprint.take(root_fd, tops, skip=_unchecked(self.plan))
        # Who holds which file open is read after `before` ran: stopped services hold nothing.
        open_files = openfiles.scan(os.fstat(root_fd).st_dev)
        clearer = _clearer(
            root_fd, self.root, self.config, matcher, open_files, act=True, venv=frozenset(self.plan.venv)
        )
        clearer.on_removed = self.recorder.progress
        items = []
        for item in self.plan.items:
            self.progress(f'clearing {item.rel}')
            items.append(clearer.clear(item.rel))
        self.recorder.flush()
        after = fingerprint.take(root_fd, tops, skip=_unchecked(self.plan))
        return tuple(items), fingerprint.compare(before, after)


def fingerprint_tops(plan: PurgePlan) -> list[str]:
    """Every protected path and floor the plan saw, checked in full before and after the purge."""
    state = _state_rel(plan.config, plan.root)
    inner = [k.rel for item in plan.items for k in item.kept if k.reason in (PROTECTED_REASON, FLOOR_REASON)]
    return [t for t in (*plan.protected, *plan.floors, *inner) if t.rstrip('/') != state]


def _unchecked(plan: PurgePlan) -> frozenset[str]:
    state = _state_rel(plan.config, plan.root)
    return frozenset((state,)) if state else frozenset()


def _clearer(
    root_fd: int,
    root: Path,
    config: Config,
    matcher: Matcher,
    open_files: openfiles.OpenFiles,
    *,
    act: bool,
    venv: frozenset[str],
) -> Clearer:
    return Clearer(
        root_fd,
        root,
        matcher,
        log_globs=config.purge.active_logs,
        keep_rotated=config.purge.keep_rotated,
        open_files=open_files,
        act=act,
        venv=venv,
    )


def _audit_paths(report: PurgeReport) -> list[tuple[str, int, str]]:
    rows: list[tuple[str, int, str]] = []
    for item in report.items:
        rows.append((item.rel, item.bytes, 'failed' if item.failures else 'cleared'))
        # Each file removed or emptied in place was recorded as it happened (Recorder.progress).
        rows.extend((k.rel, 0, f'kept: {k.reason}') for k in item.kept if k.reason != PROTECTED_REASON)
        rows.extend((f.rel, 0, f'failed: {f.error}') for f in item.failures)
    return rows


def _audit_detail(report: PurgeReport) -> dict[str, object]:
    return {
        'files': report.files,
        'reclaimed': report.reclaimed,
        'protected_checked': report.verification.checked,
        'protected_changed': list(report.verification.changed + report.verification.missing)[:100],
        # Default-deny: the program and shape of each command, never an argument that may be a credential.
        'commands': [
            {
                'phase': c.phase,
                'command': mask_command_line(c.command),
                'outcome': c.outcome,
                'returncode': c.returncode,
            }
            for c in report.commands
        ],
    }


def _with_audit(report: PurgeReport, recorder: Recorder) -> PurgeReport:
    import dataclasses

    return dataclasses.replace(report, audit_id=recorder.event_id, audit_error=recorder.error)
