"""How far a pattern reaches: the bound that lets the scanner search only the lines around keywords."""
from __future__ import annotations

import re

import pytest

from guard.rules.shape import MAX_NEWLINES
from guard.rules.shape import Reach
from guard.rules.shape import reach

TESTS = [
    # A match that stays on its line.
    (r'key=[A-Za-z0-9]{8}', 0, Reach(0, 0)),
    (r'(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\.\d)', 0, Reach(0, 2)),
    (r'[^\n"]+', 0, Reach(0, 0)),
    (r'a.b', 0, Reach(0, 0)),
    (r'(?s)a(?-s:.)b', 0, Reach(0, 0)),
    (r'(?m)^key$', 0, Reach(0, 0)),
    (r'key\Z', 0, Reach(0, 0)),
    (r'(k)ey\1', 0, Reach(0, 0)),
    (r'(?<=\n)key', 0, Reach(0, 0)),  # a lookbehind reads text the window never hides
    # Matches that may hold a bounded number of newlines.
    (r'key\s{0,3}=', 0, Reach(3, 0)),
    (r'key(?:\r?\n[ \t]*)?=', 0, Reach(1, 0)),
    (r'(?s)key.=', 0, Reach(1, 0)),
    (r'(?s:k.)ey', 0, Reach(1, 0)),
    (r'key.=', re.DOTALL, Reach(1, 0)),
    (r'(k\n)ey\1', 0, Reach(2, 0)),
    (r'k[^a]y', 0, Reach(1, 0)),
    (r'k\Wy|k\Dy', 0, Reach(1, 0)),
    # Lookaheads: bounded width, or unbounded but stopped at the end of a line.
    (r'key(?=\s{0,3}")', 0, Reach(0, 4)),
    (r'key(?=[ \t]*")', 0, Reach(0, 0, 0)),
    (r'key(?=[ \t]*\n[ \t]*")', 0, Reach(0, 0, 1)),
    # Read by guard's own parser of the documented syntax: escapes, classes, conditionals, verbose mode.
    (r'key\012=|key\x0a=', 0, Reach(1, 0)),
    (r'key[\x00-\x7f]=', 0, Reach(1, 0)),
    (r'key[^\n\x0b]=', 0, Reach(0, 0)),
    (r'(?P<q>")?key(?(q)"|\n)', 0, Reach(1, 0)),
    ('(?x) key \\s? =  # a comment\n', 0, Reach(1, 0)),
    (r'key(?P<v>\w)(?P=v)', 0, Reach(0, 0)),
    # Unbounded: searched whole.
    (r'key\s*=', 0, None),
    (r'key[^"]+', 0, None),
    (r'(?s)key.*', 0, None),
    (r'key(?=\s*$)', 0, None),
    (r'x?', 0, None),  # can match the empty string
    (r'key(?(1)k|e)', 0, None),  # `re` rejects it (no group 1): not understood, so searched whole
    (r'(?:k\n){%d}' % (MAX_NEWLINES + 1), 0, None),
]


@pytest.mark.parametrize(('pattern', 'flags', 'expected'), TESTS)
def test_reach(pattern: str, flags: int, expected: Reach | None) -> None:
    assert reach(pattern, flags) == expected
