"""Placeholders are judged on the whole value: a password built around a common word is still a password.

The passwords are generated (random parts around the words that used to mark a value as a stand-in),
so no fixed string can pass by accident; the placeholders are the real ones docs and templates use.
"""

from __future__ import annotations

from secrets import choice
from secrets import token_hex
from secrets import token_urlsafe

import pytest

from guard.rules.secrets.placeholders import is_placeholder
from guard.rules.secrets.placeholders import is_repetitive

# The words a substring test took for stand-ins: a real password may contain any of them. (Not `xxx`:
# four x's in a row are how docs mask a value, and a random tail may start with another x.)
COMMON_WORDS = (
    'S3cr3t',
    's3cr3t',
    'Mock',
    'mock',
    'your',
    'Your',
    'todo',
    'TODO',
    'insert',
    'replace',
    'sample',
    'fake',
    'hunter2',
    'Secret',
    'password',
    'Passw0rd',
    'example',
    'Example',
    'changeme',
    'test',
    'dummy',
    'placeholder',
    'redacted',
    'admin',
    'token',
)
SYMBOLS = '!#%^&*+=~'


def password_around(word: str) -> str:
    """A password a person might choose: the word with random characters and a symbol around it."""
    shapes = (
        lambda: f'{token_hex(3)}{word}{token_hex(2)}{choice(SYMBOLS)}',
        lambda: f'{word.title()}{choice(SYMBOLS)}{token_hex(3)}',
        lambda: f'{word}{token_urlsafe(9)}',
        lambda: f'{choice(SYMBOLS)}{word}_{token_hex(4)}',
    )
    return choice(shapes)()


# Generated afresh on every run: each common word in each shape.
GENERATED = [password_around(word) for word in COMMON_WORDS for _ in range(4)]

PLACEHOLDERS = [
    # templates and references
    '${DB_PASSWORD}',
    '$DB_PASSWORD',
    '{{ db_password }}',
    '{{vault_db_password}}',
    '%(password)s',
    '%DB_PASSWORD%',
    '<password>',
    '<your-api-key>',
    '[TOKEN]',
    '__SECRET__',
    '{password}',
    '#{db_password}',
    # masked
    'xxxxxxxx',
    'XXXXXXXXXXXXXXXX',
    'sk_live_xxxxxxxxxxxx',
    '********',
    '***',
    '...',
    'aaaaaaaaaaaa',
    # whole-value stand-ins
    'changeme',
    'change_me',
    'ChangeMe',
    'CHANGEME',
    'password',
    'Password',
    'secret',
    'token',
    'example',
    'sample',
    'dummy',
    'placeholder',
    'redacted',
    'REDACTED',
    'todo',
    'none',
    'null',
    'your-api-key-here',
    'your_password',
    'YOUR_API_KEY',
    'yourapikeyhere',
    'YourSecretKey',
    'your-stripe-key-here',
    'insert_token_here',
    'replace-with-your-token',
    'put-your-secret-here',
    'example-key-123456',
    'dummy-password-1',
    '(db-password)',
    'test1234',
    'changeme123',
    's3cr3t',
    'p@ssw0rd',
    'Passw0rd',
    'mock_password',
    'fake-token',
    'sample_password_value',
    'my-secret-key',
    'not-a-real-secret',
    'AKIAIOSFODNN7EXAMPLE',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
]


@pytest.mark.parametrize('value', GENERATED)
def test_a_password_around_a_common_word_is_not_a_placeholder(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    'value',
    [
        'S3cr3tTr4d3rPw!',
        'Mockingbird#42',
        'Rp9xKq2mW7',
        'yourP4ssw0rd!x',
        'Example#42',
        'TodoListApp2024!',
        'Sampler&Co77',
        'hunter2hunter3!',
    ],
)
def test_the_issues_passwords_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


# What people choose: naming words with a number or with each other, symbols, and markers or masks inside a value.
WEAK_PASSWORDS = [
    'postgres123',
    'admin123',
    'Password1',
    'hunter2',
    'qwerty123',
    'root1234',
    'secret123',
    'redis_secret',
    'rec_io_password',
    'letmein',
    'trading_db_pw',
    'Admin@123',
    'password123',
    '12345678',
    '$uperTr4der2024',
    'Tr4der...2024',
    'pw***x9',
    'Tr4derEXAMPLE!x9',
    'my***pw',
    '(Tr4der!24)',
    '[abc!12]',
    '<x@1>',
    '%Tr4!%',
    '{Tr4der!24}',
    'qwertyuiop',
    '1qaz2wsx',
]


@pytest.mark.parametrize('value', WEAK_PASSWORDS)
def test_a_weak_human_password_is_not_a_placeholder(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize('value', PLACEHOLDERS)
def test_a_whole_value_stand_in_is_a_placeholder(value: str) -> None:
    assert is_placeholder(value)


def test_a_long_number_after_stand_in_words_is_a_real_value() -> None:
    digits = str(int(token_hex(6), 16)).rjust(12, '7')
    assert is_placeholder('test1234')
    assert not is_placeholder(f'test{digits}')


@pytest.mark.parametrize(
    ('value', 'expected'),
    [
        ('aaaaaaaa', True),
        ('abababababababab', True),
        ('12345678', True),
        ('abcdefgh1', True),
        ('qwertyuiop', True),
        ('Mockingbird#42', False),
        ('S3cr3tTr4d3rPw!', False),
    ],
)
def test_repetitive(value: str, expected: bool) -> None:
    assert is_repetitive(value) is expected


@pytest.mark.parametrize(
    ('value', 'expected'),
    [
        ('xxxx-xxxx-xxxx-xxxx', True),
        ('XXXX XXXX XXXX XXXX', True),
        ('****-****', True),
        ('xx-xx', True),
        ('kfzk-nhtu-ndye-bybx', False),
        ('xxxx-Qz7k', False),
        ('x-x', False),
    ],
)
def test_a_mask_in_groups_is_a_stand_in(value: str, expected: bool) -> None:
    """A key's or an app password's groups masked (attack 15i): a stand-in, as one run of `x` is."""
    assert is_placeholder(value) is expected
