"""The default, human format: grouped by file, `path:line:col`, why, fix, how to allow, a one-line summary."""
from __future__ import annotations

from itertools import groupby
from typing import TextIO

from guard.report.summary import summarize
from guard.scan.engine import ScanResult
from guard.scan.findings import Finding

_COLORS = {'error': '\033[31m', 'warning': '\033[33m', 'note': '\033[36m', 'dim': '\033[2m', 'bold': '\033[1m'}
_RESET = '\033[0m'


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f'{_COLORS[style]}{text}{_RESET}' if self.enabled else text


def write(result: ScanResult, stream: TextIO, *, color: bool = False, verbose: bool = False, hook: str = '') -> None:
    paint = _Painter(color)
    for path, group in groupby(result.findings, key=lambda f: f.path):
        stream.write(paint('bold', path) + '\n')
        for finding in group:
            stream.write(_finding(finding, paint))
        stream.write('\n')
    _write_skipped(result, stream, verbose)
    for entry in result.stale:
        stream.write(f'stale baseline entry: {entry.rule} in {entry.path} no longer matches; '
                     f'run `guard baseline` to drop it\n')
    stream.write(_summary_line(result, paint, hook) + '\n')


def _finding(f: Finding, paint: _Painter) -> str:
    where = f.path if f.line is None else f'{f.path}:{f.line}:{f.column}'
    lines = [f'  {where}: {paint(f.severity, f.severity)} {paint("bold", f.rule)}: {f.message}']
    if f.line is not None:
        lines.append(f'    {paint("dim", "|")} {f.excerpt}')
    elif f.entries:
        lines.append(f'    {paint("dim", "|")} {f.excerpt}')
    lines.append(f'    fix:   {f.fix}')
    lines.append(f'    allow: {_allow_hint(f)}')
    return '\n'.join(lines) + '\n'


def _allow_hint(f: Finding) -> str:
    if f.line is not None:
        return f'add a comment `guard: allow {f.rule}` on that line, or accept it with `guard baseline`'
    return 'add the path to `exclude` in [tool.guard], or accept it with `guard baseline`'


def _write_skipped(result: ScanResult, stream: TextIO, verbose: bool) -> None:
    summary = summarize(result)
    shown = summary['skipped'] if verbose else summary['skipped'][:20]
    for item in shown:
        stream.write(f'skipped {item["path"]}: {item["reason"]}\n')
    if len(summary['skipped']) > len(shown):
        stream.write(f'… and {len(summary["skipped"]) - len(shown)} more skipped (--verbose lists them)\n')


def _summary_line(result: ScanResult, paint: _Painter, hook: str) -> str:
    summary = summarize(result)
    size = _human(summary['bytes_scanned'])
    scanned = f'{summary["files_scanned"]} file{"s" if summary["files_scanned"] != 1 else ""} ({size})'
    extras = []
    if summary['skipped']:
        extras.append(f'{len(summary["skipped"])} skipped')
    if summary['suppressed_inline']:
        extras.append(f'{summary["suppressed_inline"]} allowed inline')
    if summary['baselined']:
        extras.append(f'{summary["baselined"]} in baseline')
    tail = f'; {", ".join(extras)}' if extras else ''
    count = summary['findings']
    if not count:
        return f'guard: no findings in {scanned}{tail}'
    severities = ', '.join(f'{n} {s}' for s, n in sorted(summary['by_severity'].items(), reverse=True))
    files = len({f.path for f in result.findings})
    line = f'guard: {count} finding{"s" if count != 1 else ""} ({severities}) in {files} file{"s" if files != 1 else ""}; scanned {scanned}{tail}'
    if hook:
        line += (f'\n{paint("error", "commit blocked.")} Fix the findings above, or skip this hook once with '
                 f'`SKIP={hook} git commit …` (pre-commit) / `git commit --no-verify` (standalone hook).')
    return line


def _human(n: int) -> str:
    size = float(n)
    for unit in ('B', 'KB', 'MB', 'GB'):
        if size < 1024 or unit == 'GB':
            return f'{size:.0f} {unit}' if unit == 'B' else f'{size:.1f} {unit}'
        size /= 1024
    return f'{n} B'
