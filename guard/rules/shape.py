"""How far a rule's regex can reach: how many newlines a match may contain, how far its lookaheads read.

The scanner runs a rule only on the lines around its keyword hits. That gives exactly the
matches a search of the whole text gives when both distances are bounded; the walk below reads them
off the tree `re`'s own parser builds for the pattern, so it agrees with `re` on every construct.

That parser (`re._parser`, the module the deprecated `sre_parse` re-exports) is private to the
standard library and its tree may change between Python versions: it is only read, to analyse a
pattern, never used to compile or run one (guard compiles with `re.compile`, from the source, in
every run). Whatever the walk does not recognise, and any surprise from the parser, counts as
unbounded: that costs a search of the whole text, never a finding. tests/shape_test.py checks that
every rule of the registry still gets its bound on the running Python, so a change of the tree fails
the tests instead of slowing scans in silence.

A scan does not run this walk: the registry's reaches are worked out here once, when a rule changes,
and shipped in guard/rules/catalog.py (`python -m guard.rules.shape > guard/rules/catalog.py`) with
what else planning needs of each rule, which tests/shape_test.py checks against the registry. Parsing a pattern a second time, after
`re.compile` has, cost a commit hook ~0.5 ms for each rule a commit woke. A rule the table does not
hold (one a test builds) is walked when its reach is first needed.
"""

from __future__ import annotations

from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

from guard.rules.base import Reach

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from typing import Any

# Beyond these a window would be most of the text anyway: search it whole.
MAX_NEWLINES = 8
MAX_LOOKAHEAD = 256
# Wider than this, a match counts as unbounded in characters (getwidth() reports MAXREPEAT - 1 for `+`).
MAX_WIDTH = 1 << 16
_NEWLINE = ord('\n')
# Character classes (`\s`, `\D`, `\W`) that contain '\n'.
_CATEGORIES_WITH_NEWLINE = frozenset(
    {
        sre.CATEGORY_SPACE,
        sre.CATEGORY_NOT_DIGIT,
        sre.CATEGORY_NOT_WORD,
        sre.CATEGORY_LINEBREAK,
    }
)
_REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT})


def reach(pattern: str, flags: int = 0) -> Reach | None:
    """The pattern's reach, or None when it is unbounded, can match the empty string, or is not understood."""
    try:
        parsed = sre_parse.parse(pattern, flags)
        if parsed.getwidth()[0] == 0:
            return None
        walk = _Walk()
        newlines = walk.items(parsed, bool(parsed.state.flags & sre.SRE_FLAG_DOTALL))
    except _Unbounded:
        return None
    except Exception:  # a private parser: any surprise only means "search the whole text"
        return None
    if newlines > MAX_NEWLINES:
        return None
    widest = parsed.getwidth()[1]
    width = -1 if walk.lookahead_unbounded or widest >= MAX_WIDTH else widest + walk.lookahead
    return Reach(newlines, walk.lookahead, walk.lookahead_lines, width)


class _Unbounded(Exception):
    """Raised inside the walk: no useful bound exists, or the tree holds what the walk does not know."""


class _Walk:
    """One pass over a parsed pattern; returns newline counts and records the widest lookahead."""

    def __init__(self) -> None:
        self.lookahead = 0
        self.lookahead_lines = 0
        self.lookahead_unbounded = False  # a lookahead of unbounded width, stopped only by newlines
        self.groups: dict[int, int] = {}  # group number -> newlines, for backreferences

    def items(self, items: Any, dotall: bool) -> int:
        newlines = 0
        # A parsed pattern is a SubPattern, whose items a list holds: reading the list spares a Python-level
        # __getitem__ per item (most of the walk's cost); a plain list (a branch's, a class's) is read as it is.
        for op, av in getattr(items, 'data', items):
            newlines += self.item(op, av, dotall)
        return newlines

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
            return self.groups[av]  # the text its group matched, again (a KeyError means "not understood")
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
            self.lookahead_unbounded = True
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
    for op, av in items[1:] if negate else items:  # a class's items are a plain list
        if op is sre.LITERAL:
            found |= av == _NEWLINE
        elif op is sre.RANGE:
            found |= av[0] <= _NEWLINE <= av[1]
        elif op is sre.CATEGORY:
            found |= av in _CATEGORIES_WITH_NEWLINE
        else:
            raise _Unbounded
    return found != negate


def table() -> str:
    """guard/rules/catalog.py for the registry as it is: each content rule's catalog entry, in registry order."""
    from guard.rules import CONTENT_MODULES

    rows = []
    for module in CONTENT_MODULES:
        for rule in __import__(module, fromlist=['RULES']).RULES:
            found = walked(rule.pattern, rule.keywords, rule.flags)
            value = (
                'None'
                if found is None
                else f'Reach({found.newlines}, {found.lookahead}, {found.lookahead_lines}, {found.width})'
            )
            fields = [f'{name}={getattr(rule, name)!r}' for name, default in _LISTED if getattr(rule, name) != default]
            rows.append(f'    Entry({rule.id!r}, {rule.category!r}, {module!r}, {value}, {", ".join(fields)}),')
    return _HEADER + '\n'.join(rows) + '\n)\nCATALOG: dict[str, Entry] = {entry.id: entry for entry in ENTRIES}\n'


# Entry's fields after id, category, module and reach, with their defaults (Listed's).
_LISTED = (
    ('keywords', ()),
    ('keyword_tail', 0),
    ('trigger', ''),
    ('path_pattern', ''),
    ('path_words', ()),
    ('skip_paths', ''),
    ('skip_words', ()),
    ('skip_extensions', ()),
    ('redact', True),
)


def walked(pattern: str, keywords: tuple[str, ...], flags: int = 0) -> Reach | None:
    """A rule's reach as the scanner needs it: None when a keyword holds a newline (the line windows cannot hold it)."""
    if any('\n' in k for k in keywords):
        return None
    return reach(pattern, flags)


_HEADER = '''"""Generated by `python -m guard.rules.shape > guard/rules/catalog.py`: do not edit (tests/shape_test.py
checks it against the registry). Every content rule in registry order: what planning a scan needs, the
module that defines the rule, and how far its matches reach (None: searched whole)."""

from __future__ import annotations

from guard.rules.base import Entry
from guard.rules.base import Reach

# fmt: off
ENTRIES: tuple[Entry, ...] = (
'''


if __name__ == '__main__':
    print(table(), end='')
