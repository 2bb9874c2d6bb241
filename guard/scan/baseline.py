"""Baselines: accepted findings, stored as location keys and slow hashes, never as the secret itself.

Format 3 (issue 15): each entry holds the finding's location key (rule, path, masked line: see
guard.scan.fingerprints) and scrypt(content key, salt) at n=2^16, with the baseline's salt, so every
clone computes the same values and a guess costs an attacker ~0.18 s and 64 MiB of a core. The file names
its scheme (`hash`): a format 3 baseline written at n=2^14 (0.045 s a guess) still suppresses, with a note. A finding is accepted
when an entry's slow hash equals its own; the slow hash runs only for a finding whose location key
matches an entry, or whose rule has an entry no location matched (code that moved), on every core;
and not even then for the findings of a group of entries (all of them: `aggregate`; halves of
those, down to groups of four: `groups`) whose one scrypt over their content keys together matches
(nothing accepted changed: one hash; one changed among 300: ~17, not 300). A different secret
swapped onto an accepted line is a new finding.

Older formats still suppress, with a note asking to rewrite the file with `guard baseline`: format 2
held scrypt at n=2^10 (~350 guesses a second on one core), format 1 unsalted sha256 (content keys).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from guard import __version__
from guard.errors import ConfigError
from guard.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path

    from guard.findings import Finding
    from guard.records import StrPath

DEFAULT_NAME = '.guard-baseline.json'
FORMAT_VERSION = 3
VERSIONS = (1, 2, 3)
LEGACY_NOTE = (
    '{path}: this baseline holds fingerprints that confirm a guessed secret cheaply (format {version}: '
    '{scheme}); its suppressions still apply. Rewrite it with `guard baseline` (scrypt n=2^16; review '
    'the diff: it accepts every current finding)'
)
_LEGACY_SCHEMES = {1: 'unsalted sha256', 2: 'scrypt n=2^10', 3: 'scrypt n=2^14'}
# A baseline is a flat list: anything nested deeper than this is not one (and json's recursion is not reached).
MAX_DEPTH = 8
# A baseline of 300 findings is ~60 KB: anything near this is not one, and reading it would cost minutes.
MAX_BYTES = 64 * 2**20


class BaselineEntry(Record):
    """One accepted finding: its slow fingerprint, the rule and path it had when accepted, its location key."""

    fingerprint: str
    rule: str
    path: str
    location: str = ''
    hash: str = ''  # fingerprints.CLEAR_SCHEME for a rule shown in clear; '' for the file's slow `hash`


class Baseline(Record):
    """A baseline file (`path`), its entries by fingerprint, its salt (None in format 1, whose entries
    are content keys), its format version and (format 3) the slow hash of all its entries together."""

    path: Path
    entries: dict[str, BaselineEntry]
    salt: bytes | None = None
    version: int = FORMAT_VERSION
    aggregate: str = ''
    scheme: str = ''
    groups: dict[tuple[int, int], str] = {}  # a record's default, never mutated

    @property
    def note(self) -> str:
        """What to tell the user about an old format ('' for the current one)."""
        if self.version == FORMAT_VERSION and self.scheme in ('', _current_scheme()):
            return ''
        return LEGACY_NOTE.format(path=self.path, version=self.version, scheme=_LEGACY_SCHEMES[self.version])

    def partition(
        self, findings: Sequence[Finding], locations: Sequence[str]
    ) -> tuple[list[Finding], int, set[str], list[str]]:
        """(new findings, how many the baseline accepted, fingerprints of the entries matched, warnings)
        for one scan; `findings` carry content keys, `locations` are their location keys."""
        warnings: list[str] = []
        if self.version == 1 or self.salt is None:  # format 1: the entries are content keys, unsalted
            hashes = {f.fingerprint: f.fingerprint for f in findings}
        else:
            settled = self._unchanged(findings, locations) if self.version == FORMAT_VERSION else {}
            hashes = settled
            if len(settled) < len(findings):
                hashes = {**self._checked(findings, locations, self.salt, warnings, settled), **settled}
        new = []
        seen = set()
        for finding in findings:
            fingerprint = hashes.get(finding.fingerprint)
            if fingerprint is not None and fingerprint in self.entries:
                seen.add(fingerprint)
            else:
                new.append(finding)
        return new, len(findings) - len(new), seen, warnings

    def _unchanged(self, findings: Sequence[Finding], locations: Sequence[str]) -> dict[str, str]:
        """{content key: fingerprint} for the findings of every group of entries (all of them, then
        halves of the groups that differ, down to fingerprints.GROUP: `aggregate` and `groups`) whose
        locations all have a finding and whose one slow hash over those findings equals the group's.
        A scan with 300 accepted findings pays one scrypt when none changed, and ~2*log2(300/4) when
        one did, not 300; what no group settles is left to the per-finding check.

        A group's hash covers every accepted finding in it together: it confirms a guess only for a
        guess at all of them at once."""
        if not self.aggregate or self.salt is None:
            return {}
        from guard.scan import fingerprints

        by_location = {entry.location: entry.fingerprint for entry in self.entries.values()}
        order = sorted(by_location)
        here = {
            location: f.fingerprint for f, location in zip(findings, locations, strict=True) if location in by_location
        }
        stored = {**self.groups, (0, len(order)): self.aggregate}
        settled: dict[str, str] = {}
        differs: dict[tuple[int, int], tuple[int, int]] = {}  # right half -> left half, of a parent known to differ
        level = [(0, len(order))]
        while level:
            # Only a group whose every location has a finding can match; the others are only split.
            ready = {g for g in level if g in stored and all(order[i] in here for i in range(*g))}
            # A right half waits for its left one: when the left matches, the right is what differs, unhashed.
            now = [g for g in level if g in ready and differs.get(g) not in ready]
            keys = [{order[i]: here[order[i]] for i in range(*g)} for g in now]
            scheme = self.scheme or fingerprints.SCHEME
            hashes = dict(zip(now, fingerprints.aggregate_all(keys, self.salt, scheme), strict=True))
            split: list[tuple[int, int]] = []
            for group in level:
                left = differs.get(group)
                if group in hashes and hashes[group] == stored[group]:
                    settled.update((here[order[i]], by_location[order[i]]) for i in range(*group))
                elif group in hashes or (left in hashes and hashes[left] == stored[left]):
                    halves = fingerprints.halves(*group)  # it differs: its halves, the right one waiting
                    differs.update(zip(halves[1:], halves[:1], strict=True))
                    split.extend(halves)
                elif left in hashes and group in ready:
                    split.append(group)  # its left half differs too: hashed itself next round
                else:
                    split.extend(fingerprints.halves(*group))  # a location has no finding: only split
            level = split
        return settled

    def _checked(
        self,
        findings: Sequence[Finding],
        locations: Sequence[str],
        salt: bytes,
        warnings: list[str],
        settled: dict[str, str],
    ) -> dict[str, str]:
        """{content key: fingerprint} for the findings worth checking, one by one: the fast fingerprint
        for rules shown in clear, then the slow hash, on every core, for the `_candidates` no group
        settled."""
        from guard.scan import fingerprints

        hashes = self._clear_matches(findings, salt)
        # The file's own slow scheme (format 3 at n=2^14 or 2^16, format 2 at 2^10).
        scheme = self.scheme or (fingerprints.SCHEME if self.version == FORMAT_VERSION else fingerprints.LEGACY_SCHEME)
        slow = self._candidates(findings, locations, {**settled, **hashes}, warnings)
        hashes.update(fingerprints.salted_all(slow, salt, scheme))
        return hashes

    def _clear_matches(self, findings: Sequence[Finding], salt: bytes) -> dict[str, str]:
        """{content key: fast fingerprint} of the findings of rules shown in clear that an entry holding
        the fast fingerprint accepts (a secret rule's finding is never checked against one)."""
        from guard.scan import fingerprints

        fast = {fp for fp, entry in self.entries.items() if entry.hash == fingerprints.CLEAR_SCHEME}
        if not fast:
            return {}
        matched = {}
        for f in findings:
            if fingerprints.fast_enough(f) and (value := fingerprints.clear(f.fingerprint, salt)) in fast:
                matched[f.fingerprint] = value
        return matched

    def _candidates(
        self, findings: Sequence[Finding], locations: Sequence[str], done: dict[str, str], warnings: list[str]
    ) -> list[str]:
        """Content keys worth the slow hash (not in `done`): findings at the location of an entry that
        holds it, and findings of a rule with such an entry no location has (the code may have moved).

        The moved search is bounded: a rule with more findings at no accepted location than
        `moved_bound` of its moved entries gets no slow hash for them (a one-entry baseline must not
        buy one scrypt per finding of its rule); they stay new findings and `warnings` says why."""
        from guard.scan import fingerprints

        slow = [entry for entry in self.entries.values() if entry.hash != fingerprints.CLEAR_SCHEME]
        accepted = {entry.location for entry in slow if entry.location}
        present = set(locations)
        moved: dict[str, int] = {}  # rule ('' for entries that name none: format 2) -> entries no location has
        for entry in slow:
            if entry.location not in present:
                moved[entry.rule] = moved.get(entry.rule, 0) + 1
        keys = []
        strays: dict[str, dict[str, None]] = {}
        for f, location in zip(findings, locations, strict=True):
            if f.fingerprint in done:
                continue
            if location in accepted:
                keys.append(f.fingerprint)
            elif f.rule in moved or '' in moved:
                strays.setdefault(f.rule if f.rule in moved else '', {})[f.fingerprint] = None
        for rule, group in strays.items():
            if len(group) <= moved_bound(moved[rule]):
                keys.extend(group)
            else:
                warnings.append(
                    f"{self.path}: the baseline's moved entries of rule {rule or '(none named)'} ({moved[rule]} at "
                    f'no current location) were not looked for among {len(group)} findings of that rule (over '
                    f'{moved_bound(moved[rule])}, each a slow hash): they are reported; re-run `guard baseline` '
                    'to refresh it'
                )
        return keys

    def stale(self, seen: set[str]) -> list[BaselineEntry]:
        """Entries no finding matched any more (fixed, or the code was removed)."""
        return sorted((e for fp, e in self.entries.items() if fp not in seen), key=lambda e: (e.path, e.rule))


def moved_bound(entries: int) -> int:
    """How many distinct findings of a rule the slow hash may try for `entries` moved entries of it."""
    return 4 * entries + 16


def resolve_path(root: StrPath, configured: str) -> Path:
    """The baseline's path: the root resolved, then the configured name joined without resolving it,
    so a `.guard-baseline.json` committed as a symlink is refused rather than followed."""
    from pathlib import Path

    return Path(os.path.normpath(Path(root).resolve() / (configured or DEFAULT_NAME)))


def exists(root: StrPath, configured: str) -> bool:
    """Whether the project has a baseline to apply: one is configured, or the default file exists."""
    return bool(configured) or os.path.exists(os.path.join(root, DEFAULT_NAME))


def load(path: Path) -> Baseline:
    import json  # not at the top: every commit hook imports this module, few projects have a baseline

    text = _read(path)
    if _depth(text) > MAX_DEPTH:
        raise ConfigError(f'{path}: not a guard baseline (nested more than {MAX_DEPTH} levels deep)')
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ConfigError(f'{path}: not a guard baseline: {e}') from None
    if not isinstance(data, dict) or data.get('version') not in VERSIONS or not isinstance(data.get('findings'), list):
        raise ConfigError(f'{path}: not a guard baseline (expected {{"version": {FORMAT_VERSION}, "findings": [...]}})')
    version = data['version']
    salt = _salt(path, data, version) if version > 1 else None
    scheme = str(data.get('hash')) if version == FORMAT_VERSION else ''
    entries = {}
    for item in data['findings']:
        if not isinstance(item, dict) or not isinstance(item.get('fingerprint'), str):
            raise ConfigError(f'{path}: every baseline entry needs a "fingerprint" string')
        entries[item['fingerprint']] = BaselineEntry(
            item['fingerprint'],
            str(item.get('rule', '')),
            str(item.get('path', '')),
            str(item.get('location', '')),
            _entry_hash(item),
        )
    aggregate = data.get('aggregate') if version == FORMAT_VERSION else ''
    aggregate = aggregate if isinstance(aggregate, str) else ''
    return Baseline(path, entries, salt, version, aggregate, scheme, _groups(data) if aggregate else {})


def _groups(data: dict[str, object]) -> dict[tuple[int, int], str]:
    """The stored aggregates of groups of entries ({"lo:hi": hash}); anything malformed is left out
    (a group not found is only split, never taken as matching)."""
    raw = data.get('groups')
    groups: dict[tuple[int, int], str] = {}
    if not isinstance(raw, dict):
        return groups
    for name, value in raw.items():
        lo, _, hi = str(name).partition(':')
        if lo.isdigit() and hi.isdigit() and isinstance(value, str):
            groups[int(lo), int(hi)] = value
    return groups


def _current_scheme() -> str:
    from guard.scan import fingerprints

    return fingerprints.SCHEME


def _read(path: Path) -> str:
    """The baseline's text: a regular file of at most MAX_BYTES, else one ConfigError (exit 2)."""
    import stat

    try:
        # Never through a link (a committed .guard-baseline.json -> ~/.bashrc), never blocking on a FIFO.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, 'rb') as f:
            # After the open, on what was opened: /dev/zero never ends, /dev/urandom never ends either.
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ConfigError(f'{path}: not a guard baseline (not a regular file)')
            # st_size first (a 300 MB file is refused unread), the read's own bound for a file still growing.
            data = f.read(MAX_BYTES + 1) if info.st_size <= MAX_BYTES else b''
        if info.st_size > MAX_BYTES or len(data) > MAX_BYTES:
            raise ConfigError(
                f'{path}: not a guard baseline (larger than {MAX_BYTES // 2**20} MiB; one of 300 findings is ~60 KB)'
            )
        return data.decode('utf-8')
    except FileNotFoundError:
        raise ConfigError(f'{path}: baseline not found (create it with `guard baseline`)') from None
    except (OSError, ValueError) as e:
        raise ConfigError(f'{path}: not a guard baseline: {e}') from None


def _entry_hash(item: dict[str, object]) -> str:
    """An entry's own scheme: the fast one, for a rule shown in clear, or '' (the file's slow `hash`)."""
    from guard.scan import fingerprints

    return fingerprints.CLEAR_SCHEME if item.get('hash') == fingerprints.CLEAR_SCHEME else ''


def _depth(text: str) -> int:
    """How deep brackets nest in a JSON text, counted without parsing it (strings skipped)."""
    import re

    depth = deepest = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]', text):
        char = token[0]
        if char in '[{':
            depth += 1
            deepest = max(deepest, depth)
        elif char in ']}':
            depth -= 1
    return deepest


def _salt(path: Path, data: dict[str, object], version: int) -> bytes:
    from guard.scan import fingerprints

    # Format 3 names its cost: the one this guard writes, or the cheaper one it was first written with.
    expected = fingerprints.FORMAT_3_SCHEMES if version == FORMAT_VERSION else (fingerprints.LEGACY_SCHEME,)
    if data.get('hash') not in expected:
        raise ConfigError(
            f'{path}: baseline fingerprints use {data.get("hash")!r}; this guard computes '
            f'{" or ".join(map(repr, expected))} for format {version} (upgrade guard, or rewrite the baseline with '
            '`guard baseline`)'
        )
    try:
        salt = bytes.fromhex(str(data.get('salt')))
    except ValueError:
        salt = b''
    if len(salt) != fingerprints.SALT_BYTES:
        raise ConfigError(f'{path}: baseline "salt" must be {fingerprints.SALT_BYTES * 2} hex digits')
    return salt


def _entry_hashes(findings: Sequence[Finding], content_keys: dict[str, str], salt: bytes) -> dict[str, tuple[str, str]]:
    """{content key: (fingerprint, the entry's own scheme or '')}: the fast fingerprint for rules shown
    in clear (their value is in every report), the slow hash, on every core, for the rest."""
    from guard.scan import fingerprints

    # A content key is hashed fast only when no finding holding it masks part of it.
    slow_keys = {content_keys[f.fingerprint] for f in findings if not fingerprints.fast_enough(f)}
    clear = {content_keys[f.fingerprint] for f in findings} - slow_keys
    keys = [content_keys[f.fingerprint] for f in findings]
    slow = fingerprints.salted_all((key for key in keys if key not in clear), salt)
    hashes = {key: (value, '') for key, value in slow.items()}
    hashes.update((key, (fingerprints.clear(key, salt), fingerprints.CLEAR_SCHEME)) for key in clear)
    return hashes


def save(path: Path, findings: Sequence[Finding], content_keys: dict[str, str], salt: bytes) -> int:
    """Write the findings (location keys as fingerprints, as reports show them; `content_keys` maps
    each to its content key) as format 3 entries, with `salt`, atomically; returns how many entries."""
    from guard.scan import fingerprints

    hashes = _entry_hashes(findings, content_keys, salt)
    entries = {}
    for f in findings:
        fingerprint, scheme = hashes[content_keys[f.fingerprint]]
        entries[fingerprint] = {'fingerprint': fingerprint, 'location': f.fingerprint, 'rule': f.rule, 'path': f.path}
        if scheme:
            entries[fingerprint]['hash'] = scheme
    # One entry per fingerprint: the aggregate covers the locations kept, as a later scan finds them.
    kept = {entry['location']: content_keys[entry['location']] for entry in entries.values()}
    order = sorted(kept)
    groups = fingerprints.subgroups(len(order))
    hashed = (
        fingerprints.aggregate_all(
            [{location: kept[location] for location in order[lo:hi]} for lo, hi in [(0, len(order)), *groups]], salt
        )
        if kept
        else ['']
    )
    document = {
        'version': FORMAT_VERSION,
        'generated-by': f'guard {__version__}',
        'hash': fingerprints.SCHEME,
        'salt': salt.hex(),
        'aggregate': hashed[0],
        'groups': {f'{lo}:{hi}': value for (lo, hi), value in zip(groups, hashed[1:], strict=True)},
        'findings': sorted(entries.values(), key=lambda e: (e['path'], e['rule'], e['fingerprint'])),
    }
    import json

    from guard import ownfiles

    # No link followed on the way, and a link planted at the name is replaced, never written through.
    try:
        dir_fd = ownfiles.open_dir(path.parent, private=False, owners=False)
        try:
            ownfiles.write_atomic(dir_fd, path.name, (json.dumps(document, indent=2) + '\n').encode(), 0o644)
        finally:
            os.close(dir_fd)
    except OSError as e:
        raise ConfigError(f'{path}: cannot write the baseline: {e.strerror}') from None
    return len(entries)
