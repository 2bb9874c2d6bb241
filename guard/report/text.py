"""The default, human format: one `path:line:col severity rule` line and the masked excerpt per finding,
then each rule's why, fix and how to allow it once (on every finding with -v), then a summary line.

Explaining a rule once, after the findings, is how ruff (`--show-fixes`, `rule`) and eslint keep a
long report readable: sixteen findings of three rules are then ~40 lines instead of eighty.
"""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from guard.findings import Finding
from guard.printable import printable
from guard.report.summary import summarize
from guard.scan.engine import ScanResult

_COLORS = {'error': '\033[31m', 'warning': '\033[33m', 'note': '\033[36m', 'dim': '\033[2m', 'bold': '\033[1m'}
_RESET = '\033[0m'


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f'{_COLORS[style]}{text}{_RESET}' if self.enabled else text


def write(
    result: ScanResult,
    stream: TextIO,
    *,
    color: bool = False,
    verbose: bool = False,
    quiet: bool = False,
    hook: str = '',
) -> None:
    """The report. `quiet`: the findings alone; `verbose`: every finding explained, every skip listed."""
    paint = _Painter(color)
    rules = _RuleNotes(result.findings)
    for index, (_, group) in enumerate(groupby(result.findings, key=lambda f: f.path)):
        if index and not quiet:
            stream.write('\n')
        for finding in group:
            stream.write(_finding(finding, paint, rules, explain=verbose and not quiet))
    if quiet:
        return
    if result.findings:
        stream.write('\n' + ('' if verbose else rules.legend(paint)))
    _write_skipped(result, stream, verbose)
    for entry in result.stale:
        stream.write(
            f'stale baseline entry: {entry.rule} in {printable(entry.path)} no longer matches; '
            f'run `guard baseline` to drop it\n'
        )
    stream.write(_summary_line(result, paint, hook) + '\n')


class _RuleNotes:
    """Each rule's why / fix / allow, worked out once from the findings that cite it."""

    def __init__(self, findings: list[Finding]) -> None:
        self.by_rule: dict[str, list[Finding]] = {}
        for f in findings:
            self.by_rule.setdefault(f.rule, []).append(f)
        self._fixes: dict[str, str] = {}  # asked once per finding: worked out once per rule (40,000 findings)

    def why(self, rule_id: str) -> str:
        from guard.rules import RULES

        rule = RULES.get(rule_id)
        return rule.why if rule else self.by_rule[rule_id][0].message

    def fix(self, rule_id: str) -> str:
        """The fix every finding of the rule shares, else the rule's general one (each finding then says its own)."""
        if rule_id not in self._fixes:
            self._fixes[rule_id] = self._fix(rule_id)
        return self._fixes[rule_id]

    def _fix(self, rule_id: str) -> str:
        fixes = {f.fix for f in self.by_rule[rule_id]}
        if len(fixes) == 1:
            return fixes.pop()
        from guard.rules import RULES

        rule = RULES.get(rule_id)
        return rule.fix if rule else self.by_rule[rule_id][0].fix

    def allow(self, rule_id: str) -> str:
        kinds = {f.line is None for f in self.by_rule[rule_id]}
        hints = [_allow_hint(rule_id, path_level=kind) for kind in sorted(kinds)]
        return ' or '.join(hints) + ', or accept it with `guard baseline`'

    def legend(self, paint: _Painter) -> str:
        lines = []
        for rule_id in sorted(self.by_rule):
            findings = self.by_rule[rule_id]
            count = f'{len(findings)} finding{"s" if len(findings) != 1 else ""}'
            lines.append(
                f'{paint("bold", rule_id)} ({paint(findings[0].severity, findings[0].severity)}, {count}): '
                f'{self.why(rule_id)}'
            )
            lines.append(f'  fix:   {self.fix(rule_id)}')
            lines.append(f'  allow: {self.allow(rule_id)}')
        return '\n'.join(lines) + '\n\n'


def _finding(f: Finding, paint: _Painter, rules: _RuleNotes, *, explain: bool) -> str:
    where = printable(f.path) if f.line is None else f'{printable(f.path)}:{f.line}:{f.column}'
    lines = [f'{paint("bold", where)}: {paint(f.severity, f.severity)} {f.rule}']
    if f.excerpt:
        lines.append(f'    {paint("dim", "|")} {printable(f.excerpt)}')
    if explain:  # the finding's own message: the rule's why, plus what it saw (a venv's evidence, a count)
        lines.append(f'    why:   {f.message}')
    if explain or f.fix != rules.fix(f.rule):
        lines.append(f'    fix:   {f.fix}')
    if explain:
        lines.append(f'    allow: {_allow_hint(f.rule, path_level=f.line is None)}, or accept it with `guard baseline`')
    return '\n'.join(lines) + '\n'


def _allow_hint(rule_id: str, *, path_level: bool) -> str:
    if path_level:
        return 'add the path to `exclude` in [tool.guard]'
    return f'add a comment `guard: allow {rule_id}` on that line'


def _write_skipped(result: ScanResult, stream: TextIO, verbose: bool) -> None:
    summary = summarize(result)
    for item in summary['skipped']:  # every one: a file not scanned is never passed over in silence
        stream.write(f'skipped {printable(item["path"])}: {printable(item["reason"])}\n')


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
        line += (
            f'\n{paint("error", "commit blocked.")} Fix the findings above, or skip this hook once with '
            f'`SKIP={hook} git commit …` (pre-commit) / `git commit --no-verify` (standalone hook).'
        )
    return line


def _human(n: int) -> str:
    size = float(n)
    for unit in ('B', 'KB', 'MB', 'GB'):
        if size < 1024 or unit == 'GB':
            return f'{size:.0f} {unit}' if unit == 'B' else f'{size:.1f} {unit}'
        size /= 1024
    return f'{n} B'
