"""Compiled regexes kept between runs, as Python keeps .pyc files for its modules.

Python compiles a regex in pure Python (`re._parser`, `re._compiler`): 0.1–1 ms a pattern, ~10 ms
for the ~35 patterns a typical commit wakes, a quarter of the commit hook's time. What that work
produces is the pattern's SRE code, a list of integers, which `_sre.compile` turns into the pattern
object as the last step of every `re.compile`. guard keeps that code (and what `rules.shape` derives
from a pattern) in one file per interpreter under the user's cache directory, and builds the
pattern from it on the next run.

The file is named after the interpreter's version and SRE magic number, so another Python never
reads it; its entries are keyed by pattern text and flags, so a changed rule simply misses. Anything
unexpected — no cache directory, a damaged file, another Python implementation, changed internals,
code `_sre` refuses — falls back to `re.compile`, and the cache is only an optimisation:
GUARD_PATTERN_CACHE=0 turns it off. New entries are written once, at exit, atomically.
"""
from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any

MAX_ENTRIES = 4096  # beyond this (many rule changes over time), start a fresh file
_SRE = 'sre'


class _Store:
    """The entries of this interpreter's cache file, loaded on first use; `None` when caching is off."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str, int], Any] | None = None
        self.added = False

    def load(self) -> dict[tuple[str, str, int], Any] | None:
        if self.entries is None:
            self.entries = _read(path()) if enabled() else None
        return self.entries


_STORE = _Store()


def enabled() -> bool:
    return sys.implementation.name == 'cpython' and os.environ.get('GUARD_PATTERN_CACHE', '1') != '0'


def path() -> str:
    """This interpreter's cache file: $GUARD_CACHE_DIR, else $XDG_CACHE_HOME/guard, else ~/.cache/guard."""
    folder = os.environ.get('GUARD_CACHE_DIR') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'guard')
    import _sre

    return os.path.join(folder, f'patterns-{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre.MAGIC}.marshal')


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, from the cache when this interpreter compiled it before.

    A hit does not even import `re` (~8 ms with the enum module it loads): the pattern object and
    its matches are C types that work without it.
    """
    flags = int(flags)
    entries = _STORE.load()
    key = (_SRE, pattern, flags)
    cached = None if entries is None else entries.get(key)
    if cached is not None:
        try:
            return _build(pattern, cached)
        except Exception:  # noqa: BLE001 — damaged or foreign code: compile it afresh
            del entries[key]  # type: ignore[union-attr]
    import re

    if entries is None:
        return re.compile(pattern, flags)
    try:
        parts = _compile_parts(pattern, flags)
        compiled = _build(pattern, parts)
    except re.error:
        raise
    except Exception:  # noqa: BLE001 — re's internals differ from 3.11's: no caching in this interpreter
        _STORE.entries = None
        return re.compile(pattern, flags)
    _remember(entries, key, parts)
    return compiled


def derived(kind: str, pattern: str, flags: int, compute: Callable[[], Any]) -> Any:
    """`compute()`, a value of ints, strs, tuples and None derived from a pattern, kept like its code."""
    entries = _STORE.load()
    if entries is None:
        return compute()
    key = (kind, pattern, int(flags))
    if key not in entries:
        _remember(entries, key, compute())
    return entries[key]


def _compile_parts(pattern: str, flags: int) -> tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]:
    """What `re._compiler.compile` hands `_sre.compile`, computed the same way."""
    from re import _compiler  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # The code holds re's named opcode constants (int subclasses): plain ints marshal.
    return flags | parsed.state.flags, [int(c) for c in code], parsed.state.groups - 1, groupindex, tuple(indexgroup)


def _build(pattern: str, parts: tuple[Any, ...]) -> re.Pattern[str]:
    import _sre

    final_flags, code, groups, groupindex, indexgroup = parts
    return _sre.compile(pattern, final_flags, code, groups, groupindex, indexgroup)  # type: ignore[no-any-return]


def _remember(entries: dict[tuple[str, str, int], Any], key: tuple[str, str, int], value: Any) -> None:
    entries[key] = value
    if not _STORE.added:
        _STORE.added = True
        import atexit

        atexit.register(save)


def _read(file: str) -> dict[tuple[str, str, int], Any]:
    import marshal

    try:
        with open(file, 'rb') as f:
            data = marshal.loads(f.read())  # marshal.load(f) reads a file object in small pieces: 10x slower
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) and len(data) <= MAX_ENTRIES else {}


def save() -> None:
    """Write this run's new entries, merged with what other runs wrote meanwhile (best effort)."""
    entries = _STORE.entries
    if not entries or not _STORE.added:
        return
    import marshal

    file = path()
    merged = {**_read(file), **entries}
    if len(merged) > MAX_ENTRIES:
        merged = dict(entries)
    temp = f'{file}.{os.getpid()}.tmp'
    try:
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(temp, 'wb') as f:
            marshal.dump(merged, f)
        os.replace(temp, file)
    except (OSError, ValueError):  # a read-only home, a full disk: the next run compiles again
        try:
            os.unlink(temp)
        except OSError:
            pass
        return
    _STORE.added = False
