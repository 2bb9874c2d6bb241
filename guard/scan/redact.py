"""How a secret is shown: never whole. A few leading characters so a person can tell which one."""
from __future__ import annotations

MASK = '*'


def mask(value: str) -> str:
    """`ghp_AbCd…` -> `ghp_********`: at most 4 characters, fewer for short values, then a fixed mask.

    The mask length does not depend on the secret, so it does not reveal the length either.
    """
    shown = min(4, len(value) // 4)
    return value[:shown] + MASK * 8


def mask_spans(line: str, spans: list[tuple[int, int]]) -> str:
    """Replace each (start, end) span of `line` with its masked form; spans may overlap."""
    out = []
    pos = 0
    for start, end in sorted(spans):
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(line[pos:start])
        out.append(mask(line[start:end]))
        pos = end
    out.append(line[pos:])
    return ''.join(out)
