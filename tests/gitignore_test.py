"""A plain pattern (`docs/`, `/build`, `vendor/lib`) is translated without pathspec, to the same matches."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard import gitignore

NAMES = st.sampled_from(['docs', 'a', 'b.c', 'x-y', 'build_1', '.venv', 'a.b', '.', '..', ''])
PATTERNS = st.builds(
    lambda lead, names, trail: lead + '/'.join(names) + trail,
    st.sampled_from(['', '/']),
    st.lists(NAMES, min_size=1, max_size=3),
    st.sampled_from(['', '/']),
)
PATHS = st.builds(
    lambda names, trail: '/'.join(names) + trail,
    st.lists(st.sampled_from(['docs', 'a', 'b.c', 'x-y', 'build_1', '.venv', 'a.b', 'other']), min_size=1, max_size=4),
    st.sampled_from(['', '/']),
)


@settings(max_examples=2000, deadline=None)
@given(pattern=PATTERNS, paths=st.lists(PATHS, min_size=1, max_size=8))
def test_a_plain_pattern_matches_what_pathspec_matches(pattern: str, paths: list[str]) -> None:
    fast = gitignore._literal_regex(pattern)
    if fast is None:
        return  # not plain: pathspec translates it
    slow, include = gitignore._translate(pattern, 'exclude')
    assert slow is not None and include
    for path in paths:
        assert (re.match(fast, path) is None) == (re.match(slow, path) is None), (pattern, path, fast, slow)


def test_plain_patterns_take_the_fast_path_and_others_do_not() -> None:
    for plain in ('docs/', '/build', 'vendor/lib', 'x.log', '.venv/'):
        assert gitignore._literal_regex(plain) is not None, plain
    for other in ('*.log', 'docs/**', '!keep', '# comment', 'a\\ b', 'a b', '', '/', './x', 'a//b', '[ab]'):
        assert gitignore._literal_regex(other) is None, other
