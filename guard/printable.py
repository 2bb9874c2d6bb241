"""How a name guard did not choose (a file name, a root, a recorded path) is shown: one line, inert.

A file name may hold any byte but `/` and NUL. Printed raw, a newline in it forges a row of
`guard history` or of a purge plan, and an escape sequence moves the cursor or erases the lines the
operator is asked to approve (issue 16, finding 10). Every name guard prints passes `printable()`:
C0 and C1 control characters, DEL, the line and paragraph separators and the bidirectional overrides
become visible escapes (`\\n`, `\\x1b`, `\\u202e`), and the bytes of a name that is not UTF-8
(surrogate escapes) show as `\\xNN`. The output sinks (cli.common.out/err, the scan report) escape
every control character but the newline as a second layer.
"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

_NAMED = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}
_UNSAFE = '\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff'
_ANY = LazyRegex(f'[{_UNSAFE}]')
_BUT_NEWLINE = LazyRegex('[' + _UNSAFE.replace('\x00-\x1f', '\x00-\x09\x0b-\x1f') + ']')


def printable(name: object) -> str:
    """`name` as text that prints on one line and sends nothing to the terminal but itself."""
    text = str(name)
    return _ANY.sub(_escape, text) if not text.isprintable() else text  # surrogates are not printable


def printable_lines(text: str) -> str:
    """`text` with every control character escaped but its newlines: for whole lines guard composed."""
    return _BUT_NEWLINE.sub(_escape, text) if not text.isprintable() else text


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogate escape of a byte that is not UTF-8
        return f'\\x{code - 0xDC00:02x}'
    return f'\\x{code:02x}' if code < 0x100 else f'\\u{code:04x}'
