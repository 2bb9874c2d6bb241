"""Which process `guard watch --reload PID ROOT` may signal: ROOT's own running `guard watch`, only.

The PID comes from a command line (the unit's `$MAINPID`, an operator's typing, a script whose
variable came out empty), so it is a claim, not a fact (issue 16b, finding 04). kill(2) reads
-1 as "every process I may signal" and 0 as "my process group", and any other pid as whatever
runs there now. A pid is signalled only when both witnesses agree it is ROOT's daemon:

- guard's own status file for ROOT (in guard's state folder, written only by the daemon) names
  that pid, and the pid still runs with the start time the file records (pids are reused);
- /proc/PID/cmdline is `guard watch` and its ROOT argument, taken from the process's own
  working directory, is this root.
"""

from __future__ import annotations

import os
from pathlib import Path

from guard.daemon import status as status_file
from guard.errors import UsageError


def verify(pid: int, root: Path, state_dir: Path) -> None:
    """Return when `pid` is the running `guard watch` of `root`; otherwise a UsageError (exit 2)."""
    refuse_non_pid(pid)
    found = status_file.read(status_file.path_for(state_dir, root))
    if found is None or found.pid != pid or not status_file.is_running(found):
        raise UsageError(
            f'--reload {pid}: not the guard watch of {root} (its status file in {state_dir} names '
            f'{_named(found)}); nothing was signalled'
        )
    watched = watched_root(pid)
    if watched is None or watched != os.path.realpath(root):
        raise UsageError(f'--reload {pid}: that process is not `guard watch {root}`; nothing was signalled')


def refuse_non_pid(pid: int) -> None:
    """kill(-1) is every process the caller may signal, kill(0) its own process group: no pid."""
    if pid <= 0:
        raise UsageError(f'--reload {pid}: not a process id (a pid is 1 or more); nothing was signalled')


def _named(found: status_file.DaemonStatus | None) -> str:
    if found is None:
        return 'no daemon'
    return f'pid {found.pid}' if status_file.is_running(found) else 'no running daemon'


def watched_root(pid: int) -> str | None:
    """The real path of the root `guard watch` process `pid` was started for, or None when `pid`
    is no `guard watch` (or has gone)."""
    try:
        words = Path(f'/proc/{pid}/cmdline').read_bytes().split(b'\0')
        cwd = os.readlink(f'/proc/{pid}/cwd')
    except (OSError, ValueError):
        return None
    args = [os.fsdecode(w) for w in words if w]
    try:
        at = args.index('watch')
    except ValueError:
        return None
    if not any(os.path.basename(word) == 'guard' for word in args[:at]):
        return None
    return os.path.realpath(os.path.join(cwd, _root_argument(args[at + 1 :])))


def _root_argument(args: list[str]) -> str:
    """ROOT among `watch`'s arguments (argparse's rules for this parser: --config takes a value)."""
    skip = False
    for word in args:
        if skip:
            skip = False
        elif word == '--':
            continue
        elif word == '--config':
            skip = True
        elif not word.startswith('-'):
            return word
    return '.'
