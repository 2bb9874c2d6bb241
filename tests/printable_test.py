"""Names guard did not choose print inert (issue 16, finding 10): no control character from a file name
reaches the terminal, and a name with a newline cannot forge a row of a plan or of `guard history`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.printable import printable
from guard.printable import printable_lines

_CONTROL = ''.join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, 0x202E, 0x2066]))
# Raw control characters a line of output may hold: none but the newline that separates lines.
_RAW = re.compile('[' + re.escape(_CONTROL.replace('\n', '')) + ']')
_NAME_CHARS = st.sampled_from(_CONTROL) | st.characters(blacklist_categories=('Cs',), blacklist_characters='/\x00')


@given(st.text(_NAME_CHARS, max_size=40))
def test_printable_is_one_inert_line(name: str) -> None:
    shown = printable(name)
    assert not _RAW.search(shown) and '\n' not in shown
    assert printable(shown) == shown  # nothing left to escape
    assert '\n' not in printable_lines(name).replace('\n', '') and not _RAW.search(printable_lines(name))


def test_undecodable_bytes_show_as_hex() -> None:
    assert printable(os.fsdecode(b'a\xff\x1b')) == 'a\\xff\\x1b'


_FILE_NAME = st.text(_NAME_CHARS, min_size=1, max_size=24).filter(
    lambda n: (
        n not in ('.', '..')
        and '\x00' not in n
        and '/' not in n
        and len(n.encode('utf-8', 'surrogatepass')) < 200
        and any(c in _CONTROL for c in n)
    )
)


@given(names=st.lists(_FILE_NAME, min_size=1, max_size=4, unique=True))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_plan_and_history_hold_no_raw_control_character(tmp_path_factory: object, names: list[str]) -> None:
    """Real files with the generated names; the purge plan, the purge, `guard history -v` and a scan."""
    tmp = Path(tmp_path_factory.mktemp('names'))  # type: ignore[attr-defined]
    root = tmp / 'root'
    (root / 'logs').mkdir(parents=True)
    (root / 'a').mkdir()
    (root / 'src').mkdir()  # something the purge keeps: a plan that clears every entry is refused by the rail
    (root / 'src' / 'app.py').write_text('x = 1\n')
    # And one name laid out as a history row, as the attack wrote it.
    for name in [*names, 'app\n    99  2030-01-01 00:00:00   purge    manual  mallory  ok  FORGED\x1b[8m']:
        (root / 'logs' / (name + '.log')).write_text('x\n')
        (root / 'a' / (name + '.tmp')).write_text('x\n')
    (root / 'pyproject.toml').write_text('[tool.guard.purge]\nephemeral = ["a/*.tmp", "logs"]\n')
    env = {**os.environ, 'XDG_STATE_HOME': str(tmp / 'state'), 'XDG_CONFIG_HOME': str(tmp / 'cfg')}
    guard = [sys.executable, '-m', 'guard']
    outputs = []
    for argv in (
        ['purge', str(root), '--dry-run', '--verbose'],
        ['purge', str(root), '--force'],
        ['history', '-v'],
        ['history', '-v', str(root)],
    ):
        proc = subprocess.run(guard + argv, capture_output=True, env=env, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        outputs.append(proc.stdout.decode('utf-8', 'surrogateescape') + proc.stderr.decode('utf-8', 'surrogateescape'))
    for text in outputs:
        assert not _RAW.search(text), ascii(text)
    # Each listed name is one line: the plan lists each .tmp file on a line of its own, the history
    # has exactly one event row (id 1) and no other line that starts like a row.
    plan, _, history, _ = outputs
    assert sum(1 for line in plan.splitlines() if line.startswith('  a/')) == len(names) + 1, plan
    rows = [line for line in history.splitlines() if re.match(r'\s*\d+\s+\d{4}-\d\d-\d\d ', line)]
    assert len(rows) == 1, history
