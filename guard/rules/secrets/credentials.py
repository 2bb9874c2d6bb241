"""What a credential holds, decoded: the password inside HTTP Basic credentials, a percent-encoded URL password,
and whether a value was chosen by a person or generated.

The scanner uses `human_chosen` to tell test data from leaked keys: in test and docs files a password a
person typed into a fixture (`password="pygmalion"`, `user:hunter2@`) is test data, like an IP address
there, while a generated credential (a key, a provider token, a random string) is a leak wherever it is.
"""

from __future__ import annotations

from guard.rules.secrets import filters

# The rules that find a credential by its position (a password-named key, URL userinfo, a command's
# password option, an environment default) rather than by a format only a generator makes.
POSITION_RULES = frozenset(
    {
        'generic-secret',
        'generic-secret-xml',
        'generic-secret-pair',
        'generic-secret-properties',
        'generic-secret-phrase',
        'basic-auth-url',
        'database-url-password',
        'connection-string-password',
        'command-line-password',
        'positional-password',
        'sql-password',
        'call-password',
        'fix-logon-password',
        'netrc-password',
        'sasl-passwd-password',
        'relay-client-password',
        'mail-client-password',
        'pgbouncer-userlist-password',
        'go-dsn-password',
        'pgpass-password',
        'insecure-default-secret',
    }
)
_HEX = frozenset('0123456789abcdefABCDEF')


def percent_decoded(value: str) -> str:
    """`a%20secret` -> `a secret` (UTF-8; a malformed escape stays as written). String tests: no urllib import."""
    if '%' not in value:
        return value
    out = bytearray()
    i = 0
    while i < len(value):
        if value[i] == '%' and len(value) - i >= 3 and all(c in _HEX for c in value[i + 1 : i + 3]):
            out.append(int(value[i + 1 : i + 3], 16))
            i += 3
        else:
            out.extend(value[i].encode('utf-8', 'surrogatepass'))
            i += 1
    return out.decode('utf-8', 'replace')


def basic_password(value: str) -> str | None:
    """The password of base64 `user:password` (HTTP Basic), or None when the value is not that."""
    import base64
    import binascii

    try:
        decoded = base64.b64decode(value + '=' * (-len(value) % 4), validate=True).decode('ascii')
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, colon, password = decoded.partition(':')
    if not colon or not password or not decoded.isprintable():
        return None
    return password


_EXAMPLE_FOLDERS = frozenset({'example', 'examples', 'sample', 'samples', 'demo', 'demos'})


def example_file(path: str) -> bool:
    """`examples/…`, `botocore/data/iam/…/examples-1.json`, `config.sample.yml`, a README or any prose page
    (`.md`, `.rst`, `.adoc`, `.txt`): documentation by its path, where a typed password is an example's."""
    *folders, name = path.lower().split('/')
    return (
        'example' in name
        or 'sample' in name
        or (name.endswith(_PROSE) and name not in _CONFIG_NAMED_AS_PROSE)
        or any(folder in _EXAMPLE_FOLDERS for folder in folders)
    )


_PROSE = ('.md', '.markdown', '.rst', '.adoc', '.txt')
# Configuration whose name ends as prose does: PgBouncer's auth_file is read for its passwords.
_CONFIG_NAMED_AS_PROSE = frozenset({'userlist.txt'})


def human_chosen(value: str) -> bool:
    """A password a person typed (`pygmalion`, `hunter2`, `Admin@123`), not a generated credential."""
    password = basic_password(value) if len(value) >= 8 else None
    value = percent_decoded(password if password is not None else value)
    for run in ('0123456789', '123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop'):
        value = value.replace(run, '')  # `pass_sha256_01234567890123456789` is words and a counting run
    return not filters.looks_random(value, min_length=12, min_entropy=3.3)
