"""The one judgement of a path a setting names that guard will write or delete there (its metrics
file, its baseline, its quarantine folder): whether it may, when it lies in the root it guards.

A relative path in a project's own file needs no trust (guard.trust: only a path that leads outside
the root does), so `watch.metrics-file = ".env"` or `baseline = ".git/HEAD"` would otherwise let a
cloned repository make guard overwrite its credentials, its source or its repository (issue 16).
Inside the root a target is refused when:

- it is the root itself;
- it lies at or under a floor (`.git`, a config file, guard's state, its quarantines, the config in
  use) or a protected path, judged by the purge's own Matcher, never by a list of its own; guard's
  own `.guard/` folder (protected by default so the purge keeps it) is where its files belong;
- a folder guard will fill (the quarantine) lies in an ephemeral path: the purge would clear it;
- a folder on the way that exists is a symlink (the write's own walk would refuse it too; said
  once, at start); a symlink at a file's own name is replaced, never followed;
- a file target exists and is not a regular file (a folder, a FIFO, a device).

A path outside the root is a trusted layer's choice (guard.trust drops it from an untrusted one);
guard still reaches it without following a link (guard.ownfiles).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from guard import ownfiles
from guard.config import Config
from guard.safety.paths import EPHEMERAL
from guard.safety.paths import FLOOR_NAMES
from guard.safety.paths import PROTECTED
from guard.safety.paths import Matcher
from guard.safety.paths import is_inside

OWN_FOLDER = '.guard'


def problem(config: Config, root: Path, key: str, target: Path, *, folder: bool = False) -> str | None:
    """Why guard may not write (or delete) `target`, named by setting `key`, or None when it may.

    `root` is the resolved root; `target` is the path as guard will use it (joined to the root,
    normalised, not resolved). `folder`: the target is a folder guard fills (the quarantine), else
    a file it replaces. The message is one line naming the key, the path and the reason."""
    target = Path(os.path.normpath(target))
    if not is_inside(target, root):
        return None
    if target == root:
        return f'{key} {target} is the root itself; name a path inside it'
    rel = target.relative_to(root).as_posix()
    why = _pattern_problem(config, root, rel, folder=folder, key=key)
    if why is None:
        link = _link(root, rel, folder=folder)
        if link is not None:
            # Said as guard.ownfiles says it when the write's own no-follow walk meets the link.
            return str(ownfiles.refuse(root / link, 'it is a symlink, where guard expects its own directory'))
        why = _kind_problem(root, rel, folder=folder)
    return f'{key} {target} {why}; choose another path' if why else None


def _pattern_problem(config: Config, root: Path, rel: str, *, folder: bool, key: str) -> str | None:
    parts = rel.split('/')
    floors = [*FLOOR_NAMES, *_own_floors(config, root, rel if folder else None)]
    matcher = Matcher(config.purge.protected, config.purge.ephemeral, floors=floors)
    for depth in range(1, len(parts) + 1):
        prefix = '/'.join(parts[:depth])
        is_dir = folder or depth < len(parts)
        if matcher.is_floor(prefix, is_dir=is_dir):
            return f'lies at or under {prefix}, which guard never writes over (git, config, its own state)'
    # guard's own folder is protected so the purge keeps it, and is where its files belong.
    protected = config.purge.protected
    if parts[0] == OWN_FOLDER:
        protected = tuple(p for p in protected if p.strip('/') != OWN_FOLDER)
    verdict = Matcher(protected, config.purge.ephemeral, floors=floors).decide(rel, is_dir=folder)
    if verdict == PROTECTED:
        return 'lies under a protected path (purge.protected)'
    if folder and verdict == EPHEMERAL:
        return 'lies in an ephemeral path (purge.ephemeral): a purge would clear it'
    return None


def _own_floors(config: Config, root: Path, itself: str | None) -> list[str]:
    """guard's own folders in the root (its state, its quarantines) and the config in use, as
    anchored patterns; `itself` (a quarantine folder being judged) is not its own floor."""
    from guard.safety.purge import matcher_for

    own = [f for f in matcher_for(config, root).floors.source if f not in FLOOR_NAMES]
    if itself is not None:
        own = [f for f in own if f.strip('/') != itself]
    return own


def _link(root: Path, rel: str, *, folder: bool) -> str | None:
    """The first folder on the way to `rel` (or `rel` itself, a folder target) that is a symlink,
    walked from the root without following one; None when there is none. A symlink at a file
    target's own name is no problem: it is replaced, never written through (ownfiles.write_atomic)."""
    parts = rel.split('/')
    checked = parts if folder else parts[:-1]
    for depth in range(1, len(checked) + 1):
        shown = '/'.join(parts[:depth])
        try:
            if stat.S_ISLNK(os.lstat(root / shown).st_mode):
                return shown
        except OSError:
            return None  # missing: created without following a link; anything else the write says
    return None


def _kind_problem(root: Path, rel: str, *, folder: bool) -> str | None:
    """A folder on the way that is no folder, or a file target that is a folder, FIFO or device."""
    parts = rel.split('/')
    for depth in range(1, len(parts) + 1):
        shown = '/'.join(parts[:depth])
        try:
            mode = os.lstat(root / shown).st_mode
        except FileNotFoundError:
            return None
        except OSError as e:
            return f'cannot be checked ({e.strerror})'
        last = depth == len(parts)
        if stat.S_ISLNK(mode):
            return None  # a file target's own name: replaced, never followed
        if (not last or folder) and not stat.S_ISDIR(mode):
            return f'goes through {shown}, which is not a folder'
        if last and not folder and not stat.S_ISREG(mode):
            return 'exists and is not a regular file'
    return None
