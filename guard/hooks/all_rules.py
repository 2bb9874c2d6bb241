"""`guard`: pre-commit hook running every rule on the staged files (venvs, secrets, env files, IPs, home paths)."""
from __future__ import annotations

from collections.abc import Sequence

from guard.cli import hook

HOOK_ID = 'guard'


def main(argv: Sequence[str] | None = None) -> int:
    return hook.run_files(HOOK_ID, argv)


if __name__ == '__main__':
    raise SystemExit(main())
