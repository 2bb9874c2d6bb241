"""Which lines of a file a change adds: what the commit and push hooks judge (issue 18).

A line is added when its text, leading and trailing whitespace aside, is in none of the versions it
replaces. So a line moved within the file, re-indented or re-saved with CRLF endings is not new,
and a line that was there but whose secret changed is. The file is still scanned whole and the
findings are then kept by line (Document.lines): a private key block, a multi-line call or a filter
that reads the rest of the file see what a full scan sees, which blanking the old lines would hide.
"""

from __future__ import annotations

from collections.abc import Sequence


def added_line_numbers(text: str, replaced: Sequence[str]) -> frozenset[int]:
    """The 1-based numbers of the lines of `text` found in none of the `replaced` texts."""
    lines = text.split('\n')
    old: set[str] = set()
    for before in replaced:
        old.update(before.split('\n'))
    # Set operations and map() run in C: a history scan does this for every changed blob. Whitespace
    # is looked at only for the few lines that are not found as they are.
    novel = set(lines).difference(old)
    if novel:
        stripped = set(map(str.strip, old))
        novel = {line for line in novel if line.strip() not in stripped}
    if not novel:
        return frozenset()
    return frozenset(number for number, line in enumerate(lines, 1) if line in novel)
