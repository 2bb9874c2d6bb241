"""A large text cut into windows that overlap, so it is scanned in bounded memory with true line numbers.

Each window owns a stretch of the text (cut after a line end when the stretch holds one) and also
holds the `overlap` characters after it: a match that starts in the stretch and crosses into the
next one is still whole. Only matches starting in its own stretch count, so none is reported twice.
A window also starts with the line before its stretch (context for `guard: allow` markers on the
line above). Lines longer than a window are cut inside; the next window then starts with up to
`overlap` characters of that line before its stretch (context for a match that needs what precedes
it), and columns stay true.
"""

from __future__ import annotations

from guard.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

    from guard.findings import Finding

SIZE = 1 << 20  # characters a window owns
# Characters of what follows it a window also holds: more than any secret (a 4096-bit PEM key is ~3.3 KB).
OVERLAP = 64 << 10
_LEAD_MAX = 4096  # the line before a window's stretch is included when it is no longer than this


class Window(Record):
    """A part of a text to scan: `text`, whose line 1 is the file's line `first_line` (shifted right by
    `first_column` characters when the window starts inside a line). Matches count when they start at or
    after `own_from` and before `own_to` ((line, column) in the window, 1-based; `own_to` None: the end)."""

    text: str
    first_line: int
    first_column: int
    own_from: tuple[int, int]
    own_to: tuple[int, int] | None

    def place(self, findings: Iterable[Finding], *, first: bool) -> list[Finding]:
        """The findings this window owns, at their place in the whole file; path-level ones in the `first` only."""
        placed = []
        for f in findings:
            if f.line is None:
                if first:
                    placed.append(f)
                continue
            at = (f.line, f.column or 0)
            if at < self.own_from or (self.own_to is not None and at >= self.own_to):
                continue
            column = f.column + self.first_column if f.line == 1 and f.column is not None else f.column
            placed.append(f._replace(line=f.line + self.first_line - 1, column=column))
        return placed


def windows(texts: Iterable[str], size: int = SIZE, overlap: int = OVERLAP) -> Iterator[Window]:
    """Cut the text given in pieces (`texts`) into windows owning about `size` characters each."""
    pieces = iter(texts)
    # `line`, `column`: where buf[0] is in the file. Before it, a window also holds either `lead` (the
    # whole line before, when buf starts a line) or `lead_in` (the start of the line buf goes on with).
    buf, line, column, lead, lead_in, ended = '', 1, 0, '', '', False
    while True:
        while not ended and len(buf) < size + overlap:
            piece = next(pieces, None)
            if piece is None:
                ended = True
            else:
                buf += piece
        lead_lines = 1 if lead else 0
        own_from = (1 + lead_lines, 1 + len(lead_in))
        first_column = 0 if lead else column - len(lead_in)
        if ended and len(buf) <= size + overlap:
            yield Window(lead + lead_in + buf, line - lead_lines, first_column, own_from, None)
            return
        cut = buf.rfind('\n', 0, size) + 1 or size  # after the last line end in the stretch, or inside a long line
        owned = buf[:cut]
        newlines = owned.count('\n')
        tail = len(owned) - owned.rfind('\n') - 1  # characters after the last line end
        own_to = (1 + lead_lines + newlines, 1 + tail + (len(lead_in) if newlines == 0 else 0))
        yield Window(lead + lead_in + buf[: cut + overlap], line - lead_lines, first_column, own_from, own_to)
        if tail:  # cut inside a line: the next window goes on with it, after up to `overlap` of its start
            current = (lead_in + owned) if newlines == 0 else owned[owned.rfind('\n') + 1 :]
            column = (column if newlines == 0 else 0) + tail
            lead, lead_in = '', current[-overlap:]
        else:
            column = 0
            previous = owned[owned.rfind('\n', 0, len(owned) - 1) + 1 :]
            lead, lead_in = (previous if len(previous) <= _LEAD_MAX else ''), ''
        line += newlines
        buf = buf[cut:]
