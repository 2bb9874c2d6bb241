"""What a finding is known by outside the scan: a location key in reports, a slow hash in baselines.

A scanner keys each finding by its content key (`findings.fingerprint`: sha256 of rule and matched
content), which stays in memory: a fast hash of a weak password, uploaded in SARIF or committed in
a baseline, can be checked against a wordlist at millions of guesses a second.

- Reports (text, JSON, SARIF `partialFingerprints`) carry a location key: sha256 of the rule, the
  path, the excerpt's words before its first masked value with every value-like run reduced to `*`
  (a run holding a digit or flipping case like a random token: guard.excerpt.key_text), and which
  occurrence of that it is. It holds only what cannot be a credential, so it confirms no
  guess (issue 15 finding 10: the excerpt itself went into it, and a value the masker let through
  went with it), and code scanning needs no more.
- A baseline stores, per accepted finding, its location key and scrypt(content key, salt) at n=2^16,
  r=8 (~0.18 s and 64 MiB of one core per guess on the machine measured, where n=2^14 cost 0.045 s:
  under the promised 0.1 s). Rules whose value every report shows in clear (addresses, home paths,
  venv and env-file paths) get a fast salted sha256 instead: hiding what is printed anyway buys
  nothing, and it kept a one-entry baseline from costing a scrypt per address. The
  salt is the baseline's own, so every clone agrees. Only a match holding nothing its excerpt masks
  is hashed fast (`fast_enough`: `/home/u/c.p12:PASSWORD` is not). A scan runs the slow hash only for
  a finding whose location key matches an entry (or, for code that moved, whose rule has an entry no
  location matched), on every core, and never on a clean commit; one scrypt over all accepted
  findings together (the baseline's `aggregate`), then over halves of them down to groups of GROUP
  (`groups`), settles every group that did not change at once.

The trade-off (docs/scan.md): a scan where nothing accepted changed pays one slow hash; one where k
accepted findings changed pays about k * 2 * log2(N / GROUP) + GROUP, two at a time on every core;
moved code pays one per finding it must check. A rotated secret on an unchanged line is a new finding.
"""

from __future__ import annotations

import os

from guard.findings import Finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Sequence


# The name is stored in the baseline: changing the cost means a new name, never silently new values.
SCHEME = 'scrypt-n65536-r8-p1'
WEAK_SCHEME = 'scrypt-n16384-r8-p1'  # format 3 as first written: read, with a note; never written
LEGACY_SCHEME = 'scrypt-n1024-r8-p1'  # baseline format 2: still suppresses, with a note
_COSTS = {SCHEME: 2**16, WEAK_SCHEME: 2**14, LEGACY_SCHEME: 2**10}
FORMAT_3_SCHEMES = (SCHEME, WEAK_SCHEME)
_R = 8
_P = 1
SALT_BYTES = 16
DIGEST_BYTES = 16  # 32 hex digits, as fingerprints have always had


def salted(key: str, salt: bytes, scheme: str = SCHEME) -> str:
    """The slow fingerprint of one content key under `salt`."""
    import hashlib

    n = _COSTS[scheme]
    return hashlib.scrypt(
        key.encode('ascii'), salt=salt, n=n, r=_R, p=_P, dklen=DIGEST_BYTES, maxmem=n * _R * 128 * 2
    ).hex()


def salted_all(keys: Iterable[str], salt: bytes, scheme: str = SCHEME) -> dict[str, str]:
    """{content key: its slow fingerprint} for each distinct key, on every core (hashlib's scrypt
    releases the GIL, so threads suffice)."""
    distinct = list(dict.fromkeys(keys))
    if len(distinct) <= 1:
        return {key: salted(key, salt, scheme) for key in distinct}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(distinct), os.cpu_count() or 1)) as pool:
        return dict(zip(distinct, pool.map(lambda key: salted(key, salt, scheme), distinct), strict=True))


def aggregate(keys_by_location: dict[str, str], salt: bytes, scheme: str = SCHEME) -> str:
    """One slow fingerprint of many findings together ({location key: content key}), order-free: a
    baseline's check that nothing it accepted changed costs one scrypt, and confirms a guess only at
    every secret at once."""
    return salted(_joined(keys_by_location), salt, scheme)


def aggregate_all(groups: Sequence[dict[str, str]], salt: bytes, scheme: str = SCHEME) -> list[str]:
    """aggregate() of each group, on every core."""
    joined = [_joined(group) for group in groups]
    hashes = salted_all(joined, salt, scheme)
    return [hashes[key] for key in joined]


def _joined(keys_by_location: dict[str, str]) -> str:
    import hashlib

    joined = '\n'.join(f'{location}\t{key}' for location, key in sorted(keys_by_location.items()))
    return hashlib.sha256(joined.encode('ascii')).hexdigest()


# A baseline also stores the aggregate of halves, quarters, ... of its entries (by location key) down
# to groups of at most this many: one changed finding among N costs ~2*log2(N/GROUP) slow hashes, two
# at a time, not N (issue 15c finding 13: 300 accepted findings, one edited, took 64 s).
GROUP = 4


def halves(lo: int, hi: int) -> list[tuple[int, int]]:
    """The two groups a group [lo, hi) of the sorted locations splits into; none at GROUP or fewer."""
    if hi - lo <= GROUP:
        return []
    mid = (lo + hi) // 2
    return [(lo, mid), (mid, hi)]


def subgroups(size: int) -> list[tuple[int, int]]:
    """Every group below the whole [0, size) that gets its own aggregate (two entries or more)."""
    out = []
    todo = halves(0, size)
    while todo:
        lo, hi = todo.pop()
        if hi - lo >= 2:
            out.append((lo, hi))
        todo.extend(halves(lo, hi))
    return sorted(out)


def location_keys(findings: Sequence[Finding]) -> list[str]:
    """Each finding's location key, in order: rule, path, what of the excerpt cannot be a credential
    (guard.excerpt.key_text), and the occurrence of that triple (two such lines in one file are two
    findings)."""
    import hashlib

    from guard.excerpt import key_text

    seen: dict[tuple[str, str, str], int] = {}
    keys = []
    for f in findings:
        where = (f.rule, f.path, key_text(f.excerpt))
        seen[where] = seen.get(where, -1) + 1
        text = '\0'.join((*where, str(seen[where])))
        keys.append(hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:32])
    return keys


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


# Per baseline entry, for rules whose value every report shows in clear (IPs, home paths, paths): the
# slow hash protects nothing there, and cost one scrypt per finding of such a rule (issue 15, review 15b).
CLEAR_SCHEME = 'sha256-salted'


def clear(key: str, salt: bytes) -> str:
    """The fast fingerprint of a content key whose value reports show anyway (an IP, a path): sha256
    under the baseline's salt. It confirms nothing the location key (which holds the excerpt) does not."""
    import hashlib

    return hashlib.sha256(salt + key.encode('ascii')).hexdigest()[: DIGEST_BYTES * 2]


def fast_enough(finding: Finding) -> bool:
    """Whether a finding may get the fast fingerprint: its rule's value is shown in clear and the
    hashed value (its match) overlaps nothing the excerpt masks. A match carrying on into a masked
    value (`/home/u/c.p12:PASSWORD`, `masked_match`) gets the slow hash (issue 15c finding 03)."""
    return shown_in_clear(finding.rule) and not finding.masked_match


def shown_in_clear(rule_id: str) -> bool:
    """Whether every report shows this rule's value unmasked: a content rule with redact=False, or a
    path rule (its value is the path). An unknown rule id counts as a secret's."""
    from guard.rules import RULES
    from guard.rules.base import Rule

    rule = RULES.get(rule_id)
    return rule is not None and (not isinstance(rule, Rule) or not rule.redact)
