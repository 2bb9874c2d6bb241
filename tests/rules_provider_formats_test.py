"""Exact provider formats (issue 18): GitHub and npm tokens verify their CRC32 suffix, PyPI tokens their macaroon
header; a near-miss blocks nothing, and the generic rule never takes one. Generated tokens and mutations."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.rules import RULES
from guard.rules.secrets import checksums
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

SCANNER = Scanner(RULES)
_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
_PREFIXES = st.sampled_from(['gh' + 'p_', 'gh' + 'o_', 'gh' + 'u_', 'gh' + 'r_', 'np' + 'm_'])
_BODY = st.text(_ALNUM, min_size=30, max_size=30).filter(lambda b: len(set(b)) > 12)
_LINES = st.sampled_from(
    ['TOKEN = "{}"\n', 'token: {}\n', '//registry.npmjs.org/:_authToken={}\n', 'export GH_TOKEN={}\n']
)


def _by_severity(text: str) -> dict[str, set[str]]:
    findings, _ = SCANNER.scan(Document('config/app.yml', text))
    out: dict[str, set[str]] = {}
    for f in findings:
        out.setdefault(f.severity, set()).add(f.rule)
    return out


@settings(max_examples=150, deadline=None)
@given(_PREFIXES, _BODY, _LINES)
def test_a_token_whose_crc_verifies_blocks(prefix: str, body: str, line: str) -> None:
    token = prefix + body + checksums.base62_crc32(body)
    assert checksums.crc_token_valid(token)
    found = _by_severity(line.format(token))
    assert found.get('error') == {'npm-token' if prefix.startswith('npm') else 'github-token'}, found


@settings(max_examples=150, deadline=None)
@given(_PREFIXES, _BODY, _LINES, st.integers(0, 35), st.sampled_from(_ALNUM))
def test_one_changed_character_makes_it_unverified_and_non_blocking(
    prefix: str, body: str, line: str, at: int, char: str
) -> None:
    token = prefix + body + checksums.base62_crc32(body)
    mutated = token[: 4 + at] + char + token[5 + at :]
    if checksums.crc_token_valid(mutated):
        return  # the same character, or (rarely) a collision
    found = _by_severity(line.format(mutated))
    assert 'error' not in found and 'warning' not in found, found
    assert found.get('note') == {'provider-token-unverified'}, found


@settings(max_examples=100, deadline=None)
@given(
    _PREFIXES,
    st.text(_ALNUM, min_size=20, max_size=60).filter(lambda b: len(b) != 36 and len(set(b)) > 8),
    st.sampled_from(['password = "{}"\n', 'api_token: {}\n', 'SECRET={}\n']),
)
def test_a_wrong_length_is_no_blocking_finding_for_any_rule(prefix: str, body: str, line: str) -> None:
    """A near-miss of a provider format: the provider rule does not take it, nor does the generic rule."""
    found = _by_severity(line.format(prefix + body))
    assert 'error' not in found and 'warning' not in found, found


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=40, max_size=120).filter(lambda t: len(set(t[-20:])) > 12))
def test_pypi_tokens_need_a_macaroon_header(tail: bytes) -> None:
    good = base64.urlsafe_b64encode(b'\x02\x01\x08pypi.org\x02\x24' + b'x' * 36 + tail).decode().rstrip('=')
    bad = 'AgEIcHlwaS5vcmc' + base64.urlsafe_b64encode(b'\x07' + tail).decode().rstrip('=')
    assert _by_severity(f'password = py{"pi-"}{good}\n').get('error') == {'pypi-token'}
    assert 'error' not in _by_severity(f'password = py{"pi-"}{bad}\n')


def test_fine_grained_pats_are_exactly_22_and_59() -> None:
    body = 'A1b2C3d4E5f6G7h8I9j0K1'
    tail = 'Zz9' * 19 + 'Yy'
    assert _by_severity(f'token: github_pat_{body}_{tail}\n').get('error') == {'github-fine-grained-pat'}
    shifted = f'token: github_pat_{body[:13]}_{body[13:]}{tail}\n'
    assert _by_severity(shifted) == {'note': {'provider-token-unverified'}}
    assert RULES['provider-token-unverified'].severity == 'note'  # type: ignore[union-attr]


@settings(max_examples=80, deadline=None)
@given(
    _PREFIXES,
    _BODY,
    st.sampled_from(['your', 'Fake', 'DUMMY', 'example', 'Sample', 'xxxxxx', 'EXAMPLE']),
    st.integers(0, 24),
)
def test_a_verified_token_spelling_a_stand_in_word_is_still_a_token(prefix: str, body: str, word: str, at: int) -> None:
    """Placeholders are judged on the whole value: a word inside an issued token's random part is chance."""
    body = (body[:at] + word + body[at:])[:30]
    token = prefix + body + checksums.base62_crc32(body)
    found = _by_severity(f'TOKEN={token}\n')
    assert found.get('error') == {'npm-token' if prefix.startswith('npm') else 'github-token'}, found
