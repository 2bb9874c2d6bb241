"""Generated credentials the tests place into outputs guard must keep them out of."""

from __future__ import annotations

from hypothesis import strategies as st

LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
SYMBOLS = '@:/#%$!^&*-_+=.,?~'


def mixed_passwords(symbols: str = SYMBOLS) -> st.SearchStrategy[str]:
    """Letters, then digits, then anything a password generator emits (`symbols` among it). Mixed classes,
    so the default-deny masker owes each a mask (bare letters are its documented limit)."""
    return st.tuples(
        st.text(LETTERS, min_size=2, max_size=8),
        st.text('0123456789', min_size=1, max_size=4),
        st.text(LETTERS + '0123456789' + symbols, min_size=2, max_size=12),
    ).map(''.join)
