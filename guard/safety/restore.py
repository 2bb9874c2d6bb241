"""`guard restore` as a library: put a quarantine made by `guard clean` back exactly.

It refuses, before moving anything, when something has reappeared at any original path, when the
root is not the one the manifest names (by path, and by device and inode when the manifest has
them), or when an entry in the quarantine is not of the kind the manifest records (a directory
where a file was moved, a symlink where a directory was). Each rename is RENAME_NOREPLACE, so a
path that appears during the restore is not overwritten either, and everything goes through the
root pinned before the checks. After a complete restore the emptied quarantine folder is removed.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from guard.errors import UnsafeOperationError
from guard.safety import fd as fdops
from guard.safety import manifest
from guard.safety import manifest_check
from guard.safety.lock import root_lock
from guard.safety.paths import PROTECTED
from guard.safety.paths import check_root
from guard.safety.quarantine import RESTORED
from guard.safety.quarantine import MoveReport
from guard.safety.quarantine import audited
from guard.safety.quarantine import find
from guard.safety.quarantine import move_entries
from guard.safety.quarantine import open_folder
from guard.safety.record import Recorder

if TYPE_CHECKING:
    from guard.audit import AuditStore
    from guard.config import Config


def _lexists(dir_fd: int, rel: str) -> bool:
    parent, name = fdops.split(rel)
    try:
        with fdops.opened_beneath(dir_fd, parent) as fd:
            os.stat(name, dir_fd=fd, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as e:
        if e.errno == errno.ELOOP:
            return True  # a symlink on the way: something is there, and it is not ours
        raise
    return True


def _kind(dir_fd: int, rel: str) -> str | None:
    parent, name = fdops.split(rel)
    try:
        with fdops.opened_beneath(dir_fd, parent) as fd:
            mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(mode):
        return 'link'
    if stat.S_ISDIR(mode):
        return 'dir'
    return 'file' if stat.S_ISREG(mode) else 'special'


def conflicts(config: Config, pin: fdops.RootPin, q: manifest.Quarantine) -> list[str]:
    """Original paths that exist again, so restoring would overwrite them."""
    base_fd, q_fd = open_folder(config, pin, q.id)
    try:
        return [e.path for e in q.manifest.entries if _lexists(q_fd, e.path) and _lexists(pin.fd, e.path)]
    finally:
        os.close(q_fd)
        os.close(base_fd)


def refuse_protected(config: Config, root: Path, q: manifest.Quarantine) -> None:
    """UnsafeOperationError when an entry would land on a protected path or a floor: clean never
    moves those, so a manifest naming one was edited."""
    from guard.safety.purge import matcher_for

    matcher = matcher_for(config, root)
    hit = [e.path for e in q.manifest.entries if matcher.decide(e.path, is_dir=e.kind == 'dir') == PROTECTED]
    if hit:
        raise manifest_check.refuse(
            q.path / manifest.NAME, f'it would restore protected {", ".join(hit)}, which guard clean never moves'
        )


def refuse_other_root(pin: fdops.RootPin, q: manifest.Quarantine) -> None:
    """UnsafeOperationError unless the manifest names this very root: a quarantine goes back only
    where it came from (another project's quarantine, copied or shared, never lands here)."""
    m = q.manifest
    if m.root != os.fspath(pin.path):
        raise manifest_check.refuse(q.path / manifest.NAME, f'it was made for {m.root}, not for {pin.path}')
    if m.root_dev and (m.root_dev, m.root_ino) != (pin.dev, pin.ino):
        raise manifest_check.refuse(
            q.path / manifest.NAME,
            f'it was made for another directory at {m.root} '
            f'(device/inode {m.root_dev}/{m.root_ino}, now {pin.dev}/{pin.ino})',
        )


def refuse_wrong_kinds(config: Config, pin: fdops.RootPin, q: manifest.Quarantine) -> None:
    """UnsafeOperationError when an entry in the quarantine is not the kind the manifest records."""
    base_fd, q_fd = open_folder(config, pin, q.id)
    try:
        wrong = []
        for e in q.manifest.entries:
            kind = _kind(q_fd, e.path)
            if kind is not None and kind != e.kind:
                wrong.append(f'{e.path} is a {kind}, the manifest says {e.kind}')
    finally:
        os.close(q_fd)
        os.close(base_fd)
    if wrong:
        raise manifest_check.refuse(q.path, 'its contents differ from the manifest: ' + '; '.join(wrong[:5]))


def check(config: Config, root: Path | fdops.RootPin, q: manifest.Quarantine) -> None:
    """Everything restore refuses, checked before anything moves (the manifest itself was validated
    when it was read)."""
    pin = root if isinstance(root, fdops.RootPin) else fdops.RootPin(check_root(root))
    refuse_other_root(pin, q)
    refuse_protected(config, pin.path, q)
    refuse_wrong_kinds(config, pin, q)
    refuse_conflicts(config, pin, q)


def refuse_conflicts(config: Config, pin: fdops.RootPin, q: manifest.Quarantine) -> None:
    """UnsafeOperationError naming every original path that has reappeared."""
    clash = conflicts(config, pin, q)
    if clash:
        raise UnsafeOperationError(
            f'refusing to restore {q.id}: these paths exist again and would be overwritten: '
            f'{", ".join(clash)}; move them away first'
        )


def restore(
    config: Config,
    root: str | os.PathLike[str] | fdops.RootPin,
    quarantine_id: str | None = None,
    *,
    audit: AuditStore | None = None,
    trigger: str = 'manual',
    lock_timeout: float | None = None,
) -> MoveReport:
    """Put a quarantine back. Refuses (UnsafeOperationError) before moving anything when any
    original path has reappeared, an entry is protected or of another kind, the root is not the
    manifest's, or the quarantine is not one guard made. `root` may be a RootPin taken before the
    user confirmed, so a root swapped meanwhile is noticed."""
    pin = root if isinstance(root, fdops.RootPin) else fdops.RootPin(check_root(root))
    pin.verify()
    resolved = pin.path
    timeout = config.purge.lock_timeout if lock_timeout is None else lock_timeout
    with root_lock(config.state_path(), resolved, 'restore', timeout=timeout, root_fd=pin.fd):
        pin.verify()
        q = find(config, pin, quarantine_id)
        check(config, pin, q)
        with Recorder(audit, 'restore', resolved, trigger, {'quarantine': q.id}) as recorder:
            report = _restore(config, pin, q)
            recorder.finish(
                report.outcome,
                [(e.path, e.bytes, RESTORED) for e in report.moved]
                + [(f.rel, 0, f'failed: {f.error}') for f in report.failures],
                report.bytes,
                {'quarantine': q.id},
            )
    return audited(report, recorder)


def _restore(config: Config, pin: fdops.RootPin, q: manifest.Quarantine) -> MoveReport:
    base_fd, q_fd = open_folder(config, pin, q.id)
    try:
        root_fd = pin.dup()
        try:
            present = [e for e in q.manifest.entries if _lexists(q_fd, e.path)]
            moved, failures = move_entries(q_fd, root_fd, present, q.manifest.parent_modes)
            if not failures:
                manifest.write(q_fd, q.manifest.with_state(RESTORED))
        finally:
            os.close(root_fd)
        if not failures:
            _remove_empty_quarantine(base_fd, q_fd, q.id)
    finally:
        os.close(q_fd)
        os.close(base_fd)
    outcome = 'ok' if not failures else ('partial' if moved else 'failed')
    return MoveReport('restore', pin.path, q.id, q.path, tuple(moved), tuple(failures), outcome)


def _remove_empty_quarantine(base_fd: int, q_fd: int, qid: str) -> None:
    """After a full restore only empty folders and the manifest should remain: remove them, and
    leave everything in place (manifest included) if anything else is still there. Descriptors
    only (fwalk), so nothing is reached through a link."""
    leftovers = []
    for dirpath, dirnames, filenames, dir_fd in os.fwalk('.', dir_fd=q_fd):
        leftovers += [n for n in filenames if not (dirpath == '.' and n == manifest.NAME)]
        leftovers += [d for d in dirnames if stat.S_ISLNK(os.stat(d, dir_fd=dir_fd, follow_symlinks=False).st_mode)]
    if leftovers:
        return
    os.unlink(manifest.NAME, dir_fd=q_fd)
    try:
        for _dirpath, dirnames, _filenames, dir_fd in os.fwalk('.', dir_fd=q_fd, topdown=False):
            for name in dirnames:
                os.rmdir(name, dir_fd=dir_fd)
        os.rmdir(qid, dir_fd=base_fd)
    except OSError as e:
        if e.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
            raise
