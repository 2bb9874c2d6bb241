"""The prefilter may only make scanning cheaper: searching the windows around keyword hits must give
exactly the matches a search of the whole text gives (for rules that keep the keyword contract)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.rules import CONTENT_RULES
from guard.rules import RULES
from guard.rules.base import Listed
from guard.rules.base import Rule
from guard.rules.base import lowered
from guard.scan.prefilter import LONG_LINE
from guard.scan.prefilter import Prefilter
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner


def rule(pattern: str, *, keywords: tuple[str, ...] = ('key',), trigger: str = '', path_pattern: str = '') -> Rule:
    return Rule(
        id='t',
        category='secret',
        severity='error',
        why='w',
        fix='f',
        pattern=pattern,
        keywords=keywords,
        trigger=trigger,
        path_pattern=path_pattern,
    )


# Each keeps the contract (a match touches a line holding the keyword) and stresses one edge of a
# window: line-local, bounded newlines, end anchors with and without MULTILINE, lookarounds, IGNORECASE.
RULES_UNDER_TEST = [
    rule(r'(?i)key[ \t]*=[ \t]*"?(?P<value>[a-z0-9]{2,})"?'),
    rule(r'(?i)(?<![a-z])key\s{0,2}=\s{0,2}(?P<value>\w+)(?!\w)'),
    rule(r'key(?:\r?\n[ \t]*)?="(?P<value>[^"\n]*)"'),
    rule(r'(?i)key\W{0,3}\w+$'),
    rule(r'(?i)key\W{0,3}\w+\Z'),
    rule(r'(?im)^\s{0,2}key.*$'),
    rule(r'(?i)\w*key\w*(?=[ \t]*=)'),
    rule(r'(?i)\w*key\w*(?=\s{0,3}")'),
    rule(r'(?i)(?<=key)\s{0,2}(?P<value>\w+)'),
    rule(r'(?i)key\s{0,2}(?:"\w*"|\w+)(?:\n\w+){0,2}'),
    # Matches reaching down from one keyword and up to the next: windows apart, matches overlapping.
    rule(r'key(?:\n\w+){0,4}|(?:\w+\n){0,4}key'),
    rule(r'(?<![\w.])(?P<value>(?:\d{1,3}\.){3}\d{1,3})(?![\w.])', keywords=(), trigger=r'\.\d{1,3}\.\d{1,3}\.'),
    rule(r'(?i)key[^"]*"', keywords=('key',)),  # unbounded: planned as a whole-text search
]
# Newlines, CRLF, quotes, the keyword in several cases, and characters whose lower() is longer
# ('İ') or lands on ASCII (the Kelvin sign 'K'), so keyword offsets sometimes do not line up.
TOKENS = [
    'key',
    'KEY',
    'Key',
    'xkey',
    'key_1',
    ' ',
    '\t',
    '\n',
    '\n',
    '\r\n',
    '=',
    '"',
    'a',
    'Z9',
    '42',
    '.',
    '10.20.30.40',
    '1.2.3.4.5',
    'İ',
    '\u212aey',
    'é',
    'ab',
    '\n\n',
]
texts = st.lists(st.sampled_from(TOKENS), max_size=60).map(''.join)


def spans(found: object) -> list[tuple[int, int, str]]:
    return [(h.start, h.end, h.value) for h in found]  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(text=texts)
@example(text='key\na\nb\nc\nd\nX\nkey\n')  # a search resumes after the previous window's last match
def test_windows_find_exactly_what_a_whole_text_search_finds(text: str) -> None:
    for under_test in RULES_UNDER_TEST:
        plan = Prefilter([under_test]).plan(text)
        windowed = spans(under_test.scan(text, plan[0][1])) if plan else []
        assert windowed == spans(under_test.scan(text)), under_test.pattern


@pytest.mark.parametrize(
    ('text', 'planned'),
    [
        ('nothing to see here\n', []),
        ('a key\n', ['t']),
        ('a KEY\n', ['t']),
    ],
)
def test_a_rule_runs_only_where_its_keyword_occurs(text: str, planned: list[str]) -> None:
    assert [r.id for r, _ in Prefilter([RULES_UNDER_TEST[0]]).plan(text)] == planned


def test_windows_cover_only_the_lines_around_hits() -> None:
    text = 'a\nb\nkey=1\nc\nd\n'
    ((planned, windows),) = Prefilter([RULES_UNDER_TEST[0]]).plan(text)
    assert windows == [(4, 9, 11)]  # the keyword's line (4..9, '\n' at 9); endpos 2 past it
    ((planned, windows),) = Prefilter([RULES_UNDER_TEST[1]]).plan(text)  # up to 4 newlines: the whole text
    assert windows == [(0, 9, len(text))]


def test_a_letter_that_lowers_longer_keeps_the_offsets() -> None:
    # 'İ'.lower() is two characters; the prefilter's lowered copy folds it to 'i', as IGNORECASE does.
    text = 'İ\n' * 3 + 'key=abc\n'
    ((_, windows),) = Prefilter([RULES_UNDER_TEST[0]]).plan(text)
    assert windows == [(6, 13, 14)]
    assert spans(RULES_UNDER_TEST[0].scan(text, windows)) == [(len('İ\n' * 3) + 4, len(text) - 1, 'abc')]


def test_lowering_keeps_every_code_point_in_place() -> None:
    # What lets keyword offsets in the lowered text be the text's, for every text.
    everything = ''.join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert len(lowered(everything)) == len(everything)


def test_path_scoped_rules_run_only_on_their_paths() -> None:
    scoped = rule(r'key=(?P<value>\w+)', path_pattern=r'\.cfg$')
    prefilter = Prefilter([scoped])
    assert prefilter.plan('key=abc', 'app.py') == []
    assert [r.id for r, _ in prefilter.plan('key=abc', 'app.cfg')] == ['t']
    assert [r.id for r, _ in prefilter.plan('key=abc')] == ['t']  # no path: planned as if it applied


class _WholeText:
    """The old engine's plan: every rule whose keyword occurs anywhere searches the whole text."""

    def __init__(self, rules: tuple[Listed, ...]) -> None:
        self.rules = tuple(rule.load() for rule in rules)

    def plan(self, text: str, path: str | None = None, near: object = None) -> list[tuple[Rule, None]]:
        lowered = text.lower()
        return [
            (r, None)
            for r in self.rules
            if (path is None or r.applies_to(path))
            and (
                not (r.keywords or r.trigger)
                or any(k in lowered for k in r.keywords)
                or (r.trigger_regex is not None and r.trigger_regex.search(text))
            )
        ]


def _examples_document() -> str:
    """Every rule's examples, good and bad, on lines of their own amid unrelated lines."""
    lines = []
    for content_rule in CONTENT_RULES:
        for text in (*content_rule.examples_bad, *content_rule.examples_good):
            lines += ['x = 1', text, '', 'def f(a):  # key points', '    return a']
    return '\n'.join(lines) + '\n'


@pytest.mark.parametrize('path', ['config/app.py', '.pgpass', 'settings.yaml'])
def test_the_scanner_reports_what_whole_text_searches_report(path: str) -> None:
    text = _examples_document()
    windowed = Scanner(RULES)
    whole = Scanner(RULES)
    whole.__dict__['_prefilter'] = _WholeText(whole.rules)  # the only difference: no windows
    expected = whole.scan(Document(path, text))
    assert expected[0], 'the examples produce findings'
    assert windowed.scan(Document(path, text)) == expected


@pytest.mark.parametrize(
    'content_rule', [r for r in CONTENT_RULES if (r.keywords or r.trigger) and r.reach], ids=lambda r: r.id
)
def test_every_bad_example_keeps_the_keyword_contract(content_rule: Rule) -> None:
    """A windowed rule's match touches a line that holds one of its keywords, or its trigger."""
    for bad in content_rule.examples_bad:
        for match in content_rule.regex.finditer(bad):
            start = bad.rfind('\n', 0, match.start()) + 1
            end = bad.find('\n', match.end() - 1)
            touched = bad[start : len(bad) if end < 0 else end]
            keyword_found = any(k in touched.lower() for k in content_rule.keywords)
            trigger_found = bool(content_rule.trigger_regex and content_rule.trigger_regex.search(touched))
            assert keyword_found or trigger_found, f'{content_rule.id}: no keyword on the lines of {match[0]!r}'


def test_importing_the_scanner_stays_cheap() -> None:
    """The commit hook imports guard.scan.scanner; the C automaton and heavy libraries load only when used."""
    code = (
        'import sys, guard.scan.scanner; '
        'print(sorted(m for m in ("ahocorasick_rs", "sqlalchemy", "git", "pathspec", "multiprocessing") if m in sys.modules))'
    )
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == '[]'


def test_a_path_scoped_rule_without_its_keyword_is_not_run_on_a_text_holding_a_dotted_capital_i() -> None:
    scoped = rule(r'\w+=(?P<value>\w+)', path_pattern=r'\.cfg$')
    assert Prefilter([scoped]).plan('İ\nuser=abc\n', 'app.cfg') == []


def test_lowered_is_computed_once_per_text_and_always_for_the_text_asked_about() -> None:
    first = ''.join(['KEY', 'İ'])
    second = ''.join(['Ke', 'y'])
    assert lowered(first) == 'keyi'  # 'İ' folded to 'i' as IGNORECASE pairs them, not lengthened to 'i̇'
    assert lowered(first) is lowered(first)  # the prefilter and folded rules share one copy
    assert lowered(second) == 'key'
    assert lowered(first) == 'keyi'


# Minified code with no keyword of any rule in it: the filler a long line's hits sit in.
_MINIFIED = st.lists(st.sampled_from(['a=b;', 'f(x,y)', '{c:1}', ' ', '0', 'return ', '[]', '!', 'd.e']), min_size=1)


@settings(max_examples=20, deadline=None)
@given(before=_MINIFIED, after=_MINIFIED, width=st.integers(LONG_LINE, 3 * LONG_LINE))
def test_on_a_long_line_every_bad_example_is_still_found(before: list[str], after: list[str], width: int) -> None:
    """On a line longer than LONG_LINE a rule is searched only around its keywords: amid kilobytes of
    minified code, wherever that code ends, it reports what a search of the whole line reports."""
    left = (''.join(before) * width)[:width] + ' ; '
    right = ' ; ' + (''.join(after) * width)[:width]
    reported = 0
    for content_rule in CONTENT_RULES:
        if not content_rule.keywords or content_rule.reach is None:
            continue
        for bad in content_rule.examples_bad:
            if '\n' in bad:
                continue
            line = left + bad + right
            plan = Prefilter([content_rule]).plan(line)
            windowed = spans(content_rule.scan(line, plan[0][1])) if plan else []
            assert windowed == spans(content_rule.scan(line)), (content_rule.id, bad)
            reported += bool(windowed)
    assert reported > 100  # most examples are found mid-line (a few are anchored to a line's start)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(['key=', 'abc', '\udc80', '\ud800', ' ', '\n', 'İ']), max_size=40).map(''.join))
def test_text_holding_lone_surrogates_is_searched_at_the_same_offsets(text: str) -> None:
    # Names decoded with surrogateescape reach the masker; the keyword automaton takes only UTF-8.
    under_test = RULES_UNDER_TEST[0]
    plan = Prefilter([under_test]).plan(text)
    windowed = spans(under_test.scan(text, plan[0][1])) if plan else []
    assert windowed == spans(under_test.scan(text))
