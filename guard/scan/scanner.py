"""The scan pipeline for one text: prefilter (which rules, on which lines) -> rules -> inline allows -> findings.

Scanners yield findings and never print. Everything here is pure CPU work on a `Document`, so the
same `Scanner` serves the working tree, the git index and history, in one process or several.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from collections.abc import Sequence
from functools import cached_property

from guard.errors import ConfigError
from guard.rules import CONTENT_RULES
from guard.rules import RULES
from guard.rules import env_files
from guard.scan import allowlist
from guard.scan.findings import Finding
from guard.scan.findings import fingerprint
from guard.scan.prefilter import Prefilter
from guard.scan.redact import mask_spans

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import ipaddress

    from guard.rules.base import Hit
    from guard.rules.base import Rule

EXCERPT_WIDTH = 160


class Document(namedtuple('Document', ['path', 'text', 'commit'], defaults=(None,))):
    """One text to scan: a file's content (`text`) at a root-relative `path`, optionally at a `commit`."""

    __slots__ = ()


class Scanner:
    """Runs the enabled rules over documents. Build once; it compiles patterns lazily."""

    def __init__(self, enabled: Iterable[str], *, allow_ips: Sequence[str] = ()) -> None:
        self.enabled = frozenset(enabled)
        self.rules: tuple[Rule, ...] = tuple(r for r in CONTENT_RULES if r.id in self.enabled)
        self._networks = _parse_networks(allow_ips)
        self._known_names = frozenset(RULES) | {r.category for r in RULES.values()}

    @cached_property
    def _prefilter(self) -> Prefilter:
        return Prefilter(self.rules)

    def prepare(self) -> None:
        """Compile every pattern now; a parent does this once before forking its workers."""
        self._prefilter.prepare()

    def warm_up(self) -> None:
        """Build what every text needs (keyword automaton, triggers); a hook does it while git works."""
        self._prefilter.warm_up()

    def candidate_rules(self, text: str, path: str | None = None) -> list[Rule]:
        """Rules with no keywords, plus rules one of whose keywords (or trigger) occurs in the text; see Prefilter.plan."""
        return [rule for rule, _ in self._prefilter.plan(text, path)]

    def scan(self, doc: Document) -> tuple[list[Finding], int]:
        """Findings for one document, and how many matches inline markers suppressed."""
        findings: list[Finding] = []
        if env_files.RULE_ID in self.enabled:
            env_finding = env_files.check(doc.path, doc.text)
            if env_finding and not _file_allows(doc.text, env_files.RULE_ID):
                findings.append(env_finding)
        hits = self._hits(doc)
        if not hits:
            return findings, 0
        lines = _Lines(doc.text)
        suppressed = 0
        for hit in hits:
            line_no = lines.number(hit.start)
            line = lines.text(line_no)
            if allowlist.inline_allowed(line, lines.text(line_no - 1), hit.rule.id, hit.rule.category, self._known_names):
                suppressed += 1
                continue
            findings.append(self._finding(doc, hit, line_no, lines, hits))
        return findings, suppressed

    def _hits(self, doc: Document) -> list[Hit]:
        """Every surviving hit; where secret rules overlap, the earlier (more specific) rule wins."""
        kept: list[Hit] = []
        for rule, windows in self._prefilter.plan(doc.text, doc.path):
            for hit in rule.scan(doc.text, windows):
                if rule.category == 'ip' and self._allowed_ip(hit.value):
                    continue
                if any(k.rule.category == rule.category and k.start < hit.end and hit.start < k.end for k in kept):
                    continue
                kept.append(hit)
        kept.sort(key=lambda h: h.start)
        return kept

    def _allowed_ip(self, value: str) -> bool:
        if not self._networks:
            return False
        import ipaddress

        address = ipaddress.ip_address(value)
        return any(address.version == n.version and address in n for n in self._networks)

    def _finding(self, doc: Document, hit: Hit, line_no: int, lines: _Lines, hits: list[Hit]) -> Finding:
        line_start = lines.start(line_no)
        line = lines.text(line_no)
        secret_spans = [(h.start - line_start, h.end - line_start) for h in hits
                        if h.rule.redact and h.end > line_start and h.start < line_start + len(line)]
        column = hit.start - line_start + 1
        return Finding(
            rule=hit.rule.id, category=hit.rule.category, severity=hit.rule.severity, path=doc.path,
            line=line_no, column=column, message=hit.rule.why, fix=hit.rule.fix,
            excerpt=_excerpt(mask_spans(line, secret_spans), column - 1),
            fingerprint=fingerprint(hit.rule.id, hit.value),
        )


class _Lines:
    """Offset <-> line lookups for one text, built on first use (most files have no hits)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts = [0]
        pos = text.find('\n')
        while pos != -1:
            self._starts.append(pos + 1)
            pos = text.find('\n', pos + 1)

    def number(self, offset: int) -> int:
        import bisect

        return bisect.bisect_right(self._starts, offset)

    def start(self, line_no: int) -> int:
        return self._starts[line_no - 1]

    def text(self, line_no: int) -> str:
        if line_no < 1 or line_no > len(self._starts):
            return ''
        start = self._starts[line_no - 1]
        end = self._starts[line_no] - 1 if line_no < len(self._starts) else len(self._text)
        return self._text[start:end].rstrip('\r')


def _excerpt(line: str, column: int) -> str:
    """The line around the hit, at most EXCERPT_WIDTH characters, whitespace trimmed."""
    if len(line) > EXCERPT_WIDTH:
        begin = max(0, min(column - EXCERPT_WIDTH // 3, len(line) - EXCERPT_WIDTH))
        line = ('…' if begin else '') + line[begin:begin + EXCERPT_WIDTH] + ('…' if begin + EXCERPT_WIDTH < len(line) else '')
    return line.strip()


def _file_allows(text: str, rule_id: str) -> bool:
    """A path-level finding is allowed by a `guard: allow` marker anywhere in its file."""
    return any(allowlist.inline_allowed(line, '', rule_id, rule_id, {rule_id})
               for line in text.splitlines() if 'allow' in line)


def _parse_networks(values: Sequence[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    if not values:
        return ()
    import ipaddress

    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ConfigError(f'allow-ips: {value!r} is not an IP address or network (e.g. 10.0.0.0/8)') from None
    return tuple(networks)
