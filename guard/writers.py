"""Who could change what a command started in a folder reads: every user who owns, or may write, any
entry under it, in the folders above it, or where a symlink in it leads (issue 16, findings 3, 14, 18).

A command reads files nobody can list for it: `make` reads the Makefile (or `--file=./mk`, `-f./mk`),
bash reads `$BASH_ENV`, `sh -c 'cd sub && ./n.sh'` runs a script named inside a string, `python3 -m`
imports from the working directory. Rather than parse every program's options, guard asks who could
have written anything the command could reach from its working directory, and runs it as that user
(guard/runas.py). What counts as a writer of an entry (lstat, no link followed):

- its owner (a symlink's too: its owner chose where it leads);
- when it is group-writable, every member of its group (primary or listed), and the users and groups
  a POSIX ACL names with write permission; a group-writable entry whose group has no entry in the
  group database has writers no one can name;
- when it is writable by others: anyone. Inside the folder even a sticky folder counts (anyone may add
  a file the command then reads); in the folders above it, a sticky one does not (only the owner of
  the next folder on the way may replace it, and that owner is counted).

Sockets are skipped (a command cannot read code from one). The walk is made through descriptors
(os.fwalk, no link followed), so a folder swapped for a symlink during it is not entered; a symlink
leading out of the folder is judged where it leads: the target, every folder on the way to it and,
for a folder, everything under it.

The answer is stable against the users it names: only a writer can add a writer (alice may chmod her
own Makefile o+w), so when the walk finds none, none can appear before the command starts.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from dataclasses import field

# POSIX ACL extended attribute (linux/posix_acl_xattr.h): a 4-byte version, then 8-byte entries.
_ACL_XATTR = 'system.posix_acl_access'
_ACL_VERSION = 2
_ACL_USER = 0x02
_ACL_GROUP_OBJ = 0x04
_ACL_GROUP = 0x08
_ACL_WRITE = 0x02


@dataclass
class Writers:
    """Who may write what a command reads: the users (uids outside `ignored`), each with the first
    phrase that made them one, and `anyone`: why no set of users can be named ('' when it can)."""

    users: dict[int, str] = field(default_factory=dict)
    anyone: str = ''


def of_folder(path: str, *, ignored: frozenset[int], most: int, folder_fd: int | None = None) -> Writers:
    """The writers of folder `path` (reached through `folder_fd` when given, a descriptor pinning it)
    other than the `ignored` uids; the walk stops as soon as `anyone` is set or more than `most`
    users are found (the caller's answer cannot change after that)."""
    walk = _Walk(ignored, most)
    walk.run(path, folder_fd)
    return walk.found


class _Enough(Exception):
    """The answer is known: stop walking."""


class _Walk:
    def __init__(self, ignored: frozenset[int], most: int) -> None:
        self.ignored = ignored
        self.most = most
        self.found = Writers()
        self._members: dict[int, frozenset[int] | None] = {}
        self._seen: set[tuple[int, int]] = set()

    def run(self, path: str, folder_fd: int | None) -> None:
        try:
            real = os.path.realpath(f'/proc/self/fd/{folder_fd}' if folder_fd is not None else path)
            self._chain(real, shown=path)
            self._tree(real, path, folder_fd)
        except _Enough:
            pass

    # --- the folder's own tree -------------------------------------------------------------------

    def _tree(self, real: str, shown: str, folder_fd: int | None) -> None:
        """Everything under folder `real` (shown as `shown`), the folder itself included."""
        try:
            top = os.open(
                '.' if folder_fd is not None else real,
                os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                dir_fd=folder_fd,
            )
        except OSError as e:
            self._unknown(shown, e)
            return
        try:
            info = os.fstat(top)
            if (info.st_dev, info.st_ino) in self._seen:
                return
            self._seen.add((info.st_dev, info.st_ino))
            self._entry(shown, info, inside=True)
            for folder, dirs, files, fd in os.fwalk('.', onerror=self._walk_error, follow_symlinks=False, dir_fd=top):
                here = os.path.normpath(os.path.join(shown, folder))
                walked: set[str] = set()  # folders already judged (a link led there first): not again
                for entry_name in dirs + files:
                    try:
                        entry = os.stat(entry_name, dir_fd=fd, follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # gone since the listing: nothing left to read
                    except OSError as e:
                        self._unknown(os.path.join(here, entry_name), e)
                        continue
                    self._entry(os.path.join(here, entry_name), entry, inside=True)
                    if stat.S_ISDIR(entry.st_mode):
                        if (entry.st_dev, entry.st_ino) in self._seen:
                            walked.add(entry_name)
                        self._seen.add((entry.st_dev, entry.st_ino))
                    elif stat.S_ISLNK(entry.st_mode):
                        self._link(os.path.join(os.path.normpath(os.path.join(real, folder)), entry_name), real)
                dirs[:] = [d for d in dirs if d not in walked]  # fwalk descends into what is left
        finally:
            os.close(top)

    def _walk_error(self, error: OSError) -> None:
        # Raised inside fwalk, so its descriptors are closed on the way out.
        if error.errno != errno.ENOENT:
            self._unknown(str(error.filename or '?'), error)

    def _link(self, link: str, folder: str) -> None:
        """A symlink inside the walk: judged where it leads when that is outside `folder`."""
        target = os.path.realpath(link)
        if target == folder or target.startswith(folder.rstrip('/') + '/'):
            return  # walked anyway
        self._chain(target, shown=f'{link} -> {target}', missing_ok=True)
        try:
            info = os.lstat(target)
        except OSError:
            return
        if stat.S_ISDIR(info.st_mode):
            self._tree(target, target, None)

    # --- the folders on the way -------------------------------------------------------------------

    def _chain(self, path: str, *, shown: str, missing_ok: bool = False) -> None:
        """The folders from / down to `path` (which realpath resolved: no links on the way) and, when
        it exists, `path` itself; a missing `path` counts the writers of the deepest folder that
        exists, as anyone who can write that folder can create it."""
        parts = path.split('/')
        for depth in range(1, len(parts) + 1):
            current = '/'.join(parts[:depth]) or '/'
            try:
                info = os.lstat(current)
            except FileNotFoundError as e:
                if not missing_ok:
                    self._unknown(shown, e)
                # Whoever may write the deepest folder that exists may create the rest.
                deepest = '/'.join(parts[: depth - 1]) or '/'
                try:
                    self._entry(deepest, os.lstat(deepest), inside=True)
                except OSError as gone:
                    self._unknown(deepest, gone)
                return
            except OSError as e:
                self._unknown(current, e)
                return
            if depth < len(parts):
                self._entry(current, info, inside=False)
            elif not stat.S_ISDIR(info.st_mode):
                self._entry(current, info, inside=True)  # a folder is judged by its walk

    # --- one entry ------------------------------------------------------------------------------

    def _entry(self, path: str, info: os.stat_result, *, inside: bool) -> None:
        mode = info.st_mode
        if stat.S_ISSOCK(mode):
            return
        if self._new(info.st_uid):  # the phrase only for a new user: a passwd lookup per entry is most of the walk
            self._user(info.st_uid, f'{path} belongs to {name(info.st_uid)}')
        if stat.S_ISLNK(mode):
            return  # a link's mode is always 0777 and means nothing; its target is judged
        passage = not inside and stat.S_ISDIR(mode) and bool(mode & stat.S_ISVTX)
        if mode & 0o002 and not passage:
            self._anyone(f'{path} is writable by others')
        if mode & 0o020 and not passage:
            self._group(path, info.st_gid)
            self._acl(path)

    def _group(self, path: str, gid: int, via: str = '') -> None:
        members = self._members_of(gid)
        if members is None:
            self._anyone(f'{path} is writable{via} by group {gid}, which has no entry in the group database')
            return
        new = [uid for uid in sorted(members) if self._new(uid)]
        if new:
            why = f'{path} is writable{via} by group {group_name(gid)}'
            for uid in new:
                self._user(uid, why)

    def _acl(self, path: str) -> None:
        """The users and groups a POSIX ACL lets write `path` (its mask is the group bits, so only
        a group-writable entry has any)."""
        try:
            raw = os.getxattr(path, _ACL_XATTR, follow_symlinks=False)
        except OSError:
            return  # no ACL (ENODATA) or none supported here: the group bits are the owning group's
        if len(raw) < 4 or int.from_bytes(raw[:4], 'little') != _ACL_VERSION:
            self._anyone(f'{path} has an access control list guard cannot read')
            return
        for at in range(4, len(raw) - 7, 8):
            tag = int.from_bytes(raw[at : at + 2], 'little')
            perm = int.from_bytes(raw[at + 2 : at + 4], 'little')
            ident = int.from_bytes(raw[at + 4 : at + 8], 'little')
            if not perm & _ACL_WRITE:
                continue
            if tag == _ACL_USER:
                self._user(ident, f'{path} is writable by {name(ident)} (ACL)')
            elif tag == _ACL_GROUP:
                self._group(path, ident, ' (ACL)')
            elif tag == _ACL_GROUP_OBJ:
                pass  # the owning group: counted from the mode bits

    def _members_of(self, gid: int) -> frozenset[int] | None:
        if gid not in self._members:
            self._members[gid] = members(gid)
        return self._members[gid]

    # --- the answer -----------------------------------------------------------------------------

    def _new(self, uid: int) -> bool:
        return uid not in self.ignored and uid not in self.found.users

    def _user(self, uid: int, why: str) -> None:
        if not self._new(uid):
            return
        self.found.users[uid] = why
        if len(self.found.users) > self.most:
            raise _Enough

    def _anyone(self, why: str) -> None:
        self.found.anyone = why
        raise _Enough

    def _unknown(self, path: str, error: OSError) -> None:
        self._anyone(f'{path} cannot be checked ({error.strerror})')


def members(gid: int) -> frozenset[int] | None:
    """The uids that hold group `gid` (as primary group or listed in it); None when the group has no
    entry, so that who holds it cannot be told."""
    import grp
    import pwd

    try:
        listed = grp.getgrgid(gid).gr_mem
    except KeyError:
        return None
    uids = {entry.pw_uid for entry in pwd.getpwall() if entry.pw_gid == gid}
    for member in listed:
        try:
            uids.add(pwd.getpwnam(member).pw_uid)
        except KeyError:
            continue  # a listed name with no account: no process runs as a name
    return frozenset(uids)


def has_acl(path: str) -> bool:
    """True when `path` (not followed) carries a POSIX access ACL, or when whether it does cannot be told."""
    try:
        os.getxattr(path, _ACL_XATTR, follow_symlinks=False)
    except OSError as e:
        return e.errno not in (errno.ENODATA, errno.ENOTSUP)
    return True


def name(uid: int) -> str:
    """A uid as people read it: `alice (uid 1001)`, or `uid 4242` when it has no account."""
    import pwd

    try:
        return f'{pwd.getpwuid(uid).pw_name} (uid {uid})'
    except KeyError:
        return f'uid {uid}'


def group_name(gid: int) -> str:
    import grp

    try:
        return f'{grp.getgrgid(gid).gr_name} (gid {gid})'
    except KeyError:
        return f'gid {gid}'
