"""`guard-hardcoded-ip`: pre-commit hook for hardcoded IP addresses and paths into one user's home directory."""

from __future__ import annotations

from guard.hooks import runner as hook

HOOK_ID = 'guard-hardcoded-ip'

main, console_main = hook.framework_entry_points(HOOK_ID)

if __name__ == '__main__':
    raise SystemExit(main())
