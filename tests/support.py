"""Helpers tests import: real git, guard as a real process, writing files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
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


def on_tty(args: list[str], reply: Callable[[int], bytes | None]) -> tuple[int, str]:
    """`python -m guard ARGS` on a real pseudo-terminal. At its n-th `[y/N]` prompt (1-based) the
    answer is `reply(n)` and a newline (`reply` may first change the tree: a swap at the prompt);
    None leaves the prompt unanswered, so guard reads end of input. Returns the exit code and what
    the terminal showed."""
    import pty
    import re
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, '-m', 'guard', *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=dict(os.environ),
        close_fds=True,
    )
    os.close(slave)
    output = b''
    answered = 0
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            assert ready, f'guard stopped talking; got so far: {output!r}'
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            output += chunk
            while answered < len(re.findall(rb'\[y/N\] ', output)):
                answered += 1
                answer = reply(answered)
                os.write(master, b'\x04' if answer is None else answer + b'\n')  # ^D: end of input
    finally:
        os.close(master)
    return proc.wait(timeout=60), output.decode(errors='replace').replace('\r\n', '\n')


def answers(*replies: bytes) -> Callable[[int], bytes | None]:
    """`on_tty`'s reply: these answers to the first prompts, in turn; none to any after them."""
    return lambda n: replies[n - 1] if n <= len(replies) else None
