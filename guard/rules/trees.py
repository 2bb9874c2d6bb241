"""Read-only views of a project root, on disk or as a list of paths (the git index, a commit).

Path rules (the venv rule) ask these questions instead of touching the filesystem, so the same
rule judges a root on disk (`guard scan`, `guard clean`) and a staged commit (the hook).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable


class Tree:
    """What a path rule may ask of a root. (A base class rather than a typing.Protocol: the commit
    hook imports this module, and typing costs ~3 ms to import.)"""

    def kind(self, rel: str) -> str | None:
        """'file', 'dir', 'link' or None when absent. Links are never followed."""
        raise NotImplementedError

    def names(self, rel: str) -> list[str]:
        """Entry names in a directory ('' is the root), sorted; [] when not a directory."""
        raise NotImplementedError

    def link_target(self, rel: str) -> str | None:
        """What a symlink points at, or None."""
        raise NotImplementedError

    def head(self, rel: str, size: int = 256) -> bytes:
        """The first bytes of a regular file (b'' when unavailable)."""
        raise NotImplementedError


class DiskTree(Tree):
    """The root as it is on disk, ignored files included. Nothing here follows a symlink."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)

    def _abs(self, rel: str) -> str:
        return os.path.join(self.root, rel) if rel else self.root

    def kind(self, rel: str) -> str | None:
        try:
            mode = os.lstat(self._abs(rel)).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return 'link'
        return 'dir' if stat.S_ISDIR(mode) else 'file'

    def names(self, rel: str) -> list[str]:
        if self.kind(rel) != 'dir':
            return []
        try:
            return sorted(os.listdir(self._abs(rel)))
        except OSError:
            return []

    def link_target(self, rel: str) -> str | None:
        try:
            return os.readlink(self._abs(rel))
        except OSError:
            return None

    def head(self, rel: str, size: int = 256) -> bytes:
        if self.kind(rel) != 'file':
            return b''
        try:
            with open(self._abs(rel), 'rb') as f:
                return f.read(size)
        except OSError:
            return b''


class PathListTree(Tree):
    """A tree known only by its file paths, e.g. `git ls-files --stage` output.

    `links` maps symlink paths to their targets; `heads` optionally gives file beginnings.
    """

    def __init__(
        self, paths: Iterable[str], *, links: dict[str, str] | None = None, heads: dict[str, bytes] | None = None
    ) -> None:
        self._links = dict(links or {})
        self._heads = heads or {}
        self._files: set[str] = set()
        self._dirs: dict[str, set[str]] = {'': set()}
        for path in paths:
            self._add(path)

    def _add(self, path: str) -> None:
        parts = path.strip('/').split('/')
        for depth in range(len(parts)):
            parent = '/'.join(parts[:depth])
            self._dirs.setdefault(parent, set()).add(parts[depth])
        leaf = '/'.join(parts)
        if leaf not in self._links:
            self._files.add(leaf)

    def kind(self, rel: str) -> str | None:
        if rel in self._links:
            return 'link'
        if rel in self._files:
            return 'file'
        return 'dir' if rel in self._dirs else None

    def names(self, rel: str) -> list[str]:
        return sorted(self._dirs.get(rel, ()))

    def link_target(self, rel: str) -> str | None:
        return self._links.get(rel)

    def head(self, rel: str, size: int = 256) -> bytes:
        return self._heads.get(rel, b'')[:size]
