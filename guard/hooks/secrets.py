"""`guard-secrets`: pre-commit hook for credentials (keys, tokens, database URLs with passwords) in staged files."""

from __future__ import annotations

from guard.hooks import runner as hook

HOOK_ID = 'guard-secrets'

main, console_main = hook.framework_entry_points(HOOK_ID)

if __name__ == '__main__':
    raise SystemExit(main())
