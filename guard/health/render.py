"""A HealthReport as text for people, JSON for machines, or a Nagios plugin's status line.

Everything here returns strings; `guard.cli.health` writes them. Values were masked where they
were made (the database URL never carries its password), so nothing here has to redact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any

from guard.health.result import CheckResult
from guard.health.result import HealthReport
from guard.health.result import Perf
from guard.health.result import Status

JSON_VERSION = 1
_LABELS = {Status.OK: 'ok', Status.WARN: 'WARN', Status.FAIL: 'FAIL', Status.SKIP: 'skip'}
_COLORS = {Status.OK: '32', Status.WARN: '33', Status.FAIL: '31;1', Status.SKIP: '2'}
# Nagios plugin API: https://nagios-plugins.org/doc/guidelines.html#AEN78
NAGIOS_CODES = {Status.OK: 0, Status.SKIP: 0, Status.WARN: 1, Status.FAIL: 2}
NAGIOS_UNKNOWN = 3
_NAGIOS_WORDS = {0: 'OK', 1: 'WARNING', 2: 'CRITICAL', 3: 'UNKNOWN'}


def text(report: HealthReport, *, color: bool = False) -> str:
    """One line per check (status, name, latency, value and reason), then the verdict."""
    width = max((len(c.name) for c in report.checks), default=0)
    lines = [_line(check, width, color) for check in report.checks]
    verdict = report.verdict()
    if color:
        verdict = _paint(verdict, _COLORS[Status.FAIL if not report.healthy else report.status])
    lines.append(verdict)
    return '\n'.join(lines) + '\n'


def _line(check: CheckResult, width: int, color: bool) -> str:
    label = f'{_LABELS[check.status]:<4}'
    if color:
        label = _paint(label, _COLORS[check.status])
    latency = '-' if check.status is Status.SKIP else latency_text(check.latency)
    return f'{label}  {check.name:<{width}}  {latency:>7}  {_shown(check)}'


def _shown(check: CheckResult) -> str:
    return ': '.join(part for part in (check.value, check.reason) if part)


def latency_text(seconds: float) -> str:
    if seconds < 0.001:
        return '<1 ms'
    if seconds < 1:
        return f'{seconds * 1000:.0f} ms'
    return f'{seconds:.1f} s'


def _paint(text: str, code: str) -> str:
    return f'\033[{code}m{text}\033[0m'


def as_dict(report: HealthReport) -> dict[str, Any]:
    """The report as plain JSON-able data (the `--format json` schema, version JSON_VERSION)."""
    return {
        'version': JSON_VERSION,
        'root': report.root,
        'healthy': report.healthy,
        'status': report.status.value,
        'verdict': report.verdict(),
        'database': report.database or None,
        'started_at': datetime.fromtimestamp(report.started_at, UTC).isoformat(timespec='seconds'),
        'duration_ms': round(report.duration * 1000, 1),
        'checks': [_check_dict(c) for c in report.checks],
    }


def _check_dict(check: CheckResult) -> dict[str, Any]:
    return {
        'name': check.name,
        'status': check.status.value,
        'value': check.value,
        'reason': check.reason or None,
        'latency_ms': round(check.latency * 1000, 3),
        'perfdata': [
            {
                'label': p.label,
                'value': p.value,
                'uom': p.uom or None,
                'warn': p.warn or None,
                'crit': p.crit or None,
                'min': p.min,
                'max': p.max,
            }
            for p in check.perf
        ],
    }


def as_json(report: HealthReport, *, extra: Mapping[str, Any] | None = None) -> str:
    return json.dumps({**as_dict(report), **(extra or {})}, indent=2) + '\n'


def nagios(report: HealthReport) -> tuple[str, int]:
    """The plugin output (status line with perfdata, then one line per check) and its exit code."""
    code = NAGIOS_CODES[report.status]
    bad = report.failed() or report.warnings()
    summary = '; '.join(_nagios_safe(f'{c.name}: {_shown(c)}') for c in bad) or report.verdict()
    perf = ' '.join(perfdata(p) for c in report.checks for p in c.perf)
    first = f'GUARD {_NAGIOS_WORDS[code]} - {summary}' + (f' | {perf}' if perf else '')
    width = max((len(c.name) for c in report.checks), default=0)
    details = [_nagios_safe(_line(c, width, False)) for c in report.checks]
    return '\n'.join([first, *details]) + '\n', code


def nagios_unknown(message: str) -> tuple[str, int]:
    """What a monitoring system must see when guard could not check at all (exit 3, not 2=CRITICAL)."""
    return f'GUARD UNKNOWN - {_nagios_safe(message)}\n', NAGIOS_UNKNOWN


def perfdata(perf: Perf) -> str:
    """`'label'=value[uom];warn;crit;min;max` with trailing empty fields dropped."""
    label = (
        perf.label if perf.label.replace('_', '').replace(':', '').replace('.', '').isalnum() else _quote(perf.label)
    )
    fields: Sequence[str] = (
        f'{_number(perf.value)}{perf.uom}',
        perf.warn,
        perf.crit,
        _number(perf.min),
        _number(perf.max),
    )
    return f'{label}={";".join(fields).rstrip(";")}'


def _quote(label: str) -> str:
    return "'" + label.replace("'", '').replace('=', '_') + "'"


def _number(value: float | None) -> str:
    if value is None:
        return ''
    if float(value).is_integer():
        return str(int(value))
    return f'{value:.6f}'.rstrip('0').rstrip('.')


def _nagios_safe(text: str) -> str:
    # '|' starts the perfdata in the Nagios plugin format.
    return text.replace('|', '/')
