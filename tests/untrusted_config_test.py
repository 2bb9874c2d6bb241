"""The invariant behind trust (issue 16): every config key, set from an untrusted project file, makes
guard run no command, make no connection and read or write no file outside the root.

Each example is a cloned project whose guard.toml sets generated values for every key that needs
trust (and some that do not), aimed at what an attacker wants: commands that touch a marker, URLs
at a real loopback listener or a SQLite file outside, paths outside (absolute, `..`, a committed
symlink). guard's commands that read config (health --alert, purge --full, clean, baseline, scan)
then run as real processes under a Python audit hook that records every file opened, socket
connected and process started; the listener, the markers and a snapshot of the outside folder are
checked too. A control test trusts the same file and sees every monitor fire, so they can fail.
The daemon, slow to start per example, gets one run on the same file (every key at its first value).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from listener import Listener
from listener import listening
from support import write

from guard import schema

AUDITED = (
    'open',
    'os.listdir',
    'os.scandir',
    'os.mkdir',
    'os.rename',
    'os.remove',
    'os.rmdir',
    'os.symlink',
    'os.truncate',
    'os.chmod',
    'os.chown',
    'os.utime',
    'shutil.rmtree',
    'shutil.move',
    'shutil.copyfile',
    'socket.connect',
    'subprocess.Popen',
    'os.posix_spawn',
    'os.exec',
    'os.system',
    'sqlite3.connect',
)
# guard as a user runs it, with an audit hook installed first (https://peps.python.org/pep-0578/).
WRAPPER = """
import json, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
WATCHED = frozenset(AUDITED_EVENTS)
def hook(event, args):
    if event in WATCHED:
        try:
            os.write(fd, (json.dumps([event, [repr(a) for a in args]]) + '\\n').encode())
        except Exception:
            pass
sys.addaudithook(hook)
from guard.cli import main
sys.exit(main(sys.argv[2:]))
""".replace('AUDITED_EVENTS', repr(AUDITED))
COMMANDS = (('health', '--alert'), ('purge', '--force', '--full'), ('clean', '--force'), ('baseline',), ('scan',))


class Attack:
    """Where an attacker aims: a folder outside the root, a listener, and markers for commands."""

    def __init__(self, base: Path, listener: Listener) -> None:
        self.base = base
        self.root = base / 'cloned'
        self.outside = base / 'outside'
        self.listener = listener
        self.url = f'postgresql://u:p@127.0.0.1:{listener.port}/x'
        write(self.outside, 'secret.env', f'DB_URL={self.url}\n')
        write(self.outside, 'logs/app.log', 'outside log\n' * 100)
        write(self.outside, 'baseline.json', '{}\n')
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(self.root)], check=True)
        write(self.root, 'logs/app.log', 'inside log\n')
        write(self.root, 'src/app.py', 'HOST = "8.8.8.8"\n')
        (self.root / 'link').symlink_to(self.outside)  # committed: leads out of the root
        subprocess.run(['git', 'init', '-q', str(self.root)], check=True)

    def marker(self, key: str) -> str:
        return str(self.outside / f'ran-{key}')

    def paths(self, leaf: str) -> st.SearchStrategy[str]:
        return st.sampled_from(
            [str(self.outside / leaf), f'../outside/{leaf}', f'link/{leaf}', f'inside/../../outside/{leaf}']
        )

    def value(self, key: schema.Key) -> st.SearchStrategy[Any]:
        if key.trust == schema.RUNS_CODE:
            if key.kind == 'bool':
                return st.just(True)
            command = f'touch {self.marker(key.name)}'
            return st.just([command]) if key.kind == 'list' else st.sampled_from([command, f'sh -c "{command}"'])
        if key.trust == schema.NETWORK:
            if key.name == 'health.db-url-env':
                return st.just('ATTACKER_URL')  # a variable of guard's environment that points at the listener
            if key.name == 'alerts.webhook':
                return st.just(f'http://127.0.0.1:{self.listener.port}/hook')
            return st.sampled_from([self.url, f'sqlite:///{self.outside}/{key.field}.db'])
        if key.trust == schema.OWN_STATE:
            return st.sampled_from(['.guard-state', str(self.outside / 'state')])
        leaf = {'health.env-file': 'secret.env', 'health.log-paths': 'logs/', 'baseline': 'baseline.json'}.get(
            key.name, key.field
        )
        return st.lists(self.paths(leaf), min_size=1, max_size=2) if key.kind == 'list' else self.paths(leaf)


SAFE_EXTRAS = {
    'health': {'checks': ['database', 'disk', 'logs', 'pollution'], 'min-free-disk-mb': 10**9},
    'alerts': {'journal': False},
    'watch': {'on-pollution': 'quarantine', 'on-log-limit': 'purge'},
    'purge': {'ephemeral': ['logs/']},
}


def toml(values: dict[str, Any]) -> str:
    top = [f'{k} = {json.dumps(v)}' for k, v in values.items() if not isinstance(v, dict)]
    tables = [
        f'[{k}]\n' + ''.join(f'{n} = {json.dumps(x)}\n' for n, x in v.items())
        for k, v in values.items()
        if isinstance(v, dict)
    ]
    return '\n'.join(top) + '\n' + '\n'.join(tables)


def layer(attack: Attack, data: st.DataObject) -> dict[str, Any]:
    values: dict[str, Any] = {section: dict(extra) for section, extra in SAFE_EXTRAS.items()}
    for key in schema.KEYS:
        if key.trust == schema.SAFE:
            continue
        last = key.name.rpartition('.')[2]
        target = values.setdefault(key.section, {}) if key.section else values
        target[last] = data.draw(attack.value(key), label=key.name)
    return values


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(folder.rglob('*'))}


def environment(attack: Attack) -> dict[str, str]:
    return {
        **os.environ,
        'HOME': str(attack.base / 'home'),
        'XDG_STATE_HOME': str(attack.base / 'home-state'),
        'XDG_CONFIG_HOME': str(attack.base / 'home-config'),
        'ATTACKER_URL': attack.url,
        'GUARD_HEALTH_CONNECT_TIMEOUT': '1',
        'GUARD_ALERTS_WEBHOOK_TIMEOUT': '1',
    }


def run_audited(attack: Attack, *args: str) -> tuple[subprocess.CompletedProcess[str], list[tuple[str, list[str]]]]:
    log = attack.base / f'audit-{args[0]}.log'
    proc = subprocess.run(
        [sys.executable, '-c', WRAPPER, str(log), *args],
        cwd=attack.base,
        env=environment(attack),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    events = [tuple(json.loads(line)) for line in log.read_text().splitlines()] if log.exists() else []
    return proc, events  # type: ignore[return-value]


def outside_effects(attack: Attack, events: list[tuple[str, list[str]]]) -> list[str]:
    """Every audited event that touched the outside folder, reached the listener or ran a command."""
    found = []
    for event, args in events:
        text = ' '.join(args)
        spawned = event in ('subprocess.Popen', 'os.posix_spawn', 'os.exec', 'os.system') and not _allowed(args)
        connected = event == 'socket.connect' and str(attack.listener.port) in text
        if str(attack.outside) in text or connected or spawned:
            found.append(f'{event} {text}')
    return found


# What guard itself starts: git, and ctypes' library lookup (systemd-python, prometheus_client).
ALLOWED_PROGRAMS = ('git', 'ldconfig')


def _allowed(args: list[str]) -> bool:
    program = args[0].strip('\'"b') if args else ''
    return os.path.basename(program) in ALLOWED_PROGRAMS


def attempt(attack: Attack, *, trusted: bool = False) -> list[str]:
    """Run every command; what reached outside the root, listed."""
    before = snapshot(attack.outside)
    effects = []
    for command in COMMANDS:
        proc, events = run_audited(attack, command[0], str(attack.root), *command[1:])
        assert 'Traceback' not in proc.stderr, proc.stderr
        assert any(event == 'open' for event, _ in events), 'the audit hook saw nothing'
        # Each command did read the file, and said what it left out (or, trusted, said nothing).
        assert ('guard: warning: ignoring ' in proc.stderr) is not trusted, (command, proc.stderr)
        effects += outside_effects(attack, events)
    if attack.listener.connections:
        effects.append(f'listener: {len(attack.listener.connections)} connection(s)')
    if snapshot(attack.outside) != before:
        effects.append('the outside folder changed')
    return effects


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_untrusted_key_reaches_outside_the_root(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as base, listening() as listener:
        attack = Attack(Path(base), listener)
        write(attack.root, 'guard.toml', toml(layer(attack, data)))
        assert attempt(attack) == []


def test_the_monitors_fire_when_the_same_file_is_trusted(tmp_path: Path) -> None:
    with listening() as listener:
        attack = Attack(tmp_path, listener)
        values = layer(attack, _Fixed())
        write(attack.root, 'guard.toml', toml(values))
        trusted = subprocess.run(
            [sys.executable, '-m', 'guard', 'trust', str(attack.root)],
            env=environment(attack),
            capture_output=True,
            text=True,
            check=True,
        )
        assert 'guard now honours' in trusted.stdout
        effects = attempt(attack, trusted=True)
        assert any(e.startswith('subprocess.Popen') and 'touch' in e for e in effects), effects
        assert any(e.startswith('listener:') for e in effects), effects
        assert 'the outside folder changed' in effects


class _Fixed:
    """A stand-in for hypothesis' data: the first value of each strategy (absolute paths, the listener URL)."""

    def draw(self, strategy: st.SearchStrategy[Any], label: str = '') -> Any:
        return _first(strategy)


def _first(strategy: Any) -> Any:
    wrapped = getattr(strategy, 'wrapped_strategy', strategy)
    if hasattr(wrapped, 'elements'):  # sampled_from / just
        return next(iter(wrapped.elements))
    if hasattr(wrapped, 'value'):
        return wrapped.value
    if hasattr(wrapped, 'element_strategy'):  # lists
        return [_first(wrapped.element_strategy)]
    raise TypeError(f'no first value for {strategy!r}')


def test_the_daemon_under_an_untrusted_file_reaches_nothing_outside(tmp_path: Path) -> None:
    """guard watch, the one that runs unattended as a service: started on the same untrusted file,
    through a sweep and a health tick, then stopped with SIGTERM."""
    import signal

    from daemon_harness import wait_for

    with listening() as listener:
        attack = Attack(tmp_path, listener)
        write(attack.root, 'guard.toml', toml(layer(attack, _Fixed())))
        write(attack.root, '.env', 'DB_URL=sqlite:///app.db\n')  # its own database: a daemon needs one to start
        before = snapshot(attack.outside)
        log, err = tmp_path / 'audit-watch.log', tmp_path / 'watch.err'
        env = {**environment(attack), 'GUARD_WATCH_SWEEP_INTERVAL': '0.3', 'GUARD_WATCH_HEALTH_INTERVAL': '0.5'}
        with open(err, 'wb') as stderr:
            daemon = subprocess.Popen(
                [sys.executable, '-c', WRAPPER, str(log), 'watch', str(attack.root)],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            wait_for(lambda: ': watching (' in err.read_text() or daemon.poll() is not None, 60, 'guard watch to start')
            assert daemon.poll() is None, err.read_text()

            def ticks() -> bool:
                proc = subprocess.run(
                    [sys.executable, '-m', 'guard', 'status', str(attack.root), '--format', 'json'],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                daemon_status = json.loads(proc.stdout).get('daemon') or {}
                return daemon_status.get('counters', {}).get('sweeps', 0) >= 3 and len(daemon_status['ignored']) > 5

            wait_for(ticks, 60, 'three sweeps and a health tick')
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(20) == 0, err.read_text()
        text = err.read_text()
        assert ': ignoring baseline (reads or writes outside the root) from ' in text  # the daemon's own line
        assert 'alerts.command (runs code) from ' in text and 'watch.metrics-file (reads or writes' in text
        events = [tuple(json.loads(line)) for line in log.read_text().splitlines()]
        assert any(event == 'open' for event, _ in events)
        assert outside_effects(attack, events) == []  # type: ignore[arg-type]
        assert listener.connections == []
        assert snapshot(attack.outside) == before
