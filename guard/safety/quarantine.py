"""`guard clean` as a library: move root venv artifacts aside into a quarantine, with a manifest.

`plan(config, root)` asks the venv rule which root entries belong to an environment (a `bin/`
that also holds project scripts keeps them; only the venv's own files move). `execute(plan)`
renames exactly those entries, on the same filesystem, into `<quarantine dir>/<id>/` with a
manifest; `guard.safety.restore` puts them back. Renames never replace (RENAME_NOREPLACE).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from guard.du import disk_usage
from guard.errors import UnsafeOperationError
from guard.errors import UsageError
from guard.safety import fd as fdops
from guard.safety import fixes
from guard.safety import manifest
from guard.safety import manifest_check
from guard.safety.lock import root_lock
from guard.safety.paths import PROTECTED
from guard.safety.paths import check_root
from guard.safety.paths import is_inside
from guard.safety.record import Recorder
from guard.safety.results import Failure

if TYPE_CHECKING:
    from guard.audit import AuditStore
    from guard.config import Config
    from guard.safety.paths import Matcher

QUARANTINED = 'quarantined'
MOVING = 'moving'
RESTORED = 'restored'
DEFAULT_QUARANTINE = '.guard/quarantine'
IGNORE_ALL = '# Written by guard: nothing in the quarantine is ever committed.\n*\n'


@dataclass(frozen=True)
class CleanPlan:
    """What `guard clean` would move, where to, why (the venv rule's evidence) and which fixes apply."""

    root: Path
    config: Config
    entries: tuple[manifest.Entry, ...]
    quarantine_dir: Path
    evidence: str
    fixes: tuple[fixes.Fix, ...]
    pin: fdops.RootPin | None = None  # the root as opened at plan time; execute acts through it only
    left: tuple[str, ...] = ()  # venv folders left in place because they hold a protected path

    @property
    def bytes(self) -> int:
        return sum(e.bytes for e in self.entries)

    @property
    def files(self) -> int:
        return sum(e.files for e in self.entries)


@dataclass(frozen=True)
class MoveReport:
    """What a clean or a restore moved. `outcome` is ok, partial or nothing."""

    kind: str
    root: Path
    quarantine_id: str
    quarantine_path: Path
    moved: tuple[manifest.Entry, ...]
    failures: tuple[Failure, ...]
    outcome: str
    audit_id: int | None = None
    audit_error: str | None = None

    @property
    def bytes(self) -> int:
        return sum(e.bytes for e in self.moved)


def quarantine_dir(config: Config, root: Path) -> Path:
    """Where quarantines go, as a path for display and for telling whether it lies in the root. It
    is not resolved: a `.guard` symlink committed to the repository must not move it (guard opens it
    component by component without following links, see open_base)."""
    return Path(os.path.normpath(root / config.clean.quarantine_dir))


def open_base(root_fd: int, root: Path, base: Path, *, create: bool) -> int | None:
    """The quarantine base folder: below the pinned root when it lies there, else guard's own
    private folder; no symlink followed at any component (UnsafeOperationError names it). None
    when it does not exist and `create` is false."""
    from guard import ownfiles

    try:
        if is_inside(base, root) and base != root:
            return ownfiles.open_dir(
                base.relative_to(root).as_posix(), base_fd=root_fd, create=create, owners=False, shown=str(root)
            )
        return ownfiles.open_dir(base, create=create)
    except (FileNotFoundError, NotADirectoryError):
        if create:
            raise
        return None


def open_folder(config: Config, pin: fdops.RootPin, qid: str) -> tuple[int, int]:
    """(base fd, quarantine folder fd) for quarantine `qid` of the pinned root."""
    base = quarantine_dir(config, pin.path)
    base_fd = open_base(pin.fd, pin.path, base, create=False)
    if base_fd is None:
        from guard.excerpt import quoted  # only on the error path: the value may be a credential

        raise UsageError(f'no quarantine {quoted(qid)} in {base}')
    try:
        return base_fd, manifest_check.open_folder_at(base_fd, qid, base / qid)
    except BaseException:
        os.close(base_fd)
        raise


def plan(config: Config, root: str | os.PathLike[str], *, pin: fdops.RootPin | None = None) -> CleanPlan:
    """Which root entries belong to a venv, and where they would go. Changes nothing. `pin` as for
    `guard.safety.purge.plan`."""
    from guard.rules.trees import DiskTree
    from guard.rules.venv import detect_root_venv
    from guard.safety.purge import matcher_for
    from guard.safety.purge import pinned

    resolved = check_root(root)
    pin = pinned(pin, resolved)
    finding = detect_root_venv(DiskTree(resolved), root_path=str(resolved))
    matcher = matcher_for(config, resolved)
    # Protected means protected for clean too (and restore refuses protected entries).
    found = [
        rel
        for rel in (finding.entries if finding else ())
        if matcher.decide(rel, is_dir=os.path.isdir(resolved / rel)) != PROTECTED
    ]
    # A venv folder holding a protected path deeper down (site-packages/.env, pkg/config/) stays
    # where it is, whole, and the plan says so: a protected path never moves (finding 15).
    holding = {rel: inner for rel in found if (inner := _protected_inside(resolved, rel, matcher))}
    found = [rel for rel in found if rel not in holding]
    entries = tuple(_entry(resolved, rel) for rel in found)
    target = quarantine_dir(config, resolved)
    _check_target(config, resolved, target)
    # Every venv entry the rule found, not only those that move: `quarantine-dir = "bin"` makes bin/ a
    # floor, so it would stay behind holding the quarantines a later clean moves with it (16b-11).
    for rel in finding.entries if finding else ():
        if is_inside(target, resolved / rel):
            raise UnsafeOperationError(
                f'clean.quarantine-dir {target} lies inside venv entry {rel}; choose another folder'
            )
    offered = tuple(f for f in (fixes.gitignore_fix(resolved, entries), fixes.env_example_fix(resolved)) if f)
    return CleanPlan(
        resolved,
        config,
        entries,
        target,
        finding.message if finding else '',
        offered,
        pin,
        tuple(f'{rel}/ (holds protected {inner})' for rel, inner in sorted(holding.items())),
    )


def _protected_inside(root: Path, rel: str, matcher: Matcher) -> str | None:
    """The first protected path below venv folder `rel`, or None (no link followed)."""
    top = root / rel
    if top.is_symlink() or not top.is_dir():
        return None
    for dirpath, dirnames, filenames in os.walk(top):
        # An environment's installed packages are its own files, not the project's: pip ships a
        # `models/` and a `configuration.py`, and a venv must still move whole (restore brings it back).
        dirnames[:] = [d for d in dirnames if d != 'site-packages']
        base = Path(dirpath).relative_to(root).as_posix()
        for name in dirnames:
            if matcher.decide(f'{base}/{name}', is_dir=True) == PROTECTED:
                return f'{base}/{name}/'
        for name in filenames:
            if matcher.decide(f'{base}/{name}', is_dir=False) == PROTECTED:
                return f'{base}/{name}'
    return None


def _check_target(config: Config, root: Path, target: Path) -> None:
    """A quarantine inside the root may not be the root, lie in `.git`, under a protected path
    (guard's own `.guard/` excepted) or in an ephemeral one a purge clears (findings 12, 16b-11):
    guard.safety.targets judges it, as it judges every path guard writes."""
    from guard.safety import targets

    why = targets.problem(config, root, 'clean.quarantine-dir', target, folder=True)
    if why:
        raise UnsafeOperationError(why)


def execute(
    plan: CleanPlan, *, audit: AuditStore | None = None, trigger: str = 'manual', lock_timeout: float | None = None
) -> MoveReport:
    """Move the planned entries into a new quarantine. LockedError / UnsafeOperationError on refusal."""
    pin = plan.pin or fdops.RootPin(check_root(plan.root))
    pin.verify()
    root = plan.root
    timeout = plan.config.purge.lock_timeout if lock_timeout is None else lock_timeout
    with root_lock(plan.config.state_path(), root, 'clean', timeout=timeout, root_fd=pin.fd):
        pin.verify()
        with Recorder(audit, 'clean', root, trigger, {'entries': len(plan.entries)}) as recorder:
            report = _clean(plan, pin)
            recorder.finish(
                report.outcome,
                [(e.path, e.bytes, QUARANTINED) for e in report.moved]
                + [(f.rel, 0, f'failed: {f.error}') for f in report.failures],
                report.bytes,
                {'quarantine': report.quarantine_id},
            )
    return audited(report, recorder)


def list_quarantines(config: Config, root: str | os.PathLike[str] | fdops.RootPin) -> list[manifest.Quarantine]:
    pin = root if isinstance(root, fdops.RootPin) else fdops.RootPin(check_root(root))
    base = quarantine_dir(config, pin.path)
    base_fd = open_base(pin.fd, pin.path, base, create=False)
    if base_fd is None:
        return []
    try:
        return manifest.list_all(base, base_fd)
    finally:
        os.close(base_fd)


def tracked(root: Path, paths: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Which of these root-relative entries git tracks files under (the index still lists moved
    files until they are untracked). () outside a repository or without git."""
    from guard.errors import SourceError
    from guard.git import runner

    if not paths:
        return ()
    try:
        out = runner.git(root, '--literal-pathspecs', 'ls-files', '-z', '--', *paths)
    except SourceError:
        return ()
    files = [os.fsdecode(f) for f in out.split(b'\0') if f]
    return tuple(p for p in paths if any(f == p or f.startswith(p + '/') for f in files))


def find(config: Config, root: Path | fdops.RootPin, quarantine_id: str | None) -> manifest.Quarantine:
    """The named quarantine, or the newest one not yet restored when no id is given."""
    found = [q for q in list_quarantines(config, root) if q.manifest.state != RESTORED]
    root = root.path if isinstance(root, fdops.RootPin) else root
    if quarantine_id is None:
        if not found:
            raise UsageError(f'{root}: no quarantine to restore (see `guard clean --list`)')
        return found[-1]
    for q in found:
        if q.id == quarantine_id:
            return q
    known = ', '.join(q.id for q in found) or 'none'
    from guard.excerpt import quoted  # only on the error path: the value may be a credential

    raise UsageError(f'no quarantine {quoted(quarantine_id)} in {quarantine_dir(config, root)} (known: {known})')


def _clean(plan: CleanPlan, pin: fdops.RootPin) -> MoveReport:
    root = pin.path
    if not plan.entries:
        return MoveReport('clean', root, '', plan.quarantine_dir, (), (), 'nothing')
    root_fd = pin.dup()
    try:
        base_fd = _open_base(root_fd, root, plan.quarantine_dir)
        try:
            qid, q_fd = _new_quarantine(base_fd)
        finally:
            os.close(base_fd)
        try:
            return _move_out(plan, pin, root_fd, qid, q_fd)
        finally:
            os.close(q_fd)
    finally:
        os.close(root_fd)


def _move_out(plan: CleanPlan, pin: fdops.RootPin, root_fd: int, qid: str, q_fd: int) -> MoveReport:
    root = pin.path
    modes = _parent_modes(root_fd, plan.entries)
    # The root by path and by device/inode: restore puts entries back only into this directory.
    record = manifest.Manifest(qid, str(root), _now(), MOVING, plan.entries, modes, pin.dev, pin.ino)
    manifest.write(q_fd, record)
    moved, failures = move_entries(root_fd, q_fd, plan.entries, modes)
    manifest.write(q_fd, record.with_state(QUARANTINED))
    outcome = 'ok' if not failures else ('partial' if moved else 'failed')
    return MoveReport('clean', root, qid, plan.quarantine_dir / qid, tuple(moved), tuple(failures), outcome)


def move_entries(
    src_fd: int, dst_fd: int, entries: tuple[manifest.Entry, ...] | list[manifest.Entry], modes: dict[str, int]
) -> tuple[list[manifest.Entry], list[Failure]]:
    moved, failures = [], []
    for entry in entries:
        parent, name = fdops.split(entry.path)
        try:
            with fdops.opened_beneath(src_fd, parent) as from_fd:
                to_fd = fdops.makedirs_beneath(dst_fd, parent, modes)
                try:
                    fdops.rename_noreplace(from_fd, name, to_fd, name)
                finally:
                    os.close(to_fd)
            moved.append(entry)
        except OSError as e:
            failures.append(Failure(entry.path, fdops.describe(e), fdops.hint(e)))
    return moved, failures


def _open_base(root_fd: int, root: Path, base: Path) -> int:
    """The quarantine base folder, created if needed, on the root's filesystem, ignored by git."""
    fd = open_base(root_fd, root, base, create=True)
    assert fd is not None
    if os.fstat(fd).st_dev != os.fstat(root_fd).st_dev:
        os.close(fd)
        raise UnsafeOperationError(
            f'quarantine folder {base} is on another filesystem than {root}; '
            'clean moves by rename only, so choose a folder on the same filesystem'
        )
    _ensure_ignored(fd)
    return fd


def _ensure_ignored(base_fd: int) -> None:
    try:
        fd = os.open(
            '.gitignore', os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=base_fd
        )
    except FileExistsError:
        return
    try:
        os.write(fd, IGNORE_ALL.encode())
    finally:
        os.close(fd)


def _new_quarantine(base_fd: int) -> tuple[str, int]:
    stamp = datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')
    for n in range(1, 1000):
        qid = stamp if n == 1 else f'{stamp}-{n}'
        try:
            os.mkdir(qid, 0o700, dir_fd=base_fd)
        except FileExistsError:
            continue
        return qid, fdops.open_dir(base_fd, qid)
    raise UnsafeOperationError('cannot create a new quarantine folder (too many this second)')


def _parent_modes(root_fd: int, entries: tuple[manifest.Entry, ...]) -> dict[str, int]:
    modes = {}
    for entry in entries:
        parts = entry.path.split('/')[:-1]
        for depth in range(1, len(parts) + 1):
            rel = '/'.join(parts[:depth])
            st = os.stat(rel, dir_fd=root_fd, follow_symlinks=False)
            # Permission bits only: restore refuses setuid/setgid/sticky bits in a manifest.
            modes[rel] = stat.S_IMODE(st.st_mode) & 0o777
    return modes


def _entry(root: Path, rel: str) -> manifest.Entry:
    path = root / rel
    st = os.lstat(path)
    if stat.S_ISDIR(st.st_mode):
        files, size = manifest.measure(path)
        return manifest.Entry(rel, 'dir', files, size)
    return manifest.Entry(rel, 'link' if stat.S_ISLNK(st.st_mode) else 'file', 1, disk_usage(st))


def audited(report: MoveReport, recorder: Recorder) -> MoveReport:
    import dataclasses

    return dataclasses.replace(report, audit_id=recorder.event_id, audit_error=recorder.error)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec='seconds')
