"""`guard hook pre-push REMOTE URL`: the standalone git pre-push hook. Scans the commits being pushed,
as git lists them on stdin, so a secret committed with `--no-verify` still stops at the push."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from guard.hooks import runner as hook


def main(argv: Sequence[str] | None = None) -> int:
    return hook.run_push(argv, sys.stdin)


if __name__ == '__main__':
    raise SystemExit(main())
