"""`--format json`: a contract other tools parse. Add fields freely; never rename or remove one."""
from __future__ import annotations

import json
from typing import TextIO

from guard.report.summary import summarize
from guard.scan.engine import ScanResult

VERSION = 1


def write(result: ScanResult, stream: TextIO) -> None:
    document = {
        'version': VERSION,
        'findings': [
            {
                'rule': f.rule, 'category': f.category, 'severity': f.severity, 'path': f.path,
                'line': f.line, 'column': f.column, 'message': f.message, 'fix': f.fix,
                'excerpt': f.excerpt, 'fingerprint': f.fingerprint, 'entries': list(f.entries),
            }
            for f in result.findings
        ],
        'summary': summarize(result),
    }
    json.dump(document, stream, indent=2, ensure_ascii=False)
    stream.write('\n')
