"""`guard-env-files`: pre-commit hook for `.env`-style files with values (templates such as .env.example pass)."""

from __future__ import annotations

from guard.hooks import runner as hook

HOOK_ID = 'guard-env-files'

main, console_main = hook.framework_entry_points(HOOK_ID)

if __name__ == '__main__':
    raise SystemExit(main())
