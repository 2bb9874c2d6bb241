"""Passwords of capitals and word paths in every credential position (attack 15h finding 06).

A generated password may be all capitals (`UNLQBSSGXFMCDBBF`, `JPTPQ-UTXDA-YEJJR`), and a passphrase may join
words with `/` (`tiger/orbit/copper`). Both were taken for names: a metavar or a constant's name, a path. The
generators below make values that cannot read as a name (guard.rules.secrets.filters.is_metavar: one of their
words holds four consonants in a row, no vowel, or more than twelve letters; or three or more groups of one size)
and put each into every form of
the recall test; the metavars and constants the filter stands for stay quiet.
"""

from __future__ import annotations

import random
import string

import pytest

from guard.rules.secrets import filters
from tests.rules_recall_test import FORMS
from tests.rules_recall_test import _secret_lines
from tests.rules_recall_test import missed_in

_VOWELS = 'AEIOUY'
_CONSONANTS = ''.join(c for c in string.ascii_uppercase if c not in _VOWELS)


def _unreadable(rng: random.Random, size: int) -> str:
    """`size` capitals holding four consonants in a row somewhere (so no word reading of it is possible)."""
    word = [rng.choice(string.ascii_uppercase) for _ in range(size)]
    at = rng.randrange(size - 3)
    word[at : at + 4] = [rng.choice(_CONSONANTS) for _ in range(4)]
    return ''.join(word)


def capitals_passwords(count: int, seed: int = 6) -> list[str]:
    """One long run; groups joined by `-` or `_`, one of them unreadable; or three or more groups of one size, any
    letters (a generator's and a licence key's shapes)."""
    rng = random.Random(seed)
    made: list[str] = []
    while len(made) < count:
        shape = rng.randrange(4)
        if shape == 0:
            value = ''.join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(13, 24)))
        elif shape == 3:
            size = rng.randint(4, 6)
            groups = [
                ''.join(rng.choice(string.ascii_uppercase) for _ in range(size)) for _ in range(rng.randint(3, 5))
            ]
            value = rng.choice('-_').join(groups)
        else:
            groups = [''.join(rng.choice(string.ascii_uppercase) for _ in range(5)) for _ in range(rng.randint(2, 4))]
            groups[rng.randrange(len(groups))] = _unreadable(rng, 5)
            value = ('-' if shape == 1 else '_').join(groups)
        if value not in made:
            made.append(value)
    return made


CAPITALS = capitals_passwords(30)
_PATH_WORDS = ['tiger', 'orbit', 'copper', 'maple', 'harbor', 'velvet', 'plum', 'quartz', 'lantern', 'meadow']
WORD_PATHS = ['/'.join(random.Random(i).sample(_PATH_WORDS, 3 + i % 2)) for i in range(12)]
# Forms whose value cannot hold a `/` as a password's character (a URL's userinfo, a path argument, a DN).
_SLASH_BREAKS = {'smb', 'rtsp', 'net-use', 'smbclient-positional', 'lftp', 'oracle-thin', 'fix-logon', 'fix-logon-soh'}


@pytest.mark.parametrize('form', sorted(FORMS))
def test_every_capitals_password_is_found_in_every_form(form: str) -> None:
    missed = missed_in(*FORMS[form], CAPITALS)
    assert missed == [], f'{form}: missed {len(missed)} of {len(CAPITALS)}: {missed}'


@pytest.mark.parametrize('form', sorted(set(FORMS) - _SLASH_BREAKS))
def test_a_passphrase_of_words_joined_by_slashes_is_found_in_every_form(form: str) -> None:
    missed = missed_in(*FORMS[form], WORD_PATHS)
    assert missed == [], f'{form}: missed {len(missed)} of {len(WORD_PATHS)}: {missed}'


def test_the_generated_capitals_are_no_names_by_construction() -> None:
    assert len(set(CAPITALS)) == 30 and all(v.isupper() for v in CAPITALS)
    assert not any(filters.is_metavar(v) for v in CAPITALS)


# Names made of the words names are made of, and constants whose words read as words.
_NAME_WORDS = ['DB', 'PASSWORD', 'NEW', 'ROOT', 'MYSQL', 'SMTP', 'PASS', 'SECRET', 'USER', 'VALUE', 'DEFAULT', 'PWD']
_READABLE = ['CURLOPT', 'READDATA', 'STRICT', 'LEGACY', 'BCRYPT', 'SCRYPT', 'MODE', 'POLICY', 'SSL', 'VERIFY']


def _names(count: int, seed: int = 66) -> list[str]:
    rng = random.Random(seed)
    made: list[str] = []
    while len(made) < count:
        words = rng.sample(_NAME_WORDS, rng.randint(1, 3)) if rng.random() < 0.6 else rng.sample(_READABLE, 2)
        made.append(rng.choice('_-')[: len(words) > 1].join(words) if len(words) > 1 else words[0])
    return made


NAMES = _names(40)
NAME_FORMS = {
    'usage-long': ('README.md', 'mysql --password {v} -h db.internal orders\n'),
    'usage-short': ('docs/usage.txt', 'usage: sshpass -p {v} ssh HOST\n'),
    'constant-default': ('app/settings.py', 'PASSWORD_SETTING = "{v}"\n'),
    'env-name-value': ('deploy/values.yml', 'password: "{v}"\n'),
    'list-of-names': ('lexer.py', "        'CURLOPT_PASSWORD', '{v}',\n"),
}


@pytest.mark.parametrize('form', sorted(NAME_FORMS))
def test_a_metavar_or_a_constants_name_is_no_finding(form: str) -> None:
    path, template = NAME_FORMS[form]
    found = [v for v in NAMES if _secret_lines(path, template.format(v=v))]
    assert found == [], f'{form}: {found}'


@pytest.mark.parametrize(
    'value',
    ['PASSWORD', 'DB_PASSWORD', 'CURLOPT_READDATA', 'SSL_VERIFYPEER', 'STRICT', 'DB_PASSWORD2', 'NEW_PASSPHRASE'],
)
def test_names_read_as_names(value: str) -> None:
    assert filters.is_metavar(value)


@pytest.mark.parametrize(
    'value', ['UNLQBSSGXFMCDBBF', 'XCBPE_QCKGO_UMHWT', 'QZK-PTW-XMB', 'ADMIN2024', 'Password', 'db_password']
)
def test_random_capitals_and_other_cases_are_no_names(value: str) -> None:
    assert not filters.is_metavar(value)


# Usage lines write a metavar in brackets, before `|` or `:` (attack 15i finding 06).
USAGE_WRAPS = ['[{o} {m}]', '[{o}={m}]', '{o} {m}|--prompt', '{o} {m}: the password to use', '<{o} {m}>']
USAGE_FILES = {
    'tool.sh': 'echo "usage: $0 {x} HOST" >&2\n',
    'cli.py': 'USAGE = "usage: tool {x} HOST"\n',
    'main.go': 'const usage = "usage: tool {x} HOST"\n',
    'notes.sh': '# usage: tool {x} HOST\n',
}


@pytest.mark.parametrize('path', sorted(USAGE_FILES))
def test_a_metavar_in_a_usage_lines_punctuation_is_no_finding(path: str) -> None:
    options = ['--password', '--db-password', '--passphrase', '--pass', '-storepass']
    metavars = ['PASSWORD', 'PASSWD', 'PASS', 'PW', 'SECRET', 'VALUE', 'DB_PASSWORD', 'NEW_PASSWORD']
    lines = [w.format(o=o, m=m) for o in options for m in metavars for w in USAGE_WRAPS]
    text = ''.join(USAGE_FILES[path].format(x=line) for line in lines)
    assert _secret_lines(path, text) == set()


# A setting about the password names an algorithm (attack 15i finding 07); a secret's name holds a store's path
# (finding 09): neither is a password.
@pytest.mark.parametrize(
    'text',
    [
        '#password_encryption = scram-sha-256\n',
        'password_encryption: SCRAM-SHA-256\n',
        'sasl_password_mechanism: SCRAM-SHA-512\n',
        'default_pass_scheme = CRAM-MD5\n',
        'password_cipher: AES-256-GCM\n',
        'db_password_secret: prod/billing/postgres\n',
        'password_entry: email/gmail\n',
        'password_source: kv/prod/billing\n',
    ],
)
def test_algorithm_names_and_secret_paths_are_no_password(text: str) -> None:
    assert _secret_lines('config/app.yml', text) == set()


def _readable_words(rng: random.Random) -> str:
    """Capitals that read as words (consonant-vowel syllables, 4 to 12 letters), none a word names are made of."""
    while True:
        word = ''.join(rng.choice(_CONSONANTS) + rng.choice('AEIOU') for _ in range(rng.randint(2, 6)))
        if filters.is_metavar(word, readable=False) is False and word not in filters._METAVAR_WORDS:
            return word


_URL_FORMS = [name for name, (_, template) in FORMS.items() if '://' in template and ':{pw}@' in template]


@pytest.mark.parametrize('form', _URL_FORMS)
def test_capitals_that_read_as_words_are_a_password_in_url_userinfo(form: str) -> None:
    """Attack 15i finding 05: in a URL's userinfo a metavar is made of a metavar's words (`USER:PASSWORD@HOST`);
    capitals that read as words (`TIGERORBIT`, what a person picks) are somebody's password there."""
    rng = random.Random(15)
    values = list(dict.fromkeys(_readable_words(rng) for _ in range(30)))
    missed = missed_in(*FORMS[form], values)
    assert missed == [], f'{form}: missed {len(missed)} of {len(values)}: {missed}'


@pytest.mark.parametrize(
    'url',
    [
        'postgresql://USER:PASSWORD@HOST:5432/DB',
        'postgresql://USER:SECRETPASS@HOST/DB',
        'mysql://ROOT:MYDBPASS@localhost/app',
        'redis://:YOUR_TOKEN@cache:6379/0',
    ],
)
def test_a_urls_metavars_stay_quiet(url: str) -> None:
    assert not _secret_lines('docs/setup.env', f'DATABASE_URL={url}\n')


_DOT_WORDS = ['correct', 'horse', 'battery', 'staple', 'orbit', 'copper', 'maple', 'harbor', 'velvet', 'plum']
_DOT_FORMS = {
    'yaml': ('config/settings.yaml', 'database:\n  password: {pw}\n'),
    'ini': ('config/app.ini', '[db]\npassword = {pw}\n'),
    'env': ('.env', 'DB_PASSWORD={pw}\n'),
}


def _dotted(rng: random.Random) -> str:
    words = rng.sample(_DOT_WORDS, rng.randint(3, 5))
    case = rng.choice([str.lower, str.title, str.upper])
    return '.'.join(map(case, words))


@pytest.mark.parametrize('form', sorted(_DOT_FORMS))
def test_words_joined_by_dots_are_a_passphrase_outside_code(form: str) -> None:
    rng = random.Random(16)
    values = list(dict.fromkeys(_dotted(rng) for _ in range(30)))
    missed = missed_in(*_DOT_FORMS[form], values)
    assert missed == [], f'{form}: missed {len(missed)} of {len(values)}: {missed}'


@pytest.mark.parametrize(
    ('path', 'line'),
    [
        ('config/settings.yaml', 'password: settings.database.value'),
        ('config/app.ini', 'password = vault.kv.prod'),
        ('config/application.yml', 'password: spring.datasource.password'),
        ('app/settings.py', 'password = correct.horse.battery'),  # an attribute in code
        ('src/app.js', 'const password = form.fields.current;'),
    ],
)
def test_a_dotted_reference_is_no_passphrase(path: str, line: str) -> None:
    assert not _secret_lines(path, line + '\n')
