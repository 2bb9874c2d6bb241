"""Secret rules: credentials in code and config. Every value they match is redacted in output."""
from __future__ import annotations

import re

from guard.rules.base import Rule

FIX_ROTATE = 'Rotate it now (it is in git history), then read it from the environment or a secret manager.'


def _placeholder_password(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    if value.startswith(('$', '{', '<', '%')) or value.lower() in ('password', 'pass', 'secret', 'changeme', '***', 'xxx'):
        return 'placeholder'
    return None


RULES = (
    Rule(
        id='database-url-password', category='secret', severity='error',
        why='A database URL with an inline password gives anyone who reads it full access to the database.',
        fix='Remove the password from the URL and read the whole URL from an environment variable (DATABASE_URL).',
        pattern=r'(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|oracle|clickhouse)'
                r'(?:\+\w+)?://[^\s:/@"\']+:(?P<value>[^\s@/"\']{3,})@[^\s"\']+',
        keywords=('://',), filters=(_placeholder_password,),
        examples_bad=('DATABASE_URL=postgresql://app:Zq8v2LmP9x@db.internal:5432/prod',),
        examples_good=('DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/prod', 'url = os.getenv("DATABASE_URL")'),
    ),
    Rule(
        id='aws-access-key-id', category='secret', severity='error',
        why='An AWS access key id, usually next to its secret key, opens the account it belongs to.',
        fix=FIX_ROTATE,
        pattern=r'\b(?P<value>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b', keywords=('akia', 'asia', 'abia', 'acca'),
        filters=(lambda m, t: 'documented example key' if m['value'].endswith('EXAMPLE') else None,),
        examples_bad=('aws_access_key_id = AKIAZ2RJ7QWNPL4XT3VB',),
        examples_good=('aws_access_key_id = AKIAIOSFODNN7EXAMPLE',),
    ),
)
