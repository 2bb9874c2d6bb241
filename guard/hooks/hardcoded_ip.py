"""`guard-hardcoded-ip`: pre-commit hook for hardcoded IP addresses and paths into one user's home directory."""
from __future__ import annotations

from collections.abc import Sequence

from guard.cli import hook

HOOK_ID = 'guard-hardcoded-ip'


def main(argv: Sequence[str] | None = None) -> int:
    return hook.run_files(HOOK_ID, argv)


if __name__ == '__main__':
    raise SystemExit(main())
