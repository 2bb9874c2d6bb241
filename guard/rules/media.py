"""Data that is not code: images embedded as base64 and SVG path data.

A base64 PNG holds every short run of letters and digits sooner or later, so a token format with a
plain prefix (Twitter's `AAAA…`, Dropbox's) turns up in it; SVG path data is runs of dotted numbers
(`d="M10.11.86.39…"`), which read as IPv4 addresses. Both are filters (a reason, or None), built from
string tests: they run only on a rule's candidates, never on ordinary lines.
"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex
from guard.rules import prose
from guard.rules.base import remembered

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

_BASE64 = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-%')
# A token sits in a run of base64 no longer than this; a longer run is a blob (an image, a font, a bundle).
_LONGEST_TOKEN_RUN = 1024
# A wrapped blob: whole lines of base64 at least this long, one after another (PEM and MIME wrap at 64-76).
_BLOB_LINE = 60
# Letters, digits and separators of SVG path data (`M10 20L30.5-4z`) and of `points="…"` lists.
_PATH_DATA = frozenset('MmLlHhVvCcSsQqTtAaZz0123456789.,-+eE \t\r\n')
_PATH_ATTRIBUTES = ('d="', "d='", 'points="', "points='", 'd: "', "d: '", 'path="')


def in_image_data(match: re.Match[str], text: str) -> str | None:
    """A filter for token rules: the match lies in a base64 `data:` URI or a blob of base64 (an embedded image)."""
    start, end = match.span()
    run_start = start
    floor = max(0, start - _LONGEST_TOKEN_RUN)
    while run_start > floor and text[run_start - 1] in _BASE64:
        run_start -= 1
    if run_start == floor and floor > 0 and text[floor - 1] in _BASE64:
        return 'inside a long run of base64 (embedded data)'
    if text.endswith('base64,', 0, run_start) or text.endswith(';base64,', 0, run_start):
        return 'inside a base64 data: URI (image data)'
    run_end = end
    ceiling = min(len(text), end + _LONGEST_TOKEN_RUN)
    while run_end < ceiling and text[run_end] in _BASE64:
        run_end += 1
    if run_end == ceiling and ceiling < len(text) and text[ceiling] in _BASE64:
        return 'inside a long run of base64 (embedded data)'
    if _blob_line(text, run_start, run_end) and (_blob_line_before(text, run_start) or _blob_line_after(text, run_end)):
        return 'inside a wrapped base64 blob (embedded data)'
    return None


def _blob_line(text: str, start: int, end: int) -> bool:
    """text[start:end] is a whole line (leading white space allowed) of base64 at least _BLOB_LINE long."""
    line_start = prose.line_start(text, start)
    line_end = prose.line_end(text, end)
    return end - start >= _BLOB_LINE and not text[line_start:start].strip() and not text[end:line_end].strip()


def _blob_line_before(text: str, start: int) -> bool:
    line_start = prose.line_start(text, start)
    if line_start == 0:
        return False
    previous_start = prose.line_start(text, line_start - 1)
    previous = text[previous_start : line_start - 1].strip()
    return len(previous) >= _BLOB_LINE and all(c in _BASE64 for c in previous)


def _blob_line_after(text: str, end: int) -> bool:
    line_end = prose.line_end(text, end)
    if line_end == len(text):
        return False
    following = text[line_end + 1 : prose.line_end(text, line_end + 1)].strip()
    return len(following) >= _BLOB_LINE and all(c in _BASE64 for c in following)


def in_svg_path(match: re.Match[str], text: str) -> str | None:
    """A filter for the IP rule: the numbers are SVG path data (`<path d="M10.11.86.39 …"`)."""
    import bisect

    start = match.start()
    attributes, data_ends = _path_data(text)
    # The nearest attribute before the hit: an earlier one's data ends at the later one's quote.
    i = bisect.bisect_right(attributes, (start, start)) - 1
    if i >= 0 and start - attributes[i][1] <= 4096 and start <= data_ends[i]:
        return 'SVG path data'
    return None


_PATH_DATA_RUN = LazyRegex('[' + ''.join(sorted(_PATH_DATA - {'\n'})).replace('-', '\\-') + ']*')
_PATH_ATTRIBUTE = LazyRegex('|'.join(_PATH_ATTRIBUTES))  # no regex metacharacter in them


@remembered
def _path_data(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Each path attribute of a text (where its data starts, where the attribute starts), ascending, and where
    the path data after it ends (not past a line end): found once, not read back from each hit (a 1 MB path
    of 40,000 numbers that read as addresses)."""
    attributes: list[tuple[int, int]] = []
    ends: list[int] = []
    for found in _PATH_ATTRIBUTE.finditer(text):
        at, data = found.span()
        if at and text[at - 1].isalnum():
            continue
        run = _PATH_DATA_RUN.match(text, data)
        attributes.append((data, at))
        ends.append(run.end() if run else data)
    return attributes, ends
