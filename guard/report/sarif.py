"""`--format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it.

https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html and
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from typing import TextIO
from urllib.parse import quote

from guard import __version__
from guard.findings import Finding
from guard.findings import Skipped
from guard.rules import RULES
from guard.scan.engine import ScanResult

SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'
LEVELS = {'error': 'error', 'warning': 'warning', 'note': 'note'}
# GitHub sorts security alerts by this 0-10 score.
SECURITY_SEVERITY = {'secret': '9.0', 'env-file': '8.0', 'venv': '5.0', 'ip': '4.0', 'abs-path': '3.0'}


def write(result: ScanResult, stream: TextIO) -> None:
    rule_ids = sorted(RULES)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    run = {
        'tool': {
            'driver': {
                'name': 'guard',
                'version': __version__,
                'semanticVersion': __version__,
                'informationUri': 'https://github.com/guard-dev/guard',
                'rules': [_rule(rule_id) for rule_id in rule_ids],
            }
        },
        'columnKind': 'unicodeCodePoints',
        'originalUriBaseIds': {'%SRCROOT%': {'uri': Path(result.root).as_uri() + '/'}},
        'results': [_result(f, index[f.rule]) for f in result.findings],
        # Every file not scanned, and why (SARIF 3.20.21, 3.58): a reader sees what the results do not cover.
        'invocations': [
            {
                'executionSuccessful': not result.failed,
                'toolExecutionNotifications': [_not_scanned(s) for s in result.skipped],
            }
        ],
    }
    stream.write(
        json.dumps({'$schema': SCHEMA, 'version': '2.1.0', 'runs': [run]}, indent=2, ensure_ascii=False) + '\n'
    )


def _not_scanned(skipped: Skipped) -> dict[str, Any]:
    return {
        'level': 'warning',
        'message': {'text': _readable(f'not scanned: {skipped.reason}')},
        'locations': [
            {
                'physicalLocation': {
                    'artifactLocation': {
                        'uri': quote(os.fsencode(skipped.path.rstrip('/') or '.'), safe='/:'),
                        'uriBaseId': '%SRCROOT%',
                    }
                }
            }
        ],
        'descriptor': {'id': 'not-scanned'},
    }


def _rule(rule_id: str) -> dict[str, Any]:
    rule = RULES[rule_id]
    return {
        'id': rule_id,
        'name': ''.join(part.capitalize() for part in rule_id.split('-')),
        'shortDescription': {'text': rule.why},
        'fullDescription': {'text': rule.why},
        'help': {'text': f'{rule.why}\nFix: {rule.fix}', 'markdown': f'{rule.why}\n\n**Fix:** {rule.fix}'},
        'defaultConfiguration': {'level': LEVELS[rule.severity]},
        'properties': {'tags': ['security', rule.category], 'security-severity': SECURITY_SEVERITY[rule.category]},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    # GitHub needs a region on every result (its rule GH1003); a path-level finding points at line 1.
    location: dict[str, Any] = {
        'artifactLocation': {'uri': _uri(finding), 'uriBaseId': '%SRCROOT%'},
        'region': {
            'startLine': finding.line or 1,
            'startColumn': finding.column or 1,
            'snippet': {'text': _readable(finding.excerpt)},
        },
    }
    return {
        'ruleId': finding.rule,
        'ruleIndex': rule_index,
        'level': LEVELS[finding.severity],
        'message': {'text': _readable(f'{finding.message} Fix: {finding.fix}')},
        'locations': [{'physicalLocation': location}],
        # A location key (rule, path, masked line): nothing derived from a secret leaves in an upload (issue 15).
        'partialFingerprints': {'guardLocation/v1': finding.fingerprint},
    }


def _uri(finding: Finding) -> str:
    """The finding's file as a relative URI reference: RFC 3986 percent-encoding of the name's bytes.

    A name that is not valid UTF-8 (a str with surrogateescape'd bytes) becomes `%FF`-style escapes
    of exactly those bytes, which SARIF allows (3.10.2) and which name the same file again.
    """
    # A root-level finding (a venv in the root) points at its first entry: SARIF wants a file.
    path = finding.entries[0] if finding.path == '.' and finding.entries else finding.path
    return quote(os.fsencode(path.rstrip('/') or '.'), safe='/')


def _readable(text: str) -> str:
    """Text for people: bytes of a non-UTF-8 file name shown as U+FFFD, so the document stays valid Unicode."""
    return text.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')
