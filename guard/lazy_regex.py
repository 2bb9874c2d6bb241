"""Regexes compiled on first use, for the helper patterns rule modules define at module level.

Filters, context checks and allow markers run only when a rule has matched something, yet every
commit hook imports all of them: compiling them eagerly cost ~7 ms there, a tenth of the hook.
`re` keeps nothing across processes, so the saving is in not compiling what a run never uses
(as Django's `_lazy_re_compile` does).
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cached_property

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from typing import Any
    from typing import AnyStr


class LazyRegex:
    """`re.compile(pattern, flags)`, done by the first search, match or find."""

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    @cached_property
    def compiled(self) -> re.Pattern[AnyStr]:
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
