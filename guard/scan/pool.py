"""The one worker pool: a scan's chunks of work on every core, in forked processes.

fork: the workers inherit what the parent built (the scanner with its compiled patterns) instead of
rebuilding it, and the task is a plain closure, never pickled; only each chunk and its result are.
Results come back in the order of the chunks, so merged findings are ordered as one process would
order them.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Iterator
    from typing import Any

_TASK: Callable[[Any], Any] | None = None


def run(task: Callable[[Any], Any], chunks: Iterable[Any], jobs: int) -> Iterator[Any]:
    """`task(chunk)` for each chunk on `jobs` worker processes, yielded in the chunks' order."""
    global _TASK
    import multiprocessing

    _TASK = task
    try:
        with multiprocessing.get_context('fork').Pool(jobs) as pool:
            yield from pool.imap(_run, chunks)
    finally:
        _TASK = None


def _run(chunk: Any) -> Any:
    assert _TASK is not None
    return _TASK(chunk)
