"""What provider formats promise beyond their regex: GitHub's and npm's CRC32 suffix, PyPI's macaroon header.

A GitHub classic token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and an npm token (`npm_`) end in six
base62 characters that encode the CRC32 of the random part before them
(https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/). A PyPI token is
`pypi-` and a base64url macaroon whose first field names pypi.org (or test.pypi.org) and whose next
field is its identifier. A value that fails these was never issued: a test value, a doc sample, a typo.
"""

from __future__ import annotations

_BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
_CRC_PREFIXES = ('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_')


def base62_crc32(body: str) -> str:
    """The six-character suffix GitHub and npm append to `body`: CRC32, base62, zero-padded."""
    import binascii

    value = binascii.crc32(body.encode('ascii'))
    digits = []
    while value:
        value, digit = divmod(value, 62)
        digits.append(_BASE62[digit])
    return ''.join(reversed(digits)).rjust(6, '0')


def crc_token_valid(token: str) -> bool:
    """A `ghp_…`/`npm_…` token whose last six characters are the CRC32 of the characters between prefix and suffix."""
    if (
        not token.startswith(_CRC_PREFIXES)
        or len(token) < 4 + 6 + 1
        or not token[4:].isascii()
        or not token[4:].isalnum()
    ):
        return False
    return base62_crc32(token[4:-6]) == token[-6:]


def pypi_macaroon_valid(token: str) -> bool:
    """`pypi-` + base64url of a version-2 macaroon: location pypi.org / test.pypi.org, then an identifier field."""
    import base64
    import binascii

    body = token.removeprefix('pypi-')
    try:
        data = base64.urlsafe_b64decode(body + '=' * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return False
    for location in (b'pypi.org', b'test.pypi.org'):
        head = b'\x02\x01' + bytes([len(location)]) + location
        if data.startswith(head):
            rest = data[len(head) :]
            # Field type 2 (identifier), then its length as a one-byte varint, then that many bytes.
            return len(rest) > 2 and rest[0] == 2 and 0 < rest[1] < 128 and len(rest) > 2 + rest[1]
    return False


class CrcFake:
    """A fake `prefix` token with a valid CRC32 suffix, built when first read (for examples and tests)."""

    __slots__ = ('prefix', 'seed', 'before', 'after')

    def __init__(self, prefix: str, seed: str = '', *, before: str = '', after: str = '') -> None:
        self.prefix = prefix
        self.seed = seed
        self.before = before
        self.after = after

    def __str__(self) -> str:
        from guard.rules.secrets.fakes import ALNUM
        from guard.rules.secrets.fakes import fake

        body = fake((ALNUM, 30), self.seed + self.prefix)[:30]
        return f'{self.before}{self.prefix}{body}{base62_crc32(body)}{self.after}'

    def __repr__(self) -> str:
        return f'CrcFake({self.prefix!r}, {self.seed!r})'


class PypiFake:
    """A fake PyPI token with a well-formed macaroon header (identifier field and all), built when first read."""

    __slots__ = ('seed', 'before')

    def __init__(self, seed: str = '', *, before: str = '') -> None:
        self.seed = seed
        self.before = before

    def __str__(self) -> str:
        import base64

        from guard.rules.secrets.fakes import ALNUM
        from guard.rules.secrets.fakes import fake

        identifier = fake((ALNUM, 36), self.seed + 'id').encode()
        rest = fake((ALNUM, 60), self.seed + 'rest').encode()
        data = b'\x02\x01\x08pypi.org\x02' + bytes([len(identifier)]) + identifier + b'\x00\x06' + rest
        return self.before + 'py' + 'pi-' + base64.urlsafe_b64encode(data).decode().rstrip('=')

    def __repr__(self) -> str:
        return f'PypiFake({self.seed!r})'
