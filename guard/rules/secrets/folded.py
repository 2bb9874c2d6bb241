"""A rule that searches a lower-cased copy of the text and reports spans of the original.

Python's `re` is several times slower under IGNORECASE (it folds every character it tries), and the
keyword-led patterns try a lot of characters. Searching `text.lower()` with a case-sensitive copy of
the pattern finds the same matches, at the same offsets (`base.lowered` keeps the text's length): every
literal of the pattern is lower case, and its classes hold both cases or none. (IGNORECASE also pairs
a few letters that lower() does not, such as `ſ` with `s`; the folded search never found those.) Filters then read the
groups from the original text (`FoldedMatch`), so they see the name's camelCase as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator

from guard.lazy_regex import LazyRegex
from guard.rules.base import Rule
from guard.rules.base import Window
from guard.rules.base import lowered as lower_text
from guard.rules.base import windowed_matches

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re
    from typing import Any


class CaseFoldedRule(Rule):
    """A Rule whose `pattern` starts with `(?i)` and whose literals are all lower case."""

    def __init__(self, **fields: Any) -> None:
        super().__init__(**fields)
        self._folded = LazyRegex(self.pattern.removeprefix('(?i)'), self.flags)

    @property
    def folded_regex(self) -> re.Pattern[str]:
        return self._folded.compiled

    def matches(self, text: str, windows: Iterable[Window] | None = None) -> Iterator[re.Match[str]]:
        for match in windowed_matches(self.folded_regex, lower_text(text), windows):
            yield FoldedMatch(match, text)  # type: ignore[misc]  # quacks as re.Match for filters

    def searched(self, text: str) -> tuple[re.Pattern[str], str]:
        return self.folded_regex, lower_text(text)


class FoldedMatch:
    """A match found in the lowered text, read from the original: same spans, groups as written."""

    __slots__ = ('_match', 'string', 're')

    def __init__(self, match: re.Match[str], text: str) -> None:
        self._match = match
        self.string = text
        self.re = match.re

    def __getitem__(self, group: int | str) -> str | None:
        start, end = self._match.span(group)
        return None if start < 0 else self.string[start:end]

    group = __getitem__

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return self._match.span(group)

    def start(self, group: int | str = 0) -> int:
        return self._match.start(group)

    def end(self, group: int | str = 0) -> int:
        return self._match.end(group)
