"""Whether a value stands in for a credential rather than being one, judged on the whole value.

People build passwords around words: `S3cr3tTr4d3rPw!`, `Mockingbird#42`, `postgres123`, `Admin@123`,
`redis_secret` contain `secret`, `mock`, `postgres`, `admin` and are real (if weak) passwords. So no
word, mask or marker found *inside* a value makes it a placeholder; the value as a whole must be one:

* a reference in a syntax that expands it: `${DB_PASSWORD}`, `$DB_PASSWORD`, `{{ vault_pw }}`, `%(pw)s`,
  `#{pw}`, `env(PW)`, a YAML tag (`!vault |`); or a wrapper around a name: `<password>`, `[TOKEN]`,
  `{password}`, `(db-password)`, `%DB_PASSWORD%` (`$uperTr4der2024` and `<Tr4der!24>` are passwords);
* a mask: nothing but `*`, `x`, `.`, `•` (`********`, `xxxxxxxx`), maybe after a token prefix
  (`sk_live_xxxxxxxxxxxx`), or one character repeated;
* a provider's documented key, which ends in `EXAMPLE` (AWS: `AKIAIOSFODNN7EXAMPLE`, `…/bPxRfiCYEXAMPLEKEY`);
* an instruction to the reader: plain words led by `your`, `insert`, `replace` … or ending in `here`,
  separated (`your-stripe-key`, `INSERT_TOKEN_HERE`); random letters after `your` are a password;
* stand-in words: words of the vocabulary, one of which says "not real" (`changeme`, `dummy-password-1`,
  `example-key-123456`, `test1234`), or one bare word naming the value (`password`, `secret`, `admin`,
  `s3cr3t`). Naming words with a number or with each other are a password a person chose
  (`Password1`, `admin123`, `redis_secret`).
"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex

# Values that are really a reference to something else: env lookups, templates, format fields, YAML tags (`!vault |`).
# `$NAME` only in one case throughout (`$DB_PASSWORD`, `$db_pass`): `$uperTr4der2024` is a password. Wrappers
# (`<…>`, `[…]`, `{…}`, `(…)`, `%…%`) only around a name: words, maybe with spaces, and no symbol.
_NAME_INSIDE = r'[ \t]*[A-Za-z_][\w .\-]*[ \t]*'
_REFERENCE = LazyRegex(
    r"""^(?:\$\{[^}]*\}|\$\{\{[^{}]*\}\}|\{\{resolve:[\w-]+:[^{}]*\}\}|@Microsoft\.KeyVault\([^()]*\)|ref\+\w+://\S*|\$\(.*\)|\$[A-Z_][A-Z0-9_]*|\$[a-z_][a-z0-9_]*|%\(\w*\)[sdr]|%[sdr]|\{\{[\w\s.|:'"()\[\]-]*\}\}"""
    r"""|#\{[^}]*\}|@[\w.]+@|__\w+__|env\(.*\)|![A-Za-z]\w*\s.*"""
    rf"""|<{_NAME_INSIDE}>|\[{_NAME_INSIDE}\]|\{{{_NAME_INSIDE}\}}|\({_NAME_INSIDE}\)|%{_NAME_INSIDE}%|\{{\}})$""",
)
# Every form above starts with one of these; the regex is compiled only for values that do.
# `${{ secrets.X }}` (GitHub Actions), `{{resolve:ssm-secure:…}}` (CloudFormation), `@Microsoft.KeyVault(…)` (Azure App
# Service), `ref+vault://…` (helmfile's vals) name a secret store's entry.
_REFERENCE_STARTS = ('$', '%', '{', '#{', '<', '[', '@', '__', 'env(', '!', '(', 'ref+')
# Characters documentation masks a value with; a mask is a whole value of them (after a token prefix).
_MASK_CHARS = frozenset('*xX.\u2022\u2026')
# A token prefix before a mask: `sk_live_`, `ghp_`, `AKIA`; letters, digits and separators.
_PREFIX_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')
# A stand-in spelled as words: only letters, digits and separators (a chosen password has symbols).
_WORD_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.-')
_SEPARATORS = str.maketrans('_.-', '   ')
# Leetspeak spellings of stand-ins, compared on the lower-cased value before splitting it into words.
_LEET = (
    ('p@ssw0rd', 'password'),
    ('p@$$w0rd', 'password'),
    ('pa$$w0rd', 'password'),
    ('pa$$word', 'password'),
    ('p@ssword', 'password'),
    ('passw0rd', 'password'),
    ('p4ssw0rd', 'password'),
    ('p4ssword', 'password'),
    ('s3cr3t', 'secret'),
    ('s3cret', 'secret'),
    ('secr3t', 'secret'),
    ('t0ken', 'token'),
)
# First words that announce an instruction to the reader: `your-api-key`, `insert_token`, `replace-me`.
_LEADS = frozenset({'your', 'insert', 'replace', 'enter', 'put', 'paste', 'fill', 'add', 'change', 'generate', 'set'})
# Words that say "not real": one of them among vocabulary words makes the value a stand-in.
_MARKERS = frozenset(
    """
    your yours my our here there goes insert replace enter paste fill changeme real none null nil undefined empty
    example examples sample samples dummy fake fakes placeholder redacted removed hidden masked omitted todo fixme tbd
    foo bar baz qux quux foobar lorem ipsum mock mocked test tests testing demo xxx dont not no very super top
    some the this that
""".split()
)
# Words that name the value or its account: alone they stand in (`password`, `admin`); with a number or with
# each other they are what people choose (`Password1`, `admin123`, `redis_secret`).
_NAMING = frozenset(
    """
    password passwords passwd pass pwd pw passphrase passcode pin secret secrets token tokens key keys api apikey access
    auth credential credentials private client app application db database user username admin administrator root service
    account jwt signing session encryption master bearer webhook login name id new old generated random value string str
    it its put add change set me to in for of with and or default dev development local localhost
    prod production staging stage insecure unsafe temp tmp secure use postgres mysql redis mongo guest hunter scott
    django flask rails a an
""".split()
)
_VOCABULARY = _MARKERS | _NAMING
_LONGEST_WORD = max(map(len, _VOCABULARY))
_MAX_DIGITS = 6  # `example-key-123456`, `test1234`; a longer number is part of a real value


def is_placeholder(value: str) -> bool:
    """True when the whole value stands in for a credential; a value that merely contains such a word is not one."""
    if _is_reference(value) or _is_masked(value) or documented_example(value) or len(set(value)) == 1:
        return True
    if _grouped_mask(value):
        return True
    value = _unleet(value)
    return bool(value) and _WORD_CHARS.issuperset(value) and (_instruction(value) or _stand_in_words(value))


def documented_example(value: str) -> bool:
    """AWS marks the keys its documentation prints with `EXAMPLE` at the start or the end (`AKIAIOSFODNN7EXAMPLE`,
    `…/bPxRfiCYEXAMPLEKEY`, the session token `AQoEXAMPLEH4aoAH0…`, `EXAMPLEwm…`): a shape of the whole value.
    In the middle of a value (`Tr4derEXAMPLE!x9`) it is part of a password."""
    at = value.find('EXAMPLE')
    return at >= 0 and (at <= 4 or value.endswith(('EXAMPLE', 'EXAMPLEKEY')))


def _is_reference(value: str) -> bool:
    if (
        value.startswith('{')
        and (encoder := value.find('}')) > 1
        and value[1:encoder].isalnum()
        and len(value) > encoder + 1
    ):
        value = value[encoder + 1 :]  # Spring's encoder id before the password: `{noop}${ADMIN_PASSWORD}` names one
    return value.startswith(_REFERENCE_STARTS) and _REFERENCE.match(value) is not None


def _grouped_mask(value: str) -> bool:
    """`xxxx-xxxx-xxxx-xxxx`, `XXXX XXXX XXXX XXXX`, `****-****`: a mask in a key's or app password's groups."""
    groups = value.replace(' ', '-').split('-')
    return len(groups) > 1 and all(len(group) >= 2 and _MASK_CHARS.issuperset(group) for group in groups)


def _is_masked(value: str) -> bool:
    """`********`, `xxxxxxxx`, `...`, `sk_live_xxxxxxxx`, `AKIA****`: a mask, maybe after a short token prefix."""
    end = len(value)
    while end and value[end - 1] in _MASK_CHARS:
        end -= 1
    mask = len(value) - end
    if not end:
        return mask >= 3
    if end >= 16 and value.endswith(('...', '\u2026')) and '...' not in value[:end]:
        return True  # a long value cut short for the page (`eyJ2IjoiMSIsInMiOjEsImMiOi...`): a sample, not a value
    return mask >= 4 and end <= 12 and all(c in _PREFIX_CHARS for c in value[:end])


def _unleet(value: str) -> str:
    """`P@ssw0rd1` reads as `password1`, `s3cr3t` as `secret` (lower-cased then; the vocabulary test needs no humps)."""
    lower = value.lower()
    for spelled, plain in _LEET:
        lower = lower.replace(spelled, plain)
    return value if lower == value.lower() else lower


def _stand_in_words(value: str) -> bool:
    """`changeme`, `dummy-password-1`, `ExampleKey`, `password`: a bare naming word, or vocabulary words with a marker."""
    tokens = _tokens(value)
    numbers = [t for t in tokens if t.isdigit()]
    words = [t.lower() for t in tokens if not t.isdigit()]
    if not words or len(numbers) > 2 or sum(map(len, numbers)) > _MAX_DIGITS:
        return False
    if len(words) == 1 and not numbers and words[0] in _NAMING:
        return True
    for spelled in ([_spelling(w) for w in words], [_spelling(''.join(words))]):  # `Change|Me` reads as `changeme`
        if all(spelled) and any(part in _MARKERS for parts in spelled for part in parts or ()):
            return True
    return False


def _tokens(value: str) -> list[str]:
    """Words and numbers of a words-only value: `ExampleKEY12` -> Example, KEY, 12.

    As `re.findall(r'[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\\d+', value)` on ASCII text (string methods:
    no pattern to compile on a clean commit).
    """
    tokens = []
    i, size = 0, len(value)
    while i < size:
        char = value[i]
        j = i + 1
        if char.isdigit():
            while j < size and value[j].isdigit():
                j += 1
        elif char.islower() or char.isupper() and j < size and value[j].islower():
            while j < size and value[j].islower():
                j += 1
        elif char.isupper():  # capitals not starting a word: all but the one before a lower-case letter
            while j < size and value[j].isupper():
                j += 1
            if j < size and value[j].islower():
                j -= 1
        else:
            i = j
            continue
        tokens.append(value[i:j])
        i = j
    return tokens


def _instruction(value: str) -> bool:
    """`your-stripe-key`, `INSERT_TOKEN_HERE`, `paste.your.key.here`, `minio-secret-key-change-me`: separated plain
    words led by an instruction, or ending in one."""
    segments = value.translate(_SEPARATORS).split()
    tail = [s.lower() for s in segments[-2:]]
    if len(segments) < 2 or not (
        segments[0].lower() in _LEADS
        or tail[-1] in ('here', 'changeme', 'replaceme')
        or tail in (['change', 'me'], ['replace', 'me'])
    ):
        return False
    # Plain words, each in one case: random letters mix cases (`yourTftIeyFe` is a password).
    return all(s.isalpha() and (s.islower() or s.isupper() or s.istitle()) for s in segments)


def _spelling(word: str) -> list[str] | None:
    """`yourapikeyhere` -> [your, api, key, here]: the vocabulary words the whole word splits into, or None."""
    if word in ('a', 'an'):
        return [word]  # articles only as words of their own
    ends: list[int | None] = [0] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_WORD), end):
            if ends[start] is not None and word[start:end] in _VOCABULARY and word[start:end] not in ('a', 'an'):
                ends[end] = start
                break
    if ends[-1] is None:
        return None
    parts = []
    end = len(word)
    while end:
        begin = ends[end]
        if begin is None:  # cannot happen: every end on the path back from a reached end was reached
            return None
        parts.append(word[begin:end])
        end = begin
    return parts[::-1]


_SEQUENCES = ('0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl')


def is_repetitive(value: str) -> bool:
    """`aaaaaaaa`, `abababab`, `12345678`, `abcdefgh`: too few distinct characters or a keyboard run."""
    if len(set(value)) <= max(3, len(value) // 8):
        return True
    lower = value.lower()
    longest = 0
    for sequence in _SEQUENCES:
        for i in range(len(sequence) - 5):
            size = 6
            while i + size <= len(sequence) and sequence[i : i + size] in lower:
                longest = max(longest, size)
                size += 1
    # A keyboard or counting run that is most of the value: `12345678`, `abcdefgh1`.
    return longest >= 6 and longest * 2 >= len(value)
