"""The two fixes a cleanup offers: ignore the venv and `.env` in git, and write `.env.example`.

Both are computed as data first (`Fix`: which file, which lines) so the CLI can show them and
ask, and the daemon can decide; `apply` only appends. `.env.example` gets the keys of `.env`
with empty values: values never leave `.env`.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    return Fix(GITIGNORE, root / GITIGNORE, missing, not (root / GITIGNORE).exists(),
               f'add {len(missing)} ignore rule(s) to {GITIGNORE}: {", ".join(missing)}')


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
    creates = not (root / ENV_EXAMPLE).exists()
    verb = 'write' if creates else 'add to'
    return Fix(ENV_EXAMPLE, root / ENV_EXAMPLE, missing, creates,
               f'{verb} {ENV_EXAMPLE} the {len(missing)} key(s) of {ENV}, without values')


def apply(fix: Fix) -> None:
    """Append the fix's lines (with a header) to its file, never through a symlink."""
    header = GITIGNORE_HEADER if fix.name == GITIGNORE else EXAMPLE_HEADER
    fd = os.open(fix.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        prefix = '' if fix.creates or _ends_with_newline(fix.path) else '\n'
        blank = '' if fix.creates else '\n'
        os.write(fd, (prefix + blank + header + '\n' + '\n'.join(fix.lines) + '\n').encode())
    finally:
        os.close(fd)


def _env_keys(path: Path) -> list[str]:
    from dotenv import dotenv_values
    try:
        return [key for key in dotenv_values(path, interpolate=False) if key]
    except (OSError, UnicodeDecodeError):
        return []


def _spec(lines: list[str]):  # type: ignore[no-untyped-def]
    import pathspec
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, TypeError):
        return pathspec.GitIgnoreSpec.from_lines([])


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding='utf-8', errors='replace').splitlines()
    except OSError:
        return []


def _ends_with_newline(path: Path) -> bool:
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            if f.tell() == 0:
                return True
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b'\n'
    except OSError:
        return True
