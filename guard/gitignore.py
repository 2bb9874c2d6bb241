"""gitignore patterns as regexes: pathspec translates each pattern, guard matches the regexes.

pathspec is the library for gitignore semantics. Its translation is done afresh in every process:
a translation kept between runs could, once damaged or planted, exclude every path from a scan.
Only a project that sets `exclude` (or runs purge, clean or restore) imports pathspec.
"""

from __future__ import annotations

from guard.errors import ConfigError


def pattern_regex(text: str, where: str) -> tuple[str | None, bool]:
    """(regex, include) for one pattern: include is False for a `!` pattern; the regex is None for
    a blank line or a comment. A bad pattern is a ConfigError naming `where` (a config key)."""
    if _unclosed_class(text):
        # git's wildmatch gives up on such a pattern (it never matches); pathspec would read the [ literally.
        raise ConfigError(f"{where}: invalid pattern {text!r}: '[' opens a character class that is never closed")
    return _translate(text, where)


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
        raise ConfigError(f'{where}: invalid pattern {text!r}: {e}') from None
    if pattern.include is None or pattern.regex is None:
        return None, True  # blank line or comment
    # Older pathspec names a group; groups cannot repeat inside one combined regex.
    return re.sub(r'\(\?P<\w+>', '(', pattern.regex.pattern), bool(pattern.include)
