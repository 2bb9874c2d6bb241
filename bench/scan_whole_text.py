"""`guard` with the prefilter's windows switched off: every candidate rule searches the whole text.

That is what the engine did before line windows (a rule ran on a file when one of its keywords
occurred anywhere in it). The report must be byte-identical to plain `guard`'s; only the time differs:

    .venv/bin/python bench/scan_whole_text.py scan "$PEERS_ROOT/corpus" --format json -o /tmp/whole.json
    .venv/bin/python -m guard scan "$PEERS_ROOT/corpus" --format json -o /tmp/windowed.json
    cmp /tmp/whole.json /tmp/windowed.json
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guard.cli import main  # noqa: E402
from guard.scan import prefilter  # noqa: E402

_windowed_plan = prefilter.Prefilter.plan


def _whole_text_plan(self: prefilter.Prefilter, text: str, path: str | None = None) -> prefilter.Plan:
    return [(rule, None) for rule, _ in _windowed_plan(self, text, path)]


if __name__ == '__main__':
    prefilter.Prefilter.plan = _whole_text_plan  # type: ignore[method-assign]
    raise SystemExit(main())
