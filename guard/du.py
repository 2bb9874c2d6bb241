"""How much disk a file takes: the one measure guard's purge, clean, quarantine, health and watch share."""

from __future__ import annotations

import stat

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import os


def disk_usage(st: os.stat_result) -> int:
    """The bytes `st`'s file occupies, as `du` counts them: its allocated blocks.

    A sparse file counts only the blocks it has, a preallocated one all it holds: that is what
    removing or truncating it frees. A filesystem that reports no blocks at all (some network and
    FUSE ones leave st_blocks at 0) would make every file there weigh nothing, so a non-empty regular
    file without blocks counts its apparent size. A symbolic link counts its blocks only (none for
    a short one, as du).
    """
    if st.st_blocks or not stat.S_ISREG(st.st_mode):
        return st.st_blocks * 512
    return st.st_size
