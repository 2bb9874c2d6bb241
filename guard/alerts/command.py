"""The command sink: run the operator's command with the alert in GUARD_* environment variables.

The command runs through /bin/sh so it can use the variables (`mail -s "$GUARD_CHECK" ops`), in
its own process group so a timeout kills whatever it started, not just the shell.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from typing import IO

from guard.alerts.model import Alert
from guard.alerts.model import Delivery
from guard.scan.redaction import scrub

NAME = 'command'


class CommandSink:
    name = NAME

    def __init__(
        self, command: str, *, timeout: float, cwd: str | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self._command = command
        self._timeout = timeout
        self._cwd = cwd
        self._environ = environ

    def deliver(self, alert: Alert) -> Delivery:
        started = time.monotonic()
        # The root as working directory, unless it is gone: an alert that the root vanished must still go out.
        cwd = self._cwd if self._cwd is None or os.path.isdir(self._cwd) else '/'
        from guard import runas

        try:
            # As the one user who could have written what it reads from the root (`cd sub && ./n.sh`).
            who = runas.for_root(self._cwd) if self._cwd and cwd == self._cwd else runas.RunAs()
        except runas.RefusedRunAs as e:
            return Delivery(NAME, False, f'refusing to run it: {e}', seconds=time.monotonic() - started)
        env = {
            **who.environ(os.environ if self._environ is None else self._environ),
            **alert.fields(),
            'GUARD_MESSAGE': alert.message,
            'GUARD_SUMMARY': alert.summary,
        }
        unsafe = _unsafe_files(self._command, cwd or os.getcwd(), who.uid)
        if unsafe:
            return Delivery(NAME, False, f'refusing to run it: {unsafe}', seconds=time.monotonic() - started)
        with tempfile.TemporaryFile() as errors:
            try:
                process = subprocess.Popen(
                    ['/bin/sh', '-c', self._command],
                    env=env,
                    cwd=cwd,  # type: ignore[call-overload]
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    start_new_session=True,
                    **who.popen_args(),
                )
            except OSError as e:
                return Delivery(NAME, False, f'cannot run: {e.strerror}', seconds=time.monotonic() - started)
            try:
                code = process.wait(timeout=self._timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                return Delivery(
                    NAME,
                    False,
                    f'killed after {self._timeout:g} s (command timeout)',
                    seconds=time.monotonic() - started,
                    timed_out=True,
                )
            seconds = time.monotonic() - started
            if code != 0:
                return Delivery(
                    NAME, False, f'exit {_exit_text(code)}{_last_line(errors, self._command)}', seconds=seconds
                )
        return Delivery(NAME, True, 'exit 0', seconds=seconds)


def _unsafe_files(command: str, cwd: str, run_as: int | None) -> str:
    """Why /bin/sh, or a file the command's words name, is not safe to run as us ('' when all are):
    owned by root or us and writable by no one else, as for purge's commands (docs/trust.md)."""
    import shlex

    from guard import secure_path

    try:
        words = shlex.split(command)
    except ValueError:
        words = []
    owners = {0, os.geteuid()} | ({run_as} if run_as is not None else set())  # it runs as run_as: theirs is fine
    return secure_path.command_problem(['/bin/sh'], cwd, owners) or secure_path.command_problem(words, cwd, owners)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _exit_text(code: int) -> str:
    if code >= 0:
        return str(code)
    try:
        return f'by signal {signal.Signals(-code).name}'
    except ValueError:
        return f'by signal {-code}'


def _last_line(errors: IO[bytes], command: str) -> str:
    """The command's last stderr line, which usually says why it failed: without any word the
    command's masked line hides (it may echo its own credentials), then masked default-deny as an
    excerpt is (guard.excerpt: `retrying as ops:PW`, `Basic <base64>`, `pass PW` are forms no
    scrubber knows; 15c finding 15), scrubbed before and after. It is printed and stored in the audit store."""
    from guard.excerpt import masked
    from guard.redact import command_secrets
    from guard.redact import without

    errors.seek(0)
    lines = [line.strip() for line in errors.read().decode(errors='replace').splitlines() if line.strip()]
    # Masked before it is cut, so a URL keeps the `@` that marks its password.
    # Scrubbed first too: the secret rules read the line as it was (a masked host no longer precedes
    # the password of `net use \\host\share PW`).
    return f': {scrub(masked(scrub(without(lines[-1], command_secrets(command)))))[:200]}' if lines else ''
