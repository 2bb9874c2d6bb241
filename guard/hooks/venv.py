"""`guard-venv`: pre-commit hook for Python environments being committed, in the root or in a subfolder."""
from __future__ import annotations

from collections.abc import Sequence

from guard.cli import hook

HOOK_ID = 'guard-venv'


def main(argv: Sequence[str] | None = None) -> int:
    return hook.run_files(HOOK_ID, argv)


if __name__ == '__main__':
    raise SystemExit(main())
