"""What clearing a path found: the records the purge plan and report are made of."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

PROTECTED_REASON = 'protected'
FLOOR_REASON = 'never purged, whatever the config says'


@dataclass(frozen=True)
class Kept:
    """An entry inside an ephemeral path that was left alone on purpose, and why."""

    rel: str
    reason: str


@dataclass(frozen=True)
class Failure:
    """An entry that could not be cleared: the error and what the operator can do."""

    rel: str
    error: str
    hint: str


@dataclass(frozen=True)
class Truncated:
    """An active log emptied in place. `copy` names the rotated copy made first, if any."""

    rel: str
    bytes: int
    holders: tuple[str, ...]
    copy: str | None = None


@dataclass(frozen=True)
class HeldOpen:
    """A removed file some process still holds open: its space returns when that process closes it."""

    rel: str
    bytes: int
    holders: tuple[str, ...]


@dataclass
class ItemResult:
    """What clearing (or planning to clear) one ephemeral path did. Bytes are disk usage, as du counts."""

    rel: str
    kind: str
    files: int = 0
    bytes: int = 0
    truncated: list[Truncated] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    held_open: list[HeldOpen] = field(default_factory=list)

    @property
    def left_whole(self) -> bool:
        """True when the path itself was left alone (a mount point, a nested repository, a refused
        link): it is then listed only as left alone, never as something to clear."""
        return any(k.rel == self.rel for k in self.kept)

    def merge(self, other: ItemResult) -> None:
        """Add what a worker thread found in part of this path."""
        self.files += other.files
        self.bytes += other.bytes
        self.truncated.extend(other.truncated)
        self.kept.extend(other.kept)
        self.failures.extend(other.failures)
        self.held_open.extend(other.held_open)
