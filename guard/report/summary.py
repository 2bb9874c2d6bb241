"""Counts shared by every reporter."""

from __future__ import annotations

from collections import Counter
from typing import Any

from guard.git.text import BINARY
from guard.scan.engine import ScanResult


def summarize(result: ScanResult) -> dict[str, Any]:
    by_severity = Counter(f.severity for f in result.findings)
    by_category = Counter(f.category for f in result.findings)
    return {
        'findings': len(result.findings),
        'by_severity': dict(sorted(by_severity.items())),
        'by_category': dict(sorted(by_category.items())),
        'files_scanned': result.files_scanned,
        'bytes_scanned': result.bytes_scanned,
        'binary_skipped': sum(1 for s in result.skipped if s.reason == BINARY),
        'skipped': [{'path': s.path, 'reason': s.reason} for s in result.skipped],  # every one, binary too
        'not_scanned_failed': [s.path for s in result.failed],
        'suppressed_inline': result.suppressed,
        'baselined': result.baselined,
        'stale_baseline': [{'fingerprint': e.fingerprint, 'rule': e.rule, 'path': e.path} for e in result.stale],
        'notes': list(result.notes),
    }
