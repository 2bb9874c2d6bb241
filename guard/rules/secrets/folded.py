"""A rule that searches a lower-cased copy of the text, then confirms on the original.

Python's `re` is several times slower under IGNORECASE (it folds every character it tries), and the
keyword-led patterns try a lot of characters. Searching `text.lower()` with a case-sensitive copy of
the pattern finds the same starts; the original pattern then matches at each start, so groups,
spans and filters see the text as written (the name's camelCase matters to the filters).
"""
from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from functools import cached_property

from guard.rules.base import Rule
from guard.rules.base import Window
from guard.rules.base import compile_pattern
from guard.rules.base import windowed_matches

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re


class CaseFoldedRule(Rule):
    """A Rule whose `pattern` starts with `(?i)` and whose literals are all lower case."""

    @cached_property
    def folded_regex(self) -> re.Pattern[str]:
        return compile_pattern(self.pattern.removeprefix('(?i)'), self.flags)

    def _matches(self, text: str, windows: Iterable[Window] | None) -> Iterator[re.Match[str]]:
        lowered = text.lower()
        if len(lowered) != len(text):  # a few non-ASCII letters change length when folded
            yield from super()._matches(text, windows)
            return
        for candidate in windowed_matches(self.folded_regex, lowered, windows):
            match = self.regex.match(text, candidate.start())
            if match is not None:
                yield match
