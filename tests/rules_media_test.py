"""Data that is not code: token rules skip embedded images, the IP rule skips SVG path data; generated inputs."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.rules import RULES
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

SCANNER = Scanner(RULES)
_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
# What a token rule takes in image data: Twitter's run of A's (PNG's zero bytes), Dropbox's 10 A's.
_TOKEN_LOOKALIKE = st.builds(
    lambda n, tail: 'A' * n + tail, st.integers(20, 22), st.text(_ALNUM, min_size=40, max_size=100)
)


def _image(data: bytes, lookalike: str) -> str:
    encoded = base64.b64encode(data).decode()
    cut = len(encoded) // 2
    return encoded[:cut] + lookalike + encoded[cut:]


def _rules(path: str, text: str) -> set[str]:
    findings, _ = SCANNER.scan(Document(path, text))
    return {f.rule for f in findings}


@settings(max_examples=80, deadline=None)
@given(
    st.binary(min_size=30, max_size=600),
    _TOKEN_LOOKALIKE,
    st.sampled_from(['png', 'jpeg', 'gif', 'svg+xml']),
    st.sampled_from(['src="{}"', "url('{}')", 'xlink:href="{}"', '"icon": "{}"']),
)
def test_a_token_lookalike_inside_a_data_uri_is_image_data(
    data: bytes, lookalike: str, kind: str, attribute: str
) -> None:
    uri = f'data:image/{kind};base64,' + _image(data, lookalike)
    text = '<svg>\n  <image ' + attribute.format(uri) + '/>\n</svg>\n'
    assert not {r for r in _rules('assets/logo.svg', text) if RULES[r].category == 'secret'}


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=400, max_size=2000), _TOKEN_LOOKALIKE, st.sampled_from([64, 76]))
def test_a_token_lookalike_inside_a_wrapped_blob_is_embedded_data(data: bytes, lookalike: str, width: int) -> None:
    blob = _image(data, lookalike)
    lines = [blob[i : i + width] for i in range(0, len(blob), width)]
    text = '<image xlink:href="data:image/png;base64,\n' + '\n'.join(lines) + '"/>\n'
    assert not {r for r in _rules('assets/logo.svg', text) if RULES[r].category == 'secret'}


@settings(max_examples=40, deadline=None)
@given(st.text(_ALNUM, min_size=80, max_size=80).filter(lambda t: len(set(t)) > 24))
def test_a_token_on_its_own_still_counts(tail: str) -> None:
    assert 'twitter-bearer-token' in _rules('config/app.env', f'TWITTER_BEARER={"A" * 22}{tail}\n')


_NUMBER = st.builds(lambda a, b: f'{a}.{b}', st.integers(0, 255), st.integers(0, 99))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from('MLCSQTAmlcsqta'), st.lists(_NUMBER, min_size=2, max_size=8)), min_size=1, max_size=8
    ),
    st.sampled_from(['<path d="{}"/>', "<path fill='red' d='{}'/>", '<polygon points="{}"/>', '<path d="\n{}"/>']),
)
def test_dotted_number_runs_in_svg_path_data_are_no_ip(commands: list[tuple[str, list[str]]], element: str) -> None:
    # SVG minifiers drop the separator before a `.`: 10.11 .86.39 is written 10.11.86.39.
    data = ' '.join(
        letter + ''.join(n if i % 2 else '.' + n.split('.')[1] for i, n in enumerate(numbers)).lstrip('.')
        for letter, numbers in commands
    )
    data = data.replace('M', 'M ')
    text = element.format(data) + '\n'
    assert not {r for r in _rules('icons/a.svg', text) if RULES[r].category == 'ip'}, text


def test_an_address_in_other_svg_or_html_text_still_counts() -> None:
    assert 'hardcoded-ipv4' in _rules('ui/a.svg', '<text x="1">server 10.11.86.39</text>\n')
    assert 'hardcoded-ipv4' in _rules('ui/a.vue', '<a href="http://10.11.86.39:8080/">admin</a>\n')
    assert 'hardcoded-ipv4' in _rules('ui/a.jsx', '<path d="M1 2" data-host="10.11.86.39"/>\n')
