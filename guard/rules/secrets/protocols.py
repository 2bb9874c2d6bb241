"""Passwords inside wire-protocol messages kept as text: a FIX Logon's Password field (tag 554).

Trading systems log and replay FIX messages, and tests and fixtures hold captured ones: a Logon
(`35=A`) carries the session's password in tag 554 (`…|553=trader1|554=X|…`), between `|`, `^` or
SOH delimiters. Judged only in a FIX message: the line holds its BeginString (`8=FIX`) or a Logon's
MsgType (`35=A`).
"""

from __future__ import annotations

from guard.rules.base import Rule
from guard.rules.prose import line_end
from guard.rules.prose import line_start
from guard.rules.secrets import filters

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

_DELIMITERS = '|^\x01'


def _not_fix(match: re.Match[str], text: str) -> str | None:
    line = text[line_start(text, match.start()) : line_end(text, match.end())]
    if '8=FIX' not in line and not any(f'{d}35=A{d}' in line for d in _DELIMITERS):
        return 'not in a FIX message'
    if filters.is_placeholder(match['value']) or match['value'].startswith(('$', '{', '<', '%')):
        return 'placeholder or reference'
    return None


RULES = (
    Rule(
        id='fix-logon-password',
        category='secret',
        severity='error',
        why="A FIX Logon's password (tag 554) in a committed message: anyone with the repository can log in to "
        'the trading session.',
        fix='Rotate the session password; replace it in captured messages and fixtures with a placeholder '
        '(554=<password>), and load the real one from the environment or a secret store.',
        pattern=r'(?<=[|^\x01])554=(?P<value>[^|^\x01\s"\']{2,200})',
        keywords=('554=',),
        filters=(_not_fix,),
        examples_bad=(
            'msg = "8=FIX.4.4|9=102|35=A|49=CLIENT|56=BROKER|34=1|52=20240101-00:00:00|98=0|108=30|553=trader1|'
            '554=Orders#2122|10=123|"',
            '8=FIX.4.2\x019=75\x0135=A\x0149=TRADER\x0156=EXCH\x01553=desk1\x01554=Qz7kP2wX\x0110=200\x01',
        ),
        examples_good=(
            'msg = "8=FIX.4.4|9=102|35=A|49=CLIENT|553=trader1|554=<password>|10=123|"',
            'codes = {553: "Username", 554: "Password"}  # |554=| tag table',
            'x = "a|554=1234|b"',
        ),
    ),
)
