"""Whether a file can be relied on: it and every folder on the way to it belong to trusted owners and
no one else may write them, as ssh's StrictModes and sudo judge the files they run or read.

Used for the system trust store (owned by root) and for the commands a trusted config runs (owned by
root or the invoking user): a file anyone else could rewrite is one that other person controls, so
trusting the config that names it would be trusting them (issue 16, attack 9).

A folder writable by others is accepted only with the sticky bit (/tmp): there nobody may rename or
replace an entry they do not own, so the path through it cannot be swapped. Both the path as written
and the path it resolves to are checked, so a symlink in a writable folder is caught too.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection
    from collections.abc import Sequence


def problem(path: str, owners: Collection[int]) -> str:
    """'' when `path` and its folders are safe; else one phrase naming the first that is not."""
    absolute = os.path.abspath(path)
    for candidate in dict.fromkeys((absolute, os.path.realpath(absolute))):
        found = _chain_problem(candidate, owners)
        if found:
            return found
    return ''


def _chain_problem(path: str, owners: Collection[int]) -> str:
    parts = path.split('/')
    for depth in range(len(parts), 0, -1):
        current = '/'.join(parts[:depth]) or '/'
        try:
            info = os.lstat(current)
        except OSError as e:
            return f'{current} cannot be checked ({e.strerror})'
        if stat.S_ISLNK(info.st_mode):
            continue  # judged by where it leads: problem() checks the resolved path as well
        found = _entry_problem(current, info, owners, is_target=depth == len(parts))
        if found:
            return found
    return ''


def _entry_problem(path: str, info: os.stat_result, owners: Collection[int], *, is_target: bool) -> str:
    if info.st_uid not in owners:
        return f'{path} belongs to uid {info.st_uid}, not to {_names(owners)}'
    writable = info.st_mode & 0o022
    if writable == 0o020 and _group_of(path, info.st_gid, owners):
        writable = 0  # a group only the accepted owners hold (root's group, a user's private group)
    if writable:
        sticky_folder = stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX and not is_target
        if not sticky_folder:
            return f'{path} is writable by {"group and others" if info.st_mode & 0o022 == 0o022 else "group" if info.st_mode & 0o020 else "others"}'
    return ''


def _group_of(path: str, gid: int, owners: Collection[int]) -> bool:
    """True when only `owners` may write `path` through its group bits: its group is held by no one
    else, and no access control list names anyone (with one, the group bits are the ACL's mask)."""
    from guard import writers

    held_by = writers.members(gid)
    return held_by is not None and held_by <= set(owners) and not writers.has_acl(path)


def _names(owners: Collection[int]) -> str:
    import pwd

    names = []
    for uid in sorted(owners):
        try:
            names.append(pwd.getpwuid(uid).pw_name)
        except KeyError:
            names.append(f'uid {uid}')
    return ' or '.join(names)


def command_problem(argv: Sequence[str], cwd: str, owners: Collection[int]) -> str:
    """'' when the program `argv` runs, and every existing file it names, pass problem(); else the
    first phrase. The program is looked up as exec would (a name on PATH, a path from `cwd`)."""
    import shutil

    if not argv:
        return ''
    program = argv[0] if '/' in argv[0] else shutil.which(argv[0]) or ''
    files = [program] if program else []
    # The files a command names are code too (`bash ./stop.sh`, `docker compose -f compose.yml`).
    files += [arg for arg in argv[1:] if not arg.startswith('-') and os.path.isfile(os.path.join(cwd, arg))]
    for name in files:
        found = problem(os.path.join(cwd, name), owners)
        if found:
            return found
    return ''
