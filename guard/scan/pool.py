"""The one worker pool: a scan's chunks of work on every core, in forked processes.

fork: the workers inherit what the parent built (the scanner with its compiled patterns, a document and
its candidate matches) instead of rebuilding it, and the task is a plain closure, never pickled; only
each chunk and its result are. Results come back in the order of the chunks, so merged findings are
ordered as one process would order them.

Two shapes: `run` feeds many chunks (files, blobs) to a pool of workers; `split` runs the few parts of
one large document, the first in this process and each other in a child of its own (a pool's start-up
and its feeder threads cost more than one document's parts save).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Iterator
    from collections.abc import Sequence
    from typing import Any

_TASK: Callable[[Any], Any] | None = None
_IN_WORKER = False  # set in a `run` worker: its parts run in it (a worker of a busy pool forks no more)


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
    global _IN_WORKER
    assert _TASK is not None
    _IN_WORKER = True
    return _TASK(chunk)


def can_split() -> bool:
    """Whether `split` may fork here: not in a `run` worker (every core is busy already), nor in a process
    with threads (the daemon's observer: a fork copies only the calling thread, and a lock another one
    holds would stay held in the child)."""
    if _IN_WORKER:
        return False
    import sys

    threading = sys.modules.get('threading')  # never imported: one thread
    return threading is None or threading.active_count() == 1


def split(task: Callable[[Any], Any], parts: Sequence[Any]) -> list[Any]:
    """`[task(part) for part in parts]`, the first part in this process while each other runs in a forked child.

    A child sends back its result pickled through a pipe and exits at once (os._exit: no atexit handler,
    no flush of a buffer it inherited). A child that fails in any way (an exception, a signal, a result
    that does not pickle) has its part run here again, so the results are always the ones one process
    gets, or its exception."""
    if len(parts) < 2 or not can_split():
        return [task(part) for part in parts]
    import gc
    import os
    import pickle

    children: list[tuple[int, int]] = []
    # What exists now is shared with the children and lives on after them: no collection here or in a child
    # walks it (a collection writes to every object it walks, and each page written is copied in a child).
    gc.freeze()
    try:
        for part in parts[1:]:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child; its result is checked in the parent
                status = 1
                try:
                    os.close(read_end)
                    payload = pickle.dumps(task(part), protocol=pickle.HIGHEST_PROTOCOL)
                    with open(write_end, 'wb') as out:
                        out.write(payload)
                    status = 0
                finally:
                    os._exit(status)
            os.close(write_end)
            children.append((pid, read_end))
        results = [task(parts[0])]
        for i, (pid, read_end) in enumerate(children):
            with open(read_end, 'rb', closefd=False) as pipe:
                payload = pipe.read()  # before waiting: a child blocks on a full pipe until it is read
            _, status = os.waitpid(pid, 0)
            children[i] = (0, read_end)  # reaped
            results.append(pickle.loads(payload) if status == 0 and payload else task(parts[i + 1]))
        return results
    finally:
        for pid, read_end in children:  # an exception or a signal here: no child outlives the call
            _stop(pid, read_end)
        gc.unfreeze()


def _stop(pid: int, read_end: int) -> None:
    """Close a child's pipe; kill and reap the child unless it was reaped (`pid` 0)."""
    import os
    import signal

    os.close(read_end)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
