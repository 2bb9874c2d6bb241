"""The issue's `.env` and the same credentials in YAML, supervisor, shell, INI, TOML, JSON and Python files.

Each file also holds a hardcoded IP and a home path, the mess guard exists for: every password line
must be a `secret` finding of its own, whatever else the line or the file holds, and no output may
show the password. The passwords are generated around the words that used to pass for placeholders.
Real placeholders in templates (`.env.example`) and docs stay quiet.
"""

from __future__ import annotations

import json
from pathlib import Path
from secrets import choice
from secrets import token_hex

import pytest

from guard.rules import RULES
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner
from tests.support import run_guard
from tests.support import write

SCANNER = Scanner(RULES)
WORDS = ('S3cr3t', 'Mock', 'your', 'todo', 'insert', 'replace', 'sample', 'fake', 'hunter2', 'Secret', 'example')


def password(word: str) -> str:
    """A generated password around `word`; its symbol is one every format below carries unquoted."""
    return choice(
        (f'{token_hex(3)}{word}{token_hex(2)}{choice("!#%^*+~")}', f'{word.title()}{choice("#!%")}{token_hex(3)}')
    )


# name -> (path, template). `{pw}` lines are the secrets; `{ip}` and `{home}` are what else is there.
FORMATS = {
    'env': ('.env', 'DB_HOST={ip}\nDB_PASSWORD={pw}\nLOG_DIR={home}\n'),
    'yaml': ('config/settings.yaml', 'db:\n  host: {ip}\n  password: {pw}\n  data_dir: {home}\n'),
    'yaml-quoted': ('deploy/values.yml', 'postgres:\n  host: "{ip}"\n  password: "{pw}"\n  data_dir: "{home}"\n'),
    'supervisor': (
        'deploy/supervisord.conf',
        '[program:trader]\ncommand={home}/venv/bin/python run.py\n'
        'environment=DB_HOST="{ip}",DB_PASSWORD="{pw}",HOME="{home}"\n',
    ),
    'shell': (
        'scripts/backup.sh',
        '#!/bin/sh\nexport PGHOST={ip}\nexport PGPASSWORD={pw}\npg_dump -f {home}/dump.sql\n',
    ),
    'shell-quoted': ('scripts/run.sh', "cd {home}\nexport PGPASSWORD='{pw}'\npsql -h {ip}\n"),
    'ini': ('setup.cfg', '[database]\nhost = {ip}\npassword = {pw}\npath = {home}/data\n'),
    'toml': ('app.toml', '[database]\nhost = "{ip}"\npassword = "{pw}"\ncache = "{home}/cache"\n'),
    'json': ('config.json', '{{\n  "host": "{ip}",\n  "password": "{pw}",\n  "data": "{home}/data"\n}}\n'),
    'python': ('app/settings.py', 'DB_HOST = "{ip}"\nDB_PASSWORD = "{pw}"\nDATA_DIR = "{home}/data"\n'),
    'python-dict': ('app/config.py', 'DATABASE = {{"host": "{ip}", "password": "{pw}", "root": "{home}/db"}}\n'),
    # Issue 15b finding 08: a literal on an INI continuation line, triple-quoted or in parentheses; a .properties
    # key and value separated by a space; a name and its value as two entries of one record.
    'ini-continued': ('setup.cfg', '[database]\nhost = {ip}\npassword =\n    {pw}\npath = {home}/data\n'),
    'python-triple': ('app/db.py', 'conn = connect(host="{ip}", password="""{pw}""", sslroot="{home}/ca")\n'),
    'python-paren': ('app/settings.py', 'DB_HOST = "{ip}"\nDB_PASSWORD = (\n    "{pw}"\n)\nDATA_DIR = "{home}/data"\n'),
    'properties-space': (
        'src/main/resources/application.properties',
        'db.host {ip}\ndb.password {pw}\ndata.dir {home}/data\n',
    ),
    'k8s-env': (
        'deploy/deployment.yaml',
        'env:\n  - name: DB_HOST\n    value: "{ip}"\n  - name: DB_PASSWORD\n    value: "{pw}"\n'
        '  - name: DATA_DIR\n    value: {home}/data\n',
    ),
    # The second outside attack's everyday forms (15c findings 07, 18, 19, 22).
    'java-setter': (
        'src/Db.java',
        'ds.setUrl("jdbc:postgresql://{ip}/app");\nds.setPassword("{pw}");\nlog("{home}");\n',
    ),
    'java-setproperty': (
        'src/Db.java',
        'props.setProperty("host", "{ip}");\nprops.setProperty("password", "{pw}");\nprops.setProperty("dir", "{home}");\n',
    ),
    'python-config-set': (
        'app/cfg.py',
        'config.set("db", "host", "{ip}")\nconfig.set("db", "password", "{pw}")\nconfig.set("db", "dir", "{home}")\n',
    ),
    'terraform': (
        'infra/variables.tf',
        'variable "db_host" {{\n  default = "{ip}"\n}}\nvariable "db_password" {{\n  type      = string\n'
        '  sensitive = true\n  default   = "{pw}"\n}}\nvariable "home" {{ default = "{home}" }}\n',
    ),
    'odbc-braced': (
        'src/Db.cs',
        'var cs = "Server={ip};Database=x;User Id=sa;Pwd={{{pw};x}};";\nvar dir = "{home}";\n',
    ),
    'yaml-anchor': ('docker-compose.yml', 'db:\n  host: {ip}\n  password: &dbpw {pw}\n  data: {home}/data\n'),
    'xml-entry': (
        'app.xml',
        '<entry key="db.host">{ip}</entry>\n<entry key="db.password">{pw}</entry>\n<entry key="dir">{home}</entry>\n',
    ),
    'fish': ('config.fish', 'set -x DB_HOST {ip}\nset -gx DB_PASSWORD {pw}\nset -x DATA {home}/data\n'),
    'redis-conf': ('redis.conf', 'bind {ip}\nrequirepass {pw}\ndir {home}/redis\n'),
    'compose-requirepass': (
        'docker-compose.yml',
        'services:\n  cache:\n    command: redis-server --requirepass {pw} --replicaof {ip} 6379\n    volumes: [{home}/r:/data]\n',
    ),
    'json-escaped': ('appsettings.json', '{{"Host": "{ip}", "Password": "{pw}\\"x", "Dir": "{home}"}}\n'),
    'ecs-json': (
        'deploy/task.json',
        '{{"environment": [{{"name": "DB_HOST", "value": "{ip}"}}, {{"name": "DB_PASSWORD", "value": "{pw}"}}, '
        '{{"name": "DATA", "value": "{home}/d"}}]}}\n',
    ),
}


def _ip() -> str:
    return f'192.168.{int(token_hex(1), 16)}.{int(token_hex(1), 16) % 250 + 2}'


def _home() -> str:
    return f'/home/trader{token_hex(2)}/mt5'


def _secret_lines(path: str, text: str) -> dict[int, str]:
    findings, _ = SCANNER.scan(Document(path, text))
    return {f.line: f.rule for f in findings if f.category == 'secret'}


@pytest.mark.parametrize('word', WORDS)
@pytest.mark.parametrize('name', sorted(FORMATS))
def test_a_password_around_a_common_word_is_a_secret_in_every_format(name: str, word: str) -> None:
    path, template = FORMATS[name]
    pw = password(word)
    text = template.format(pw=pw, ip=_ip(), home=_home())
    line = next(i for i, row in enumerate(text.splitlines(), 1) if pw in row)
    findings, _ = SCANNER.scan(Document(path, text))
    assert line in _secret_lines(path, text), (text, [(f.rule, f.line) for f in findings])
    assert {'ip', 'abs-path'} <= {f.category for f in findings}  # the neighbours are still reported too
    assert all(pw not in f.excerpt and pw[4:] not in f.excerpt for f in findings)


def test_the_issues_env_file_gives_a_secret_finding_on_each_line_and_shows_no_password(tmp_path: Path) -> None:
    """The two lines from the issue, with generated passwords, as a real `guard scan` in every format."""
    db_pw = f'S3cr3t{token_hex(3)}Pw!'
    redis_pw = f'Rp{token_hex(4)}W7'
    write(
        tmp_path,
        '.env',
        f'DB_URL=postgresql://trader:{db_pw}@192.168.86.42:5432/mt5_crs\n'
        f'REDIS_URL=redis://:{redis_pw}@192.168.86.43:6379/0\n',
    )
    report = json.loads(run_guard('scan', tmp_path, '--format', 'json', '--no-baseline', cwd=tmp_path).stdout)
    by_line = {(f['line'], f['category']) for f in report['findings']}
    assert {(1, 'secret'), (1, 'ip'), (2, 'secret'), (2, 'ip')} <= by_line
    for fmt in ('text', 'json', 'sarif'):
        result = run_guard('scan', tmp_path, '--format', fmt, '--no-baseline', cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        for value in (db_pw, redis_pw):
            assert value not in result.stdout and value[4:] not in result.stdout


# Real placeholders, as templates and docs write them: quiet wherever they appear.
PLACEHOLDERS = (
    'changeme',
    'your-db-password-here',
    '<password>',
    '${DB_PASSWORD}',
    'xxxxxxxx',
    '********',
    'password',
    'secret',
    'example',
    'your_password',
    'CHANGE_ME',
    'dummy-password-1',
    'p@ssw0rd',
    's3cr3t',
)  # hunter2 is a weak password, no placeholder (issue 18)
TEMPLATES = {
    '.env.example': 'DB_HOST=localhost\nDB_PASSWORD={pw}\nDATABASE_URL=postgresql://app:{pw}@localhost:5432/app\n'
    'REDIS_URL=redis://:{pw}@localhost:6379/0\nJWT_SECRET={pw}\n',
    'docs/setup.md': 'Set the password first:\n\n    export PGPASSWORD={pw}\n    psql "postgresql://app:{pw}@localhost/app"\n\n'
    'or in `config.yaml`:\n\n    password: "{pw}"\n',
    'README.md': 'DSN: `host=localhost user=app password={pw} dbname=app`, JDBC: '
    '`jdbc:postgresql://localhost/app?user=app&password={pw}`\n',
    'deploy/supervisord.conf.sample': 'environment=DB_PASSWORD="{pw}"\n',
}


@pytest.mark.parametrize('placeholder', PLACEHOLDERS)
@pytest.mark.parametrize('path', sorted(TEMPLATES))
def test_real_placeholders_in_templates_and_docs_are_quiet(path: str, placeholder: str) -> None:
    text = TEMPLATES[path].format(pw=placeholder)
    assert _secret_lines(path, text) == {}


STOCK = ('postgres', 'root', 'admin', 'guest', 'changeme', 'password', 'mysql', 'secret')
STOCK_FORMS = {
    'docker-compose.yml': 'services:\n  db:\n    environment:\n      {name}: {pw}\n',
    'compose.yaml': 'services:\n  mq:\n    environment:\n      - {name}={pw}\n',
    'deploy/.env': 'DB_HOST=db\n{name}={pw}\n',
    'Dockerfile': 'FROM postgres:16\nENV {name}={pw}\n',
}
STOCK_NAMES = ('POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'RABBITMQ_DEFAULT_PASS', 'DB_PASSWORD', 'redisPassword')


@pytest.mark.parametrize('path', sorted(STOCK_FORMS))
def test_a_stock_password_in_a_deploy_file_is_a_note_and_quiet_in_templates_and_docs(path: str) -> None:
    """`POSTGRES_PASSWORD: postgres` (issue 15b finding 08) is the first password anyone tries: a note in a
    deploy file; the same bare word in `.env.example` or a README stands in for a password."""
    for _ in range(20):
        pw, name = choice(STOCK), choice(STOCK_NAMES)
        text = STOCK_FORMS[path].format(name=name, pw=pw)
        findings, _ = SCANNER.scan(Document(path, text))
        secrets = [(f.rule, f.severity) for f in findings if f.category == 'secret']
        assert secrets == [('stock-password', 'note')], (text, findings)
        assert all(pw not in f.excerpt.split(name, 1)[-1] for f in findings)  # masked after its name
        for quiet in ('.env.example', 'docs/setup.md', 'config/settings.yaml'):
            assert SCANNER.scan(Document(quiet, text))[0] == [], (quiet, text)


# (path, line) pairs a translation file holds; the same values elsewhere are passwords.
LOCALE_LABELS = (
    ('config/locales/devise.fr.yml', '        password: "Mot de passe"'),
    ('config/locales/de.yml', '  password_too_short: "ist zu kurz (mindestens %{count} Zeichen)"'),
    ('src/i18n/es.json', '{"login": {"password": "Contraseña"}}'),
    ('src/es.json', '{"login": {"password": "La contraseña"}}'),
)


@pytest.mark.parametrize(('path', 'line'), LOCALE_LABELS)
def test_a_label_in_a_translation_file_is_no_password_and_the_same_value_elsewhere_is(path: str, line: str) -> None:
    """Issue 15c finding 09: every translated login form blocked the commit. A translation file (a locale
    folder, or a file named by its language) holds labels; the same line in a config file still reports."""
    assert SCANNER.scan(Document(path, line))[0] == []
    assert any(f.category == 'secret' for f in SCANNER.scan(Document('config/settings.yml', line))[0]), line
    # A password that is no message (digits, symbols) is reported in a translation file too.
    found, _ = SCANNER.scan(
        Document(path, line.replace('asse', 'asse#4x9').replace('ña', 'ña#4x9').replace('ist zu', 'Q#4x9'))
    )
    assert any(f.category == 'secret' for f in found), line


def test_a_userlist_txt_is_configuration_though_named_as_prose_is() -> None:
    """PgBouncer reads its passwords from userlist.txt: a weak one there blocks the commit, as a `.txt` page's
    typed password would not (an example's: a note, as in examples/). Its md5 entry logs in as the password does;
    a SCRAM secret does not."""
    severities = {
        path: [f.severity for f in SCANNER.scan(Document(path, '"app" "hunter2"\n'))[0] if f.category == 'secret']
        for path in ('pgbouncer/userlist.txt', 'examples/pgbouncer/userlist.txt')
    }
    assert severities == {'pgbouncer/userlist.txt': ['error'], 'examples/pgbouncer/userlist.txt': ['note']}
    md5 = '"app" "md5' + 'c0ffee15' * 4 + '"\n'
    scram = '"app" "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy"\n'
    assert [f.rule for f in SCANNER.scan(Document('pgbouncer/userlist.txt', md5))[0]] == ['pgbouncer-userlist-password']
    assert SCANNER.scan(Document('pgbouncer/userlist.txt', scram))[0] == []
