"""The command line contract: exit codes 0/1/2, one-line errors, never a traceback for user mistakes."""

from __future__ import annotations

import importlib.metadata
import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from support import run_guard
from support import write

from guard.cli import COMMANDS

REPO = Path(__file__).resolve().parents[1]


def assert_usage_error(proc, needle: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert 'Traceback' not in proc.stderr
    assert needle in proc.stderr


def test_version_and_help() -> None:
    assert run_guard('--version').stdout.startswith('guard ')
    helptext = run_guard('--help').stdout
    for name in COMMANDS:
        assert name in helptext
    assert 'exit codes: 0 clean, 1 findings' in helptext


@pytest.mark.parametrize(
    'args', [[], ['frobnicate'], ['scan', '--format', 'xml'], ['scan', '--fail-on', 'loud'], ['scan', '--jobs', 'many']]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    proc = run_guard(*args)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr and 'usage: guard' in proc.stderr


def test_missing_path_is_one_line(tmp_path: Path) -> None:
    proc = run_guard('scan', tmp_path / 'nope')
    assert_usage_error(proc, 'nope: no such file or directory')
    assert proc.stderr.count('\n') == 1


def test_unwritable_output(tmp_path: Path) -> None:
    write(tmp_path, 'a.py', 'x = 1\n')
    proc = run_guard('scan', tmp_path, '--output', tmp_path / 'missing-dir' / 'out.json')
    assert_usage_error(proc, 'cannot write the report')


def test_unknown_only_category(tmp_path: Path) -> None:
    assert_usage_error(run_guard('scan', tmp_path, '--only', 'passwords'), "unknown rule or category 'passwords'")


def test_only_restricts_categories(tmp_path: Path) -> None:
    write(tmp_path, 'a.py', 'H = "10.0.0.1"\nP = "/home/alice/x"\n')
    proc = run_guard('scan', tmp_path, '--only', 'abs-path')
    assert proc.returncode == 1
    assert 'home-path' in proc.stdout and 'hardcoded-ipv4' not in proc.stdout


def test_list_rules_names_every_category() -> None:
    out = run_guard('scan', '--list-rules').stdout
    for category in ('secret', 'env-file', 'ip', 'abs-path', 'venv'):
        assert f' {category} ' in out


def test_exit_codes(tmp_path: Path) -> None:
    write(tmp_path, 'a.py', 'x = 1\n')
    assert run_guard('scan', tmp_path).returncode == 0
    write(tmp_path, 'b.py', 'H = "10.0.0.1"\n')
    assert run_guard('scan', tmp_path).returncode == 1


# One spelling for each thing across subcommands (issue 11).


def _ip_and_path_tree(root: Path) -> tuple[str, str]:
    """A file with one hardcoded IP and one home path, random each run; returns (ip, user)."""
    ip = f'10.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}'
    user = 'u' + secrets.token_hex(4)
    write(root, 'conf.py', f'HOST = "{ip}"\nDATA = "/home/{user}/data"\n')
    return ip, user


def _rules(proc) -> set[str]:  # type: ignore[no-untyped-def]
    return {f['rule'] for f in json.loads(proc.stdout)['findings']}


def test_only_and_disable_take_comma_lists_like_repeated_flags(tmp_path: Path) -> None:
    _ip_and_path_tree(tmp_path)
    write(tmp_path, 'db.py', f'URL = "postgresql://app:{secrets.token_hex(8)}@db.internal/prod"\n')
    every = _rules(run_guard('scan', tmp_path, '--format', 'json'))
    assert {'hardcoded-ipv4', 'home-path', 'database-url-password'} <= every
    comma = run_guard('scan', tmp_path, '--format', 'json', '--only', 'ip,abs-path')
    repeated = run_guard('scan', tmp_path, '--format', 'json', '--only', 'ip', '--only', 'abs-path')
    assert _rules(comma) == _rules(repeated) == {'hardcoded-ipv4', 'home-path'}
    assert _rules(run_guard('scan', tmp_path, '--format', 'json', '--disable', 'ip,secret')) == {'home-path'}
    assert_usage_error(run_guard('scan', tmp_path, '--only', 'ip,passwords'), "unknown rule or category 'passwords'")
    assert_usage_error(run_guard('scan', tmp_path, '--only', ','), 'expected a name or a comma-separated list')


def test_exit_zero_reports_and_exits_0_but_errors_still_exit_2(tmp_path: Path) -> None:
    ip, _ = _ip_and_path_tree(tmp_path)
    proc = run_guard('scan', tmp_path, '--exit-zero')
    assert proc.returncode == 0 and f'| HOST = "{ip}"' in proc.stdout and 'guard: 2 findings' in proc.stdout
    assert run_guard('scan', tmp_path).returncode == 1
    write(tmp_path, 'guard.toml', 'fail-on = "loud"\n')
    assert run_guard('scan', tmp_path, '--exit-zero').returncode == 2


def test_quiet_prints_only_the_findings(tmp_path: Path) -> None:
    ip, user = _ip_and_path_tree(tmp_path)
    proc = run_guard('scan', tmp_path, '-q')
    assert proc.returncode == 1 and proc.stderr == ''
    assert proc.stdout.splitlines() == [
        'conf.py:1:9: warning hardcoded-ipv4',
        f'    | HOST = "{ip}"',
        'conf.py:2:9: warning home-path',
        f'    | DATA = "/home/{user}/data"',
    ]
    write(tmp_path, 'conf.py', 'x = 1\n')
    clean = run_guard('scan', tmp_path, '--quiet')
    assert (clean.returncode, clean.stdout) == (0, '')


def test_no_color_flag_beats_force_color(tmp_path: Path) -> None:
    _ip_and_path_tree(tmp_path)
    assert '\033[' in run_guard('scan', tmp_path, env={'FORCE_COLOR': '1'}).stdout
    assert '\033[' not in run_guard('scan', tmp_path, '--no-color', env={'FORCE_COLOR': '1'}).stdout


def test_history_format_json_and_the_old_json_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))
    write(tmp_path, 'proj/logs/app.log', secrets.token_hex(64))
    assert run_guard('purge', tmp_path / 'proj', '--force').returncode == 0
    new = run_guard('history', tmp_path / 'proj', '--format', 'json')
    old = run_guard('history', tmp_path / 'proj', '--json')
    assert new.returncode == old.returncode == 0 and old.stderr == ''
    assert [e['kind'] for e in json.loads(new.stdout)] == ['purge']
    assert json.loads(old.stdout) == json.loads(new.stdout)
    helptext = run_guard('history', '--help').stdout
    assert '--format {text,json}' in helptext and '--json' not in helptext


def test_every_root_taking_command_spells_it_as_the_root_positional() -> None:
    for command in ('baseline', 'install', 'purge', 'clean', 'restore', 'history', 'health'):
        usage = run_guard(command, '--help').stdout.split('\n\n')[0]
        assert '[ROOT]' in usage, f'{command}: {usage}'
        assert '--root' not in usage and '--json' not in usage


@pytest.mark.slow  # ~18 s on a busy machine: four real clean-then-restore rounds of a venv
def test_restore_takes_root_then_id_and_the_old_spellings_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv('GUARD_STATE_DIR', str(tmp_path / 'state'))
    root = tmp_path / 'proj'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    cfg = (root / 'pyvenv.cfg').read_bytes()

    def clean() -> str:
        done = run_guard('clean', root, '--force', '--no-fix')
        assert done.returncode == 0 and not (root / 'pyvenv.cfg').exists(), done.stdout + done.stderr
        undo = done.stdout.split('Undo with: ')[1].splitlines()[0]
        assert undo.startswith(f'guard restore {root} ')
        return undo.split()[-1]

    for argv, cwd in [
        (lambda q: ('restore', root, q), None),  # guard restore ROOT ID
        (lambda q: ('restore', root), None),  # guard restore ROOT (the newest)
        (lambda q: ('restore', q), root),  # guard restore ID, in the root
        (lambda q: ('restore', q, '--root', root), None),
    ]:  # the old spelling
        qid = clean()
        proc = run_guard(*argv(qid), '--force', cwd=cwd)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f'quarantine {qid}' in proc.stdout and (root / 'pyvenv.cfg').read_bytes() == cfg


def test_install_takes_a_comma_list_of_hooks(git_repo: Path) -> None:
    proc = run_guard('install', git_repo, '--hook', 'pre-commit,pre-push')
    assert proc.returncode == 0, proc.stderr
    assert (git_repo / '.git/hooks/pre-commit').is_file() and (git_repo / '.git/hooks/pre-push').is_file()
    assert_usage_error(
        run_guard('install', git_repo, '--hook', 'pre-commit,post-merge'), "invalid choice: 'post-merge'"
    )


# Runtime dependencies (issue 11): what guard imports, so a server install stays small.


def _runtime_requirements() -> dict[str, str]:
    """Distribution name -> requirement, for guard's unconditional (non-extra) dependencies."""
    found = {}
    for requirement in importlib.metadata.requires('guard') or []:
        if 'extra ==' in requirement:
            continue
        name = re.split(r'[\s<>=!~;\[]', requirement, maxsplit=1)[0]
        found[name.lower()] = requirement
    return found


# How guard reaches each runtime dependency: the module it imports (psycopg2 is loaded by SQLAlchemy
# for postgresql:// URLs, named in guard/health/engine.py).
IMPORTED_AS = {
    'sqlalchemy': 'sqlalchemy',
    'psycopg2-binary': 'psycopg2',
    'python-dotenv': 'dotenv',
    'ahocorasick-rs': 'ahocorasick_rs',
    'pathspec': 'pathspec',
    'gitpython': 'git',
    'watchdog': 'watchdog',
    'prometheus_client': 'prometheus_client',
}


def test_runtime_dependencies_are_what_guard_imports() -> None:
    runtime = _runtime_requirements()
    assert not {'pre-commit', 'virtualenv', 'nodeenv'} & set(runtime), runtime
    extras = ' '.join(importlib.metadata.requires('guard') or [])
    assert 'pre-commit' in extras and 'extra == "test"' in extras
    assert set(runtime) == set(IMPORTED_AS), 'a new runtime dependency: say how guard imports it'
    source = '\n'.join(p.read_text(encoding='utf-8') for p in (REPO / 'guard').rglob('*.py'))
    for dist, module in IMPORTED_AS.items():
        imported = re.search(rf'^\s*(?:import|from) {module}\b', source, re.M) or module in ('psycopg2',)
        assert imported and module in source, f'{dist} is declared but guard never imports {module}'
