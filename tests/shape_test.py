"""How far a pattern reaches: the bound that lets the scanner search only the lines around keywords."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.rules.base import Reach
from guard.rules.shape import MAX_NEWLINES
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
    # Escapes, classes, conditionals, verbose mode.
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
    (rf'(?:k\n){{{MAX_NEWLINES + 1}}}', 0, None),
]


@pytest.mark.parametrize(('pattern', 'flags', 'expected'), TESTS)
def test_reach(pattern: str, flags: int, expected: Reach | None) -> None:
    found = reach(pattern, flags)
    assert (found if found is None else found[:3]) == (expected if expected is None else expected[:3])


@pytest.mark.parametrize(
    ('pattern', 'width'),
    [
        (r'key=[A-Za-z0-9]{8}', 12),
        (r'key(?=\s{0,3}")', 7),  # what the match spans, and what its lookahead reads past it
        (r'key=[a-z]{1,200}|token', 204),
        (r'key=[a-z]+', -1),  # no top: searched at most LONG_LINE_WIDTH on a long line
        (r'key(?=[ \t]*")', -1),  # a lookahead stopped only at the line's end
    ],
)
def test_width_is_the_most_a_match_and_its_lookaheads_read(pattern: str, width: int) -> None:
    found = reach(pattern)
    assert found is not None
    assert found.width == width


def test_every_rule_gets_its_bound_on_this_python() -> None:
    """The walk reads re's private parse tree: a Python whose tree changed would make every reach None
    (a whole-text search: slower, never a finding missed). This fails instead of slowing scans in silence."""
    from guard.rules import CONTENT_RULES
    from guard.rules.shape import walked

    unbounded = [r.id for r in CONTENT_RULES if walked(r.pattern, (), r.flags) is None]
    assert len(unbounded) <= 2, unbounded  # today: the two whose matches may span any number of lines


def test_the_shipped_catalog_is_what_the_registry_says_of_every_rule() -> None:
    """guard/rules/catalog.py is generated: a rule changed without regenerating it fails here, not in a scan.
    Each entry lists its rule's fields as the rule has them, and its reach as the walk gives it; loading
    the entry gives the registry's own rule."""
    from guard.rules import CONTENT_RULES
    from guard.rules import shape
    from guard.rules.catalog import ENTRIES

    assert (Path(shape.__file__).parent / 'catalog.py').read_text() == shape.table(), (
        'run: python -m guard.rules.shape > guard/rules/catalog.py'
    )
    assert [entry.id for entry in ENTRIES] == [rule.id for rule in CONTENT_RULES]
    for entry, rule in zip(ENTRIES, CONTENT_RULES, strict=True):
        assert entry.load() is rule
        for name in ('category', 'keywords', 'keyword_tail', 'trigger', 'path_pattern', 'path_words', 'skip_paths'):
            assert getattr(entry, name) == getattr(rule, name), (rule.id, name)
        assert (entry.skip_words, entry.redact) == (rule.skip_words, rule.redact), rule.id
        assert entry.reach == rule.reach == shape.walked(rule.pattern, rule.keywords, rule.flags), rule.id


def test_a_clean_commit_imports_only_the_rule_modules_its_keywords_wake(tmp_path: Path) -> None:
    """The commit hook plans with the catalog: a commit whose text holds no keyword of a module's rules
    never imports that module (a fresh interpreter, as the hook runs)."""
    import subprocess
    import sys

    from guard.rules import CONTENT_MODULES

    script = (
        'import sys\n'
        'from guard.scan.scanner import Document, Scanner\n'
        'from guard.rules import categories\n'
        "findings, _ = Scanner(categories()).scan(Document('app/models.py', sys.argv[1]))\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('guard.rules.'))))\n"
    )
    text = 'def total(items):\n    return sum(item.price for item in items)\n'
    loaded = subprocess.run([sys.executable, '-c', script, text], capture_output=True, text=True, check=True)
    assert not set(loaded.stdout.split()) & set(CONTENT_MODULES), loaded.stdout
    woken = subprocess.run(
        [sys.executable, '-c', script, text + 'DB_PASSWORD = "Qz7kP2wXy9Lm4Rt"\n'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert 'guard.rules.secrets.generic' in woken.stdout.split(), woken.stdout
    assert 'guard.rules.secrets.cloud' not in woken.stdout.split(), woken.stdout


def test_a_rule_outside_the_registry_is_walked_even_under_a_registry_id() -> None:
    from guard.rules import CONTENT_RULES
    from guard.rules.base import Rule

    shipped = CONTENT_RULES[0]
    other = Rule(id=shipped.id, category='secret', severity='error', why='', fix='', pattern=r'key(?:\n[a-z]{4}){2}')
    assert other.reach is not None and other.reach.newlines == 2 and other.reach != shipped.reach


def test_a_surprise_from_the_parser_means_searching_the_whole_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stands in for a future Python whose private parser changed (it cannot run here)."""
    from guard.rules import shape

    def changed(pattern: str, flags: int = 0) -> object:
        raise AttributeError('no such tree')

    monkeypatch.setattr(shape.sre_parse, 'parse', changed)
    assert reach(r'key=[A-Za-z0-9]{8}') is None


# Patterns built from pieces the walk must bound correctly: literals, newlines, classes, dots under
# either DOTALL, bounded repeats, groups and alternations, lookarounds.
_PIECE = st.sampled_from(
    [
        'a',
        'k',
        r'\n',
        '.',
        r'\s',
        r'\S',
        '[^a]',
        '[a-z]',
        r'\d',
        r'\W',
        '(?s:.)',
        'x?',
        '(?=a)',
        r'(?=\s)',
        r'(?<=\n)',
        '(?:a|\n)',
        r'\b',
    ]
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(_PIECE, min_size=1, max_size=5))
    out = []
    for piece in pieces:
        if draw(st.booleans()):
            low = draw(st.integers(0, 2))
            piece = f'(?:{piece}){{{low},{low + draw(st.integers(0, 2))}}}'
        out.append(piece)
    return ''.join(out)


@given(pattern=patterns(), dotall=st.booleans(), text=st.text(alphabet='ak\n \t1-', max_size=40))
@settings(max_examples=300, deadline=None)
def test_no_match_holds_more_newlines_than_the_reach_says(pattern: str, dotall: bool, text: str) -> None:
    flags = re.DOTALL if dotall else 0
    found = reach(pattern, flags)
    if found is None:
        return
    regex = re.compile(pattern, flags)
    for start in range(len(text) + 1):
        match = regex.match(text, start)
        if match:
            assert match.group().count('\n') <= found.newlines, (pattern, text, match)
            assert match.end() > match.start()  # a bounded reach is never given to a pattern matching ''
