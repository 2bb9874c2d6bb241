"""Exception type -> exit code and one line on stderr, as pre-commit's error_handler does."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from guard.errors import GuardError


class Outcome:
    """The exit code a `with error_handler()` block ends with.

    A plain class: creating a dataclass costs ~0.5 ms at import, and every hook run imports this.
    """

    __slots__ = ('code',)

    def __init__(self, code: int = 0) -> None:
        self.code = code


@contextlib.contextmanager
def error_handler() -> Iterator[Outcome]:
    outcome = Outcome()
    try:
        yield outcome
    except GuardError as e:
        sys.stderr.write(f'guard: error: {e}\n')
        outcome.code = e.exit_code
    except KeyboardInterrupt:
        sys.stderr.write('guard: interrupted\n')
        outcome.code = 130
    except BrokenPipeError:
        # `guard scan | head`: the reader left; nothing more to say.
        sys.stderr.close()
        outcome.code = 1 if outcome.code == 0 else outcome.code
    except Exception:
        sys.stderr.write('guard: internal error (please report it with the lines below):\n')
        import traceback

        traceback.print_exc()
        outcome.code = 3
