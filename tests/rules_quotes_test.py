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
