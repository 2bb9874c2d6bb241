"""`guard-secrets`: pre-commit hook for credentials (keys, tokens, database URLs with passwords) in staged files."""
from __future__ import annotations

from collections.abc import Sequence

from guard.cli import exit_fast
from guard.cli import hook

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from typing import NoReturn

HOOK_ID = 'guard-secrets'


def main(argv: Sequence[str] | None = None) -> int:
    return hook.run_files(HOOK_ID, argv)


def console_main() -> NoReturn:
    """The console script pre-commit runs: `main()`, then a fast exit (see guard.cli.exit_fast)."""
    exit_fast(main())


if __name__ == '__main__':
    raise SystemExit(main())
