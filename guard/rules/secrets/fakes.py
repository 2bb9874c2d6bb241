"""Fake credentials for rule examples and tests, built at run time.

Writing sample tokens out literally would make guard's own source look leaky to every scanner
(guard included), so examples are assembled from a prefix and deterministic pseudo-random
characters, as the benchmark's plant_secrets.py does. Nothing here is a real credential.

Rule tables declare their examples as `Fake(...)`, which builds nothing until the examples are
read: only the tests and the docs read them, and the commit hook imports every rule table.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    # A literal, or (alphabet, length): that many characters drawn from the alphabet.
    Part = str | tuple[str, int]

# `string`'s alphabets, spelled out: importing `string` costs ~0.6 ms on the commit hook's path.
LOWER = 'abcdefghijklmnopqrstuvwxyz'
UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
DIGITS = '0123456789'
HEX = '0123456789abcdef'
ALNUM = LOWER + UPPER + DIGITS
ALNUM_UPPER = UPPER + DIGITS
URLSAFE = ALNUM + '-_'
BASE64 = ALNUM + '+/'


def fake(*parts: Part) -> str:
    """Join literal parts and (alphabet, length) parts filled with seeded random characters."""
    # Imported here: only examples and tests build fakes, and `random` costs ~1 ms to import. A str
    # seed is hashed by `random` itself (with the built-in sha512), so hashlib (OpenSSL) stays unloaded.
    import random

    rng = random.Random(repr(parts))
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            alphabet, length = part
            out.append(''.join(rng.choices(alphabet, k=length)))
    return ''.join(out)


class Fake:
    """A fake credential built when first read: `str(Fake(*parts)) == fake(*parts)`."""

    __slots__ = ('parts',)

    def __init__(self, *parts: Part) -> None:
        self.parts = parts

    def __str__(self) -> str:
        return fake(*self.parts)

    def __repr__(self) -> str:
        return f'Fake{self.parts!r}'


def join(*pieces: str) -> str:
    """Concatenate pieces; lets a prefix be split so this source never holds it whole."""
    return ''.join(pieces)
