"""`guard restore` as a library: put a quarantine made by `guard clean` back exactly.

It refuses, before moving anything, when something has reappeared at any original path, and
each rename is RENAME_NOREPLACE, so a path that appears during the restore is not overwritten
either. After a complete restore the emptied quarantine folder is removed.
"""
from __future__ import annotations

import errno
import os
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
from guard.safety.record import Recorder

if TYPE_CHECKING:
    from guard.audit import AuditStore
    from guard.config import Config


def conflicts(root: Path, q: manifest.Quarantine) -> list[str]:
    """Original paths that exist again, so restoring would overwrite them."""
    return [e.path for e in q.manifest.entries
            if os.path.lexists(q.path / e.path) and os.path.lexists(root / e.path)]


def refuse_protected(config: Config, root: Path, q: manifest.Quarantine) -> None:
    """UnsafeOperationError when an entry would land on a protected path or a floor: clean never
    moves those, so a manifest naming one was edited."""
    from guard.safety.purge import matcher_for
    matcher = matcher_for(config, root)
    hit = [e.path for e in q.manifest.entries if matcher.decide(e.path, is_dir=e.kind == 'dir') == PROTECTED]
    if hit:
        raise manifest_check.refuse(q.path / manifest.NAME, f'it would restore protected {", ".join(hit)}, '
                                    'which guard clean never moves')


def check(config: Config, root: Path, q: manifest.Quarantine) -> None:
    """Everything restore refuses, checked before anything moves (the manifest itself was validated
    when it was read)."""
    resolved = check_root(root)
    refuse_protected(config, resolved, q)
    refuse_conflicts(resolved, q)


def refuse_conflicts(root: Path, q: manifest.Quarantine) -> None:
    """UnsafeOperationError naming every original path that has reappeared."""
    clash = conflicts(root, q)
    if clash:
        raise UnsafeOperationError(f'refusing to restore {q.id}: these paths exist again and would be overwritten: '
                                   f'{", ".join(clash)}; move them away first')


def restore(config: Config, root: str | os.PathLike[str], quarantine_id: str | None = None, *,
            audit: AuditStore | None = None, trigger: str = 'manual', lock_timeout: float | None = None) -> MoveReport:
    """Put a quarantine back. Refuses (UnsafeOperationError) before moving anything when any
    original path has reappeared, an entry is protected, or the quarantine is not one guard made."""
    resolved = check_root(root)
    timeout = config.purge.lock_timeout if lock_timeout is None else lock_timeout
    with root_lock(config.state_path(), resolved, 'restore', timeout=timeout):
        q = find(config, resolved, quarantine_id)
        check(config, resolved, q)
        with Recorder(audit, 'restore', resolved, trigger, {'quarantine': q.id}) as recorder:
            report = _restore(resolved, q)
            recorder.finish(report.outcome, [(e.path, e.bytes, RESTORED) for e in report.moved]
                            + [(f.rel, 0, f'failed: {f.error}') for f in report.failures],
                            report.bytes, {'quarantine': q.id})
    return audited(report, recorder)


def _restore(root: Path, q: manifest.Quarantine) -> MoveReport:
    root_fd = fdops.open_root(root)
    try:
        q_fd = manifest_check.open_folder(q.path)
        try:
            present = [e for e in q.manifest.entries if os.path.lexists(q.path / e.path)]
            moved, failures = move_entries(q_fd, root_fd, present, q.manifest.parent_modes)
            if not failures:
                manifest.write(q_fd, q.manifest.with_state(RESTORED))
        finally:
            os.close(q_fd)
    finally:
        os.close(root_fd)
    if not failures:
        _remove_empty_quarantine(q.path)
    outcome = 'ok' if not failures else ('partial' if moved else 'failed')
    return MoveReport('restore', root, q.id, q.path, tuple(moved), tuple(failures), outcome)


def _remove_empty_quarantine(path: Path) -> None:
    """After a full restore only empty folders and the manifest should remain: remove them, and
    leave everything in place (manifest included) if anything else is still there."""
    walked = list(os.walk(path, topdown=False))
    leftovers = [os.path.join(d, f) for d, _dirs, files in walked for f in files
                 if os.path.join(d, f) != str(path / manifest.NAME)]
    leftovers += [os.path.join(d, s) for d, dirs, _files in walked for s in dirs if os.path.islink(os.path.join(d, s))]
    if leftovers:
        return
    (path / manifest.NAME).unlink()
    for dirpath, _dirs, _files in walked:
        try:
            os.rmdir(dirpath)
        except OSError as e:
            if e.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
                raise
