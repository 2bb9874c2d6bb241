"""The rule registry: every rule guard knows, by stable id. Explicit, never discovered at import.

The content rules' modules are named, in order, by CONTENT_MODULES and imported when first needed:
a scan plans with the catalog (guard/rules/catalog.py: each rule's id, category, keywords, paths
and reach, generated from the modules) and imports a module once one of its rules' keywords occurs.
`CONTENT_RULES` and `RULES` hold every rule: reading either imports every module.
"""

from __future__ import annotations

from guard.records import Record
from guard.rules import env_files
from guard.rules import secrets
from guard.rules import venv

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.rules.base import Rule

    CONTENT_RULES: tuple[Rule, ...]
    RULES: dict[str, Rule | PathRule]

CONTENT_MODULES = (*secrets.MODULES, 'guard.rules.network', 'guard.rules.machine_paths')


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


def categories() -> dict[str, str]:
    """Every rule's category by id, from the catalog: no rule module is imported."""
    from guard.rules.catalog import ENTRIES

    return {**{entry.id: entry.category for entry in ENTRIES}, **{rule.id: rule.category for rule in PATH_RULES}}


def __getattr__(name: str) -> object:
    if name not in ('CONTENT_RULES', 'RULES'):
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    content = globals().get('CONTENT_RULES') or _content_rules()
    globals().update(CONTENT_RULES=content, RULES={rule.id: rule for rule in (*content, *PATH_RULES)})
    return globals()[name]


def _content_rules() -> tuple[Rule, ...]:
    return tuple(rule for module in CONTENT_MODULES for rule in __import__(module, fromlist=['RULES']).RULES)
