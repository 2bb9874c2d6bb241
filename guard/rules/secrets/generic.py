"""The generic rule: a secret-like name assigned a literal that looks generated.

One pattern covers the assignment shapes of most languages and config formats (gitleaks' list in
GenerateSampleSecrets: INI, JSON, YAML, XML, Go, Java, C#, Kotlin, PHP, Python, Makefile, logstash …).
The work is in rejecting what only sits where a secret could: references, placeholders, digests,
identifiers, paths and words. Provider rules run first, so this one reports what they do not know.
"""
from __future__ import annotations

from guard.rules.base import shannon_entropy
from guard.rules.lazy_regex import LazyRegex
from guard.rules.secrets import filters
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import BASE64
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.folded import CaseFoldedRule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

_KEYWORD = (r'(?P<kw>passw(?:or)?d|passphrase|pass|pwd|secret|token|api[_.\-]?key|apikey|credentials?|private[_.\-]?key'
            r'|access[_.\-]?key|auth(?:orization)?|bearer|key)')
# After the name: an optional closing quote or bracket, an operator, an optional opening quote.
# Operators: = := ::= :::= ?= .= += => -> : , and "the name, spaces, then a quoted literal".
_OPERATOR = r'(?:\\{0,3}["\'`])?\]?(?:\[\])?(?:[ \t]*:?[ \t]*(?:string|str|const|final)\b)?[ \t]*(?:(?P<op>:{1,3}=|[?.+]?=(?!=)|=>|->|:(?![:/])|,(?=[ \t]*\\{0,3}["\'`]))[ \t]*|(?=\\{0,3}["\'`])|(?P<xml>>)(?:[ \t]*\r?\n)?[ \t]*)'
_VALUE = (r'(?:(?P<scheme>bearer|basic|token)[ \t]+)?(?P<q>(?:[bru]|@)?\\{0,3}["\'`])?'
          r'(?P<value>(?(q)[^\s"\'\\]|[^\s"\'`\\,;<>(){}\[\]]){6,300})'
          r'(?(q)\\{0,3}["\'`]|(?=[\s"\'`\\,;<)}\]]|$))(?(xml)(?:[ \t]*\r?\n)?[ \t]*</)')
# The lookahead is implied by what follows (a tail of 40, `string`, an operator's `.`/`-`, then something
# outside [\w.-]); checked first and possessively, a long run such as `password.password.…` costs 48 steps
# a keyword instead of trying every tail against every operator (9 s for 1 MB, issue 15).
_PATTERN = r'(?i)' + _KEYWORD + r'(?=[\w.\-]{0,48}+[^\w.\-])(?P<tail>[\w.\-]{0,40}?)' + _OPERATOR + _VALUE
# XML: <add key="ApiSecret" value="…"/>, <entry name="db.password" value="…"/>, <property name="token">…
_XML_ATTRIBUTE = (r'(?i)\b(?:key|name)=\\?"[\w.\-]*' + _KEYWORD + r'(?P<tail>[\w.\-]{0,40}?)\\?"[ \t]+value=\\?"'
                  r'(?P<value>[^\s"\\<>]{6,300})\\?"')

# A name is secret-like when one of its words is one of these (or ends in one: dbPassword, clientsecret).
_PASSWORD_WORDS = ('password', 'passwd', 'passphrase', 'pwd', 'pass', 'passcode')
_STRONG_WORDS = ('secret', 'token', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'authkey', 'credential', 'credentials',
                 'authorization', 'bearer', 'signature')
_WEAK_WORDS = ('key', 'auth')
_KEY_COMPOUNDS = frozenset({'api', 'access', 'secret', 'private', 'master', 'signing', 'encryption', 'client', 'auth',
                            'app', 'consumer', 'license', 'account', 'service', 'admin', 'root', 'shared', 'session',
                            'webhook', 'integration', 'deploy', 'server', 'sdk', 'project', 'ingest', 'subscription'})
_GLUED_ENDINGS = ('password', 'passwd', 'secret', 'token', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'authkey')
# Name parts that say the value is about a secret, not the secret: token_type, password_field, key_id …
_NOT_SECRET_PARTS = frozenset('''
    id ids name names file files path paths dir url uri urls endpoint host type types length len size count num max min
    field fields header headers prefix suffix format env var vars enabled enable disabled required policy provider mode
    method methods class label hint help prompt placeholder pattern regex validator validation expires expiry expiration
    ttl timeout lifetime age index kind version algorithm alg algo digest hash hashed hashes checksum sha md5 crc etag
    ref reference location store storage cache manager service handler callback func fn function generator factory
    parser serializer encoder decoder uid utils util lookup getter setter test tests spec mock rule rules scope scopes
    audience issuer cert certificate fingerprint attr attribute param params column col schema model form input widget
    view title description desc text msg message error errors reset forgot confirm confirmation change changed old new
    repeat again strength salt rounds iterations cost display show hidden visible mask masked cursor page continuation
    sync nonce state session cookie last used date time created updated at on by expire expires usage limit limits budget budgets window position pos offset start end range
    chars charset separator delimiter sep regexp template tmpl sample example doc docs description arn arns
'''.split())
_NOT_SECRET_QUALIFIERS = frozenset({'public', 'pub', 'publishable', 'sort', 'partition', 'primary', 'foreign', 'cache',
                                    'dict', 'lookup', 'next', 'page', 'continuation', 'sync', 'csrf', 'xsrf', 'max', 'num',
                                    'min', 'total', 'input', 'output', 'idempotency', 'row', 'column', 'hot', 'foo',
                                    'translation', 'i18n', 'message', 'label', 'sorting', 'group', 'dedup', 'cache',
                                    'storage', 'redis', 'memcache', 'lock', 'result', 'client', 'final', 'last', 'first', 'metric', 'field', 'index', 'shortcut',
                                    'hotkey', 'keyboard', 'registry', 'map', 'object', 'dictionary', 'unique', 'composite'})


_ASCII_ALNUM = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
_LOWER_OR_DIGIT = frozenset('abcdefghijklmnopqrstuvwxyz0123456789')


def _words(identifier: str) -> list[str]:
    """`apiKeyName` / `api_key-name` / `API.KEY` -> ['api', 'key', 'name'].

    A hump starts at an ASCII capital after a lower-case letter or digit; words are then the runs of
    ASCII letters and digits of the lowered name. String methods, not regexes: this runs on every
    candidate, and a clean commit should not compile a pattern for it.
    """
    spaced = []
    previous = ''
    for char in identifier:
        if previous in _LOWER_OR_DIGIT and 'A' <= char <= 'Z':
            spaced.append(' ')
        spaced.append(char)
        previous = char
    return ''.join(c if c in _ASCII_ALNUM else ' ' for c in ''.join(spaced).lower()).split()


def _identifier(match: re.Match[str], text: str) -> str:
    """The whole name around the keyword: what precedes it in the same token, then keyword and tail."""
    start = match.start('kw')
    begin = start
    while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in '_.-$'):
        begin -= 1
    return text[begin:start] + match['kw'] + match['tail']


def _secret_word(word: str) -> str | None:
    """'password' / 'strong' / 'weak' for a word that names a secret, else None."""
    if word in _PASSWORD_WORDS or word.endswith(('password', 'passwd')):
        return 'password'
    if word in _STRONG_WORDS or word.endswith(_GLUED_ENDINGS):
        return 'strong'
    return 'weak' if word in _WEAK_WORDS else None


def _strength(words: list[str]) -> tuple[str | None, int]:
    """The kind of secret the name names (a password anywhere in it wins), and the last secret word's position."""
    at = -1
    kinds = set()
    for i, word in enumerate(words):
        kind = _secret_word(word)
        if kind == 'weak' and word == 'key' and i and words[i - 1] in _KEY_COMPOUNDS:
            kind = 'strong'  # api key, access key, private key, secret key …
        if kind:
            kinds.add(kind)
            at = i
    for kind in ('password', 'strong', 'weak'):
        if kind in kinds:
            return kind, at
    return None, -1


def _name_noise(match: re.Match[str], text: str) -> str | None:
    identifier = _identifier(match, text)
    if match.groupdict().get('op') == ',' and not _quoted_setting(match, text, identifier):
        return 'a list or an argument, not a setting'
    words = _words(identifier)
    kind, at = _strength(words)
    if kind is None:
        return 'no secret-like word in the name'
    if 'op' in match.re.groupindex and match['op'] is None and match['xml'] is None:
        # `private_key "…";` (nginx, HCL-ish). In prose (`pass "inline" to …`) more text follows.
        if kind == 'weak' or words[at] == 'pass' or not _STATEMENT_END.match(text, match.end()):
            return 'no assignment'
    return _about_the_secret(words, at)


def _about_the_secret(words: list[str], at: int) -> str | None:
    """Why a name whose word at `at` names a secret still does not hold one (`token_url`, `public_key`), or None."""
    if any(w in _NOT_SECRET_PARTS for w in words[at + 1:]):
        return 'names something about the secret, not the secret'
    if 'public' in words or 'publishable' in words:
        return 'a public key or token'
    if words[at] in ('key', 'token', 'auth') and any(w in _NOT_SECRET_QUALIFIERS for w in words[:at]):
        return 'a non-secret kind of key or token'
    return None


def names_a_secret(identifier: str) -> bool:
    """`DB_PASSWORD`, `jwtSecret`, `STRIPE_API_KEY` hold a secret; `TOKEN_URL`, `PUBLIC_KEY`, a bare `KEY` do not."""
    words = _words(identifier)
    kind, at = _strength(words)
    return kind in ('password', 'strong') and _about_the_secret(words, at) is None


_STATEMENT_END = LazyRegex(r'[ \t]*(?:;|\r?\n|$)')
_CONSTANT_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_')
_DOTTED_NAME_CHARS = frozenset('abcdefghijklmnopqrstuvwxyz0123456789_')


def _setting_name(identifier: str) -> bool:
    """`API_TOKEN`, `db.password`, `db-password`: all capitals, or lower-case words joined by `.` or `-`."""
    if identifier and all(c in _CONSTANT_CHARS for c in identifier):
        return True
    parts = identifier.replace('-', '.').split('.')
    return len(parts) > 1 and all(part and all(c in _DOTTED_NAME_CHARS for c in part) for part in parts)


def _quoted_setting(match: re.Match[str], text: str, identifier: str) -> bool:
    """`setProperty("API_TOKEN", "…")` / `("db.password", "…")`: a quoted setting name, then its value."""
    begin = match.start('kw') - (len(identifier) - len(match['kw']) - len(match['tail']))
    quoted = begin > 0 and text[begin - 1] in '"\''
    return quoted and _setting_name(identifier)


def _value_noise(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    quoted = 'q' not in match.re.groupindex or match['q'] is not None
    if filters.is_placeholder(value):
        return 'placeholder or reference'
    if filters.is_pathlike(value) or filters.is_hash_prefixed(value):
        return 'digest or path'
    kind, at = _strength(_words(_identifier(match, text)))
    if filters.is_uuid(value) and not _names_a_key(_words(_identifier(match, text))):
        # Ids, request and idempotency tokens are UUIDs; a UUID counts only as a secret or API key (Snyk …).
        return 'uuid'
    if value[0] in ',;=(':
        return 'code, not a literal'
    if not quoted and (filters.is_reference(value) or value[-1] in ':(' or value[0] in '+-*/!&|?.'
                       or value.lower() in ('none', 'null', 'nil')):
        return 'code, not a literal'
    if kind == 'password':
        # People choose passwords: words with a digit or a symbol count, bare words do not.
        return None if _mixed(value) and shannon_entropy(value) >= 2.0 else 'a word, not a password'
    if kind == 'strong':
        return None if filters.looks_random(value, min_length=10, min_entropy=3.0) else 'not random enough'
    if filters.is_hash_like(value):
        return 'a digest under an ambiguous name'
    return None if filters.looks_random(value, min_length=16, min_entropy=3.5) else 'not random enough'


def _names_a_key(words: list[str]) -> bool:
    last = words[-1] if words else ''
    return last in ('secret', 'apikey', 'password', 'passwd') or (last == 'key' and len(words) > 1 and words[-2] in ('api', 'secret'))


def _mixed(value: str) -> bool:
    """A password made by a person still mixes classes: letters with digits or symbols, or scattered capitals."""
    if not any(c.isalpha() for c in value) or filters.is_constant_name(value):
        return False
    return any(not c.isalpha() and c not in '_-.' for c in value) or not filters.is_wordlike(value)


_FILTERS = (_name_noise, _value_noise)

_GOOD = (
    'password = os.getenv("DB_PASSWORD")', 'token = os.environ["API_TOKEN"]', 'const apiKey = process.env.API_KEY;',
    'password: ${DB_PASSWORD}', 'token: ${{ secrets.GITHUB_TOKEN }}', 'password: "{{ vault_db_password }}"',
    'api_key = "<your-api-key>"', 'API_KEY=your-api-key-here', 'password = "changeme"', 'secret: "xxxxxxxxxxxxxxxx"',
    'password = get_password()', 'token = self.token', 'password: str', 'def login(password: Optional[str] = None):',
    'api_key = "example-key-1234"', 'secret = "********"', '"token_type": "bearer"', 'public_key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"',
    'checksum_key = "3f786850e387550fdab836ed7e6dc881de23001b"', 'api_key_id = "550e8400-e29b-41d4-a716-446655440000"',
    'token_url = "https://oauth2.googleapis.com/token"', 'author = "Ada Lovelace"', 'password_file = "/run/secrets/db"',
    'SECRET_KEY = "django-insecure-dummy"', 'secret_key = "abcdefghijklmnop"', 'monkey = "a8F3kLq9Zx2Pv7Rt"',
)

RULES = (
    CaseFoldedRule(
        id='generic-secret', category='secret', severity='error',
        why='A password, token or key written into the code or config: everyone with the repository has it.',
        fix='Rotate it, then read it at run time from the environment (os.environ["NAME"]) or a secret manager.',
        pattern=_PATTERN,
        keywords=('pass', 'pwd', 'secret', 'token', 'key', 'auth', 'credential', 'bearer'),
        filters=_FILTERS,
        examples_bad=(Fake('JWT_SECRET=', (ALNUM, 48)), Fake('password = "', (ALNUM, 14), '"'),
                      Fake('  "client_secret": "', (ALNUM, 32), '",'), Fake('export API_TOKEN=', (ALNUM, 40)),
                      Fake('apiToken := "', (BASE64, 40), '"'), Fake('<apiToken>\n    ', (ALNUM, 32), '\n</apiToken>'),
                      Fake('System.setProperty("SERVICE_TOKEN", "', (ALNUM, 32), '")')),
        examples_good=_GOOD,
    ),
    CaseFoldedRule(
        id='generic-secret-xml', category='secret', severity='error',
        why='A password, token or key in an XML / .config key-value entry: everyone with the repository has it.',
        fix='Move it to user secrets, the environment or a secret manager and reference it from the config.',
        pattern=_XML_ATTRIBUTE, keywords=('value="', 'value=\\"'), filters=_FILTERS,
        examples_bad=(Fake('<add key="StorageSecret" value="', (ALNUM, 32), '" />'),),
        examples_good=('<add key="StorageSecret" value="$(StorageSecret)" />', '<add key="TokenLifetime" value="3600" />'),
    ),
)
