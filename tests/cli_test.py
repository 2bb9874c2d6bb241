"""The command line contract: exit codes 0/1/2, one-line errors, never a traceback for user mistakes."""
from __future__ import annotations

from pathlib import Path

import pytest

from guard.cli import COMMANDS
from support import run_guard
from support import write


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


@pytest.mark.parametrize('args', [[], ['frobnicate'], ['scan', '--format', 'xml'], ['scan', '--fail-on', 'loud'],
                                  ['scan', '--jobs', 'many']])
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
