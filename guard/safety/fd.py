"""Directory file descriptors opened without following links, and the errors they raise, explained.

Every path below the root is reached one component at a time with O_NOFOLLOW | O_DIRECTORY
relative to its parent's descriptor, so a directory swapped for a symlink mid-operation makes
the open fail (ELOOP/ENOTDIR) instead of redirecting it outside the root.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_RENAME_NOREPLACE = 1  # linux/fs.h
_AT_FDCWD = -100

_HINTS = {
    errno.EACCES: (
        'permission denied: check the owner and mode of its folder (ls -ld), then run guard as that '
        'owner or `chmod u+w` the folder'
    ),
    errno.EPERM: (
        'operation not permitted: the file may be immutable or append-only (lsattr; chattr -i / -a), '
        'or owned by another user'
    ),
    errno.EROFS: 'the filesystem is mounted read-only: remount it read-write first',
    errno.EBUSY: 'busy: it is a mount point or in use; unmount or stop the service holding it',
    errno.ELOOP: 'it turned into a symlink while guard was working and was left alone; run the command again',
    errno.ENOTDIR: (
        'it stopped being a directory (replaced by a symlink or a file?) while guard was working '
        'and was left alone; run the command again'
    ),
    errno.ENOTEMPTY: 'new files appeared in it while guard was working; run the command again',
    errno.EMFILE: 'too many open files: the tree is very deep; raise `ulimit -n`',
    errno.EEXIST: 'something already exists at the destination; move it away first',
}


def open_root(root: str | os.PathLike[str]) -> int:
    """A descriptor for the (already resolved) root directory itself."""
    return os.open(root, DIR_FLAGS)


def open_dir(parent_fd: int, name: str) -> int:
    """Open one directory entry as a directory, refusing symlinks (ELOOP) and non-directories."""
    return os.open(name, DIR_FLAGS, dir_fd=parent_fd)


def open_beneath(root_fd: int, rel: str) -> int:
    """Open root-relative directory `rel` component by component; '' gives a duplicate of root_fd."""
    fd = os.dup(root_fd)
    for name in filter(None, rel.split('/')):
        if name in ('.', '..'):
            os.close(fd)
            raise OSError(errno.EINVAL, f'path component {name!r} is not allowed', rel)
        try:
            child = open_dir(fd, name)
        finally:
            os.close(fd)
        fd = child
    return fd


def makedirs_beneath(base_fd: int, rel: str, modes: dict[str, int]) -> int:
    """Open (creating as needed, with the recorded modes) directory `rel` below `base_fd`, no-follow."""
    fd = os.dup(base_fd)
    done = []
    for name in filter(None, rel.split('/')):
        if name in ('.', '..'):
            os.close(fd)
            raise OSError(errno.EINVAL, f'path component {name!r} is not allowed', rel)
        done.append(name)
        try:
            os.mkdir(name, modes.get('/'.join(done), 0o755), dir_fd=fd)
        except FileExistsError:
            pass
        except OSError:
            os.close(fd)
            raise
        try:
            child = open_dir(fd, name)
        finally:
            os.close(fd)
        fd = child
    return fd


@contextmanager
def opened_beneath(root_fd: int, rel: str) -> Iterator[int]:
    fd = open_beneath(root_fd, rel)
    try:
        yield fd
    finally:
        os.close(fd)


def split(rel: str) -> tuple[str, str]:
    """'a/b/c' -> ('a/b', 'c'); 'c' -> ('', 'c')."""
    parent, _, name = rel.rpartition('/')
    return parent, name


def hint(error: OSError) -> str:
    """What an operator can do about an error, in one line."""
    if not error.errno:
        return 'run the command again'
    return _HINTS.get(error.errno, 'see the error above')


def describe(error: OSError) -> str:
    return error.strerror or str(error)


def _libc_renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _libc_renameat2()


def rename_noreplace(src_dir_fd: int, src: str, dst_dir_fd: int, dst: str) -> None:
    """Rename without ever replacing an existing destination (renameat2 RENAME_NOREPLACE).

    Plain rename(2) silently replaces a file or an empty directory; a restore must never do that.
    Without renameat2 (old libc, or a filesystem that lacks it) the fallback checks first, which
    leaves a tiny race that the primary path does not have.
    """
    if _renameat2 is not None:
        result = _renameat2(src_dir_fd, os.fsencode(src), dst_dir_fd, os.fsencode(dst), _RENAME_NOREPLACE)
        if result == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(err, os.strerror(err), dst)
    try:
        os.stat(dst, dir_fd=dst_dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        os.rename(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
        return
    raise OSError(errno.EEXIST, os.strerror(errno.EEXIST), dst)


def filesystem_type(path: str | os.PathLike[str]) -> str:
    """The type of the filesystem holding `path` ('ext4', 'tmpfs', ...), from /proc/self/mountinfo."""
    target = os.path.realpath(path)
    best, kind = '', ''
    try:
        with open('/proc/self/mountinfo', encoding='utf-8', errors='replace') as f:
            for line in f:
                fields = line.split()
                mount = fields[4].replace('\\040', ' ')
                separator = fields.index('-')
                inside = target == mount or target.startswith(mount.rstrip('/') + '/')
                if inside and len(mount) >= len(best):
                    best, kind = mount, fields[separator + 1]
    except (OSError, ValueError, IndexError):
        return ''
    return kind


def free_bytes(fd: int) -> int:
    """Bytes available to unprivileged users on the filesystem holding `fd` (what df shows)."""
    st = os.fstatvfs(fd)
    return st.f_bavail * st.f_frsize


class RootPin:
    """The root, resolved and opened once at plan time; everything after works through `fd`.

    A purge, clean or restore asks y/N, or a daemon waits for its lock, between looking and acting.
    Meanwhile the path may start to lead elsewhere (the folder renamed and a symlink put in its
    place). Acting through this descriptor means acting on the directory that was planned, and
    `verify()` says so when the path has moved: the operation stops rather than carry on silently.
    """

    def __init__(self, path: Path) -> None:
        from guard import ownfiles

        self.path = path
        # No link followed at any component: the descriptor is the directory `path` names now.
        self.fd = ownfiles.open_dir(path, private=False, owners=False)
        st = os.fstat(self.fd)
        self.dev, self.ino = st.st_dev, st.st_ino
        self.mnt = ownfiles.mount_id(self.fd)
        # The directory opened is judged, not only the path checked before (check_root): `/` or a
        # system or home directory bind-mounted (or swapped in) under a project's name is refused.
        from guard.printable import printable
        from guard.safety.paths import refuse_refused_directory

        try:
            refuse_refused_directory(st, printable(path))
        except BaseException:
            self.close()
            raise

    @classmethod
    def beneath(cls, parent: RootPin, rel: str) -> RootPin:
        """A folder below a pinned root (a log volume mounted inside it), reached from the pin's
        descriptor without following a link: it lies in the pinned root, whatever the path says now."""
        from guard.errors import UnsafeOperationError

        parent.verify()
        pin = cls.__new__(cls)
        pin.path = parent.path / rel
        try:
            pin.fd = open_beneath(parent.fd, rel)
        except OSError as e:
            pin.fd = -1
            raise UnsafeOperationError(
                f'{pin.path}: cannot open it from the pinned root without following a '
                f'link ({describe(e)}); nothing was changed'
            ) from None
        st = os.fstat(pin.fd)
        pin.dev, pin.ino = st.st_dev, st.st_ino
        from guard import ownfiles

        pin.mnt = ownfiles.mount_id(pin.fd)
        return pin

    def verify(self) -> None:
        """UnsafeOperationError when the root's path no longer leads to the pinned directory."""
        from guard.errors import UnsafeOperationError

        try:
            st = os.stat(self.path)
        except OSError as e:
            raise UnsafeOperationError(
                f'{self.path}: the root is gone since the plan ({e.strerror}); nothing was changed'
            ) from None
        if (st.st_dev, st.st_ino) != (self.dev, self.ino):
            raise UnsafeOperationError(
                f'{self.path} now leads to another directory (device/inode {st.st_dev}/{st.st_ino}, planned '
                f'{self.dev}/{self.ino}): it was replaced or swapped for a symlink after the plan; '
                'nothing was changed, look at it and run the command again'
            )

    def dup(self) -> int:
        return os.dup(self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        try:
            self.close()
        except OSError:
            pass
