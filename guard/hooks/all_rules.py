"""`guard`: pre-commit hook running every rule on the staged files (venvs, secrets, env files, IPs, home paths)."""

from __future__ import annotations

from guard.hooks import runner as hook

HOOK_ID = 'guard'

main, console_main = hook.framework_entry_points(HOOK_ID)

if __name__ == '__main__':
    raise SystemExit(main())
