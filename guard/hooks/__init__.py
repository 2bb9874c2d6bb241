"""Hook entry points, one module per hook id, each `main(argv) -> int` (the pre-commit-hooks shape).

The `guard*` ids are pre-commit framework hooks (.pre-commit-hooks.yaml; console scripts of the same
name, except `guard`, whose entry is `guard hook guard`). `pre-commit` and `pre-push` are the
standalone git hooks that the shims in hooks/ run. Modules stay tiny: guard/hooks/runner.py does the work.
"""

from __future__ import annotations

# Framework hook id -> the rule categories it runs (`guard` runs them all). SKIP=<id> drops them.
CONCERNS: dict[str, tuple[str, ...]] = {
    'guard-venv': ('venv',),
    'guard-secrets': ('secret',),
    'guard-env-files': ('env-file',),
    'guard-hardcoded-ip': ('ip', 'abs-path'),
}

# Hook id -> its module, for `guard hook <id>`.
MODULES: dict[str, str] = {
    'guard': 'guard.hooks.all_rules',
    'guard-venv': 'guard.hooks.venv',
    'guard-secrets': 'guard.hooks.secrets',
    'guard-env-files': 'guard.hooks.env_files',
    'guard-hardcoded-ip': 'guard.hooks.hardcoded_ip',
    'pre-commit': 'guard.hooks.pre_commit',
    'pre-push': 'guard.hooks.pre_push',
}
