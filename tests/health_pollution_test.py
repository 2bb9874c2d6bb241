"""Root pollution in `guard health`: a real `python -m venv` in the root fails the check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from guard.health import Status
from guard.health.pollution import check_pollution


def test_clean_root_is_ok(tmp_path: Path) -> None:
    (tmp_path / 'bin').mkdir()
    (tmp_path / 'bin' / 'deploy.sh').write_text('#!/bin/sh\n')  # a project's own bin/ is not a venv
    result = check_pollution(tmp_path)
    assert (result.name, result.status, result.value, result.reason) == (
        'pollution',
        Status.OK,
        'no Python environment in the root',
        '',
    )


def test_venv_in_the_root_fails(tmp_path: Path) -> None:
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(tmp_path)], check=True)
    result = check_pollution(tmp_path)
    assert result.status is Status.FAIL
    assert result.value.startswith('venv entries: bin/, ') and 'pyvenv.cfg' in result.value
    assert result.reason == 'a Python environment sits in the project root; `guard clean` moves it to a quarantine'
