"""How a scanned line is shown: default-deny. An excerpt shows what the rules found and plain code around it.

The scrubber (guard.redact) knows credential forms; every form it does not know (`mysql -pX`,
`sshpass -p X`, `auth=("u", "X")`, a pgpass line …) would print in full next to an IP. So an excerpt
does not look for credentials: it shows only what cannot be one and masks everything else.

Shown: the finding's match (an address or a path; a secret's first characters and the mask) and, of
the rest of the line, plain words and identifiers without digits (`pymysql.connect`, `orders`,
`# on`), numbers (`5432`, `1.2.3.4`), paths of plain words and punctuation. Masked whatever its
shape: a string literal's content (a plain-word dictionary key before `:` stays), the text of an
XML element, the value of an assignment (`DB_PW=X`, `password: X`, `port=5432`), an option's
argument (`-u X`, `-pX`, `--user=X`; in a flow list `[--requirepass, X]`, the next item), URL
userinfo (`scheme://X@`, `X@host`), the word after a credential word (`password X`, `IDENTIFIED BY X`),
and after a credential's name (`DB_PASSWORD=X`, `password X`) everything to the end of the line: a
passphrase may hold spaces (`password=Tr4der plum velvet`); a pgpass line's last field. A reported
path shows only plain path characters: what it carries on with (`c.pem:X`, `id=X`, `key@X`) is
masked. Masked by shape: any other token mixing letters with digits or symbols (`mt5_crs`, `u%X`,
`:5432:db:user:X`), with what is glued after it up to the next blank (`0'=00000`). Then the scrubber
runs as a second layer.

Known limits: outside every position above, a bare token of letters alone is shown (`qzhkpwxy`,
`Hunter.Cat`): it is indistinguishable from a word, unless its case flips like a random token's
(`jYWBGKbomHazCahO`) or its capitals run on without vowels (`VNUIKCPQWGYGUBZX`, see _random_case);
so is the part of a bare `a=b` before its `=` (read as a name), a number of up to five digits a group
(`4711`, `12:30`) and a lowercase word glued to one dash (`-psecret` reads as `-storepass` does). Every
credential position above masks them.

Everything here is one left-to-right pass of a few regexes per line (no backtracking into a
nested repeat), so a 1 MB line costs about what it takes to read it. Imported only when a finding
is shown: a clean commit never loads it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from collections.abc import Sequence
from functools import lru_cache

from guard.redact import MASK
from guard.redact import mask
from guard.redact import scrub_spans

DENIED = MASK * 8
_NUL = '\x00'

# A string literal: optional prefix (f, b, r, u), a quote not preceded by a word character (`don't`
# and `ab'c` are not strings), its body up to the closing quote or the end of the line; a doubled
# quote is one inside the body (SQL's and YAML's 'O''Neil'). A quote may follow a literal directly:
# the shell's 'O'"'"'Neil' is three literals, each masked, not one and then plain words (issue 15,
# review 18). Possessive: the body is read once.
# A quote after a word character is an apostrophe (`don't`), except right after a one-letter option: the
# shell's `-p'a passphrase'` (attack 15d finding 02).
_STRING = re.compile(
    r"""(?:(?<![\w\\])[rRbBuUfF]{0,2}+|(?<=[\s'"=]-[A-Za-z])(?=['"]))"""
    r"""(?:"(?P<d>(?:[^"\\]|\\.?|"")*+)"?|'(?P<s>(?:[^'\\]|\\.?|'')*+)'?|`(?P<b>(?:[^`\\]|\\.?)*+)`?)"""
)
# What a dictionary key looks like: it may stay shown before a `:`.
_KEY = re.compile(r'[^\W\d]++(?:[.\-][^\W\d]++)*+')
_KEY_COLON = re.compile(r'[ \t]*+:')
# <tag ...>TEXT</tag>: the element's text.
_XML_TEXT = re.compile(r'<[A-Za-z!?/][^<>]*+>(?P<text>[^<>]++)(?=</?[A-Za-z])')
# <![CDATA[TEXT]]>: text whatever characters it holds (`<![CDATA[` itself reads as a tag to _XML_TEXT);
# unclosed on this line, it runs to the end of the line.
_CDATA = re.compile(r'<!\[CDATA\[(?P<text>(?:[^\]]++|\](?!\]>))*+)')
# NAME = VALUE, NAME=VALUE, NAME: VALUE (YAML: a space after the colon), NAME => VALUE, NAME := VALUE.
# The value's start only (`v` is empty): its end is where the chunk ends, found once per chunk
# (a value holding settings, `a=b;c=d`, is read again from its start).
_ASSIGN = re.compile(r'(?<![\w.\-])[A-Za-z_][\w.\-]*+\x00?[ \t]*+(?:=>|:=|==|=|:(?=[ \t]))[ \t]*+(?P<v>)(?=\S)')
_CALL = re.compile(r'[A-Za-z_][\w.]*+[(\[]')
_CHUNK = re.compile(r'[^\s\x00]++')
_NON_BLANK = re.compile(r'\S*+')
_HOLDS_ALNUM = re.compile(r'[^\W_]')
_USERINFO_CHUNK = re.compile(r'[^\s\x00()\[\]{},;<>]++')
_OPTION = re.compile(r'(--?)([A-Za-z][\w.\-]*+)')
# A path a rule reports: where it starts, and the characters a plain path is made of (a Windows user
# name may hold spaces).
_PATH_START = re.compile(r'(?:~|\.{1,2})?/|[A-Za-z]:[\\/]')
_POSIX_PATH = re.compile(r'[\w.\-/]*+')
_WINDOWS_PATH = re.compile(r'[A-Za-z]:[\w.\- \\/]*+')
_SEGMENT = re.compile(r'[^/\\]++')
_FLOW_END = re.compile(r'[,\]}]')
# A .pgpass line (host:port:database:user:password): the password is all the rest, whatever it holds.
_PGPASS = re.compile(r'[ \t]*+[^:\s]++:(?:\d++|\*):[^:\s]*+:[^:\s]*+:(?P<pw>.)')
_CREDENTIAL_WORD = re.compile(
    r'(?:pass(?:word|wd|phrase|code)?|pwd|pw|secret|token|credentials?|api[_-]?key|apikey|auth)[:=]?$', re.IGNORECASE
)
# A chunk (_CHUNK) that may name the value in the next one (Denials.positions): an option, a chunk ending in a
# credential word (_CREDENTIAL_WORD, maybe a flow list's `,` after it), SQL's `by`.
_NAMES_VALUE = re.compile(
    r'(?<![^\s\x00])(?:-[^\s\x00]*+|[^\s\x00]*?'
    r'(?:pass(?:word|wd|phrase|code)?|pwd|pw|secret|token|credentials?|api[_-]?key|apikey|auth|by)'
    r'[:=]?,?(?![^\s\x00]))',
    re.IGNORECASE,
)
# A stretch with nothing default-deny would mask, and the words that still call for the passes.
_SIMPLE = re.compile(r'[A-Za-z_ \t;,(){}\[\]]*+')
_CREDENTIAL_HINTS = ('pass', 'pw', 'secret', 'token', 'cred', 'key', 'auth', 'login', 'user')
_CREDENTIAL_NAME = re.compile(r'pass|pw|secret|token|cred|key|auth', re.IGNORECASE)
_PIECE = re.compile(r'[^\s\x00()\[\]{},;<>=]++')
_LETTERS = re.compile(r'[A-Za-z]{8,}+')
_LOWER_RUN = re.compile(r'[a-z]++')
_CASE_CHANGE = re.compile(r'(?=[a-z][A-Z]|[A-Z][a-z])')  # overlapping: aAa flips twice
_CAPITALS = re.compile(r'[A-Z]{2,}+')
_CONSONANTS = re.compile(r'[b-df-hj-np-tv-xz]{4}')
_CAPITAL_RUN = re.compile(r'[A-Z]{8,}+')
_CONSONANT_CAPITALS = re.compile(r'[B-DF-HJ-NP-TV-Z]{5}')
# A line after one of these holds its value: `password: >-` / `password:` (YAML block, INI continuation),
# `<password>` alone, `--password \` / `-p \` / `password \` (a shell continuation).
_NAMED = r'[\w.\-]*?(?:pass|pw|secret|token|cred|key|auth)[\w.\-]*+'
_OPENS_VALUE = re.compile(
    rf'(?:^|[\s"\'{{,])["\']?{_NAMED}["\']?[ \t]*+[:=][ \t]*+(?:[|>][+\-]?\d?[+\-]?)?[ \t]*+$'
    rf'|<[\w:.\-]*?(?:pass|pw|secret|token|cred|key|auth)[\w:.\-]*+(?:\s[^<>]*+)?>[ \t]*+(?:<!\[CDATA\[[ \t]*+)?$'
    rf'|(?:^|\s)(?:-[A-Za-z]|--?{_NAMED}|{_NAMED}[:=]?)[ \t]*+\\$',
    re.IGNORECASE,
)  # -p \, --password \
# The line an indented value line belongs to: a credential-named key (YAML, INI) or element.
_OWNS_VALUE = re.compile(
    rf'[ \t]*+(?:-[ \t]++)?["\']?{_NAMED}["\']?[ \t]*+[:=]'
    rf'|[ \t]*+<[\w:.\-]*?(?:pass|pw|secret|token|cred|key|auth)[\w:.\-]*+(?:\s[^<>]*+)?>[ \t]*+$',
    re.IGNORECASE,
)
CONTEXT_LINES = 50  # how far up an indented line looks for the key it continues
# Pieces that cannot be a credential. Possessive throughout: a 1 MB piece is read once per branch.
_W = r'[^\W\d]++'  # letters and underscore, no digit
_WORDS = rf'{_W}(?:(?:[.\-]|::){_W})*+'  # obj.attr, utf-only, std::vec
_NUMBER = r'\d{1,5}+(?:[.:,/\-]\d{1,5}+)*+'  # 5432, 1.2.3.4, 2024-01-01, 12:30; not 12345678 (a PIN?)
_LEAD = r'(?:--?|[#$@*&:\\]{1,2}|\.)?+'  # -flag, #comment, $VAR, @decorator, *args, .hidden
_TRAIL = r'[:;,.]{0,3}+'  # key:, end.
_SAFE = re.compile(
    rf'[^\w\s]++'  # punctuation alone
    rf'|{_LEAD}(?:{_WORDS}|{_NUMBER}){_TRAIL}'
    rf'|(?:~|\.{{1,2}})?/(?:{_WORDS}(?:/{_WORDS})*+)?+/?{_TRAIL}'  # /usr/lib, ./run, ~/
    rf'|{_W}://(?:{_WORDS}(?:/{_WORDS})*+)?+/?'
)  # http://, https://example.com/api


class LineMask:
    """What to hide on one line, worked out once for every finding on it.

    `runs` are sorted, disjoint (start, end, secret) spans: a secret run shows its first characters
    (guard.redact.mask), any other run is replaced by DENIED. `credential` says a masked value may
    be a credential (see _Denials.deny), whatever rule reported the line.
    """

    __slots__ = ('line', 'runs', '_starts', 'credential')

    def __init__(self, line: str, runs: list[tuple[int, int, bool]], credential: bool) -> None:
        self.line = line
        self.runs = runs
        self._starts = [r[0] for r in runs]
        self.credential = credential

    def masks(self, start: int, end: int) -> bool:
        """Whether any run masks part of line[start:end] (a finding's own match carrying on into a
        masked value: `/home/u/c.p12:PASSWORD`)."""
        i = bisect.bisect_left(self._starts, end) - 1  # runs are disjoint: the last one starting before `end` ends last
        return i >= 0 and self.runs[i][1] > start

    def render(self, begin: int = 0, end: int | None = None) -> str:
        """line[begin:end] with every run masked; a run cut by the window is masked whole (no prefix)."""
        line = self.line
        end = len(line) if end is None else end
        out = []
        pos = begin
        runs = self.runs
        i = max(0, bisect.bisect_right(self._starts, begin) - 1)
        while i < len(runs) and runs[i][0] < end:  # by index: a slice would copy the rest per finding
            start, stop, secret = runs[i]
            i += 1
            if stop <= pos:
                continue
            if start > pos:
                out.append(line[pos:start])
            out.append(mask(line[start:stop]) if secret and start >= begin else DENIED)
            pos = stop
        if pos < end:
            out.append(line[pos:end])
        return ''.join(out)


# A line longer than this is masked only in regions around its findings (everything else is masked
# whole, and never shown): an excerpt shows 160 characters, so a 1 MB line with one address costs a
# few kilobytes, not a pass of every secret pattern over the megabyte.
LONG_LINE = 16384
MARGIN = 4096  # context kept on each side of a finding: a one-line PEM key of 4096 bits is ~3.2 KB


def regions(line: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of a long line to mask with context: each span with MARGIN around it, joined."""
    if len(line) <= LONG_LINE:
        return [(0, len(line))]
    return _merge([(max(0, s - MARGIN), min(len(line), e + MARGIN)) for s, e in spans])


def plan_regions(
    line: str,
    parts: Sequence[tuple[int, int]],
    shown: Sequence[tuple[int, int]],
    secret: Sequence[tuple[int, int]],
    hidden: Sequence[tuple[int, int]],
    *,
    code: bool = False,
    continued: bool = False,
) -> LineMask:
    """plan() for the `parts` of a long line (see regions()): each part on its own, what lies outside
    them masked whole, and a part's first and last words masked when the part cuts through a word
    (what they belong to is out of sight)."""
    if parts == [(0, len(line))]:
        return plan(line, shown, secret, hidden, code=code, continued=continued)
    runs: list[tuple[int, int, bool]] = []
    credential = False
    pos = 0
    for start, end in parts:
        if pos < start:
            runs.append((pos, start, False))
        text = line[start:end]
        inside = [(max(s, start) - start, min(e, end) - start) for s, e in hidden if s < end and e > start]
        if start > 0 and not line[start - 1].isspace():
            cut = next((i for i, c in enumerate(text) if c.isspace()), len(text))
            inside.append((0, cut))
        if end < len(line) and not line[end].isspace():
            cut = next((i for i in range(len(text) - 1, -1, -1) if text[i].isspace()), -1)
            inside.append((cut + 1, len(text)))
        part = plan(
            text, _within(shown, start, end), _within(secret, start, end), inside, code=code, continued=continued
        )
        runs += [(s + start, e + start, is_secret) for s, e, is_secret in part.runs]
        credential = credential or part.credential
        pos = end
    if pos < len(line):
        runs.append((pos, len(line), False))
    return LineMask(line, runs, credential)


def _within(spans: Sequence[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    return [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]


def continues_credential(line: str, above: Iterable[str]) -> bool:
    """Whether `line` holds (part of) the value of a credential named on a line above it: `above` is the
    lines before it, nearest first (up to CONTEXT_LINES), read lazily and only as far as needed (a
    deny list's 40,000 findings each look at one line above, not fifty). The nearest non-blank line
    opens a value (`password: >-`, `password =`, `<password>`, `--password \\`), or an indented line
    belongs to a credential-named key or element less indented above it (a YAML block, an INI
    continuation)."""
    indent = len(line) - len(line.lstrip(' \t'))
    nearest = True
    for text in above:
        if not text.strip():
            continue
        if nearest:
            tail = text.rstrip()[-1024:]  # an opener ends the line: its tail is enough
            if _may_open_value(tail) and _OPENS_VALUE.search(tail):
                return True
            if not indent or not line.strip():
                return False
            nearest = False
        if len(text) - len(text.lstrip(' \t')) < indent:
            return _OWNS_VALUE.match(text) is not None
    return False


def _may_open_value(tail: str) -> bool:
    """What every _OPENS_VALUE match holds, tested first (the pattern costs ~6 µs a line, a deny list has 40,000):
    a trailing backslash, or a last character that opens a value and a credential word as IGNORECASE reads it
    (`ſ` is an `s`; lower() makes `K` a `k`)."""
    end = tail[:-1] if tail.endswith('\n') else tail  # `$` matches before a last newline too
    last = end.rstrip(' \t')[-1:]
    if last == '\\':
        return True
    # Every opener ends its line with what opens a value (`:`, `=`, a YAML block indicator, a tag, a CDATA
    # start): a line ending in a word is no opener whatever words it holds (a netrc's every line names `password`).
    if not last or not (last in _OPENER_ENDS or last.isdecimal()):
        return False
    lowered = tail.lower().replace('\u017f', 's')
    return any(word in lowered for word in _OPENER_WORDS)


_OPENER_WORDS = ('pass', 'pw', 'secret', 'token', 'cred', 'key', 'auth')
_OPENER_ENDS = frozenset(':=|>+-[')


def plan(
    line: str,
    shown: Sequence[tuple[int, int]],
    secret: Sequence[tuple[int, int]] = (),
    hidden: Sequence[tuple[int, int]] = (),
    *,
    code: bool = False,
    continued: bool = False,
) -> LineMask:
    """What to mask on `line` (one line, no newline); spans are offsets into it.

    `shown`: what the rules reported that may be shown in clear (addresses, paths); `secret`: the
    secret rules' hits, shown as their first characters and the mask; `hidden`: other spans to mask
    whole (raw matches of secret rules that a filter dropped). The scrubber's spans are masked whole
    too. `hidden`, `secret` and the scrubber win over `shown`; `secret` wins over everything.
    `code`: the line is from a code file, where `password = get(x)` is a call; elsewhere a value is a
    literal whatever it holds. `continued`: the line holds the value of a credential named on a line
    above (continues_credential): all of it but the shown spans is masked.
    """
    shown, glued = _judge_paths(line, _merge(shown))
    if not secret and not hidden and not continued and not glued and _plain(line, shown):
        return LineMask(line, [], False)
    deny = _Denials(line, shown, code)
    for start, end in glued:
        deny.force(start, end)
    if continued:
        for chunk in _CHUNK.finditer(line):
            deny.deny(*chunk.span(), credential=True)
    deny.elements()
    deny.strings(_blank(line, deny.spans))
    deny.positions(_blank(line, deny.spans + deny.delimiters))
    # Secret spans stay in the pieces: `u:` left of a masked `p4ss` would pass for a plain word.
    deny.shapes(_blank(line, deny.spans + deny.delimiters + shown))
    scrubbed = scrub_spans(line)
    for start, end in list(hidden) + scrubbed:
        deny.deny(start, end, credential=True)
    denied = _merge(_subtract(_merge(deny.spans), shown) + list(hidden) + scrubbed + deny.forced)
    secrets = _merge(secret)
    runs = [(s, e, False) for s, e in _subtract(denied, secrets)] + [(s, e, True) for s, e in secrets]
    runs.sort()
    return LineMask(line, runs, deny.credential)


def masked(text: str) -> str:
    """`text`, a message quoting something guard did not write (a config value, a command's output),
    with everything but plain words, numbers and punctuation masked: plan() with nothing to show,
    the judgement every excerpt gets. Lines are judged one by one; a line longer than LONG_LINE is cut
    there first (a message shows far less)."""
    return '\n'.join(plan(line[:LONG_LINE], []).render() for line in text.split('\n'))


def quoted(text: str) -> str:
    """`text` as an error message quotes a value guard was given (a config value, a pattern, an address): masked()
    and in quotes. A misspelt choice stays readable (`'warnign'`), a value pasted into the wrong key does not."""
    return repr(masked(text))


def _judge_paths(line: str, shown: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """A shown path passes the default-deny judgement too: (what stays shown, what is masked instead).

    A path ends where a path's characters end: what a match carries on with (`--cert
    /home/u/c.pem:PASSWORD`, `/home/u/key=X`, `@X`, `#X`, `%X`, `!X`, `+X`) is a credential's position,
    masked to the end of the match; so is a segment whose case flips like a random token's."""
    if not shown or ('/' not in line and '\\' not in line):
        return shown, []
    kept: list[tuple[int, int]] = []
    glued: list[tuple[int, int]] = []
    covered = 0
    for start, end in shown:
        path = _PATH_START.match(line, start, end)
        if path is None:
            kept.append((start, end))
            continue
        plain = (_WINDOWS_PATH if path[0][1:2] == ':' else _POSIX_PATH).match(line, start, end)
        cut = plain.end() if plain is not None else start
        if cut < end:
            # To the end of the word, past where the rule stopped (`c.pem:pass,word`: a comma ends a path, not a password).
            stop = max(end, covered)  # a word read once, however many paths it holds
            while stop < len(line) and not line[stop].isspace():
                stop += 1
            covered = stop
            glued.append((cut, stop))
        for segment in _SEGMENT.finditer(line, start, cut):
            if _random_case(segment[0]):
                glued.append(segment.span())
        if cut > start:
            kept.append((start, cut))
    return kept, glued


def _plain(line: str, shown: list[tuple[int, int]]) -> bool:
    """Around the shown spans only letters, spaces and brackets (`deny 1.2.3.4;`, `server 1.2.3.4 {`),
    and no credential word: nothing to mask, decided without the passes (a deny list of 40,000 addresses)."""
    pos = 0
    for start, end in [*shown, (len(line), len(line))]:
        if pos < start:
            gap = line[pos:start]
            if not (_short_plain_gap(gap) if len(gap) <= 64 else _plain_gap(gap)):
                return False
        pos = end
    return True


def _plain_gap(gap: str) -> bool:
    """One stretch between shown spans is plain."""
    if _SIMPLE.fullmatch(gap) is None:
        return False
    lowered = gap.lower()
    return not any(word in lowered for word in _CREDENTIAL_HINTS) and not _random_case(gap)


# Short stretches remembered: a deny list's lines are `deny ` and `;` around 40,000 addresses. The verdict
# depends on the stretch alone, so what is remembered decides nothing else.
_short_plain_gap = lru_cache(maxsize=256)(_plain_gap)


class _Denials:
    """The spans of one line that default-deny masks, found rule by rule."""

    def __init__(self, line: str, shown: list[tuple[int, int]], code: bool = False) -> None:
        self.line = line
        self.code = code
        self.quoted: list[tuple[int, int]] = []  # bodies of strings left shown (they hold a shown span)
        self.spans: list[tuple[int, int]] = []
        self.delimiters: list[tuple[int, int]] = []  # quotes of strings left for the lexer: separators
        self.forced: list[tuple[int, int]] = []  # masked even over a shown span
        self.credential = False
        self.tail = len(line) + 1  # from here to the end of the line is masked (deny_shown_aside)
        self._shown_starts = [s for s, _ in shown]
        self._shown_ends = [e for _, e in shown]

    def touches_shown(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._shown_starts, end)
        return i > 0 and self._shown_ends[i - 1] > start

    def deny(self, start: int, end: int, *, credential: bool = False) -> None:
        """Mask [start, end). `credential`: the position says the value is one (after `password`, `-p`,
        in userinfo), whatever its shape; else a value of six characters or more (four with a letter)
        may be one, and a port number (`5432`) is not."""
        if start >= end:
            return
        self.spans.append((start, end))
        if not self.credential:
            value = self.line[start:end].strip()
            self.credential = (
                bool(value) and credential or len(value) >= 6 or len(value) >= 4 and any(c.isalpha() for c in value)
            )

    def deny_shown_aside(self, start: int, end: int) -> None:
        """Mask [start, end) as a credential's, except the shown spans inside it (an address in a value
        is what its rule reported, shown by design: `-p HOST:1.2.3.4`)."""
        if end == len(self.line):
            if start >= self.tail:
                return  # already masked to the end of the line: each value on a long line costs its own length only
            self.tail = start
        line = self.line
        for s, e in _subtract([(start, end)], _merge(self._shown_within(start, end))):
            while e > s and line[e - 1].isspace():  # `******** 1.2.3.4`, not `********1.2.3.4`
                e -= 1
            self.deny(s, e, credential=True)

    def force(self, start: int, end: int) -> None:
        """Mask [start, end) even over a shown span: a credential's position (`-pX`, userinfo) wins over
        an address or path found inside it."""
        if start < end:
            self.forced.append((start, end))
            self.deny(start, end, credential=True)

    def elements(self) -> None:
        """The text of XML elements, before quotes are read: `<password>0000'</password>` holds no string."""
        if '<' not in self.line:
            return
        for cdata in _CDATA.finditer(self.line):
            self.deny(*cdata.span('text'), credential=True)  # shown spans inside stay (subtracted later)
        for element in _XML_TEXT.finditer(self.line):
            start, end = element.span('text')
            if self.line[start:end].strip() and not self.touches_shown(start, end):
                self.deny(start, end)

    def strings(self, text: str) -> None:
        """String literals in `text` (the line, element text blanked)."""
        line = self.line
        for match in _STRING.finditer(text):
            group = match.lastgroup or 'd'
            start, end = match.span(group)
            opening = start - 1
            closing = end if end < len(line) and line[end] == line[opening] else None
            if start < end and not self.touches_shown(start, end):
                if not (
                    _KEY.fullmatch(line, start, end) and closing is not None and _KEY_COLON.match(line, closing + 1)
                ):
                    self.deny(start, end)
                    self.delimiters.append((match.start(), match.end()))
                    continue
            if closing is None:
                continue  # an unclosed quote next to an address is more likely inside a value (F'00): no string
            self.quoted.append((start, end))
            self.delimiters.append((opening, start))
            self.delimiters.append((closing, closing + 1))

    def positions(self, text: str) -> None:
        """Values by position: assignment values, option arguments, userinfo, the word after `password`,
        a pgpass line's last field."""
        pgpass = _PGPASS.match(text)
        if pgpass is not None:  # host:port:db:user:PASSWORD, the password to the end of the line, spaces and all
            self.force(pgpass.start('pw'), len(text))
        pos = 0
        chunk_end = 0
        while (match := _ASSIGN.search(text, pos)) is not None:
            start = match.start('v')
            if text[start] == _NUL:
                # The value opens with what is masked already (a string literal): outside code, where quotes
                # are no syntax (.properties, .env), a credential's value runs on to the end of the line
                # (`password=B'x y' tail`); in code the literal is the value.
                if not self.code and _CREDENTIAL_NAME.search(match[0], 0, start - match.start()) is not None:
                    self.deny_shown_aside(start, len(text))
                    break
                pos = start + 1
                continue
            if start >= chunk_end:
                chunk_end = _CHUNK.match(text, start).end()  # type: ignore[union-attr]  # a non-blank follows
            end = chunk_end
            named = _CREDENTIAL_NAME.search(match[0], 0, start - match.start()) is not None  # DB_PW=
            # code: what it holds is judged on its own; a credential's value only when it really is code
            if (text[start] in '([{' or _CALL.match(text, start)) and (not named or self._code(text, start)):
                pos = start + (text[start] in '([{')
                continue
            if named:
                # A credential's unquoted value runs to the end of the line in .properties, .env, my.cnf,
                # compose lists, connection strings (`password=Tr4der plum velvet`): every word after it
                # may be one of its words, so none is shown (what a rule reported still is).
                self.deny_shown_aside(start, len(text))
            else:
                while end > start + 1 and text[end - 1] in ',;)]}':
                    end -= 1
                if not self.touches_shown(start, end):
                    self.deny(start, end)
            # A value may hold more settings (`Server=h;User Id=sa;Password=X`, `?user=a&password=X`):
            # read on from its start, so a credential's name inside it is seen.
            pos = len(text) if named else start
        # Only a chunk that names a value (an option, a credential word, `by`) is read: most chunks are neither.
        for opener in _NAMES_VALUE.finditer(text):
            start, end = opener.span()
            chunk = opener[0]
            # An item of a flow list (`[redis-server, --requirepass, X]`): its argument is the next item,
            # which runs to the next `,` `]` `}` (YAML's flow indicators: a plain scalar holds none).
            flow = chunk.endswith(',') and len(chunk) > 1
            name = chunk[:-1] if flow else chunk
            password = _CREDENTIAL_WORD.search(name) is not None or (
                name.lower() == 'by' and _after_identified(text, start)
            )  # SQL's `IDENTIFIED BY X`
            if (self._option(name, start) or password) and (following := _CHUNK.search(text, end)) is not None:
                after, after_end = following.span()
                if text[end:after].strip() or _SAFE_OPERATOR(text[after:after_end]):
                    continue
                if flow:
                    stop = _FLOW_END.search(text, after)
                    item_end = stop.start() if stop else len(text)
                    shown = [] if password else _merge(self._shown_within(after, item_end))
                    for s, e in _subtract([(after, item_end)], shown):  # `--host, 1.2.3.4` shows the address
                        self.force(s, e)
                elif password:
                    self.force(after, self._word_end(after_end))  # `password 1.2.3.4x` is a password, address or not
                    # `ENV DB_PASSWORD a b c`, `secret 0 X` (Cisco's type digit), `IDENTIFIED BY X;`: the
                    # words after it may all be the password's.
                    self.deny_shown_aside(self._word_end(after_end), len(text))
                elif not self.touches_shown(after, after_end := self._word_end(after_end)):
                    self.deny(after, after_end, credential=True)
                else:  # -h 1.2.3.4 shows the address; -p HOST:1.2.3.4 masks the rest
                    for s, e in _subtract([(after, after_end)], _merge(self._shown_within(after, after_end))):
                        self.force(s, e)
        for token in _USERINFO_CHUNK.finditer(text) if '@' in text else ():
            start, end = token.span()
            chunk = token[0]
            at = chunk.rfind('@')  # -1 for most chunks
            if at > 0:
                scheme = chunk.find('://', 0, at)
                # No scheme: all before the `@` goes (DB_URL=u:p@h too: a=b@h may be one password).
                begin = scheme + 3 if scheme >= 0 else 0
                self.force(start + begin, start + at)
                host = start + at + 1
                if scheme < 0 and '.' not in chunk[at + 1 :] and not self.touches_shown(host, end):
                    self.deny(host, end)  # ab@cd: no host after the `@`, so a value holding one

    def _code(self, text: str, start: int) -> bool:
        """Whether a credential's value at `start` is code: in a code file, outside a string (a DSN's
        `password=ab(c`), a call or bracket whose parentheses close on the line (`get(x, y)`)."""
        if not self.code:
            return False
        i = bisect.bisect_right(self.quoted, (start, len(text))) - 1
        if i >= 0 and self.quoted[i][0] <= start < self.quoted[i][1]:
            return False
        opening = start + len(_CALL.match(text, start)[0]) - 1 if text[start] not in '([{' else start  # type: ignore[index]
        depth = 0
        for c in text[opening : opening + 4096]:
            if c in '([{':
                depth += 1
            elif c in ')]}':
                depth -= 1
                if depth == 0:
                    return True
        return False

    def _word_end(self, end: int) -> int:
        """The end of the word on the line itself: a quote in it (`-p0:''0000`) split the blanked text."""
        return _NON_BLANK.match(self.line, end).end()  # type: ignore[union-attr]  # it matches empty

    def _option(self, chunk: str, start: int) -> bool:
        """Deny an option's attached value (`-pX`, `--user=X`); True when its value is the next chunk."""
        if len(chunk) < 2 or chunk[0] != '-' or not (chunk[1].isalpha() or chunk[1] == '-'):
            return False
        match = _OPTION.match(chunk)
        if match is None:
            return False
        dashes, name = match.group(1), match.group(2)
        rest = len(dashes) + len(name)
        if dashes == '-' and len(name) > 1 and not (name.isalpha() and name.islower()):
            rest = 2  # -pSecret, -p4ss=x: everything after -p is its value
        elif rest == len(chunk):
            return True  # -p X, --password X, -storepass X
        elif dashes == '-':
            rest = 2  # -pdragon:x, -pname=x: the name ends at -p (-Dkey=value loses its key too)
        elif chunk[rest] == '=':
            rest += 1
        # To the end of the word on the line itself: a quote in it (`-p0:''0000`) split the blanked text.
        self.force(start + rest, self._word_end(start + len(chunk)))
        return False

    def _shown_within(self, start: int, end: int) -> list[tuple[int, int]]:
        i = max(0, bisect.bisect_right(self._shown_starts, start) - 1)
        j = bisect.bisect_left(self._shown_starts, end)
        return list(zip(self._shown_starts[i:j], self._shown_ends[i:j], strict=True))

    def shapes(self, text: str) -> None:
        """What is left: every piece that is not a plain word, a number, a plain path or punctuation. What
        is glued after a masked piece, up to the next blank, goes with it when it holds a letter or digit:
        `0'=00000` is one value, not `0'` and a number (a positional password's, attack 15h)."""
        glued = 0  # masked up to here with the piece before
        for match in _PIECE.finditer(text):
            start, end = match.span()
            if start < glued:
                continue
            piece = match[0]
            one_case = piece.islower()  # no case to flip, nor capitals (_random_case)
            joined = '-' in piece or '.' in piece  # what _joined_words joins on
            if (
                _SAFE.fullmatch(piece) is None
                or (not one_case and _random_case(piece))
                or (joined and _joined_words(piece))
            ):
                stop = _CHUNK.match(text, end)
                if stop is not None and _HOLDS_ALNUM.search(stop[0]) is not None:
                    end = glued = stop.end()
                self.deny(start, end)


def key_text(excerpt: str) -> str:
    """What of an excerpt a location key may hold (guard.scan.fingerprints): only what cannot be a
    credential, and nothing a credential can change. The words before the first one holding a mask
    (what follows a masked value is masked or not by how the value reads: `-p0:A: orders` reads as a
    YAML `A: orders`), each run of letters and digits in them (with the punctuation joining them)
    holding a digit or flipping case like a random token reduced to `*` (numbers, addresses,
    `client.p12`, `jYWBGKbomHazCahO`): names, keywords and punctuation stay."""
    words = []
    for word in excerpt.split():
        if DENIED in word:
            break
        words.append(_VALUE_RUN.sub(_value_star, word))
    return ' '.join(words)


# Letters and digits, with the punctuation that joins them into one value (`1.2.3.4`, `12:30`, `client.p12`):
# judged whole, so neither a value's parts nor its shape enter a key.
_VALUE_RUN = re.compile(r'[^\W_]++(?:[.:,/\-+@%#=~][^\W_]++)*+')


def _value_star(run: re.Match[str]) -> str:
    text = run[0]
    return '*' if any(c.isdigit() for c in text) or _random_case(text) else text


def _random_case(piece: str) -> bool:
    """A run of letters whose case flips like a random token's (`jYWBGKbomHazCahO`), not an identifier's
    word-sized humps (`getUserName`, `HTTPServer`, `XmlHttpRequest`): lowercase humps mostly of one or
    two letters, two capital runs, or four consonants in a row. Some identifiers are masked too
    (`getHTTPResponseXML`): that costs a word of context, the other way a password. Capitals alone are
    random when eight or more hold five consonants in a row (`VNUIKCPQWGYGUBZX`; not `POSTGRES`, `SCHTASKS`,
    `DB_PASSWORD`: attack 15h finding 07)."""
    if piece.islower():
        return False
    if piece.isupper():
        return any(_CONSONANT_CAPITALS.search(run[0]) for run in _CAPITAL_RUN.finditer(piece))
    if not piece.isascii():
        # Other scripts' cases read as ASCII's (`ЖуКоВыЙсЕкРеТ` flips as `jYWBGKbom…` does); their
        # consonants are not told apart.
        piece = ''.join('A' if c.isupper() else 'a' if c.islower() else c for c in piece)
    for word in _LETTERS.finditer(piece):
        letters = word[0]
        changes = len(_CASE_CHANGE.findall(letters))
        if changes < 3:
            continue
        lower = [len(run) for run in _LOWER_RUN.findall(letters)]
        if changes >= 4 and 2 * sum(n <= 2 for n in lower) > len(lower):
            return True
        if len(_CAPITALS.findall(letters)) >= 2 or _CONSONANTS.search(letters):
            return True
    return False


def _joined_words(piece: str) -> bool:
    """Words joined as a passphrase generator joins them, which read as plain words one by one: three or more
    joined by `-` or `.` with a capital after the first (`quartz-mingle-oyster-Dimple`, `Velvet.Plum.Orange`),
    or digit groups joined by `-` longer than a date's (`84729-16350`; a decimal or a time stays a number).
    Costs the context of `X-Forwarded-For` and C# namespaces (`System.Net.Http`); kebab-case and dotted
    lower-case names stay."""
    piece = piece.strip('-.:;,#$@*&\\')
    if all(p.isdigit() for p in piece.split('-')):
        groups = piece.split('-')
        return len(groups) > 1 and sum(map(len, groups)) > 8
    parts = piece.replace('.', '-').split('-')
    if len(parts) < 2 or not all(parts):
        return False
    return len(parts) >= 3 and all(p.isalpha() for p in parts) and any(p[0].isupper() for p in parts[1:])


def _SAFE_OPERATOR(chunk: str) -> bool:  # noqa: N802 - reads as the predicate it is
    """`|`, `&&`, `>`: a shell operator after an option is not its argument."""
    return chunk.startswith('-') or not any(c.isalnum() for c in chunk)


def _after_identified(text: str, start: int) -> bool:
    """Whether the chunk (_CHUNK) before the one at `start` is `identified` in any case. Read back from
    `start`, over the blanks between them only: a line of `by by …` costs its length, not its square."""
    end = start
    while end > 0 and (text[end - 1].isspace() or text[end - 1] == _NUL):  # what _CHUNK stops at
        end -= 1
    begin = end - len('identified')  # no letter lower() shortens
    return (
        begin >= 0
        and text[begin:end].lower() == 'identified'
        and (begin == 0 or text[begin - 1].isspace() or text[begin - 1] == _NUL)
    )


def _blank(line: str, spans: Sequence[tuple[int, int]]) -> str:
    """`line` with every span replaced by NUL characters, offsets unchanged."""
    if not spans:
        return line
    out = []
    pos = 0
    for start, end in _merge(spans):
        out.append(line[pos:start])
        out.append(_NUL * (end - start))
        pos = end
    out.append(line[pos:])
    return ''.join(out)


def _merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(spans) < 2:  # most lines: asked eight times each
        return [span for span in spans if span[0] < span[1]]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _subtract(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted disjoint `spans` minus sorted disjoint `holes`, in one merge pass."""
    out = []
    j = 0
    for start, end in spans:
        while j < len(holes) and holes[j][1] <= start:
            j += 1
        k = j
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > start:
                out.append((start, holes[k][0]))
            start = max(start, holes[k][1])
            k += 1
        if start < end:
            out.append((start, end))
    return out
