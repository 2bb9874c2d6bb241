"""What a content rule is: data plus examples, as gitleaks defines its rules.

A rule's regex is compiled only when its keyword prefilter first fires, so a commit hook that
meets no keyword compiles nothing (a hook's cost should be mostly Python start-up). The scanner
then runs the regex only on the lines around the keyword hits (`Window`), which is what keeps a
full-tree scan in Python near the speed of the compiled peers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Iterator
from functools import cached_property

from guard.lazy_regex import LazyRegex
from guard.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any
    from typing import TypeVar

    _K = TypeVar('_K')
    _T = TypeVar('_T')

    # A filter sees the match and the whole text and returns a reason to drop it, or None to keep it.
    Filter = Callable[[re.Match[str], str], str | None]
    # A path filter also sees the file's path: whether `password = letmein` is a name or a literal
    # depends on the language the file is in.
    PathFilter = Callable[[re.Match[str], str, str], str | None]


class Hit(Record):
    """One match inside a text: the Rule that found it and the value to report (and redact), `text[start:end]`.

    `match_start`/`match_end`: the whole match, which may reach lines the value does not (a key name
    on the line above its value): a commit that changes any of them is judged on it (guard.scan.lines).
    """

    rule: Rule
    start: int
    end: int
    value: str
    match_start: int = -1
    match_end: int = -1


class Reach(Record):
    """How far one match of a pattern can reach, in ints.

    `newlines`: the most newlines one match can contain (0: a match stays on one line).
    `lookahead`: the most characters a lookahead of bounded width reads past where it stands.
    `lookahead_lines`: the most newlines a lookahead of unbounded width (`(?=[ \\t]*")`) reads past.
    `width`: the most characters one match spans and its lookaheads read past it; -1 when unbounded
    (a repeat without a top, or a lookahead stopped only by a newline). On a very long line (minified
    code) the scanner searches only so far around each keyword when this is bounded.
    """

    newlines: int
    lookahead: int
    lookahead_lines: int = 0
    width: int = -1


class Window(Record):
    """A stretch of text to search: matches may start from `start` up to `last`; `end` is the regex's endpos.

    All three are offsets into the text. `end` lies beyond anything a match starting by `last` can
    consume or look at, so each match found is the one a search of the whole text finds (see `shape`).
    """

    start: int
    last: int
    end: int


class Listed:
    """What planning a scan needs of a content rule, before its pattern: its id and category, the keywords
    and trigger that wake it, the paths it applies to. A Rule is one; so is a catalog Entry
    (guard/rules/catalog.py), which stands for a rule whose module is imported only once it is woken."""

    def __init__(
        self,
        *,
        id: str,
        category: str,
        keywords: tuple[str, ...] = (),
        keyword_tail: int = 0,
        trigger: str = '',
        path_pattern: str = '',
        path_words: tuple[str, ...] = (),
        skip_paths: str = '',
        skip_words: tuple[str, ...] = (),
        skip_extensions: tuple[str, ...] = (),
        redact: bool = True,
    ) -> None:
        self.id = id
        self.category = category
        self.keywords = keywords
        self.keyword_tail = keyword_tail
        self.trigger = trigger
        self.path_pattern = path_pattern
        self.path_words = path_words
        self.skip_paths = skip_paths
        self.skip_words = skip_words
        self.skip_extensions = skip_extensions
        self.redact = redact
        self._trigger = LazyRegex(trigger) if trigger else None
        self._path = LazyRegex(path_pattern) if path_pattern else None
        self._skip = LazyRegex(skip_paths) if skip_paths else None

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.id!r})'

    @property
    def reach(self) -> Reach | None:
        """How far a match can reach from a keyword's line; None: search the whole text."""
        raise NotImplementedError

    def load(self) -> Rule:
        """The rule itself, its module imported."""
        raise NotImplementedError

    @property
    def trigger_regex(self) -> re.Pattern[str] | None:
        return self._trigger.compiled if self._trigger else None

    @property
    def path_regex(self) -> re.Pattern[str] | None:
        return self._path.compiled if self._path else None

    @property
    def skip_regex(self) -> re.Pattern[str] | None:
        return self._skip.compiled if self._skip else None

    def applies_to(self, path: str) -> bool:
        if self._skip is not None and self._may_skip(path) and self._skip.search(path):
            return False
        if self.skip_extensions and extension(path) in self.skip_extensions:
            return False
        if self._path is None:
            return True
        return _holds_one(path, self.path_words) and self._path.search(path) is not None

    def _may_skip(self, path: str) -> bool:
        return _holds_one(path, self.skip_words)


class Entry(Listed):
    """A content rule as guard/rules/catalog.py lists it (generated from the registry, checked by
    tests/shape_test.py): what a scan plans with, and the module that defines the rule. A commit hook
    plans with the catalog and imports a rule's module only when one of its keywords occurs (`load`):
    a clean commit's files wake a few of the rule modules, not all of them."""

    def __init__(self, id: str, category: str, module: str, reach: Reach | None, **listed: Any) -> None:
        super().__init__(id=id, category=category, **listed)
        self.module = module
        self._reach = reach
        self._rule: Rule | None = None

    @property
    def reach(self) -> Reach | None:
        return self._reach

    def load(self) -> Rule:
        rule = self._rule
        if rule is None:
            module = __import__(self.module, fromlist=['RULES'])
            rule = self._rule = next(r for r in module.RULES if r.id == self.id)
        return rule


class Rule(Listed):
    """A content rule. `pattern` finds candidates; `filters` and `entropy` reject the false ones.

    The reported value is the regex group named `value` when present, else the whole match.
    A plain class, not a dataclass: every commit hook builds ~70 rules, and `dataclasses` costs
    ~10 ms to import. Treat a rule as immutable. Ids are unique, so a rule equals only itself.
    """

    def __init__(
        self,
        *,
        id: str,  # stable forever: baselines and inline allows key on it
        category: str,  # one of config.CATEGORIES
        severity: str,  # note | warning | error
        why: str,  # one line: why this matters
        fix: str,  # one line: how to fix it
        pattern: str,
        # Lowercase literals. The rule runs only on the lines around them, so every match must touch a
        # line that holds one (case-insensitively): put here the literal each match contains. For a
        # pattern that never spans lines it is enough that every match the rule reports does.
        keywords: tuple[str, ...] = (),
        # For weak keywords (`sk`, `pat`): every match starts with a keyword, at the start of a token (no
        # letter, digit or `_` before it), followed by at least this many ASCII letters or digits. Other
        # hits of the keyword (`task`, `path`, `pattern`) then wake nothing.
        keyword_tail: int = 0,
        # For rules with no distinctive literal: a cheap regex with the same duty as `keywords` (it
        # matches on those lines). Start it with a literal character so `re` can skip ahead fast.
        trigger: str = '',
        flags: int = 0,
        entropy: float = 0.0,  # minimum Shannon entropy (bits per char) of the value
        filters: tuple[Filter, ...] = (),
        path_filters: tuple[PathFilter, ...] = (),  # run after `filters`, with the file's path ('' when unknown)
        path_pattern: str = '',  # only files whose relative path matches (re.search)
        path_words: tuple[str, ...] = (),  # as skip_words, for path_pattern
        skip_paths: str = '',  # never files whose relative path matches (re.search)
        # Lowercase literals, one of which every path `skip_paths` matches holds (IGNORECASE-folded):
        # the pattern is compiled only for paths that hold one, so most commits never compile it.
        skip_words: tuple[str, ...] = (),
        skip_extensions: tuple[str, ...] = (),  # never files with one of these (lowercase) extensions
        redact: bool = True,  # secrets are masked in every output
        # Each example is its text, or an object whose str() is the text (a `secrets.fakes.Fake`,
        # so the fake credentials are built only when the examples are first read, by the tests).
        examples_bad: tuple[object, ...] = (),
        examples_good: tuple[object, ...] = (),
        tags: tuple[str, ...] = (),
    ) -> None:
        super().__init__(
            id=id,
            category=category,
            keywords=keywords,
            keyword_tail=keyword_tail,
            trigger=trigger,
            path_pattern=path_pattern,
            path_words=path_words,
            skip_paths=skip_paths,
            skip_words=skip_words,
            skip_extensions=skip_extensions,
            redact=redact,
        )
        self.severity = severity
        self.why = why
        self.fix = fix
        self.pattern = pattern
        self.flags = flags
        self.entropy = entropy
        self.filters = filters
        self.path_filters = path_filters
        self._examples_bad = examples_bad
        self._examples_good = examples_good
        self.tags = tags
        # Compiled from the source on first use (guard.lazy_regex): nothing kept between runs decides
        # what a rule matches, and a commit hook that wakes no rule never imports `re`.
        self._regex = LazyRegex(pattern, flags)

    @cached_property
    def examples_bad(self) -> tuple[str, ...]:
        """Texts the rule must report."""
        return tuple(map(str, self._examples_bad))

    @cached_property
    def examples_good(self) -> tuple[str, ...]:
        """Texts the rule must stay quiet on."""
        return tuple(map(str, self._examples_good))

    @property
    def regex(self) -> re.Pattern[str]:
        """The pattern, compiled from its source on first use (when a keyword of the rule first occurs)."""
        return self._regex.compiled

    @cached_property
    def reach(self) -> Reach | None:
        """How far a match can reach from a keyword's line; None: search the whole text. The registry's
        reaches are shipped worked out (guard.rules.catalog); any other rule's is worked out here."""
        from guard.rules.catalog import CATALOG

        entry = CATALOG.get(self.id)
        if entry is not None and entry.load() is self:
            return entry.reach
        from guard.rules import shape  # re's parser: only for a rule the registry does not hold (a test's)

        return shape.walked(self.pattern, self.keywords, self.flags)

    def load(self) -> Rule:
        return self

    def scan(
        self,
        text: str,
        windows: Iterable[Window] | None = None,
        path: str = '',
        taken: Callable[[int, int], bool] | None = None,
    ) -> Iterator[Hit]:
        """Candidates in `text` (in `windows` of it, when given) that survive the entropy floor and every filter.

        `taken(start, end)`: whether a value there is reported already (by an earlier rule): such a match is
        not judged at all, since its filters cost the most (a line of `password=X` is every secret rule's)."""
        return self.judge(self.matches(text, windows), text, path, taken)

    def judge(
        self,
        matches: Iterable[re.Match[str]],
        text: str,
        path: str = '',
        taken: Callable[[int, int], bool] | None = None,
    ) -> Iterator[Hit]:
        """The `matches` of this rule in `text` that survive the entropy floor and every filter (see scan)."""
        for match in matches:
            if taken is not None and taken(*_value_span(match)):
                continue
            hit = self._hit(match, text, path)
            if hit is not None:
                yield hit

    def _hit(self, match: re.Match[str], text: str, path: str = '') -> Hit | None:
        """The reported value of a match, unless the entropy floor or a filter rejects it."""
        start, end = _value_span(match)
        if start < 0:
            return None
        value = text[start:end]
        if self.entropy and shannon_entropy(value) < self.entropy:
            return None
        # Loops, not any() over generators: asked once per candidate (a deny list's 40,000 addresses).
        for check in self.filters:
            if check(match, text):
                return None
        for path_check in self.path_filters:
            if path_check(match, text, path):
                return None
        return Hit(self, start, end, value, *match.span())

    def matches(self, text: str, windows: Iterable[Window] | None = None) -> Iterator[re.Match[str]]:
        """The pattern's matches in `text` (in `windows` of it), before the entropy floor and filters."""
        return windowed_matches(self.regex, text, windows)

    def raw_spans(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Where each match in text[start:end] puts its value, before the entropy floor and filters: what a
        masker hides whatever the filters judge (one judged a placeholder may still be a real password).
        Spans only, so no match is wrapped for filters (asked of every finding line, by every rule woken)."""
        regex, searched = self.searched(text)
        end = len(text) if end is None else end
        if 'value' in regex.groupindex:
            return [match.span('value') for match in regex.finditer(searched, start, end)]
        return [match.span() for match in regex.finditer(searched, start, end)]

    def searched(self, text: str) -> tuple[re.Pattern[str], str]:
        """The pattern a search of `text` runs and the text it runs on (a copy with the same offsets)."""
        return self.regex, text


def _value_span(match: re.Match[str]) -> tuple[int, int]:
    """Where a match's reported value lies: its `value` group, or the whole match."""
    return match.span('value') if 'value' in match.re.groupindex else match.span()


def extension(path: str) -> str:
    """The file name's extension, lower-cased (`''` without one): a set lookup, where a pattern of extensions
    would cost a compile on every commit that holds a code file."""
    name = path.rpartition('/')[2]
    return name.rpartition('.')[2].lower() if '.' in name else ''


def _holds_one(path: str, words: tuple[str, ...]) -> bool:
    """Whether `path` may match a pattern every match of which holds one of `words` (no words: it may)."""
    if not words:
        return True
    folded = ignorecase_folded(path)
    return any(word in folded for word in words)


def windowed_matches(regex: re.Pattern[str], text: str, windows: Iterable[Window] | None) -> Iterator[re.Match[str]]:
    """`regex.finditer(text)`, restricted to matches starting in `windows` (all of them when None)."""
    if windows is None:
        yield from regex.finditer(text)
        return
    resume = 0  # as in one search of the whole text, a match never overlaps the one before it
    for window in windows:
        # pos/endpos rather than slicing: offsets stay the text's, lookbehinds and filters see it all.
        for match in regex.finditer(text, max(window.start, resume), window.end):
            if match.start() > window.last:
                break
            resume = match.end()
            yield match


def ignorecase_folded(text: str) -> str:
    """`text` lower-cased as IGNORECASE compares it with ASCII letters: it also pairs `İ` and `ı` with `i`,
    `ſ` with `s` (and `K`, the Kelvin sign, with `k`, as lower() does). For substring tests that must hold
    wherever a `(?i)` pattern matches."""
    return text.replace('\u0130', 'i').lower().replace('\u0131', 'i').replace('\u017f', 's')


def remembered(build: Callable[[_K], _T]) -> Callable[[_K], _T]:
    """`build`, remembered for the last object it was given (by identity): an index of one text that a filter,
    asked once per match, builds once (a 1 MB line of 40,000 matches asked 40,000 times), or what both
    filters of one candidate read of its match. One object is held at a time, so a tree scan keeps no
    more; the (object, result) pair is replaced whole, so threads agree. The object is held, so its
    identity cannot pass to another while it is remembered."""
    last: list[tuple[_K, _T] | None] = [None]

    def cached(key: _K) -> _T:
        held = last[0]
        if held is not None and held[0] is key:
            return held[1]
        result = build(key)
        last[0] = (key, result)
        return result

    return cached


_LAST_LOWERED: list[tuple[str, str]] = [('', '')]


def lowered(text: str) -> str:
    """`text.lower()`, computed once per text: the prefilter and rules that search folded text share it.

    Remembers only the last text (by identity), so scanning a tree holds one copy at a time. Folded as
    IGNORECASE pairs letters with ASCII ones (ignorecase_folded), so a case-sensitive search of it with
    a lower-case pattern finds what the IGNORECASE pattern finds in the text: `ſ` is an `s`, `ı` an `i`.
    `İ` is the one character lower() lengthens (to `i̇`); folded to `i`, offsets in the result are the
    text's (a bundle holding one `İ` was searched whole by every rule).
    """
    last_text, last_lowered = _LAST_LOWERED[0]
    if last_text is text:
        return last_lowered
    result = ignorecase_folded(text) if any(c in text for c in _PAIRED) else text.lower()
    _LAST_LOWERED[0] = (text, result)
    return result


_PAIRED = ('\u0130', '\u0131', '\u017f')  # İ, ı, ſ: what IGNORECASE pairs with ASCII letters and lower() does not


def shannon_entropy(value: str) -> float:
    """Bits per character; random base64 is near 6, English words near 3, 'xxxxxxxx' is 0."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())
