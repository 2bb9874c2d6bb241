"""Helpers for the safety tests: exact snapshots of real trees, immutable files, small configs."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

from guard.config import Config
from guard.settings import PurgeSettings


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """rel path -> (type, mode, size, sha256 or link target, mtime_ns) for everything below root.

    Never follows a symlink; names are kept as the OS gives them (odd bytes included).
    """
    result: dict[str, tuple[object, ...]] = {}
    base = os.fsencode(root)
    for dirpath, dirnames, filenames in os.walk(base):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.fsdecode(os.path.relpath(path, base))
            st = os.lstat(path)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                result[rel] = ('link', os.fsdecode(os.readlink(path)))
            elif stat.S_ISDIR(st.st_mode):
                result[rel] = ('dir', mode)
            else:
                with open(path, 'rb') as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                result[rel] = ('file', mode, st.st_size, digest, st.st_mtime_ns)
    return result


def tree_hash(root: Path) -> str:
    """One hash over the snapshot, directory mtimes included: any change at all shows."""
    h = hashlib.sha256()
    base = os.fsencode(root)
    for dirpath, _dirnames, _filenames in sorted(os.walk(base)):
        st = os.lstat(dirpath)
        h.update(repr((dirpath, st.st_mode, st.st_mtime_ns)).encode('utf-8', 'surrogateescape'))
    h.update(repr(sorted(snapshot(root).items())).encode('utf-8', 'surrogateescape'))
    return h.hexdigest()


def config(state_dir: Path, **purge: object) -> Config:
    """Default settings with state in `state_dir` and some purge fields overridden."""
    return Config(state_dir=str(state_dir), purge=dataclasses.replace(PurgeSettings(), **purge))  # type: ignore[arg-type]


def can_make_immutable(where: Path) -> bool:
    """chattr +i needs root (CAP_LINUX_IMMUTABLE) and a filesystem that supports it (ext4, xfs, btrfs)."""
    if shutil.which('chattr') is None:
        return False
    probe = where / '.immutable-probe'
    probe.write_text('x')
    try:
        ok = subprocess.run(['chattr', '+i', str(probe)], capture_output=True).returncode == 0
        if ok:
            subprocess.run(['chattr', '-i', str(probe)], check=True)
        return ok
    finally:
        probe.unlink()


def set_immutable(path: Path, on: bool) -> None:
    subprocess.run(['chattr', '+i' if on else '-i', str(path)], check=True, capture_output=True)


def release_immutable(root: Path) -> None:
    """Undo chattr +i everywhere below root, so the temporary tree can be removed."""
    if shutil.which('chattr'):
        subprocess.run(['chattr', '-R', '-f', '-i', str(root)], capture_output=True)
