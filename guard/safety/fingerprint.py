"""Content fingerprints of protected paths, taken before a purge and compared after it.

A file's fingerprint is its type, permission bits, size and sha256 (files over 4 MiB: size,
mtime and the sha256 of their first and last MiB, so a models/ folder of large weights stays
cheap to check). Symlinks are fingerprinted by their target, never followed. A protected path
is fingerprinted in full, its whole subtree included (protection is inherited, so nothing below it
may change); only what lies on another filesystem is left out: the purge cannot touch it anyway.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass

from guard.safety import fd as fdops

FULL_HASH_LIMIT = 4 << 20
SAMPLE = 1 << 20


@dataclass(frozen=True)
class Verification:
    """Protected paths after the purge compared with before: `changed` and `missing` must be empty."""

    checked: int
    changed: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.changed and not self.missing


def take(root_fd: int, tops: Iterable[str], *, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """rel path -> fingerprint for every entry at or under each of `tops`, except the paths in `skip`
    (guard's state folder, which its audit store writes to meanwhile)."""
    prints: dict[str, str] = {}
    root_dev = os.fstat(root_fd).st_dev
    for top in (t.rstrip('/') for t in tops):
        parent, name = fdops.split(top)
        try:
            with fdops.opened_beneath(root_fd, parent) as parent_fd:
                _entry(parent_fd, name, top, (root_dev, skip), prints)
        except OSError:
            continue  # gone or unreadable before the purge: nothing to compare later
    return prints


def compare(before: dict[str, str], after: dict[str, str]) -> Verification:
    missing = tuple(sorted(rel for rel in before if rel not in after))
    changed = tuple(sorted(rel for rel, digest in before.items() if rel in after and after[rel] != digest))
    return Verification(checked=len(before), changed=changed, missing=missing)


def _entry(dir_fd: int, name: str, rel: str, scope: tuple[int, frozenset[str]], prints: dict[str, str]) -> None:
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        prints[rel] = f'link:{os.readlink(name, dir_fd=dir_fd)}'
    elif stat.S_ISREG(st.st_mode):
        prints[rel] = f'file:{mode:o}:{st.st_size}:{_digest(dir_fd, name, st)}'
    elif stat.S_ISDIR(st.st_mode):
        prints[rel] = f'dir:{mode:o}'
        if st.st_dev == scope[0]:
            _walk(dir_fd, name, rel, scope, prints)
    else:
        prints[rel] = f'special:{stat.S_IFMT(st.st_mode):o}:{mode:o}'


def _walk(parent_fd: int, name: str, rel: str, scope: tuple[int, frozenset[str]], prints: dict[str, str]) -> None:
    dir_fd = fdops.open_dir(parent_fd, name)
    try:
        with os.scandir(dir_fd) as it:
            entries = list(it)
        for entry in entries:
            child = f'{rel}/{entry.name}'
            if child in scope[1]:
                continue
            try:
                _entry(dir_fd, entry.name, child, scope, prints)
            except OSError as e:
                prints[child] = f'unreadable:{e.errno}'
    finally:
        os.close(dir_fd)


def _digest(dir_fd: int, name: str, st: os.stat_result) -> str:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError as e:
        return f'unreadable:{e.errno}'
    try:
        h = hashlib.sha256()
        if st.st_size <= FULL_HASH_LIMIT:
            while chunk := os.read(fd, 1 << 20):
                h.update(chunk)
            return h.hexdigest()
        h.update(os.pread(fd, SAMPLE, 0))
        h.update(os.pread(fd, SAMPLE, st.st_size - SAMPLE))
        return f'{st.st_mtime_ns}:{h.hexdigest()}'
    finally:
        os.close(fd)
