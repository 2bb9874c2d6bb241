"""The generic rule: a secret-like name assigned a literal that looks generated.

One pattern covers the assignment shapes of most languages and config formats (gitleaks' list in
GenerateSampleSecrets: INI, JSON, YAML, XML, Go, Java, C#, Kotlin, PHP, Python, Makefile, logstash …).
The work is in rejecting what only sits where a secret could: references, placeholders, digests,
identifiers, paths and words. Provider rules run first, so this one reports what they do not know.
"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex
from guard.rules.base import extension
from guard.rules.base import remembered
from guard.rules.secrets import filters
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import BASE64
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.folded import CaseFoldedRule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

_KEYWORD = (
    r'(?P<kw>passw(?:or)?d|passphrase|pass|pwd|pw|secret|token|api[_.\-]?key|apikey|credentials?|private[_.\-]?key'
    r'|access[_.\-]?key|auth(?:orization)?|bearer|key)'
)
# A quoted value closes with the quote that opened it: in minified code a quote that only looks like an
# opening one (the end of the string before) otherwise takes the code up to the next string as the value.
# After the name: an optional closing quote or bracket, an operator, an optional opening quote.
# Operators: = := ::= :::= ?= .= += => -> : , a YAML block scalar (`password: >-` and the value on the next
# line, indented), an INI continuation (`password =` and the value on the next line, indented), and "the
# name, spaces, then a quoted literal", and a setter's call (`setPassword("…")`). A literal may sit in parentheses
# (`PW = (\n    "…"\n)`, black's wrap) or after a YAML anchor (`password: &pw …`). A no-break space may pad the
# operator (pasted from a page; Python's configparser strips it).
_OPERATOR = r'(?:\\{0,3}["\'`])?\]?(?:\[\])?(?:[ \t]*+:?[ \t]*+(?:string|str|const|final)\b)?[ \t\xa0]*+(?:(?P<op>:{1,3}=|[?.+]?=(?!=)|=>|->|:[ \t]*+[>|][+\-]?[1-9]?[ \t]*+\r?\n[ \t]++(?=[^\s#])|=[ \t]*+\r?\n[ \t]++(?=[^\s#;])|:(?![:/])|,(?=[ \t]*+\\{0,3}["\'`])|\((?=[ \t]*+(?:[bruf]{1,2})?["\'`]))[ \t\xa0]*+(?:&[\w\-]++[ \t]++)?(?:\((?:[ \t]*+\r?\n)?[ \t]*+(?=(?:[bruf]{1,2})?["\'`]))?|(?=\\{0,3}["\'`])|(?P<xml>>)(?:[ \t]*+\r?\n)?[ \t]*+)'
# The start of another secret-like name: where an unquoted value that reaches a `=` or `:` ends.
_NEXT_NAME = r'(?i:pas|pw|secret|token|api|key|cred|priv|access|auth|bearer)'
_VALUE = (
    r'(?:(?P<scheme>bearer|basic|token)[ \t]++)?(?P<q>(?:[bruf]{1,2}|@)?(?P<esc>\\{1,3})?(?P<qc>\"\"\"|\'\'\'|["\'`]))?'
    # Quoted, a value may hold spaces (`password = "Tr4der 2024"`): only a password-kind name keeps one (_value_noise).
    # Possessive: a run that ends in no terminator fails at once instead of retrying every shorter run. Unquoted, it
    # stops at a `=` or `:` before another secret word: `api_key=` or `pw:` repeated over 1 MB read 300 characters
    # from each keyword (2.5 s, 6 s); a value holding `=` or `:` is still read whole.
    # In a literal whose quote is not itself escaped, an escape pair is part of the value (`"Qz7k\"P2w"`, what
    # json.dumps writes), and so is its quote doubled (YAML, SQL: `'O''Neil'`) or closed, escaped and reopened
    # (the shell's `'\''`), and so is the other quote (`"Zq8'Lm3"`); inside an escaped one (`\"…\"`, JSON in a
    # string) a backslash or a quote ends it.
    r'(?P<value>(?(q)(?(esc)(?!(?P=qc))[^\t\n\r\f\v"\'\\]'
    r'|(?:(?!(?P=qc))[^\t\n\r\f\v\\]|\\[^\n\r]|(?P=qc)(?:\\(?P=qc))?(?P=qc)))'
    r'|(?:[^\s"\'`\\,;<>(){}\[\]=:]|[=:](?!' + _NEXT_NAME + r'))){6,300}+)'
    r'(?(q)\\{0,3}(?P=qc)|(?=[\s"\'`\\,;<)}\]]|$))'
)
_XML_CLOSE = r'(?(xml)(?:[ \t]*+\r?\n)?[ \t]*+</)'
# The lookahead is implied by what follows (a tail of 40, `string`, an operator's `.`/`-`, then something
# outside [\w.-]); checked first and possessively, a long run such as `password.password.…` costs 48 steps
# a keyword instead of trying every tail against every operator (9 s for 1 MB, issue 15).
_PATTERN = r'(?i)' + _KEYWORD + r'(?=[\w.\-]{0,48}+[^\w.\-])(?P<tail>[\w.\-]{0,40}?)' + _OPERATOR + _VALUE + _XML_CLOSE
# A name and its value as two entries of one record: Kubernetes and compose env lists (`- name: DB_PASSWORD`,
# `value: …` on the next line), ECS task definitions and CloudFormation (`"name": "DB_PASSWORD", "value": …`, also
# pretty-printed, one a line), Terraform's (`{ name = "DB_PASSWORD", value = … }`).
# A Terraform variable's default is the same pair: `variable "db_password" {` … `default = …`.
_PAIR = (
    r'(?i)(?:\b(?:name|key)["\']?[ \t]*+[:=][ \t]*+|\bvariable[ \t]++)(?P<nq>["\']?)[\w.\-]{0,60}?'
    + _KEYWORD
    + r'(?P<tail>[\w.\-]{0,40}?)(?P=nq)[ \t]*+(?:(?:,?[ \t]*+\r?\n[ \t]*+(?:-[ \t]++)?|,[ \t]*+)'
    r'["\']?value["\']?[ \t]*+[:=]|\{(?:[^{}\n]{0,200}+\n){0,8}?[^{}\n]{0,200}?\bdefault[ \t]*+=)[ \t]*+' + _VALUE
)
# Java .properties separate a key from its value by `=`, `:` or only spaces (`db.password postgres123`).
# Unquoted and to the end of the line: one word, since message bundles hold sentences under such keys.
_PROPERTIES = (
    r'(?im)^[ \t]*+[\w.\-]{0,60}?' + _KEYWORD + r'(?P<tail>[\w.\-]{0,40}?)[ \t]++(?P<value>[^\s=:]\S{5,299}+)[ \t]*+$'
)
# A password's unquoted value of several words, the rest of a config file's line: an app password as issued
# (`smtp_password: abcd efgh ijkl mnop`), a passphrase (`password = correct horse battery staple`); in YAML, INI,
# .properties, .env and compose lists, msmtprc and muttrc (`set smtp_pass=…`) alike. The generic rule reads an
# unquoted value's first word only, and `abcd` is no password (attack 15h finding 02). A word starting with `#`
# or `;` starts a comment (YAML, .env, the shell; INI); one inside a word is the word's. The value may sit on the
# next line of a YAML block scalar (`password: |`), and a no-break space may pad the `:` or `=` (pasted from a
# page; Python's configparser strips it).
_PHRASE = (
    r'(?im)^[ \t]*+(?:-[ \t]++|set[ \t]++|export[ \t]++|env[ \t]++|environment=)?(?P<nq>["\']?)[\w.\-]{0,60}?'
    r'(?P<kw>passw(?:or)?d|passphrase|pass|pwd|pw)(?P<tail>[\w.\-]{0,40}?)'
    # A quote closes the name (`"password": …`), or one opened the whole item (`- "SMTP_PASSWORD=…"`, systemd's
    # `Environment="…"`): then the value runs to that quote.
    r'(?:(?P=nq)|(?P<iq>(?==)))'
    r'(?P<sep>[ \t\xa0]*+[:=][ \t\xa0]*+|[ \t]++|[ \t]*+:[ \t]*+[>|][+\-]?[1-9]?[ \t]*+\r?\n[ \t]++)'
    # One word too, when it holds what ends the generic rule's unquoted value (`evLnh(YBJ4kq`, `k8;Qv2xT9m`).
    r'(?P<value>(?=\S*?[()\[\]{};,<>]|\S++[ \t]++[^\s#;])'
    r'[^\s"\'`#;|&<>$%{\[!*@\-=:](?(iq)[^\s"\']|\S)*+(?:[ \t]++[^\s#;](?(iq)[^\s"\']|\S)*+)*+)'
    r'(?(iq)(?P=nq)|[ \t]*+(?:\r?$|[#;]))'
)
# XML: <add key="ApiSecret" value="…"/>, <entry name="db.password" value="…"/>, <entry key="db.password">…</entry>
_XML_ATTRIBUTE = (
    r'(?i)\b(?:key|name)=\\?"[\w.\-]*'
    + _KEYWORD
    + r'(?P<tail>[\w.\-]{0,40}?)\\?"(?:[ \t]+value=\\?"|[^<>/"\n]{0,200}+>)'
    r'(?P<value>[^\s"\\<>]{6,300})(?:\\?"|</)'
)

# A name is secret-like when one of its words is one of these (or ends in one: dbPassword, clientsecret).
_PASSWORD_WORDS = ('password', 'passwd', 'passphrase', 'pwd', 'pw', 'pass', 'passcode')
# Names that glue a service to `pass` as mail clients spell them (offlineimap's `remotepass`, git send-email's
# `smtppass`, ssmtp's `AuthPass`); `pass` glued to any word is not one (`bypass`, `compass`).
_GLUED_PASS = frozenset(
    {'smtppass', 'remotepass', 'imappass', 'authpass', 'mailpass', 'dbpass', 'rootpass', 'adminpass'}
)
_STRONG_WORDS = (
    'secret',
    'token',
    'apikey',
    'accesskey',
    'secretkey',
    'privatekey',
    'authkey',
    'credential',
    'credentials',
    'authorization',
    'bearer',
    'signature',
)
_WEAK_WORDS = ('key', 'auth')
_KEY_COMPOUNDS = frozenset(
    {
        'api',
        'access',
        'secret',
        'private',
        'master',
        'signing',
        'encryption',
        'client',
        'auth',
        'app',
        'consumer',
        'license',
        'account',
        'service',
        'admin',
        'root',
        'shared',
        'session',
        'webhook',
        'integration',
        'deploy',
        'server',
        'sdk',
        'project',
        'ingest',
        'subscription',
    }
)
_GLUED_ENDINGS = ('password', 'passwd', 'secret', 'token', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'authkey')
# Name parts that say the value is about a secret, not the secret: token_type, password_field, key_id …
_NOT_SECRET_PARTS = frozenset(
    """
    id ids name names file files filename filenames filepath pathname dirname path paths dir url uri urls endpoint host type types length len size count num max min
    field fields header headers prefix suffix format env var vars enabled enable disabled required policy provider mode
    method methods class label hint help prompt placeholder pattern regex validator validation expires expiry expiration
    ttl timeout lifetime age index kind version algorithm alg algo digest hash hashed hashes checksum sha md5 crc etag
    ref reference location store storage cache manager service handler callback func fn function generator factory
    parser serializer encoder decoder uid utils util lookup getter setter test tests spec mock rule rules scope scopes
    audience issuer cert certificate fingerprint attr attribute param params column col schema model form input widget
    view title description desc text msg message error errors reset forgot confirm confirmation change changed old new
    repeat again strength salt rounds iterations cost display show hidden visible mask masked cursor page continuation
    sync nonce state session cookie last used date time created updated at on by expire expires usage limit limits budget budgets window position pos offset start end range
    chars charset separator delimiter sep regexp template tmpl sample example doc docs description arn arns map maps
    encryption encrypt mechanism mechanisms scheme schemes cipher ciphers
""".split()
)
_NOT_SECRET_QUALIFIERS = frozenset(
    {
        'public',
        'pub',
        'publishable',
        'sort',
        'partition',
        'primary',
        'foreign',
        'cache',
        'dict',
        'lookup',
        'next',
        'page',
        'continuation',
        'sync',
        'csrf',
        'xsrf',
        'max',
        'num',
        'min',
        'total',
        'input',
        'output',
        'idempotency',
        'row',
        'column',
        'hot',
        'foo',
        'translation',
        'i18n',
        'message',
        'label',
        'sorting',
        'group',
        'dedup',
        'storage',
        'redis',
        'memcache',
        'lock',
        'result',
        'client',
        'final',
        'last',
        'first',
        'metric',
        'field',
        'index',
        'shortcut',
        'hotkey',
        'keyboard',
        'registry',
        'map',
        'object',
        'dictionary',
        'unique',
        'composite',
        'websocket',
    }
)  # Sec-WebSocket-Key: a handshake nonce


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
    if word in _PASSWORD_WORDS or word in _GLUED_PASS or word.endswith(('password', 'passwd')):
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


@remembered
def _named(match: re.Match[str]) -> tuple[str, list[str]]:
    """The match's whole name and its words, worked out once for both filters of a candidate."""
    identifier = _identifier(match, match.string)
    return identifier, _words(identifier)


def _name_noise(match: re.Match[str], text: str) -> str | None:
    identifier, words = _named(match)
    op = match['op'] if 'op' in match.re.groupindex else None
    if op == ',' and not _quoted_setting(match, text, identifier):
        return 'a list or an argument, not a setting'
    if op == '(' and _words(identifier.rpartition('.')[2])[:1] != ['set']:
        return 'a call, not a setter'  # check_password("…"), hash_token("…")
    if op == ':' and _inside_colon_path(match, text, identifier):
        return 'a part of a colon-separated name (an ARN, a URN), not a setting'
    kind, at = _strength(words)
    if kind is None:
        return 'no secret-like word in the name'
    if 'op' in match.re.groupindex and match['op'] is None and match['xml'] is None:
        # `private_key "…";` (nginx, HCL-ish). In prose (`pass "inline" to …`) more text follows.
        if kind == 'weak' or words[at] == 'pass' or not _STATEMENT_END.match(text, match.end()):
            return 'no assignment'
        begin = match.end('tail') - len(identifier)
        if text[match.end('tail') : match.end('tail') + 1] in _QUOTES and text[begin - 1 : begin] not in _QUOTES:
            # The name closes a quoted item (`Environment="…app password" "PORT=587"`): the last word of its value.
            return 'no assignment'
    return _about_the_secret(words, at)


_QUOTES = ('"', "'", '`')


# Words a sentence cannot do without and a passphrase seldom holds two of.
_FUNCTION_WORDS = frozenset(
    'the a an of for in on at to is are be must and or with this that your its from by as'.split()
)


def _quotes_inside(value: str) -> bool:
    """A quoted value holding quotes (`'The "pass" statement'`, `'… IDENTIFIED BY "%(password)s"'`): text that quotes
    something, when its words read as prose or it holds a format field; a password holds one only as a character."""
    return '"' in value or "'" in value


def _sentence(value: str) -> bool:
    """`The password for the kmsuser CU account in the specified cluster.`: four words or more, two of them
    function words. `correct horse battery staple` is no sentence."""
    words = value.lower().split()
    return len(words) >= 4 and sum(w.strip('.,;:!?') in _FUNCTION_WORDS for w in words) >= 2


def _inside_colon_path(match: re.Match[str], text: str, identifier: str) -> bool:
    """`arn:aws:secretsmanager:us-west-2:123456789012:secret:MyDb-a1b2c3`: the name follows a `:` of the same run."""
    begin = match.start('kw') - (len(identifier) - len(match['kw']) - len(match['tail']))
    return begin > 0 and text[begin - 1] == ':'


def _about_the_secret(words: list[str], at: int) -> str | None:
    """Why a name whose word at `at` names a secret still does not hold one (`token_url`, `public_key`), or None."""
    if any(w in _NOT_SECRET_PARTS for w in words[at + 1 :]):
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
    """`setProperty("API_TOKEN", "…")` / `("db.password", "…")`: a quoted setting name, then its value; any quoted
    name as an argument of a setter (`setProperty("password", "…")`, `config.set("db", "password", "…")`)."""
    begin = match.start('kw') - (len(identifier) - len(match['kw']) - len(match['tail']))
    quoted = begin > 0 and text[begin - 1] in '"\''
    return quoted and (
        _setting_name(identifier) or _SETTER_CALL.search(text, max(0, begin - 121), begin - 1) is not None
    )


_SCHEMES = ('basic', 'bearer', 'token')  # tested first: the pattern is compiled only for such a value
_QUOTED_SCHEME = LazyRegex(r'(?i)(?P<scheme>basic|bearer|token)[ \t]++(?P<token>[^\s"\'`]{6,})')
# A setter's call open up to a quoted argument: `setProperty(`, `config.set("db", `, `props.put(`.
_SETTER_CALL = LazyRegex(r'\b(?:set|put)(?:[A-Z_]\w*)?\((?:[^()\n]{0,80},)?[ \t]*+$')


def _value_noise(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    quoted = 'q' not in match.re.groupindex or match['q'] is not None
    scheme = (match['scheme'] or '').lower() if 'scheme' in match.re.groupindex else ''
    if (
        quoted
        and not scheme
        and value[:7].lower().startswith(_SCHEMES)
        and (schemed := _QUOTED_SCHEME.fullmatch(value))
    ):
        # nginx's `proxy_set_header Authorization "Basic X"`: the scheme inside the quotes; X is the credential.
        scheme, value = schemed['scheme'].lower(), schemed['token']
    if filters.is_placeholder(value) or filters.sample_login(value, text, match.start('value')):
        return 'placeholder or reference'
    identifier, words = _named(match)
    if ' ' in value and (
        value[0] == ' '
        or value[-1] == ' '
        or _strength(words)[0] != 'password'
        or _sentence(value)
        or (_quotes_inside(value) and (reads_as_prose(value.split()) or any(f in value for f in _FORMAT_FIELDS)))
    ):
        # A quoted literal in a password's place is the password, words and all; elsewhere words are prose,
        # and so is a sentence anywhere ("The password for the admin user.", a schema's description).
        return 'words, not a secret'
    kind, _ = _strength(words)
    # Words joined by `/` are a passphrase under a password's own name (`db_password`), a secret's name under any
    # other (`db_password_secret: prod/billing/postgres`, `password_entry: email/gmail`: a store's path).
    passphrase = kind == 'password' and bool(words) and (words[-1] in _PASSWORD_WORDS or words[-1] in _GLUED_PASS)
    if filters.is_pathlike(value, passphrase=passphrase) or filters.is_hash_prefixed(value):
        return 'digest or path'
    if filters.is_password_hash(value):
        return "what a password is stored as (a Django fixture's `pbkdf2_sha256$…`, `$2b$…`), not the password"
    if filters.is_uuid(value) and not _names_a_key(words):
        # Ids, request and idempotency tokens are UUIDs; a UUID counts only as a secret or API key (Snyk …).
        return 'uuid'
    if value[0] in ',;=(':
        return 'code, not a literal'
    if quoted and value[0] == '+' and ('(' in value or ')' in value):
        return 'code between two strings ("key="+f(x)+"…"), not a literal'
    if not quoted and (
        (filters.is_reference(value) and not (passphrase and _dotted_words(value)))
        or value[-1] in ':('
        or value[0] in '+-*/!&|?.'
        or value.rstrip('.,').lower() in _NOT_VALUES
    ):
        return 'code, not a literal'
    # The rest of the line, unless a quote closes the value: the item was quoted whole (`- "PW=X"`, systemd's
    # `Environment="PW=X" "PORT=1"`), and what follows is the next item.
    closed = text[match.end('value') : match.end('value') + 1] in _QUOTES
    if not quoted and reads_as_prose((value if closed else _rest_of_line(text, match.start('value'))).split()):
        return 'the first word of a sentence or an instruction (`password: stored in vault`), not a secret'
    if scheme == 'basic' and _basic_stand_in(value):
        return 'basic credentials of a documentation stand-in (user:pass)'
    if not quoted and _quoted_key(match, text) and _programmer_name(value):
        return 'a quoted key with a bare name: code (a dict or object literal), not a literal'
    if quoted and text.startswith(':', match.end()) and not text.startswith('://', match.end()):
        return 'a key of a mapping, not a value'  # {"autocomplete": "current-password", "autofocus": True}
    if quoted and _built_at_run_time(match, text):
        return 'a format string or expression with its arguments, not a literal'
    if _near_miss(value):
        return 'a near-miss of a provider format (its own rule judges it)'
    if kind == 'password':
        # A credential position: any literal is a password a person chose (`letmein`, `postgres123`),
        # unless it only repeats the name (`password = "password"`, `"db_password": "db_password"`).
        value_words = _words(value)
        if value.lower() in _NOT_VALUES or value_words == words[-len(value_words) :]:
            return 'the name or a keyword, not a password'
        in_a_list = 'op' in match.re.groupindex and match['op'] == ',' and identifier.isupper() and value.isupper()
        if filters.is_metavar(value) or in_a_list:  # in_a_list: `'SSLCERTPASSWD', 'SSLCERTTYPE'`, the next name
            return "a constant's name or a metavar (BAD_PASSPHRASE, VALUE), not a password"
        if _a_pass_of_something(words, identifier, value):
            return 'a pass of an algorithm (renderPass = "opaque"), not a password'
        return None
    if kind == 'strong':
        return None if filters.looks_random(value, min_length=10, min_entropy=3.0) else 'not random enough'
    if filters.is_hash_like(value):
        return 'a digest under an ambiguous name'
    return None if filters.looks_random(value, min_length=16, min_entropy=3.5) else 'not random enough'


# Literals that are no credential in any position: flags, nulls, form-validation keywords.
_NOT_VALUES = frozenset(
    {
        'true',
        'false',
        'yes',
        'no',
        'on',
        'off',
        'none',
        'null',
        'nil',
        'undefined',
        'required',
        'optional',
        'prompt',  # ask for it when run: `password = prompt`
        'enabled',
        'disabled',
        'string',
        'boolean',
        'integer',
        'number',
        'object',
    }
)
_FORMAT_FIELDS = ('%s', '%d', '%r', '%(', '{}', '{0', '{1')


# Whose `…Pass` is a password: `adminPass`, `dbPass`. Another camelCase `…Pass` holding a plain word is a
# stage of an algorithm (`renderPass`, `shadowPass`, `firstPass`), as graphics and compiler code name them.
_PASS_OWNERS = frozenset(
    {
        'user',
        'admin',
        'root',
        'db',
        'database',
        'mysql',
        'postgres',
        'pg',
        'sql',
        'smtp',
        'mail',
        'email',
        'ftp',
        'sftp',
        'ssh',
        'ldap',
        'redis',
        'api',
        'wifi',
        'key',
        'store',
        'login',
        'account',
        'sudo',
        'vnc',
        'rdp',
        'proxy',
        'server',
        'client',
        'app',
        'master',
        'default',
    }
)


def _a_pass_of_something(words: list[str], identifier: str, value: str) -> bool:
    """`this.renderPass = "opaque"`: a camelCase name ending in `Pass`, not after an owner, holding a plain word."""
    return (
        len(words) > 1
        and words[-1] == 'pass'
        and words[-2] not in _PASS_OWNERS
        and identifier.endswith('Pass')
        and value.isalpha()
        and value.islower()
    )


def _quoted_key(match: re.Match[str], text: str) -> bool:
    """`'BAD_PASSPHRASE': GpgBadPassphrase`: the name is quoted, so the line is code; a config file quotes values, not keys."""
    end = match.end('tail')
    begin = match.start('kw') - (len(_identifier(match, text)) - len(match['kw']) - len(match['tail']))
    return end < len(text) and text[end] in '"\'' and begin > 0 and text[begin - 1] == text[end]


def _basic_stand_in(value: str) -> bool:
    """`Basic aGVsbG86d29ybGQ=` is `hello:world`: base64 of user:password, judged as the password it holds."""
    from guard.rules.secrets.credentials import basic_password

    password = basic_password(value)
    return password is not None and filters.is_placeholder(password)


def _built_at_run_time(match: re.Match[str], text: str) -> bool:
    """`'%s/ssh_host_%s_key' % (keydir, algo)`, `"{}".format(x)`, `f"{pw}"`, `"abc" + x`: code that builds a value."""
    value = match['value']
    quote = match['q'] if 'q' in match.re.groupindex else None
    if 'f' in (quote or '').lower() and '{' in value or '`' in (quote or '') and '${' in value:
        return True  # f"{pw}", `${host}/${path}`
    after = text[match.end() : match.end() + 12].lstrip(' \t')
    if after.startswith(('+', '.format(')) and not after.startswith('+='):
        return True
    return after.startswith('%') and any(field in value for field in _FORMAT_FIELDS)


def _near_miss(value: str) -> bool:
    """A value in a provider's own format (`ghp_…`, `npm_…`, `pypi-…`) is that rule's to judge: exactly."""
    return value.startswith(_PROVIDER_PREFIXES)


# Token prefixes whose rule checks length, alphabet and checksum; generic does not take a near-miss of them.
_PROVIDER_PREFIXES = (
    'ghp_',
    'gho_',
    'ghu_',
    'ghs_',
    'ghr_',
    'github_pat_',
    'npm_',
    'pypi-',
    'glpat-',
    'gldt-',
    'glrt-',
    'xoxb-',
    'xoxp-',
    'xoxa-',
    'xoxs-',
    'xoxr-',
    'xapp-',
    'sk_live_',
    'rk_live_',
    'sk-proj-',
    'sk-ant-',
    'dckr_pat_',
    'dckr_oat_',
    'hvs.',
    'hvb.',
    'AKIA',
    'ASIA',
    'AIza',
    'GOCSPX-',
    'ya29.',
    'dop_v1_',
    'doo_v1_',
    'glc_',
    'glsa_',
    'sntrys_',
    'sntryu_',
    'lin_api_',
    'PMAK-',
    'shpat_',
    'shpss_',
    'tskey-',
    'AGE-SECRET-KEY-1',
)
# Files whose unquoted values are code (a name, an expression); elsewhere (YAML, INI, .env, shell) they are literals.
_CODE_EXTENSIONS = frozenset(
    """
    py pyi pyx js jsx mjs cjs ts tsx vue svelte go java kt kts scala groovy rb php cs fs vb rs swift c h cc cpp cxx hpp m mm
    dart lua pl pm r jl ex exs erl hs clj cljs tf hcl nix
""".split()
)


def is_code_file(path: str) -> bool:
    """A file in a programming language, by its extension: there an unquoted value may be a name or a call."""
    return extension(path) in _CODE_EXTENSIONS


def _unquoted_name_in_code(match: re.Match[str], text: str, path: str) -> str | None:
    """`password = letmein` is a literal in an INI file and a variable in Python: decide by the file's language."""
    if 'q' in match.re.groupindex and match['q'] is not None:
        return None
    value = match['value']
    # A name a programmer writes (`pw`, `db_password`, `GpgBadPassphrase`), or an attribute's (`form.old.value`: outside
    # code, words joined by dots may be a passphrase); a random run is a literal however it parses.
    if is_code_file(path) and (_programmer_name(value) or filters.is_reference(value)):
        return 'a name in code, not a literal'
    return None


def _dotted_words(value: str) -> bool:
    """`correct.horse.battery.staple`, `Velvet.Plum.Orange`, `KQZ.TPM.WXR`: three or more plain words joined by dots, as a
    passphrase generator joins them; not a reference (`settings.db.password`, `vault.kv.prod`, `spring.datasource.url`:
    a name of code or configuration among the words)."""
    parts = value.rstrip('.').split('.')
    return len(parts) >= 3 and all(
        3 <= len(part) <= 12
        and part.isascii()
        and part.isalpha()
        and (part.islower() or part.istitle() or part.isupper())
        and part.lower() not in _REFERENCE_PARTS
        and not any(map(_secret_word, _words(part)))
        for part in parts
    )


# Words of the names a dotted reference is made of (objects, settings trees, secret stores, environments).
_REFERENCE_PARTS = frozenset(
    'self this cls env environ environment config configs conf cfg settings setting secrets vault kv values value vars '
    'var variables params param props properties spring app application apps os process system sys db database data '
    'datasource context ctx request req response options opts args kwargs session global globals local user users '
    'admin root prod production dev development staging stage test tests default defaults service services creds '
    'auth login account accounts client server host main master primary replica read write url uri jdbc mysql postgres '
    'postgresql redis mongo mongodb smtp mail email imap ldap ftp ssh http https api web site store cache queue aws gcp '
    'azure cloud kube kubernetes helm chart charts release input inputs output outputs form field fields item items '
    'state store get set new old current next'.split()
)


def _programmer_name(value: str) -> bool:
    """`auth_info`, `GpgBadPassphrase`, `$dbPass`, `self`: an identifier of word-sized humps, not a random run."""
    name = value.lstrip('$@')
    if not name or not (name[0].isalpha() or name[0] == '_') or not all(c.isalnum() or c == '_' for c in name):
        return False
    humps = [h for segment in name.split('_') if segment for h in filters.humps(segment)]
    letters = [h for h in humps if not h.isdigit()]
    if not letters or any(len(h) > 4 for h in humps if h.isdigit()):
        return False
    return sum(len(h) < 3 for h in letters) <= max(1, len(letters) // 3)


def _names_a_key(words: list[str]) -> bool:
    last = words[-1] if words else ''
    return last in ('secret', 'apikey', 'password', 'passwd') or (
        last == 'key' and len(words) > 1 and words[-2] in ('api', 'secret')
    )


def _mixed(value: str) -> bool:
    """A password made by a person still mixes classes: letters with digits or symbols, or scattered capitals."""
    if not any(c.isalpha() for c in value) or filters.is_constant_name(value):
        return False
    return any(not c.isalpha() and c not in '_-.' for c in value) or not filters.is_wordlike(value)


# Translation files: a folder of them, or a file named by its language (`fr.json`, `pt-BR.yml`, `devise.de.yml`).
_LOCALE_FOLDERS = frozenset({'locale', 'locales', 'i18n', 'l10n', 'lang', 'langs', 'languages', 'translations'})
_LOCALE_NAME = LazyRegex(
    r'(?:^|\.)(?P<lang>[a-z]{2})(?:[-_][a-z]{2,4})?\.(?:json|ya?ml|properties|po|arb|strings|xlf|toml)$'
)
# ISO 639-1: `db.yml` and `ci.yaml` are no language's file.
_LANGUAGES = frozenset(
    """
    af am ar as az be bg bn bs ca cs cy da de el en eo es et eu fa fi fo fr ga gd gl gu he hi hr hu hy id is it ja ka
    kk km kn ko ku ky la lb lo lt lv mk ml mn mr ms mt my nb ne nl nn no or pa pl ps pt ro ru si sk sl sq sr sv sw ta
    te th tk tl tr tt ug uk ur uz vi yi zh zu
""".split()
)
# A message in words: letters of any script, spaces, sentence punctuation and format fields (`%{count}`).
_MESSAGE = LazyRegex(r'(?:[^\W\d_]|[ \t.,;:!?¿¡\'’()…-]|%\{\w*\}|\{\{?\w*\}\}?|%[sd])++')


def _message_in_locale_file(match: re.Match[str], text: str, path: str) -> str | None:
    """`password: "Mot de passe"`, `"password": "Contraseña"` in a translation file: the label a login form shows."""
    *folders, name = path.lower().split('/')
    language = _LOCALE_NAME.search(name)
    if not (_LOCALE_FOLDERS.intersection(folders) or (language and language['lang'] in _LANGUAGES)):
        return None
    return 'a translated label or message' if _MESSAGE.fullmatch(match['value']) else None


def _command_output(match: re.Match[str], text: str, path: str) -> str | None:
    """`` `pass show mail` `` in a muttrc, a shell script, a Dockerfile: backticks run a command, whose output is the
    password (as `$(…)` does): words, the command's and its arguments'. In JavaScript and Go they quote a literal,
    which is one; so does a token in backticks anywhere (`` `SG.hxYm…` ``, a Go line quoted in a note)."""
    value = match['value'] or ''
    quoted_by = match['qc'] if 'qc' in match.re.groupindex else None
    if quoted_by != '`' and not (len(value) > 2 and value[0] == '`' == value[-1]):
        return None  # `"`…`"`: muttrc quotes the backticks
    if is_code_file(path) or not any(c in ' \t' for c in value.strip('`')):
        return None
    return "a command's output (backticks), not a literal"


_FILTERS = (_name_noise, _value_noise)
_PATH_FILTERS = (_unquoted_name_in_code, _message_in_locale_file, _command_output)


def _phrase_noise(match: re.Match[str], text: str) -> str | None:
    """Words under a name are a password only under a password's name, and only when none reads as prose, a
    command or a stand-in: `password: Your database password`, `password = pass show mail`, `password: gpg -d
    ~/.pw.gpg`, `password: xxxx xxxx xxxx xxxx`."""
    identifier, words = _named(match)
    kind, at = _strength(words)
    if kind != 'password':
        return "not a password's name: words under another name are prose"
    if (about := _about_the_secret(words, at)) is not None:
        return about
    value = match['value']
    if filters.is_placeholder(value) or _code_in_value(value):
        return 'placeholder or a command'
    words = value.split()
    if len(words) == 1 and _code_token(value):
        return 'code (a call, a subscript, the end of an argument list), not a password'
    if reads_as_prose(words):
        return 'words, not a secret'
    if any(word.strip('.,;:!?()').istitle() and word.strip('.,;:!?()').isalpha() for word in words):
        return 'a capitalised word: a sentence or a name (`pwd: Jim Meyering`), not a generated password'
    if any(len(set(word)) == 1 for word in words):
        return 'a stand-in'  # `xxxx xxxx xxxx xxxx`
    return None


def _code_token(word: str) -> bool:
    """One word that reads as code (`get_password()`, `settings["password"]`, `foo(hey)you`, `GpgBadPassphrase,`): its
    brackets pair up, or it ends an argument list's item. A password's punctuation seldom pairs (`evLnh(YBJ4kq`)."""
    if word[-1] in ',;':
        return True
    pairs = (('(', ')'), ('[', ']'), ('{', '}'))
    return any(o in word for o, _ in pairs) and all(word.count(o) == word.count(c) for o, c in pairs)


def _rest_of_line(text: str, start: int) -> str:
    """text[start:] up to the line's end or a ` #` or ` ;` comment (YAML, .env, the shell; INI)."""
    end = text.find('\n', start)
    rest = text[start : len(text) if end < 0 else end]
    return rest.partition(' #')[0].partition(' ;')[0]


def reads_as_prose(words: list[str]) -> bool:
    """Two words or more, one of them a sentence's, an instruction's or a credential's (`stored in vault`, `Your
    database password`, `rotate every 90 days`): what sits under a password's name in docs and examples, not a
    password of several words."""
    if len(words) < 2:
        return False
    for word in words:
        lower = word.strip('.,;:!?()').lower()
        if lower in _FUNCTION_WORDS or lower in _PROSE_WORDS or any(map(_secret_word, _words(lower))):
            return True
    return False


def _code_in_value(value: str) -> bool:
    """A command, a reference or more syntax among the words: an option, a path or URL, a template, another
    setting or a literal (`pw = a b  msg = "…"`)."""
    return any(
        word.startswith(('-', '"', "'", '`', '(', '[', '{'))
        or '/' in word
        or '=' in word
        or '${' in word
        or '{{' in word
        for word in value.split()
    )


# Words of the messages and instructions that sit under a password's name in config files and docs.
_PROSE_WORDS = frozenset(
    'not no none see same use enter type please must should will can may required optional empty blank here above '
    'below ask asked prompt prompted set unset change needed leave left default if when only any every whatever like '
    'min max random per auto generated stored provided injected managed filled defined override local rotate works '
    'character characters chars environment via ops wiki config'.split()
)


def _phrase_in_its_file(match: re.Match[str], text: str, path: str) -> str | None:
    """Where words after a name are a setting's value (code files are skipped by extension): not in
    nsswitch.conf (`passwd: files systemd` names sources); and after a bare blank only where that is the syntax
    (msmtprc's and netrc's `password X`, .properties), not in PAM's `password required pam_unix.so` or pf.conf's
    `pass out all keep state`."""
    name = path.rpartition('/')[2].lower()
    if name == 'nsswitch.conf':
        return 'a system table, not a config line'
    if not match['sep'].strip() and not (name.endswith(('msmtprc', 'netrc', '.properties'))):
        return 'words after a word, not a setting'
    return None


_GOOD = (
    # Minified code: a render pass, a string built around code, a template literal.
    'for(this.renderPass="translucent",this.currentLayer=0;',
    'o.params.push("access_token="+(i||j.ACCESS_TOKEN||""));',
    'n.warn("bad argument to arrayDefaultKey: "+t),t.substr(0,t.length-1)+"defaults"}',
    'a=a.concat(Jn({key:`${r}[${o}]`,value:e[o],valueSpec:n.geometry_type}))',
    'password = os.getenv("DB_PASSWORD")',
    'token = os.environ["API_TOKEN"]',
    'const apiKey = process.env.API_KEY;',
    'password: ${DB_PASSWORD}',
    'token: ${{ secrets.GITHUB_TOKEN }}',
    'password: "{{ vault_db_password }}"',
    'api_key = "<your-api-key>"',
    'API_KEY=your-api-key-here',
    'password = "changeme"',
    'secret: "xxxxxxxxxxxxxxxx"',
    'password = get_password()',
    'token = self.token',
    'password: str',
    'def login(password: Optional[str] = None):',
    'api_key = "example-key-1234"',
    'secret = "********"',
    '"token_type": "bearer"',
    'public_key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"',
    'checksum_key = "3f786850e387550fdab836ed7e6dc881de23001b"',
    'api_key_id = "550e8400-e29b-41d4-a716-446655440000"',
    'token_url = "https://oauth2.googleapis.com/token"',
    'author = "Ada Lovelace"',
    'password_file = "/run/secrets/db"',
    'SECRET_KEY = "django-insecure-dummy"',
    'secret_key = "abcdefghijklmnop"',
    'monkey = "a8F3kLq9Zx2Pv7Rt"',
    '"ARN": "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3",',
    '"KeyStorePassword": "The password for the kmsuser CU account in the specified cluster.",',
)


def _generic_rule(**fields: object) -> CaseFoldedRule:
    """A rule of this family: a secret-named key's value, an error, judged by the name and value filters."""
    return CaseFoldedRule(category='secret', severity='error', filters=_FILTERS, **fields)


RULES = (
    _generic_rule(
        id='generic-secret',
        why='A password, token or key written into the code or config: everyone with the repository has it.',
        fix='Rotate it, then read it at run time from the environment (os.environ["NAME"]) or a secret manager.',
        pattern=_PATTERN,
        keywords=('pass', 'pwd', 'pw', 'secret', 'token', 'key', 'auth', 'credential', 'bearer'),
        path_filters=_PATH_FILTERS,
        examples_bad=(
            Fake('JWT_SECRET=', (ALNUM, 48)),
            Fake('password = "', (ALNUM, 14), '"'),
            Fake('  "client_secret": "', (ALNUM, 32), '",'),
            Fake('export API_TOKEN=', (ALNUM, 40)),
            Fake('apiToken := "', (BASE64, 40), '"'),
            Fake('<apiToken>\n    ', (ALNUM, 32), '\n</apiToken>'),
            Fake('System.setProperty("SERVICE_TOKEN", "', (ALNUM, 32), '")'),
            'const adminPass = "letmein";',
            'this.dbPass="postgres123"',
        ),
        examples_good=_GOOD,
    ),
    _generic_rule(
        id='generic-secret-xml',
        why='A password, token or key in an XML / .config key-value entry: everyone with the repository has it.',
        fix='Move it to user secrets, the environment or a secret manager and reference it from the config.',
        pattern=_XML_ATTRIBUTE,
        keywords=('value="', 'value=\\"', 'key="', 'name="', 'key=\\"', 'name=\\"'),
        path_filters=_PATH_FILTERS,
        examples_bad=(
            Fake('<add key="StorageSecret" value="', (ALNUM, 32), '" />'),
            Fake('<entry key="db.password">', (ALNUM, 16), '</entry>'),
        ),
        examples_good=(
            '<add key="StorageSecret" value="$(StorageSecret)" />',
            '<add key="TokenLifetime" value="3600" />',
        ),
    ),
    _generic_rule(
        id='generic-secret-pair',
        why='A password, token or key given as the value of a secret-named entry (an env list, a task definition): '
        'everyone with the repository has it.',
        fix='Reference a secret instead (Kubernetes `valueFrom: secretKeyRef`, ECS `secrets`, compose `secrets:`) '
        'and rotate the value.',
        pattern=_PAIR,
        # `value` alone is on every other line of code (and `value=` in every Python signature): its key's
        # spellings before a colon, and Terraform's `variable "`.
        keywords=('value:', 'value":', "value':", 'value :', 'variable "'),
        examples_bad=(
            'env:\n  - name: DB_PASSWORD\n    value: postgres123',
            Fake('{"name": "API_TOKEN", "value": "', (ALNUM, 32), '"}'),
            Fake('- Name: STRIPE_SECRET_KEY\n  Value: "', (ALNUM, 32), '"'),
            Fake('variable "db_password" {\n  type    = string\n  default = "', (ALNUM, 16), '"\n}'),
        ),
        examples_good=(
            '- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:',
            '- name: DB_PASSWORD\n  value: ${DB_PASSWORD}',
            '- name: PASSWORD_RESET_URL\n  value: https://example.com/reset',
            '{"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db"}',
        ),
    ),
    _generic_rule(
        id='generic-secret-properties',
        why='A password, token or key in a Java .properties file: everyone with the repository has it.',
        fix='Read it from the environment (`${DB_PASSWORD}` in Spring) or a secret manager, and rotate it.',
        pattern=_PROPERTIES,
        keywords=('pass', 'pwd', 'pw', 'secret', 'token', 'key', 'auth', 'credential', 'bearer'),
        path_pattern=r'\.properties$',
        path_words=('.properties',),
        examples_bad=('db.password postgres123', Fake('api.token ', (ALNUM, 32))),
        examples_good=('password.label Password', 'login.password Enter your password', 'db.password ${DB_PASSWORD}'),
    ),
    CaseFoldedRule(
        id='generic-secret-phrase',
        category='secret',
        severity='error',
        why='A password of several words (an app password, a passphrase) in a config file: everyone with the '
        'repository has it.',
        fix='Rotate it (revoke the app password), then read it at run time from the environment or a secret manager.',
        pattern=_PHRASE,
        keywords=('pass', 'pwd', 'pw'),
        filters=(_phrase_noise,),
        path_filters=(_phrase_in_its_file, _message_in_locale_file),
        skip_extensions=tuple(sorted(_CODE_EXTENSIONS)),  # code: Ruby's `password = fetch_password user`
        examples_bad=(
            'smtp_password: abcd efgh ijkl mnop',
            '[smtp]\npassword = correct horse battery staple',
            '[smtp]\nsmtp_pass = kfzk nhtu ndye bybx',
            'services:\n  app:\n    environment:\n      - SMTP_PASSWORD=nfzg jfew mzho nvlq',
            'set smtp_pass=blqo bmvo kghu icza',
            'AuthPass=zqrb ogty tucv ciro',
        ),
        examples_good=(
            'password: Your database password',
            'password = pass show mail/gmail',
            'pass out all keep state',
            'password: gpg -d ~/.pw.gpg',
            'password: xxxx xxxx xxxx xxxx',
            'password_hint: abcd efgh ijkl mnop',
            'token: abcd efgh ijkl mnop',
            'password: Must be at least 8 characters',
        ),
    ),
)
