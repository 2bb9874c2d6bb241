"""Run a short command (git) and collect its output: `subprocess.run` and `Popen.communicate`, minus the import.

Every commit hook runs git two or three times, and `import subprocess` (with the threading,
selectors, signal and locale modules it loads) costs ~6 ms, as much as the git calls themselves.
Here the child is started with `os.posix_spawnp` and its pipes are served by one `poll` loop, which
is what `subprocess.run(..., capture_output=True, input=...)` does on POSIX: the input is written
while the output is read, so neither side can fill a pipe and wait on the other. As with
subprocess's close_fds, the child gets no descriptor but the standard three: Python opens its own
close-on-exec, and those this process inherited (git hands its hooks some) are closed in the
child. stdin is inherited unless input is given, as with subprocess. Where posix_spawn does not
exist (Windows), subprocess does the same job.
"""

from __future__ import annotations

import os
import select
from collections.abc import Sequence

from guard.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from typing import Any
    from typing import BinaryIO

READ_SIZE = 1 << 20


class Completed(Record):
    """How a command ended: its exit code (negative: killed by that signal) and its output, as bytes."""

    returncode: int
    stdout: bytes
    stderr: bytes


def run(argv: Sequence[str], *, input_bytes: bytes | None = None) -> Completed:
    """Run `argv` (looked up on PATH) to completion; FileNotFoundError when the program does not exist."""
    return start(argv, input_bytes=input_bytes).wait()


class Running:
    """A started command. Its output waits in the pipes (the command blocks once they fill) until `wait()`.

    Starting git early and waiting later lets it work on the other core while guard loads.
    """

    def __init__(self, argv: Sequence[str], input_bytes: bytes | None) -> None:
        self.input_bytes = input_bytes
        self._result: Completed | None = None
        if not hasattr(os, 'posix_spawnp'):
            import subprocess

            proc = subprocess.run(list(argv), input=input_bytes, capture_output=True, check=False)
            self._result = Completed(proc.returncode, proc.stdout, proc.stderr)
            return
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        in_read, in_write = os.pipe() if input_bytes is not None else (-1, -1)
        actions: list[tuple[int, ...]] = [(os.POSIX_SPAWN_DUP2, out_write, 1), (os.POSIX_SPAWN_DUP2, err_write, 2)]
        if input_bytes is not None:
            actions.append((os.POSIX_SPAWN_DUP2, in_read, 0))
        actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited_descriptors()]
        try:
            self.pid = os.posix_spawnp(argv[0], list(argv), os.environ, file_actions=actions)
        except BaseException:
            for fd in (out_read, err_read, in_write):
                if fd >= 0:
                    os.close(fd)
            raise
        finally:
            for fd in (out_write, err_write, in_read):
                if fd >= 0:
                    os.close(fd)
        self._fds = (out_read, err_read, in_write)

    def wait(self) -> Completed:
        """Feed the input, collect the output and reap the command (once; later calls return the same)."""
        if self._result is None:
            try:
                stdout, stderr = _communicate(*self._fds, self.input_bytes or b'')
            except BaseException:  # interrupted: do not leave the command running, as subprocess.run does not
                import signal

                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                raise
            _, status = os.waitpid(self.pid, 0)
            self._result = Completed(os.waitstatus_to_exitcode(status), stdout, stderr)
        return self._result


def start(argv: Sequence[str], *, input_bytes: bytes | None = None) -> Running:
    """Start `argv` (looked up on PATH) and return at once; FileNotFoundError when the program does not exist."""
    return Running(argv, input_bytes)


class Conversation:
    """A started command to talk to: write requests to `stdin`, read answers from `stdout` (buffered binary
    files), then `close()`. Its stderr goes to /dev/null: a caller that meets an early end of `stdout`
    falls back, or says which command failed. Where posix_spawn does not exist (Windows), subprocess
    starts it."""

    def __init__(self, argv: Sequence[str]) -> None:
        self._proc: Any = None
        if not hasattr(os, 'posix_spawnp'):
            import subprocess

            self._proc = subprocess.Popen(
                list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            self.stdin: BinaryIO = self._proc.stdin
            self.stdout: BinaryIO = self._proc.stdout
            return
        out_read, out_write = os.pipe()
        in_read, in_write = os.pipe()
        actions = [
            (os.POSIX_SPAWN_DUP2, out_write, 1),
            (os.POSIX_SPAWN_DUP2, in_read, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited_descriptors()]
        try:
            self.pid = os.posix_spawnp(argv[0], list(argv), os.environ, file_actions=actions)
        except BaseException:
            os.close(out_read)
            os.close(in_write)
            raise
        finally:
            os.close(out_write)
            os.close(in_read)
        self.stdin = os.fdopen(in_write, 'wb')
        self.stdout = os.fdopen(out_read, 'rb')

    def close(self) -> int:
        """End its input, drop what it has not said and reap it; its exit code."""
        for pipe in (self.stdin, self.stdout):
            try:
                pipe.close()
            except OSError:  # it stopped reading: the unsent requests need no answer
                pass
        if self._proc is not None:
            return int(self._proc.wait())
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def converse(argv: Sequence[str]) -> Conversation:
    """Start `argv` (looked up on PATH) to talk to; FileNotFoundError when the program does not exist."""
    return Conversation(argv)


def _inherited_descriptors() -> list[int]:
    """Inheritable descriptors above 2: ones this process was given (its own are close-on-exec)."""
    folder = '/proc/self/fd' if os.path.isdir('/proc/self/fd') else '/dev/fd'
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for name in names:
        fd = int(name)
        try:
            if fd > 2 and os.get_inheritable(fd):
                found.append(fd)
        except OSError:  # the descriptor listdir itself used, closed by now
            continue
    return found


def _communicate(out_fd: int, err_fd: int, in_fd: int, data: bytes) -> tuple[bytes, bytes]:
    """Write `data` to `in_fd` (then close it) while reading `out_fd` and `err_fd` to their end."""
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN)
    pending = memoryview(data)
    if in_fd >= 0:
        os.set_blocking(in_fd, False)
        poller.register(in_fd, select.POLLOUT)
    open_fds = {*chunks, in_fd} - {-1}
    try:
        while open_fds:
            for fd, _ in poller.poll():
                if fd == in_fd:
                    try:
                        pending = pending[os.write(fd, pending[: select.PIPE_BUF * 16]) :]
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:  # the command stopped reading: it needs no more input
                        pending = pending[:0]
                    if not pending:
                        _close(fd, poller, open_fds)
                    continue
                chunk = os.read(fd, READ_SIZE)
                if chunk:
                    chunks[fd].append(chunk)
                else:
                    _close(fd, poller, open_fds)
    finally:
        for fd in open_fds:
            os.close(fd)
    return b''.join(chunks[out_fd]), b''.join(chunks[err_fd])


def _close(fd: int, poller: Any, open_fds: set[int]) -> None:
    poller.unregister(fd)
    open_fds.discard(fd)
    os.close(fd)
