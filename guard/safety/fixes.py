"""The two fixes a cleanup offers: ignore the venv and `.env` in git, and write `.env.example`.

Both are computed as data first (`Fix`: which file, which lines) so the CLI can show them and
ask, and the daemon can decide; `apply` only appends. `.env.example` gets the keys of `.env`
with empty values: values never leave `.env`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guard.errors import UnsafeOperationError

if TYPE_CHECKING:
    from guard.safety.fd import RootPin
    from guard.safety.manifest import Entry

GITIGNORE = '.gitignore'
ENV = '.env'
ENV_EXAMPLE = '.env.example'
GITIGNORE_HEADER = '# Python environments and local secrets (added by guard clean)'
EXAMPLE_HEADER = '# Keys the app reads from .env; copy to .env and fill in the values (added by guard clean)'


@dataclass(frozen=True)
class Fix:
    """Lines to append to one file of the root. `creates` is True when the file does not exist yet."""

    name: str
    path: Path
    lines: tuple[str, ...]
    creates: bool
    description: str


def gitignore_fix(root: Path, entries: Sequence[Entry]) -> Fix | None:
    """Ignore rules for the venv entries, `.venv/` and `.env` that the root .gitignore lacks."""
    wanted = [('/' + e.path + ('/' if e.kind == 'dir' else ''), e.path, e.kind == 'dir') for e in entries]
    wanted += [('.venv/', '.venv', True), ('.env', ENV, False)]
    existing = _read_lines(root / GITIGNORE)
    spec = _spec(existing)
    missing = tuple(line for line, rel, is_dir in wanted if not spec.match_file(rel + ('/' if is_dir else '')))
    if not missing:
        return None
    return Fix(
        GITIGNORE,
        root / GITIGNORE,
        missing,
        not os.path.lexists(root / GITIGNORE),
        f'add {len(missing)} ignore rule(s) to {GITIGNORE}: {", ".join(missing)}',
    )


def env_example_fix(root: Path) -> Fix | None:
    """`KEY=` lines for every key of `.env` missing from `.env.example` (no values, ever)."""
    env = root / ENV
    if not env.is_file() or env.is_symlink():
        return None
    keys = _env_keys(env)
    present = set(_env_keys(root / ENV_EXAMPLE)) if (root / ENV_EXAMPLE).is_file() else set()
    missing = tuple(f'{key}=' for key in keys if key not in present)
    if not missing:
        return None
    creates = not os.path.lexists(root / ENV_EXAMPLE)
    verb = 'write' if creates else 'add to'
    return Fix(
        ENV_EXAMPLE,
        root / ENV_EXAMPLE,
        missing,
        creates,
        f'{verb} {ENV_EXAMPLE} the {len(missing)} key(s) of {ENV}, without values',
    )


class FixRefused(UnsafeOperationError):
    """This one fix is not applied (its file is a hard link, not a regular file, or another mount)."""


def apply(fix: Fix, pin: RootPin) -> None:
    """Append the fix's lines (with a header) to its file in the pinned root.

    The file is opened relative to the pin's descriptor, no link followed, after checking that the
    root's path still leads to it (UnsafeOperationError otherwise: the root was swapped while the
    fix was on offer). A file that is no regular file, has other hard links (one may lie outside the
    root) or is a mount point of its own (a file bind-mounted there) is refused (FixRefused): an
    append goes into the inode, wherever else it is linked.
    """
    pin.verify()
    header = GITIGNORE_HEADER if fix.name == GITIGNORE else EXAMPLE_HEADER
    flags = os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(fix.name, flags | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=pin.fd) if fix.creates else None
    except FileExistsError:
        raise FixRefused(f'{fix.path} appeared since the plan; run guard clean again') from None
    try:
        if fd is None:
            fd = os.open(fix.name, flags, dir_fd=pin.fd)
    except OSError as e:
        raise FixRefused(f'{fix.path}: {e.strerror} (a symlink is never written through)') from None
    try:
        _check_target(fd, fix.path, pin)
        size = os.fstat(fd).st_size
        ends_clean = size == 0 or os.pread(fd, 1, size - 1) == b'\n'
        prefix = '' if fix.creates or ends_clean else '\n'
        blank = '' if fix.creates else '\n'
        os.write(fd, (prefix + blank + header + '\n' + '\n'.join(fix.lines) + '\n').encode())
    finally:
        os.close(fd)


def _check_target(fd: int, path: Path, pin: RootPin) -> None:
    from guard import ownfiles

    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise FixRefused(f'{path} is not a regular file; guard writes only plain files')
    if st.st_nlink > 1:
        raise FixRefused(
            f'{path} has {st.st_nlink} hard links, and another of them may lie outside the root; '
            'guard does not append through it (copy it to a file of its own first)'
        )
    if not ownfiles.same_mount(fd, pin.dev, pin.mnt):
        raise FixRefused(f'{path} is a mount point of its own (a file mounted there); guard does not write into it')


def _env_keys(path: Path) -> list[str]:
    import io

    from dotenv import dotenv_values

    text = _read_plain(path)
    if text is None:
        return []
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return [key for key, value in values.items() if value is not None and is_variable_name(key)]


def is_variable_name(key: str) -> bool:
    """Whether a `.env` key may be copied into `.env.example`, a file meant to be committed: a variable
    name (UPPER_SNAKE or lower_snake) that no secret rule matches. A token pasted alone on a line is a
    key without value to python-dotenv (`sk_live_...`, base64 ending in `=`): never copied (issue 16b, 10)."""
    import re

    from guard.scan.redaction import rule_spans

    if not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', key) or key.upper() != key and key.lower() != key:
        return False  # mixed case is how random tokens look; variable names are written in one case
    return not rule_spans(key)


def _spec(lines: list[str]):  # type: ignore[no-untyped-def]
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, TypeError):
        return pathspec.GitIgnoreSpec.from_lines([])


def _read_lines(path: Path) -> list[str]:
    text = _read_plain(path)
    return text.splitlines() if text is not None else []


_READ_LIMIT = 1024 * 1024


def _read_plain(path: Path) -> str | None:
    """A regular file's text (a link is not followed; a FIFO or device would block or never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), 'rb') as f:
            return f.read(_READ_LIMIT).decode('utf-8', errors='replace')
    except OSError:
        return None
    finally:
        os.close(fd)
