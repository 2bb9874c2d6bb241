"""The purge's look at a root: one descriptor walk that finds what to clear, what is protected, the
floors, and the ephemeral matches that protection or the root venv shadows (`guard.safety.purge.plan`).

It never descends into an ephemeral path (the Clearer walks those), a floor, `.git`, another
filesystem, a nested repository or a root venv entry; it does walk protected folders, only to name
the ephemeral matches inside them that inherited protection keeps.
"""

from __future__ import annotations

import os
from pathlib import Path

from guard import ownfiles
from guard.safety import fd as fdops
from guard.safety.paths import EPHEMERAL
from guard.safety.paths import PROTECTED
from guard.safety.paths import Matcher
from guard.safety.remove import VENV_REASON
from guard.safety.results import FLOOR_REASON
from guard.safety.results import Failure
from guard.safety.results import Kept


def root_venv(root: Path) -> frozenset[str]:
    """The root entries the venv-root rule attributes to an environment: `guard clean`'s business."""
    from guard.rules.trees import DiskTree
    from guard.rules.venv import detect_root_venv

    finding = detect_root_venv(DiskTree(root), root_path=str(root))
    return frozenset(finding.entries) if finding else frozenset()


class Discovery:
    """One walk of the root: the top-most ephemeral paths, the top-most protected ones, the floors,
    and the ephemeral matches that protection (or the root venv) shadows."""

    def __init__(self, matcher: Matcher, venv: frozenset[str]) -> None:
        self.matcher = matcher
        self.venv = venv
        self.items: list[str] = []
        self.protected: list[str] = []
        self.floors: list[str] = []
        self.skipped: list[Kept] = []
        self.unreadable: list[Failure] = []
        # Top-level names that keep something the plan does not clear: a file no pattern matches, a
        # protected path, a floor, a mount, a nested repository, the venv, or what cannot be read.
        # The guard rail counts a top-level folder as cleared when it is not here (see purge.wide).
        self.remains: set[str] = set()
        self.root_dev = -1
        self.root_mnt: int | None = None

    def walk(self, dir_fd: int, rel: str, verdict: str | None, top: str) -> None:
        """Walk one directory; `top` names the protected path it lies in, if any."""
        if self.root_dev < 0:
            self.root_dev = os.fstat(dir_fd).st_dev
            self.root_mnt = ownfiles.mount_id(dir_fd)
        with os.scandir(dir_fd) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            child = f'{rel}/{entry.name}' if rel else entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            shown = child + '/' if is_dir else child
            # Symlinks match as what they name (a `logs` link to a folder is the logs/ folder).
            as_dir = is_dir or _names_a_dir(entry)
            if child in self.venv:
                self.skipped.append(Kept(shown, VENV_REASON))
                self._remains(child)
                continue
            own = self.matcher.child(verdict, child, is_dir=as_dir)
            if self.matcher.is_floor(child, is_dir=as_dir):
                self._remains(child)
                if verdict != PROTECTED:  # inside a protected path it is already checked with it
                    self._floor(child, shown, as_dir)
                continue  # never walked: a floor is never cleared, whatever lies inside (a quarantine's caches)
            if own == EPHEMERAL:
                self.items.append(child)
                continue
            if own == PROTECTED or not is_dir:
                self._remains(child)
            inside = top
            if own == PROTECTED and verdict != PROTECTED:
                self.protected.append(shown)
                inside = shown
            elif own == PROTECTED and self.matcher.names_ephemeral(child, is_dir=as_dir):
                self.skipped.append(Kept(shown, f'inside protected {top}'))
                continue
            if is_dir and entry.name != '.git':
                self._descend(dir_fd, entry.name, child, own, inside)

    def _remains(self, rel: str) -> None:
        self.remains.add(rel.split('/', 1)[0])

    def _floor(self, rel: str, shown: str, as_dir: bool) -> None:
        self.floors.append(shown)
        if self.matcher.names_ephemeral(rel, is_dir=as_dir):
            self.skipped.append(Kept(shown, FLOOR_REASON))

    def _descend(self, dir_fd: int, name: str, rel: str, verdict: str | None, top: str) -> None:
        try:
            sub = fdops.open_dir(dir_fd, name)
        except OSError as e:
            self.unreadable.append(Failure(rel, fdops.describe(e), fdops.hint(e)))
            self._remains(rel)
            return
        try:
            if not ownfiles.same_mount(sub, self.root_dev, self.root_mnt):
                self.skipped.append(Kept(rel, 'another filesystem (mount point)'))
                self._remains(rel)
            elif _has_git(sub):
                self.skipped.append(Kept(rel, 'a nested git repository'))
                self._remains(rel)
            else:
                self.walk(sub, rel, verdict, top)
        except OSError as e:
            self.unreadable.append(Failure(rel, fdops.describe(e), fdops.hint(e)))
            self._remains(rel)
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
