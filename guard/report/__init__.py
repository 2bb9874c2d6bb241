"""Reporters: a ScanResult in, text / JSON / SARIF out. Nothing else in guard formats findings."""

from __future__ import annotations

from typing import TextIO

from guard.scan.engine import ScanResult

FORMATS = ('text', 'json', 'sarif')


def write(
    result: ScanResult,
    fmt: str,
    stream: TextIO,
    *,
    color: bool = False,
    verbose: bool = False,
    quiet: bool = False,
    hook: str = '',
) -> None:
    """Write `result` in `fmt`. `verbose`, `quiet` and `color` shape the text format only: JSON and
    SARIF are contracts that always hold everything."""
    if fmt == 'json':
        from guard.report import json_report

        json_report.write(result, stream)
    elif fmt == 'sarif':
        from guard.report import sarif

        sarif.write(result, stream)
    else:
        from guard.report import text

        text.write(result, stream, color=color, verbose=verbose, quiet=quiet, hook=hook)
