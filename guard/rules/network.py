"""The ip rule: hardcoded IPv4/IPv6 host addresses that only work on one network.

`"host": "192.168.86.42"` works on its author's LAN and nowhere else. The hard part is staying
quiet on everything that merely looks like an address: loopback and wildcard binds, documentation
ranges, netmasks, versions (`1.2.3.4`, `Chrome/120.0.0.0`), OIDs and `${VAR:-default}` fallbacks.
"""

from __future__ import annotations

from functools import cache

from guard.lazy_regex import LazyRegex
from guard.rules.base import Rule
from guard.rules.base import ignorecase_folded
from guard.rules.media import in_svg_path
from guard.rules.prose import DOC_PATH_WORDS
from guard.rules.prose import DOC_PATHS
from guard.rules.prose import in_comment
from guard.rules.prose import line_start

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import ipaddress
    import re

WHY = 'A hardcoded IP address ties the code to one network; it breaks on every other machine and leaks topology.'
FIX = 'Read the host from configuration or an environment variable (e.g. os.environ["DB_HOST"]) and use a hostname.'

# Four dotted numbers that are not part of a longer dotted run (OIDs, 5-part versions) nor glued
# to letters (v1.2.3.4, a product token). A run of 1-3 digits each; range checks come after.
_IPV4 = r'(?<![\w.\-])(?<!\d\.)(?P<value>(?:\d{1,3}\.){3}\d{1,3})(?!\.\d)(?![\w\-]|\.\w)'
# Compressed or full IPv6; `ipaddress` decides validity. The first group needs 2+ hex digits so
# Python slices (`a[1::2]`) and C++ scopes (`std::x`) are never candidates.
_IPV6 = (
    r'(?<![\w:.])(?P<value>(?:[0-9a-fA-F]{2,4}::?(?:[0-9a-fA-F]{1,4}:{1,2}){0,6}[0-9a-fA-F]{0,4}'
    r'|::(?:ffff:)?[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){1,6}))(?![\w:.]|/\d)'
)

_VERSION_CONTEXT = LazyRegex(r'(?i)(?:version|\bver)_*["\'\s:=(]*v?$|[=<>!~]=\s*["\']?$|[\^~]\s*$')
_USER_AGENT = LazyRegex(r'(?i)user[-_ ]?agent|mozilla/\d')
_PRODUCT_TOKEN = LazyRegex(r'[A-Za-z][\w.-]*/$')  # `Chrome/` right before the number
# Cheap line triggers (the rules have no literal keyword): every IPv4 candidate holds `.d.d.`;
# every valid IPv6 address holds `::` or, written out in full, `:h:`. Both start with a literal
# so `re` skips ahead at C speed.
_IPV4_TRIGGER = r'\.\d{1,3}\.\d{1,3}\.'
_IPV6_TRIGGER = r':(?::|[0-9a-fA-F]{1,4}:)'
_CIDR_SUFFIX = LazyRegex(r'/\d{1,3}(?![\d.])')
_SHELL_DEFAULT = LazyRegex(r'\$\{[^}\n]*:?[-=][^}\n]*$')  # inside ${VAR:-...}


# How far back on its line the context of an address is read: a 1 MB line with thousands of
# addresses would otherwise be read back to its start for each of them (issue 15).
CONTEXT_REACH = 512


def _line_before(match: re.Match[str], text: str) -> tuple[str, str]:
    """The line before the address, up to CONTEXT_REACH, as it is and folded (base.ignorecase_folded): read
    once for every test of an address's context."""
    start = match.start('value')
    before = text[max(line_start(text, start), start - CONTEXT_REACH) : start]
    return before, ignorecase_folded(before)


def _ipv4_noise(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    octets = value.split('.')
    if '.0' in value or value[0] == '0':  # only then can an octet have a leading zero
        for octet in octets:
            if len(octet) > 1 and octet[0] == '0':
                return 'leading zeros: a version or date, not an address'
    # The context first: it needs no parsing, and most candidates in code are versions. Any reason drops the match.
    before = _line_before(match, text)
    context = _context_noise(match, text, before)
    if context:
        return context
    # Parsed here rather than by ipaddress (~12 µs an address): a deny list holds 40,000 of them.
    if not value.isascii():  # `\d` also takes other scripts' digits
        return 'not an IPv4 address'
    a, b, c, d = map(int, octets)
    if a > 255 or b > 255 or c > 255 or d > 255:
        return 'not an IPv4 address'
    number = a << 24 | b << 16 | c << 8 | d
    return _address_noise(4, number) or _public_without_host_context(4, number, match, text, before)


def _ipv6_noise(match: re.Match[str], text: str) -> str | None:
    groups = [g for g in match['value'].split(':') if g]
    if len(groups) <= 2 and all(g.isdigit() for g in groups):
        return 'a slice or a time, not an address'
    if '::' not in match['value'] and match['value'].count(':') != 7:
        # ipaddress's own rule, checked before importing it (~1.5 ms): times, MACs, `a:b:c` keys.
        return 'not an IPv6 address'
    import ipaddress  # only once a candidate is found: the commit hook's start-up stays lean

    try:
        address = ipaddress.IPv6Address(match['value'])
    except ValueError:
        return 'not an IPv6 address'
    if address.ipv4_mapped is not None:
        return _address_noise(4, int(address.ipv4_mapped))
    number = int(address)
    noise = _address_noise(6, number)
    if noise:
        return noise
    before = _line_before(match, text)
    return _context_noise(match, text, before) or _public_without_host_context(6, number, match, text, before)


_DOC_NETWORKS = ('192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '3fff::/20')


# ipaddress's is_loopback, is_unspecified, is_multicast, is_link_local and (IPv4) is_reserved, as networks.
_LOOPBACK_OR_WILDCARD = ('127.0.0.0/8', '0.0.0.0/32', '::1/128', '::/128')
_MULTICAST_OR_LINK_LOCAL = ('224.0.0.0/4', '169.254.0.0/16', 'ff00::/8', 'fe80::/10')
_RESERVED = ('240.0.0.0/4',)  # 255.255.255.255 (broadcast) is in it


def _address_noise(version: int, number: int) -> str | None:
    """Why an address (its IP version and value) is no host of one network, or None."""
    if version == 4 and _is_netmask(number):  # 255.x.x.x and up: in no network below but the reserved one
        return 'netmask'
    # One pass over every network that makes an address noise, in the order of the reasons (a deny list
    # asks 40,000 times).
    for base, mask, reason in _noise_networks(version):
        if number & mask == base:
            return reason
    return None


@cache
def _noise_networks(version: int) -> tuple[tuple[int, int, str], ...]:
    reasons = (
        (_LOOPBACK_OR_WILDCARD, 'loopback or wildcard'),
        (_DOC_NETWORKS, 'documentation range'),
        (_WELL_KNOWN, 'a well-known service address (cloud instance metadata)'),
        (_MULTICAST_OR_LINK_LOCAL, 'well-known multicast or link-local address'),
        (_RESERVED, 'reserved'),
    )
    return tuple((base, mask, reason) for networks, reason in reasons for base, mask in _masks(networks, version))


# The same on every machine, so not machine-specific: AWS's IPv6 instance-metadata endpoint.
_WELL_KNOWN = ('fd00:ec2::/32',)
_PRIVATE_NETWORKS = ('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7')
# Words that make a public-looking number a host: `dns = ["8.8.8.8"]`, `server 1.2.3.4`, `--host`.
# Searched in the folded context (base.ignorecase_folded), as IGNORECASE would match, with every branch led
# by a letter (`\bip` as `i(?<!\wi)p`): re then skips to candidate letters instead of trying every branch at
# every character, which cost ~200 µs for 512 characters of context (a 1 MB line of addresses).
_HOST_CONTEXT = LazyRegex(
    r'host|server|addr|i(?<!\wi)ps?\b|_ip\b|proxy|dns|nameserver|resolver|endpoint|gateway|upstream|connect|'
    r'bind|listen|peer|remote|u(?<!\wu)r[li]\b|_ur[li]\b|ssh|ping|route|allow|deny|whitelist|allowlist|cidr|subnet'
    r'|network|inet'
)
_PORT_AFTER = LazyRegex(r':\d{1,5}\b|]:\d')  # `1.2.3.4:8080`, `[::1]:80`


def _public_without_host_context(
    version: int, number: int, match: re.Match[str], text: str, before: tuple[str, str]
) -> str | None:
    """Private addresses are always hosts; public-looking ones only where the line talks about hosts.

    Four small numbers are far more often a version or a section number (`1.0.0.0`, `4.10.22.7`)
    than a public server, so a public address needs a host word, `://`, `@` or a `:port`.
    """
    if _in_any(version, number, _PRIVATE_NETWORKS):
        return None
    line, folded = before
    after = text[match.end('value') : match.end('value') + 6]
    if line.endswith(('//', '@', '[')) or _PORT_AFTER.match(after):
        return None
    if _HOST_CONTEXT.search(folded):
        return None
    return 'public-looking number with no host context (a version or section number?)'


def _in_any(version: int, number: int, networks: tuple[str, ...]) -> bool:
    # `address in net` as ipaddress decides it (same version, address & netmask == network), on ints:
    # ipaddress's __contains__ costs ~2 µs a test, and every address is tested against ~10 networks.
    for base, mask in _masks(networks, version):
        if number & mask == base:
            return True
    return False


@cache
def _masks(networks: tuple[str, ...], version: int) -> tuple[tuple[int, int], ...]:
    return tuple((int(n.network_address), int(n.netmask)) for n in _parsed(networks) if n.version == version)


@cache
def _parsed(networks: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks as ipaddress objects, built when the first address is checked rather than at import."""
    import ipaddress

    return tuple(ipaddress.ip_network(n) for n in networks)


def _is_netmask(n: int) -> bool:
    inverted = ~n & 0xFFFFFFFF
    return n >= 0xFF000000 and (inverted & (inverted + 1)) == 0


def _context_noise(match: re.Match[str], text: str, line_before: tuple[str, str]) -> str | None:
    if _CIDR_SUFFIX.match(text, match.end('value')):
        return 'a network in CIDR notation (an allow rule or a route), not a host'
    before, folded = line_before
    # Each pattern only after a literal test it needs (a `/` at the end, `agent`, `${`): searched over
    # 512 characters of context for each of 40,000 addresses, the patterns cost ~1 s (issue 15).
    if before.endswith('/') and not before.endswith('//') and _PRODUCT_TOKEN.search(before):
        return 'product/version token'
    if _VERSION_CONTEXT.search(before[-40:]) or (
        ('agent' in folded or 'mozilla/' in folded) and _USER_AGENT.search(before)
    ):
        return 'version string'
    if '${' in before and _SHELL_DEFAULT.search(before):
        return 'default inside ${VAR:-...}'
    if before.lstrip().startswith('#!'):
        return 'shebang'
    return None


RULES = (
    Rule(
        id='hardcoded-ipv4',
        category='ip',
        severity='warning',
        why=WHY,
        fix=FIX,
        pattern=_IPV4,
        trigger=_IPV4_TRIGGER,
        filters=(in_comment, in_svg_path, _ipv4_noise),
        skip_paths=DOC_PATHS,
        skip_words=DOC_PATH_WORDS,
        redact=False,
        examples_bad=(
            '"host": "192.168.86.42"',
            'proxy_pass http://10.10.0.21:3000;',
            'DB_HOST=172.16.4.10',
            "redis = Redis(host='8.8.4.4')",
            'ssh deploy@10.0.0.7',
        ),
        examples_good=(
            'bind = "0.0.0.0:8000"',
            'host: 127.0.0.1',
            'see 192.0.2.10 and 198.51.100.7 and 203.0.113.9',
            '__version__ = "1.2.3.4"',
            'version: 10.0.19041.1',
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36',
            'oid = "1.3.6.1.4.1.311.21.7"',
            'HOST=${DB_HOST:-10.0.0.5}',
            'netmask 255.255.255.0',
            'allow-ips = ["10.0.0.0/8", "192.168.1.0/24"]',
            'requests==2.31.0.1',
            'date 01.02.03.04',
            '<path d="M 10.11.86.39 3.2.5.8 L 12.1.6.7z"/>',
        ),
    ),
    Rule(
        id='hardcoded-ipv6',
        category='ip',
        severity='warning',
        why=WHY,
        fix=FIX,
        pattern=_IPV6,
        trigger=_IPV6_TRIGGER,
        filters=(in_comment, _ipv6_noise),
        skip_paths=DOC_PATHS,
        skip_words=DOC_PATH_WORDS,
        redact=False,
        examples_bad=(
            'listen [fd12:3456:789a:1::21]:8080;',
            'host = "2a00:1450:4001:82b::200e"',
            'server fd00::1',
        ),
        examples_good=(
            'host = "::1"',
            'METADATA_URL = "http://[fd00:ec2::254]/"',
            'listen [::]:80;',
            'example = "2001:db8::1"',
            'std::vector<int> v;',
            'xs = a[10::2]',
            'mac = "00:1a:2b:3c:4d:5e"',
            'at 12:30:45',
        ),
    ),
)
