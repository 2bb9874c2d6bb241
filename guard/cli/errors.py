"""Exception type -> exit code and one line on stderr, as pre-commit's error_handler does."""

from __future__ import annotations

import sys

from guard.errors import GuardError
from guard.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from types import TracebackType


_FULL = (5, 27, 28, 122)  # EIO, EFBIG, ENOSPC, EDQUOT (Linux numbers; errno costs an import)


def _stdout_fails() -> bool:
    """Whether stdout itself is what failed: a newline written and flushed fails too. (Asked only for
    an error that would otherwise be reported as internal, so a healthy stdout gets one blank line.)"""
    try:
        sys.stdout.write('\n')
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError, UsageError):  # UsageError: a ClosedStdout
        return True
    return False


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no stdout at all: nothing left to flush
        pass


_ELOOP = 40  # Linux's number (errno costs an import)
_LOOP_PREFIX = 'Symlink loop from '  # pathlib's RuntimeError up to Python 3.12 (an OSError ELOOP since 3.13)


def _loop(error: BaseException) -> str | None:
    """The path of a symlink loop `error` reports ('' when it names none), or None for any other error."""
    if isinstance(error, OSError) and error.errno == _ELOOP:
        return str(error.filename or '')
    if type(error) is RuntimeError and str(error).startswith(_LOOP_PREFIX):
        import ast

        quoted = str(error)[len(_LOOP_PREFIX) :]
        try:
            return str(ast.literal_eval(quoted))  # pathlib quotes it with %r
        except (ValueError, SyntaxError):
            return quoted
    return None


class ClosedStdout:
    """sys.stdout for a process started with it closed (`guard baseline >&-`), where Python sets it
    to None and the first write would be an AttributeError traceback. Writing raises a UsageError:
    one line on stderr and exit 2, as a full stdout gives, from whichever command writes (attack 15c,
    finding 05). A command that writes nothing to stdout (`scan -o FILE`, a hook) runs as usual.
    Installed once, by cli.main()."""

    encoding = 'utf-8'
    errors = 'strict'
    closed = False

    def write(self, text: str) -> int:
        raise UsageError('stdout is closed: nowhere to write the output (redirect it to /dev/null to discard it)')

    def writelines(self, lines: object) -> None:
        self.write('')

    def flush(self) -> None:
        pass  # nothing was ever buffered; the interpreter's and exit_fast()'s final flush must not fail

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        import io

        raise io.UnsupportedOperation('stdout is closed')


class Outcome:
    """The exit code a `with error_handler()` block ends with.

    A plain class: creating a dataclass costs ~0.5 ms at import, and every hook run imports this.
    """

    __slots__ = ('code',)

    def __init__(self, code: int = 0) -> None:
        self.code = code


def error_handler() -> ErrorHandler:
    """`with error_handler() as outcome:` turns what the block raises into `outcome.code` and one line on stderr."""
    return ErrorHandler()


class ErrorHandler:
    """The context manager behind error_handler(): a class, because contextlib costs ~1 ms to import
    on every commit hook run."""

    def __enter__(self) -> Outcome:
        self.outcome = Outcome()
        return self.outcome

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> bool:
        outcome = self.outcome
        if error is None:
            return False
        if isinstance(error, GuardError):
            from guard.printable import printable_lines
            from guard.redact import scrub  # messages may quote a value from config or a driver

            # printable_lines: a message quoting a name (a root, a file) sends no escape sequence to
            # the terminal, whichever raise site forgot to pass it through printable() (attack 22).
            sys.stderr.write(f'guard: error: {printable_lines(scrub(str(error)))}\n')
            outcome.code = error.exit_code
        elif isinstance(error, KeyboardInterrupt):
            sys.stderr.write('guard: interrupted\n')
            outcome.code = 130
        elif isinstance(error, BrokenPipeError):
            # `guard scan | head`: the reader left; nothing more to say. As Python's documentation
            # advises (signal module, "Note on SIGPIPE"): point stdout at /dev/null so the final flush
            # finds nowhere to fail, and exit 1. (pre-commit's error_handler has no case for it: it
            # logs an unexpected error and exits 3; a closed pipe is no error of guard's.)
            _silence_stdout()
            outcome.code = 1 if outcome.code == 0 else outcome.code
        elif isinstance(error, RecursionError):
            # A file nested deeper than Python's stack (`[[[[…]]]]` in a baseline, a TOML file, a
            # manifest): bad input wherever it comes from, not a bug to report.
            sys.stderr.write('guard: error: input nested too deeply to read (a settings, baseline or manifest file?)\n')
            outcome.code = 2
        elif _loop(error) is not None:
            # A path argument that leads back to itself (`ln -s loop loop; guard scan loop`): bad input
            # wherever pathlib met it (attack 15c, finding 23), named as every path guard prints.
            from guard.printable import printable
            from guard.redact import scrub

            sys.stderr.write(f'guard: error: {printable(scrub(_loop(error) or "a path"))}: a symlink loop\n')
            outcome.code = 2
        elif isinstance(error, OSError) and error.errno in _FULL and _stdout_fails():
            # A command's output to a full disk or a broken device (`guard health > /dev/full`).
            sys.stderr.write(f'guard: error: cannot write to stdout: {error.strerror}\n')
            outcome.code = 2
        elif isinstance(error, Exception):
            sys.stderr.write('guard: internal error (please report it with the lines below):\n')
            import traceback

            from guard.printable import printable_lines
            from guard.redact import scrub  # a traceback's messages and source lines may hold one too

            sys.stderr.write(printable_lines(scrub(''.join(traceback.format_exception(kind, error, trace)))))
            outcome.code = 3
        else:
            return False  # SystemExit and the like go on
        return True
