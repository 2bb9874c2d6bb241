"""No command prints a raw control character from a root's name (issue 16, attack 22).

A folder name may hold any byte but `/` and NUL; another user can create one under /srv or /home.
`guard install-service ROOT` printed such a name raw in its error line, so ESC ] 0 ; ... BEL and
ESC [ 2 J reached root's terminal. For every command that takes ROOT, a root whose name holds
generated control characters (C0, C1 as UTF-8, lone C1 bytes that are no UTF-8, DEL), and real guard
processes: stdout and stderr hold no control character but the newline and the tab.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

# Every command that takes ROOT, with what makes it run without asking or changing the machine.
COMMANDS: dict[str, tuple[str, ...]] = {
    'scan': ('scan', '{root}'),
    'baseline': ('baseline', '{root}'),
    'install': ('install', '{root}'),
    'purge': ('purge', '{root}', '--dry-run'),
    'clean': ('clean', '{root}', '--dry-run'),
    'clean --list': ('clean', '{root}', '--list'),
    'restore': ('restore', '{root}', 'no-such-quarantine', '--dry-run'),
    'history': ('history', '{root}'),
    'health': ('health', '{root}'),
    'trust': ('trust', '{root}'),
    'watch --check': ('watch', '--check', '{root}'),
    'status': ('status', '{root}'),
    'install-service': ('install-service', '{root}', '--dry-run', '--unit-dir', '{units}'),
    'uninstall-service': ('uninstall-service', '{root}', '--unit-dir', '{units}'),
}
# What a terminal acts on: C0 but the newline and the tab, DEL, C1 (as characters, and as the lone
# bytes an 8-bit terminal reads as C1, which arrive here as surrogate escapes).
RAW_CONTROL = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\udc80-\udcff]')
CONTROLS = [bytes([c]) for c in (*range(1, 0x20), 0x7F) if c != ord('/')]
C1_UTF8 = [chr(c).encode() for c in range(0x80, 0xA0)]
C1_BYTES = [bytes([c]) for c in range(0x80, 0xA0)]
SEQUENCES = [b'\x1b]0;pwned\x07', b'\x1b[2J', b'\x9b31m', b'\r\n', b'\xc2\x9b1m']
names = st.lists(
    st.sampled_from(CONTROLS + C1_UTF8 + C1_BYTES + SEQUENCES) | st.sampled_from([b'a', b'proj', b' ', b'-']),
    min_size=1,
    max_size=8,
).map(lambda parts: b'p' + b''.join(parts))


@pytest.mark.parametrize('command', sorted(COMMANDS))
@settings(max_examples=3, deadline=None)
@given(name=names, exists=st.booleans())
def test_no_raw_control_character_reaches_the_terminal(command: str, name: bytes, exists: bool) -> None:
    with tempfile.TemporaryDirectory() as base:
        root = os.path.join(os.fsencode(base), name)
        if exists:  # else the error path: `ROOT: no such directory`
            os.mkdir(root)
            subprocess.run(['git', 'init', '-q', root], check=True)
            for rel, content in ((b'logs/app.log', b'x\n'), (b'.venv/pyvenv.cfg', b'home = /usr\n')):
                os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
                with open(os.path.join(root, rel), 'wb') as f:
                    f.write(content)
        units = Path(base) / 'units'
        args = [
            root if part == '{root}' else os.fsencode(str(units)) if part == '{units}' else part.encode()
            for part in COMMANDS[command]
        ]
        env = {
            **os.environ,
            'XDG_STATE_HOME': f'{base}/state',
            'XDG_CONFIG_HOME': f'{base}/config',
            'GUARD_SYSTEM_TRUST': f'{base}/system-trust.json',
            'GUARD_HEALTH_CONNECT_TIMEOUT': '0.2',
        }
        proc = subprocess.run(
            [sys.executable.encode(), b'-m', b'guard', *args],
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        out = (proc.stdout + proc.stderr).decode('utf-8', 'surrogateescape')
        found = RAW_CONTROL.search(out)
        assert found is None, f'{command}: raw {found[0]!r} printed (exit {proc.returncode}): {out!r}'
        assert proc.returncode in (0, 1, 2), out  # refused or done, never a traceback
