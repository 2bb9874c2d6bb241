"""Baselines: accepted findings, stored as fingerprints (hashes), never as the secret itself.

A fingerprint hashes rule and matched content, not the line: moving code keeps it, and a different
secret swapped onto an accepted line is a new finding.
"""
from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Iterable

from guard import __version__
from guard.errors import ConfigError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path

    from guard.scan.findings import Finding
    from guard.scan.sources import StrPath

DEFAULT_NAME = '.guard-baseline.json'
FORMAT_VERSION = 1


class BaselineEntry(namedtuple('BaselineEntry', ['fingerprint', 'rule', 'path'])):
    """One accepted finding: its fingerprint, and the rule and path it had when accepted."""

    __slots__ = ()


class Baseline(namedtuple('Baseline', ['path', 'entries'])):
    """A baseline file (`path`) and its entries by fingerprint."""

    __slots__ = ()

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
    from pathlib import Path

    return (Path(root) / (configured or DEFAULT_NAME)).resolve()


def exists(root: StrPath, configured: str) -> bool:
    """Whether the project has a baseline to apply: one is configured, or the default file exists."""
    return bool(configured) or os.path.exists(os.path.join(root, DEFAULT_NAME))


def load(path: Path) -> Baseline:
    import json  # not at the top: every commit hook imports this module, few projects have a baseline

    try:
        data = json.loads(path.read_text(encoding='utf-8'))
    except FileNotFoundError:
        raise ConfigError(f'{path}: baseline not found (create it with `guard baseline`)') from None
    except (OSError, ValueError) as e:
        raise ConfigError(f'{path}: not a guard baseline: {e}') from None
    if not isinstance(data, dict) or data.get('version') != FORMAT_VERSION or not isinstance(data.get('findings'), list):
        raise ConfigError(f'{path}: not a guard baseline (expected {{"version": {FORMAT_VERSION}, "findings": [...]}})')
    entries = {}
    for item in data['findings']:
        if not isinstance(item, dict) or not isinstance(item.get('fingerprint'), str):
            raise ConfigError(f'{path}: every baseline entry needs a "fingerprint" string')
        entries[item['fingerprint']] = BaselineEntry(item['fingerprint'], str(item.get('rule', '')), str(item.get('path', '')))
    return Baseline(path, entries)


def save(path: Path, findings: Iterable[Finding]) -> int:
    """Write the findings' fingerprints atomically; returns how many entries were written."""
    entries = {f.fingerprint: {'fingerprint': f.fingerprint, 'rule': f.rule, 'path': f.path} for f in findings}
    document = {'version': FORMAT_VERSION, 'generated-by': f'guard {__version__}',
                'findings': sorted(entries.values(), key=lambda e: (e['path'], e['rule'], e['fingerprint']))}
    import json
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix='.guard-baseline.', dir=path.parent)
    with os.fdopen(fd, 'w', encoding='utf-8') as f:
        json.dump(document, f, indent=2)
        f.write('\n')
    os.replace(tmp, path)
    return len(entries)
