"""Where an address or a home path is documentation, not configuration.

The ip and abs-path rules exist because such values break every other machine when code or config
uses them. In docs, examples and comments they only illustrate, so those rules stay quiet there.
"""
from __future__ import annotations

from guard.rules.lazy_regex import LazyRegex

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

# docs/, examples/, samples/, files named *example* / *sample*, and prose formats.
DOC_PATHS = (r'(?i)(?:^|/)(?:docs?|examples?|samples?)/|(?:^|/)[^/]*(?:example|sample)[^/]*$'
             r'|\.(?:md|markdown|rst|txt|adoc|html?)$')
_COMMENT_LINE = LazyRegex(r'(?i)\s*(?:#(?!!)|//|--\s|;|/?\*|<!--|rem\s)')


def in_comment(match: re.Match[str], text: str) -> str | None:
    """A filter: the match sits on a comment line or inside a triple-quoted string (a docstring)."""
    line_start = text.rfind('\n', 0, match.start()) + 1
    if _COMMENT_LINE.match(text, line_start):
        return 'in a comment'
    start = match.start()
    if text.count('"""', 0, start) % 2 or text.count("'''", 0, start) % 2:
        return 'in a docstring'
    return None
