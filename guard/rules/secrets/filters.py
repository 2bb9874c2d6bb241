"""Predicates that tell a credential from the many strings that only sit where one could.

Each `Filter` returns a reason to drop a match, or None to keep it (detect-secrets' filter model).
The value tests are plain functions of a string so the generic rule and the provider rules share them;
`is_placeholder` and `is_repetitive` live in `placeholders` and are re-exported here.
"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex
from guard.rules.base import shannon_entropy
from guard.rules.secrets.placeholders import documented_example
from guard.rules.secrets.placeholders import is_placeholder
from guard.rules.secrets.placeholders import is_repetitive

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

__all__ = [
    'documented_example',
    'is_placeholder',
    'is_repetitive',
]  # re-exported: the rule tables call them through `filters`

# Tests that run on every candidate a rule reports are string methods, not regexes: compiling a regex
# costs ~0.1-0.5 ms, and a clean commit that sends a few candidates through them should not pay it.
# tests/filters_equivalence_test.py checks each against the regex it replaced.
_HEX_DIGITS = frozenset('0123456789abcdefABCDEF')
_UPPER_OR_DIGIT = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
_PATH_SEGMENT_CHARS = frozenset('abcdefghijklmnopqrstuvwxyz0123456789_.-')
_HASH_NAMES = ('sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'md5', 'blake2', 'h1')
_FILE_EXTENSIONS = frozenset('py js ts json yaml yml toml txt pem key crt cfg ini conf env html'.split())
_PATH_STARTS = ('~', 'arn:', 'urn:', '/', './', '../')
_REFERENCE_MARKS = ('.', '::', '->', '(', '[')
_NAME_STARTS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$')
_ASCII_ALNUM = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
_CONSONANTS = frozenset('bcdfghjklmnpqrstvwxz')


def _line_end(value: str) -> str:
    """The value as a regex's `$` sees its end: a final newline may follow."""
    return value[:-1] if value.endswith('\n') else value


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == '_'  # what `\w` matches in a str pattern


def is_reference(value: str) -> bool:
    """An identifier, attribute or call rather than a literal: `self.token`, `get_password()`, `settings.KEY`."""
    if not any(mark in value for mark in _REFERENCE_MARKS):
        return False  # each form needs one: a separator, a call or a subscript
    return _dotted(value) or _call(value)


def _name(part: str) -> bool:
    """`[A-Za-z_$][\\w$]*`: a name in most languages (`$` for PHP, JS and shell)."""
    return part[:1] in _NAME_STARTS and all(_is_word_char(c) or c == '$' for c in part)


def _dotted(value: str) -> bool:
    """`a.b`, `Foo::bar`, `obj->x`, `a.b()`: names joined by `.`, `::` or `->`, maybe called."""
    parts = _line_end(value).rstrip('()').replace('::', '.').replace('->', '.').split('.')
    return len(parts) > 1 and all(map(_name, parts))


def _call(value: str) -> bool:
    """`get_password()`, `os.environ[`: a dotted name, then `(` or `[`."""
    end = next((i for i, c in enumerate(value) if not (_is_word_char(c) or c in '$.')), len(value))
    return value[end : end + 1] in ('(', '[') and all(map(_name, value[:end].split('.')))


def _humps(segment: str) -> list[str]:
    """A run of ASCII letters and digits cut where the case changes: `UIAccelerometer2D` -> UI, Accelerometer, 2, D.

    As `re.findall(r'[A-Z]{2,}(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]|\\d+', segment)`.
    """
    humps = []
    i, size = 0, len(segment)
    while i < size:
        j = i
        if segment[i].isdigit():
            while j < size and segment[j].isdigit():
                j += 1
        elif segment[i].islower():
            while j < size and segment[j].islower():
                j += 1
        elif segment[i].isupper():  # capitals: all of them, less the last when it starts a word (`HTTPServer`)
            while j < size and segment[j].isupper():
                j += 1
            if j < size and segment[j].islower():
                j = j - 1 if j - i > 1 else _lower_run_end(segment, j)
        else:  # letters without case (`密码`), marks, symbols: one hump per run (a hump is never empty)
            while j < size and not (segment[j].isdigit() or segment[j].islower() or segment[j].isupper()):
                j += 1
        humps.append(segment[i:j])
        i = j
    return humps


humps = _humps  # for the rules that split names: `GpgBadPassphrase` -> Gpg, Bad, Passphrase


def _lower_run_end(text: str, start: int) -> int:
    while start < len(text) and text[start].islower():
        start += 1
    return start


def is_wordlike(value: str) -> bool:
    """Made of words, not randomness: `my-secret-name`, `accessToken`, `UIAccelerometerDelegate`, `ec2:InstanceARN`."""
    value = value.strip('_$@')
    if not value or is_constant_name(value):
        return True
    segments = ''.join(c if c in _ASCII_ALNUM else ' ' for c in value).split()  # runs of ASCII letters and digits
    humps = [h for s in segments for h in _humps(s)]
    if sum(map(len, humps)) != sum(map(len, segments)):
        return False
    numbers = [h for h in humps if h.isdigit()]
    words = [h for h in humps if not h.isdigit()]
    if not words or len(numbers) > len(segments) or any(len(n) > 4 for n in numbers):
        return False
    # Random mixed case yields humps like `Zf`, `D`, `LXCM`; names are mostly words of three letters or more.
    short = sum(1 for h in words if len(h) < 3 and not (h.isupper() and len(h) > 1))
    if (
        short > max(1, len(words) // 3)
        and not (len(segments) > 2 and all(s.isalpha() and s.islower() for s in segments))
        or sum(map(len, words)) / len(words) < 3
    ):
        return False
    return all(_pronounceable(h) for h in words)


def _pronounceable(hump: str) -> bool:
    """Words have vowels and short consonant clusters; random letters have long clusters (`xkcdqw`)."""
    if hump.isupper() and len(hump) > 12:
        return False
    lower = hump.lower()
    vowels = sum(c in 'aeiouy' for c in lower)
    if len(lower) >= 8 and vowels / len(lower) < 0.15:
        return False
    return _longest_consonant_run(lower) < 5


def _longest_consonant_run(word: str) -> int:
    longest = run = 0
    for char in word:
        run = run + 1 if char in _CONSONANTS else 0
        longest = max(longest, run)
    return longest


def looks_random(value: str, *, min_length: int, min_entropy: float) -> bool:
    """Long enough, entropic enough and mixing character classes the way generated credentials do."""
    if len(value) < min_length or shannon_entropy(value) < min_entropy:
        return False
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )
    if value.isdigit():
        return False
    return classes >= 2 and not is_wordlike(value)


def is_protocol_password(value: str) -> bool:
    """A fixed value a protocol puts in the password's place: GitHub takes a token as the user and
    `x-oauth-basic` as the password."""
    return value.lower() in _PROTOCOL_PASSWORDS


_PROTOCOL_PASSWORDS = frozenset({'x-oauth-basic', 'x-oauth-token'})


def is_constant_name(value: str) -> bool:
    """`CURLOPT_PASSWORD`, `DB_PASSWORD`: the name of a setting, not its value (`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`)."""
    parts = _line_end(value).split('_')
    return (
        len(parts) > 1
        and 'A' <= parts[0][:1] <= 'Z'
        and all(part and all(c in _UPPER_OR_DIGIT for c in part) for part in parts)
    )


def is_metavar(value: str, *, readable: bool = True) -> bool:
    """`PASSWORD`, `DB_PASSWORD`, `CURLOPT_READDATA`, `STRICT`: a usage line's metavar or a constant's name, not a
    password. Capitals alone prove nothing: a generated password may be all capitals (`UNLQBSSGXFMCDBBF`,
    `JPTPQ-UTXDA-YEJJR`, `XCBPE_QCKGO_UMHWT`: attack 15h finding 06). So it is a name only when one of its words
    is one names are made of (a credential's, a placeholder's), or when its words read as words: each of at most
    three letters (`SSL`, `DFL`) or readable (_readable_capitals), one of them readable, and not three or more of
    one size (a generator's groups). A password of capitals that read as words (`TIGER_ORBIT`) is still taken for
    a name. `readable` False: only words names are made of count, glued too (`MYDBPASS`): where a metavar is all
    but always one (URL userinfo: `postgres://USER:PASSWORD@HOST`), capitals that read as words are a password."""
    # `[--password PASSWORD]`, `<PASSWORD>`, `PASSWORD:`; `PASSWORD|--prompt`, the next item of a usage line after `|`
    value = _line_end(value).partition('|')[0].strip(_USAGE_MARKS)
    if not value.isupper() or not all(c in _UPPER_OR_DIGIT or c in '_-' for c in value):
        return False
    if any(c.isdigit() for c in value) and not is_constant_name(value):
        return False  # `ADMIN2024` is a password; `HTTP2_ENABLED` a name
    words = ''.join(c if 'A' <= c <= 'Z' else ' ' for c in value).split()
    if any(word in _METAVAR_WORDS for word in words):
        return True
    if not readable:
        return any(map(_spells_metavar, words))
    if len(words) >= 3 and len(words[0]) >= 4 and len({len(word) for word in words}) == 1:
        return False  # groups of one size: a generator's or a licence key's (`KITJQ-KVIOJ-BIXGR`), not a name's words
    reads = [_readable_capitals(word) for word in words]
    return any(reads) and all(ok or len(word) <= 3 for ok, word in zip(reads, words, strict=True))


def _spells_metavar(word: str) -> bool:
    """Whether `word` is metavar words glued together (`DBPASS`, `SECRETPASS`, `MYDBPASSWORD`)."""
    ends = {0}
    for end in range(1, len(word) + 1):
        if any(word[start:end] in _METAVAR_WORDS for start in ends if end - start <= _LONGEST_METAVAR_WORD):
            ends.add(end)
    return len(word) in ends


def _readable_capitals(word: str) -> bool:
    """A word of four to twelve capitals with a vowel and no four consonants in a row (`CURLOPT`, `STRICT`;
    not `XCBPE`, `UNLQBSSGXFMCDBBF`)."""
    lower = word.lower()
    return 4 <= len(lower) <= 12 and any(c in 'aeiouy' for c in lower) and _longest_consonant_run(lower) < 4


_USAGE_MARKS = '[](){}<>|:;,.=\'"`'  # what a usage line writes around a metavar
# What a metavar or a setting's name is made of: a credential's words, and a placeholder's.
_METAVAR_WORDS = frozenset(
    (
        'PASSWORD PASSWD PASS PWD PW PASSPHRASE PASSCODE PIN PSK SECRET SECRETS TOKEN KEY APIKEY AUTH CREDENTIAL '
        'CREDENTIALS VALUE STRING TEXT NAME USER USERNAME LOGIN ACCOUNT FILE PATH ENV VAR VARIABLE YOUR MY NEW OLD '
        'CURRENT DEFAULT ADMIN ROOT DB DATABASE HOST PORT REDACTED HIDDEN MASKED NONE NULL EMPTY UNSET REQUIRED '
        'CHANGEME CHANGE PLACEHOLDER EXAMPLE SAMPLE DUMMY TEST FAKE HERE ARG OPTION'
    ).split()
)


_LONGEST_METAVAR_WORD = max(map(len, _METAVAR_WORDS))


def is_hash_prefixed(value: str) -> bool:
    """Lockfile integrity and typed digests: `sha512-…`, `sha256:…`, go.sum `h1:…` (any case)."""
    head = value[:8].lower().replace('\u017f', 's')  # IGNORECASE pairs the long s with `s`; lower() does not
    for name in _HASH_NAMES:
        if head.startswith(name):
            rest = head[len(name) :]
            if name == 'blake2' and rest[:1] in ('b', 's'):
                rest = rest[1:]
            if rest[:1] in ('-', ':', '='):
                return True
    return False


def is_hash_like(value: str) -> bool:
    """Digests and lockfile integrity strings: `sha512-…`, `sha256:…`, go.sum `h1:…`, bare hex of digest size."""
    if is_hash_prefixed(value):
        return True
    return len(value) in (32, 40, 56, 64, 96, 128) and all(c in _HEX_DIGITS for c in value)


def is_uuid(value: str) -> bool:
    """8-4-4-4-12 hex digits, the whole value."""
    parts = _line_end(value).split('-')
    return [len(part) for part in parts] == [8, 4, 4, 4, 12] and all(c in _HEX_DIGITS for part in parts for c in part)


def is_password_hash(value: str) -> bool:
    """What a password is stored as, not the password: Django's and passlib's `pbkdf2_sha256$…`, `argon2$…`, modular
    crypt (`$2b$12$…`, `$argon2id$…`, `$6$…`, `$y$…`), LDAP's `{SSHA}…`, Spring's `{bcrypt}$2a$…`, PostgreSQL's
    `SCRAM-SHA-256$…` and `md5` with 32 hex digits, MySQL's `*` with 40. A bare digest is not told from a hex password."""
    if value[:1] == '{' and (end := value.find('}')) > 1 and value[1:end].replace('-', '').isalnum():
        if value[1:end].upper() in _LDAP_SCHEMES:
            return len(value) > end + 8
        value = value[end + 1 :]  # Spring's encoder id
    if value.startswith('$'):
        scheme, _, rest = value[1:].partition('$')
        known = scheme in _CRYPT_IDS or scheme.startswith(('argon2', 'pbkdf2', 'scrypt', 'bcrypt'))
        return bool(scheme) and len(scheme) <= 20 and _ident(scheme) and len(rest) >= (4 if known else 16)
    scheme, dollar, rest = value.partition('$')
    if dollar and (scheme.lower().startswith(HASH_SCHEMES) or scheme == 'SCRAM-SHA-256') and len(rest) >= 16:
        return True
    if len(value) == 35 and value.startswith('md5') and is_hash_like(value[3:]):
        return True
    return len(value) == 41 and value.startswith('*') and is_hash_like(value[1:])


def _ident(scheme: str) -> bool:
    return all(c.isalnum() or c in '-_' for c in scheme)


# Django's and passlib's hashers' names, before their `$`.
HASH_SCHEMES = ('pbkdf2', 'argon2', 'bcrypt', 'scrypt', 'sha1', 'sha256', 'sha512', 'md5', 'crypt', 'unsalted')
# Modular crypt's ids: bcrypt, md5-crypt, sha256/512-crypt, yescrypt, gost-yescrypt, sunmd5.
_CRYPT_IDS = frozenset({'2', '2a', '2b', '2x', '2y', '1', '5', '6', '7', 'y', 'gy', 'md5', 'sha1'})
_LDAP_SCHEMES = frozenset({'SSHA', 'SHA', 'SSHA256', 'SSHA512', 'SHA256', 'SHA512', 'MD5', 'SMD5', 'CRYPT', 'PBKDF2'})


def sample_login(value: str, text: str, at: int) -> bool:
    """SQLAlchemy's and Oracle's documentation login: `tiger` with `scott` on its line (`UID=scott;PWD=tiger`).
    Under any other user `tiger` is somebody's password."""
    if value.lower() != 'tiger':
        return False
    start = text.rfind('\n', 0, at) + 1
    end = text.find('\n', at)
    return 'scott' in text[start : len(text) if end < 0 else end].lower()


def is_pathlike(value: str, *, passphrase: bool = False) -> bool:
    """URLs and file paths are configuration, not credentials (credentials inside URLs have their own rules).
    `passphrase`: the value sits where a password does, so a relative path of plain words with no file extension
    (`tiger/orbit/copper`) reads as words a passphrase joins with `/` (attack 15h finding 06)."""
    if value.startswith(_PATH_STARTS) or value.startswith('data:') or _drive_or_url(value) or _file_name(value):
        return True
    segments = value.split('/')
    # `a/b/c` of lowercase words is a path; base64 with a slash mixes cases and digits.
    relative = (
        len(segments) > 1 and all(c in _PATH_SEGMENT_CHARS for s in segments for c in s) and not value.endswith('=')
    )
    return relative and (not passphrase or '.' in segments[-1])


def _drive_or_url(value: str) -> bool:
    """`C:\\…` or `scheme://…`."""
    if value[:1].isascii() and value[:1].isalpha() and value[1:3] == ':\\':
        return True
    scheme, found, _ = value.partition('://')
    return bool(found and scheme) and all(map(_is_word_char, scheme))


def _file_name(value: str) -> bool:
    """`settings.json`, `id_rsa.pem`: one name with a configuration or key file's extension."""
    stem, dot, extension = _line_end(value).rpartition('.')
    return bool(dot and stem) and extension in _FILE_EXTENSIONS and all(_is_word_char(c) or c in '.-' for c in stem)


def token_noise(match: re.Match[str], text: str) -> str | None:
    """The shared filter for provider tokens: their prefixes are unique, so only stand-ins are dropped."""
    value = match['value']
    from guard.rules.secrets.checksums import crc_token_valid

    if crc_token_valid(value):
        return None  # GitHub or npm issued it: whatever words its random part happens to spell
    if documented_example(value):
        return 'documented example key'
    body = value[-min(len(value), 24) :]
    if is_repetitive(body) or _TOKEN_STANDIN.search(value):
        return 'placeholder token'
    return None


# Case-sensitive on purpose: a long random token contains `qFaKE` now and then, rarely `fake` or `FAKE`.
_STANDIN_WORDS = ('your', 'example', 'placeholder', 'redacted', 'dummy', 'fake', 'replace', 'insert', 'sample')
_TOKEN_STANDIN = LazyRegex(
    r'[xX]{6}|\*{3}|\.{3}|<|>|0{8}|1{8}|f{8}|' + '|'.join(f'{w}|{w.upper()}|{w.title()}' for w in _STANDIN_WORDS)
)
