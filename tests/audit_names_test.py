"""Any name a file may have goes through the audit store and comes back the same (issue 16b, finding 06).

A Linux name is any bytes but `/` and NUL: invalid UTF-8, control characters, backslashes that look
like guard's own escapes. Generated names go through guard.fsname, the audit store (SQLite, a real
file), `guard purge` as a real process, and `guard history` (JSON: the exact path; text: one inert
line); the daemon's log purge meets the same names in tests/daemon_robust_test.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import run_guard

# Bytes a name may hold, weighted toward what breaks text: high bytes, controls, backslash, 'x'.
NAME_BYTE = st.one_of(
    st.integers(0x80, 0xFF),
    st.integers(1, 0x1F),
    st.sampled_from(b'\\x0123456789abcdef.-'),
    st.integers(0x20, 0x7E),
).filter(lambda b: b != ord('/'))
NAMES = st.lists(NAME_BYTE, min_size=1, max_size=24).map(bytes).filter(lambda n: n not in (b'.', b'..'))


@settings(max_examples=400, deadline=None)
# Any text a name can be: valid Unicode (no surrogates: only os.fsdecode makes those, below), or decoded bytes.
@given(st.text(alphabet=st.characters(codec='utf-8'), max_size=40) | NAMES.map(os.fsdecode))
def test_stored_names_are_utf8_and_come_back(name: str) -> None:
    from guard.fsname import name_of
    from guard.fsname import stored

    text = stored(name)
    text.encode('utf-8')  # any UTF-8 store takes it
    assert name_of(text) == name


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(root_name=NAMES, paths=st.lists(NAMES, min_size=1, max_size=5, unique=True))
def test_the_audit_store_keeps_any_root_and_path(
    tmp_path_factory: pytest.TempPathFactory, root_name: bytes, paths: list[bytes]
) -> None:
    from guard.audit import AuditStore

    state = tmp_path_factory.mktemp('state')
    state.chmod(0o700)
    root = os.fsdecode(b'/srv/' + root_name)
    names = [os.fsdecode(b'logs/' + p) for p in paths]
    with AuditStore.open_local(state) as store:
        event = store.begin('purge', root, detail={'first': names[0]})
        store.progress(event, [(n, 1, 'removed') for n in names[:1]], files=1, bytes=1)
        store.finish(event, 'ok', paths=[(n, 1, 'removed') for n in names[1:]], bytes=len(names))
        (record,) = store.history(root=root)
    assert record.root == root and record.outcome == 'ok'
    assert sorted(p for p, _, _ in record.paths) == sorted(names)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(NAMES, min_size=1, max_size=4, unique=True))
def test_purge_records_any_log_name_and_history_gives_it_back(
    tmp_path_factory: pytest.TempPathFactory, names: list[bytes]
) -> None:
    tmp = tmp_path_factory.mktemp('purge')
    root = tmp / 'root'
    logs = os.fsencode(root / 'logs')
    os.makedirs(logs)
    for name in names:
        with open(os.path.join(logs, name), 'wb') as f:
            f.write(b'x' * 10)
    env = {'XDG_STATE_HOME': str(tmp / 'state'), 'XDG_CONFIG_HOME': str(tmp / 'cfg')}
    done = run_guard('purge', root, '--force', env=env)
    assert done.returncode == 0 and 'Traceback' not in done.stderr, done.stderr
    assert os.listdir(logs) == []
    shown = run_guard('history', root, '-v', '--format', 'json', env=env)
    assert shown.returncode == 0, shown.stderr
    (event,) = [e for e in json.loads(shown.stdout) if e['kind'] == 'purge']
    recorded = {os.fsencode(p['path']) for p in event['paths'] if p['outcome'] == 'removed'}
    assert recorded == {b'logs/' + n for n in names}
    table = run_guard('history', root, '-v', env=env)
    assert table.returncode == 0 and 'Traceback' not in table.stderr, table.stderr
    # Every name on its own inert line: no control character reaches the terminal.
    assert not any(c in table.stdout for c in map(chr, [*range(0, 10), *range(11, 32), 0x7F]))
    assert table.stdout.count('removed') == len(names)


def test_the_repro_name(tmp_path: Path) -> None:
    """The attack's own file, logs/$'a\\xff.log', purged and recorded (it was exit 3 and a traceback)."""
    root = tmp_path / 'root'
    (root / 'logs').mkdir(parents=True)
    Path(os.fsdecode(os.fsencode(root / 'logs') + b'/a\xff.log')).write_bytes(b'x\n')
    env = {'XDG_STATE_HOME': str(tmp_path / 'state'), 'XDG_CONFIG_HOME': str(tmp_path / 'cfg')}
    done = run_guard('purge', root, '--force', env=env)
    assert done.returncode == 0 and 'Traceback' not in done.stderr, done.stderr
    shown = run_guard('history', root, '-v', env=env)
    assert 'logs/a\\xff.log' in shown.stdout
