"""`guard-secrets`: pre-commit hook for credentials (keys, tokens, database URLs with passwords) in staged files."""
from __future__ import annotations

from collections.abc import Sequence

from guard.cli import hook

HOOK_ID = 'guard-secrets'


def main(argv: Sequence[str] | None = None) -> int:
    return hook.run_files(HOOK_ID, argv)


if __name__ == '__main__':
    raise SystemExit(main())
