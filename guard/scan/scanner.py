"""The scan pipeline for one text: prefilter (which rules, on which lines) -> rules -> inline allows -> findings.

Scanners yield findings and never print. Everything here is pure CPU work on a `Document`, so the
same `Scanner` serves the working tree, the git index and history, in one process or several.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from functools import cached_property

from guard.errors import ConfigError
from guard.findings import Finding
from guard.findings import fingerprint
from guard.records import Record
from guard.rules import categories
from guard.rules import env_files
from guard.rules.catalog import ENTRIES
from guard.scan import allowlist
from guard.scan.prefilter import Plan
from guard.scan.prefilter import Prefilter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import ipaddress
    import re

    from guard.excerpt import LineMask
    from guard.rules.base import Entry
    from guard.rules.base import Hit
    from guard.rules.base import Rule

EXCERPT_WIDTH = 160
# A document is judged on several cores from this size and this many candidate matches: below them,
# forking costs about what it saves (a finding's line costs ~0.1 ms, a fork ~5 ms).
PARALLEL_MIN_SIZE = 64 << 10
PARALLEL_MIN_MATCHES = 2_000
# Categories whose values are sample data in tests and docs (an address in a URL-parsing test), unlike
# a secret: a private key in tests/ is still a private key.
_SAMPLE_DATA_CATEGORIES = ('ip', 'abs-path')


class Document(Record):
    """One text to scan: a file's content (`text`) at a root-relative `path`, optionally at a `commit`.

    `lines`: the 1-based line numbers a change added (guard.scan.lines); a match touching none of them
    is left out. None: every line counts.
    """

    path: str
    text: str
    commit: str | None = None
    lines: frozenset[int] | None = None


class Scanner:
    """Runs the enabled rules over documents. Build once; it compiles patterns lazily."""

    def __init__(
        self,
        enabled: Iterable[str],
        *,
        allow_ips: Sequence[str] = (),
        test_paths: Sequence[str] = (),
        jobs: int = 1,
    ) -> None:
        self.enabled = frozenset(enabled)
        self.jobs = jobs  # cores a large document's candidates are judged on (scan)
        self._test_patterns = tuple(test_paths)
        self._test_verdicts: dict[str, bool] = {}
        self._example_verdicts: dict[str, bool] = {}
        self.rules: tuple[Entry, ...] = tuple(r for r in ENTRIES if r.id in self.enabled)
        self._networks = _parse_networks(allow_ips)
        known = categories()
        self._known_names = frozenset(known) | set(known.values())

    @cached_property
    def _prefilter(self) -> Prefilter:
        return Prefilter(self.rules)

    def prepare(self) -> None:
        """Compile every pattern now; a parent does this once before forking its workers."""
        self._prefilter.prepare()

    def focus(self) -> None:
        """Prepare to judge many texts by lines (a history scan): see Prefilter.focus."""
        self._prefilter.focus()

    def warm_up(self) -> None:
        """Build what every text needs (keyword automaton, triggers); a hook does it while git works."""
        self._prefilter.warm_up()

    def candidate_rules(self, text: str, path: str | None = None) -> list[Rule]:
        """Rules with no keywords, plus rules one of whose keywords (or trigger) occurs in the text; see Prefilter.plan."""
        return [rule for rule, _ in self._prefilter.plan(text, path)]

    def scan(self, doc: Document) -> tuple[list[Finding], int]:
        """Findings for one document, and how many matches inline markers suppressed.

        With `doc.lines`, only matches touching one of them count, and rules run only near them: a
        keyword farther from every one than its rule's matches reach is not searched (old findings
        cost nothing: their rules' patterns are not even compiled).

        A large document with many candidate matches is judged on `jobs` cores (guard.scan.pool.split),
        in parts cut at line starts that no candidate's match crosses: each part's hits and findings
        are then those of the whole document, and joined in order they are the one-process result.
        """
        findings: list[Finding] = []
        if env_files.RULE_ID in self.enabled:
            env_finding = env_files.check(doc.path, doc.text)
            if env_finding and not _file_allows(doc.text, env_files.RULE_ID):
                findings.append(env_finding)
        lazily = _candidates(doc.text, self._prefilter.plan(doc.text, doc.path, doc.lines))
        if self.jobs < 2 or len(doc.text) < PARALLEL_MIN_SIZE:
            found, suppressed = self._report(doc, self._judged(doc, lazily))
            return findings + found, suppressed
        from guard.scan import pool

        candidates = [(rule, list(matches)) for rule, matches in lazily]

        def judge(part: tuple[int, int]) -> tuple[list[Finding], int]:
            return self._report(doc, self._judged(doc, _starting_in(candidates, *part)))

        suppressed = 0
        for found, allowed in pool.split(judge, _parts(doc.text, candidates, self.jobs)):
            findings += found
            suppressed += allowed
        return findings, suppressed

    def _report(self, doc: Document, hits: list[Hit]) -> tuple[list[Finding], int]:
        """The findings of `hits` (in order), inline allows applied, and how many those suppressed."""
        if not hits:
            return [], 0
        findings: list[Finding] = []
        lines = _Lines(doc.text)
        suppressed = 0
        # What to mask on the current line: hits come in order, so a line's findings are consecutive and
        # one mask at a time is kept (40,000 kept masks made the garbage collector's passes grow with them).
        shown_line, shown = 0, None
        hits_by_line = _hits_by_line(hits, lines)
        allowed: dict[tuple[int, str], bool] = {}  # a 1 MB line with 40,000 hits is read once per rule, not per hit
        markers = allowlist.may_allow(doc.text)
        masking: _MaskingPlan | None = None
        for hit in hits:
            line_no = lines.number(hit.start)
            if doc.lines is not None and not _touches(doc.lines, lines, hit):
                continue
            key = (line_no, hit.rule.id)
            if key not in allowed:
                allowed[key] = markers and allowlist.inline_allowed(
                    lines.text(line_no), lines.text(line_no - 1), hit.rule.id, hit.rule.category, self._known_names
                )
            if allowed[key]:
                suppressed += 1
                continue
            if shown is None or shown_line != line_no:
                masking = masking or _MaskingPlan(self._masking.plan(doc.text, doc.path), doc.path)
                shown_line, shown = (
                    line_no,
                    self._line_mask(doc, lines, line_no, hits_by_line.get(line_no, ()), masking),
                )
            findings.append(self._finding(doc, hit, line_no, lines.start(line_no), shown))
        return findings, suppressed

    @cached_property
    def _test_filter(self) -> allowlist.PathFilter:
        return allowlist.PathFilter(self._test_patterns)

    def is_test_data(self, path: str) -> bool:
        """Whether `path` is a test, fixture or docs file (`test-paths`): its IPs and home paths are sample data."""
        if not self._test_patterns:
            return False
        verdict = self._test_verdicts.get(path)
        if verdict is None:
            # Folder patterns (`tests/`) match a file's parent folders: try each, as git does for ignores.
            parts = path.split('/')
            prefixes = ['/'.join(parts[:i]) + '/' for i in range(1, len(parts))]
            verdict = any(self._test_filter.excluded(p) for p in (*prefixes, path))
            self._test_verdicts[path] = verdict
        return verdict

    def count_left_out(self, doc: Document) -> int:
        """How many findings a scan of `doc` leaves out for touching none of `doc.lines` (all rules,
        everywhere: it costs a whole-file scan, so the hooks ask only when they report anyway)."""
        if doc.lines is None:
            return 0
        hits = self._hits(doc, None)
        lines = _Lines(doc.text)
        count = 0
        for hit in hits:
            line_no = lines.number(hit.start)
            if not _touches(doc.lines, lines, hit) and not allowlist.inline_allowed(
                lines.text(line_no), lines.text(line_no - 1), hit.rule.id, hit.rule.category, self._known_names
            ):
                count += 1
        return count

    def _hits(self, doc: Document, near: frozenset[int] | None) -> list[Hit]:
        """Every surviving hit (`near`: of those touching these lines, at least)."""
        return self._judged(doc, _candidates(doc.text, self._prefilter.plan(doc.text, doc.path, near)))

    def _judged(self, doc: Document, candidates: Iterable[tuple[Rule, Iterable[re.Match[str]]]]) -> list[Hit]:
        """The candidates that survive their rules' filters, in order; where secret rules overlap, the
        earlier (more specific) rule wins."""
        kept: list[Hit] = []
        taken: dict[str, _Spans] = {}  # per category: a file with thousands of hits stays linear
        for rule, matches in candidates:
            spans = taken.get(rule.category) or taken.setdefault(rule.category, _Spans())
            for hit in rule.judge(matches, doc.text, doc.path, spans.overlaps):
                if rule.category == 'ip' and self._allowed_ip(hit.value):
                    continue
                spans.add(hit.start, hit.end)
                kept.append(hit)
        kept.sort(key=lambda h: h.start)
        return kept

    @cached_property
    def _masking(self) -> Prefilter:
        """Every redacting rule, enabled or not: what an excerpt hides must not depend on `--only ip`."""
        return Prefilter([entry for entry in ENTRIES if entry.redact])

    def _line_mask(
        self, doc: Document, lines: _Lines, line_no: int, hits: Iterable[Hit], masking: _MaskingPlan
    ) -> LineMask:
        """What an excerpt of the line masks (guard.excerpt, default-deny): everything but the non-secret
        hits and plain code, the secret hits and every raw match of a redacting rule with their first
        characters. Worked out on the whole line before any excerpt is cut from it (a URL cut before
        its `@` no longer looks like one); on a very long line, on kilobytes of context around each hit.

        Raw matches are taken before entropy floors and filters: one a filter judged a placeholder may
        still be a real password (issue 10), and another rule's finding on the line would print it.
        """
        from guard import excerpt  # the masker: needed only once there is a finding to show

        line_start = lines.start(line_no)
        line = lines.text(line_no)
        shown: list[tuple[int, int]] = []
        secret: list[tuple[int, int]] = []
        hidden: list[tuple[int, int]] = []
        for h in hits:
            span = (max(0, h.start - line_start), min(len(line), h.end - line_start))
            (secret if h.rule.redact else shown).append(span)
        parts = excerpt.regions(line, shown + secret)  # the whole line, unless it is very long
        for start, end in parts:
            for rule in masking.rules(line_start + start, line_start + end):
                hidden += [(s, e) for s, e in rule.raw_spans(line, start, end) if s < e]
        above = (lines.text(n) for n in range(line_no - 1, max(0, line_no - 1 - excerpt.CONTEXT_LINES), -1))
        return excerpt.plan_regions(
            line,
            parts,
            shown,
            secret,
            hidden,
            code=masking.code,
            continued=excerpt.continues_credential(line, above),
        )

    def _allowed_ip(self, value: str) -> bool:
        if not self._networks:
            return False
        import ipaddress

        address = ipaddress.ip_address(value)
        return any(address.version == n.version and address in n for n in self._networks)

    def _sample_data(self, hit: Hit, path: str) -> bool:
        """IPs, home paths and human-chosen test passwords in test and docs files are sample data; a generated
        credential (a key, a provider token, a random string) is a leak wherever it is."""
        if hit.rule.category in _SAMPLE_DATA_CATEGORIES:
            return self.is_test_data(path)
        if hit.rule.category != 'secret':
            return False
        from guard.rules.secrets import credentials

        if hit.rule.id not in credentials.POSITION_RULES:
            return False
        examples = self._example_verdicts.get(path)
        if examples is None:  # asked of every secret finding: 30,000 in one netrc
            examples = self._example_verdicts[path] = self.is_test_data(path) or credentials.example_file(path)
        return examples and credentials.human_chosen(hit.value)

    def _finding(self, doc: Document, hit: Hit, line_no: int, line_start: int, shown: LineMask) -> Finding:
        column = hit.start - line_start + 1
        rule = hit.rule
        severity = rule.severity
        if severity != 'note' and self._sample_data(hit, doc.path):
            severity = 'note'  # visible in the report, below the default fail-on
        # A match that carries on into a masked value (`/home/u/c.p12:PASSWORD`) holds a credential of its
        # own: its content key must get the slow hash in a baseline, and no skip may be offered for it.
        masked = not rule.redact and shown.masks(column - 1, min(len(shown.line), hit.end - line_start))
        excerpt = _excerpt(shown, column - 1)
        content = hit.value
        if not rule.redact and (shown.credential or masked):
            # An address's content key is the address, so one baselined line accepted it on every line: a
            # new line holding a credential next to it too (attack 15g finding 10). On a line that may hold
            # one, the words its excerpt shows before the first mask (guard.excerpt.key_text: nothing a
            # credential can change) are part of what is accepted, and of what a history scan reports once
            # per file (it kept the address's first line and dropped the second: finding 09).
            from guard.excerpt import key_text

            content = f'{hit.value}\0{key_text(excerpt)}'
        # Every field by position: the record's fast path (40,000 findings in one file)
        return Finding(
            rule.id,
            rule.category,
            severity,
            doc.path,
            line_no,
            column,
            rule.why,
            rule.fix,
            excerpt,
            fingerprint(rule.id, content),
            (),
            shown.credential or masked,
            masked,
        )


class _MaskingPlan:
    """The redacting rules worth running on a stretch of one text, planned once for the whole text: one
    pass of the keyword automaton, not one per line with a finding (40,000 for a deny list, issue 15).

    A rule is worth running where one of its windows reaches (`Prefilter.plan`): a keyword in a stretch
    lies in some window, so no rule a plan of the stretch alone would run is left out.
    """

    def __init__(self, plan: Plan, path: str) -> None:
        from guard.rules.secrets.generic import is_code_file

        self.code = is_code_file(path)  # where `password = get(x)` is a call (guard.excerpt.plan)
        self._plan = [
            (rule, None if windows is None else [w.start for w in windows], windows) for rule, windows in plan
        ]

    def rules(self, start: int, end: int) -> Iterable[Rule]:
        """The rules with a window holding a match start in [start, end)."""
        import bisect

        for rule, starts, windows in self._plan:
            if starts is None or windows is None:
                yield rule
                continue
            i = bisect.bisect_left(starts, end) - 1  # the last window starting before `end` reaches farthest
            if i >= 0 and windows[i].last >= start:
                yield rule


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


class _Spans:
    """Disjoint (start, end) spans kept sorted: is a new one overlapping any, in O(log n)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        import bisect

        # Disjoint and sorted by start, so sorted by end too: only the last span starting before
        # `end` can reach past `start`.
        i = bisect.bisect_left(self._starts, end)
        return i > 0 and self._ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        import bisect

        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


def _candidates(text: str, plan: Plan) -> list[tuple[Rule, Iterable[re.Match[str]]]]:
    """Each planned rule with its matches in the text (lazily: a rule is searched when it is judged)."""
    return [(rule, rule.matches(text, windows)) for rule, windows in plan]


def _parts(text: str, candidates: list[tuple[Rule, list[re.Match[str]]]], jobs: int) -> list[tuple[int, int]]:
    """`text` cut into up to `jobs` stretches holding about as many candidates each, at line starts that no
    candidate crosses (its match or its value): each line's hits are then all in one stretch, and no hit
    of one stretch can overlap one of another. One stretch for too few candidates, or when no line start
    near a cut is free (one long line)."""
    import bisect
    from itertools import accumulate
    from itertools import pairwise

    spans = sorted(_extent(m) for _, matches in candidates for m in matches)
    if len(spans) < PARALLEL_MIN_MATCHES:
        return [(0, len(text))]
    starts = [start for start, _ in spans]
    reach = list(accumulate((end for _, end in spans), max))  # the farthest end of the spans up to each
    cuts = [0]
    for k in range(1, jobs):
        # The line start at or before the k-th quantile's candidate, or the next free one within 64 lines.
        at = text.rfind('\n', 0, spans[k * len(spans) // jobs][0]) + 1
        for _ in range(64):
            i = bisect.bisect_left(starts, at)  # the spans starting before `at`
            if cuts[-1] < at < len(text) and (i == 0 or reach[i - 1] <= at):
                cuts.append(at)
                break
            at = text.find('\n', at) + 1
            if at == 0:
                break
    cuts.append(len(text))
    return list(pairwise(cuts))


def _extent(match: re.Match[str]) -> tuple[int, int]:
    """What a candidate covers: its match and its value (a value group may reach past the match, in a lookahead)."""
    start, end = match.span()
    if 'value' in match.re.groupindex:
        value_start, value_end = match.span('value')
        if value_start >= 0:
            return min(start, value_start), max(end, value_end)
    return start, end


def _starting_in(
    candidates: list[tuple[Rule, list[re.Match[str]]]], start: int, end: int
) -> list[tuple[Rule, list[re.Match[str]]]]:
    return [(rule, [m for m in matches if start <= m.start() < end]) for rule, matches in candidates]


def _touches(wanted: frozenset[int], lines: _Lines, hit: Hit) -> bool:
    """Whether any line the match spans is wanted: a private key counts when any line of its block does,
    a password when its key name's line does."""
    start = hit.start if hit.match_start < 0 else min(hit.start, hit.match_start)
    end = max(hit.end, hit.match_end)
    first = lines.number(start)
    return any(n in wanted for n in range(first, max(first, lines.number(end - 1)) + 1))


def _hits_by_line(hits: list[Hit], lines: _Lines) -> dict[int, list[Hit]]:
    """The hits touching each line (a private key spans many)."""
    by_line: dict[int, list[Hit]] = {}
    for hit in hits:
        for line_no in range(lines.number(hit.start), lines.number(max(hit.start, hit.end - 1)) + 1):
            by_line.setdefault(line_no, []).append(hit)
    return by_line


def _excerpt(shown: LineMask, column: int) -> str:
    """The masked line around the hit, at most about EXCERPT_WIDTH characters, whitespace trimmed.

    The window is cut from the line as it is, then masked: a masked value is one short run, so a
    1 MB line costs each of its findings only the window.
    """
    line = shown.line
    if len(line) <= EXCERPT_WIDTH:
        return shown.render().strip()
    begin = max(0, min(column - EXCERPT_WIDTH // 3, len(line) - EXCERPT_WIDTH))
    end = begin + EXCERPT_WIDTH
    return (('…' if begin else '') + shown.render(begin, end) + ('…' if end < len(line) else '')).strip()


def _file_allows(text: str, rule_id: str) -> bool:
    """A path-level finding is allowed by a `guard: allow` marker anywhere in its file."""
    return any(
        allowlist.inline_allowed(line, '', rule_id, rule_id, {rule_id}) for line in text.splitlines() if 'allow' in line
    )


def _parse_networks(values: Sequence[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    if not values:
        return ()
    import ipaddress

    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            from guard.excerpt import quoted  # only on the error path

            raise ConfigError(f'allow-ips: {quoted(value)} is not an IP address or network (e.g. 10.0.0.0/8)') from None
    return tuple(networks)
