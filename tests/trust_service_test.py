"""Trust the service can see (issue 17, D1 and D2), end to end: `guard watch` runs as a second user
(as the systemd unit runs it as `app`), root runs `guard trust`, and the daemon says at start and at
each reload which settings it ignores and why: on stderr (the journal), in `guard status` (text and
JSON) and in its metrics. A `[project] version` bump keeps the trust; a change to guard's table drops it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import second_user
from daemon_harness import wait_for
from support import run_guard
from support import write

import guard

TOOL_GUARD = '[tool.guard.alerts]\ncommand = "true"\n[tool.guard.watch]\nrun-commands = true\n'


class Box:
    """A root owned by the service's user, a system layer and a system trust store owned by root."""

    def __init__(self, base: Path, uid: int) -> None:
        self.base = base
        self.root = base / 'srv-app'
        self.state = base / 'var-lib-guard'
        self.metrics = base / 'metrics' / 'guard.prom'
        self.store = base / 'etc-guard' / 'trusted.json'
        self.pyproject = write(self.root, 'pyproject.toml', '[project]\nname = "app"\nversion = "1.0"\n' + TOOL_GUARD)
        system = write(
            base / 'etc-guard',
            'guard.toml',
            (
                f'state-dir = "{self.state}"\n[health]\nchecks = ["disk"]\nmin-free-disk-mb = 0\n'
                f'[alerts]\njournal = false\n[watch]\nmetrics-file = "{self.metrics}"\nsweep-interval = 0.5\n'
            ),
        )
        self.env = {
            'PATH': '/usr/bin:/bin',
            'HOME': str(base / 'home'),
            'XDG_STATE_HOME': str(base / 'app-state'),
            'XDG_CONFIG_HOME': str(base / 'none'),
            'GUARD_SYSTEM_CONFIG': str(system),
            'GUARD_SYSTEM_TRUST': str(self.store),
        }
        for folder in (self.root, self.state, self.metrics.parent):
            folder.mkdir(parents=True, exist_ok=True)
            os.chown(folder, uid, uid)
        os.chown(self.pyproject, uid, uid)

    def guard(self, *args: str | os.PathLike[str], **env: str) -> subprocess.CompletedProcess[str]:
        return run_guard(*args, env={**self.env, **env})


@pytest.fixture
def box() -> Iterator[Box]:
    uid = second_user.uid()
    with tempfile.TemporaryDirectory(dir='/tmp') as base:  # not under root's 0700 pytest folder
        os.chmod(base, 0o755)
        yield Box(Path(base), uid)


def start_as(uid: int, box: Box) -> tuple[subprocess.Popen[bytes], Path]:
    # The service's user cannot run root's interpreter (under /root): the system's Python 3.11 runs
    # this checkout with the venv's packages, as an installed guard would.
    if not Path('/usr/bin/python3.11').exists() or sys.version_info[:2] != (3, 11):
        pytest.skip('needs /usr/bin/python3.11 matching the test interpreter')
    path = os.pathsep.join((str(Path(guard.__file__).resolve().parents[1]), sysconfig.get_paths()['purelib']))
    stderr = box.base / 'watch.err'
    with open(stderr, 'wb') as err:
        process = subprocess.Popen(
            [
                'setpriv',
                f'--reuid={uid}',
                f'--regid={uid}',
                '--clear-groups',
                '--',
                '/usr/bin/python3.11',
                '-m',
                'guard',
                'watch',
                str(box.root),
            ],
            env={**box.env, 'PYTHONPATH': path},
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd='/',
        )
    return process, stderr


def metric(box: Box, name: str) -> str:
    text = box.metrics.read_text() if box.metrics.exists() else ''
    found = re.search(rf'^{name}{{root="{re.escape(str(box.root))}"}} (\S+)$', text, re.MULTILINE)
    return found.group(1) if found else ''


def status(box: Box) -> dict[str, object]:
    proc = box.guard('status', box.root, '--format', 'json')
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_root_trusts_and_the_service_user_sees_it(box: Box) -> None:
    uid = second_user.uid()
    process, stderr = start_as(uid, box)
    try:
        wait_for(lambda: ': watching (' in stderr.read_text(), 30, 'guard watch to start')
        log = stderr.read_text()
        assert (
            f'ignoring alerts.command (runs code) from {box.pyproject}: untrusted; watch.run-commands (runs code) '
            f'from {box.pyproject}: untrusted; to honour them'
        ) in log
        wait_for(lambda: metric(box, 'guard_config_ignored_keys') == '2.0', 10, 'the metric of ignored keys')
        ignored = wait_for(lambda: status(box)['daemon']['ignored'], 10, 'guard status to list them')  # type: ignore[index]
        assert ignored == [
            {'key': 'alerts.command', 'file': str(box.pyproject), 'why': 'untrusted', 'trust': 'runs code'},
            {'key': 'watch.run-commands', 'file': str(box.pyproject), 'why': 'untrusted', 'trust': 'runs code'},
        ]
        text = box.guard('status', box.root).stdout
        assert f'  ignoring alerts.command (runs code) from {box.pyproject}: untrusted\n' in text

        # D1: root trusts the project; the store the service reads is the system one.
        trusted = box.guard('trust', '--system', box.root)
        assert trusted.returncode == 0, trusted.stderr
        assert oct(box.store.stat().st_mode & 0o777) == oct(0o644) and box.store.stat().st_uid == 0
        reloads = log.count('reloaded the config')
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: stderr.read_text().count('reloaded the config') > reloads, 10, 'the reload')
        assert 'ignoring' not in stderr.read_text().rpartition('reloaded the config')[2]
        wait_for(lambda: metric(box, 'guard_config_ignored_keys') == '0.0', 10, 'no ignored keys')
        assert wait_for(lambda: status(box)['daemon']['ignored'] == [], 10, 'guard status to list none')  # type: ignore[index]

        # D2: a release bumps [project] version (and adds a comment): trust holds.
        box.pyproject.write_text(box.pyproject.read_text().replace('version = "1.0"', 'version = "1.1"') + '# x\n')
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: stderr.read_text().count('reloaded the config') > reloads + 1, 10, 'the second reload')
        assert 'ignoring' not in stderr.read_text().rpartition('reloaded the config')[2]
        assert metric(box, 'guard_config_ignored_keys') == '0.0'

        # A change to guard's own table needs trusting again, and the daemon says so.
        box.pyproject.write_text(box.pyproject.read_text().replace('command = "true"', 'command = "touch /tmp/x"'))
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: stderr.read_text().count('reloaded the config') > reloads + 2, 10, 'the third reload')
        assert (
            'alerts.command (runs code) from ' + str(box.pyproject) + ': changed since you trusted it'
            in stderr.read_text().rpartition('reloaded the config')[2]
        )
        wait_for(lambda: metric(box, 'guard_config_ignored_keys') == '2.0', 10, 'the ignored keys again')
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0, stderr.read_text()


def test_a_system_store_someone_else_could_write_trusts_nothing(box: Box) -> None:
    assert box.guard('trust', '--system', box.root).returncode == 0
    # Seen by another user, whose own store is empty: only the system store can trust the file.
    other = {'XDG_STATE_HOME': str(box.base / 'other-user-state')}
    shown = box.guard('trust', '--show', box.root, **other)
    assert shown.returncode == 0, shown.stdout
    os.chown(box.store.parent, second_user.uid(), 0)  # the folder is the service user's: no root trust
    shown = box.guard('trust', '--show', box.root, **other)
    assert shown.returncode == 1
    assert f'trust store {box.store} {box.store.parent} belongs to uid {second_user.uid()}, not to root' in shown.stdout
    os.chown(box.store.parent, 0, 0)
    box.store.chmod(0o666)
    assert 'is writable by others' in box.guard('trust', '--show', box.root, **other).stdout
    box.store.chmod(0o644)
    os.chown(box.store, second_user.uid(), 0)
    assert 'does not belong to root' in box.guard('trust', '--show', box.root, **other).stdout
