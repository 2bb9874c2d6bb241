"""Findings 05, 11, 12, 13, 15, 16 and 19 of issue 16's outside attack, each built as the attack
(/work/attack/findings16b): a project's own, untrusted pyproject.toml names the path guard writes or
deletes; guard runs as a real process; races use a real second user (useradd) swapping a folder for
a symlink. And the invariant behind them, by generators: every path-valued key of guard/schema.py,
set from an untrusted file, changes no byte outside the root or under a protected path."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard
from support import write

from guard import schema

METRICS_HEAD = '# HELP guard_'
# How long each race runs: the attack hit within ~50 runs; a run (a guard process) takes ~1 s here.
RACE_SECONDS = float(os.environ.get('RACE_TEST_SECONDS', '60'))
PROTECTED_NAMES = ('.env', 'src/main.py', '.git/config', '.git/HEAD', 'pyproject.toml', '.gitignore', 'config/app.yml')


def _project(tmp: Path, table: str) -> Path:
    """A root with a git repository, a .env, source and config, and `table` as [tool.guard...]."""
    root = tmp / 'root'
    root.mkdir()
    git(root, 'init', '-q')
    write(root, '.env', 'DB_PASSWORD=only-copy-of-this\n')
    write(root, 'src/main.py', 'print("app")\n')
    write(root, 'config/app.yml', 'a: 1\n')
    write(root, '.gitignore', '*.pyc\n')
    write(root, 'pyproject.toml', table)
    return root


def _snapshot(*tops: Path) -> dict[str, str]:
    """Every path below `tops` (links not followed) -> what it is: a file's hash, a link's target."""
    seen: dict[str, str] = {}
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(top):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    seen[path] = 'link:' + os.readlink(path)
                elif os.path.isfile(path):
                    with open(path, 'rb') as f:
                        seen[path] = hashlib.sha256(f.read()).hexdigest()
                else:
                    seen[path] = 'dir'
    return seen


def _protected_part(root: Path) -> list[Path]:
    return [root / '.env', root / 'src', root / '.git', root / 'pyproject.toml', root / '.gitignore', root / 'config']


def _files_of(paths: list[Path]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            found.update(_snapshot(path))
        elif path.exists() or path.is_symlink():
            found[str(path)] = path.read_bytes().hex() if path.is_file() else 'other'
    return found


def _one_line_refusal(result: subprocess.CompletedProcess[str]) -> None:
    assert 'Traceback' not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def _watch_briefly(root: Path, seconds: float = 2.5) -> tuple[int | None, str]:
    """`guard watch ROOT` as the service runs it, stopped after `seconds` (the metrics file is
    written every second): (its exit code if it stopped on its own, its stderr)."""
    process = subprocess.Popen(
        [sys.executable, '-m', 'guard', 'watch', str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        return None, err
    return process.returncode, process.stderr.read() if process.stderr else ''


# --- 12: an untrusted watch.metrics-file never replaces a protected file --------------------------


@pytest.mark.parametrize('target', ['.env', 'src/main.py', '.git/config'])
def test_an_untrusted_metrics_file_naming_a_protected_file_stops_the_daemon_in_one_line(
    tmp_path: Path, target: str
) -> None:
    root = _project(
        tmp_path, f'[tool.guard.health]\nchecks = ["disk"]\n[tool.guard.watch]\nmetrics-file = "{target}"\n'
    )
    before = _files_of(_protected_part(root))
    code, err = _watch_briefly(root, 30)  # it stops by itself, long before
    assert code == 2, err
    assert 'watch.metrics-file' in err and 'Traceback' not in err, err
    assert _files_of(_protected_part(root)) == before
    _one_line_refusal(run_guard('watch', '--check', root))


# --- 13: an untrusted baseline never replaces a protected file -------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(PROTECTED_NAMES))
def test_an_untrusted_baseline_naming_a_protected_file_is_refused(
    tmp_path_factory: pytest.TempPathFactory, target: str
) -> None:
    root = _project(tmp_path_factory.mktemp('b'), f'[tool.guard]\nbaseline = "{target}"\n')
    before = _files_of(_protected_part(root))
    _one_line_refusal(run_guard('baseline', root))
    assert _files_of(_protected_part(root)) == before
    assert git(root, 'rev-parse', '--git-dir', check=False).returncode == 0


def test_a_baseline_in_the_root_is_still_written(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.guard]\nbaseline = "audit/baseline.json"\n')
    (root / 'audit').mkdir()
    result = run_guard('baseline', root)
    assert result.returncode == 0, result.stderr
    assert (root / 'audit/baseline.json').read_text().startswith('{')


# --- 15 / 16: uninstall-service removes only guard's own metrics file ------------------------------


@pytest.mark.parametrize(
    ('name', 'content', 'removed'),
    [
        ('src/main.py', 'print("the app")\n', False),  # protected: refused before it is looked at
        ('out/m.prom', 'print("not metrics")\n', False),  # not protected, but guard did not write it
        ('out/m.prom', f'{METRICS_HEAD}up 1\n', True),  # guard's own metrics file
    ],
)
def test_uninstall_service_removes_only_a_metrics_file_guard_wrote(
    tmp_path: Path, name: str, content: str, removed: bool
) -> None:
    root = _project(tmp_path, f'[tool.guard.health]\nchecks = ["disk"]\n[tool.guard.watch]\nmetrics-file = "{name}"\n')
    write(root, name, content)
    units = tmp_path / 'units'
    units.mkdir()  # nothing installed: uninstall-service removes the metrics file all the same
    result = run_guard('uninstall-service', root, '--unit-dir', units)
    assert result.returncode == 0, result.stderr
    assert (root / name).exists() is not removed, result.stdout
    assert ('removed ' + str(root / name)) in result.stdout if removed else 'kept' in result.stdout


def test_uninstall_service_keeps_a_symlink_at_the_metrics_name(tmp_path: Path) -> None:
    outside = tmp_path / 'outside.prom'
    outside.write_text(f'{METRICS_HEAD}up 1\n')
    root = _project(
        tmp_path, '[tool.guard.health]\nchecks = ["disk"]\n[tool.guard.watch]\nmetrics-file = "out/m.prom"\n'
    )
    (root / 'out').mkdir()
    (root / 'out/m.prom').symlink_to(outside)
    units = tmp_path / 'units'
    units.mkdir()
    result = run_guard('uninstall-service', root, '--unit-dir', units)
    assert result.returncode == 0, result.stderr
    assert (root / 'out/m.prom').is_symlink() and outside.read_text().startswith(METRICS_HEAD)


class _Swapper:
    """The second user swapping ROOT/x between her folder and a symlink to `victim`, as fast as she
    can, in a real process running under her uid."""

    CODE = (
        'import os, sys\n'
        'os.chdir(sys.argv[1])\n'
        'while True:\n'
        '    try:\n'
        '        os.rename("x", "xd"); os.symlink(sys.argv[2], "x"); os.unlink("x"); os.rename("xd", "x")\n'
        '        if not os.path.exists("x/m.prom"): open("x/m.prom", "w").write("# HELP guard_up\\n")\n'
        '    except OSError:\n'
        '        pass\n'
    )

    def __init__(self, root: Path, victim: Path, uid: int) -> None:
        # The system's interpreter: the second user cannot run the test's, under root's home.
        python = '/usr/bin/python3'
        if not os.access(python, os.X_OK):
            pytest.skip('no /usr/bin/python3 for the second user')
        self.process = subprocess.Popen(
            [python, '-c', self.CODE, str(root), str(victim)],
            user=uid,
            group=uid,
            extra_groups=[],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> _Swapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder the second user can reach (pytest's own are 0700, root's only)."""
    base = Path(tempfile.mkdtemp(prefix='guard-16b-', dir='/tmp'))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _race_setup(tmp_path: Path) -> tuple[Path, Path, int]:
    from second_user import uid as second_uid

    uid = second_uid()
    root = _project(tmp_path, '[tool.guard.health]\nchecks = ["disk"]\n[tool.guard.watch]\nmetrics-file = "x/m.prom"\n')
    (root / 'x').mkdir()
    victim = tmp_path / 'victim'
    victim.mkdir()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
            os.lchown(name, uid, uid)
    return root, victim, uid


def _race(seconds: float, attempt: Callable[[], None], broken: Callable[[], bool]) -> int:
    """Run `attempt` until `broken()` or `seconds` pass; the number of attempts made."""
    end = time.monotonic() + seconds
    runs = 0
    while time.monotonic() < end:
        runs += 1
        attempt()
        assert not broken(), f'run {runs}: the promise broke'
    return runs


def test_uninstall_service_never_deletes_outside_the_root_through_a_swapped_folder(shared_tmp: Path) -> None:
    root, victim, uid = _race_setup(shared_tmp)
    units = shared_tmp / 'units'
    units.mkdir()
    target = victim / 'm.prom'

    def attempt() -> None:
        target.write_text(f'{METRICS_HEAD}root owned, outside the project\n')
        result = run_guard('uninstall-service', root, '--unit-dir', units)
        assert 'Traceback' not in result.stderr, result.stderr

    with _Swapper(root, victim, uid):
        runs = _race(RACE_SECONDS, attempt, lambda: not target.exists())
    assert runs > 5


def test_the_metrics_folder_probe_never_writes_outside_the_root_through_a_swapped_folder(shared_tmp: Path) -> None:
    root, victim, uid = _race_setup(shared_tmp)

    def attempt() -> None:
        result = run_guard('watch', '--check', root)
        assert 'Traceback' not in result.stderr, result.stderr

    with _Swapper(root, victim, uid):
        runs = _race(RACE_SECONDS, attempt, lambda: any(victim.iterdir()))
    assert runs > 5


# --- 11: a quarantine is never where a purge clears, and a purge never clears one ------------------


@pytest.mark.parametrize(
    'value', ['logs/quarantine', 'logs', 'bin', './', '.', 'data/temp/q', 'src/__pycache__/q', '.git/q', 'src/q']
)
def test_a_quarantine_dir_a_purge_clears_or_a_venv_entry_or_the_root_is_refused(tmp_path: Path, value: str) -> None:
    root = tmp_path / 'root'
    root.mkdir()
    git(root, 'init', '-q')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    write(root, 'logs/app.log', 'line\n')
    write(root, 'pyproject.toml', f'[tool.guard.clean]\nquarantine-dir = "{value}"\n')
    before = _snapshot(root)
    _one_line_refusal(run_guard('clean', root, '--force'))
    assert _snapshot(root) == before


def test_a_purge_never_clears_a_quarantine_left_in_an_ephemeral_folder(tmp_path: Path) -> None:
    root = tmp_path / 'root'
    root.mkdir()
    git(root, 'init', '-q')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    write(root, 'logs/app.log', 'line\n')
    # Made by the guard of the day (or by an older one whose clean accepted logs/quarantine): a real
    # quarantine, moved where a later config no longer points.
    result = run_guard('clean', root, '--force')
    assert result.returncode == 0, result.stderr
    (root / 'logs').mkdir(exist_ok=True)
    os.rename(root / '.guard/quarantine', root / 'logs/quarantine')
    quarantined = {p for p in _snapshot(root / 'logs/quarantine')}
    assert any(p.endswith('manifest.json') for p in quarantined)
    result = run_guard('purge', root, '--force')
    assert result.returncode == 0, result.stderr
    assert not (root / 'logs/app.log').exists()
    assert {p for p in _snapshot(root / 'logs/quarantine')} == quarantined


# --- 05: a repository's SQLite URL stays inside the root -----------------------------------------


def _database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute('create table api_keys(k text)')
        conn.executemany('insert into api_keys values (?)', [('k1',), ('k2',), ('k3',)])
    conn.close()


@pytest.mark.parametrize('how', ['absolute', 'dotdot', 'symlinked-folder', 'uri'])
def test_a_repository_sqlite_url_outside_the_root_is_refused_without_opening_it(tmp_path: Path, how: str) -> None:
    private = tmp_path / 'private'
    _database(private / 'secrets.db')
    root = tmp_path / 'root'
    root.mkdir()
    git(root, 'init', '-q')
    url = {
        'absolute': f'sqlite:///{private}/secrets.db',
        'dotdot': 'sqlite:///../private/secrets.db',
        'symlinked-folder': 'sqlite:///data/secrets.db',
        'uri': f'sqlite:///file:{private}/secrets.db?mode=ro&uri=true',
    }[how]
    if how == 'symlinked-folder':
        (root / 'data').symlink_to(private)
    write(root, '.env', f'DATABASE_URL={url}\n')
    write(root, 'pyproject.toml', '[tool.guard.health]\ntables = ["api_keys"]\n')
    result = run_guard('health', root, '--check', 'database')
    assert 'api_keys' not in result.stdout and '3 rows' not in result.stdout, result.stdout
    _one_line_refusal(result)
    assert 'inside the root' in result.stderr


def test_a_repository_sqlite_url_inside_the_root_is_still_checked(tmp_path: Path) -> None:
    root = tmp_path / 'root'
    root.mkdir()
    git(root, 'init', '-q')
    _database(root / 'data/app.db')
    write(root, '.env', 'DATABASE_URL=sqlite:///data/app.db\n')
    write(root, 'pyproject.toml', '[tool.guard.health]\ntables = ["api_keys"]\n')
    result = run_guard('health', root, '--check', 'database')
    assert result.returncode == 0, result.stdout + result.stderr
    assert '3 rows' in result.stdout


# --- the invariant: every path-valued key, set from an untrusted file -----------------------------

# The command that uses each key whose value is a path (schema: reads or writes outside the root, or
# places guard's own state). A key added to the schema without a command here fails the first test.
COMMANDS: dict[str, tuple[tuple[str, ...], ...]] = {
    'baseline': (('baseline', '{root}'),),
    'state-dir': (('purge', '{root}', '--force'),),
    'clean.quarantine-dir': (('clean', '{root}', '--force'),),
    'health.env-file': (('health', '{root}', '--check', 'database'),),
    'health.log-paths': (('health', '{root}', '--check', 'logs'), ('purge', '{root}', '--force')),
    'watch.metrics-file': (
        ('watch', '--check', '{root}'),
        ('uninstall-service', '{root}', '--unit-dir', '{units}'),
        ('watch', '{root}'),
    ),
}
PATH_KEYS = sorted(k.name for k in schema.KEYS if k.trust in (schema.OUTSIDE_ROOT, schema.OWN_STATE))

_NAME = st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789_-.', min_size=1, max_size=8).filter(
    lambda n: n not in ('.', '..')
)
# '{out}' is a folder outside the root (with a file guard must not touch); 'lnk' in the root is a
# symlink to it; 'real' is a plain folder of the root.
VALUES = st.one_of(
    st.sampled_from(PROTECTED_NAMES + ('.git', 'src', '.', './', '.guard', 'logs', 'pyproject.toml/x')),
    st.builds(
        lambda p, n: f'{p}/{n}',
        st.sampled_from(('src', '.git', 'config', '.env', 'lnk', 'real', '.guard', 'logs')),
        _NAME,
    ),
    st.builds(lambda n: f'../outside/{n}', _NAME),
    st.builds(lambda n: f'real/../../outside/{n}', _NAME),
    st.builds(lambda n: '{out}/' + n, _NAME),
    st.sampled_from(('{out}', '{out}/victim.txt', 'lnk', 'lnk/', 'lnk/victim.txt', '~/x')),
)


def test_every_path_valued_key_has_a_command_here() -> None:
    assert PATH_KEYS == sorted(COMMANDS)


def _toml_string(value: str) -> str:
    return '"' + value.replace('\\', '\\\\').replace('"', '\\"') + '"'


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(PATH_KEYS), raw=VALUES)
def test_no_path_valued_key_from_an_untrusted_file_changes_a_byte_outside_the_root_or_under_a_protected_path(
    tmp_path_factory: pytest.TempPathFactory, key: str, raw: str
) -> None:
    base = tmp_path_factory.mktemp('inv')
    outside = base / 'outside'
    write(outside, 'victim.txt', "# HELP guard_ looks like metrics, is not guard's\n")
    write(outside, 'm.prom', '# HELP guard_up 1\n')
    value = raw.replace('{out}', str(outside))
    section, _, name = key.rpartition('.')
    rendered = _toml_string(value)
    if schema.BY_NAME[key].kind == 'list':
        rendered = f'[{rendered}]'
    header = f'[tool.guard.{section}]\n' if section else '[tool.guard]\n'
    extra = '' if section == 'health' else '[tool.guard.health]\nchecks = ["disk"]\n'
    root = _project(base, f'{header}{name} = {rendered}\n{extra}')
    (root / 'lnk').symlink_to(outside)
    (root / 'real').mkdir()
    write(root, 'logs/app.log', 'line\n')
    if key == 'clean.quarantine-dir':
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True)
    units = base / 'units'
    units.mkdir()
    guarded = [outside, *_protected_part(root)]
    before = _files_of(guarded)
    for command in COMMANDS[key]:
        args = [a.format(root=root, units=units) for a in command]
        if args[0] == 'watch' and len(args) == 2:
            code, err = _watch_briefly(root, 3.0)
            assert 'Traceback' not in err and code != 3, err
            continue
        result = run_guard(*args)
        assert 'Traceback' not in result.stderr and result.returncode != 3, (args, result.stderr)
    assert _files_of(guarded) == before, (key, value)
