"""The env-file rule: `.env`-style files with values, which hold a machine's real credentials.

Templates (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`) are how a project documents
its variables and are fine; an env file with no assignments is fine too.
"""

from __future__ import annotations

from guard.findings import Finding
from guard.findings import fingerprint
from guard.lazy_regex import LazyRegex

RULE_ID = 'env-file'
CATEGORY = 'env-file'
WHY = "Env files hold this machine's passwords and keys; committed, they leak to everyone with the repository."
FIX = 'Add it to .gitignore (`git rm --cached <file>` if already tracked) and commit a .env.example with keys and no values.'

_TEMPLATE_SUFFIXES = frozenset({'example', 'sample', 'template', 'dist', 'tmpl', 'tpl', 'defaults', 'schema', 'spec'})
_ENV_NAME = LazyRegex(r'(?:^\.env(?:\.(?P<suffix>[\w.-]+))?$|^(?P<stem>[\w.-]+)\.env$)')
_ASSIGNMENT = LazyRegex(
    r'(?m)^[ \t]*(?:export[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_.]*+)[ \t]*[=:][ \t]*(?P<value>[^\s#].*)$'
)
# A key whose value is a credential (broad on purpose: it only holds back a SKIP hint).
_CREDENTIAL_NAME = LazyRegex(r'(?i)pass|pw|secret|token|cred|key|auth')
_EMPTY_VALUE = LazyRegex(r'^(?:""|\'\'|\$\{?\w+\}?|<[^>]*>)$')
_PIECE_SEPARATOR = LazyRegex(r'[\s/@:?&=,;]+')
_NAME_WORD_SEPARATOR = LazyRegex(r'[.\-_]')


def is_env_file(path: str) -> bool:
    """True for `.env`, `.env.production`, `prod.env`; False for templates like `.env.example`.

    Whatever the case (`.ENV` is `.env` on a case-insensitive file system) and behind an editor's
    backup or autosave marks (`.env~`, `#.env#`, a trailing space): each is the same file's values.
    """
    name = path.rsplit('/', 1)[-1].lower().rstrip('~ \t').strip('#')
    match = _ENV_NAME.match(name) if '.env' in name else None  # most names lack it: no regex compiled
    if not match:
        return False
    words = set(_NAME_WORD_SEPARATOR.split((match['suffix'] or match['stem'] or '').lower()))
    return not words & _TEMPLATE_SUFFIXES


def check(path: str, text: str) -> Finding | None:
    """A path-level finding when an env file assigns at least one value."""
    if not is_env_file(path):
        return None
    if '\0' in text:  # NULs before a line (a stray one, or padding) do not hide its assignment
        text = text.replace('\0', '')
    values = [m for m in _ASSIGNMENT.finditer(text) if not _EMPTY_VALUE.match(m['value'].strip())]
    if not values:
        return None
    keys = len(values)
    # A literal under a credential's name (not `${VAR}`, checked above), or any value that looks generated
    # whatever its name (OTP_SEED, SIGNING_SALT, STRIPE): SKIP=guard-env-files would commit it.
    credential = any(_CREDENTIAL_NAME.search(m['name']) for m in values) or any(
        _looks_generated(m['value']) for m in values
    )
    plural = 's' if keys != 1 else ''
    return _finding(path, f'It assigns {keys} value{plural}.', f'{keys} value{plural}', credential=credential)


def _looks_generated(value: str) -> bool:
    """A value, or a piece of it between separators (a token at the end of a webhook URL), random-looking
    the way generated credentials are (guard.rules.secrets.filters.looks_random, with a low bar: it only
    holds back a SKIP hint, issue 15c finding 16)."""
    from guard.rules.secrets import filters

    value = value.strip().strip('\'"')
    # A dashed key (`YANT6-CQCT3-GHMUL-W6GGW`) reads as words group by group: judged without its dashes.
    pieces = [value, value.replace('-', ''), *(p for p in _PIECE_SEPARATOR.split(value) if p != value)]
    return _licence_key(value) or any(
        (filters.looks_random(p, min_length=8, min_entropy=2.5) or _one_case_run(p) or _case_flipping_run(p))
        and not filters.is_pathlike(p)
        for p in pieces
    )


def _licence_key(value: str) -> bool:
    """Three or more dashed groups of one size, capitals and digits (`FCYSC-WA5AY-FBUYA-QFWQA`): a licence or
    product key's shape, whose letters may repeat below any entropy bar."""
    groups = value.split('-')
    return (
        len(groups) >= 3
        and len(groups[0]) >= 4
        and len({len(group) for group in groups}) == 1
        and all(group.isascii() and group.isalnum() and not group.islower() for group in groups)
    )


def _one_case_run(value: str) -> bool:
    """A long run of one case, letters and digits, entropic as a generator's (a base32 TOTP seed,
    `JBSWY3DPEHPK3PXPJBSWY3DP`): looks_random wants two character classes."""
    from guard.rules.base import shannon_entropy

    return len(value) >= 16 and value.isalnum() and value.isascii() and shannon_entropy(value) >= 3.5


def _case_flipping_run(value: str) -> bool:
    """Sixteen letters or more whose case flips as a generator's does (`JxyrLLXYuyFYdJxxohd`), not a word's or an
    identifier's humps: looks_random wants a digit or a symbol."""
    if len(value) < 16 or not (value.isascii() and value.isalpha()) or value.islower() or value.isupper():
        return False
    from itertools import pairwise

    flips = sum(a.islower() != b.islower() for a, b in pairwise(value))
    return flips >= 6


def check_unread(path: str, reason: str) -> Finding | None:
    """The finding for an env file whose content is not read (binary, a git-lfs pointer): a path rule
    judges the name whatever the bytes, and what cannot be read may hold every value (NULs before
    `DB_PASSWORD=…`, the real `.env` kept in LFS storage)."""
    if not is_env_file(path):
        return None
    return _finding(path, f'Its content was not read ({reason}): it may assign any value.', reason, credential=True)


def _finding(path: str, detail: str, summary: str, *, credential: bool) -> Finding:
    """The one path-level finding of an env file: `detail` follows WHY, `summary` the path in the excerpt."""
    return Finding(
        rule=RULE_ID,
        category=CATEGORY,
        severity='error',
        path=path,
        line=None,
        column=None,
        message=f'{WHY} {detail}',
        fix=FIX,
        excerpt=f'{path} ({summary})',
        fingerprint=fingerprint(RULE_ID, path),
        credential=credential,
    )
