"""The secret filters' string tests decide exactly as the regexes they replaced (issue 10: fewer
patterns compiled on a clean commit, detection unchanged).

Each test function holds the regex that used to make the decision, and hypothesis compares the two
on strings drawn from the characters that matter to it: the ones the regex names, the letters
IGNORECASE pairs with ASCII ones (`ſ`, `K`, `İ`, `ı`), newlines (`$` matches before a final one).
"""

from __future__ import annotations

import re

from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.rules import CONTENT_RULES
from guard.rules import RULES
from guard.rules import media
from guard.rules import network
from guard.rules import prose
from guard.rules.base import Rule
from guard.rules.base import windowed_matches
from guard.rules.secrets import filters
from guard.rules.secrets import generic
from guard.rules.secrets import placeholders
from guard.rules.secrets import urls
from guard.rules.secrets.folded import CaseFoldedRule
from guard.scan.prefilter import Prefilter

TRICKY = 'ſKİı\n'
HEXISH = st.text(alphabet='0123456789abcdefABCDEFgG-:=' + TRICKY, max_size=40)
NAMES = st.text(alphabet='abcdeshlkmtx12345ABCDESHLKM_-:=./\\~' + TRICKY, max_size=14)
ANY = st.text(max_size=30)
MANY = settings(max_examples=400, deadline=None)


def words_by_regex(identifier: str) -> list[str]:
    spaced = re.sub(r'([a-z0-9])([A-Z])', lambda m: f'{m[1]} {m[2]}', identifier)
    return [w for w in re.split(r'[^A-Za-z0-9]+', spaced.lower()) if w]


@MANY
@given(st.one_of(ANY, st.text(alphabet='aZb9C_.-$xYİK', max_size=20)))
@example('apiKeyName')
@example('a1B2cD')
def test_words(identifier: str) -> None:
    assert generic._words(identifier) == words_by_regex(identifier)


@MANY
@given(
    st.one_of(
        ANY,
        HEXISH,
        st.from_regex(
            r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\n?', fullmatch=True
        ),
    )
)
def test_uuid(value: str) -> None:
    expected = bool(re.match(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', value))
    assert filters.is_uuid(value) == expected


@MANY
@given(st.one_of(ANY, NAMES, st.from_regex(r'(?i)(sha(1|224|256|384|512)|md5|blake2[bs]?|h1)[-:=]', fullmatch=True)))
@example('blaKe2b-x')
@example('ſha1:abc')
@example('blake2')
def test_hash_prefixed(value: str) -> None:
    expected = bool(re.match(r'(?i)^(?:sha(?:1|224|256|384|512)|md5|blake2[bs]?|h1)[-:=]', value))
    assert filters.is_hash_prefixed(value) == expected


@MANY
@given(st.one_of(HEXISH, st.from_regex(r'[0-9a-f]{32}|[0-9A-F]{40}|sha256:[0-9a-f]{3}', fullmatch=True)))
def test_hash_like(value: str) -> None:
    expected = bool(re.match(r'(?i)^(?:sha(?:1|224|256|384|512)|md5|blake2[bs]?|h1)[-:=]', value)) or (
        bool(re.fullmatch(r'[0-9a-fA-F]+', value)) and len(value) in (32, 40, 56, 64, 96, 128)
    )
    assert filters.is_hash_like(value) == expected


@MANY
@given(st.one_of(ANY, st.text(alphabet='AZ09_az\n$', max_size=12)))
@example('DB_PASSWORD')
@example('DB_PASSWORD\n')
@example('_A')
@example('A__B')
def test_constant_name(value: str) -> None:
    assert filters.is_constant_name(value) == bool(re.match(r'^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$', value))


def pathlike_by_regex(value: str) -> bool:
    if re.match(
        r'^(?:~|arn:|urn:|\.{0,2}/|[A-Za-z]:\\|\w+://)|^[\w.-]+\.(?:py|js|ts|json|ya?ml|toml|txt|pem|key|crt|cfg'
        r'|ini|conf|env|html)$',
        value,
    ) or value.startswith('data:'):
        return True
    segments = value.split('/')
    return len(segments) > 1 and all(re.fullmatch(r'[a-z0-9_.-]*', s) for s in segments) and not value.endswith('=')


@MANY
@given(
    st.one_of(
        ANY,
        st.text(alphabet='aZ9_.-/:\\~é\nyml', max_size=14),
        st.from_regex(r'[\w.-]{1,6}\.(py|yaml|yml|env)\n?|[a-zé_]{1,4}://x|[A-Za-z]:\\x', fullmatch=True),
    )
)
@example('C:\\Users')
@example('é_x://host')
@example('.env')
@example('a.yml\n')
def test_pathlike(value: str) -> None:
    assert filters.is_pathlike(value) == pathlike_by_regex(value)


@MANY
@given(st.one_of(ANY, st.text(alphabet='aZ_$.:->()[]9', max_size=14)))
@example('self.token')
@example('get_password()')
@example('a::b')
def test_reference(value: str) -> None:
    expected = bool(
        re.match(r'^[A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)+[()]*$', value)
        or (re.match(r'^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:\(|\[|$)', value) and ('(' in value or '[' in value))
    )
    assert filters.is_reference(value) == expected


@MANY
@given(st.one_of(ANY, st.text(alphabet='xX*.\u2026\u2022ab${}%()<>[]@_env!#sd|:', max_size=16)))
@example('${DB_PASSWORD}')
@example('env(TOKEN)')
@example('__TOKEN__')
def test_reference_and_mask(value: str) -> None:
    """The whole-value forms (issue 18): `$NAME` in one case, wrappers only around a name, a mask is the whole value."""
    name = r'[ \t]*[A-Za-z_][\w .\-]*[ \t]*'
    reference = (
        r"""^(?:\$\{[^}]*\}|\$\(.*\)|\$[A-Z_][A-Z0-9_]*|\$[a-z_][a-z0-9_]*|%\(\w*\)[sdr]|%[sdr]|\{\{[\w\s.|:'"()\[\]-]*\}\}"""
        r"""|#\{[^}]*\}|@[\w.]+@|__\w+__|env\(.*\)|![A-Za-z]\w*\s.*"""
        rf"""|<{name}>|\[{name}\]|\{{{name}\}}|\({name}\)|%{name}%|\{{\}})$"""
    )
    assert placeholders._is_reference(value) == bool(re.match(reference, value))
    mask = r'[*xX.\u2022\u2026]{3,}|[A-Za-z0-9_-]{1,12}[*xX.\u2022\u2026]{4,}'
    expected = bool(re.fullmatch(mask, value)) or _elided(value)
    assert placeholders._is_masked(value) == expected


def _elided(value: str) -> bool:
    """The elision rule spelled out: strip the trailing mask characters; 16 or more remain, the value ends in
    `...` or `…`, and no `...` is left in what remains."""
    rest = value.rstrip('*xX.\u2022\u2026')
    return len(rest) >= 16 and value.endswith(('...', '\u2026')) and '...' not in rest


def test_scheme_spellings_are_exactly_what_the_alternation_matches() -> None:
    for schemes in (urls._SCHEMES, urls._WEB_SCHEMES):
        spellings = urls.scheme_spellings(schemes)
        assert all(re.fullmatch(f'(?:{schemes})', spelling) for spelling in spellings)
        # Every alternative, with each optional part taken or not, is among them.
        for alternative in schemes.split('|'):
            longest = re.sub(r'\(\?:([^)]*)\)\?', r'\1', alternative).replace('\\', '').replace('?', '')
            longest = re.sub(r'\[(.)[^\]]*\]', r'\1', longest)
            assert longest in spellings, (alternative, longest)
        assert {'postgres', 'postgresql', 'amqp', 'amqps', 'mongodb+srv', 'neo4j+s'} <= set(
            spellings
        ) or schemes == urls._WEB_SCHEMES
        assert {'http', 'https', 'socks4', 'socks5h', 'wss'} <= set(spellings) or schemes == urls._SCHEMES


@MANY
@given(st.text(alphabet='postgresqlmyhtpſKİıSPQL+-_ :/\njdbcnowx45.', max_size=40))
@example('PoſtgreSQL')
@example('mongodb+srv')
@example('x=İnfluxdb')
@example('url=jdbc:postgresql')
@example('mongodb+srv+x_1')
@example('a.mysql')
@example('socks5h\n')
def test_scheme_filter(before: str) -> None:
    """The filter with its substring test decides as the scheme pattern alone did."""
    text = before + '://u:p4ss_w0rd@host'
    match = re.search(r'://[^\s:/@]*:(?P<value>[^\s:/@]+)@', text)
    assert match is not None
    for schemes in (urls._SCHEMES, urls._WEB_SCHEMES):
        pattern = rf'(?i)(?:^|[^\w+.-])(?:jdbc:)?(?:{schemes})(?:\+[\w-]+)?$'
        expected = (
            None if re.compile(pattern).search(text, max(0, match.start() - 40), match.start()) else 'another scheme'
        )
        assert urls._scheme_filter(schemes)(match, text) == expected


def plain_copy(rule: Rule) -> Rule:
    """The same rule searched with its `(?i)` pattern on the text as written."""
    return Rule(
        id=rule.id,
        category=rule.category,
        severity=rule.severity,
        why=rule.why,
        fix=rule.fix,
        pattern=rule.pattern,
        keywords=rule.keywords,
        flags=rule.flags,
        entropy=rule.entropy,
        filters=rule.filters,
        path_filters=rule.path_filters,  # scan() runs them with path '': a name followed by words is no setting
    )


FOLDED = [rule for rule in RULES.values() if isinstance(rule, CaseFoldedRule)]
PIECES = st.sampled_from(
    [
        'password',
        'PassWord',
        'DB_PASSWORD',
        'apiToken',
        'SECRET_KEY',
        'pwd=',
        'Password=',
        ' = ',
        ': ',
        '"',
        "'",
        ' ',
        '\n',
        'host=db ',
        'user=app ',
        'value="',
        '<add key="ApiSecret" ',
        'ſ',
        'K',
        'İ',
        'ı',
    ]
)
RANDOM = st.text(alphabet='aB3xQz9!#_-', min_size=6, max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, RANDOM), max_size=12))
def test_folded_rules_report_what_their_ignorecase_pattern_reports(parts: list[str]) -> None:
    text = ''.join(parts)
    for rule in FOLDED:
        folded = [(h.start, h.end, h.value) for h in rule.scan(text)]
        plain = [(h.start, h.end, h.value) for h in plain_copy(rule).scan(text)]
        assert folded == plain  # `ſ`, `K`, `İ`, `ı` too: the lowered text folds them as IGNORECASE pairs them


@MANY
@given(st.one_of(ANY, st.text(alphabet='AZaz09_.-', max_size=14)))
@example('API_TOKEN')
@example('db.password')
@example('db-pass.word_2')
def test_setting_name(identifier: str) -> None:
    assert generic._setting_name(identifier) == bool(
        re.fullmatch(r'[A-Z0-9_]+|[a-z0-9_]+(?:[.\-][a-z0-9_]+)+', identifier)
    )


def wordlike_by_regex(value: str) -> bool:
    """filters.is_wordlike as it was, every step a regex."""
    value = value.strip('_$@')
    if not value or re.match(r'^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$', value):
        return True
    segments = [s for s in re.split(r'[^A-Za-z0-9]+', value) if s]
    humps = [
        h for s in segments for h in re.findall(r'[A-Z]{2,}(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]|\d+', s)
    ]
    if sum(map(len, humps)) != sum(map(len, segments)):
        return False
    numbers = [h for h in humps if h.isdigit()]
    words = [h for h in humps if not h.isdigit()]
    if not words or len(numbers) > len(segments) or any(len(n) > 4 for n in numbers):
        return False
    short = sum(1 for h in words if len(h) < 3 and not (h.isupper() and len(h) > 1))
    if (
        short > max(1, len(words) // 3)
        and not (len(segments) > 2 and all(s.isalpha() and s.islower() for s in segments))
        or sum(map(len, words)) / len(words) < 3
    ):
        return False

    def pronounceable(hump: str) -> bool:
        if hump.isupper() and len(hump) > 12:
            return False
        lower = hump.lower()
        vowels = sum(c in 'aeiouy' for c in lower)
        if len(lower) >= 8 and vowels / len(lower) < 0.15:
            return False
        return max((len(run) for run in re.findall(r'[b-df-hj-np-tv-xz]+', lower)), default=0) < 5

    return all(pronounceable(h) for h in words)


@MANY
@given(st.one_of(ANY, st.text(alphabet='aeiouyAEbcdfghkKstrxzXZ09_.-$@é', max_size=24)))
@example('UIAccelerometerDelegate')
@example('ec2:InstanceARN')
@example('xkcdqwrt')
def test_wordlike(value: str) -> None:
    assert filters.is_wordlike(value) == wordlike_by_regex(value)


@MANY
@given(st.text(alphabet=' \t\n\u2003#!/;*<-remREMx', max_size=12), st.integers(min_value=0, max_value=3))
@example('  # note', 0)
@example('#!/bin/sh', 0)
@example('\n\n  -- x', 0)
@example('REM\tx', 0)
def test_comment_line(text: str, start: int) -> None:
    expected = bool(re.compile(r'(?i)\s*(?:#(?!!)|//|--\s|;|/?\*|<!--|rem\s)').match(text, start))
    assert prose.comment_line(text, start) == expected


@MANY
@given(st.one_of(st.text(alphabet='docexamplsDOCEXAMPLS/._-mdrsthtxgİıſpyjcbRPY', max_size=24), ANY))
@example('docs/setup.py')
@example('src/EXAMPLE_config.py')
@example('README.markdown')
@example('guide.HTM')
@example('ſample/x.py')
@example('conf/.pgpass')
@example('PGPASS')
@example('app/models.RB')
@example('x.ſcala')
def test_skip_words(path: str) -> None:
    """Every path a rule's skip_paths matches holds one of its skip_words (DOC_PATHS and DOC_PATH_WORDS), so a
    rule's answer is the pattern's."""
    for rule in CONTENT_RULES:
        if rule.skip_words:
            assert rule._may_skip(path) or not re.search(rule.skip_paths, path)
        if rule.path_pattern:  # the same for the paths a path-scoped rule applies to
            assert rule.path_words
            assert rule.applies_to(path) == (
                bool(re.search(rule.path_pattern, path)) and not (rule.skip_paths and re.search(rule.skip_paths, path))
            )


WORDS_ONLY = st.text(alphabet='AZBYabyz09 _.-', max_size=20)


@MANY
@given(WORDS_ONLY)
@example('ExampleKEY12')
@example('HTTPServer')
@example('yourAPIKeyHere')
def test_placeholder_tokens_and_segments(value: str) -> None:
    assert placeholders._tokens(value) == re.findall(r'[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+', value)
    assert value.translate(placeholders._SEPARATORS).split() == [s for s in re.split(r'[ _.\-]+', value) if s]


@MANY
@given(st.text(alphabet='AZBYabyz0918', max_size=20))
@example('UIAccelerometer2D')
@example('HTTPServer')
@example('ABc')
def test_humps(segment: str) -> None:
    expected = re.findall(r'[A-Z]{2,}(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]|\d+', segment)
    assert filters._humps(segment) == expected


TAILED = [rule for rule in CONTENT_RULES if rule.keyword_tail]
TOKEN_PIECES = st.sampled_from(
    ['SK', 'sk', 'Sk', 'pat', 'PAT', 'path', 'task', 'twilio', '_', '.', ' ', '\n', '=', 'x', 'K', 'İ']
)
HEXISH_RUN = st.text(alphabet='0123456789abcdefABCDEF', min_size=10, max_size=70)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(TOKEN_PIECES, HEXISH_RUN), max_size=10))
def test_keyword_tail_wakes_a_rule_wherever_its_pattern_matches(parts: list[str]) -> None:
    """Hits a rule's keyword_tail drops are never where a match starts: the plan's windows find every match."""
    assert {rule.id for rule in TAILED} == {'twilio-api-key', 'airtable-token'}
    text = ''.join(parts)
    for rule in TAILED:
        whole = [m.span() for m in rule.regex.finditer(text)]
        planned = [windows for planned_rule, windows in Prefilter([rule]).plan(text) if planned_rule is rule]
        found = [m.span() for windows in planned for m in windowed_matches(rule.regex, text, windows)]
        assert found == whole


def test_keyword_tail_keeps_common_words_from_waking_token_rules() -> None:
    text = 'path = task.pattern  # ask the dispatcher\n'
    assert not {r.id for r, _ in Prefilter(TAILED).plan(text)}
    for rule in TAILED:
        for bad in rule.examples_bad:
            assert [r.id for r, _ in Prefilter([rule]).plan(bad)] == [rule.id]


def address_noise_by_ipaddress(value: str) -> str | None:
    """The address tests as ipaddress's properties made them, before they became masks on integers."""
    import ipaddress

    address = ipaddress.ip_address(value)
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        return 'loopback or wildcard'
    if any(
        address in ipaddress.ip_network(n)
        for n in network._DOC_NETWORKS
        if ipaddress.ip_network(n).version == address.version
    ):
        return 'documentation range'
    if address.version == 6 and address in ipaddress.ip_network('fd00:ec2::/32'):
        return 'a well-known service address (cloud instance metadata)'
    if address.is_multicast or address.is_link_local:
        return 'well-known multicast or link-local address'
    if address.version == 4 and network._is_netmask(int(address)):
        return 'netmask'
    if address.version == 4 and (address.is_reserved or str(address) == '255.255.255.255'):
        return 'reserved'
    return None


# Addresses near every boundary the tests draw, and anywhere.
_EDGES = [0, 0x7F000000, 0xA9FE0000, 0xE0000000, 0xF0000000, 0xFFFFFFFF, 0xC0000200, 0xC6336400, 0xCB007100]
ipv4_numbers = st.one_of(
    st.integers(0, 0xFFFFFFFF),
    st.sampled_from(_EDGES).flatmap(lambda e: st.integers(max(0, e - 3), min(0xFFFFFFFF, e + 3))),
)
ipv6_numbers = st.one_of(
    st.integers(0, (1 << 128) - 1),
    st.sampled_from(
        [0, 1, 0xFF << 120, 0xFE80 << 112, 0xFD00_0EC2 << 96, 0x2001_0DB8 << 96, 0x3FFF << 112, 0xFFFF << 32]
    ).flatmap(lambda e: st.integers(e, e + 0xFFFF_FFFF)),
)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(ipv4_numbers.map(lambda n: (4, n)), ipv6_numbers.map(lambda n: (6, n))))
def test_address_noise_on_integers_decides_as_ipaddress_did(address: tuple[int, int]) -> None:
    import ipaddress

    version, number = address
    value = str(ipaddress.ip_address(number) if version == 4 else ipaddress.IPv6Address(number))
    mapped = ipaddress.ip_address(value)
    if version == 6 and mapped.ipv4_mapped is not None:
        version, number = 4, int(mapped.ipv4_mapped)
    assert network._address_noise(version, number) == address_noise_by_ipaddress(value), value


def in_svg_path_by_scanning(text: str, start: int) -> bool:
    """The SVG path-data test as it read back to the line's start for every hit."""
    line_start = text.rfind('\n', 0, start) + 1
    floor = max(line_start, start - 4096)
    for attribute in media._PATH_ATTRIBUTES:
        at = text.rfind(attribute, floor, start)
        if (
            at >= 0
            and (at == 0 or not text[at - 1].isalnum())
            and all(c in media._PATH_DATA for c in text[at + len(attribute) : start])
        ):
            return True
    return False


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                'd="',
                "d='",
                'points="',
                'd: "',
                'path="',
                'M10',
                ' ',
                '.5',
                '\n',
                'x',
                'ad="',
                ',',
                '-',
                'L',
                '"',
                "'",
                ':',
            ]
        ),
        max_size=30,
    ),
    st.data(),
)
def test_in_svg_path_reads_back_over_path_data_as_the_scan_did(pieces: list[str], data: st.DataObject) -> None:
    import re as re_module

    text = ''.join(pieces) + '10.0.0.1'
    start = data.draw(st.integers(0, len(text)))
    match = re_module.compile(r'').match(text, start)
    assert match is not None
    assert (media.in_svg_path(match, text) is not None) == in_svg_path_by_scanning(text, start), (text, start)


_OLD_CONNECTION_KEY = re.compile(
    r'(?i)jdbc:|(?:^|[\s;"\'?&])(?:host|hostaddr|dbname|user|username|port|sslmode|server|data source|database'
    r'|uid|user id|initial catalog|service|connect_timeout)[ \t]*='
)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                'password=Zx9q',
                'pwd=ab',
                'host=',
                'HOST =',
                'ſerver=',
                'uſer id=',
                'jdbc:',
                'JDBC:',
                'dbname',
                ';',
                '&',
                '?',
            ]
            + [' ', '\n', 'x', '"', "'", '=', 'user', 'Kelvin\u212a', 'İ', 'ı', 'data source=', 'SSLMODE=', '\t']
        ),
        max_size=24,
    )
)
def test_connection_keys_found_once_decide_as_the_search_of_each_line(pieces: list[str]) -> None:
    """The connection-string rule's second-key test: one search of the folded text, then a lookup per
    match, against the IGNORECASE search of each match's line it replaced (texts shorter than its reach)."""
    from guard.rules.secrets import conninfo

    text = ''.join(pieces)
    for match in re.finditer(r'(?i)(?:password|pwd)=\w+', text):
        line_start = text.rfind('\n', 0, match.start()) + 1
        line_end = text.find('\n', match.end())
        line = text[line_start : len(text) if line_end < 0 else line_end]
        expected = _OLD_CONNECTION_KEY.search(line) is not None
        assert (conninfo._not_a_connection_string(match, text) is None) == expected, (text, match.span())


_OLD_HOST_CONTEXT = re.compile(
    r'(?i)(?:host|server|addr|\bip\b|_ip\b|\bips\b|proxy|dns|nameserver|resolver|endpoint|gateway|upstream|connect|'
    r'bind|listen|peer|remote|\bur[li]\b|_ur[li]\b|ssh|ping|route|allow|deny|whitelist|allowlist|cidr|subnet|network|inet)'
)


@MANY
@given(
    st.lists(
        st.sampled_from(
            ['ip', 'IP', 'ips', 'İP', 'ıp', 'url', 'URİ', 'uri', '_ip', 'x', '_', ' ', '1', '.', 'ſſh', 'HOST']
        ),
        max_size=12,
    ).map(''.join)
)
def test_the_host_context_found_in_the_folded_text_as_ignorecase_found_it(before: str) -> None:
    from guard.rules.base import ignorecase_folded

    assert (network._HOST_CONTEXT.search(ignorecase_folded(before)) is not None) == (
        _OLD_HOST_CONTEXT.search(before) is not None
    ), before


@MANY
@given(
    st.lists(
        st.sampled_from(
            [
                'password',
                'PaſS',
                '\u212aey',
                'pw',
                'KEY',
                'key',
                'auth',
                'token',
                'cred',
                ':',
                '=',
                ' ',
                '\\',
                '>',
                '|',
                '-p',
                '<',
                'x',
                '\n',
                '[',
                '<![CDATA[',
                '+',
                '-',
                '7',
                '\u0663',  # an Arabic-Indic digit: `\\d` reads any decimal digit
                '\t',
            ]
        ),
        max_size=10,
    ).map(''.join)
)
def test_the_openers_literal_test_admits_every_opener(tail: str) -> None:
    """excerpt._may_open_value is false only where _OPENS_VALUE cannot match."""
    from guard import excerpt

    if excerpt._OPENS_VALUE.search(tail):
        assert excerpt._may_open_value(tail), tail


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=24))
@example('密码755é')  # attack 15d finding 01: a letter without case looped forever, appending empty humps
@example('ǅx')
def test_humps_of_any_text_are_non_empty_pieces_of_it_in_order(segment: str) -> None:
    humps = filters._humps(segment)
    assert ''.join(humps) == segment and all(humps)


@MANY
@given(
    st.lists(
        st.sampled_from(
            ['password', 'PaſS', 'pw', 'Secret', 'tokens', 'API-KEY', 'apikey', 'auth', 'credentials', 'by', 'BY']
            + ['identified', '-p', '--user', '-', 'x', 'db_', ':', '=', ',', ' ', '\t', '\x00', '\n', 'İ', 'K', 'ı']
        ),
        max_size=12,
    ).map(''.join)
)
@example('identified by x')
@example('[--requirepass, x]')
@example('db.password: x')
def test_the_masker_reads_every_chunk_that_names_a_value(text: str) -> None:
    """excerpt._NAMES_VALUE finds every chunk Denials.positions acts on: an option, a name ending in a
    credential word (a flow list's `,` after it), `by`; and excerpt._after_identified reads the chunk before."""
    from guard import excerpt

    found = {m.span() for m in excerpt._NAMES_VALUE.finditer(text)}
    chunks = [m.span() for m in excerpt._CHUNK.finditer(text)]
    for i, (start, end) in enumerate(chunks):
        chunk = text[start:end]
        name = chunk[:-1] if chunk.endswith(',') and len(chunk) > 1 else chunk
        if name.startswith('-') or excerpt._CREDENTIAL_WORD.search(name) or name.lower() == 'by':
            assert (start, end) in found, (text, chunk)
        previous = text[chunks[i - 1][0] : chunks[i - 1][1]] if i else ''
        assert excerpt._after_identified(text, start) == (previous.lower() == 'identified'), (text, chunk)
