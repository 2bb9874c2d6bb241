"""Where the text to scan comes from: the working tree (git-aware, or a plain walk).

Git is asked through its own command line, which costs a few milliseconds; GitPython costs
~250 ms to import and is kept for where it pays. Nothing here follows a symlink.
"""
from __future__ import annotations

import os
import stat

from guard.errors import SourceError
from guard.git import spawn
from guard.records import record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path
    from typing import TypeAlias

    # A path as the scan engine takes it: a str (the commit hook's, which never imports pathlib) or a Path.
    StrPath: TypeAlias = 'str | os.PathLike[str]'

BINARY_SNIFF = 8000
BINARY = 'binary'
# Walked trees (no git) skip these; in git, .gitignore decides.
WALK_SKIP_DIRS = frozenset({'.git', '.hg', '.svn', 'node_modules', '__pycache__', '.tox', '.nox', '.mypy_cache',
                            '.pytest_cache', '.ruff_cache', '.guard'})


class Skipped(record('Skipped', ['path', 'reason'])):
    """A file not scanned (`path`, root-relative), and why (`reason`)."""

    __slots__ = ()


class Listing(record('Listing', ['root', 'in_git', 'tracked', 'untracked', 'unreadable'], defaults=((),))):
    """The files of a root: `tracked` is empty outside git, where `untracked` holds everything (tuples of paths).

    `unreadable`: Skipped records for the directories that could not be listed (`dir/`, and why), so
    a scan reports them rather than passing over what they hold in silence.
    """

    __slots__ = ()


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
            raise SourceError(f'git {self.args[0]} failed: {message[-1] if message else "exit " + str(proc.returncode)}')
        return proc


def start_git(root: StrPath, *args: str, input_bytes: bytes | None = None) -> RunningGit:
    """Start git in `root` and return at once: its work overlaps whatever the caller does next."""
    return RunningGit(root, args, input_bytes)


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


def list_files(root: StrPath, in_git: bool) -> Listing:
    """Every file to consider under `root`: git's tracked and untracked-not-ignored files, or a walk."""
    if not in_git:
        unreadable: list[Skipped] = []
        return Listing(root, False, (), tuple(_walk(root, unreadable)), tuple(unreadable))
    tracked = _split(git(root, 'ls-files', '-z', '--cached'))
    others = start_git(root, 'ls-files', '-z', '--others', '--exclude-standard').completed()
    return Listing(root, True, tuple(dict.fromkeys(tracked)), tuple(_split(others.stdout)),
                   tuple(_unlistable(root, others.stderr)))


def _unlistable(root: StrPath, git_warnings: bytes) -> list[Skipped]:
    """The directories `git ls-files --others` warned it could not open.

    git only warns (`warning: could not open directory 'logs/': Permission denied`) and lists the
    rest. Its wording may be translated, so the quoted names are only candidates: each one counts
    when opening it here fails too, and the reason given is that error's.
    """
    if not git_warnings:
        return []
    import re  # only when git warned: the commit hook never gets here

    found = []
    # A name in single quotes ending with / (git's "could not open directory 'x/'"), in any language.
    for quoted in re.findall(r"'([^'\n]+/)'", os.fsdecode(git_warnings)):
        rel = quoted.rstrip('/')
        try:
            os.close(os.open(os.path.join(root, rel), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW))
        except OSError as e:
            found.append(Skipped(rel + '/', f'unreadable directory: {e.strerror}'))
    return found


def _split(output: bytes) -> list[str]:
    return [os.fsdecode(p) for p in output.split(b'\0') if p]


def _walk(root: StrPath, unreadable: list[Skipped]) -> list[str]:
    def skip(error: OSError) -> None:  # os.walk passes over a folder it cannot list unless told
        rel = os.path.relpath(error.filename, root).replace(os.sep, '/')
        unreadable.append(Skipped(rel + '/', f'unreadable directory: {error.strerror}'))

    found = []
    for folder, dirs, files in os.walk(root, onerror=skip, followlinks=False):
        rel_folder = os.path.relpath(folder, root)
        # A venv in its own subfolder is where it belongs; its site-packages are not the project's code.
        dirs[:] = sorted(d for d in dirs if d not in WALK_SKIP_DIRS and not os.path.exists(os.path.join(folder, d, 'pyvenv.cfg')))
        for name in sorted(files):
            found.append(name if rel_folder == '.' else f'{rel_folder}/{name}'.replace(os.sep, '/'))
    return found


def read_text(root: StrPath, rel: str, max_size: int) -> str | Skipped | None:
    """The file's text; Skipped for too large, binary or unreadable; None for what is not a regular file."""
    try:
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        return None if e.errno in (2, 40) else Skipped(rel, f'unreadable: {e.strerror}')  # ENOENT, ELOOP (a symlink)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if max_size and info.st_size > max_size:
            return Skipped(rel, f'larger than max-file-size ({info.st_size:,} > {max_size:,} bytes)')
        data = _read_all(fd, info.st_size)
    except OSError as e:
        return Skipped(rel, f'unreadable: {e.strerror}')
    finally:
        os.close(fd)
    text = decode(data)
    return Skipped(rel, BINARY) if text is None else text


def _read_all(fd: int, size: int) -> bytes:
    """The whole file, in one read() when it is still the size fstat saw (a file object costs more per file)."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data
    chunks = [data]  # it changed since fstat, or a huge file read short: read on to the end
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b''.join(chunks)


def decode(data: bytes) -> str | None:
    """Text for scanning, or None for binary. Undecodable bytes map 1:1 to characters (latin-1)."""
    if data.find(b'\0', 0, BINARY_SNIFF) >= 0:
        return None
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1')
