"""The one result accumulator: what a scan found, skipped and counted, merged from every part of the work.

Every scan (work tree, index, history, a worker's share of any of them) fills a `ScanResult`; the
parts are combined with `merge`, so the counts are added up in one place.
"""

from __future__ import annotations

from guard.findings import Finding
from guard.findings import Skipped

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.records import StrPath
    from guard.scan import baseline as baseline_module


class ScanResult:
    """What a scan of `root` found and skipped, filled in as it goes (a plain class: see config.Config).

    A worker's share is a ScanResult too (sent back to the parent by pickling), merged into the whole.
    """

    def __init__(self, root: StrPath = '') -> None:
        self.root = root
        self.findings: list[Finding] = []
        self.skipped: list[Skipped] = []
        self.failed: list[Skipped] = []  # of `skipped`, the files that may hold text guard could not read
        self.files_scanned = 0
        self.bytes_scanned = 0
        self.suppressed = 0  # by inline markers
        self.left_out = 0  # findings on lines a commit does not change; counted only with a report (scan.staged)
        self.baselined = 0
        self.stale: list[baseline_module.BaselineEntry] = []  # baseline entries no finding matched
        self.notes: list[str] = []
        self.warnings: list[str] = []  # for the user's eyes in every format (the CLI writes them to stderr)
        self.salt: bytes | None = None  # the baseline's salt, when it has one
        self.content_keys: dict[str, str] = {}  # location key -> content key, for `guard baseline` only

    def scanned(self, findings: list[Finding], suppressed: int, size: int) -> None:
        """One file scanned: its findings, how many matches inline markers allowed, its size in characters."""
        self.findings.extend(findings)
        self.suppressed += suppressed
        self.files_scanned += 1
        self.bytes_scanned += size

    def skip(self, path: str, reason: str, *, failed: bool = False) -> None:
        """A file not scanned, and why: every format names it. `failed`: it may hold text that guard
        could not read (unreadable, missing from the object store), so a hook fails closed on it."""
        skipped = Skipped(path, reason)
        self.skipped.append(skipped)
        if failed:
            self.failed.append(skipped)

    def merge(self, other: ScanResult) -> None:
        """Add a part of the work (a worker's chunk) to this result; findings keep their order."""
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
        self.failed.extend(other.failed)
        self.files_scanned += other.files_scanned
        self.bytes_scanned += other.bytes_scanned
        self.suppressed += other.suppressed
        self.left_out += other.left_out
        self.notes.extend(n for n in other.notes if n not in self.notes)
        self.warnings.extend(w for w in other.warnings if w not in self.warnings)
