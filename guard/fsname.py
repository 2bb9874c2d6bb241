"""A file name as text any database takes, and back, losslessly (issue 16b, finding 06).

A Linux name is bytes; Python hands guard one that is not UTF-8 as a str with surrogate escapes
(os.fsdecode: b'a\\xff' -> 'a\\udcff'), and no UTF-8 store (SQLite's text, PostgreSQL's text and
json) accepts a lone surrogate: the write raised UnicodeEncodeError after the file was gone. So a
name is stored as `stored(name)`: each surrogate-escaped byte as `\\xNN` and each backslash doubled,
which `name_of()` undoes. A name that is valid UTF-8 without a backslash (nearly all) is stored
unchanged, so records written before read the same.
"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

_STORE = LazyRegex('[\\\\\udc80-\udcff]')
_READ = LazyRegex(r'\\(\\|x[89a-f][0-9a-f])')


def stored(name: str) -> str:
    """`name` as valid UTF-8 text, from which name_of() gives `name` back."""
    return _STORE.sub(_escape, name) if not name.isascii() or '\\' in name else name


def name_of(text: str) -> str:
    """The name `stored()` made `text` of. A backslash that starts no escape of ours (a record an
    older guard wrote) stays as it is."""
    return _READ.sub(_unescape, text) if '\\' in text else text


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    return '\\\\' if char == '\\' else f'\\x{ord(char) - 0xDC00:02x}'


def _unescape(match: re.Match[str]) -> str:
    code = match[1]
    return '\\' if code == '\\' else chr(0xDC00 + int(code[1:], 16))
