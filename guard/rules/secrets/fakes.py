"""Fake credentials for rule examples and tests, built at run time.

Writing sample tokens out literally would make guard's own source look leaky to every scanner
(guard included), so examples are assembled from a prefix and deterministic pseudo-random
characters, as the benchmark's plant_secrets.py does. Nothing here is a real credential.
"""
from __future__ import annotations

import random
import string

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
HEX = '0123456789abcdef'
ALNUM = string.ascii_letters + string.digits
ALNUM_UPPER = UPPER + DIGITS
URLSAFE = ALNUM + '-_'
BASE64 = ALNUM + '+/'

Part = str | tuple[str, int]


def fake(*parts: Part) -> str:
    """Join literal parts and (alphabet, length) parts filled with seeded random characters."""
    # A str seed is hashed by `random` itself (with the built-in sha512): importing hashlib for it
    # would load OpenSSL (~3 ms) on the commit hook's path, which builds these examples at import.
    rng = random.Random(repr(parts))
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            alphabet, length = part
            # One `choices` call, not a `choice` per character: the rule modules build ~80 of these at import.
            out.append(''.join(rng.choices(alphabet, k=length)))
    return ''.join(out)


def join(*pieces: str) -> str:
    """Concatenate pieces; lets a prefix be split so this source never holds it whole."""
    return ''.join(pieces)
