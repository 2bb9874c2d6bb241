"""gitignore patterns as regexes: pathspec translates each pattern, guard matches the regexes.

pathspec is the library for gitignore semantics. Its translation is done afresh in every process:
a translation kept between runs could, once damaged or planted, exclude every path from a scan.
Only a project that sets `exclude` (or runs purge, clean or restore) imports pathspec, and only for a
pattern with more than plain names in it: `docs/`, `/build`, `vendor/lib` are translated here, as
pathspec translates them (tests/gitignore_test.py holds the two to the same matches), because importing
pathspec 1.x (typing, dataclasses, its backends) cost a configured project's commit hook ~20 ms.
"""

from __future__ import annotations

from guard.errors import ConfigError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Callable


class PatternError(ConfigError):
    """A bad pattern. The message names the key, not the pattern: a value pasted into the wrong key may be a
    credential, so the caller quotes `pattern` masked (guard.excerpt.quoted), with `reason`."""

    def __init__(self, where: str, pattern: str, reason: str, detail: str = '') -> None:
        super().__init__(f'{where}: invalid pattern: {reason}')
        self.where = where
        self.pattern = pattern
        self.reason = reason
        self.detail = detail  # pathspec's own words, which may quote the pattern: for a caller to mask

    def shown(self, quoted: Callable[[str], str], masked: Callable[[str], str]) -> str:
        """The message with the pattern and pathspec's words as `quoted` and `masked` show them."""
        return f'{self.where}: invalid pattern {quoted(self.pattern)}: {masked(self.detail) if self.detail else self.reason}'


def pattern_regex(text: str, where: str) -> tuple[str | None, bool]:
    """(regex, include) for one pattern: include is False for a `!` pattern; the regex is None for
    a blank line or a comment. A bad pattern is a PatternError naming `where` (a config key)."""
    if _unclosed_class(text):
        # git's wildmatch gives up on such a pattern (it never matches); pathspec would read the [ literally.
        raise PatternError(where, text, "'[' opens a character class that is never closed")
    literal = _literal_regex(text)
    if literal is not None:
        return literal, True
    return _translate(text, where)


# Characters of a plain name: no wildcard (`*?[`), escape, space, negation or comment mark.
_PLAIN = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-')


def _literal_regex(text: str) -> str | None:
    """The regex of a pattern made of plain names joined by `/`, or None for any other pattern.

    gitignore's rules for it: a `/` at the start or in the middle anchors it at the root, otherwise it
    matches at any depth; a `/` at the end matches only a folder (what is below it), otherwise a file too.
    """
    body = text[1:] if text.startswith('/') else text
    folder = body.endswith('/')
    body = body[:-1] if folder else body
    names = body.split('/')
    if not body or any(name in ('', '.', '..') or not set(name) <= _PLAIN for name in names):
        return None
    import re

    anchored = text.startswith('/') or len(names) > 1
    return ('^' if anchored else '^(?:.+/)?') + re.escape(body) + ('/' if folder else '(?:/|$)')


def _unclosed_class(pattern: str) -> bool:
    """Whether a `[` starts a class no `]` ends, read as git's wildmatch reads classes: a backslash
    escapes the next character, and a `]` right after `[` (or `[!`, `[^`) is a member, not the end."""
    i = 0
    while i < len(pattern):
        if pattern[i] == '\\':
            i += 2
            continue
        if pattern[i] == '[':
            i += 1
            if pattern[i : i + 1] in ('!', '^'):
                i += 1
            if pattern[i : i + 1] == ']':
                i += 1
            while i < len(pattern) and pattern[i] != ']':
                i += 2 if pattern[i] == '\\' else 1
            if i >= len(pattern):
                return True
        i += 1
    return False


def _translate(text: str, where: str) -> tuple[str | None, bool]:
    import re

    try:
        from pathspec.patterns.gitignore.basic import GitIgnoreBasicPattern as Pattern
    except ImportError:  # pathspec < 1.0
        from pathspec.patterns.gitwildmatch import GitWildMatchPattern as Pattern
    try:
        pattern = Pattern(text)
    except Exception as e:  # pathspec raises its own GitIgnorePatternError (a ValueError) or TypeError
        raise PatternError(where, text, 'not a gitignore pattern', str(e)) from None
    if pattern.include is None or pattern.regex is None:
        return None, True  # blank line or comment
    # Older pathspec names a group; groups cannot repeat inside one combined regex.
    return re.sub(r'\(\?P<\w+>', '(', pattern.regex.pattern), bool(pattern.include)
