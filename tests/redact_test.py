"""The one scrubber (guard.redact.scrub): each credential form masked exactly, everything else unchanged.

Every password is generated with random parts around a common word, so no fixed string can pass by
accident; the expected line is built from the same value with `mask()`, the shape every output uses.
"""

from __future__ import annotations

import base64
from secrets import token_hex

import pytest

from guard.redact import is_credential_name
from guard.redact import mask
from guard.redact import scrub
from guard.redact import scrub_any


def password() -> str:
    return f'{token_hex(4)}S3cr3t{token_hex(2)}!'


# (text with {pw}, expected with {m} = mask(pw)); the same password fills both.
MASKED = [
    # URL userinfo, any scheme
    (
        'DB_URL=postgresql://trader:{pw}@192.168.86.42:5432/mt5_crs',
        'DB_URL=postgresql://trader:{m}@192.168.86.42:5432/mt5_crs',
    ),
    ('REDIS_URL=redis://:{pw}@192.168.86.43:6379/0', 'REDIS_URL=redis://:{m}@192.168.86.43:6379/0'),
    ('rediss://default:{pw}@cache:6380', 'rediss://default:{m}@cache:6380'),
    ('mongodb+srv://app:{pw}@cluster0.example.net/db', 'mongodb+srv://app:{m}@cluster0.example.net/db'),
    ('amqps://bus:{pw}@mq/vhost', 'amqps://bus:{m}@mq/vhost'),
    ('postgresql+psycopg2://u:{pw}@/db?host=/run/postgresql', 'postgresql+psycopg2://u:{m}@/db?host=/run/postgresql'),
    ("got list ['postgresql://u:{pw}@h/db']", "got list ['postgresql://u:{m}@h/db']"),
    ('"url": "mysql://root:{pw}@10.1.2.3/app"', '"url": "mysql://root:{m}@10.1.2.3/app"'),
    # env and shell
    ('DB_PASSWORD={pw}', 'DB_PASSWORD={m}'),
    ('SMTP_PASS={pw}', 'SMTP_PASS={m}'),
    ('STRIPE_KEY={pw}', 'STRIPE_KEY={m}'),
    ('signing.key: {pw}', 'signing.key: {m}'),
    ('export PGPASSWORD={pw}', 'export PGPASSWORD={m}'),
    ('PGPASSWORD={pw} psql -h db', 'PGPASSWORD={m} psql -h db'),
    ('AWS_SECRET_ACCESS_KEY="{pw}"', 'AWS_SECRET_ACCESS_KEY="{m}"'),
    ("GITHUB_TOKEN='{pw}'", "GITHUB_TOKEN='{m}'"),
    ('JWT_SECRET=${{JWT_SECRET:-{pw}}}', 'JWT_SECRET=${{JW********'),  # an insecure default is a value too
    # INI, YAML, TOML, JSON: a bare value at the start of a line runs to the end of the line or a comment
    ('password = {pw} and more', 'password = {m}'),
    ('  db_password: {pw}  # prod', '  db_password: {m}  # prod'),
    ('  - api_key: "{pw}"', '  - api_key: "{m}"'),
    ('client_secret = "{pw}"', 'client_secret = "{m}"'),
    ('{{"password": "{pw}", "host": "db"}}', '{{"password": "{m}", "host": "db"}}'),
    ("{{'passwd': '{pw}'}}", "{{'passwd': '{m}'}}"),
    # supervisor environment=, keyword arguments
    ('environment=HOST="db",DB_PASSWORD="{pw}",MODE="x"', 'environment=HOST="db",DB_PASSWORD="{m}",MODE="x"'),
    ('connect(host="db", password="{pw}")', 'connect(host="db", password="{m}")'),
    # libpq DSN, JDBC and other query strings
    ('host=db user=app password={pw} dbname=prod', 'host=db user=app password={m} dbname=prod'),
    ('dsn = "host=db password=\'{pw}\'"', 'dsn = "host=db password=\'{m}\'"'),
    (
        'jdbc:postgresql://db:5432/app?user=u&password={pw}&ssl=true',
        'jdbc:postgresql://db:5432/app?user=u&password={m}&ssl=true',
    ),
    ('jdbc:mysql://db/app?password={pw}', 'jdbc:mysql://db/app?password={m}'),
    ('https://api.example.com/v1?access_token={pw}&x=1', 'https://api.example.com/v1?access_token={m}&x=1'),
    # Go's MySQL DSN, curl -u, XML elements
    ('dsn := "app:{pw}@tcp(10.0.0.5:3306)/prod"', 'dsn := "app:{m}@tcp(10.0.0.5:3306)/prod"'),
    ('curl -u admin:{pw} https://api', 'curl -u admin:{m} https://api'),
    ("curl --user 'admin:{pw}' https://api", "curl --user 'admin:{m}' https://api"),
    ('<db_password>{pw}</db_password>', '<db_password>{m}</db_password>'),
    # Authorization headers
    ('Authorization: Bearer {pw}', 'Authorization: Bearer {m}'),
    ('curl -H "Authorization: token {pw}" https://api', 'curl -H "Authorization: token {m}" https://api'),
    ('proxy-authorization: Basic {pw}', 'proxy-authorization: Basic {m}'),
    ('X-Api-Key: {pw}', 'X-Api-Key: {m}'),
    # command-line options
    ('pg_dump --password={pw} --host db', 'pg_dump --password={m} --host db'),
    ('tool --token {pw} --verbose', 'tool --token {m} --verbose'),
    ('tool --api-key "{pw}"', 'tool --api-key "{m}"'),
]

UNCHANGED = [
    'plain text with nothing secret in it, host 192.168.86.42',
    'password = ""',
    "token = ''",
    'DB_PASSWORD=',
    'https://example.com/path?q=1&page=2',
    'https://user@example.com/repo.git',
    'postgresql://app@db:5432/prod',
    'redis://cache:6379/0',
    'password = os.environ["DB_PASSWORD"]',
    'token = get_token(service)',
    "api_key = settings['api_key']",
    'postgresql://app:***@db/prod',  # masked already (SQLAlchemy's form)
    'DB_PASSWORD=ab12********',  # masked already (guard's form)
    'primary_key = True',
    'sort_key: created_at',
    'public_key = "ssh-ed25519 AAAAC3Nz"',
    'passive_mode = 192.168.86.42',
    'keyboard = us',
    'the password must be changed every 90 days',
    'tool --verbose --token-file',
    'mail bob@example.com at 10:30, see <b>notes</b>',
    'curl -u "$USER" https://api',
]


@pytest.mark.parametrize(('template', 'expected'), MASKED)
def test_each_credential_form_is_masked(template: str, expected: str) -> None:
    secret = password()
    assert scrub(template.format(pw=secret)) == expected.format(m=mask(secret))


@pytest.mark.parametrize('text', UNCHANGED)
def test_text_without_a_credential_is_unchanged(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(('template', 'expected'), MASKED)
def test_scrub_is_idempotent(template: str, expected: str) -> None:
    once = scrub(template.format(pw=password()))
    assert scrub(once) == once


def test_a_password_with_an_at_sign_and_slash_is_hidden_whole() -> None:
    secret = f'{token_hex(3)}@{token_hex(3)}/{token_hex(3)}'
    shown = scrub(f'postgresql://app:{secret}@db/prod')
    assert shown == f'postgresql://app:{mask(secret)}@db/prod'
    for part in secret.split('@')[1:] + secret.split('/')[1:]:
        assert part not in shown


def test_basic_auth_header_hides_the_encoded_credentials() -> None:
    encoded = base64.b64encode(f'user:{password()}'.encode()).decode()
    assert encoded not in scrub(f'Authorization: Basic {encoded}')


def test_many_lines_each_masked() -> None:
    first, second = password(), password()
    text = f'x = 1\nexport TOKEN={first}\nredis://:{second}@cache\n'
    assert scrub(text) == f'x = 1\nexport TOKEN={mask(first)}\nredis://:{mask(second)}@cache\n'


def test_scrub_any_walks_structures_and_masks_credential_keys() -> None:
    secret, other = password(), password()
    detail = {
        'command': f'dump --password={secret} --token {other}',
        'auth': other,
        'count': 3,
        'nested': [{'api_key': secret}, 'ok', None],
        'ratio': 0.5,
    }
    assert scrub_any(detail) == {
        'command': f'dump --password={mask(secret)} --token {mask(other)}',
        'auth': mask(other),
        'count': 3,
        'nested': [{'api_key': mask(secret)}, 'ok', None],
        'ratio': 0.5,
    }


@pytest.mark.parametrize(
    ('name', 'expected'),
    [
        ('DB_PASSWORD', True),
        ('authToken', True),
        ('sslpassword', True),
        ('X-Api-Key', True),
        ('pwd', True),
        ('host', False),
        ('primary_key', False),
        ('port', False),
        ('user', False),
    ],
)
def test_credential_names(name: str, expected: bool) -> None:
    assert is_credential_name(name) is expected


def test_scrub_skips_only_texts_its_pattern_cannot_match() -> None:
    """scrub_spans passes over a text with none of `_SCRUB_MARKS`: over generated texts of the words, options and
    punctuation every alternative is made of, the pattern itself finds nothing in any such text, and scrub_spans
    finds exactly what the pattern does in every other one."""
    import random

    from guard import redact

    rng = random.Random(15)
    pieces = [
        'password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'db.key', 'authorization', 'bearer', 'basic',
        '-u', '--user', '--password', '-p', 'user', 'Qz7k9', 'x%y', '@', ':', '=', '=>', ':=', '<', '>', '</',
        '<password>', '</password>', '?', '&', ';', '#', '"', "'", '(', ')', '[', ' ', ' ', '\t', '://', 'h', '-', '.',
    ]  # fmt: skip
    for _ in range(4000):
        text = ''.join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        unmarked = not any(mark in text for mark in redact._SCRUB_MARKS)
        found = [m.span() for m in redact._SCRUB.finditer(text)]
        if unmarked:
            assert found == [], text
        expected = redact._userinfo_spans(text) if '@' in text else []
        for match in redact._SCRUB.finditer(text) if any(h in text.lower() for h in redact._HINTS) else ():
            for group in redact._VALUE_GROUPS:
                start, end = match.span(group)
                if start >= 0:
                    if redact.unmasked(text[start:end]):
                        expected.append((start, end))
                    break
        assert redact.scrub_spans(text) == expected, text
