"""`guard install-service` says exactly which of the project's trust-gated settings the service will
honour and which it will ignore, judged as the service judges them (issue 17, D1), and --trust
records the project in the system store the service reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import second_user
from support import run_guard
from support import write

from guard import config
from guard.cli import service_trust


@pytest.fixture
def root(tmp_path: Path) -> Path:
    second_user.uid()
    root = tmp_path / 'srv' / 'app'
    write(
        root,
        'pyproject.toml',
        '[project]\nname = "app"\nversion = "1"\n[tool.guard]\nfail-on = "error"\n'
        '[tool.guard.alerts]\ncommand = "true"\n'
        f'[tool.guard.watch]\nmetrics-file = "{tmp_path}/prom/guard.prom"\n',
    )
    os.chown(root, second_user.uid(), -1)
    return root


def install(root: Path, tmp_path: Path, *args: str) -> list[str]:
    proc = run_guard('install-service', root, '--user', second_user.NAME, '--unit-dir', tmp_path / 'units', *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_install_service_names_what_the_service_ignores_then_trust_honours_it(root: Path, tmp_path: Path) -> None:
    # Root trusting the project in its own store changes nothing for the service (the D1 trap).
    assert run_guard('trust', root).returncode == 0
    pyproject = root / 'pyproject.toml'
    lines = install(root, tmp_path, '--dry-run')
    start = lines.index(f'Of {pyproject}, the service will honour every setting but:')
    assert lines[start : start + 4] == [
        f'Of {pyproject}, the service will honour every setting but:',
        '  ignored: alerts.command (runs code): untrusted',
        '  ignored: watch.metrics-file (reads or writes outside the root): untrusted',
        f'To honour them, review the file and run as root: guard trust --system {root} (or install-service --trust).',
    ]
    lines = install(root, tmp_path, '--trust')
    assert f'trusted {pyproject} in the system store' in lines
    assert (
        f'Of {pyproject}, the service will honour every setting, including alerts.command, watch.metrics-file.' in lines
    )
    # What it printed is what the daemon's own loading concludes, in the service's environment.
    assert config.load(root, environ=service_trust.service_environ()).ignored == ()


def test_a_named_config_file_is_said_to_replace_the_projects(root: Path, tmp_path: Path) -> None:
    named = write(tmp_path, 'etc/guard.toml', 'fail-on = "error"\n')
    lines = install(root, tmp_path, '--dry-run', '--config', str(named))
    assert f"The service reads {named} (trusted: named by the unit), not {root}'s own config." in lines
