"""Startup validation: each problem is one line naming what to fix and an exit code (1 the daemon
cannot start, 2 a config error), before any READY=1 and without a half-started daemon."""

from __future__ import annotations

from pathlib import Path

import pytest
from daemon_harness import Setup
from support import run_guard


def _missing_root(setup: Setup) -> str:
    (setup.root / 'logs').rmdir()
    setup.root.rmdir()
    return f'cannot watch {setup.root} does not exist (deleted or not mounted); create it'


def _root_is_a_file(setup: Setup) -> str:
    (setup.root / 'logs').rmdir()
    setup.root.rmdir()
    setup.root.write_text('')
    return f'cannot watch {setup.root} is not a folder'


def _state_dir_unwritable(setup: Setup) -> str:
    blocker = setup.tmp / 'a-file'
    blocker.write_text('')
    setup.state = blocker / 'state'
    setup.write()
    return f'state directory {blocker / "state"} is not writable'


def _audit_store_unusable(setup: Setup) -> str:
    blocker = setup.tmp / 'a-file'
    blocker.write_text('')
    text = setup.config_file.read_text() + f'[audit]\nurl = "sqlite:///{blocker}/audit.db"\n'
    setup.config_file.write_text(text)
    return 'cannot create the directory of the audit store'


def _database_without_url(setup: Setup) -> str:
    setup.health['checks'] = ['database', 'disk']
    setup.write()
    return 'no database URL: looked for health.db-url'


def _bad_choice(setup: Setup) -> str:
    setup.watch['on-low-disk'] = 'panic'
    setup.write()
    return "watch.on-low-disk must be one of purge, alert, off, got 'panic'"


def _zero_debounce(setup: Setup) -> str:
    setup.watch['debounce'] = 0
    setup.write()
    return 'watch.debounce must be more than 0 seconds, got 0'


def _metrics_folder_missing(setup: Setup) -> str:
    setup.watch['metrics-file'] = str(setup.tmp / 'no-such-folder' / 'guard.prom')
    setup.write()
    return f'watch.metrics-file {setup.tmp / "no-such-folder" / "guard.prom"}: cannot write in'


CASES = [
    (_missing_root, 1),
    (_root_is_a_file, 1),
    (_state_dir_unwritable, 1),
    (_audit_store_unusable, 1),
    (_metrics_folder_missing, 1),
    (_database_without_url, 2),
    (_bad_choice, 2),
    (_zero_debounce, 2),
]


@pytest.mark.parametrize(('break_it', 'code'), CASES, ids=[c[0].__name__.strip('_') for c in CASES])
def test_startup_failure_is_one_line_and_an_exit_code(tmp_path: Path, break_it, code: int) -> None:  # type: ignore[no-untyped-def]
    setup = Setup(tmp_path)
    expected = break_it(setup)
    result = run_guard('watch', setup.root, '--config', setup.config_file)
    assert result.returncode == code, result.stderr
    assert result.stdout == ''
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('guard: error: ') and expected in lines[0], lines[0]
    assert not list(setup.tmp.glob('state/watch-*.json'))  # never half-started


def test_a_bad_guard_watch_variable_is_a_config_error(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    result = run_guard('watch', setup.root, '--config', setup.config_file, env={'GUARD_WATCH_ON_POLLUTION': 'delete'})
    assert result.returncode == 2
    assert result.stderr == (
        'guard: error: GUARD_WATCH_ON_POLLUTION: watch.on-pollution must be one of alert, '
        "quarantine, off, got 'delete'\n"
    )
