"""Weak passwords in plain credential positions (issue 15, second pass): a quoted value with spaces
(`password = "Tr4der 2024"`) and a YAML block scalar (`password: >-`, the value on the next line) are
passwords whatever they hold. Generated values and formats; the real scanner, and a real `guard scan`."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard
from support import write

from guard.rules import CONTENT_RULES
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

SCANNER = Scanner([r.id for r in CONTENT_RULES])
WORDS = st.from_regex(r'[A-Z][a-z]{3,8}[0-9!@#]{0,4}', fullmatch=True)
PASSPHRASES = st.lists(WORDS, min_size=2, max_size=4).map(' '.join)
NAMES = st.sampled_from(['password', 'DB_PASSWORD', 'db_password', 'adminPassword', 'passwd', 'PASSPHRASE'])
QUOTED = {
    'db.toml': '[database]\n{name} = "{value}"\n',
    'config.json': '{{"db": {{"user": "app", "{name}": "{value}"}}}}\n',
    'settings.py': '{name} = "{value}"\n',
    'app.yaml': 'db:\n  {name}: "{value}"\n',
    'env.sh': 'export {name}="{value}"\n',
    'single.yaml': "db:\n  {name}: '{value}'\n",
}
BLOCKS = ('>-', '|', '>', '|-', '>+', '|2')


def _secret_values(path: str, text: str) -> list[str]:
    findings, _ = SCANNER.scan(Document(path, text))
    return [f.rule for f in findings if f.category == 'secret']


@settings(max_examples=200, deadline=None)
@given(value=PASSPHRASES, name=NAMES, shape=st.sampled_from(sorted(QUOTED)))
def test_a_quoted_passphrase_in_a_password_position_is_reported(value: str, name: str, shape: str) -> None:
    assert 'generic-secret' in _secret_values(shape, QUOTED[shape].format(name=name, value=value))


@settings(max_examples=200, deadline=None)
@given(
    value=st.from_regex(r'[A-Za-z][a-z]{4,10}[0-9!@#]{1,4}', fullmatch=True),
    name=NAMES,
    block=st.sampled_from(BLOCKS),
    indent=st.integers(1, 8),
)
def test_a_yaml_block_scalar_password_is_reported(value: str, name: str, block: str, indent: int) -> None:
    text = f'db:\n  {name}: {block}\n{" " * (2 + indent)}{value}\n'
    assert 'generic-secret' in _secret_values('app.yaml', text)


@settings(max_examples=100, deadline=None)
@given(words=PASSPHRASES, name=st.sampled_from(['description', 'title', 'token_help', 'api_key', 'secret']))
def test_words_under_another_name_are_prose(words: str, name: str) -> None:
    """Spaces are allowed only for a password's name: `secret: "the thing we keep"` is a sentence."""
    assert _secret_values('app.yaml', f'{name}: "{words}"\n') == []


def test_the_attack_files_are_reported_and_nothing_printed(git_repo: Path) -> None:
    """findings15b/08's quoted and block-scalar files."""
    files = {
        'db.toml': '[database]\npassword = "Tr4der 2024"\n',
        'config.json': '{"db": {"user": "app", "password": "Tr4der 2024"}}\n',
        'settings.py': 'DB_PASSWORD = "Tr4der 2024"\n',
        'app.yaml': 'db:\n  password: "Tr4der 2024"\n',
        'env.sh': 'export DB_PASSWORD="Tr4der 2024"\n',
        'block.yaml': 'db:\n  password: >-\n    postgres123\n',
    }
    for name, body in files.items():
        write(git_repo, name, body)
    git(git_repo, 'add', '-A')
    scan = run_guard('scan', git_repo, '--no-color', '--no-baseline')
    assert scan.returncode == 1
    reported = {line.split(':', 1)[0] for line in scan.stdout.splitlines() if 'generic-secret' in line}
    assert set(files) <= reported
    assert '2024' not in scan.stdout and 'postgres123' not in scan.stdout
    hook = run_guard('hook', 'pre-commit', cwd=git_repo)
    assert hook.returncode == 1 and '2024' not in hook.stdout + hook.stderr
