"""Suppression predicates: inline markers, path excludes and disabled rules.

Markers other tools' users already have are honoured, so adopting guard needs no churn:
`guard: allow [rule-id|category …]`, detect-secrets' `pragma: allowlist secret` (and
`pragma: allowlist nextline secret` on the line above), gitleaks' `gitleaks:allow`.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence

from guard.errors import ConfigError
from guard.lazy_regex import LazyRegex

_GUARD_MARKER = LazyRegex(r'(?i)guard:\s*allow\b(?P<words>[ \t\w,.=:-]*)')
_SECRET_MARKERS = LazyRegex(r'(?i)pragma:\s*allowlist[ \t]+secret|gitleaks:allow')
_NEXTLINE_MARKER = LazyRegex(r'(?i)pragma:\s*allowlist[ \t]+nextline[ \t]+secret')
_MARKER_WORD_SEPARATOR = LazyRegex(r'[\s,=:]+')
# What every marker above starts with, folded the same way: a text without one allows nothing.
_ANY_MARKER = LazyRegex(r'(?i)guard:|pragma:|gitleaks:allow')


def may_allow(text: str) -> bool:
    """Whether any line of `text` may hold an inline marker (a deny list's 40,000 lines need not each be read)."""
    return _ANY_MARKER.search(text) is not None


def inline_allowed(line: str, previous_line: str, rule_id: str, category: str, known: Iterable[str]) -> bool:
    """True when the line (or, for detect-secrets' nextline marker, the line above) allows this finding."""
    marker = _GUARD_MARKER.search(line)
    if marker:
        named = {w for w in _MARKER_WORD_SEPARATOR.split(marker['words'].lower()) if w in known}
        if not named or rule_id in named or category in named:
            return True
    if category == 'secret':
        return bool(_SECRET_MARKERS.search(line) or _NEXTLINE_MARKER.search(previous_line))
    return False


class PathFilter:
    """gitignore-style patterns for paths guard must not scan (`exclude`); the last pattern that
    matches decides, as in a .gitignore."""

    def __init__(self, patterns: Sequence[str]) -> None:
        compiled = []
        for text in patterns:
            from guard import gitignore  # pathspec is imported only by a project that sets `exclude`

            try:
                regex, include = gitignore.pattern_regex(text, 'exclude')
            except gitignore.PatternError as e:
                from guard.excerpt import masked

                raise ConfigError(e.shown(_quoted, masked)) from None
            if regex is not None:
                compiled.append((LazyRegex(regex), include))
        self._patterns = tuple(compiled)

    def excluded(self, path: str) -> bool:
        verdict = False
        for regex, include in self._patterns:
            if regex.match(path) is not None:
                verdict = include
        return verdict


def select_rules(names: Sequence[str], categories_by_id: Mapping[str, str], where: str) -> set[str]:
    """Expand rule ids and categories (from `disable` or `--only`) into rule ids; unknown names are errors."""
    categories = set(categories_by_id.values())
    unknown = [n for n in names if n not in categories_by_id and n not in categories]
    if unknown:
        raise ConfigError(
            f'{where}: unknown rule or category {_quoted(unknown[0])} (categories: {", ".join(sorted(categories))}; '
            f'`guard scan --list-rules` shows the rule ids)'
        )
    wanted = set(names)
    return {rule_id for rule_id, category in categories_by_id.items() if rule_id in wanted or category in wanted}


def _quoted(value: str) -> str:
    """A value a config error quotes back, masked (a credential pasted into the wrong key stays hidden)."""
    from guard.excerpt import quoted  # only on the error path

    return quoted(value)
