"""Helpers tests import: real git, guard as a real process, writing files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def git(cwd: Path, *args: str, check: bool = True, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ['git', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=check,
        input=input_text,
    )


def run_guard(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """guard as users run it: a separate process, its real exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, '-m', 'guard', *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=input_text,
        timeout=300,
    )


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding='utf-8')
    return path


def trust(root: Path) -> None:
    """`guard trust ROOT`, as a user does before a project's own file may run commands or send data."""
    proc = run_guard('trust', root)
    assert proc.returncode == 0, proc.stderr
