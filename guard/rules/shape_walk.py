"""The walk behind `shape.reach`: a pattern's reach, read off the tree `re`'s own parser builds.

Imported only when a reach is computed (a pattern-cache miss): `re._parser` imports `re` and
`enum`, which a commit hook with a warm cache never needs.
"""
from __future__ import annotations

from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

from guard.rules.shape import MAX_LOOKAHEAD
from guard.rules.shape import MAX_NEWLINES
from guard.rules.shape import Reach

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from typing import Any

_NEWLINE = ord('\n')
# Character classes (`\s`, `\D`, `\W`) that contain '\n'.
_CATEGORIES_WITH_NEWLINE = frozenset({
    sre.CATEGORY_SPACE, sre.CATEGORY_NOT_DIGIT, sre.CATEGORY_NOT_WORD, sre.CATEGORY_LINEBREAK,
})
_REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT})


class _Unbounded(Exception):
    """Raised inside the walk: no useful bound exists."""


def reach(pattern: str, flags: int = 0) -> Reach | None:
    """See `shape.reach`."""
    try:
        parsed = sre_parse.parse(pattern, flags)
        if parsed.getwidth()[0] == 0:
            return None
        walk = _Walk()
        newlines = walk.items(parsed, bool(parsed.state.flags & sre.SRE_FLAG_DOTALL))
    except _Unbounded:
        return None
    except Exception:  # the parser is private API; any surprise only means "search the whole text"
        return None
    if newlines > MAX_NEWLINES:
        return None
    return Reach(newlines, walk.lookahead, walk.lookahead_lines)


class _Walk:
    """One pass over a parsed pattern; returns newline counts and records the widest lookahead."""

    def __init__(self) -> None:
        self.lookahead = 0
        self.lookahead_lines = 0
        self.groups: dict[int, int] = {}  # group number -> newlines, for backreferences

    def items(self, items: Any, dotall: bool) -> int:
        return sum(self.item(op, av, dotall) for op, av in items)

    def item(self, op: Any, av: Any, dotall: bool) -> int:
        if op in _REPEATS:
            _, high, sub = av
            inner = self.items(sub, dotall)
            if inner and high >= sre.MAXREPEAT:
                raise _Unbounded
            return inner * int(high)
        if op is sre.SUBPATTERN:
            group, add, remove, sub = av
            newlines = self.items(sub, (dotall or bool(add & sre.SRE_FLAG_DOTALL)) and not remove & sre.SRE_FLAG_DOTALL)
            if group is not None:
                self.groups[group] = newlines
            return newlines
        if op is sre.BRANCH:
            return max(self.items(sub, dotall) for sub in av[1])
        if op is sre.ATOMIC_GROUP:
            return self.items(av, dotall)
        if op is sre.GROUPREF_EXISTS:
            return max(self.items(sub, dotall) for sub in av[1:] if sub is not None)
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            self._assertion(av, dotall)
            return 0
        if op is sre.GROUPREF:
            return self.groups[av]  # the text its group matched again (a KeyError means "not understood")
        return int(_consumes_newline(op, av, dotall))

    def _assertion(self, av: Any, dotall: bool) -> None:
        """Lookbehinds read text already passed (the window never hides it); lookaheads read ahead."""
        direction, sub = av
        newlines = self.items(sub, dotall)  # also records lookaheads nested inside
        if direction < 0:
            return
        width = sub.getwidth()[1]
        if width <= MAX_LOOKAHEAD:
            self.lookahead = max(self.lookahead, width)
        elif newlines <= MAX_NEWLINES:
            # Wide but stopped by newlines: it reads at most to the end of the line `newlines` lines on.
            self.lookahead_lines = max(self.lookahead_lines, newlines)
        else:
            raise _Unbounded


def _consumes_newline(op: Any, av: Any, dotall: bool) -> bool:
    if op is sre.LITERAL:
        return bool(av == _NEWLINE)
    if op is sre.NOT_LITERAL:
        return bool(av != _NEWLINE)
    if op is sre.ANY:
        return dotall
    if op is sre.IN:
        return _class_has_newline(av)
    if op is sre.AT:
        return False  # anchors look one character either side; the window's end leaves room
    raise _Unbounded  # an opcode this walk does not know


def _class_has_newline(items: Any) -> bool:
    negate = bool(items) and items[0][0] is sre.NEGATE
    found = False
    for op, av in items[1:] if negate else items:
        if op is sre.LITERAL:
            found |= av == _NEWLINE
        elif op is sre.RANGE:
            found |= av[0] <= _NEWLINE <= av[1]
        elif op is sre.CATEGORY:
            found |= av in _CATEGORIES_WITH_NEWLINE
        else:
            raise _Unbounded
    return found != negate
