"""insecure-default-secret: a credential given as the fallback of an environment lookup.

The defaults are generated, real-looking and placeholder alike: the rule reports both, since a
placeholder default is the password every deploy without the variable shares.
"""

from __future__ import annotations

import json
from pathlib import Path
from secrets import choice
from secrets import token_hex

import pytest

from guard.rules import RULES
from guard.rules.secrets.generic import names_a_secret
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner
from tests.support import run_guard
from tests.support import write

SCANNER = Scanner(RULES)
RULE = 'insecure-default-secret'


def _name() -> str:
    return choice(
        (
            'DB_PASSWORD',
            'AUTH_JWT_SECRET',
            'JWT_SECRET',
            'API_TOKEN',
            'STRIPE_API_KEY',
            'POSTGRES_PASSWORD',
            'SESSION_SECRET',
            'REDIS_PASS',
            'SECRET_KEY',
        )
    )


def _default() -> str:
    return choice(
        (
            f'rec_io_{token_hex(3)}',
            f'INSECURE_DEV_SECRET_{token_hex(2).upper()}_CHANGE_IN_PRODUCTION',
            f'trader{int(token_hex(2), 16)}',
            f'{token_hex(6)}',
            'changeme',
            f'Mock{token_hex(3)}#',
        )
    )


FORMS = [
    # (path, template): `{n}` the variable, `{d}` its default
    ('app/settings.py', 'DB_PASSWORD = os.getenv("{n}", "{d}")'),
    ('app/settings.py', "SECRET = os.environ.get('{n}', '{d}')"),
    ('app/settings.py', 'SECRET = os.environ.get("{n}", default="{d}")'),
    ('app/settings.py', 'os.environ.setdefault("{n}", "{d}")'),
    ('app/settings.py', 'JWT = os.getenv("{n}") or "{d}"'),
    ('app/settings.py', "SECRET_KEY = config('{n}', default='{d}')"),
    ('app/settings.py', "SECRET_KEY = env.str('{n}', default='{d}')"),
    ('scripts/start.sh', 'psql "postgresql://trader:${{{n}:-{d}}}@db/app"'),
    ('scripts/start.sh', 'export {n}="${{{n}-{d}}}"'),
    ('scripts/start.sh', ': "${{{n}:={d}}}"'),
    ('docker-compose.yml', 'services:\n  db:\n    environment:\n      {n}: ${{{n}:-{d}}}'),
    ('docker-compose.yml', 'services:\n  db:\n    environment:\n      - {n}=${{{n}:-"{d}"}}'),
    ('src/config.js', "const secret = process.env.{n} || '{d}';"),
    ('src/config.ts', 'export const secret = process.env.{n} ?? "{d}";'),
    ('src/config.js', 'const secret = process.env["{n}"] || `{d}`;'),
    ('config/app.rb', "password = ENV.fetch('{n}', '{d}')"),
    ('config/app.rb', "password = ENV['{n}'] || '{d}'"),
    ('public/index.php', "$password = $_ENV['{n}'] ?? '{d}';"),
    ('src/main/java/Db.java', 'String pw = System.getenv().getOrDefault("{n}", "{d}");'),
    ('src/main/resources/application.yml', 'spring:\n  datasource:\n    password: ${{{n}:{d}}}'),
]


@pytest.mark.parametrize(
    ('path', 'template'), FORMS, ids=[f'{p.rsplit("/", 1)[-1]}-{i}' for i, (p, _) in enumerate(FORMS)]
)
def test_every_insecure_default_form_is_a_finding(path: str, template: str) -> None:
    name, default = _name(), _default()
    text = template.format(n=name, d=default)
    line = text.count('\n', 0, text.index(default)) + 1
    findings, _ = SCANNER.scan(Document(path, f'{text}\n'))
    assert [(f.rule, f.line) for f in findings if f.category == 'secret'] == [(RULE, line)]
    assert all(default not in f.excerpt for f in findings)


def test_a_default_url_with_a_password_is_a_finding_whatever_the_variable_is_called() -> None:
    pw = f'S3cr3t{token_hex(3)}'
    text = f'DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://app:{pw}@localhost/app")\n'
    findings, _ = SCANNER.scan(Document('app/db.py', text))
    assert [f.rule for f in findings] == [RULE]


QUIET = [
    'PORT = os.getenv("PORT", "8000")',
    'password = os.getenv("DB_PASSWORD")',
    'password = os.environ["DB_PASSWORD"]',
    'token = os.getenv("API_TOKEN", "")',
    'token = os.getenv("API_TOKEN", None)',
    'key = os.getenv("SECRET_KEY", fallback)',
    'url = os.getenv("TOKEN_URL", "https://auth.internal/token")',
    'ttl = os.getenv("TOKEN_TTL", "3600")',
    'use = os.getenv("USE_TOKEN", "false")',
    'path = os.getenv("SECRET_KEY_FILE", "/run/secrets/key")',
    'host = process.env.DB_HOST || "localhost"',
    'const k = process.env.PUBLIC_KEY || "pk_abc"',
    'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}',
    'password: ${DB_PASSWORD}',
    'echo "${PASSWORD:+set}"',
    'pw = "${DB_PASSWORD:-$FALLBACK_PASSWORD}"',
    'x="${SECRET_TOKEN:0:4}"',
    'SECRET_KEY = env("SECRET_KEY", str)',
    'user = os.getenv("DB_USER", "trader")',
    'DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://localhost/app")',
]


@pytest.mark.parametrize('text', QUIET, ids=range(len(QUIET)))
def test_non_credential_defaults_and_lookups_without_a_default_are_quiet(text: str) -> None:
    findings, _ = SCANNER.scan(Document('app/settings.py', text + '\n'))
    assert [f.rule for f in findings if f.category == 'secret'] == []


def test_the_fix_says_to_fail_at_start_up() -> None:
    rule = RULES[RULE]
    assert 'os.environ["DB_PASSWORD"]' in rule.fix and ':?' in rule.fix


@pytest.mark.parametrize(
    ('name', 'expected'),
    [
        ('DB_PASSWORD', True),
        ('jwtSecret', True),
        ('STRIPE_API_KEY', True),
        ('REDIS_PASS', True),
        ('TOKEN_URL', False),
        ('PUBLIC_KEY', False),
        ('KEY', False),
        ('PORT', False),
        ('CACHE_KEY', False),
        ('PASSWORD_FILE', False),
    ],
)
def test_names_a_secret(name: str, expected: bool) -> None:
    assert names_a_secret(name) is expected


def test_a_real_scan_reports_the_default_masked_with_its_fix(tmp_path: Path) -> None:
    default = f'rec_io_{token_hex(4)}'
    write(tmp_path, 'app/settings.py', f'import os\nDB_PASSWORD = os.getenv("DB_PASSWORD", "{default}")\n')
    result = run_guard('scan', tmp_path, '--format', 'json', '--no-baseline', cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert default not in result.stdout and default[4:] not in result.stdout
    [finding] = json.loads(result.stdout)['findings']
    assert (finding['rule'], finding['line'], finding['category']) == (RULE, 2, 'secret')
    assert 'fail at start-up' in finding['fix']
