"""A quoted password holding the other quote character (attack 16 finding 01): `"Zq8'Lm3#pR"`, `'Zq8"Lm3'`.

The generic rule read a quoted literal's characters up to either quote, so such a password matched nothing and
the commit went through. Generated passwords with the other quote at a random place go into a literal in each
language and config format that quotes one; each is found. Quoting text (`'The "pass" statement'`) and a
template with its fields (`'… IDENTIFIED BY "%(password)s"'`) stay quiet.
"""

from __future__ import annotations

import random
import string

import pytest

from tests.rules_recall_test import _secret_lines
from tests.rules_recall_test import missed_in


def _with_quote(rng: random.Random, quote: str) -> str:
    body = [rng.choice(string.ascii_letters + string.digits + '#@%!') for _ in range(rng.randint(7, 16))]
    body.insert(rng.randint(1, len(body) - 1), quote)
    return ''.join(body)


# form -> (path, template, the quote the template's literal uses)
FORMS = {
    'python': ('app/settings.py', 'DB_PASSWORD = "{pw}"\n', '"'),
    'python-single': ('app/settings.py', "DB_PASSWORD = '{pw}'\n", "'"),
    'yaml': ('config/settings.yml', 'database:\n  password: "{pw}"\n', '"'),
    'js': ('src/db.js', 'const password = "{pw}";\n', '"'),
    'shell': ('deploy.sh', "export DB_PASSWORD='{pw}'\n", "'"),
    'json': ('config.json', '{{"db": {{"password": "{pw}"}}}}\n', '"'),
    'toml': ('config.toml', '[db]\npassword = "{pw}"\n', '"'),
}


@pytest.mark.parametrize('form', sorted(FORMS))
def test_a_password_holding_the_other_quote_is_found(form: str) -> None:
    path, template, quote = FORMS[form]
    other = "'" if quote == '"' else '"'
    rng = random.Random(16)
    passwords = [_with_quote(rng, other) for _ in range(30)]
    missed = missed_in(path, template, passwords)
    assert missed == [], f'{form}: missed {len(missed)} of {len(passwords)}: {missed}'


@pytest.mark.parametrize(
    ('path', 'line'),
    [
        ('lib/topics.py', """    'pass': 'The "pass" statement\\n'"""),
        ('db/creation.py', """set_password = 'ALTER USER %(user)s IDENTIFIED BY "%(password)s"'"""),
        ('app/messages.py', """password_help = "Use the 'forgot password' link if you lost it\""""),
    ],
)
def test_text_that_quotes_something_is_no_password(path: str, line: str) -> None:
    assert not _secret_lines(path, line + '\n')


def _with_punctuation(rng: random.Random) -> str:
    """A generated password with one of what ends the generic rule's unquoted value inside it (unpaired)."""
    body = [rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(8, 14))]
    body.insert(rng.randint(1, 5), rng.choice('()[]{};,<>'))
    return ''.join(body)


UNQUOTED_FORMS = {
    'properties': ('app.properties', 'db.password={pw}\n'),
    'ini': ('settings.ini', '[database]\npassword = {pw}\n'),
    'yaml': ('config.yml', 'db:\n  password: {pw}\n'),
    'my.cnf': ('my.cnf', '[client]\nuser=root\npassword={pw}\n'),
    'compose-list': ('docker-compose.yml', 'services:\n  db:\n    environment:\n      - MYSQL_ROOT_PASSWORD={pw}\n'),
    'dockerfile': ('Dockerfile', 'FROM alpine\nENV API_PASSWORD={pw}\n'),
    'env': ('.env', 'DB_PASSWORD={pw}\n'),
}


@pytest.mark.parametrize('form', sorted(UNQUOTED_FORMS))
def test_an_unquoted_password_holding_punctuation_is_found_in_config(form: str) -> None:
    """Attack 16 finding 07: `db.password=evLnh(YBJ4kq`, `password: k8;Qv2xT9m`; the generic rule's unquoted value
    ends at such a character (code: a call, an argument list), and the part before it was too short to count."""
    rng = random.Random(7)
    passwords = list(dict.fromkeys(_with_punctuation(rng) for _ in range(40)))
    missed = missed_in(*UNQUOTED_FORMS[form], passwords)
    assert missed == [], f'{form}: missed {len(missed)} of {len(passwords)}: {missed}'


@pytest.mark.parametrize(
    'line',
    [
        'my_password = foo(hey)you',
        "my_password = request.json_body['hey']",
        'DB_PASSWORD = os.getenv("DB_PASSWORD")',
        "    'BAD_PASSPHRASE': GpgBadPassphrase,",
        'password = get_password()',
        'self.db_password = settings["password"]',
    ],
)
def test_code_in_a_text_file_is_no_unquoted_password(line: str) -> None:
    assert not _secret_lines('notes.txt', line + '\n')
