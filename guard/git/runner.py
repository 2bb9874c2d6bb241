"""The one way guard runs git: a command in a repository, started in the background or run to its end.

Git is asked through its own command line, which costs a few milliseconds; GitPython costs
~250 ms to import and is kept for where it pays (the daemon).
"""

from __future__ import annotations

import os

from guard.errors import SourceError
from guard.git import spawn

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path

    from guard.records import StrPath


def git(root: StrPath, *args: str, input_bytes: bytes | None = None) -> bytes:
    """Run git in `root`; a failure is a SourceError with git's own message."""
    return start_git(root, *args, input_bytes=input_bytes).output()


class RunningGit:
    """A git command started in the background; `output()` waits for it."""

    def __init__(self, root: StrPath, args: tuple[str, ...], input_bytes: bytes | None) -> None:
        self.args = args
        try:
            self._running = spawn.start(['git', '-C', os.fspath(root), *args], input_bytes=input_bytes)
        except FileNotFoundError:
            raise SourceError('git is not installed (needed to scan a git repository)') from None

    def output(self) -> bytes:
        """Its standard output; a failure is a SourceError with git's own message."""
        return self.completed().stdout

    def reap(self) -> None:
        """Wait for it to end and drop what it said (once it has ended, at no cost)."""
        try:
            self._running.wait()
        except OSError:  # its pipes failed: the wait inside has killed and reaped it
            pass

    def completed(self) -> spawn.Completed:
        """Its exit code, output and warnings (stderr) when it succeeded; a failure is a SourceError."""
        proc = self._running.wait()
        if proc.returncode != 0:
            message = proc.stderr.decode(errors='replace').strip().splitlines()
            raise SourceError(
                f'git {self.args[0]} failed: {message[-1] if message else "exit " + str(proc.returncode)}'
            )
        return proc


def start_git(root: StrPath, *args: str, input_bytes: bytes | None = None) -> RunningGit:
    """Start git in `root` and return at once: its work overlaps whatever the caller does next."""
    return RunningGit(root, args, input_bytes)


def converse_git(root: StrPath, *args: str) -> spawn.Conversation:
    """A long-lived git in `root` to send requests to (`cat-file --batch-command`); its stderr is dropped."""
    try:
        return spawn.converse(['git', '-C', os.fspath(root), *args])
    except FileNotFoundError:
        raise SourceError('git is not installed (needed to read from a git repository)') from None


def find_root(path: Path) -> tuple[Path, bool]:
    """The git top level containing `path`, or `path` itself (its folder, for a file) outside git."""
    from pathlib import Path

    folder = path if path.is_dir() else path.parent
    try:
        proc = spawn.run(['git', '-C', os.fspath(folder), 'rev-parse', '--show-toplevel'])
    except FileNotFoundError:
        return folder.resolve(), False
    if proc.returncode != 0 or not proc.stdout.strip():
        return folder.resolve(), False
    return Path(os.fsdecode(proc.stdout.strip())).resolve(), True
