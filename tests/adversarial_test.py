"""Time grows linearly with the input, for inputs built to make it grow faster (issue 15, item 4).

bench/adversarial_bench.py's cases, scaled down: each runs at one size and at four times that size,
best of three, and the larger may take at most five times as long. Shape, not absolute time: the
machine may be shared. A quadratic step (a count from the top of the file per hit, a set rebuilt per
finding, a regex rescanning a long token from every start) makes x4 input cost x16.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'bench'))

import adversarial_bench as bench  # noqa: E402

SMALL = {'deny-list': 0.02, 'near-miss-line': 0.01, 'near-miss-lines': 0.01, 'url-colons': 0.02,
         'password-dots': 0.02}


@pytest.mark.parametrize('case', sorted(bench.CASES))
def test_four_times_the_input_takes_at_most_five_times_as_long(case: str) -> None:
    build = bench.CASES[case]
    small, large = build(SMALL[case]), build(SMALL[case] * 4)
    assert 3.5 * len(small) < len(large) < 4.5 * len(small)
    bench.scan_seconds(small, 1)  # compile what the case wakes, outside the timing
    first, found_small = bench.scan_seconds(small, 3)
    second, found_large = bench.scan_seconds(large, 3)
    assert found_large >= found_small
    assert second <= 5 * first, f'{case}: x4 input took x{second / first:.1f} ({first:.3f} s -> {second:.3f} s)'


def test_the_nginx_deny_list_reports_every_address() -> None:
    text = bench.deny_list(0.01)
    _, found = bench.scan_seconds(text, 1)
    assert found == text.count('\n')
