"""`ruff check` and `ruff format --check` pass over the repository (configuration in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name('ruff')
    if not tool.exists():
        pytest.fail(f'{tool} is missing: install the test extra (scripts/bootstrap.sh --test)')
    return subprocess.run([str(tool), *args, '--no-cache', '.'], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_check_finds_nothing() -> None:
    result = _ruff('check', '--output-format', 'concise')
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_would_change_nothing() -> None:
    result = _ruff('format', '--check')
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_lint_error_is_reported(tmp_path: Path) -> None:
    """The check can fail: the same configuration on a file with an unused import and double quotes."""
    (tmp_path / 'pyproject.toml').write_text((ROOT / 'pyproject.toml').read_text(encoding='utf-8'), encoding='utf-8')
    (tmp_path / 'sample.py').write_text('import os\nx = "double"\n', encoding='utf-8')
    tool = str(Path(sys.executable).with_name('ruff'))
    check = subprocess.run([tool, 'check', '--no-cache', '.'], cwd=tmp_path, capture_output=True, text=True)
    fmt = subprocess.run([tool, 'format', '--check', '--no-cache', '.'], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 1 and 'F401' in check.stdout
    assert fmt.returncode == 1 and 'sample.py' in fmt.stdout
