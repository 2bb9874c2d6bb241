"""The one record every rule produces and every reporter consumes."""

from __future__ import annotations

from collections.abc import Iterable

from guard.records import Record


class Skipped(Record):
    """A file not scanned (`path`, root-relative), and why (`reason`)."""

    path: str
    reason: str


SEVERITY_RANK = {'note': 0, 'warning': 1, 'error': 2}


class Finding(Record):
    """One problem at one place (a guard.records tuple: every commit hook imports this, dataclasses cost ~10 ms).

    `rule`, `category` and `severity` (note | warning | error) say what; `path` is root-relative.
    `line`/`column` are 1-based and None for path-level findings (a venv, an env file).
    `message` says why it matters and `fix` how to fix it.
    `excerpt` is already redacted; the raw secret never leaves the rule that matched it.
    `fingerprint` hashes rule and matched content, not the line, so moving code keeps it stable: inside
    a scan the content key (`fingerprint()` below), replaced by the salted one (guard.scan.fingerprints)
    before anything is reported or stored.
    `entries`: relative paths a cleanup may act on (venv findings list the venv's own entries).
    `credential`: the excerpt masked a value on the line that may be a credential, whatever rule found
    the line: a hook must not offer a skip that would commit it.
    `masked_match`: the match itself carries on into a masked value (`/home/u/c.p12:PASSWORD`), so its
    content key covers what no report shows: a baseline gives it the slow hash whatever its rule.
    """

    rule: str
    category: str
    severity: str
    path: str
    line: int | None
    column: int | None
    message: str
    fix: str
    excerpt: str
    fingerprint: str
    entries: tuple[str, ...] = ()
    credential: bool = False
    masked_match: bool = False

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.column or 0, self.rule)


def fingerprint(rule_id: str, content: str) -> str:
    """A finding's content key: sha256 of the rule and the matched content, never the content itself.

    It stays in memory: unsalted and fast, it would confirm a guessed secret offline, so only its
    salted scrypt (guard.scan.fingerprints) leaves the process. It is also what format-1 baselines hold.
    """
    import hashlib  # only when there is a finding: keeps a clean commit's hook start-up lean

    digest = hashlib.sha256(f'{rule_id}\0{content}'.encode('utf-8', 'surrogatepass'))
    return digest.hexdigest()[:32]


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


def blocks(findings: Iterable[Finding], fail_on: str) -> bool:
    """True when any finding reaches `fail-on`: exit 1 for `guard scan`, a refused commit for a hook."""
    return any(at_or_above(f.severity, fail_on) for f in findings)
