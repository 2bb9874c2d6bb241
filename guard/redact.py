"""How a secret is shown: never whole. The one masker for everything guard prints, stores or sends.

`mask()` hides one known secret; `mask_spans()` hides the spans secret rules matched; `scrub()` hides
credential-bearing parts of any text whatever found it (or nothing did): URL passwords, values of
password/secret/token/key-named settings, `Authorization:` headers and `--password VALUE` options.
Excerpts, audit details, error messages, webhook and health output all pass `scrub()`.

The scrub pattern is compiled on first use: a clean commit prints no excerpt and never pays for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from guard.lazy_regex import LazyRegex

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MASK = '*'
_MASKED = MASK * 8

# Names whose value is a credential: password, passwd, DB_PASS (not passive), secret, token, and
# any *_key but the structural ones (primary_key, sort_key, public_key ...).
_STRUCTURAL_KEYS = (
    'primary',
    'foreign',
    'sort',
    'partition',
    'cache',
    'unique',
    'lookup',
    'public',
    'routing',
    'shard',
    'row',
    'group',
    'index',
    'composite',
    'surrogate',
    'hash',
    'map',
    'dict',
    'hot',
)
# The separator is read before the structural names are looked back at: tried the other way round, each of
# the nineteen lookbehinds ran at every character of every name (a short line cost 27 µs to scrub).
_CREDENTIAL_WORD = (
    r'pass(?:word|wd|phrase)|(?<![a-z])pass(?![a-z])|pwd|secret|token|credentials?|api[_-]?key|apikey'
    + r'|[_.-]'
    + ''.join(f'(?<!{word}[_.-])' for word in _STRUCTURAL_KEYS)
    + r'key(?![a-z])'
)
# One token of [\w.-] holding a credential word. Checked by a lookahead, then read possessively: as
# `[\w.-]*WORD[\w.-]*` a long run with no `=` after it was retried at every split (quadratic). Each
# character is first tested against the words' first letters: most start none, and skip the alternation.
_NAME = rf'(?=[\w.-]*?(?=[pstca_.-])(?:{_CREDENTIAL_WORD}))[\w.-]++'
# A value: quoted (mask inside the quotes), or bare up to whitespace or a quote. A bare value that is
# a call or subscript (`os.environ['X']`, `get_password()`) is code, not a credential, and stays.
_VALUE = (
    r'"(?P<{n}dq>[^"\n]*)"'
    r"|'(?P<{n}sq>[^'\n]*)'"
    r'|(?![A-Za-z_][\w.]*[(\[])(?P<{n}bare>[^\s\'"]+)'
)
_SCRUB_PATTERN = (
    # scheme://user:PASSWORD@host and user:PASSWORD@tcp(host) are found token by token in code
    # (`_userinfo_spans`): as regexes they rescan the rest of a long token from every `a://`.
    # curl -u user:PASSWORD, --user user:PASSWORD
    r'(?<![\w-])(?:-u|--user)[ \t]+["\']?[^\s:\'"]++:(?P<userpw>[^\s\'"]+)'
    # <password>VALUE</password> in XML
    rf'|<(?P<tag>{_NAME})>(?P<xml>[^<\n]+)</(?P=tag)>'
    # Authorization: Basic|Bearer|token VALUE (HTTP headers, curl -H, config files).
    r'|(?<![\w-])(?:proxy-)?authorization["\']?\s*[:=]\s*["\']?'
    r'(?:(?:basic|bearer|token|digest|negotiate|apikey)\s+)?(?P<auth>[^\s\'",]+)'
    # ?password=VALUE&... in JDBC and other query strings: the value ends at the next &.
    rf'|(?<=[?&;])(?:{_NAME})=(?P<query>[^&\s\'"#]*)'
    # NAME = VALUE, NAME: VALUE at the start of a line (INI, YAML, TOML): a bare value runs to the end
    # of the line or a ` #` comment, so a password with spaces is hidden whole. Shell and env style
    # NAME=VALUE (no space around =) ends at whitespace, as the shell reads it: the assignment form below.
    rf'|^[ \t]*(?:-[ \t]+)?(?P<lq>["\']?)(?:{_NAME})(?P=lq)(?:[ \t]+=|=[ \t]|:)[ \t]*'
    r'(?![\'"]|[A-Za-z_][\w.]*[(\[])(?P<line>[^\s#][^\n]*?)(?=[ \t]+#|[ \t]*\r?$)'
    # --password VALUE on a command line (--password=VALUE is the assignment form below).
    rf'|(?<![\w-])--{_NAME}\s+(?!-)(?:{_VALUE.format(n="opt")})'
    # NAME = VALUE, NAME: VALUE, "NAME": "VALUE", NAME => VALUE: env, shell (export X=), INI, YAML,
    # JSON, TOML, supervisor environment=A="x",B="y", libpq DSNs (password=...), keyword arguments.
    rf'|(?<![\w.-])(?P<q>["\']?)(?:{_NAME})(?P=q)\s*(?:=>|:=|==?|:)\s*(?:{_VALUE.format(n="as")})'
)
# Every scrub match contains one of these; a text with none of them is returned as it is.
_HINTS = (
    '://',
    'pass',
    'pwd',
    'secret',
    'token',
    'credential',
    'key',
    'auth',
    '@tcp(',
    '@udp(',
    '@unix(',
    '-u',
    '--user',
)
# Every match of the pattern holds one of these: an operator (`=`, `:`), a tag's `<` or an option's `--`.
_SCRUB_MARKS = ('=', ':', '<', '--')
# The group holding the value to mask, one per alternative above.
_VALUE_GROUPS = ('userpw', 'xml', 'auth', 'query', 'line', 'optdq', 'optsq', 'optbare', 'asdq', 'assq', 'asbare')
# A token for the userinfo forms: no white space or quote.
_TOKEN = r'[^\s\'"]++'
_GO_DSN_HOSTS = ('@tcp(', '@udp(', '@unix(')
_SCRUB = LazyRegex('(?im)' + _SCRUB_PATTERN)
_TOKENS = LazyRegex(_TOKEN)


def mask(value: str) -> str:
    """`ghp_AbCd…` -> `ghp_********`: at most 4 characters, fewer for short values, then a fixed mask.

    The mask length does not depend on the secret, so it does not reveal the length either.
    """
    shown = min(4, len(value) // 4)
    return value[:shown] + _MASKED


def mask_spans(line: str, spans: list[tuple[int, int]]) -> str:
    """Replace each (start, end) span of `line` with its masked form; overlapping spans are masked as one
    (masking the rest of a span on its own would show that rest's first characters)."""
    out = []
    pos = 0
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif start < end:
            merged.append([start, end])
    for start, end in merged:
        out.append(line[pos:start])
        out.append(mask(line[start:end]))
        pos = end
    out.append(line[pos:])
    return ''.join(out)


def scrub(text: str) -> str:
    """`text` with every credential-bearing part masked, whatever produced the text.

    Safe to apply twice: a value already masked is left as it is. Empty values (`password = ""`)
    and URLs without a password are unchanged.
    """
    spans = scrub_spans(text)
    return mask_spans(text, spans) if spans else text


def scrub_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of `text` that `scrub()` masks: credential values of the known forms.

    Linear in the text: the regex alternatives each start at a bounded set of places and never
    rescan a token's rest from inside it; the userinfo forms are found token by token.
    """
    # Most excerpts (an IP, a home path) hold no credential at all: a few substring tests say so.
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return []
    spans = _userinfo_spans(text) if '@' in text else []
    if not any(mark in text for mark in _SCRUB_MARKS):
        return spans  # a `.netrc` line of 30,000 (`machine h login u password X`) needs no pass of the pattern
    for match in _SCRUB.finditer(text):
        for group in _VALUE_GROUPS:
            start, end = match.span(group)
            if start >= 0:
                if unmasked(text[start:end]):
                    spans.append((start, end))
                break
    return spans


def _userinfo_spans(text: str) -> list[tuple[int, int]]:
    """The passwords of scheme://user:PASSWORD@host (any scheme: redis://:pw@, mongodb+srv://, the
    unix-socket form postgresql://u:pw@/db) and Go's user:PASSWORD@tcp(host) DSNs, one token at a time.
    A password runs to the token's last `@` (or last `@tcp(`), so an unencoded `@` in it is hidden too."""
    spans = []
    for token in _TOKENS.finditer(text):
        value = token[0]
        at = value.rfind('@')
        if at < 0:
            continue
        base = token.start()
        span = _url_password(value, at) or _go_dsn_password(value)
        if span and unmasked(value[span[0] : span[1]]):
            spans.append((base + span[0], base + span[1]))
    return spans


def _url_password(token: str, at: int) -> tuple[int, int] | None:
    """(start, end) of the password in `token` for scheme://user:PASSWORD@ before `at`, else None."""
    sep = token.find('://', 0, at)
    while sep > 0:
        begin = sep
        while begin > 0 and (token[begin - 1].isalnum() and token[begin - 1].isascii() or token[begin - 1] in '+.-'):
            begin -= 1
        while begin < sep and not token[begin].isalpha():  # a scheme starts with a letter
            begin += 1
        if begin < sep and (begin == 0 or not (token[begin - 1].isalnum() or token[begin - 1] in '_+.-')):
            user_end = sep + 3
            while user_end < at and token[user_end] not in ':/@':
                user_end += 1
            if user_end < at and token[user_end] == ':':
                return user_end + 1, at
        sep = token.find('://', sep + 3, at)
    return None


def _go_dsn_password(token: str) -> tuple[int, int] | None:
    """(start, end) of the password in user:PASSWORD@tcp(host) (Go's MySQL DSN has no scheme)."""
    end = max(token.rfind(host) for host in _GO_DSN_HOSTS)
    if end < 0:
        return None
    begin = 0
    while begin < end:  # a run of [\w.-] at a token start or after another character, then `:`
        colon = token.find(':', begin, end)
        if colon < 0:
            return None
        run = colon
        while run > begin and (token[run - 1].isalnum() or token[run - 1] in '_.-'):
            run -= 1
        if run < colon and (run == 0 or not (token[run - 1].isalnum() or token[run - 1] in '_.-')) and colon + 1 < end:
            return colon + 1, end
        begin = colon + 1
    return None


def unmasked(value: str) -> bool:
    """Not empty and not masked already (scrub applied twice leaves a masked value as it is)."""
    return bool(value) and not value.endswith(_MASKED) and bool(value.strip(MASK))


def scrub_any(value: Any, *, scrub: Callable[[str], str] = scrub) -> Any:
    """A copy of `value` safe to store or send: `scrub` through mappings and sequences, and the
    whole value under a credential-named key (`password`, `api_key`, `auth`) masked.

    `scrub`: guard.scan.redaction passes its scrubber, which also masks what the secret rules match."""
    if isinstance(value, Mapping):
        return {
            str(k): _masked_value(v) if is_credential_name(str(k)) else scrub_any(v, scrub=scrub)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub_any(item, scrub=scrub) for item in value]
    if isinstance(value, str):
        return scrub(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub(str(value))


def is_credential_name(name: str) -> bool:
    """True for a setting, field or header name whose value is a credential (`DB_PASSWORD`, `authToken`)."""
    import re

    return re.search(_CREDENTIAL_WORD + '|auth', name, re.IGNORECASE) is not None


def _masked_value(value: Any) -> Any:
    if value is None or value == '':
        return value
    return mask(value) if isinstance(value, str) else _MASKED


# A positional word kept as it is: a subcommand or a path of lowercase words (`stop`, `compose`,
# `./scripts/stop.sh`, `flush-logs`). Anything else (digits, capitals, symbols) could be a secret.
_PLAIN_WORD = r'[a-z_][a-z_.-]{0,23}|\.{0,2}/?(?:[a-z_][a-z_.-]*/)*[a-z_][a-z_.-]*'
_COMMAND_MASK = '***'
# Words a command's output may repeat that are no secret: plain words and option names (`--password`).
_KEPT = rf'{_PLAIN_WORD}|--?[a-z][a-z-]*'


def mask_command_line(command: str) -> str:
    """A command line as the audit may store it: default-deny, whatever the program.

    The program and the shape stay (options, subcommands, plain paths); every value that could be a
    credential is replaced by `***`: any option's value (`--key X`, `--auth=X`, `-P X`, `-pPASS`, since
    guard cannot know which options take one), `NAME=VALUE` whole, a URL's userinfo, path and query (tokens
    and webhook paths: `https://hooks.slack.com/***`), and any word that is not plain lowercase.
    `scrub()` is the second layer for text that is not a command line.
    """
    import re
    import shlex

    try:
        argv = shlex.split(command)
    except ValueError:
        return _COMMAND_MASK  # unbalanced quotes: no structure to keep
    if not argv:
        return ''
    out = [_masked_program(argv[0])]
    after_option = False
    for token in argv[1:]:
        if token == '--':
            out.append(token)
            after_option = False
        elif token.startswith('--') and re.fullmatch(r'--[a-z][a-z-]*', token.partition('=')[0]):
            name, eq, _ = token.partition('=')
            out.append(name + ('=' + _COMMAND_MASK if eq else ''))
            after_option = not eq
        elif token.startswith('--'):  # no option's name (`-P --222222`): a value that starts with dashes
            out.append(_COMMAND_MASK)
            after_option = False
        elif token.startswith('-') and len(token) > 1:
            out.append(token[:2] + (_COMMAND_MASK if len(token) > 2 else ''))
            after_option = len(token) == 2
        elif '://' in token and not after_option:  # an option's value is masked whole, a URL too
            out.append(_masked_url(token))
            after_option = False
        elif after_option or not re.fullmatch(_PLAIN_WORD, token):
            out.append(_COMMAND_MASK)  # NAME=VALUE too: base64 ends in `=`, so the "name" may be the secret
            after_option = False
        else:
            out.append(token)
    return ' '.join(out)


def _masked_program(program: str) -> str:
    import shlex

    if '://' in program:
        return _masked_url(program)
    return shlex.quote(program)


def _masked_url(token: str) -> str:
    """scheme://host[:port] kept; userinfo, path, query and fragment masked."""
    import re

    scheme, _, rest = token.partition('://')
    if not re.fullmatch(r'[a-z][a-z+.-]{0,23}', scheme):
        return _COMMAND_MASK  # no plain scheme (`AUTH A2222://`): nothing of it is known to be structure
    # The greediest driver's reading: userinfo runs to the last `@`, since a password may hold `/ ? # @`
    # unencoded (`https://ci:Aa0@Bb1/Cc2@git.example.test/`); the host is what follows it.
    userinfo, at, rest = rest.rpartition('@')
    host = rest
    for stop in '/?#':
        host = host.split(stop, 1)[0]
    shown = f'{scheme}://' + (_COMMAND_MASK + '@' if at or not host else '') + host
    return shown + ('/' + _COMMAND_MASK if len(rest) > len(host) else '')


def mask_url(url: str) -> str:
    """A URL as it may be shown when its password may hold any character (`@ : / # ?` unencoded):
    `scheme://***@host...`, with everything up to the URL's last `@` hidden, the reading of the
    greediest driver; without `@`, the URL scrubbed (`?password=` values). Not a URL at all: `***`."""
    scheme, sep, rest = url.strip().partition('://')
    if not sep or not scheme.isascii() or not scheme.replace('+', '').replace('-', '').replace('.', '').isalnum():
        return _COMMAND_MASK  # no structure to keep (a forgotten scheme leaves `user:password@host`)
    if '@' not in rest:
        return scrub(url.strip())
    return scrub(f'{scheme}://{_COMMAND_MASK}@{rest.rpartition("@")[2]}')


def url_secrets(url: str) -> tuple[str, ...]:
    """Every reading of a URL's password a driver might make, longest first: whatever lies between the
    user name's `:` and the URL's last `@` (the greedy userinfo), whole and split at `@ : / # ?`.

    A driver that splits `postgresql://u:Tr0ub@Zebra42@host` at the first `@` says it cannot resolve
    the host "Zebra42@host": its message must lose every piece, not just the password SQLAlchemy parsed.
    Pieces shorter than 3 characters are left: replacing them would mangle the message, not hide a secret.
    """
    import re

    _, sep, rest = url.strip().partition('://')
    if not sep or '@' not in rest:
        return ()
    _, colon, password = rest.rpartition('@')[0].partition(':')
    if not colon or not password:
        return ()
    found = {password} | set(re.split(r'[@:/#?]', password))
    return tuple(sorted((p for p in found if len(p) >= 3), key=len, reverse=True))


def without(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with each of `secrets` (longest first) replaced by `***`."""
    for secret in secrets:
        text = text.replace(secret, _COMMAND_MASK)
    return text


def command_secrets(command: str) -> tuple[str, ...]:
    """What `mask_command_line` hides of `command`, as the command's own output may echo it (git quotes
    the URL it could not fetch, with the rest of a password holding `@` as its user name): each hidden
    word whole and split at `@ : / = # ? & , ;`, longest first, but no piece the masked line still shows
    (an option's name, a URL's host), no plain lowercase word (the masker keeps those) and none under 3 characters."""
    import re
    import shlex

    try:
        argv = shlex.split(command)
    except ValueError:
        argv = command.split()
    shown = mask_command_line(command)
    found = set()
    for word in argv[1:]:
        glued = word[2:] if word.startswith('-') and not word.startswith('--') else ''  # -pPASS
        for piece in [word, glued, *re.split(r'[\s@:/=#?&,;]', word), *re.split(r'[\s@:/=#?&,;]', glued)]:
            # Plain lowercase words are what the masker itself keeps (`echo "smtp: connection refused"`
            # echoes them back); a phrase is judged by its words.
            if (
                len(piece) >= 3
                and piece not in shown
                and not re.search(r'\s', piece)
                and not re.fullmatch(_KEPT, piece)
            ):
                found.add(piece)
    return tuple(sorted(found, key=len, reverse=True))
