"""Every subcommand, every option that takes a value, generated bad values: exit 0, 1 or 2, never a
traceback (issue 16b, finding 07: `history --limit 10**23` was an OverflowError; any command on a
ROOT whose name is not UTF-8 a UnicodeEncodeError).

The option table is read from guard's own parser, so a new option is fuzzed without a test edit.
Left out, each for a reason: `hook` parses its own argv (tests/hooks_*), and `watch --reload`,
whose pid reaches kill(2), is fuzzed only inside a private PID namespace
(tests/daemon_reload_target_test.py). Nothing here can change anything outside its temporary
folder: purge and clean get --dry-run, watch gets --check, the service commands a temporary
--unit-dir, and there is no terminal to confirm on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.cli import COMMANDS
from guard.cli import build_parser

SKIPPED = {('watch', '--reload')}
SAFE_FLAGS = {
    'purge': ['--dry-run'],
    'clean': ['--dry-run'],
    'restore': ['--dry-run'],
    'watch': ['--check'],
}


def _options() -> list[tuple[str, str]]:
    table = []
    for name in COMMANDS:
        if name == 'hook':
            continue
        parser = build_parser([name])
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
        for action in sub._actions:
            if action.option_strings and action.nargs != 0 and action.dest != 'help':
                option = action.option_strings[-1]
                if (name, option) not in SKIPPED:
                    table.append((name, option))
    return table


OPTIONS = _options()

BAD_VALUES = st.one_of(
    st.integers(10**18, 10**40).map(str),
    st.integers(-(10**40), 0).map(str),
    st.sampled_from(['', ' ', 'nan', 'inf', '-inf', '1e999', '-0', '0x10', '--', '-', '1_0', '٣']),
    st.binary(min_size=1, max_size=12).filter(lambda b: b'\0' not in b and b'/' not in b).map(os.fsdecode),
    st.text(st.characters(min_codepoint=1, max_codepoint=0x9F), min_size=1, max_size=8),
)


def run(args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'XDG_STATE_HOME': str(tmp / 'state'), 'XDG_CONFIG_HOME': str(tmp / 'cfg')}
    return subprocess.run(
        [sys.executable, '-m', 'guard', *args],
        cwd=tmp,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors='surrogateescape',
        timeout=300,
        check=False,
    )


def _root(tmp: Path, name: str) -> str:
    root = Path(os.fsdecode(os.fsencode(tmp) + b'/' + os.fsencode(name)))
    root.mkdir(exist_ok=True)
    subprocess.run(['git', 'init', '-q', str(root)], check=True)
    return str(root)


def base_args(command: str, root: str, tmp: Path) -> list[str]:
    args = [command, root, *SAFE_FLAGS.get(command, [])]
    if command in ('install-service', 'uninstall-service'):
        args += ['--unit-dir', str(tmp / 'units')]
    return args


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert 'Traceback' not in proc.stderr and 'internal error' not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-3000:])


@settings(max_examples=70, deadline=None, suppress_health_check=list(HealthCheck))
@given(option=st.sampled_from(OPTIONS), value=BAD_VALUES, odd_root=st.booleans())
def test_a_bad_option_value_is_never_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, option: tuple[str, str], value: str, odd_root: bool
) -> None:
    tmp = tmp_path_factory.mktemp('cli')
    command, flag = option
    root = _root(tmp, 'r\udcff\x1b' if odd_root else 'r')
    no_traceback(run([*base_args(command, root, tmp), f'{flag}={value}'], tmp))


@pytest.mark.parametrize('option', OPTIONS, ids=' '.join)
def test_an_option_value_spelled_dashes_is_a_usage_error(tmp_path: Path, option: tuple[str, str]) -> None:
    """argparse drops `--` given as an option's value (`--unit-dir=--`) and handed `uninstall-service` an empty
    list for a path (a traceback the generator above found): every option refuses it, exit 2."""
    command, flag = option
    proc = run([*base_args(command, _root(tmp_path, 'r'), tmp_path), f'{flag}=--'], tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2 and f'{flag}: `--` is not a value' in proc.stderr, proc.stderr[-3000:]


@pytest.mark.parametrize('command', [c for c in COMMANDS if c not in ('hook', 'scan', 'install')])
@pytest.mark.parametrize('name', ['r\udcff', 'r\udcc3(', 'r\\xff', 'r\x1b[2J\n'])
def test_every_command_on_a_root_whose_name_is_not_utf8(tmp_path: Path, command: str, name: str) -> None:
    """The repro of finding 07, for every command that takes a root (scan and install take paths:
    their own tests). The name in any line guard prints is escaped, never raw."""
    root = _root(tmp_path, name)
    proc = run(base_args(command, root, tmp_path), tmp_path)
    no_traceback(proc)
    shown = proc.stdout + proc.stderr
    assert '\x1b' not in shown and not any('\udc80' <= c <= '\udcff' for c in shown), shown[-2000:]


def test_history_limit_past_every_store() -> None:
    proc = run(['history', '--limit', '99999999999999999999999'], Path.cwd())
    no_traceback(proc)
    assert proc.returncode == 2 and 'must be from 1 to 2,147,483,647' in proc.stderr
