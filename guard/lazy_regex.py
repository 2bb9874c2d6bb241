"""Regexes compiled on first use: the one way guard defers compiling a pattern.

Rules, their filters, context checks, allow markers and the credential scrubber all run only when
something has matched, yet every commit hook imports all of them: compiling them eagerly cost ~7 ms
there, a tenth of the hook. This module does not import `re` (it costs ~8 ms to import, mostly
`enum`): a commit whose files send no candidate anywhere never loads it. Nothing is kept between
runs: a pattern is compiled from its source in every process. Write flags into the pattern (`(?i)`,
`(?m)`) or pass them as `flags`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import cached_property

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any


class LazyRegex:
    """`re.compile(pattern, flags)`, done by the first search, match, find, sub or split (or `compiled`)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        import re

        return re.compile(self.pattern, self.flags)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled.findall(string, pos, endpos)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled.split(string, maxsplit)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        """As `Pattern.sub`. A template with backslashes (`r'\\1'`) makes CPython import `re` to expand it:
        off the clean-commit path, pass a function instead."""
        return self.compiled.sub(repl, string, count)
