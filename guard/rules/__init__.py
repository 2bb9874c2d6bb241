"""The rule registry: every rule guard knows, by stable id. Explicit, never discovered at import."""

from __future__ import annotations

from guard.records import Record
from guard.rules import env_files
from guard.rules import machine_paths
from guard.rules import network
from guard.rules import secrets
from guard.rules import venv
from guard.rules.base import Rule

CONTENT_RULES: tuple[Rule, ...] = (*secrets.RULES, *network.RULES, *machine_paths.RULES)


class PathRule(Record):
    """A rule judged from paths rather than text (listed for reports, SARIF and `disable`).

    Its fields are strings, as on a content Rule: the stable `id`, its `category`, its `severity`
    (note | warning | error), `why` it matters and how to `fix` it.
    """

    id: str
    category: str
    severity: str
    why: str
    fix: str


PATH_RULES: tuple[PathRule, ...] = (
    PathRule(venv.ROOT_RULE, venv.CATEGORY, 'error', venv.WHY, venv.FIX_DISK),
    PathRule(
        venv.NESTED_RULE,
        venv.CATEGORY,
        'error',
        'A committed Python environment bloats the repository and breaks other machines.',
        'Add it to .gitignore and run `git rm -r --cached <dir>`.',
    ),
    PathRule(env_files.RULE_ID, env_files.CATEGORY, 'error', env_files.WHY, env_files.FIX),
)

_ALL: tuple[Rule | PathRule, ...] = (*CONTENT_RULES, *PATH_RULES)
RULES: dict[str, Rule | PathRule] = {r.id: r for r in _ALL}
