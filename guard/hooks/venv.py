"""`guard-venv`: pre-commit hook for Python environments being committed, in the root or in a subfolder."""

from __future__ import annotations

from guard.hooks import runner as hook

HOOK_ID = 'guard-venv'

main, console_main = hook.framework_entry_points(HOOK_ID)

if __name__ == '__main__':
    raise SystemExit(main())
