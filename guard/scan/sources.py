"""Where the text to scan comes from: the working tree (git-aware, or a plain walk).

Git is asked through guard.git.runner. Nothing here follows a symlink.
"""

from __future__ import annotations

import os
import stat

from guard.findings import Skipped
from guard.git.runner import git
from guard.git.runner import start_git
from guard.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Iterator

    from guard.records import StrPath

# Walked trees (no git) skip these; in git, .gitignore decides.
WALK_SKIP_DIRS = frozenset(
    {
        '.git',
        '.hg',
        '.svn',
        'node_modules',
        '__pycache__',
        '.tox',
        '.nox',
        '.mypy_cache',
        '.pytest_cache',
        '.ruff_cache',
        '.guard',
    }
)


class Listing(Record):
    """The files of a root: `tracked` is empty outside git, where `untracked` holds everything (tuples of paths).

    `unreadable`: Skipped records for the directories that could not be listed (`dir/`, and why), so
    a scan reports them rather than passing over what they hold in silence. `walked_past`: the folders
    a walk does not enter (WALK_SKIP_DIRS, a venv in a subfolder), named for the same reason.
    """

    root: StrPath
    in_git: bool
    tracked: tuple[str, ...]
    untracked: tuple[str, ...]
    unreadable: tuple[Skipped, ...] = ()
    walked_past: tuple[Skipped, ...] = ()


def list_files(root: StrPath, in_git: bool) -> Listing:
    """Every file to consider under `root`: git's tracked and untracked-not-ignored files, or a walk."""
    if not in_git:
        unreadable: list[Skipped] = []
        passed: list[Skipped] = []
        files = tuple(_walk(root, unreadable, passed))
        return Listing(root, False, (), files, tuple(unreadable), tuple(passed))
    tracked = _split(git(root, 'ls-files', '-z', '--cached'))
    others = start_git(root, 'ls-files', '-z', '--others', '--exclude-standard').completed()
    return Listing(
        root, True, tuple(dict.fromkeys(tracked)), tuple(_split(others.stdout)), tuple(_unlistable(root, others.stderr))
    )


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


NOT_WALKED = 'not walked: a version-control, tool-cache or dependency folder (outside git nothing says it is ignored)'
NOT_WALKED_VENV = 'not walked: a virtual environment (pyvenv.cfg)'


def _walk(root: StrPath, unreadable: list[Skipped], passed: list[Skipped]) -> list[str]:
    def skip(error: OSError) -> None:  # os.walk passes over a folder it cannot list unless told
        rel = os.path.relpath(error.filename, root).replace(os.sep, '/')
        unreadable.append(Skipped(rel + '/', f'unreadable directory: {error.strerror}'))

    found = []
    for folder, dirs, files in os.walk(root, onerror=skip, followlinks=False):
        rel_folder = os.path.relpath(folder, root)
        # A venv in its own subfolder is where it belongs; its site-packages are not the project's code.
        kept = []
        for d in sorted(dirs):
            reason = NOT_WALKED if d in WALK_SKIP_DIRS else None
            if reason is None and os.path.exists(os.path.join(folder, d, 'pyvenv.cfg')):
                reason = NOT_WALKED_VENV
            if reason is None:
                kept.append(d)
            else:  # named, as every skip is (issue 15c finding 20): a secret there is not read
                passed.append(
                    Skipped((d if rel_folder == '.' else f'{rel_folder}/{d}').replace(os.sep, '/') + '/', reason)
                )
        dirs[:] = kept
        for name in sorted(files):
            found.append(name if rel_folder == '.' else f'{rel_folder}/{name}'.replace(os.sep, '/'))
    return found


def read(root: StrPath, rel: str, max_size: int) -> bytes | Iterator[bytes] | Skipped | None:
    """The file's bytes: whole, or (over `max_size`, when it is not 0) in pieces read as they are
    consumed; Skipped when it cannot be read; None for what is not a regular file (never followed)."""
    try:
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        return None if e.errno in (2, 40) else Skipped(rel, f'{UNREADABLE}: {e.strerror}')  # ENOENT, ELOOP (a symlink)
    streamed = False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if max_size and info.st_size > max_size:
            streamed = True
            return _pieces(rel, fd)
        return _read_all(fd, info.st_size)
    except OSError as e:
        return Skipped(rel, f'{UNREADABLE}: {e.strerror}')
    finally:
        if not streamed:
            os.close(fd)


UNREADABLE = 'unreadable'


def _pieces(rel: str, fd: int) -> Iterator[bytes]:
    """The file in pieces of PIECE bytes; its descriptor is closed when they end (or are dropped)."""
    try:
        while piece := os.read(fd, PIECE):
            yield piece
    finally:
        os.close(fd)


PIECE = 1 << 20


def _read_all(fd: int, size: int) -> bytes:
    """The whole file, in one read() when it is still the size fstat saw (a file object costs more per file)."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data
    chunks = [data]  # it changed since fstat, or a huge file read short: read on to the end
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b''.join(chunks)
