"""Config: file, then GUARD_* variables, then flags; every bad value is one line naming file and key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from passwords import SYMBOLS
from passwords import mixed_passwords
from support import git
from support import run_guard
from support import write

from guard import config
from guard import schema
from guard.errors import ConfigError


def test_defaults_without_any_file(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, environ={})
    assert cfg.fail_on == 'warning' and cfg.exclude == () and cfg.source == 'defaults'
    assert 'models/' in cfg.purge.protected and 'logs/' in cfg.purge.ephemeral


def test_pyproject_tool_guard_section(tmp_path: Path) -> None:
    write(
        tmp_path,
        'pyproject.toml',
        '[project]\nname = "x"\n[tool.guard]\nfail-on = "error"\nexclude = ["vendor/"]\n'
        '[tool.guard.health]\ntables = ["assets"]\n',
    )
    cfg = config.load(tmp_path, environ={})
    assert cfg.fail_on == 'error' and cfg.exclude == ('vendor/',) and cfg.health.tables == ('assets',)
    assert cfg.source.endswith('pyproject.toml')


def test_guard_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, 'pyproject.toml', '[tool.guard]\nfail-on = "error"\n')
    write(tmp_path, 'guard.toml', 'fail-on = "note"\n')
    assert config.load(tmp_path, environ={}).fail_on == 'note'


def test_environment_overrides_file(tmp_path: Path) -> None:
    write(tmp_path, 'guard.toml', 'fail-on = "note"\n[purge]\nkeep-rotated = 1\n')
    cfg = config.load(
        tmp_path, environ={'GUARD_FAIL_ON': 'error', 'GUARD_PURGE_KEEP_ROTATED': '3', 'GUARD_EXCLUDE': 'a/, b/'}
    )
    assert (cfg.fail_on, cfg.purge.keep_rotated, cfg.exclude) == ('error', 3, ('a/', 'b/'))


def test_config_file_is_never_rewritten(tmp_path: Path) -> None:
    text = '[tool.guard]\nfail-on = "error"   # keep my comment\n'
    write(tmp_path, 'pyproject.toml', text)
    run_guard('scan', tmp_path)
    assert (tmp_path / 'pyproject.toml').read_text() == text


@pytest.mark.parametrize(
    ('toml', 'message'),
    [
        ('fail_on = "error"\n', "guard.toml: unknown key 'fail_on' (known keys: "),
        ('colour = true\n', "guard.toml: unknown key 'colour' (known keys: "),
        ('fail-on = "fatal"\n', "guard.toml: fail-on must be one of note, warning, error, got 'fatal'"),
        ('exclude = "vendor/"\nmax-file-size = "big"\n', 'guard.toml: max-file-size must be a whole number, got str'),
        ('max-file-size = -1\n', 'guard.toml: max-file-size must be >= 0, got -1'),
        ('exclude = [1, 2]\n', 'guard.toml: exclude must be a list of strings, got list [1, 2]'),
        ('[purge]\nprotectd = ["x/"]\n', "guard.toml: unknown key 'purge.protectd' (known keys: "),
        ('[health]\nrow-count = "guess"\n', "guard.toml: health.row-count must be one of exact, estimate, got 'guess'"),
        ('purge = 3\n', 'guard.toml: purge must be a table'),
        ('fail-on = \n', 'guard.toml: invalid TOML: '),
        (
            'exclude = ["docs/", "[z-a"]\n',
            "guard.toml: exclude: invalid pattern '[z-a': '[' opens a character class that is never closed",
        ),
        ('exclude = ["[z-a]"]\n', "guard.toml: exclude: invalid pattern '[z-a]': bad character range z-a"),
    ],
)
def test_bad_config_is_one_line_exit_2(tmp_path: Path, toml: str, message: str) -> None:
    write(tmp_path, 'guard.toml', toml)
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path, environ={})
    assert str(info.value).replace(str(tmp_path) + '/', '').startswith(message)
    proc = run_guard('scan', tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ''
    assert proc.stderr.count('\n') == 1 and proc.stderr.startswith('guard: error: ')
    assert 'Traceback' not in proc.stderr


@pytest.mark.parametrize(
    ('env', 'message'),
    [
        ({'GUARD_FAIL_ON': 'loud'}, "fail-on must be one of note, warning, error, got 'loud'"),
        ({'GUARD_MAX_FILE_SIZE': 'ten'}, "GUARD_MAX_FILE_SIZE: expected a whole number, got 'ten'"),
        ({'GUARD_ALERTS_JOURNAL': 'maybe'}, "GUARD_ALERTS_JOURNAL: expected true or false, got 'maybe'"),
    ],
)
def test_bad_environment_values(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace('(', r'\(').replace(')', r'\)')):
        config.load(tmp_path, environ=env)


def test_unknown_rule_in_disable_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, 'guard.toml', 'disable = ["secrets"]\n')
    proc = run_guard('scan', tmp_path)
    assert proc.returncode == 2
    assert "unknown rule or category 'secrets'" in proc.stderr


def test_explicit_config_file_and_missing_one(tmp_path: Path) -> None:
    write(tmp_path, 'custom.toml', 'fail-on = "error"\n')
    write(tmp_path, 'a.py', 'H = "10.0.0.1"\n')
    assert run_guard('scan', tmp_path, '--config', tmp_path / 'custom.toml').returncode == 0
    proc = run_guard('scan', tmp_path, '--config', tmp_path / 'nope.toml')
    assert proc.returncode == 2 and 'config file not found' in proc.stderr


def test_top_level_keys_load_without_typing_or_dataclasses(tmp_path: Path) -> None:
    """What a commit hook pays for a configured project: no dataclasses (no section set), nor typing but for
    tomllib's. (An `exclude` pattern is translated by pathspec, which imports dataclasses: that cost is its own.)"""
    write(tmp_path, 'pyproject.toml', '[tool.guard]\nfail-on = "error"\ndisable = ["ip"]\n')
    code = (
        'import sys; from guard import config; c = config.load(sys.argv[1], environ={}); '
        'print(c.fail_on, c.disable, sorted(m for m in ("dataclasses", "guard.settings") if m in sys.modules))'
    )
    # -S: the dev venv's editable-install finder would import dataclasses itself; site-packages by hand.
    path = os.pathsep.join((str(Path(config.__file__).parent.parent), sysconfig.get_paths()['purelib']))
    out = subprocess.run(
        [sys.executable, '-S', '-c', code, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, 'PYTHONPATH': path},
    ).stdout
    assert out == "error ('ip',) []\n"


@pytest.mark.parametrize('pattern', ['[a-z]*.log', '[]]x', '[!]]x', r'\[z-a', 'a[^b]c', '!keep/', '# comment'])
def test_valid_exclude_patterns_load(tmp_path: Path, pattern: str) -> None:
    write(tmp_path, 'guard.toml', f'exclude = [{json.dumps(pattern)}]\n')
    assert config.load(tmp_path, environ={}).exclude == (pattern,)


def test_jobs_is_capped_at_the_cpu_count_with_a_note(tmp_path: Path) -> None:
    pyproject = write(tmp_path, 'pyproject.toml', '[tool.guard]\njobs = 5000\n')
    cpus = os.cpu_count() or 1
    cfg = config.load(tmp_path, environ={})
    assert cfg.jobs == cpus
    note = f'{pyproject}: jobs = 5000 is more than the {cpus} CPUs of this machine: using {cpus}'
    assert cfg.notes == (note,)
    proc = run_guard('scan', tmp_path)
    assert proc.returncode == 0
    assert proc.stderr == f'guard: note: {note}\n'
    assert config.load(tmp_path, environ={'GUARD_JOBS': str(cpus)}).notes == (note,)  # the file's note stays
    assert config.load(tmp_path, environ={'GUARD_JOBS': '1'}).jobs == 1


def test_layers_system_user_project_environment(tmp_path: Path) -> None:
    system = write(tmp_path, 'etc/guard.toml', 'fail-on = "note"\nmax-file-size = 7\n[health]\ntables = ["a"]\n')
    write(
        tmp_path, 'xdg/guard/guard.toml', '[tool.guard]\nfail-on = "error"\n[tool.guard.health]\nmin-rows = {a = 2}\n'
    )
    root = tmp_path / 'root'
    write(root, 'pyproject.toml', '[tool.guard.health]\ntables = ["b"]\n')
    environ = {'GUARD_SYSTEM_CONFIG': str(system), 'XDG_CONFIG_HOME': str(tmp_path / 'xdg')}
    cfg = config.load(root, environ=environ)
    # A later layer replaces a key, not a whole section.
    assert (cfg.fail_on, cfg.max_file_size, cfg.health.tables, dict(cfg.health.min_rows)) == (
        'error',
        7,
        ('b',),
        {'a': 2},
    )
    assert cfg.source == str(root / 'pyproject.toml')
    assert config.load(root, environ={**environ, 'GUARD_FAIL_ON': 'warning'}).fail_on == 'warning'
    # --config (or GUARD_CONFIG) names a file used instead of the project's, over the shared ones.
    named = write(tmp_path, 'named.toml', 'max-file-size = 9\n')
    cfg = config.load(root, config_file=named, environ=environ)
    assert (cfg.max_file_size, cfg.fail_on, cfg.health.tables) == (9, 'error', ('a',))


def test_a_bad_user_config_names_its_file(tmp_path: Path) -> None:
    user = write(tmp_path, 'xdg/guard/guard.toml', '[alerts]\ncommand = 3\n')
    proc = run_guard('scan', tmp_path / 'xdg', env={'XDG_CONFIG_HOME': str(tmp_path / 'xdg')})
    assert (proc.returncode, proc.stderr) == (2, f'guard: error: {user}: alerts.command must be a string, got int 3\n')


# --- a value quoted back by a config error shows no credential (attack 15c, finding 14) ------------

PASSWORDS = mixed_passwords(SYMBOLS + '"\\\' ')  # quotes and spaces: a TOML string must escape them
# How a command with its credential is written as a TOML list (a list where a string belongs).
COMMAND_LISTS = (
    lambda pw: ['curl', '-u', f'ops:{pw}', 'https://alerts.internal/notify'],
    lambda pw: ['sshpass', '-p', pw, 'ssh', 'backup@db'],
    lambda pw: ['mysql', f'-p{pw}', 'orders'],
    lambda pw: ['notify', f'--password={pw}'],
    lambda pw: ['psql', f'postgresql://app:{pw}@db/orders'],
    lambda pw: ['send', pw],
    lambda pw: [f'Authorization: Basic {pw}'],
)


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string (ASCII, \" \\ \uXXXX escapes) is a TOML basic string
    if isinstance(value, list):
        return '[' + ', '.join(_toml(v) for v in value) + ']'
    if isinstance(value, dict):
        return '{ ' + ', '.join(f'{k} = {_toml(v)}' for k, v in value.items()) + ' }'
    return str(value)


def _wrong(key: schema.Key, words: list[str], pw: str, plain: bool) -> object:
    """A value of the wrong type for `key` that holds `pw`: what a config error quotes back."""
    if plain and (key.choices or key.kind not in ('str', 'list')):
        return pw  # a string, but no choice, number, flag or table
    if key.kind == 'list':
        return [*words, 1]  # a list, but not of strings
    if key.kind == 'counts':
        return {'a': words}
    return words


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(schema.KEYS),
    form=st.sampled_from(COMMAND_LISTS),
    pw=PASSWORDS,
    plain=st.booleans(),
    pyproject=st.booleans(),
)
def test_a_config_error_never_quotes_a_credential(
    key: schema.Key, form: Callable[[str], list[str]], pw: str, plain: bool, pyproject: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        leaf = key.name.rpartition('.')[2]
        line = f'{leaf} = {_toml(_wrong(key, form(pw), pw, plain))}\n'
        table = '.'.join(filter(None, ['tool.guard' if pyproject else '', key.section]))
        write(root, 'pyproject.toml' if pyproject else 'guard.toml', f'[{table}]\n{line}' if table else line)
        with pytest.raises(ConfigError) as caught:
            config.load(root, environ={})
    message = str(caught.value)
    assert key.name in message  # the key is named...
    # ...and no piece of the credential that holds a digit is shown (a bare word may be a program's name)
    pieces = {pw[i : i + 5] for i in range(len(pw) - 4)} if len(pw) > 5 else {pw}
    shown = [p for p in pieces if any(c.isdigit() for c in p) and p in message]
    assert not shown, message


@pytest.mark.parametrize('command', ['scan', 'health', 'commit'])
def test_a_list_valued_alert_command_is_named_not_quoted(tmp_path: Path, command: str) -> None:
    from secrets import token_hex

    pw = f'{token_hex(3)}Qz7{token_hex(3)}'
    git(tmp_path, 'init', '-q')
    write(
        tmp_path,
        'pyproject.toml',
        f'[tool.guard.alerts]\ncommand = ["curl", "-u", "ops:{pw}", "https://a.internal/"]\n',
    )
    if command == 'commit':
        assert run_guard('install', tmp_path).returncode == 0
        write(tmp_path, 'a.py', 'x = 1\n')
        git(tmp_path, 'add', 'a.py')
        proc = git(tmp_path, '-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '-qm', 'x', check=False)
    else:
        proc = run_guard(command, tmp_path)
    assert proc.returncode != 0  # the bad setting stops it (the hook fails closed)
    expected = (
        f'guard: error: {tmp_path / "pyproject.toml"}: alerts.command must be a string, '
        "got list ['********', '********', '********', ..."
    )
    assert expected in proc.stderr.splitlines() and pw not in proc.stdout + proc.stderr


@settings(max_examples=100, deadline=None)
@given(
    key=st.sampled_from([k for k in schema.KEYS if k.kind in ('int', 'float', 'bool', 'counts') or k.choices]),
    pw=PASSWORDS,
    counts_form=st.booleans(),
)
def test_a_bad_environment_variable_is_named_not_quoted(key: schema.Key, pw: str, counts_form: bool) -> None:
    text = f'assets={pw}' if key.kind == 'counts' and counts_form else pw
    with tempfile.TemporaryDirectory() as tmp, pytest.raises(ConfigError) as caught:
        config.load(Path(tmp), environ={key.env_var: text})
    message = str(caught.value)
    assert key.env_var in message or key.name in message
    pieces = {pw[i : i + 5] for i in range(len(pw) - 4)} if len(pw) > 5 else {pw}
    assert not [p for p in pieces if any(c.isdigit() for c in p) and p in message], message
