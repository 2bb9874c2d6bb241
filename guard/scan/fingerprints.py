"""Salted, deliberately slow fingerprints: what baselines, JSON and SARIF show for a finding.

A scanner keys each finding by `findings.content_key` (sha256 of rule and matched content), which
stays in memory: a plain hash of a weak password, committed in a baseline or uploaded in SARIF,
could be checked against a wordlist in microseconds. Before anything is reported or stored,
`engine.finish` replaces the key with scrypt(key, salt) (RFC 7914, `hashlib.scrypt`).

The salt comes from the project's baseline, so every clone agrees; a project without one uses a
random salt kept per repository in guard's state directory (`salts/`, private to the user). To
have the same fingerprints on every machine (CI uploading SARIF), commit a baseline: `guard
baseline` writes one, with its salt, even when there is nothing to accept.
"""
from __future__ import annotations

import os

from guard.findings import Finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable

    from guard.config import Config

# scrypt cost: n=2**10, r=8 takes ~1-3 ms and 1 MiB a fingerprint here (bench/RESULTS.md), so a
# scan with hundreds of findings pays well under a second, while a wordlist pays it per guess.
# The name is stored in the baseline: changing the cost means a new name, never silently new values.
SCHEME = 'scrypt-n1024-r8-p1'
_N = 1024
_R = 8
_P = 1
SALT_BYTES = 16
DIGEST_BYTES = 16  # 32 hex digits, as fingerprints have always had


def salted(key: str, salt: bytes) -> str:
    """The fingerprint of one content key under `salt`."""
    import hashlib

    return hashlib.scrypt(key.encode('ascii'), salt=salt, n=_N, r=_R, p=_P, dklen=DIGEST_BYTES).hex()


def apply(findings: Iterable[Finding], salt: Callable[[], bytes]) -> list[Finding]:
    """`findings` with each content key replaced by its salted fingerprint (one scrypt per distinct key).

    `salt` is called only when there is a finding: a clean commit never reads or creates one.
    """
    done: dict[str, str] = {}
    out = []
    chosen = b''
    for finding in findings:
        if finding.fingerprint not in done:
            chosen = chosen or salt()
            done[finding.fingerprint] = salted(finding.fingerprint, chosen)
        out.append(finding._replace(fingerprint=done[finding.fingerprint]))
    return out


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def repository_salt(config: Config) -> bytes:
    """This repository's salt in the user's state directory (created once); a fresh one when that
    directory is not private (another owner, group or world access, a symlink on the way: see
    guard.ownfiles) or cannot be written."""
    import hashlib

    from guard import ownfiles
    from guard.errors import UnsafeOperationError

    name = hashlib.sha256(os.path.realpath(config.root).encode('utf-8', 'surrogateescape')).hexdigest()[:32]
    try:
        state_fd = ownfiles.open_dir(config.state_path(), create=True)
        try:
            folder_fd = ownfiles.open_dir('salts', create=True, base_fd=state_fd, shown=str(config.state_path()))
        finally:
            os.close(state_fd)
    except (OSError, UnsafeOperationError):
        return new_salt()
    try:
        if os.fstat(folder_fd).st_mode & 0o077:
            return new_salt()  # salts are kept only where nobody else can even read them
        return _read_or_create(folder_fd, name)
    except (OSError, UnsafeOperationError):
        return new_salt()
    finally:
        os.close(folder_fd)


def _read_or_create(folder_fd: int, name: str) -> bytes:
    """The salt in `name`; a missing or damaged file (or anything but guard's own regular file) is replaced."""
    from guard import ownfiles
    from guard.errors import UnsafeOperationError

    try:
        data = ownfiles.read(folder_fd, name, limit=SALT_BYTES * 2 + 1)
        if data is not None:
            salt = bytes.fromhex(data.decode('ascii'))
            if len(salt) == SALT_BYTES:
                return salt
    except (OSError, ValueError, UnsafeOperationError):
        pass  # damaged or planted: replaced below (the rename replaces a link, never follows it)
    salt = new_salt()
    ownfiles.write_atomic(folder_fd, name, salt.hex().encode('ascii'), 0o600)
    return salt
