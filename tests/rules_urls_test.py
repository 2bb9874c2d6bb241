"""Database and broker URLs in all their forms, and `password=` in JDBC, libpq and ODBC connection strings.

Every password is generated (a random part around a common word), so no fixed string passes by accident.
"""

from __future__ import annotations

from secrets import choice
from secrets import token_hex

import pytest

from guard.rules import CONTENT_RULES
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

SCANNER = Scanner([r.id for r in CONTENT_RULES if r.category == 'secret'])


def _password() -> str:
    word = choice(('S3cr3t', 'Mock', 'your', 'sample', 'Trader', 'Redis'))
    return f'{word}{token_hex(4)}{choice("!~*")}{token_hex(1)}'


URL_FORMS = [
    # (rule, path, template)
    ('database-url-password', '.env', 'DB_URL=postgresql://trader:{pw}@192.168.86.42:5432/mt5_crs'),
    ('database-url-password', '.env', 'REDIS_URL=redis://:{pw}@192.168.86.43:6379/0'),
    ('database-url-password', '.env', 'REDIS_URL=rediss://:{pw}@cache.internal:6380/0'),
    ('database-url-password', 'app/celery.py', 'broker_url = "rediss://default:{pw}@cache.internal:6380/1"'),
    (
        'database-url-password',
        'config.yaml',
        'mongo: mongodb+srv://svc:{pw}@cluster0.internal.net/app?retryWrites=true',
    ),
    ('database-url-password', 'config.yaml', 'broker: amqps://app:{pw}@mq.internal:5671/vhost'),
    ('database-url-password', 'config.yaml', 'broker: amqp://:{pw}@mq.internal//'),
    ('database-url-password', 'app/db.py', 'engine = create_engine("postgresql+psycopg2://app:{pw}@db.internal/app")'),
    ('database-url-password', 'app/db.py', 'engine = create_engine("mysql+pymysql://root:{pw}@10.0.3.17/orders")'),
    ('database-url-password', 'alembic.ini', 'sqlalchemy.url = postgresql://app:{pw}@/app?host=/run/postgresql'),
    ('database-url-password', 'alembic.ini', 'sqlalchemy.url = postgresql://app:{pw}@%2Frun%2Fpostgresql/app'),
    (
        'database-url-password',
        'app.properties',
        'spring.datasource.url=jdbc:postgresql://app:{pw}@db.internal:5432/app',
    ),
    (
        'connection-string-password',
        'app.properties',
        'spring.datasource.url=jdbc:postgresql://db.internal:5432/app?user=app&password={pw}',
    ),
    (
        'connection-string-password',
        'app.properties',
        'url=jdbc:mysql://db.internal/shop?user=app&password={pw}&useSSL=true',
    ),
    (
        'connection-string-password',
        'App.config',
        '<add name="Db" connectionString="jdbc:sqlserver://sql.internal;databaseName=shop;user=app;password={pw};" />',
    ),
    (
        'connection-string-password',
        'app/db.py',
        'conn = psycopg2.connect("host=db.internal port=5432 user=app password={pw} dbname=app")',
    ),
    ('connection-string-password', 'app/db.py', 'DSN = "host=/run/postgresql dbname=app user=app password=\'{pw}\'"'),
    (
        'connection-string-password',
        'appsettings.json',
        '"Default": "Server=sql.internal;Database=shop;User Id=app;Password={pw};"',
    ),
    ('connection-string-password', 'odbc.ini', 'ConnStr = Driver={{PostgreSQL}};Server=db.internal;Uid=app;Pwd={pw};'),
]


@pytest.mark.parametrize(
    ('rule', 'path', 'template'),
    URL_FORMS,
    ids=[t.split('=')[0][:30] + str(i) for i, (_, _, t) in enumerate(URL_FORMS)],
)
def test_every_url_and_connection_string_form_is_a_secret_on_its_line(rule: str, path: str, template: str) -> None:
    pw = _password()
    text = f'# settings\n{template.format(pw=pw)}\n'
    findings, _ = SCANNER.scan(Document(path, text))
    assert [(f.rule, f.line) for f in findings] == [(rule, 2)]
    assert pw not in findings[0].excerpt and pw[4:] not in findings[0].excerpt


QUIET = [
    # placeholders and references in the password's place
    'DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app',
    'REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379/0',
    'REDIS_URL=redis://:password@localhost:6379/0',
    'REDIS_URL=redis://:changeme@localhost:6379/0',
    'url: postgresql://user:password@localhost/app',
    'url: mongodb+srv://user:<password>@cluster0.mongodb.net/app',
    'engine = create_engine("postgresql+psycopg2://scott:tiger@localhost/test")',
    'engine = create_engine("mssql+pyodbc://scott:tiger^5HHH@mssql2017:1433/test")',
    'url=jdbc:postgresql://db/app?user=app&password=${DB_PASSWORD}',
    'url=jdbc:postgresql://db/app?user=app&password=',
    'dsn = f"host={host} user={user} password={password} dbname={db}"',
    'dsn = "host=%s password=%s" % (h, pw)',
    # not a connection string
    'conn = psycopg2.connect(host=host, user=user, password=password)',
    'export PGPASSWORD=$(pass show db)',
    'redis://localhost:6379/0',
    'see https://example.com/a:b@c',
    'postgresql:///app?host=/run/postgresql',
    'Pass password=... to connect.',
]


@pytest.mark.parametrize('text', QUIET, ids=range(len(QUIET)))
def test_placeholders_references_and_non_connection_strings_are_quiet(text: str) -> None:
    findings, _ = SCANNER.scan(Document('app/settings.py', text))
    assert [(f.rule, f.line) for f in findings] == []


@pytest.mark.parametrize(
    ('path', 'line'),
    [
        ('app/db.py', 'engine = create_engine(f"postgresql://app:{pw}@{DB_HOST}:5432/orders")'),
        ('app/db.py', 'BROKER = "amqp://app:{pw}@{}:5672//".format(host)'),
        ('src/db.js', 'const url = `postgresql://app:{pw}@${process.env.DB_HOST}/orders`;'),
        ('docker-compose.yml', '      DATABASE_URL: postgresql://app:{pw}@${DB_HOST}:5432/orders'),
        ('templates/db.yml.j2', 'url: postgresql://app:{pw}@{{ db_host }}:5432/orders'),
        ('config/db.rb', 'url = "postgresql://app:{pw}@#{host}/orders"'),
    ],
)
@pytest.mark.parametrize('pw', ['postgres123', 'Zx81kq!a9', 'Tr4der2024'])
def test_a_password_before_a_templated_host_is_found(path: str, line: str, pw: str) -> None:
    """Attack 16 finding 02: the host is a template's field, the password is as written."""
    text = line.replace('{pw}', pw) + '\n'
    findings, _ = SCANNER.scan(Document(path, text))
    assert any(f.category == 'secret' for f in findings), text
    assert all(pw not in f.excerpt for f in findings)
