"""The gaps left after issue 16's second pass, each built as the attack (docs/purge.md, docs/trust.md,
docs/health.md): real symlink swaps, a real second user (useradd), a real loopback listener."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard import secure_path
from guard.safety import commands
from guard.safety.fd import RootPin

NAMES = st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789_-', min_size=1, max_size=12)


# --- gap 2: the purge's service commands start in the pinned root -------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(root_name=NAMES, moved_name=NAMES, elsewhere_name=NAMES)
def test_a_root_swapped_between_the_check_and_the_spawn_does_not_move_the_command(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    root_name: str,
    moved_name: str,
    elsewhere_name: str,
) -> None:
    if len({root_name, moved_name, elsewhere_name}) < 3:
        return
    base = tmp_path_factory.mktemp('swap')
    root, moved, elsewhere = base / root_name, base / moved_name, base / elsewhere_name
    root.mkdir()
    elsewhere.mkdir()
    pin = RootPin(root)
    checked = secure_path.command_problem

    def check_then_swap(*args: object, **kwargs: object) -> str:
        # The attacker's window: after guard judged the command, before it spawns it.
        found = checked(*args, **kwargs)  # type: ignore[arg-type]
        os.rename(root, moved)
        os.symlink(elsewhere, root)
        return found

    with monkeypatch.context() as patch:  # one example's patch must not wrap the next one's
        patch.setattr(secure_path, 'command_problem', check_then_swap)
        try:
            result = commands.run('before', '/bin/pwd -P', cwd=root, timeout=10, root_fd=pin.fd)
        finally:
            pin.close()
    assert result.outcome == commands.OK, result
    assert result.detail == str(moved.resolve())
    assert result.detail != str(elsewhere.resolve())


# --- gap 1: a URL from the repository's .env carries only what the file says -------------------


def _guard_environment(home: Path, secret: str, port: int, sources: frozenset[str]) -> dict[str, str]:
    """guard's own PostgreSQL credentials, the ways libpq finds them (`sources`): variables, ~/.pgpass,
    a service file. (libpq takes the first it finds, so each is tried alone too.)"""
    home.mkdir(parents=True, exist_ok=True)
    pgpass = home / '.pgpass'
    pgpass.write_text(f'127.0.0.1:{port}:*:*:{secret}-pgpass\n*:*:*:*:{secret}-pgpass-any\n')
    pgpass.chmod(0o600)
    service = home / 'pg_service.conf'
    service.write_text(f'[guardsvc]\npassword={secret}-service\nuser={secret}-svcuser\n')
    if 'pgpass' not in sources:
        pgpass.unlink()
    env = {
        'HOME': str(home),
        'PGUSER': f'{secret}-pguser',
        'PGDATABASE': f'{secret}-pgdb',
        'PGOPTIONS': f'-c guard.leak={secret}-options',
        'PGAPPNAME': 'x',
        'PGSSLCERT': str(home / 'client.crt'),
        'PGSSLKEY': str(home / 'client.key'),
        'DB_URL': '',
        'DATABASE_URL': '',
        'XDG_STATE_HOME': str(home / 'state'),
        'XDG_CONFIG_HOME': str(home / 'cfg'),
    }
    if 'env' in sources:
        env['PGPASSWORD'] = f'{secret}-env'
    if 'service' in sources:
        env.update(PGSERVICEFILE=str(service), PGSERVICE='guardsvc')
    return env


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    secret=st.text(alphabet='ABCDEFGHJKLMNPQRSTUVWXYZ23456789', min_size=12, max_size=20),
    user=st.sampled_from(['', 'app@']),
    database=st.sampled_from(['', 'appdb']),
    file_password=st.sampled_from(['', 'file-own-pw']),
    sources=st.frozensets(st.sampled_from(['env', 'pgpass', 'service']), min_size=1),
)
def test_a_repository_env_url_never_receives_guards_own_postgres_credentials(
    tmp_path_factory: pytest.TempPathFactory,
    secret: str,
    user: str,
    database: str,
    file_password: str,
    sources: frozenset[str],
) -> None:
    from pg_listener import pg_listening
    from support import run_guard
    from support import write

    base = tmp_path_factory.mktemp('pg')
    root = base / 'cloned'
    with pg_listening() as server:
        userinfo = f'{user[:-1]}:{file_password}@' if user and file_password else user
        write(root, '.env', f'DB_URL=postgresql://{userinfo}127.0.0.1:{server.port}/{database}\n')
        env = _guard_environment(base / 'home', secret, server.port, sources)
        proc = run_guard('health', root, '--check', 'database', '--timeout', '5', env=env)
        assert proc.returncode == 1, proc.stderr  # unhealthy: the listener refuses every login
        assert server.startups, 'guard did connect: the refusal is not a missing connection'
        assert secret.encode() not in server.raw, (server.startups, server.passwords)
        if file_password and user:
            assert server.passwords == [file_password.encode()] * len(server.passwords)
        for params in server.startups:
            assert params.get('user') != f'{secret}-pguser'
            assert 'options' not in params
        assert secret not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    'url',
    [
        'mysql+pymysql://app@127.0.0.1:{port}/db',
        'postgresql+pg8000://127.0.0.1:{port}/db',
        'mysql://127.0.0.1:{port}/db',
    ],
)
def test_a_repository_env_url_for_a_driver_guard_cannot_confine_connects_nowhere(tmp_path: Path, url: str) -> None:
    from listener import listening
    from support import run_guard
    from support import write

    with listening() as server:
        write(tmp_path / 'cloned', '.env', 'DB_URL=' + url.format(port=server.port) + '\n')
        env = {
            'DB_URL': '',
            'DATABASE_URL': '',
            'XDG_STATE_HOME': str(tmp_path / 'state'),
            'MYSQL_PWD': 'guard-own-mysql-pw',
            'PGPASSWORD': 'guard-own-pw',
        }
        proc = run_guard('health', tmp_path / 'cloned', '--check', 'database', env=env)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert proc.stderr.count('\n') == 1 and 'trusted config' in proc.stderr, proc.stderr
        assert server.connections == []


# --- gap 5: a symlink in a trusted state-dir is refused, never followed --------------------------


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    depth=st.integers(min_value=0, max_value=3),
    link_at=st.integers(min_value=0, max_value=3),
    via=st.sampled_from(['env', 'relative']),
)
def test_a_symlink_anywhere_in_a_trusted_state_dir_is_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory, depth: int, link_at: int, via: str
) -> None:
    from safety_trees import tree_hash
    from support import run_guard
    from support import write

    base = tmp_path_factory.mktemp('statedir')
    root = base / 'proj'
    write(root, 'logs/app.log', 'x' * 100)
    elsewhere = base / 'elsewhere'
    elsewhere.mkdir(mode=0o700)
    parts = ['s0', 's1', 's2', 's3'][: depth + 1]
    link_at = min(link_at, depth)
    inside = root / '.g' if via == 'relative' else base / 'trusted'
    (inside / '/'.join(parts[:link_at])).mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere, inside / '/'.join(parts[: link_at + 1]))
    state = inside / '/'.join(parts)
    before_root, before_elsewhere = tree_hash(root), tree_hash(elsewhere)
    value = os.path.relpath(state, root) if via == 'relative' else str(state)
    proc = run_guard('purge', root, '--force', env={'GUARD_STATE_DIR': value, 'XDG_STATE_HOME': str(base / 'xdg')})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count('\n') == 1 and 'is a symlink' in proc.stderr, proc.stderr
    assert tree_hash(elsewhere) == before_elsewhere, 'nothing is written through the link'
    assert tree_hash(root) == before_root


# --- gap 3: every file guard writes as its own: no link followed at any component ----------------


def _write_hold(base: Path) -> None:
    from guard.safety import hold

    hold.hold(base / 'st' / 'guard', Path('/srv/app'), ['venv'], 60)


def _write_trust(base: Path) -> None:
    from guard import trust

    trust.update({'XDG_STATE_HOME': str(base / 'xdg' / 'state')}, '/srv/app/guard.toml', 'a' * 64)


def _write_system_trust(base: Path) -> None:
    from guard import trust

    trust.update(
        {'GUARD_SYSTEM_TRUST': str(base / 'etc' / 'guard' / 'trusted.json')},
        '/srv/app/guard.toml',
        'b' * 64,
        system=True,
    )


def _write_alert_state(base: Path) -> None:
    from guard.alerts.state import AlertState

    with AlertState(base / 'st' / 'guard' / 'alert-state.json', lock_timeout=1) as state:
        state.save('/srv/app', {})


def _write_status(base: Path) -> None:
    from guard.daemon import status

    record = status.DaemonStatus(
        root='/srv/app',
        pid=1,
        pid_start=None,
        started_at=0.0,
        updated_at=0.0,
        state='watching',
        status='ok',
        config='defaults',
        observer='inotify',
    )
    status.write(base / 'st' / 'guard' / 'watch.json', record)


def _write_lock(base: Path) -> None:
    from guard.safety.lock import root_lock

    (base / 'proj').mkdir(exist_ok=True)
    with root_lock(base / 'st' / 'guard', base / 'proj', 'purge'):
        pass


def _write_metrics(base: Path) -> None:
    from guard.daemon import metrics

    if not os.path.lexists(base / 'st' / 'metrics'):  # the operator's folder: guard does not create it
        (base / 'st' / 'metrics').mkdir(parents=True, exist_ok=True)
    metrics.write_text(base / 'st' / 'metrics' / 'guard.prom', 'guard_up 1\n')


def _write_unit(base: Path) -> None:
    from guard.cli import install_service

    install_service._write(base / 'units' / 'system' / 'guard@.service', '[Unit]\n')


def _write_manifest(base: Path) -> None:
    # A quarantine's manifest, through the folder a clean reached without following links.
    from guard import ownfiles
    from guard.safety import manifest

    folder = base / 'proj' / '.guard' / 'quarantine' / 'q1'
    fd = ownfiles.open_dir(folder, create=True, private=False, owners=False)
    try:
        manifest.write(
            fd,
            manifest.Manifest(
                id='q1',
                root=str(base / 'proj'),
                created='2026-01-01T00:00:00+00:00',
                state='complete',
                entries=(),
                parent_modes={},
            ),
        )
    finally:
        os.close(fd)


WRITERS = {
    'hold': _write_hold,
    'trust-user': _write_trust,
    'trust-system': _write_system_trust,
    'alert-state': _write_alert_state,
    'daemon-status': _write_status,
    'lock': _write_lock,
    'metrics': _write_metrics,
    'unit': _write_unit,
    'manifest': _write_manifest,
}


def _created(base: Path) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, n), base) for d, dirs, files in os.walk(base) for n in dirs + files)


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    found = {}
    for d, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(d, name)
            info = os.lstat(path)
            found[os.path.relpath(path, folder)] = (info.st_mode, b'' if name in dirs else Path(path).read_bytes())
    return found


@pytest.mark.parametrize('writer', sorted(WRITERS))
def test_a_link_planted_at_any_component_of_a_file_guard_writes_redirects_nothing(tmp_path: Path, writer: str) -> None:
    write_it = WRITERS[writer]
    clean = tmp_path / 'clean'
    clean.mkdir()
    write_it(clean)
    components = [c for c in _created(clean) if not os.path.basename(c).startswith('.') or c.endswith('.guard')]
    assert components, f'{writer} wrote nothing: the walk would prove nothing'
    for index, component in enumerate(components):  # every folder and file the writer makes, each in turn
        base = tmp_path / f'attack{index}'
        outside = tmp_path / f'outside{index}'
        planted_is_dir = (clean / component).is_dir()
        # What a followed link would reach: a copy of the layout, and a precious file at the name.
        for rel in _created(clean):
            target = outside / rel
            if (clean / rel).is_dir():
                target.mkdir(parents=True, exist_ok=True)
        if not planted_is_dir:
            (outside / component).parent.mkdir(parents=True, exist_ok=True)
            (outside / component).write_text('precious\n')
        os.chmod(outside, 0o700)
        (base / component).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(outside / component, base / component)
        before = _snapshot(outside)
        try:
            write_it(base)
        except (OSError, Exception) as e:  # refused: what matters is that nothing went outside
            assert 'Traceback' not in str(e)
        assert _snapshot(outside) == before, f'{writer}: a link at {component} made guard write outside'


# Writing a file by path (write_text, os.replace, mkstemp) is how a planted link gets followed: guard
# writes its own files through guard.ownfiles only. The exceptions write files that are not guard's.
_PATH_WRITES = ('.write_text(', '.write_bytes(', 'os.replace(', 'mkstemp(', "open('w'", ".open('w'")
_NOT_OWN_FILES = {
    'guard/ownfiles.py': 'the one place that writes',
    'guard/cli/install.py': "the repository's own git hooks, in .git/hooks",
    'guard/cli/common.py': 'an --output file the user named',
}


def test_no_module_writes_a_file_by_path_but_ownfiles() -> None:
    package = Path(__file__).resolve().parent.parent / 'guard'
    offenders = []
    for path in sorted(package.rglob('*.py')):
        rel = path.relative_to(package.parent).as_posix()
        if rel in _NOT_OWN_FILES:
            continue
        text = path.read_text(encoding='utf-8')
        offenders += [f'{rel}: {word}' for word in _PATH_WRITES if word in text]
    assert offenders == []


# --- gap 4: what root leaves behind does not stop the daemon's user from acting ------------------


def _as_user(uid: int, action: object) -> str:
    """Run `action()` in a child that is really `uid` (setgid/setuid after fork, no exec: the
    test's own interpreter and guard as imported), and return what it printed or raised, as text."""
    import pwd
    import traceback

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        try:
            entry = pwd.getpwuid(uid)
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(uid)
            text = str(action())  # type: ignore[operator]
        except BaseException as e:
            text = f'{type(e).__name__}: {e}' if not isinstance(e, AssertionError) else traceback.format_exc()
        os.write(write_end, text.encode())
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b''.join(chunks).decode()


def test_a_lock_or_state_left_by_root_does_not_stop_the_daemons_user(tmp_path: Path) -> None:
    import tempfile

    from second_user import uid as second_uid
    from support import run_guard
    from support import write

    from guard.safety.lock import lock_path
    from guard.safety.lock import root_lock

    app = second_uid()
    base = Path(tempfile.mkdtemp(prefix='guard-gap4-', dir='/tmp'))
    try:
        os.chmod(base, 0o755)
        project = base / 'proj'
        write(project, 'logs/app.log', 'x' * 100)
        for d, dirs, files in os.walk(project):
            for name in [d, *(os.path.join(d, n) for n in dirs + files)]:
                os.chown(name, app, -1)
        daemon_state = base / 'app-state'
        daemon_state.mkdir(mode=0o700)
        os.chown(daemon_state, app, -1)
        # The daemon's user takes its lock once, as the service does: its lock file exists.
        assert _as_user(app, lambda: _lock_once(root_lock, daemon_state, project)) == 'locked'
        # Root runs purge against the root the daemon watches, pointed at the daemon's state dir too.
        proc = run_guard('purge', project, '--force', env={'GUARD_STATE_DIR': str(daemon_state)})
        assert proc.returncode == 2 and 'owned by uid' in proc.stderr, proc.stdout + proc.stderr
        owners = {os.lstat(os.path.join(d, n)).st_uid for d, ds, fs in os.walk(daemon_state) for n in ds + fs}
        assert owners == {app}, "root left nothing of its own in the daemon's state directory"
        # Root's purge with its own state dir: its lock file is root's, elsewhere; and while root holds
        # the root's lock, the daemon's user is told so, then acts once root is done.
        root_state = base / 'root-state'
        with root_lock(root_state, project, 'purge', timeout=0):
            assert lock_path(root_state, project).stat().st_uid == 0
            busy = _as_user(app, lambda: _lock_once(root_lock, daemon_state, project))
            # Told who: not its own last run (its lock file's stale record), but another user's guard.
            assert busy.startswith('LockedError') and 'another user' in busy, busy
            assert 'gct-alice' not in busy and 'pid' not in busy, busy
        assert _as_user(app, lambda: _lock_once(root_lock, daemon_state, project)) == 'locked'
    finally:
        import shutil

        shutil.rmtree(base)


def _lock_once(root_lock: object, state: Path, project: Path) -> str:
    with root_lock(state, project, 'purge', timeout=0):  # type: ignore[operator]
        return 'locked'
