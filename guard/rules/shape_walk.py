"""The walk behind `shape.reach`: a pattern's reach, read off its source by a small parser of guard's own.

It reads the regex syntax `re` documents (https://docs.python.org/3/library/re.html#regular-expression-syntax),
not `re`'s private parser, and it is conservative: whatever it does not recognise (a backreference
to a group it cannot place, a malformed escape, flags where `re` does not allow them) counts as unbounded, which costs a
search of the whole text, never a finding. tests/shape_test.py holds the cases.
"""
from __future__ import annotations


from guard.records import Record
from guard.rules.shape import MAX_LOOKAHEAD
from guard.rules.shape import MAX_NEWLINES
from guard.rules.shape import Reach

INF = float('inf')
# The values of re.DOTALL and re.VERBOSE (public, documented constants), without importing `re`.
DOTALL = 16
VERBOSE = 64
_NEWLINE = 10
# Class escapes: whether the class they name holds '\n'.
_CLASS_ESCAPES = {'s': True, 'D': True, 'W': True, 'S': False, 'd': False, 'w': False}
_ZERO_WIDTH_ESCAPES = frozenset('AZbB')
_CHAR_ESCAPES = {'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11, '\\': 92}
_HEX_ESCAPES = {'x': 2, 'u': 4, 'U': 8}
_QUANTIFIERS = {'*': (0, INF), '+': (1, INF), '?': (0, 1)}
# Characters that stand for themselves in any mode (no whitespace or `#`, which verbose mode skips):
# a run of them is one fixed-width piece, read in one step.
_PLAIN = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-=:/@"\'`,;<>!%&~')


class _Unbounded(Exception):
    """Raised inside the walk: no useful bound exists, or the syntax is not understood."""


class Info(Record):
    """What a piece of pattern can match: its least and greatest width, and the most newlines it holds."""

    low: int
    high: int
    newlines: int


_EMPTY = Info(0, 0, 0)


def reach(pattern: str, flags: int = 0) -> Reach | None:
    """See `shape.reach`."""
    walk = _Walk(pattern)
    try:
        flags |= walk.global_flags()
        info = walk.alternation(bool(flags & DOTALL), bool(flags & VERBOSE))
        if walk.pos != len(pattern):
            raise _Unbounded  # an unbalanced ')'
    except (_Unbounded, IndexError, ValueError):
        return None
    if info.low == 0 or info.newlines > MAX_NEWLINES:
        return None
    return Reach(int(info.newlines), walk.lookahead, walk.lookahead_lines)


def _seq(a: Info, b: Info) -> Info:
    return Info(a.low + b.low, a.high + b.high, a.newlines + b.newlines)


class _Walk:
    """One left-to-right pass over the pattern; records the widest lookahead on the way."""

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0
        self.lookahead = 0
        self.lookahead_lines = 0
        self.groups: dict[int, Info] = {}
        self.names: dict[str, int] = {}
        self.group_count = 0

    def global_flags(self) -> int:
        """The flags of leading `(?sx)` groups, which are consumed (`re` allows them only at the start)."""
        flags = 0
        while self.src.startswith('(?', self.pos):
            end = self.src.find(')', self.pos)
            letters = self.src[self.pos + 2:end]
            if end < 0 or not letters or not set(letters) <= set('aiLmsux'):
                break
            flags |= DOTALL * ('s' in letters) | VERBOSE * ('x' in letters)
            self.pos = end + 1
        return flags

    def alternation(self, dotall: bool, verbose: bool) -> Info:
        branches = [self.sequence(dotall, verbose)]
        while self.pos < len(self.src) and self.src[self.pos] == '|':
            self.pos += 1
            branches.append(self.sequence(dotall, verbose))
        return Info(min(b.low for b in branches), max(b.high for b in branches), max(b.newlines for b in branches))

    def sequence(self, dotall: bool, verbose: bool) -> Info:
        info = _EMPTY
        while self.pos < len(self.src) and self.src[self.pos] not in '|)':
            run = self._plain_run()
            if run:
                info = Info(info.low + run, info.high + run, info.newlines)
                continue
            atom = self.atom(dotall, verbose)
            if atom is not None:
                info = _seq(info, self.quantified(atom, verbose))
        return info

    def _plain_run(self) -> int:
        """Step over literal characters up to (not including) one a quantifier applies to; how many."""
        start = end = self.pos
        while end < len(self.src) and self.src[end] in _PLAIN:
            end += 1
        if end < len(self.src) and self.src[end] in '*+?{':
            end -= 1
        self.pos = max(start, end)
        return self.pos - start

    def quantified(self, atom: Info, verbose: bool) -> Info:
        self._skip_blanks(verbose)
        bounds = self._quantifier()
        if bounds is None:
            return atom
        if self.pos < len(self.src) and self.src[self.pos] in '?+':
            self.pos += 1  # lazy or possessive: the same matches can occur
        low, high = bounds
        if high == 0:
            return _EMPTY
        newlines = atom.newlines * high if atom.newlines else 0
        return Info(atom.low * low, atom.high * high, newlines)

    def _quantifier(self) -> tuple[float, float] | None:
        char = self.src[self.pos] if self.pos < len(self.src) else ''
        if char in _QUANTIFIERS:
            self.pos += 1
            return _QUANTIFIERS[char]
        if char != '{':
            return None
        close = self.src.find('}', self.pos)
        body = self.src[self.pos + 1:close] if close > 0 else ''
        low, comma, high = body.partition(',')
        if not body or not (low.isdigit() or not low) or not (high.isdigit() or not high) or body == ',':
            return None  # not a repeat: `{` is a literal, as `re` reads it
        self.pos = close + 1
        lo = int(low) if low else 0
        return lo, (int(high) if high else INF) if comma else lo

    def atom(self, dotall: bool, verbose: bool) -> Info | None:
        """The next atom (None for what matches nothing: verbose blanks and comments)."""
        char = self.src[self.pos]
        if verbose and self._skip_blanks(verbose):
            return None
        self.pos += 1
        if char == '(':
            return self.group(dotall, verbose)
        if char == '[':
            return Info(1, 1, int(self.char_class()))
        if char == '\\':
            return self.escape()
        if char in '^$':
            return _EMPTY
        if char == '.':
            return Info(1, 1, int(dotall))
        if char in '*+?':
            raise _Unbounded  # nothing to repeat: `re` rejects the pattern
        return Info(1, 1, int(char == '\n'))

    def _skip_blanks(self, verbose: bool) -> bool:
        """In verbose mode, step over whitespace and `#` comments; True if anything was skipped."""
        start = self.pos
        while verbose and self.pos < len(self.src):
            char = self.src[self.pos]
            if char == '#':
                end = self.src.find('\n', self.pos)
                self.pos = len(self.src) if end < 0 else end + 1
            elif char in ' \t\n\r\f\v':
                self.pos += 1
            else:
                break
        return self.pos != start

    def group(self, dotall: bool, verbose: bool) -> Info | None:
        if not self.src.startswith('?', self.pos):
            return self._capture(None, dotall, verbose)
        self.pos += 1
        kind = self.src[self.pos]
        if kind == 'P' and self.src[self.pos + 1] == '<' or kind == '<' and self.src[self.pos + 1] not in '=!':
            start = self.pos + (2 if kind == 'P' else 1)
            close = self.src.index('>', start)
            self.pos = close + 1
            return self._capture(self.src[start:close], dotall, verbose)
        if kind == 'P' and self.src[self.pos + 1] == '=':
            close = self.src.index(')', self.pos)
            name = self.src[self.pos + 2:close]
            self.pos = close + 1
            return self._backref(self.names.get(name, 0))
        if kind == '#':
            self.pos = self.src.index(')', self.pos) + 1
            return None
        if kind in ':>':
            self.pos += 1
            return self._close(self.alternation(dotall, verbose))
        if kind in '=!':
            self.pos += 1
            self._lookahead(self._close(self.alternation(dotall, verbose)))
            return _EMPTY
        if kind == '(':
            return self._conditional(dotall, verbose)
        if kind == '<':  # lookbehind: reads text already passed, which a window never hides
            self.pos += 2
            self._close(self.alternation(dotall, verbose))
            return _EMPTY
        return self._flags(dotall, verbose)

    def _flags(self, dotall: bool, verbose: bool) -> Info:
        """`(?flags-flags:…)`: flags for one group."""
        end = self.pos
        while self.src[end] not in ':)':
            end += 1
        added, _, removed = self.src[self.pos:end].partition('-')
        if self.src[end] == ')' or not set(added + removed) <= set('aiLmsux'):
            raise _Unbounded  # global flags past the start, or unknown syntax
        self.pos = end + 1
        inner_dotall = (dotall or 's' in added) and 's' not in removed
        inner_verbose = (verbose or 'x' in added) and 'x' not in removed
        return self._close(self.alternation(inner_dotall, inner_verbose))

    def _conditional(self, dotall: bool, verbose: bool) -> Info:
        """`(?(group)yes|no)`: either branch (an absent `no` matches the empty string)."""
        close = self.src.index(')', self.pos)
        condition = self.src[self.pos + 1:close]
        if condition not in self.names and not (condition.isdigit() and int(condition) <= self.group_count):
            raise _Unbounded  # a group `re` would not know
        self.pos = close + 1
        branches = [self.sequence(dotall, verbose)]
        if self.src[self.pos] == '|':
            self.pos += 1
            branches.append(self.sequence(dotall, verbose))
        else:
            branches.append(_EMPTY)
        return self._close(Info(min(b.low for b in branches), max(b.high for b in branches),
                                max(b.newlines for b in branches)))

    def _capture(self, name: str | None, dotall: bool, verbose: bool) -> Info:
        self.group_count += 1
        number = self.group_count
        if name is not None:
            self.names[name] = number
        info = self._close(self.alternation(dotall, verbose))
        self.groups[number] = info
        return info

    def _close(self, info: Info) -> Info:
        if self.src[self.pos] != ')':
            raise _Unbounded
        self.pos += 1
        return info

    def _backref(self, number: int) -> Info:
        if number not in self.groups:
            raise _Unbounded  # a group still open, or unknown
        group = self.groups[number]
        return Info(0, group.high, group.newlines)  # may match empty (a group that did not take part)

    def _lookahead(self, info: Info) -> None:
        if info.high <= MAX_LOOKAHEAD:
            self.lookahead = max(self.lookahead, int(info.high))
        elif info.newlines <= MAX_NEWLINES:
            # Wide but stopped by newlines: it reads at most to the end of the line `newlines` lines on.
            self.lookahead_lines = max(self.lookahead_lines, int(info.newlines))
        else:
            raise _Unbounded

    def escape(self) -> Info:
        char = self.src[self.pos]
        if char in _CLASS_ESCAPES:
            self.pos += 1
            return Info(1, 1, int(_CLASS_ESCAPES[char]))
        if char in _ZERO_WIDTH_ESCAPES:
            self.pos += 1
            return _EMPTY
        if char in '123456789' and not self._octal_ahead():
            end = self.pos + (2 if self.src[self.pos + 1:self.pos + 2].isdigit() else 1)
            number = int(self.src[self.pos:end])
            self.pos = end
            return self._backref(number)
        return Info(1, 1, int(self.escaped_char() == _NEWLINE))

    def _octal_ahead(self) -> bool:
        digits = self.src[self.pos:self.pos + 3]
        return len(digits) == 3 and all(d in '01234567' for d in digits)

    def escaped_char(self) -> int:
        """The code point of the escape at `pos` (after the backslash), which is consumed; -1: a named one."""
        char = self.src[self.pos]
        self.pos += 1
        if char in _CHAR_ESCAPES:
            return _CHAR_ESCAPES[char]
        if char in _HEX_ESCAPES:
            digits = self.src[self.pos:self.pos + _HEX_ESCAPES[char]]
            self.pos += len(digits)
            return int(digits, 16)
        if char in '01234567':
            end = self.pos
            while end < len(self.src) and end < self.pos + 2 and self.src[end] in '01234567':
                end += 1
            value = int(self.src[self.pos - 1:end], 8)
            self.pos = end
            return value
        if char == 'N':  # \N{NAME}: counted as a newline, whichever character it names
            self.pos = self.src.index('}', self.pos) + 1
            return _NEWLINE
        if char.isalnum():
            raise _Unbounded  # `re` rejects unknown letter escapes
        return ord(char)

    def char_class(self) -> bool:
        """Whether the class starting after `[` can match '\\n' (the class is consumed)."""
        negate = self.src[self.pos] == '^'
        self.pos += int(negate)
        found = False
        first = True
        while first or self.src[self.pos] != ']':
            first = False
            low = high = self._class_item()
            if self.src[self.pos] == '-' and self.src[self.pos + 1] != ']':
                self.pos += 1
                high = self._class_item()
            found |= low <= _NEWLINE <= high
        self.pos += 1
        return found != negate

    def _class_item(self) -> int:
        """One character of a class as a code point; a class escape (`\\s`) as '\\n' when it holds one, else -1."""
        char = self.src[self.pos]
        if char != '\\':
            self.pos += 1
            return ord(char)
        self.pos += 1
        escaped = self.src[self.pos]
        if escaped in _CLASS_ESCAPES:
            self.pos += 1
            return _NEWLINE if _CLASS_ESCAPES[escaped] else -1
        if escaped in '123456789' and not self._octal_ahead():
            raise _Unbounded
        return self.escaped_char()
