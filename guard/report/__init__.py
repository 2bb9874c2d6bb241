"""Reporters: a ScanResult in, text / JSON / SARIF out. Nothing else in guard formats findings."""
from __future__ import annotations

from typing import TextIO

from guard.scan.engine import ScanResult

FORMATS = ('text', 'json', 'sarif')


def write(result: ScanResult, fmt: str, stream: TextIO, *, color: bool = False, verbose: bool = False,
          hook: str = '') -> None:
    if fmt == 'json':
        from guard.report import json_report

        json_report.write(result, stream)
    elif fmt == 'sarif':
        from guard.report import sarif

        sarif.write(result, stream)
    else:
        from guard.report import text

        text.write(result, stream, color=color, verbose=verbose, hook=hook)
