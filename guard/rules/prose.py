"""Where an address or a home path is documentation, not configuration.

The ip and abs-path rules exist because such values break every other machine when code or config
uses them. In docs, examples and comments they only illustrate, so those rules stay quiet there.
"""

from __future__ import annotations

from guard.rules.base import remembered

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

# docs/, examples/, samples/, files named *example* / *sample*, and prose formats.
DOC_PATHS = (
    r'(?i)(?:^|/)(?:docs?|examples?|samples?)/|(?:^|/)[^/]*(?:example|sample)[^/]*$'
    r'|\.(?:md|markdown|rst|txt|adoc|html?)$'
)
# What every path DOC_PATHS matches holds (Rule.skip_words): most paths are judged without compiling it.
DOC_PATH_WORDS = ('doc', 'example', 'sample', '.md', '.markdown', '.rst', '.txt', '.adoc', '.htm')
# How a comment line starts, after any white space: `#` (not a `#!` line), `//`, `-- `, `;`, `/*` or `*`, `<!--`, `rem `.
_COMMENT_STARTS = ('//', ';', '/*', '*', '<!--')


def in_comment(match: re.Match[str], text: str) -> str | None:
    """A filter: the match sits on a comment line or inside a triple-quoted string (a docstring)."""
    quotes = _quotes(text)
    start = match.start()
    if comment_line(text, quotes.line_start(start)):
        return 'in a comment'
    if quotes.odd_before(start):
        return 'in a docstring'
    return None


class _Quotes:
    """Where each triple quote of one text is, found once: a file with 40,000 hits asks 40,000 times.

    Counting them with text.count(quote, 0, start) per hit read the file from the top each time. Occurrences
    are found left to right without overlap, as str.count finds them; one counts before `start` when
    it ends by `start`.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.ends = (_ends(text, '"""'), _ends(text, "'''"))
        self._newlines: list[int] | None = None

    def line_start(self, offset: int) -> int:
        """Where the line holding `offset` starts: text.rfind('\\n', 0, offset) + 1, without reading back
        to it (a 1 MB line with thousands of addresses asked it once per address)."""
        import bisect

        if self._newlines is None:
            self._newlines = _ends(self.text, '\n', 1)
        i = bisect.bisect_right(self._newlines, offset)
        return self._newlines[i - 1] if i else 0

    def line_end(self, offset: int) -> int:
        """Where the line holding `offset` ends (its newline, or the text's end), likewise by bisection."""
        import bisect

        if self._newlines is None:
            self._newlines = _ends(self.text, '\n', 1)
        i = bisect.bisect_right(self._newlines, offset)
        return self._newlines[i] - 1 if i < len(self._newlines) else len(self.text)

    def odd_before(self, start: int) -> bool:
        import bisect

        return any(bisect.bisect_right(ends, start) % 2 for ends in self.ends)


# One text's index at a time (base.remembered): every filter asking about the same file shares it.
_quotes = remembered(_Quotes)


def _ends(text: str, mark: str, width: int = 3) -> list[int]:
    ends = []
    pos = text.find(mark)
    while pos != -1:
        ends.append(pos + width)
        pos = text.find(mark, pos + width)
    return ends


def line_start(text: str, offset: int) -> int:
    """Where the line holding `offset` starts, from the one index of the text's lines the filters share.
    Filters read lines through it and line_end: text.rfind('\\n') per match is quadratic on a 1 MB line."""
    return _quotes(text).line_start(offset)


def line_end(text: str, offset: int) -> int:
    """Where the line holding `offset` ends: the offset of its newline, or len(text)."""
    return _quotes(text).line_end(offset)


def comment_line(text: str, start: int) -> bool:
    """The text at `start`, after white space (blank lines too), opens a comment."""
    end = len(text)
    while start < end and text[start].isspace():
        start += 1
    head = text[start : start + 5]
    if head.startswith('#'):
        return not head.startswith('#!')
    if head.startswith(_COMMENT_STARTS):
        return True
    if head.startswith('--') or head[:3].lower() == 'rem':
        after = head[2:3] if head.startswith('--') else head[3:4]
        return after.isspace()
    return False
