"""How far a rule's regex can reach: how many newlines a match may contain, how far its lookaheads read.

The scanner runs a rule only on the lines around its keyword hits. That gives exactly the
matches a search of the whole text gives when both distances are bounded; `shape_walk` reads
them off the pattern as the stdlib's own parser sees it, so it agrees with `re` on every
construct. Whatever it does not recognise counts as unbounded, which costs speed, never findings.

This module only holds the result and the cache in front of it: the walk needs `re`'s parser,
which imports `re` (and `enum`, ~8 ms together), so it is imported when a pattern's reach is not
in the cache yet, never by a commit hook that finds everything there.
"""
from __future__ import annotations

from guard.records import Record

# Beyond these a window would be most of the text anyway: search it whole.
MAX_NEWLINES = 8
MAX_LOOKAHEAD = 256


class Reach(Record):
    """How far one match of a pattern can reach, in ints.

    `newlines`: the most newlines one match can contain (0: a match stays on one line).
    `lookahead`: the most characters a lookahead of bounded width reads past where it stands.
    `lookahead_lines`: the most newlines a lookahead of unbounded width (`(?=[ \\t]*")`) reads past.
    """

    newlines: int
    lookahead: int
    lookahead_lines: int = 0


def reach(pattern: str, flags: int = 0) -> Reach | None:
    """The pattern's reach, or None when it is unbounded, can match the empty string, or is not understood."""
    from guard.rules import shape_walk

    return shape_walk.reach(pattern, flags)
