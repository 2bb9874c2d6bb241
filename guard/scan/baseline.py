"""Baselines: accepted findings, stored as fingerprints (hashes), never as the secret itself.

A fingerprint hashes rule and matched content, not the line: moving code keeps it, and a different
secret swapped onto an accepted line is a new finding.

Format 2 (since issue 10) holds salted scrypt fingerprints and the salt, so every clone computes
the same ones (see guard.scan.fingerprints). Format 1 held unsalted sha256 fingerprints, which
confirm a guessed secret offline: such a baseline still applies (its entries are matched against
the content keys), with a note asking to rewrite it with `guard baseline`.
"""
from __future__ import annotations

import os
from collections.abc import Iterable

from guard import __version__
from guard.errors import ConfigError
from guard.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path

    from guard.findings import Finding
    from guard.records import StrPath

DEFAULT_NAME = '.guard-baseline.json'
FORMAT_VERSION = 2
LEGACY_VERSION = 1
LEGACY_NOTE = ('{path}: this baseline holds unsalted sha256 fingerprints (format 1), which confirm a guessed '
               'secret offline; its suppressions still apply. Rewrite it with `guard baseline` (salted '
               'fingerprints; review the diff: it accepts every current finding)')


class BaselineEntry(Record):
    """One accepted finding: its fingerprint, and the rule and path it had when accepted."""

    fingerprint: str
    rule: str
    path: str


class Baseline(Record):
    """A baseline file (`path`), its entries by fingerprint, and its salt (bytes; None in format 1,
    whose entries are content keys)."""

    path: Path
    entries: dict[str, BaselineEntry]
    salt: bytes | None = None

    def partition(self, findings: Iterable[Finding]) -> tuple[list[Finding], int, set[str]]:
        """(new findings, how many the baseline accepted, fingerprints seen) for one scan."""
        new = []
        accepted = 0
        seen = set()
        for finding in findings:
            seen.add(finding.fingerprint)
            if finding.fingerprint in self.entries:
                accepted += 1
            else:
                new.append(finding)
        return new, accepted, seen

    def stale(self, seen: set[str]) -> list[BaselineEntry]:
        """Entries no finding matched any more (fixed, or the code was removed)."""
        return sorted((e for fp, e in self.entries.items() if fp not in seen), key=lambda e: (e.path, e.rule))


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

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, 'rb') as f:
            data = json.loads(f.read().decode('utf-8'))
    except FileNotFoundError:
        raise ConfigError(f'{path}: baseline not found (create it with `guard baseline`)') from None
    except (OSError, ValueError) as e:
        raise ConfigError(f'{path}: not a guard baseline: {e}') from None
    if not isinstance(data, dict) or data.get('version') not in (FORMAT_VERSION, LEGACY_VERSION) \
            or not isinstance(data.get('findings'), list):
        raise ConfigError(f'{path}: not a guard baseline (expected {{"version": {FORMAT_VERSION}, "findings": [...]}})')
    salt = _salt(path, data) if data['version'] == FORMAT_VERSION else None
    entries = {}
    for item in data['findings']:
        if not isinstance(item, dict) or not isinstance(item.get('fingerprint'), str):
            raise ConfigError(f'{path}: every baseline entry needs a "fingerprint" string')
        entries[item['fingerprint']] = BaselineEntry(item['fingerprint'], str(item.get('rule', '')), str(item.get('path', '')))
    return Baseline(path, entries, salt)


def _salt(path: Path, data: dict[str, object]) -> bytes:
    from guard.scan import fingerprints

    if data.get('hash') != fingerprints.SCHEME:
        raise ConfigError(f'{path}: baseline fingerprints use {data.get("hash")!r}; this guard computes '
                          f'{fingerprints.SCHEME!r} (upgrade guard, or rewrite the baseline with `guard baseline`)')
    try:
        salt = bytes.fromhex(str(data.get('salt')))
    except ValueError:
        salt = b''
    if len(salt) != fingerprints.SALT_BYTES:
        raise ConfigError(f'{path}: baseline "salt" must be {fingerprints.SALT_BYTES * 2} hex digits')
    return salt


def save(path: Path, findings: Iterable[Finding], salt: bytes) -> int:
    """Write the findings' fingerprints (salted with `salt`) and the salt atomically; returns how many
    entries were written."""
    from guard.scan import fingerprints

    entries = {f.fingerprint: {'fingerprint': f.fingerprint, 'rule': f.rule, 'path': f.path} for f in findings}
    document = {'version': FORMAT_VERSION, 'generated-by': f'guard {__version__}',
                'hash': fingerprints.SCHEME, 'salt': salt.hex(),
                'findings': sorted(entries.values(), key=lambda e: (e['path'], e['rule'], e['fingerprint']))}
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
