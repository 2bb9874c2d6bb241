"""IPs and home paths in test, fixture and docs files are sample data: reported at `note`, below the
default fail-on. Secrets keep their severity wherever they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard import config
from guard import schema
from guard.errors import ConfigError
from guard.findings import at_or_above
from guard.rules import RULES
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

SCANNER = Scanner(RULES, test_paths=schema.DEFAULT_TEST_PATHS)
_SEGMENT = st.from_regex(r'[a-z][a-z0-9_]{0,8}', fullmatch=True).filter(
    lambda s: (
        s not in ('tests', 'test', 'fixtures', 'testdata', 'docs', 'conftest')
        and not s.startswith('test_')
        and not s.endswith('_test')
    )
)
_FOLDERS = st.lists(_SEGMENT, max_size=3)
_TEXT = 'HOST = "10.20.30.40"\nDATA = "/home/alice/proj/data.csv"\n'
# Generated credentials: a random token under a secret name, and a private key.
_SECRET = 'password = "kT9xP2mQ7vL4wR8zN3bY"\n' + RULES['private-key'].examples_bad[0] + '\n'  # type: ignore[union-attr]


def _test_path(folders: list[str], form: str, name: str) -> str:
    inner = '/'.join(folders)
    prefix = inner + '/' if inner else ''
    return {
        'tests': f'{prefix}tests/{name}.py',
        'test': f'{prefix}test/{name}.py',
        'fixtures': f'{prefix}fixtures/{name}.json',
        'testdata': f'{prefix}testdata/{name}.json',
        'docs': f'{prefix}docs/{name}.py',
        'test_': f'{prefix}test_{name}.py',
        '_test': f'{prefix}{name}_test.py',
        'conftest': f'{prefix}conftest.py',
    }[form]


@settings(max_examples=150, deadline=None)
@given(
    _FOLDERS, st.sampled_from(['tests', 'test', 'fixtures', 'testdata', 'docs', 'test_', '_test', 'conftest']), _SEGMENT
)
def test_ips_and_home_paths_in_test_data_are_notes_and_secrets_stay_errors(
    folders: list[str], form: str, name: str
) -> None:
    path = _test_path(folders, form, name)
    findings, _ = SCANNER.scan(Document(path, _TEXT + _SECRET))
    by_category = {f.category: f.severity for f in findings}
    if not path.startswith('docs/') and '/docs/' not in path:  # the doc-path skip already silences these there
        assert by_category.get('ip') == 'note' and by_category.get('abs-path') == 'note', (path, findings)
    assert not any(at_or_above(f.severity, config.Config().fail_on) for f in findings if f.category != 'secret')
    assert {f.severity for f in findings if f.category == 'secret'} == {'error'}
    assert {'generic-secret', 'private-key'} <= {f.rule for f in findings}


@settings(max_examples=100, deadline=None)
@given(_FOLDERS, _SEGMENT)
def test_the_same_data_elsewhere_keeps_its_severity(folders: list[str], name: str) -> None:
    path = '/'.join([*folders, f'{name}.py'])
    findings, _ = SCANNER.scan(Document(path, _TEXT))
    assert sorted((f.category, f.severity) for f in findings) == [('abs-path', 'warning'), ('ip', 'warning')]


def test_test_paths_is_a_setting(tmp_path: Path) -> None:
    (tmp_path / 'guard.toml').write_text('test-paths = ["qa/"]\n')
    cfg = config.load(tmp_path, environ={})
    assert cfg.test_paths == ('qa/',)
    scanner = Scanner(RULES, test_paths=cfg.test_paths)
    assert scanner.is_test_data('qa/net.py') and not scanner.is_test_data('tests/net.py')
    assert config.Config().test_paths == schema.DEFAULT_TEST_PATHS
    assert not Scanner(RULES, test_paths=()).is_test_data('tests/net.py')


@pytest.mark.parametrize('value', ['[z-a', 3])
def test_a_bad_test_paths_value_is_a_config_error(tmp_path: Path, value: object) -> None:
    (tmp_path / 'guard.toml').write_text(f'test-paths = [{value!r}]\n'.replace("'", '"'))
    with pytest.raises(ConfigError, match='test-paths'):
        config.load(tmp_path, environ={})


@settings(max_examples=60, deadline=None)
@given(
    _FOLDERS,
    st.sampled_from(['tests', 'test_', '_test', 'fixtures']),
    _SEGMENT,
    st.sampled_from(['pygmalion', 'hunter2', 'postgres123', 'Admin@123', 'letmein', 'bbrown']),
    st.sampled_from(
        [
            'password = "{}"\n',
            'connect(user="u", password="{}")\n',
            'URL = "https://u:{}@h.internal/"\n',
            'sshpass -p {} ssh h\n',
        ]
    ),
)
def test_a_human_password_in_a_test_file_is_a_note_and_an_error_in_app_code(
    folders: list[str], form: str, name: str, password: str, line: str
) -> None:
    """A test server's password typed into a fixture is test data; the same line in the app blocks the commit."""
    text = line.format(password)
    in_tests, _ = SCANNER.scan(Document(_test_path(folders, form, name), text))
    in_app, _ = SCANNER.scan(Document('/'.join([*folders, 'app', f'{name}.py']), text))
    assert [f.severity for f in in_tests if f.category == 'secret'] == ['note'], in_tests
    assert [f.severity for f in in_app if f.category == 'secret'] == ['error'], in_app
