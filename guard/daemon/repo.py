"""Repository questions the daemon and `guard status` ask, through GitPython: is the root a work
tree, is a path tracked, is it ignored. Long-running processes only: never on the commit hook's path.
"""

from __future__ import annotations

import os
from pathlib import Path


class RepoView:
    """What git knows about paths under `root`; every answer is False when the root is no work tree
    (or git is not installed), so callers decide what "unknown" means."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._repo = _open(root)

    @property
    def is_work_tree(self) -> bool:
        return self._repo is not None

    @property
    def work_tree(self) -> str:
        return str(self._repo.working_tree_dir) if self._repo is not None else ''

    def tracked(self, rel: str) -> bool:
        if self._repo is None:
            return False
        from git.exc import GitCommandError

        try:
            return bool(self._repo.git.ls_files('--', os.fspath(self.root / rel)).strip())
        except GitCommandError:
            return False

    def ignored(self, rel: str) -> bool:
        if self._repo is None:
            return False
        from git.exc import GitCommandError

        try:
            return bool(self._repo.ignored(os.fspath(self.root / rel)))
        except GitCommandError:
            return False

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None

    def __enter__(self) -> RepoView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open(root: Path):  # type: ignore[no-untyped-def]
    try:
        import git
        from git.exc import GitError
    except ImportError:  # GitPython without a git executable raises ImportError at import
        return None
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (GitError, OSError):
        return None
    return None if repo.bare else repo
