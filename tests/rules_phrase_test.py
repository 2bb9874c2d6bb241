"""A password of several words under a password's name (attack 15h finding 02): generic-secret-phrase.

An app password as Google and others issue it is four groups of four letters (`abcd efgh ijkl mnop`), written
unquoted in a config file; a passphrase joins words with blanks. The generic rule reads an unquoted value's first
word, too short to count. Generated values go into every config form that takes the rest of the line as the
value: each is found, and no output shows it (the excerpt masks it after its first characters). Prose, commands,
stand-ins and system tables in the same places stay quiet.
"""

from __future__ import annotations

import random
import string

import pytest

from guard.rules.secrets import generic
from tests.rules_recall_test import _secret_lines
from tests.rules_recall_test import missed_in

# What the filter reads as prose is left out by construction: the promise is for words that are not prose.
_NOT_GENERATED = generic._FUNCTION_WORDS | generic._PROSE_WORDS | {'pass', 'pwd', 'key', 'auth'}
_DICTIONARY = ['correct', 'horse', 'battery', 'staple', 'tiger', 'orbit', 'copper', 'maple', 'harbor', 'velvet']


def _group(rng: random.Random, size: int) -> str:
    while True:
        word = ''.join(rng.choice(string.ascii_lowercase) for _ in range(size))
        if word not in _NOT_GENERATED and len(set(word)) > 1:
            return word


def phrases(count: int, seed: int = 2) -> list[str]:
    """App passwords (4 x 4 letters), longer random groups, and dictionary passphrases with a digit or not."""
    rng = random.Random(seed)
    made: list[str] = []
    while len(made) < count:
        shape = rng.randrange(3)
        if shape == 0:
            value = ' '.join(_group(rng, 4) for _ in range(4))
        elif shape == 1:
            value = ' '.join(_group(rng, rng.randint(3, 8)) for _ in range(rng.randint(2, 5)))
        else:
            words = rng.sample(_DICTIONARY, rng.randint(3, 5))
            if rng.random() < 0.5:
                words[-1] += str(rng.randint(1, 99))
            value = ' '.join(words)
        if value not in made:
            made.append(value)
    return made


PHRASES = phrases(30)
FORMS = {
    'properties': ('src/main/resources/mail.properties', 'mail.smtp.password={pw}\n'),
    'properties-blank': ('app.properties', 'spring.mail.password {pw}\n'),
    'yaml': ('config/mail.yml', 'smtp:\n  host: smtp.gmail.com\n  smtp_password: {pw}\n'),
    'ini': ('mail.ini', '[smtp]\npassword = {pw}\n'),
    'msmtprc': ('.msmtprc', 'account gmail\nhost smtp.gmail.com\nuser me@gmail.com\npassword {pw}\n'),
    'muttrc': ('.muttrc', 'set smtp_pass={pw}\n'),
    'ssmtp': ('ssmtp.conf', 'AuthUser=me@gmail.com\nAuthPass={pw}\n'),
    'compose-list': ('docker-compose.yml', 'services:\n  app:\n    environment:\n      - SMTP_PASSWORD={pw}\n'),
    'env': ('.env', 'MAIL_PASSWORD={pw}\n'),
    'export': ('deploy/mail.env', 'export SMTP_PASSWORD={pw}\n'),
    # attack 15i finding 03: a comment after the value, an item quoted whole, systemd, a block scalar, no-break spaces
    'ini-comment': ('mail.ini', '[smtp]\npassword = {pw} ; rotated monthly\n'),
    'compose-quoted': ('docker-compose.yml', 'services:\n  app:\n    environment:\n      - "SMTP_PASSWORD={pw}"\n'),
    'compose-single-quoted': ('compose.yaml', "services:\n  app:\n    environment:\n      - 'SMTP_PASSWORD={pw}'\n"),
    'systemd': ('deploy/mail.service', '[Service]\nEnvironment="SMTP_PASSWORD={pw}" "SMTP_PORT=587"\n'),
    'yaml-block': ('config/mail.yml', 'smtp:\n  password: |\n    {pw}\n'),
    'yaml-folded': ('config/mail.yml', 'smtp:\n  password: >-\n    {pw}\n'),
    'ini-no-break-space': ('mail.ini', '[smtp]\npassword\u00a0=\u00a0{pw}\n'),
    'pg-dump-copy': ('db/dump.sql', 'COPY public.mail_accounts (id, login, password) FROM stdin;\n1\tme\t{pw}\n\\.\n'),
}


@pytest.mark.parametrize('form', sorted(FORMS))
def test_every_phrase_is_found_in_every_form(form: str) -> None:
    missed = missed_in(*FORMS[form], PHRASES)
    assert missed == [], f'{form}: missed {len(missed)} of {len(PHRASES)}: {missed}'


_PROSE = [
    'Your database password',
    'Must be at least 8 characters',
    'Enter the password for the mail account',
    'same as login',
    'not set',
    'pass show mail/gmail',
    'gpg --quiet -d ~/.msmtp.gpg',
    'xxxx xxxx xxxx xxxx',
    'Jim Meyering',
    'op read op://vault/mail/password',
]
QUIET = {
    'prose-yaml': ('config/app.yml', 'password: {v}\n'),
    'prose-ini': ('app.ini', '[db]\npassword = {v}\n'),
    'hint': ('config/app.yml', 'password_hint: {v}\n'),
    'code': ('app/models.rb', 'password = {v}\n'),
    'token-name': ('config/app.yml', 'token: {v}\n'),
}


@pytest.mark.parametrize('form', sorted(QUIET))
def test_prose_commands_and_code_in_the_same_places_are_quiet(form: str) -> None:
    path, template = QUIET[form]
    values = _PROSE + (PHRASES if form in ('hint', 'code', 'token-name') else [])
    loud = [v for v in values if _secret_lines(path, template.format(v=v))]
    assert loud == [], f'{form}: {loud}'


@pytest.mark.parametrize(
    ('path', 'text'),
    [
        ('pam.d/common-password', 'password\trequisite\tpam_pwquality.so retry=3\n'),
        ('pf.conf', 'pass out all keep state\n'),
        ('etc/nsswitch.conf', 'passwd:         files systemd\n'),
        ('locale/it/LC_MESSAGES/django.po', '"password due volte, per verificare di averla scritta correttamente."\n'),
    ],
)
def test_system_tables_and_translations_are_quiet(path: str, text: str) -> None:
    assert _secret_lines(path, text) == set()


@pytest.mark.parametrize('form', sorted(FORMS))
def test_every_phrase_is_found_with_crlf_line_ends(form: str) -> None:
    """A file saved on Windows (attack 15i finding 01)."""
    path, template = FORMS[form]
    missed = [pw for pw in PHRASES if not _secret_lines(path, template.format(pw=pw).replace('\n', '\r\n'))]
    assert missed == [], f'{form}: missed {len(missed)} of {len(PHRASES)}'


# Notes left where a value goes (attack 15i finding 11): the generic rule read their first word as a password too.
INSTRUCTIONS = [
    'stored in vault',
    'provided by ci',
    'injected at deploy time',
    'rotate every 90 days',
    'filled in by ansible',
    'managed by terraform',
    'defined in kubernetes secret',
    'override in local config',
    'sixteen character app password',
    'any value works',
    'whatever you like',
    'min twelve chars',
    'random per install',
    'auto generated',
    'per environment',
]


@pytest.mark.parametrize('form', sorted(FORMS))
def test_instructions_in_a_passwords_place_are_quiet(form: str) -> None:
    path, template = FORMS[form]
    loud = [v for v in INSTRUCTIONS if _secret_lines(path, template.format(pw=v))]
    assert loud == [], f'{form}: {loud}'


COMMANDS = ['pass show mail/gmail', 'gpg -dq ~/.mutt/pass.gpg', 'vault kv get -field=password secret/db']
COMMAND_FORMS = {
    'muttrc': ('.muttrc', 'set smtp_pass = `{c}`\n'),
    'muttrc-quoted': ('.muttrc', 'set smtp_pass="`{c}`"\n'),
    'shell': ('deploy.sh', 'export DB_PASSWORD=`{c}`\n'),
    'dockerfile': ('Dockerfile', 'RUN DB_PASSWORD=`{c}` ./migrate\n'),
}


@pytest.mark.parametrize('form', sorted(COMMAND_FORMS))
def test_a_commands_output_in_backticks_is_no_password(form: str) -> None:
    """Backticks run a command outside code (attack 15i finding 08); a token in them is still a literal."""
    path, template = COMMAND_FORMS[form]
    assert [c for c in COMMANDS if _secret_lines(path, template.format(c=c))] == []
    assert _secret_lines('main.go.txt', 'dbPassword := `Qz7kP2wXy9Lm4Rt`\n') == {1}


@pytest.mark.parametrize('value', ['prompt', 'xxxx-xxxx-xxxx-xxxx', 'XXXX XXXX XXXX XXXX'])
def test_a_prompt_or_a_mask_in_a_passwords_place_is_quiet(value: str) -> None:
    for path, template in (('app.ini', '[db]\npassword = {v}\n'), ('config/mail.yml', 'smtp_password: {v}\n')):
        assert _secret_lines(path, template.format(v=value)) == set(), (path, value)
