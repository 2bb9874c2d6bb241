"""The stock-password rule: a service's well-known default password in a deploy file.

`POSTGRES_PASSWORD: postgres`, `MYSQL_ROOT_PASSWORD=root`, `RABBITMQ_DEFAULT_PASS: guest`. Elsewhere a
bare word like these stands in for a password (the generic rule's placeholders: `password = "admin"`
in a README), but in a compose file, an env file or a Dockerfile it is the password the service runs
with, and the first one anyone tries. Many teams keep it for a local stack on purpose, so it is a note:
shown by `guard scan` and in the hook's output, blocking only with `fail-on = "note"`.
"""

from __future__ import annotations

from guard.rules.base import Rule
from guard.rules.secrets.generic import names_a_secret

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

# The passwords images and installers ship with or document, and the ones people type first.
_STOCK = (
    'postgres|postgresql|mysql|mariadb|root|admin|administrator|password|passwd|pass|secret|changeme|change_me'
    '|guest|redis|mongo|mongodb|rabbitmq|elastic|oracle|default|letmein|welcome|test|testing|demo|user|dev'
)
_PATTERN = (
    r'(?im)(?P<name>\b[\w.\-]{0,60}?(?:passw(?:or)?d|pass|pwd)[\w.\-]{0,40}?)["\']?[ \t]*+[:=][ \t]*+'
    r'(?P<q>["\']?)(?P<value>(?:' + _STOCK + r'))(?P=q)[ \t]*+(?:[#,}\]]|$)'
)
# Compose files, env files, Dockerfiles: what a deployment runs with (`.env.example` is a template).
_DEPLOY_FILES = r'(?i)(?:^|/)(?:(?:docker-)?compose[^/]*\.ya?ml|\.env(?:\.(?!(?:example|sample|template|dist|tpl)$)[^/]*)?|[^/]*\.env|Dockerfile[^/]*|[^/]*\.dockerfile)$'


def _not_a_password_name(match: re.Match[str], text: str) -> str | None:
    return None if names_a_secret(match['name']) else 'not a password setting'


RULES = (
    Rule(
        id='stock-password',
        category='secret',
        severity='note',
        why="A service's well-known default password in a deploy file: the first password anyone tries.",
        fix='Set a generated password from a secret (compose `secrets:`, an untracked .env), at least on anything '
        'reachable from another machine.',
        pattern=_PATTERN,
        keywords=('pass', 'pwd'),
        filters=(_not_a_password_name,),
        path_pattern=_DEPLOY_FILES,
        path_words=('compose', '.env', 'dockerfile'),
        examples_bad=(
            '      POSTGRES_PASSWORD: postgres',
            'MYSQL_ROOT_PASSWORD=root',
            '      - RABBITMQ_DEFAULT_PASS=guest',
            'ENV DB_PASSWORD=changeme',
        ),
        examples_good=(
            '      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}',
            '      POSTGRES_USER: postgres',
            '      POSTGRES_PASSWORD_FILE: /run/secrets/db',
            '      POSTGRES_PASSWORD: postgres-Tr4der-2024',
        ),
    ),
)
