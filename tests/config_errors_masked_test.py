"""A bad config value is quoted back masked, whatever key it sits under (attack 16 finding 09).

A credential pasted into the wrong key, or an environment variable set to the wrong text, reaches an error
message: `exclude`, `test-paths`, `allow-ips`, `disable`, an unknown key's name, `health.tables` and
`health.checks` quoted it in clear, where `fail-on` and `jobs` masked it. Every key of the schema (as a
string, and in a list where the key takes one) and every `GUARD_*` variable gets generated credentials; the
command ends with exit 0 or 2 and its output never holds the credential. `guard scan` runs in-process
(guard.cli.main), so every key is tried many times in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard import schema
from guard.cli import main
from tests.passwords import mixed_passwords

# `[` opens a gitignore class that never closes; `!` and `%` make a value no rule id, address or number.
CREDENTIALS = mixed_passwords().map(lambda pw: pw + '!%')
PATTERN_BREAKERS = CREDENTIALS.map(lambda pw: '[' + pw)
_TOML_ESCAPES = str.maketrans({'\\': '\\\\', '"': '\\"'})


def _toml(key: schema.Key, value: str, as_list: bool) -> str:
    section, _, name = key.name.rpartition('.')
    literal = f'"{value.translate(_TOML_ESCAPES)}"'
    line = f'{name} = [{literal}]' if as_list else f'{name} = {literal}'
    return f'[{section}]\n{line}\n' if section else f'{line}\n'


def _run(root: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize('key', schema.KEYS, ids=lambda k: k.name)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(credential=st.one_of(CREDENTIALS, PATTERN_BREAKERS), as_list=st.booleans())
def test_a_credential_under_any_key_is_quoted_masked(
    key: schema.Key,
    credential: str,
    as_list: bool,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path_factory.mktemp('root')
    (root / 'app.py').write_text('x = 1\n')
    config = root / 'guard.toml'
    config.write_text(_toml(key, credential, as_list))
    code, output = _run(root, capsys, ['scan', str(root), '--config', str(config), '--no-baseline'])
    assert code in (0, 2), output
    assert credential not in output
    assert credential.lstrip('[') not in output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(credential=st.one_of(CREDENTIALS, PATTERN_BREAKERS), where=st.sampled_from(['unknown-key', 'env']))
def test_a_credential_as_a_key_name_or_in_an_environment_variable_is_quoted_masked(
    credential: str,
    where: str,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path_factory.mktemp('root')
    (root / 'app.py').write_text('x = 1\n')
    argv = ['scan', str(root), '--no-baseline']
    if where == 'unknown-key':
        config = root / 'guard.toml'
        config.write_text(f'"{credential.translate(_TOML_ESCAPES)}" = 1\n')
        argv += ['--config', str(config)]
        code, output = _run(root, capsys, argv)
    else:
        outputs = []
        for key in schema.KEYS:
            variable = 'GUARD_' + key.name.replace('.', '_').replace('-', '_').upper()
            with monkeypatch.context() as patch:
                patch.setenv(variable, credential)
                code, output = _run(root, capsys, argv)
                outputs.append(output)
                assert code in (0, 2), (variable, output)
        output = '\n'.join(outputs)
    assert credential not in output
    assert credential.lstrip('[') not in output


def test_a_bad_pattern_still_names_its_key_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / 'guard.toml').write_text('exclude = ["[Zx81kq!a9Lm"]\n')
    code, output = _run(tmp_path, capsys, ['scan', str(tmp_path), '--config', str(tmp_path / 'guard.toml')])
    assert code == 2
    assert 'exclude: invalid pattern' in output and 'character class that is never closed' in output
    assert 'Zx81kq' not in output
