"""guard's own files (state, audit store, salts, locks, quarantine, baseline, status, metrics),
opened so that nobody else can plant them.

Three rules, as ssh's StrictModes and systemd's chase(CHASE_SAFE) apply them:

- A directory is reached one component at a time from `/` (or from a descriptor already pinned)
  with O_NOFOLLOW | O_DIRECTORY, so no symlink is followed anywhere on the way. What the caller
  gets is a descriptor: later opens go through it (`dir_fd=`), never through the path again.
- Every directory on the way is owned by root or by guard's own user, and one that others may write
  to is sticky (`/tmp`). guard's own directory itself is owned by its user and writable by nobody
  else. Anything else is refused with one line (UnsafeOperationError), before a byte is read.
- A file is written by creating a fresh temporary name with O_EXCL in the pinned directory, then
  renamed over the final name: a link planted at the final name is replaced, never followed.

This module sits in the lowest layer (os only) so the scanner's baseline and salts, the safety core,
the audit store and the daemon all use the same three rules.
"""

from __future__ import annotations

import errno
import os
import stat

from guard.errors import UnsafeOperationError

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO would block
_FILE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def refuse(path: str | os.PathLike[str], why: str) -> UnsafeOperationError:
    return UnsafeOperationError(
        f'{os.fspath(path)}: {why}; guard does not use it (fix the owner or mode, or remove it)'
    )


def open_dir(
    path: str | os.PathLike[str],
    *,
    create: bool = False,
    mode: int = 0o700,
    private: bool = True,
    base_fd: int | None = None,
    owners: bool = True,
    shown: str = '',
) -> int:
    """A descriptor for directory `path`, reached without following a link at any component.

    `path` is absolute, or relative to `base_fd` (a directory already pinned). Missing components
    are created with `mode` when `create`. Each component must be owned by root or by us and, if
    others may write to it, be sticky; with `private` the last one must also be ours and writable
    by nobody else (guard's state directory). UnsafeOperationError names the component at fault.
    `owners=False` skips the owner checks (a project root, which may well be another user's) and
    keeps only the no-follow walk. `shown` is how to name `base_fd`'s directory in messages.
    """
    text = os.fspath(path)
    if base_fd is None:
        if not os.path.isabs(text):
            text = os.path.abspath(text)
        fd = os.open('/', DIR_FLAGS)
        shown = ''
    else:
        fd = os.dup(base_fd)
        shown = shown.rstrip('/') or '.'
    try:
        names = [n for n in text.split('/') if n and n != '.']
        for index, name in enumerate(names):
            if name == '..':
                raise refuse(text, 'the path holds `..`')
            shown = f'{shown}/{name}' if shown not in ('', '/') else f'{shown or ""}/{name}'
            child = _open_child(fd, name, shown, create=create, mode=mode)
            os.close(fd)
            fd = child
            if owners:
                _check_dir(fd, shown, own=index == len(names) - 1 and private)
        if not names and owners:
            _check_dir(fd, text, own=private)
        return fd
    except BaseException:
        os.close(fd)
        raise


def refuse_links(path: str, *, why: str) -> None:
    """UnsafeOperationError when a component of absolute `path` that exists is a symlink: the same
    no-follow walk as open_dir, for a path named now and opened later (the part not there yet is
    created by open_dir, again without following a link). `why` names the setting in the message."""
    fd = os.open('/', DIR_FLAGS)
    shown = ''
    try:
        for name in [n for n in path.split('/') if n and n != '.']:
            shown = f'{shown}/{name}'
            try:
                child = os.open(name, DIR_FLAGS, dir_fd=fd)
            except (FileNotFoundError, PermissionError):
                return  # created (no link followed) or refused when guard opens it
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(fd, name):
                    raise UnsafeOperationError(
                        f'{why} {path}: {shown} is a symlink; guard does not follow a link '
                        'to its own files: name the real directory'
                    ) from None
                return  # a file in the way: open_dir says so when it is used
            os.close(fd)
            fd = child
    finally:
        os.close(fd)


def _open_child(parent_fd: int, name: str, shown: str, *, create: bool, mode: int) -> int:
    try:
        return os.open(name, DIR_FLAGS, dir_fd=parent_fd)
    except FileNotFoundError:
        if not create:
            raise
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(parent_fd, name):
            raise refuse(shown, 'it is a symlink, where guard expects its own directory') from None
        raise  # a plain file in the way is a mistake, said as the OSError it is
    try:
        os.mkdir(name, mode, dir_fd=parent_fd)
    except FileExistsError:
        pass
    return _open_child(parent_fd, name, shown, create=False, mode=mode)


def _is_link(parent_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=parent_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _check_dir(fd: int, shown: str, *, own: bool) -> None:
    st = os.fstat(fd)
    me = os.geteuid()
    if own:
        if st.st_uid != me:
            raise refuse(shown, f"guard's own directory is owned by uid {st.st_uid}, not by uid {me}")
        if st.st_mode & 0o022:
            raise refuse(
                shown, f"guard's own directory is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
            )
        return
    if st.st_uid not in (0, me):
        raise refuse(shown, f'a directory on the way is owned by uid {st.st_uid}, neither root nor uid {me}')
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        raise refuse(
            shown,
            f'a directory on the way is writable by group or others and not sticky (mode {stat.S_IMODE(st.st_mode):o})',
        )


def check_file(fd: int, shown: str | os.PathLike[str]) -> os.stat_result:
    """The stat of one of guard's own files, opened already: a regular file of ours, private enough."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise refuse(shown, 'it is not a regular file')
    if st.st_uid != os.geteuid():
        raise refuse(shown, f'it is owned by uid {st.st_uid}, not by uid {os.geteuid()}')
    if st.st_mode & 0o022:
        raise refuse(shown, f'it is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})')
    return st


def open_file(
    dir_fd: int, name: str, flags: int = os.O_RDWR, *, create: bool = True, mode: int = 0o600, shown: str = ''
) -> int:
    """Open (creating when asked) one of guard's files in a pinned directory, never through a link."""
    where = shown or name
    try:
        fd = os.open(name, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        if not create:
            raise
        try:
            fd = os.open(name, flags | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
        except FileExistsError:
            return open_file(dir_fd, name, flags, create=False, mode=mode, shown=shown)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise refuse(where, 'it is a symlink, where guard expects its own file') from None
        raise
    try:
        check_file(fd, where)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read(dir_fd: int, name: str, *, limit: int = 1 << 24, shown: str = '') -> bytes | None:
    """The bytes of one of guard's files, or None when there is none; refused when planted."""
    try:
        fd = os.open(name, _FILE_READ, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise refuse(shown or name, 'it is a symlink, where guard expects its own file') from None
        raise
    try:
        check_file(fd, shown or name)
        chunks = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b''.join(chunks)
    finally:
        os.close(fd)


def write_atomic(where: int | str | os.PathLike[str], name: str, data: bytes, mode: int = 0o600) -> None:
    """Replace `name` in directory `where` (a pinned descriptor, or a path opened here without
    following links) by `data`, atomically, with exactly `mode` whatever the umask.

    The bytes go to a fresh O_EXCL temporary name in the same directory, are synced, and the name is
    renamed over `name`: a symlink or file planted at `name` is replaced, never written through.
    Anything else at `name` (a FIFO, a device, a socket, a folder) is refused with an OSError: a
    rename would replace `/dev/full` itself when run as root (attack 15c, finding 04).
    """
    if '/' in name or name in ('', '.', '..'):
        raise ValueError(f'not a file name: {name!r}')
    own_fd = None
    if isinstance(where, int):
        dir_fd = where
    else:
        dir_fd = own_fd = open_dir(where, private=False)
    try:
        _replaceable(dir_fd, name)
        temp = _create_temp(dir_fd, name, mode)
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
            try:
                os.fchmod(fd, mode)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            try:
                os.fsync(dir_fd)  # the rename itself survives a crash
            except OSError:
                pass  # a descriptor some filesystems cannot sync; the data is synced already
        except BaseException:
            try:
                os.unlink(temp, dir_fd=dir_fd)
            except OSError:
                pass
            raise
    finally:
        if own_fd is not None:
            os.close(own_fd)


_KINDS = {
    stat.S_IFIFO: 'a FIFO',
    stat.S_IFCHR: 'a character device',
    stat.S_IFBLK: 'a block device',
    stat.S_IFSOCK: 'a socket',
    stat.S_IFDIR: 'a folder',
}


def _replaceable(dir_fd: int, name: str) -> None:
    """Nothing, a regular file or a symlink at `name`: what write_atomic may replace (OSError otherwise).
    Checked before the rename, not with it (rename has no such flag): a swap in between needs write
    access to the folder, which could replace the name anyway."""
    try:
        kind = stat.S_IFMT(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return
    if kind in _KINDS:
        raise OSError(errno.EEXIST, f'{_KINDS[kind]} is there; guard replaces only a regular file', name)


def _create_temp(dir_fd: int, name: str, mode: int) -> str:
    for _ in range(100):
        temp = f'.{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp'
        try:
            os.close(os.open(temp, _FILE_NEW, mode & 0o700 or 0o600, dir_fd=dir_fd))
        except FileExistsError:
            continue
        return temp
    raise OSError(errno.EEXIST, 'cannot create a temporary file', name)


def fd_path(dir_fd: int, name: str = '') -> str:
    """A path that reaches `name` through the pinned directory `dir_fd` (for libraries that take
    only paths, such as SQLite): /proc/self/fd/N resolves to the directory the descriptor holds,
    not to whatever its old path leads to now."""
    base = f'/proc/self/fd/{dir_fd}'
    return f'{base}/{name}' if name else base


def mount_id(fd: int) -> int | None:
    """The mount a descriptor lies on, None where neither statx(STATX_MNT_ID) (Linux 5.8) nor
    /proc/self/fdinfo (`mnt_id:`) can tell.

    Two directories on the same device but different mounts (a bind mount) have different mount
    ids and the same st_dev, which is why guard compares these and uses st_dev only as the fallback.
    statx is one system call (the purge asks for every directory it enters); fdinfo is the fallback.
    """
    found = _statx_mnt_id(fd)
    if found is not None:
        return found
    try:
        with open(f'/proc/self/fdinfo/{fd}', 'rb') as f:
            for line in f:
                if line.startswith(b'mnt_id:'):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


_STATX_MNT_ID = 0x1000
_AT_EMPTY_PATH = 0x1000
_STATX_SIZE = 256
_STATX_MNT_ID_OFFSET = 144  # struct statx: after the timestamps and the rdev/dev numbers


def _load_statx() -> object:
    import ctypes
    import ctypes.util

    try:
        func = ctypes.CDLL(ctypes.util.find_library('c') or None, use_errno=True).statx
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
    func.restype = ctypes.c_int
    return func


_statx: object = None
_statx_loaded = False


def _statx_mnt_id(fd: int) -> int | None:
    global _statx, _statx_loaded
    if not _statx_loaded:
        _statx, _statx_loaded = _load_statx(), True
    if _statx is None:
        return None
    import ctypes

    buf = ctypes.create_string_buffer(_STATX_SIZE)
    if _statx(fd, b'', _AT_EMPTY_PATH, _STATX_MNT_ID, buf) != 0:  # type: ignore[operator]
        return None
    raw = buf.raw
    if not int.from_bytes(raw[0:4], 'little') & _STATX_MNT_ID:
        return None  # a kernel before 5.8 does not fill it in
    return int.from_bytes(raw[_STATX_MNT_ID_OFFSET : _STATX_MNT_ID_OFFSET + 8], 'little')


def same_mount(fd: int, dev: int, mnt: int | None) -> bool:
    """Whether `fd` lies on the mount (`mnt`) and device (`dev`) noted for the root."""
    if os.fstat(fd).st_dev != dev:
        return False
    return mnt is None or mount_id(fd) == mnt
