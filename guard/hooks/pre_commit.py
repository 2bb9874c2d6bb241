"""`guard hook pre-commit`: the standalone git pre-commit hook. Scans the index, not the working tree."""

from __future__ import annotations

from collections.abc import Sequence

from guard.hooks import runner as hook


def main(argv: Sequence[str] | None = None) -> int:
    return hook.run_commit(argv)


if __name__ == '__main__':
    raise SystemExit(main())
