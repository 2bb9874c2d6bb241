"""Whom a project's command runs as: the user whose code it could run, never anyone with more rights.

A trusted command reads files nobody names for it: `make stop` reads the Makefile, `make -f./mk` a
file glued to an option, `env BASH_ENV=./a.sh bash -c true` a script in a variable, `sh -c 'cd sub &&
./n.sh'` one inside a string, `python3 -m mod` the working directory. Parsing each program's options
cannot see them all, so guard asks instead who could have written anything the command could read from
its working directory (guard/writers.py: the project root, the folders above it, and where its
symlinks lead), and runs the command as that user (issue 16, findings 3, 14 and 18):

- nobody but root and guard's own user: the command runs as guard does;
- guard runs as uid 0 and exactly one other user: the command runs as that user, with their primary
  group, supplementary groups, HOME, USER and LOGNAME (a uid with no account: the nogroup gid and
  no others, never the group of the files, which is no membership of theirs);
- anyone else (two users, a file anyone may write, one user guard cannot become): refused with one
  line saying which file and what to do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

_KEPT = frozenset({'PATH', 'LANG', 'LANGUAGE', 'TZ', 'TERM'})


@dataclass(frozen=True)
class RunAs:
    """The credentials a project's command runs with (None fields: guard's own)."""

    uid: int | None = None
    gid: int | None = None
    groups: tuple[int, ...] | None = None
    name: str = ''
    home: str = ''

    def popen_args(self) -> dict[str, object]:
        """Keyword arguments for subprocess.Popen/run that switch to these credentials in the child."""
        if self.uid is None:
            return {}
        return {'user': self.uid, 'group': self.gid, 'extra_groups': list(self.groups or ())}

    def environ(self, env: Mapping[str, str]) -> dict[str, str]:
        """The environment the command gets: guard's own, or when it runs as the owner only the locale,
        PATH, TZ and TERM of it with the owner's HOME, USER and LOGNAME. Root's environment may hold
        credentials (GUARD_AUDIT_URL, PGPASSWORD, AWS keys) the owner lacks, and root's HOME would
        point the command at root's dotfiles."""
        if self.uid is None:
            return dict(env)
        kept = {k: v for k, v in env.items() if k in _KEPT or k.startswith('LC_')}
        return {**kept, 'HOME': self.home or '/', 'USER': self.name, 'LOGNAME': self.name}


class RefusedRunAs(Exception):
    """The command may not run: guard cannot run it as the project's owner."""


def for_root(root: str, root_fd: int | None = None) -> RunAs:
    """Whom a command started in `root` (pinned by `root_fd` when given) runs as; RefusedRunAs, its
    message one line, when no single user can be named."""
    from guard import writers

    me = os.geteuid()
    # guard as root can become one other user; as anyone else it can only be itself.
    found = writers.of_folder(root, ignored=frozenset({0, me}), most=1 if me == 0 else 0, folder_fd=root_fd)
    if found.anyone:
        raise RefusedRunAs(
            f'{found.anyone}, so anyone could change what the command runs '
            "(chmod o-w / g-w it, or chown it to the project's owner)"
        )
    if not found.users:
        return RunAs()
    if len(found.users) > 1:
        why, also = list(found.users.values())[:2]
        raise RefusedRunAs(
            f"{why} and {also}: a project's command runs only as its owner, the one user who can "
            f'change what it runs (chown the project to one of them)'
        )
    ((owner, why),) = found.users.items()
    if me != 0:
        raise RefusedRunAs(
            f"{why}, and guard runs as {writers.name(me)}: a project's command runs only as its owner, "
            'the user who can change what it runs (run guard as that user, or as root, which runs it as them)'
        )
    return _as_user(owner)


def _as_user(uid: int) -> RunAs:
    import pwd

    try:
        entry = pwd.getpwuid(uid)
    except KeyError:  # no account: the uid alone, in the group meant for no one
        return RunAs(uid, _nogroup(), (), str(uid), '/')
    groups = tuple(g for g in os.getgrouplist(entry.pw_name, entry.pw_gid))
    return RunAs(uid, entry.pw_gid, groups, entry.pw_name, entry.pw_dir)


def _nogroup() -> int:
    import grp

    for group in ('nogroup', 'nobody'):
        try:
            return grp.getgrnam(group).gr_gid
        except KeyError:
            continue
    return 65534  # the overflow gid the kernel itself uses for "no group"
