"""Work a commit hook would redo on every run, kept between runs as Python keeps .pyc files.

A clean commit should cost little more than Python's start-up, yet three things cost a hook more
than all its scanning, and give the same answer every time:
- compiling regexes: Python does it in pure Python (`re._parser`, `re._compiler`), 0.1–1 ms a
  pattern, ~10 ms for the ~35 patterns a typical commit wakes. What that work produces is the
  pattern's SRE code, a list of integers, which `_sre.compile` turns into the pattern object as the
  last step of every `re.compile`; guard keeps the code, and `re` itself is then never imported.
- reading the project's settings: `tomllib` costs ~10 ms to import; the parsed table is kept,
  keyed by the file's exact text, unless that text holds a credential (guard.config decides).
- translating `exclude` patterns: importing pathspec costs ~30 ms; each pattern's regex is kept,
  keyed by the pattern and by the installed pathspec.
Also kept: what `rules.shape` derives from a pattern.

One file per interpreter (named after its version and SRE magic number, so another Python never
reads it) under the user's cache directory. Entries are keyed by their whole input, so a changed
rule, file or pattern simply misses. Anything unexpected — no cache directory, a damaged file,
another Python implementation, changed internals, code `_sre` refuses — falls back to doing the
work, and the cache is only an optimisation: GUARD_STARTUP_CACHE=0 turns it off. New entries are
written once, at exit, atomically.
"""
from __future__ import annotations

import array
import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any

CODE_UNIT = 'I'  # unsigned int: 32 bits like SRE's code unit (enabled() checks both)
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
    import _sre

    return (sys.implementation.name == 'cpython' and _sre.CODESIZE == array.array(CODE_UNIT).itemsize == 4
            and os.environ.get('GUARD_STARTUP_CACHE', '1') != '0')


def path() -> str:
    """This interpreter's cache file: $GUARD_CACHE_DIR, else $XDG_CACHE_HOME/guard, else ~/.cache/guard."""
    folder = os.environ.get('GUARD_CACHE_DIR') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'guard')
    import _sre

    return os.path.join(folder, f'startup-{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre.MAGIC}.marshal')


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


def derived(kind: str, source: str, flags: int, compute: Callable[[], Any], *,
            keep: Callable[[Any], bool] | None = None) -> Any:
    """`compute()`, a value derived from `source` alone (for this `kind` and `flags`), kept between runs
    unless `keep(value)` says no (the caller's judgement that source and value may be written down).

    Values that marshal cannot store (a TOML date, say) are computed every time.
    """
    entries = _STORE.load()
    if entries is None:
        return compute()
    key = (kind, source, int(flags))
    if key in entries:
        return entries[key]
    value = compute()
    if keep is not None and not keep(value):
        return value
    import marshal

    try:
        marshal.dumps(value)
    except ValueError:
        return value
    _remember(entries, key, value)
    return value


def _compile_parts(pattern: str, flags: int) -> tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]:
    """What `re._compiler.compile` hands `_sre.compile`, computed the same way; the code as packed
    32-bit words (SRE's code unit), which load from the file ~10x faster than a list of ints."""
    from re import _compiler  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return flags | parsed.state.flags, array.array(CODE_UNIT, code).tobytes(), parsed.state.groups - 1, groupindex, \
        tuple(indexgroup)


def _build(pattern: str, parts: tuple[Any, ...]) -> re.Pattern[str]:
    import _sre

    final_flags, packed, groups, groupindex, indexgroup = parts
    code = array.array(CODE_UNIT)
    code.frombytes(packed)
    return _sre.compile(pattern, final_flags, code.tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]


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
