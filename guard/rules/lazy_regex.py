"""Regexes compiled on first use, for the helper patterns rule modules define at module level.

Filters, context checks and allow markers run only when a rule has matched something, yet every
commit hook imports all of them: compiling them eagerly cost ~7 ms there, a tenth of the hook.
This module does not import `re` (it costs ~8 ms to import, mostly `enum`): a commit whose files
send no candidate through a filter never loads it for these. Write flags into the pattern (`(?i)`,
`(?m)`): no `re.I` needed.
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
    from typing import AnyStr


class LazyRegex:
    """`re.compile(pattern, flags)`, done by the first search, match, find, sub or split."""

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    @cached_property
    def compiled(self) -> re.Pattern[AnyStr]:
        import re

        return re.compile(self.pattern, self.flags)

    def search(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[AnyStr]]:
        return self.compiled.finditer(string, pos, endpos)

    def findall(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled.findall(string, pos, endpos)

    def split(self, string: AnyStr, maxsplit: int = 0) -> list[AnyStr | Any]:
        return self.compiled.split(string, maxsplit)

    def sub(self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0) -> AnyStr:
        """As `Pattern.sub`. A template with backslashes (`r'\\1'`) makes CPython import `re` to expand it:
        off the clean-commit path, pass a function instead."""
        return self.compiled.sub(repl, string, count)
