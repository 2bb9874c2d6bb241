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
    old: set[str] = set()
    for before in replaced:
        old.update(line.strip() for line in before.split('\n'))
    return frozenset(number for number, line in enumerate(text.split('\n'), 1) if line.strip() not in old)
