"""Whom a project's command runs as: never anyone with privileges the project's owner lacks.

A trusted command reads files the project's owner controls without naming them: `make stop` reads
the Makefile, `python3 -m mod` imports from the working directory, `docker compose stop` reads
compose.yaml. Checking the files a command names cannot see those, so the command itself runs as
the owner of the project root (issue 16, finding 3):

- guard runs as the root's owner, or the root belongs to uid 0: the command runs as guard does (the
  owner gains nothing by it);
- guard runs as uid 0 and the root belongs to someone else: the command runs as that owner, with
  their primary group, supplementary groups, HOME, USER and LOGNAME;
- guard runs as another unprivileged user: it cannot become the owner, and running as itself would
  hand the owner its privileges, so the command is refused with one line.
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


def for_root(root: str) -> RunAs:
    """Whom a command configured for `root` runs as; RefusedRunAs (its message one line) when no one safe."""
    try:
        owner = os.stat(root).st_uid
    except OSError as e:
        raise RefusedRunAs(f'cannot tell who owns {root}: {e.strerror}') from None
    me = os.geteuid()
    if owner in (me, 0):
        return RunAs()
    if me != 0:
        raise RefusedRunAs(
            f"{root} belongs to {_name(owner)}, and guard runs as {_name(me)}: a project's command "
            'runs only as its owner (run guard as that user, or as root, which runs it as the owner)'
        )
    import pwd

    try:
        entry = pwd.getpwuid(owner)
    except KeyError:  # no account: the uid alone, with the root's group and no others
        return RunAs(owner, os.stat(root).st_gid, (), str(owner), '/')
    groups = tuple(g for g in os.getgrouplist(entry.pw_name, entry.pw_gid))
    return RunAs(owner, entry.pw_gid, groups, entry.pw_name, entry.pw_dir)


def _name(uid: int) -> str:
    import pwd

    try:
        return f'{pwd.getpwuid(uid).pw_name} (uid {uid})'
    except KeyError:
        return f'uid {uid}'
