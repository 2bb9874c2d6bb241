"""`--format json`: a contract other tools parse. Add fields freely; never rename or remove one."""

from __future__ import annotations

import json
import re
from typing import TextIO

from guard.report.summary import summarize
from guard.scan.engine import ScanResult

VERSION = 1
_SURROGATE = re.compile('[\ud800-\udfff]')


def write(result: ScanResult, stream: TextIO) -> None:
    document = {
        'version': VERSION,
        'findings': [
            {
                'rule': f.rule,
                'category': f.category,
                'severity': f.severity,
                'path': f.path,
                'line': f.line,
                'column': f.column,
                'message': f.message,
                'fix': f.fix,
                'excerpt': f.excerpt,
                'fingerprint': f.fingerprint,
                'entries': list(f.entries),
            }
            for f in result.findings
        ],
        'summary': summarize(result),
    }
    stream.write(dumps(document) + '\n')


def dumps(document: object) -> str:
    """JSON text that is valid UTF-8 whatever the file names are.

    A file name that is not UTF-8 arrives as a str with lone surrogates (Python's surrogateescape);
    written raw they would put invalid bytes into the document. They are written as `\\udcXX`
    escapes instead, which JSON allows and which decode back to the same str (and so to the name's
    bytes through os.fsencode). Everything else stays readable (ensure_ascii=False).
    """
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: f'\\u{ord(m[0]):04x}', text)
