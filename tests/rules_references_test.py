"""A secret store's reference and a stored password hash are no password (attack 16 findings 08 and 09).

Each form sits where a password does, in the file type it is written in; none is a secret finding. The same
places holding a password are (the positive controls), so the filters name the reference or the hash, not
the place.
"""

from __future__ import annotations

import pytest

from tests.rules_recall_test import _secret_lines

REFERENCES = [
    ('.github/workflows/ci.yml', '    env:\n      DB_PASSWORD: "${{ secrets.DB_PASSWORD }}"\n'),
    ('.github/workflows/ci.yml', '        with:\n          password: "${{ secrets.DOCKERHUB_TOKEN }}"\n'),
    ('template.yaml', "      MasterUserPassword: '{{resolve:ssm-secure:/prod/db/password:1}}'\n"),
    ('template.yaml', "      MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'\n"),
    ('appsettings.json', '{"DbPassword": "@Microsoft.KeyVault(VaultName=myvault;SecretName=db)"}\n'),
    ('application.yml', "spring:\n  security:\n    user:\n      password: '{noop}${ADMIN_PASSWORD}'\n"),
    ('helmfile.yaml', '      - password: ref+vault://secret/data/db#/password\n'),
]
HASHES = [
    (
        'fixtures/users.json',
        '{"model": "auth.user", "fields": {"password": "pbkdf2_sha256$600000$Qz7kP2wX$c2FsdGVkaGFzaA9zQ2h=="}}\n',
    ),
    (
        'seed.yaml',
        'users:\n  - name: bob\n    password: "$2b$12$KIXQ1Yh0ZpTqkXq3b5Qz7uKp2wXy9Lm4RtQz7kP2wXy9Lm4RtQz7k"\n',
    ),
    ('seed.yaml', 'users:\n  - name: bob\n    password: $argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo\n'),
    ('ldap.ldif', 'userPassword: {SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g0Qz7k\n'),
    ('security.yml', "admin:\n  password: '{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG'\n"),
    (
        'roles.sql',
        "ALTER ROLE app WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:6cuU9Wb0ABC5Vt7ylUQ0wQ==$M2rCz1lTXA/1a7f1RUxB4nZ5yF4Y3e0VRxA4MlUg9rk=:Y0rpZS3pxoP2bF7WnS4Qq+K3jY8c2bYm3vBfLw+u0Dk=';\n",
    ),
    ('roles.sql', "CREATE ROLE app PASSWORD 'md5a3556571e93b0d20722ba62be61e8c2d';\n"),
]
PASSWORDS = [
    ('application.yml', "spring:\n  security:\n    user:\n      password: '{noop}Tr4der2024!x'\n"),
    ('seed.yaml', 'users:\n  - name: bob\n    password: "Tr4der$2024!x"\n'),
    ('.github/workflows/ci.yml', '    env:\n      DB_PASSWORD: "Tr4der2024!x"\n'),
    ('roles.sql', "ALTER ROLE app WITH LOGIN PASSWORD 'Tr4der2024!x';\n"),
]


@pytest.mark.parametrize(('path', 'text'), REFERENCES + HASHES)
def test_a_reference_or_a_stored_hash_is_no_password(path: str, text: str) -> None:
    assert not _secret_lines(path, text)


@pytest.mark.parametrize(('path', 'text'), PASSWORDS)
def test_a_password_in_the_same_places_is_one(path: str, text: str) -> None:
    assert _secret_lines(path, text)


@pytest.mark.parametrize(
    'text',
    [
        '        {\n          "name": "DB_PASSWORD",\n          "value": "Zx81kq!a9Lm"\n        },\n',
        '{"name": "DB_PASSWORD", "value": "Zx81kq!a9Lm"}\n',
        '- name: DB_PASSWORD\n  value: Zx81kq!a9Lm\n',
    ],
)
def test_an_ecs_task_definitions_pair_is_found_pretty_printed_too(text: str) -> None:
    """Attack 16 finding 04: `"name": …` and `"value": …` on lines of their own, as every JSON formatter writes them."""
    assert _secret_lines('taskdef.json', text)
