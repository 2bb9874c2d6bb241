"""Whether a value stands in for a credential rather than being one, judged on the whole value.

People build passwords around words: `S3cr3tTr4d3rPw!` and `Mockingbird#42` contain `secret` and
`mock` and are real passwords. So no word found *inside* a value makes it a placeholder; the value
as a whole must read as one (detect-secrets judges the whole value the same way):

* a template or reference: `${DB_PASSWORD}`, `{{ vault_pw }}`, `%(pw)s`, `<password>`, `[TOKEN]`;
* a masked value: a run of `xxxx`, `***` or `...`, or one character repeated (`is_repetitive`);
* a provider's documented key, marked with `EXAMPLE` in capitals (AWS: `…/bPxRfiCYEXAMPLEKEY`,
  `AQoEXAMPLEH4aoAH0…`): a convention, not a word, and case-sensitive, so `Example#42` still counts;
* an instruction to the reader: plain words led by `your`, `insert`, `replace` … or ending in `here`,
  separated (`your-stripe-key`, `INSERT_TOKEN_HERE`); random letters after `your` are a password;
* nothing but stand-in vocabulary, with at most a short number: `changeme`, `example-key-123456`,
  `dummy_password`, `test1234`, `p@ssw0rd`, `s3cr3t`, `hunter2`.
"""
from __future__ import annotations

from guard.lazy_regex import LazyRegex

# Values that are really a reference to something else: env lookups, templates, format fields, YAML tags (`!vault |`).
_REFERENCE = LazyRegex(
    r'''^(?:\$\{[^}]*\}|\$\(.*\)|\$[A-Za-z_]\w*|%\(\w*\)[sdr]|%[sdr]|%\w+%|\{\{[\w\s.|:'"()\[\]-]*\}\}|\{[\w.\[\]]*\}'''
    r'''|#\{[^}]*\}|<[^<>]*>|\[[^\[\]]*\]|@[\w.]+@|__\w+__|env\(.*\)|![A-Za-z]\w*\s.*|\(.*\))$''',
)
# Every form above starts with one of these; the regex is compiled only for values that do.
_REFERENCE_STARTS = ('$', '%', '{', '#{', '<', '[', '@', '__', 'env(', '!', '(')
# How documentation masks a value (`[xX]{4,}|\*{3,}|\.{3}|…|•••`, as substrings). Generated
# credentials practically never hold four x's in a row.
_MASKS = ('***', '...', '\u2026', '\u2022' * 3)
# A stand-in spelled as words: only letters, digits and separators (a chosen password has symbols).
_WORD_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.-')
_SEPARATORS = str.maketrans('_.-', '   ')
# Leetspeak spellings of stand-ins, compared on the lower-cased value before splitting it into words.
_LEET = (('p@ssw0rd', 'password'), ('p@$$w0rd', 'password'), ('pa$$w0rd', 'password'), ('pa$$word', 'password'),
         ('p@ssword', 'password'), ('passw0rd', 'password'), ('p4ssw0rd', 'password'), ('p4ssword', 'password'),
         ('s3cr3t', 'secret'), ('s3cret', 'secret'), ('secr3t', 'secret'), ('t0ken', 'token'))
# First words that announce an instruction to the reader: `your-api-key`, `insert_token`, `replace-me`.
_LEADS = frozenset({'your', 'insert', 'replace', 'enter', 'put', 'paste', 'fill', 'add', 'change', 'generate', 'set'})
# Words a stand-in is made of: what it names (password, api key) and how docs say "not real".
_VOCABULARY = frozenset('''
    password passwords passwd pass pwd pw passphrase passcode pin secret secrets token tokens key keys api apikey access
    auth credential credentials private client app application db database user username admin administrator root service
    account jwt signing session encryption master bearer webhook login name id new old generated random value string str
    your yours my our the some this that it its here there goes put insert replace enter paste fill add change changeme
    set me to in for of with and or not no real none null nil undefined empty default example examples sample samples
    dummy fake fakes placeholder redacted removed hidden masked omitted todo fixme tbd foo bar baz qux quux foobar lorem
    ipsum mock mocked test tests testing demo dev development local localhost prod production staging stage insecure
    unsafe temp tmp xxx secure dont use postgres mysql redis mongo guest hunter tiger scott django flask rails
'''.split())
_LONGEST_WORD = max(map(len, _VOCABULARY))
_MAX_DIGITS = 6  # `example-key-123456`, `test1234`; a longer number is part of a real value


def is_placeholder(value: str) -> bool:
    """True when the whole value stands in for a credential; a value that merely contains such a word is not one."""
    if _is_reference(value) or _is_masked(value) or 'EXAMPLE' in value or is_repetitive(value):
        return True
    value = _unleet(value)
    return bool(value) and all(c in _WORD_CHARS for c in value) and (_instruction(value) or _stand_in_words(value))


def _is_reference(value: str) -> bool:
    return value.startswith(_REFERENCE_STARTS) and _REFERENCE.match(value) is not None


def _is_masked(value: str) -> bool:
    return 'xxxx' in value.replace('X', 'x') or any(mask in value for mask in _MASKS)


def _unleet(value: str) -> str:
    """`P@ssw0rd1` reads as `password1`, `s3cr3t` as `secret` (lower-cased then; the vocabulary test needs no humps)."""
    lower = value.lower()
    for spelled, plain in _LEET:
        lower = lower.replace(spelled, plain)
    return value if lower == value.lower() else lower


def _stand_in_words(value: str) -> bool:
    """`changeme`, `dummy-password-1`, `ExampleKey`: vocabulary words and at most a short number."""
    tokens = _tokens(value)
    numbers = [t for t in tokens if t.isdigit()]
    words = [t.lower() for t in tokens if not t.isdigit()]
    if not words or len(numbers) > 2 or sum(map(len, numbers)) > _MAX_DIGITS:
        return False
    return all(w in ('a', 'an') or _spelled_from_vocabulary(w) for w in words)  # articles only as words of their own


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
    """`your-stripe-key`, `INSERT_TOKEN_HERE`, `paste.your.key.here`: separated plain words led by an instruction."""
    segments = value.translate(_SEPARATORS).split()
    if len(segments) < 2 or not (segments[0].lower() in _LEADS or segments[-1].lower() == 'here'):
        return False
    # Plain words, each in one case: random letters mix cases (`yourTftIeyFe` is a password).
    return all(s.isalpha() and (s.islower() or s.isupper() or s.istitle()) for s in segments)


def _spelled_from_vocabulary(word: str) -> bool:
    """`yourapikeyhere` -> your|api|key|here: the whole word splits into vocabulary words."""
    ends = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_WORD), end):
            if ends[start] and word[start:end] in _VOCABULARY:
                ends[end] = True
                break
    return ends[-1]


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
            while i + size <= len(sequence) and sequence[i:i + size] in lower:
                longest = max(longest, size)
                size += 1
    # A keyboard or counting run that is most of the value: `12345678`, `abcdefgh1`.
    return longest >= 6 and longest * 2 >= len(value)
