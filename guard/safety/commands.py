"""Service steps around a purge: `before` (stop things), `after` (start them again), `full` extras.

Commands are split like a shell would (shlex) but run without one, in the root, with a timeout.
A command whose program is not installed (no docker on this machine) is reported as skipped,
not fatal; one that fails is reported with its exit code and the last lines it printed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

OUTPUT_TAIL = 20

OK = 'ok'
FAILED = 'failed'
SKIPPED = 'skipped'


@dataclass(frozen=True)
class CommandResult:
    """One service command: its phase (before, full, after), outcome and why."""

    phase: str
    command: str
    outcome: str
    returncode: int | None
    detail: str

    @property
    def ok(self) -> bool:
        return self.outcome != FAILED


def run_all(
    phase: str, commands: Sequence[str], *, cwd: Path, timeout: float, root_fd: int | None = None
) -> list[CommandResult]:
    return [run(phase, command, cwd=cwd, timeout=timeout, root_fd=root_fd) for command in commands]


def run(phase: str, command: str, *, cwd: Path, timeout: float, root_fd: int | None = None) -> CommandResult:
    """Run one command in the root. With `root_fd` (the root pinned at plan time) the check and the
    command both start in that directory, reached through the descriptor: a root renamed and
    replaced by a symlink between the check and the spawn cannot move either of them elsewhere."""
    shown = os.fspath(cwd)
    if root_fd is not None:
        # chdir() in the child goes through /proc/self/fd: the pinned directory, not the path's
        # target now. pass_fds keeps the descriptor open in the child until that chdir.
        cwd = Path(f'/proc/self/fd/{root_fd}')
    try:
        argv = shlex.split(command)
    except ValueError as e:
        return CommandResult(phase, command, FAILED, None, f'cannot parse the command: {e}')
    if not argv:
        return CommandResult(phase, command, SKIPPED, None, 'empty command')
    if not is_installed(command, cwd):
        return CommandResult(phase, command, SKIPPED, None, f'{argv[0]}: not installed on this machine')
    from guard import runas

    try:
        # As the one user who could have written what it reads (a Makefile, compose.yaml, -f./mk).
        who = runas.for_root(shown, root_fd)
    except runas.RefusedRunAs as e:
        return CommandResult(phase, command, FAILED, None, f'refusing to run it: {e}')
    unsafe = _unsafe_files(argv, cwd, who.uid).replace(os.fspath(cwd), shown)  # named by the root's path, as planned
    if unsafe:
        return CommandResult(phase, command, FAILED, None, f'refusing to run it: {unsafe}')
    try:
        popen = who.popen_args()
        proc = subprocess.run(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,  # type: ignore[call-overload]
            stderr=subprocess.STDOUT,
            timeout=timeout or None,
            check=False,
            env=who.environ(os.environ),
            pass_fds=() if root_fd is None else (root_fd,),
            **popen,
        )
    except subprocess.TimeoutExpired:
        return CommandResult(phase, command, FAILED, None, f'timed out after {timeout:g}s')
    except OSError as e:
        return CommandResult(phase, command, FAILED, None, f'cannot run it: {e.strerror}')
    tail = _tail(proc.stdout)
    if proc.returncode != 0:
        return CommandResult(phase, command, FAILED, proc.returncode, tail or f'exit status {proc.returncode}')
    return CommandResult(phase, command, OK, 0, tail)


def failure_line(result: CommandResult) -> str:
    """How a command that did not run cleanly is told: its line in the audit store's default-deny form
    (guard.redact.mask_command_line) and the last line it printed through the scrubber that knows every
    token format the secret rules know, and without any word the masked line hides: a failing
    `docker login` may echo its password or a token, `git pull` the URL holding one."""
    from guard.redact import command_secrets
    from guard.redact import mask_command_line
    from guard.redact import without
    from guard.scan.redaction import scrub

    last = without(result.detail.splitlines()[-1], command_secrets(result.command)) if result.detail else ''
    return f'{result.phase} command {mask_command_line(result.command)!r} {result.outcome}: {scrub(last)}'


def program(command: str) -> str | None:
    """The program a command runs, or None when it cannot be parsed."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    return argv[0] if argv else None


def is_installed(command: str, cwd: Path) -> bool:
    """True when the command's program is on PATH (or a file relative to the root)."""
    name = program(command)
    if not name:
        return False
    return shutil.which(name) is not None or os.path.isfile(os.path.join(cwd, name))


def _unsafe_files(argv: Sequence[str], cwd: Path, run_as: int | None) -> str:
    """Why the program or a file the command names could have been rewritten by someone other than
    root, us or the user it runs as since the config was trusted ('' when it could not): trust pinned
    the config, and this pins what it runs (issue 16, attack 9; docs/trust.md)."""
    from guard import secure_path

    owners = {0, os.geteuid()} | ({run_as} if run_as is not None else set())
    return secure_path.command_problem(argv, os.fspath(cwd), owners)


def _tail(output: bytes) -> str:
    lines = output.decode('utf-8', 'replace').rstrip().splitlines()
    return '\n'.join(lines[-OUTPUT_TAIL:])
