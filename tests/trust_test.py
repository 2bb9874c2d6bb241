"""A project's own config runs commands, sends data or writes outside its root only after `guard trust`.

Every test runs guard as a real process with its own HOME and XDG folders, on a cloned-repository-like
project whose config asks for what a stranger's repository should not get unasked.
"""

from __future__ import annotations

import http.server
import json
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import git
from support import run_guard
from support import write

from guard import config

HEALTH_FAILS = '[tool.guard.health]\nchecks = ["disk"]\nmin-free-disk-mb = 1000000000\n'  # a petabyte: always fails


class Home:
    """A user: HOME, XDG config and state folders, and a fresh guard state folder for each run (so every
    `guard health --alert` of a failing check sends a new alert)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.runs = 0
        self.env = {
            'HOME': str(base / 'home'),
            'XDG_CONFIG_HOME': str(base / 'config'),
            'XDG_STATE_HOME': str(base / 'state'),
            'XDG_CACHE_HOME': str(base / 'cache'),
        }

    @property
    def store(self) -> Path:
        return Path(self.env['XDG_STATE_HOME']) / 'guard' / 'trusted.json'

    def guard(self, *args: str | os.PathLike[str], **env: str) -> subprocess.CompletedProcess[str]:
        self.runs += 1
        return run_guard(*args, env={**self.env, 'GUARD_STATE_DIR': str(self.base / f'run-{self.runs}'), **env})

    def alert(self, root: Path, **env: str) -> subprocess.CompletedProcess[str]:
        proc = self.guard('health', '--alert', root, **env)
        assert proc.returncode == 1, proc.stderr  # the disk check fails: unhealthy, never a crash
        return proc


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / 'user')


@pytest.fixture
def cloned(tmp_path: Path) -> Path:
    root = tmp_path / 'cloned'
    root.mkdir()
    git(root, 'init', '-q')
    return root


def touch_command(tmp_path: Path) -> tuple[str, Path]:
    marker = tmp_path / f'pwned-{secrets.token_hex(6)}'
    return f'touch {marker}', marker


def warnings(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith('guard: warning:')]


def test_alert_command_runs_only_once_the_file_is_trusted_as_it_is(home: Home, cloned: Path, tmp_path: Path) -> None:
    command, marker = touch_command(tmp_path)
    pyproject = write(
        cloned, 'pyproject.toml', f'{HEALTH_FAILS}[tool.guard.alerts]\njournal = false\ncommand = "{command}"\n'
    )
    untrusted = home.alert(cloned)
    assert not marker.exists()
    assert warnings(untrusted) == [
        f'guard: warning: ignoring alerts.command from {pyproject} (untrusted); '
        f'to honour them, review the file and run: guard trust {cloned}'
    ]

    trusted = home.guard('trust', cloned)
    assert trusted.returncode == 0, trusted.stderr
    assert trusted.stdout.startswith(f'guard: trusted {pyproject} (sha256 ')
    assert 'guard now honours its alerts.command' in trusted.stdout
    assert warnings(home.alert(cloned)) == []
    assert marker.exists()

    # Trust covers guard's own table, not the file's other bytes (issue 17, D2): a release that bumps
    # [project] version, or a comment, keeps it.
    marker.unlink()
    pyproject.write_text('[project]\nname = "app"\nversion = "2.0.1"\n' + pyproject.read_text() + '# one more line\n')
    assert warnings(home.alert(cloned)) == []
    assert marker.exists()

    marker.unlink()
    pyproject.write_text(pyproject.read_text() + 'command-timeout = 9.0\n')  # still in [tool.guard.alerts]
    changed = home.alert(cloned)
    assert not marker.exists()
    assert warnings(changed) == [
        f'guard: warning: ignoring alerts.command from {pyproject} (changed since you trusted it); '
        f'to honour them, review the file and run: guard trust {cloned}'
    ]


@pytest.mark.parametrize('where', ['user', 'system', '--config', 'GUARD_CONFIG'])
def test_the_users_own_settings_need_no_trust(home: Home, cloned: Path, tmp_path: Path, where: str) -> None:
    command, marker = touch_command(tmp_path)
    text = f'[alerts]\njournal = false\ncommand = "{command}"\n'
    write(cloned, 'guard.toml', '[health]\nchecks = ["disk"]\nmin-free-disk-mb = 1000000000\n')
    args: list[str | Path] = []
    env = {}
    if where == 'user':
        write(Path(home.env['XDG_CONFIG_HOME']), 'guard/guard.toml', text)
    elif where == 'system':
        env['GUARD_SYSTEM_CONFIG'] = str(write(tmp_path, 'etc/guard.toml', text))
    else:  # a file the user names: here a copy of the project's with the command added
        named = write(tmp_path, 'named.toml', (cloned / 'guard.toml').read_text() + text)
        args, env = (['--config', named], {}) if where == '--config' else ([], {'GUARD_CONFIG': str(named)})
    proc = home.guard('health', '--alert', cloned, *args, **env)
    assert proc.returncode == 1, proc.stderr
    assert marker.exists()
    assert warnings(proc) == []


def test_user_config_keeps_its_command_when_the_project_asks_for_another(
    home: Home, cloned: Path, tmp_path: Path
) -> None:
    mine, my_marker = touch_command(tmp_path)
    theirs, their_marker = touch_command(tmp_path)
    write(Path(home.env['XDG_CONFIG_HOME']), 'guard/guard.toml', f'[alerts]\njournal = false\ncommand = "{mine}"\n')
    write(cloned, 'pyproject.toml', f'{HEALTH_FAILS}[tool.guard.alerts]\ncommand = "{theirs}"\n')
    proc = home.alert(cloned)
    assert my_marker.exists() and not their_marker.exists()
    assert len(warnings(proc)) == 1


class Recorder(http.server.BaseHTTPRequestHandler):
    """A webhook receiver on 127.0.0.1 that records each request's path and answers 204."""

    seen: list[str]

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.seen.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type('Handler', (Recorder,), {'seen': seen})
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}', seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_webhook_is_only_attempted_from_a_trusted_file(
    home: Home, cloned: Path, receiver: tuple[str, list[str]]
) -> None:
    url, seen = receiver
    path = f'/hook-{secrets.token_hex(4)}'
    write(
        cloned,
        'guard.toml',
        '[health]\nchecks = ["disk"]\nmin-free-disk-mb = 1000000000\n'
        f'[alerts]\njournal = false\nwebhook = "{url}{path}"\nwebhook-retries = 0\n',
    )
    untrusted = home.alert(cloned)
    assert seen == []
    assert 'ignoring alerts.webhook from' in untrusted.stderr
    assert home.guard('trust', cloned).returncode == 0
    trusted = home.alert(cloned)
    assert seen == [path], trusted.stderr


def corrupt_random(store: Path) -> None:
    store.write_bytes(secrets.token_bytes(64))


def corrupt_hash(store: Path) -> None:
    data = json.loads(store.read_text())
    for entry in data['files'].values():
        entry['sha256'] = secrets.token_hex(32)
    store.write_text(json.dumps(data))


def corrupt_symlink(store: Path) -> None:
    # The target still trusts the file: a store that is a symlink is refused whatever it says.
    target = store.with_name('elsewhere.json')
    store.rename(target)
    store.symlink_to(target)


def corrupt_mode(store: Path) -> None:
    store.chmod(0o666)


def corrupt_shape(store: Path) -> None:
    store.write_text(json.dumps({'version': 1, 'files': {'/x': 'not-an-entry'}}))


@pytest.mark.parametrize(
    ('tamper', 'why'),
    [
        (corrupt_random, 'is damaged'),
        (corrupt_hash, 'changed since you trusted it'),
        (corrupt_symlink, 'is a symlink'),
        (corrupt_mode, 'is writable by others'),
        (corrupt_shape, 'is damaged'),
    ],
)
def test_a_tampered_trust_store_trusts_nothing_and_never_crashes(
    home: Home, cloned: Path, tmp_path: Path, tamper: object, why: str
) -> None:
    command, marker = touch_command(tmp_path)
    write(cloned, 'pyproject.toml', f'{HEALTH_FAILS}[tool.guard.alerts]\njournal = false\ncommand = "{command}"\n')
    assert home.guard('trust', cloned).returncode == 0
    tamper(home.store)  # type: ignore[operator]
    proc = home.alert(cloned)
    assert not marker.exists()
    assert 'Traceback' not in proc.stderr
    [warning] = warnings(proc)
    assert why in warning and f'guard trust {cloned}' in warning
    listed = home.guard('trust', '--list')
    assert listed.returncode == 0 and 'Traceback' not in listed.stderr
    # Trusting again writes a sound store (replacing a symlink, not writing through it).
    assert home.guard('trust', cloned).returncode == 0
    assert not home.store.is_symlink()
    assert warnings(home.alert(cloned)) == [] and marker.exists()


def test_trust_store_is_private_and_written_whole(home: Home, cloned: Path) -> None:
    pyproject = write(cloned, 'pyproject.toml', '[tool.guard.purge]\nbefore = ["true"]\n')
    assert home.guard('trust', cloned).returncode == 0
    assert home.store.stat().st_mode & 0o777 == 0o600
    assert home.store.parent.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in home.store.parent.iterdir()) == ['trusted.json', 'trusted.json.lock']
    import hashlib
    import tomllib

    # The sha256 of guard's table as canonical JSON (sorted keys, no blanks), not of the file's bytes.
    table = tomllib.loads(pyproject.read_text())['tool']['guard']
    canonical = json.dumps(table, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode()
    recorded = json.loads(home.store.read_text())['files']
    assert recorded == {str(pyproject.resolve()): {'sha256': hashlib.sha256(canonical).hexdigest()}}


def test_show_revoke_and_list(home: Home, cloned: Path) -> None:
    pyproject = write(cloned, 'pyproject.toml', '[tool.guard.purge]\nafter = ["true"]\n')
    shown = home.guard('trust', '--show', cloned)
    assert (shown.returncode, shown.stdout) == (1, f'{pyproject}: untrusted; it sets purge.after\n')
    assert home.guard('trust', cloned).returncode == 0
    assert home.guard('trust', '--show', cloned).returncode == 0
    assert home.guard('trust', '--list').stdout == f'{"trusted":28} {pyproject}\n'
    revoked = home.guard('trust', '--revoke', cloned)
    assert revoked.stdout == f'guard: no longer trusting {pyproject}\n'
    assert home.guard('trust', '--show', cloned).returncode == 1
    assert home.guard('trust', '--list').stdout == 'No trusted files.\n'


def test_trust_without_a_config_file_is_a_usage_error(home: Home, cloned: Path) -> None:
    proc = home.guard('trust', cloned)
    assert (proc.returncode, proc.stderr) == (
        2,
        f'guard: error: {cloned}: no guard.toml nor pyproject.toml [tool.guard] to trust\n',
    )


def test_scan_and_commit_hook_on_an_untrusted_repository_say_nothing_of_trust(
    home: Home, cloned: Path, tmp_path: Path
) -> None:
    command, marker = touch_command(tmp_path)
    write(
        cloned,
        'pyproject.toml',
        f'[tool.guard]\nstate-dir = "/tmp"\n[tool.guard.alerts]\ncommand = "{command}"\n'
        f'[tool.guard.purge]\nbefore = ["{command}"]\n',
    )
    write(cloned, 'app.py', 'print("hello")\n')
    scan = home.guard('scan', cloned)
    assert (scan.returncode, scan.stderr) == (0, '')
    assert home.guard('install', cloned).returncode == 0
    git(cloned, 'add', '.')
    commit = subprocess.run(
        ['git', 'commit', '-q', '-m', 'init'],
        cwd=cloned,
        capture_output=True,
        text=True,
        env={**os.environ, **home.env},
        timeout=120,
    )
    assert (commit.returncode, commit.stderr) == (0, '')
    # The hook did run on that config: it blocks a finding, and still says nothing of trust.
    key = 'AKIA' + ''.join(secrets.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') for _ in range(16))
    write(cloned, 'keys.py', f'AWS_ACCESS_KEY_ID = "{key}"\n')
    git(cloned, 'add', 'keys.py')
    blocked = subprocess.run(
        ['git', 'commit', '-q', '-m', 'ip'],
        cwd=cloned,
        capture_output=True,
        text=True,
        env={**os.environ, **home.env},
        timeout=120,
    )
    assert blocked.returncode == 1 and 'keys.py:1:' in blocked.stdout + blocked.stderr
    assert 'trust' not in blocked.stdout + blocked.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    ('value', 'needs_trust'),
    [
        ('.guard/q', False),
        ('', False),
        ('/var/tmp/q', True),
        ('../q', True),
        ('inside/../../q', True),
        ('link/q', True),  # link -> a folder outside the root
    ],
)
def test_paths_need_trust_only_outside_the_root(tmp_path: Path, value: str, needs_trust: bool) -> None:
    root = tmp_path / 'root'
    (root / 'inside').mkdir(parents=True)
    (root / 'link').symlink_to(tmp_path)
    write(root, 'guard.toml', f'[clean]\nquarantine-dir = "{value}"\n')
    cfg = config.load(
        root,
        environ={
            'XDG_STATE_HOME': str(tmp_path / 'state'),
            'GUARD_SYSTEM_CONFIG': str(tmp_path / 'none'),
            'XDG_CONFIG_HOME': str(tmp_path / 'none'),
        },
    )
    assert cfg.untrusted == (('clean.quarantine-dir',) if needs_trust else ())
    assert cfg.clean.quarantine_dir == ('.guard/quarantine' if needs_trust else value or '')


def test_purge_commands_wait_for_trust(home: Home, tmp_path: Path) -> None:
    root = tmp_path / 'proj'
    command, marker = touch_command(tmp_path)
    write(root, 'guard.toml', f'[purge]\nbefore = ["{command}"]\n')
    write(root, 'logs/app.log', 'x\n')
    untrusted = home.guard('purge', root, '--force')
    assert untrusted.returncode == 0, untrusted.stderr
    assert not marker.exists() and not (root / 'logs/app.log').exists()
    assert 'ignoring purge.before from' in untrusted.stderr
    assert home.guard('trust', root).returncode == 0
    assert home.guard('purge', root, '--force').returncode == 0
    assert marker.exists()


def test_a_project_that_needs_no_trust_never_reads_the_store() -> None:
    """Loading a project that sets nothing that needs trust never reads the store (nor imports json)."""
    code = (
        'import sys, tempfile, pathlib; from guard import config; d = tempfile.mkdtemp(); '
        'pathlib.Path(d, "guard.toml").write_text("fail-on = \'error\'\\n"); config.load(d, environ={}); '
        'print("json" in sys.modules, "hashlib" in sys.modules)'
    )
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out == 'False False\n'


def test_a_link_to_a_trusted_file_is_not_trusted(home: Home, tmp_path: Path) -> None:
    """Another root's guard.toml that links to a trusted one would run the same relative commands in
    that other root: trust is for the file as found in the root it was trusted in."""
    trusted_root, other = tmp_path / 'mine', tmp_path / 'theirs'
    command, marker = touch_command(tmp_path)
    write(
        trusted_root,
        'guard.toml',
        f'[health]\nchecks = ["disk"]\nmin-free-disk-mb = 1000000000\n'
        f'[alerts]\njournal = false\ncommand = "{command}"\n',
    )
    assert home.guard('trust', trusted_root).returncode == 0
    other.mkdir()
    (other / 'guard.toml').symlink_to(trusted_root / 'guard.toml')
    proc = home.alert(other)
    assert not marker.exists()
    assert f'ignoring alerts.command from {other / "guard.toml"} (untrusted)' in proc.stderr
    home.alert(trusted_root)
    assert marker.exists()


@pytest.mark.parametrize(
    ('toml', 'skipped'),
    [
        ('[alerts]\ncommand = ""\nwebhook = ""\n', ()),  # turning something off needs no trust
        ('[purge]\nbefore = []\n', ()),
        ('[purge]\nbefore = ["make stop"]\nafter = ["make start"]\n', ('purge.before', 'purge.after')),
        ('[audit]\nurl = "sqlite:///audit.db"\n', ('audit.url',)),
        ('baseline = "../shared-baseline.json"\n', ('baseline',)),
        ('baseline = "baseline.json"\n', ()),
        ('state-dir = ".state"\n', ('state-dir',)),  # issue 16 attack 4: the tree never places guard's own state
        ('state-dir = "/var/lib/guard"\n', ('state-dir',)),
        ('fail-on = "error"\n[health]\ntables = ["t"]\n', ()),
        ('[watch]\nrun-commands = true\n', ('watch.run-commands',)),
        ('[watch]\nrun-commands = false\non-log-limit = "purge"\n', ()),
        ('[watch]\nmetrics-file = "/var/lib/node_exporter/guard.prom"\n', ('watch.metrics-file',)),
        ('[watch]\nmetrics-file = "metrics/guard.prom"\n', ()),
    ],
)
def test_which_keys_need_trust(tmp_path: Path, toml: str, skipped: tuple[str, ...]) -> None:
    root = tmp_path / 'root'
    write(root, 'guard.toml', toml)
    cfg = config.load(
        root,
        environ={
            'XDG_STATE_HOME': str(tmp_path / 'state'),
            'XDG_CONFIG_HOME': str(tmp_path / 'none'),
            'GUARD_SYSTEM_CONFIG': str(tmp_path / 'none'),
        },
    )
    assert cfg.untrusted == skipped
    assert bool(cfg.trust_note) == bool(skipped)


def test_trust_writes_the_system_store_for_a_root_a_service_watches(tmp_path: Path) -> None:
    from guard.cli.trust import service_installed
    from guard.daemon import unit

    root = tmp_path / 'srv' / 'my-app'
    root.mkdir(parents=True)
    units = tmp_path / 'units'
    assert not service_installed(root, units)
    drop_in = units / f'{unit.unit_name(root)}.d' / unit.DROP_IN
    write(drop_in.parent, drop_in.name, '[Service]\n')
    assert service_installed(root, units)
    assert not service_installed(tmp_path / 'srv', units)
