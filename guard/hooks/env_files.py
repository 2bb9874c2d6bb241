"""`guard-env-files`: pre-commit hook for `.env`-style files with values (templates such as .env.example pass)."""
from __future__ import annotations

from collections.abc import Sequence

from guard.cli import hook

HOOK_ID = 'guard-env-files'


def main(argv: Sequence[str] | None = None) -> int:
    return hook.run_files(HOOK_ID, argv)


if __name__ == '__main__':
    raise SystemExit(main())
