"""Which rules to run on a text, and where: keywords and triggers -> candidate rules -> line windows.

One Aho-Corasick pass finds every keyword of every rule at once (as gitleaks and Kingfisher do),
a rule runs only if one of its keywords (or its trigger) occurs, and then only on the lines
around those hits. Python's `re` scans ~40 MB/s per pattern, so searching whole files with
every candidate rule is what a full-tree scan would otherwise spend its time on.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from guard.records import Record
from guard.rules.base import Listed
from guard.rules.base import Rule
from guard.rules.base import Window
from guard.rules.base import lowered as lower_text

# A line longer than this is minified code or a data dump; see _windows.
LONG_LINE = 4096
LONG_LINE_SPAN = 256
LONG_LINE_WIDTH = 1024

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from ahocorasick_rs import AhoCorasick

    from guard.rules.base import Reach


class Keywords(Record):
    """The keyword automaton, and the keyword each of its pattern indexes stands for."""

    search: AhoCorasick
    keywords: list[str]


# (rule, None) means: search the whole text.
Plan = list[tuple[Rule, 'list[Window] | None']]


class Prefilter:
    """Built once per rule set; `plan(text)` is the per-text work.

    The rules may be catalog entries (guard.rules.catalog): a plan holds the rules themselves, and an
    entry's module is imported when the entry is first planned, once one of its keywords occurs."""

    def __init__(self, rules: Sequence[Listed]) -> None:
        self.rules = tuple(rules)
        # By position in `rules`: those a keyword hit selects, and those every text is checked for.
        self._by_keyword: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            for keyword in () if rule.path_pattern else rule.keywords:
                self._by_keyword.setdefault(keyword, []).append(index)
        self._unkeyed = frozenset(i for i, r in enumerate(self.rules) if r.trigger or r.path_pattern or not r.keywords)
        # Set by focus(): (the most lines a windowed keyword rule's match spans, the keyword rules whose
        # matches are unbounded).
        self._focus: tuple[int, frozenset[int]] | None = None

    @cached_property
    def automaton(self) -> Keywords | None:
        """Every keyword of the rules that apply to any path (path-scoped rules look for theirs only where they apply).

        None when there is no keyword.
        """
        if not self._by_keyword:
            return None
        # Rust's aho-corasick: one pass over the text finds every keyword at once, twice as fast as
        # pyahocorasick's on a tree of sources (bench/RESULTS.md), and with no Python call per character.
        import ahocorasick_rs

        keywords = list(self._by_keyword)
        return Keywords(ahocorasick_rs.AhoCorasick(keywords), keywords)

    def prepare(self) -> None:
        """Compile everything now (before forking workers, so each does not redo it)."""
        _ = self.automaton
        for rule in self.rules:
            _ = rule.load().regex, rule.reach, rule.trigger_regex

    def warm_up(self) -> None:
        """Build the automaton and compile the patterns every text runs (triggers, rules without keywords)."""
        _ = self.automaton
        for rule in self.rules:
            if not rule.path_pattern and (rule.trigger or not rule.keywords):
                _ = rule.trigger_regex if rule.trigger else rule.load().regex

    def focus(self) -> None:
        """Work out every keyword rule's reach now (~50 ms), so that a text judged by lines (`near`) is
        searched for keywords only on the lines a match touching them can reach, not all through:
        worth it for a history scan, which judges thousands of changed files; not for a commit."""
        reaches = [(i, rule.reach) for i, rule in enumerate(self.rules) if rule.keywords and not rule.path_pattern]
        self._focus = (
            max((reach.newlines for _, reach in reaches if reach is not None), default=0),
            frozenset(i for i, reach in reaches if reach is None),
        )

    def plan(self, text: str, path: str | None = None, near: frozenset[int] | None = None) -> Plan:
        """The rules worth running on `text` at `path`, each with the windows to search (None: all of it).

        Without a path, rules restricted to some paths are planned as if they applied. `near`: only
        matches touching one of these 1-based lines are wanted (what a commit adds), so a keyword
        farther from all of them than a match of its rule can reach is passed over.
        """
        focus = self._focus if near is not None else None
        hits = _Hits(text, self.automaton, None if focus is None else _stretches(text, near or frozenset(), focus[0]))
        close = _Near(text, near) if near is not None else None
        selected = set(self._unkeyed)
        for keyword in hits.keywords:
            selected.update(self._by_keyword[keyword])
        # Keywords were looked for near the wanted lines only: a rule whose match may span any number
        # of lines (a key block) runs on the whole text when its keyword is anywhere.
        unbounded = (
            set()
            if focus is None or not hits.focused
            else {i for i in focus[1] if any(k in hits.lowered for k in self.rules[i].keywords)}
        )
        selected |= unbounded
        plan: Plan = []
        for index in sorted(selected):  # rule order matters: where secret hits overlap, the earlier rule wins
            rule = self.rules[index]
            # A path-scoped rule is judged by its path first (cheaper than looking for its keywords);
            # any other by its hits first, so its skip pattern is compiled only when something was found.
            if path is not None and rule.path_pattern and not rule.applies_to(path):
                continue
            if index in unbounded:
                if path is None or rule.applies_to(path):
                    plan.append((rule.load(), None))
                continue
            positions = hits.positions(rule) if rule.keywords or rule.trigger else None
            if positions == [] or path is not None and not rule.path_pattern and not rule.applies_to(path):
                continue
            if not rule.keywords and not rule.trigger:
                plan.append((rule.load(), None))
                continue
            reach = rule.reach
            if close is not None and positions is not None and reach is not None:
                positions = close.keep(positions, reach.newlines)
                if not positions:
                    continue
            plan.append((rule.load(), None if positions is None or reach is None else _windows(text, positions, reach)))
        return plan


class _Near:
    """Which offsets of a text lie within some lines of the wanted ones."""

    def __init__(self, text: str, wanted: frozenset[int]) -> None:
        self.text = text
        self.wanted = wanted

    def keep(self, positions: list[int], lines: int) -> list[int]:
        """The positions (ascending) whose line is at most `lines` lines from a wanted one."""
        wanted = self.wanted
        count = self.text.count
        kept = []
        number, last = 1, 0
        for pos in positions:
            if pos < last:  # positions come ascending; should one not, count again from the start
                number, last = 1, 0
            number += count('\n', last, pos)  # C speed, and each stretch counted once
            last = pos
            if any(n in wanted for n in range(number - lines, number + lines + 1)):
                kept.append(pos)
        return kept


def _find(automaton: Keywords, text: str) -> list[tuple[int, int, int]]:
    """Every keyword hit in `text` as (keyword index, start, end), overlapping: 'pass' inside 'password' too."""
    try:
        return automaton.search.find_matches_as_indexes(text, overlapping=True)
    except UnicodeEncodeError:
        # A lone surrogate (a file name decoded with surrogateescape, passed to a scrubber) is no UTF-8,
        # which the Rust automaton takes; U+FFFD in its place keeps every offset, and is in no keyword.
        import re

        return automaton.search.find_matches_as_indexes(re.sub('[\ud800-\udfff]', '\ufffd', text), overlapping=True)


def _stretches(text: str, wanted: frozenset[int], lines: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the lines within `lines` lines of a wanted one, merged, ascending."""
    from itertools import accumulate

    lengths = [len(line) + 1 for line in text.split('\n')]
    starts = [0, *accumulate(lengths)]
    stretches: list[tuple[int, int]] = []
    for number in sorted(wanted):
        first, last = max(1, number - lines), min(len(lengths), number + lines)
        if first > last:
            continue
        start, end = starts[first - 1], starts[last]
        if stretches and start <= stretches[-1][1]:
            stretches[-1] = (stretches[-1][0], max(end, stretches[-1][1]))
        else:
            stretches.append((start, end))
    return stretches


class _Hits:
    """Where each keyword and trigger occurs in one text (start offsets, ascending); with `stretches`,
    keywords only inside those (`focused`)."""

    def __init__(self, text: str, automaton: Keywords | None, stretches: list[tuple[int, int]] | None = None) -> None:
        self.text = text
        self.keywords: dict[str, list[int]] = {}
        self.triggers: dict[str, list[int]] = {}
        self.lowered = ''
        self.focused = False
        if automaton is None:
            return
        self.lowered = lowered = lower_text(text)  # as long as the text: offsets in it are the text's
        self.focused = stretches is not None
        found = self.keywords
        names = automaton.keywords
        for start, end in stretches if stretches is not None else [(0, len(lowered))]:
            piece = lowered if start == 0 and end == len(lowered) else lowered[start:end]
            # Overlapping: every keyword at every place ('pass' inside 'password' too), in the order
            # they end, so each keyword's starts come ascending.
            for index, first, _ in _find(automaton, piece):
                starts = found.get(names[index])
                if starts is None:
                    found[names[index]] = [start + first]
                else:
                    starts.append(start + first)

    def positions(self, rule: Listed) -> list[int] | None:
        """Hit offsets for the rule ([] when it cannot match); None when it must search the whole text."""
        if rule.path_pattern:
            lists = [starts for starts in map(self._find_all, rule.keywords) if starts]
        else:
            lists = [self.keywords[k] for k in rule.keywords if k in self.keywords]
        if rule.keyword_tail:
            lists = [kept for kept in (self._token_starts(k, rule.keyword_tail) for k in rule.keywords) if kept]
        if rule.trigger_regex is not None and (starts := self._trigger(rule)):
            lists.append(starts)
        if not lists:
            return []
        return lists[0] if len(lists) == 1 else sorted(p for hits in lists for p in hits)

    def _token_starts(self, keyword: str, tail: int) -> list[int]:
        """The hits of `keyword` that start a token and run on for `tail` ASCII letters or digits (Rule.keyword_tail)."""
        text = self.text
        after = len(keyword)
        return [
            p
            for p in self.keywords.get(keyword, ())
            if not (p and (text[p - 1].isascii() and text[p - 1].isalnum() or text[p - 1] == '_'))
            and _ascii_alnum(text[p + after : p + after + tail], tail)
        ]

    def _find_all(self, keyword: str) -> list[int]:
        """A keyword's starts, for the few path-scoped rules the automaton leaves out."""
        if not self.lowered:
            self.lowered = lower_text(self.text)
        starts = []
        pos = self.lowered.find(keyword)
        while pos >= 0:
            starts.append(pos)
            pos = self.lowered.find(keyword, pos + 1)
        return starts

    def _trigger(self, rule: Listed) -> list[int]:
        starts = self.triggers.get(rule.trigger)
        if starts is None:
            assert rule.trigger_regex is not None
            starts = self.triggers[rule.trigger] = [m.start() for m in rule.trigger_regex.finditer(self.text)]
        return starts


def _ascii_alnum(chars: str, size: int) -> bool:
    return len(chars) == size and chars.isascii() and chars.isalnum()


def _windows(text: str, positions: list[int], reach: Reach) -> list[Window]:
    """Merge the lines around each hit into windows a search cannot see past (see base.Reach).

    A match touching a hit's line starts at most `newlines` lines above it and ends at most as
    far below; lookaheads read on `lookahead_lines` lines and `lookahead` characters more. The
    2 extra characters keep end-of-text anchors (`$`, `\\Z`) false wherever a match can reach,
    as they are in the whole text.

    On a line longer than LONG_LINE (minified code, a data dump) a rule is searched only for matches
    starting LONG_LINE_SPAN characters either side of each hit, and a match there reads at most its
    width (LONG_LINE_WIDTH when that is unbounded, so a 2 KB token is reported by its first 1 KB):
    one `${` in a 4 MB bundle cost a search of all of it, for every rule it woke.
    """
    size = len(text)
    find = text.find
    rfind = text.rfind
    up = reach.newlines
    down = reach.newlines + reach.lookahead_lines
    extra = 2 + reach.lookahead
    width = reach.width if 0 <= reach.width <= LONG_LINE_WIDTH else LONG_LINE_WIDTH
    windows: list[Window] = []
    line_end = -1
    start = end = 0
    long = False
    # The window being built on a long line, kept in locals: a line can hold a hit every few characters.
    open_start = open_last = open_end = -1
    # Short lines' windows, joined while they touch before one is made (a file of 30,000 lines with a hit
    # each is one window; widening a record per line built 30,000).
    held_start = held_last = held_end = -1
    # Where the walk `down` from the previous hit's line ended: the next line's walk is one line more (a file
    # with a hit on every line walks each line once, not `down` times).
    walked = -1
    for pos in positions:
        if pos > line_end:  # the first hit on its line
            if open_last >= 0:
                _add(windows, open_start, open_last, open_end)
                open_last = -1
            line_start = rfind('\n', 0, pos) + 1
            next_line = walked >= 0 and line_start == line_end + 1
            line_end = find('\n', pos)
            if line_end < 0:
                line_end = size
            if next_line:
                end = walked if walked >= size else find('\n', walked + 1)
                end = size if end < 0 else end
            else:
                end = line_end
                for _ in range(down):
                    if end < size:
                        end = find('\n', end + 1)
                        end = size if end < 0 else end
            walked = end
            end = size if end + extra >= size - 1 else end + extra
            long = line_end - line_start > LONG_LINE
            # Up from the line: needed unless the line joins the held window anyway (it starts in it or right
            # after it, so any line above it does too).
            if long or held_last < 0 or line_start > held_last + 1:
                start = line_start
                for _ in range(up):
                    if start:
                        start = rfind('\n', 0, start - 1) + 1
            if not long:
                if held_last >= 0 and (line_start <= held_last + 1 or start <= held_last + 1):
                    held_last = max(held_last, line_end)
                    held_end = max(held_end, end)
                else:
                    if held_last >= 0:
                        _add(windows, held_start, held_last, held_end)
                    held_start, held_last, held_end = start, line_end, end
                continue
        elif not long:
            continue  # on the line of the previous hit: same window
        if held_last >= 0:  # a long line's windows come after the short lines' before it
            _add(windows, held_start, held_last, held_end)
            held_last = -1
        first = pos - LONG_LINE_SPAN
        if first > open_last + 1 and open_last >= 0:
            _add(windows, open_start, open_last, open_end)
            open_last = -1
        if open_last < 0:
            open_start = first if first > start else start
        # Conditional expressions, not min(): asked for every hit on the line (380,000 on a 1.9 MB one).
        last = pos + LONG_LINE_SPAN
        open_last = line_end if last > line_end else last
        reached = open_last + width + 2
        reached = size if reached >= size - 1 else reached
        open_end = end if end < reached else reached
    if held_last >= 0:
        _add(windows, held_start, held_last, held_end)
    if open_last >= 0:
        _add(windows, open_start, open_last, open_end)
    return windows


def _add(windows: list[Window], start: int, last: int, end: int) -> None:
    """Append a window, or widen the last one when the two touch."""
    if windows and start <= windows[-1].last + 1:
        previous = windows[-1]
        windows[-1] = Window(previous.start, max(previous.last, last), max(previous.end, end))
    else:
        windows.append(Window(start, last, end))
