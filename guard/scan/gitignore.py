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

