"""The size of the log paths: files under folders and globs, no symlink followed, each file once."""

from __future__ import annotations

import os
from pathlib import Path

import hypothesis
import pytest
from hypothesis import strategies as st

from guard.du import disk_usage
from guard.health import Status
from guard.health.logs import check_logs
from guard.health.units import MIB
from guard.health.units import human_size
from guard.settings import HealthSettings


def make_log(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))


def on_disk(*paths: Path) -> str:
    """What the check says the files take: their blocks, as du counts (guard.du)."""
    return human_size(sum(disk_usage(os.lstat(p)) for p in paths))


def test_sums_files_under_folders_and_globs(tmp_path: Path) -> None:
    make_log(tmp_path / 'logs' / 'app.log', 300 * 1024)
    make_log(tmp_path / 'logs' / 'old' / 'app.log.1', 100 * 1024)
    make_log(tmp_path / 'var' / 'worker.out', 24 * 1024)
    make_log(tmp_path / 'var' / 'worker.pid', 10)
    settings = HealthSettings(log_paths=('logs/', 'var/*.out', 'logs/app.log'), max_log_mb=1)
    result = check_logs(tmp_path, settings)
    assert (result.name, result.status, result.reason) == ('logs', Status.OK, '')
    assert result.value == '424 KiB in 3 files (limit 1.0 MiB)'
    (perf,) = result.perf
    assert (perf.label, perf.value, perf.uom, perf.crit) == ('logs_size', 0.4, 'MB', '1')


def test_above_the_limit_fails_and_names_the_largest(tmp_path: Path) -> None:
    make_log(tmp_path / 'logs' / 'big.log', 2 * MIB)
    make_log(tmp_path / 'logs' / 'small.log', 1024)
    result = check_logs(tmp_path, HealthSettings(max_log_mb=1))
    assert result.status is Status.FAIL
    assert result.value == '2.0 MiB in 2 files (limit 1.0 MiB)'
    assert result.reason == 'above the limit of 1.0 MiB; largest logs/big.log (2.0 MiB)'


def test_above_the_warning_level_warns(tmp_path: Path) -> None:
    make_log(tmp_path / 'logs' / 'big.log', 2 * MIB)
    result = check_logs(tmp_path, HealthSettings(max_log_mb=10, warn_log_mb=1))
    assert (result.status, result.reason) == (
        Status.WARN,
        'above the warning level of 1.0 MiB; largest logs/big.log (2.0 MiB)',
    )


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / 'elsewhere'
    make_log(elsewhere / 'huge.log', 2 * MIB)
    (tmp_path / 'logs').mkdir()
    (tmp_path / 'logs' / 'dir-link').symlink_to(elsewhere)
    (tmp_path / 'logs' / 'file-link.log').symlink_to(elsewhere / 'huge.log')
    result = check_logs(tmp_path, HealthSettings(max_log_mb=1))
    assert (result.status, result.value) == (Status.OK, 'no log files in logs/')


def test_absolute_paths_and_no_logs(tmp_path: Path) -> None:
    make_log(tmp_path / 'srv' / 'x.log', 2048)
    root = tmp_path / 'project'
    root.mkdir()
    value = check_logs(root, HealthSettings(log_paths=(str(tmp_path / 'srv'),))).value
    assert value == f'{on_disk(tmp_path / "srv" / "x.log")} in 1 file'
    assert check_logs(root, HealthSettings(log_paths=())).value == 'no log files in (no log-paths)'


def test_root_with_glob_characters(tmp_path: Path) -> None:
    root = tmp_path / 'proj[1]'
    make_log(root / 'logs' / 'a.log', 1024)
    assert check_logs(root, HealthSettings()).value == f'{on_disk(root / "logs" / "a.log")} in 1 file'


# A generated tree: files at some depths of logs/, some hard links, and log-paths entries that overlap.
_NAMES = st.sampled_from(['a', 'b', 'c'])
_TREE = st.lists(
    st.tuples(
        st.lists(_NAMES, max_size=2),
        st.sampled_from(['x.log', 'y.log', 'z.out']),
        st.integers(0, 20_000),
        st.booleans(),
    ),
    min_size=1,
    max_size=10,
)
_PATTERNS = st.lists(
    st.sampled_from(
        ['logs/', 'logs/**', 'logs/*.log', 'logs/**/*.log', 'logs/a/', 'logs/a/b/x.log', 'logs', 'logs/../logs/a']
    ),
    min_size=1,
    max_size=4,
)


def _plant(root: Path, tree: list[tuple[list[str], str, int, bool]]) -> None:
    """The files of `tree`; a True flag makes the file a second name (hard link) of the previous one."""
    previous = None
    for folders, name, size, linked in tree:
        path = root.joinpath('logs', *folders, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            continue
        if linked and previous is not None:
            os.link(previous, path)
        else:
            make_log(path, size)
        previous = path


def _expected_total(root: Path) -> tuple[int, int]:
    """Every regular file under logs/ once (by inode), walked without following links: (bytes, files)."""
    inodes = {}
    for folder, _, names in os.walk(root / 'logs'):
        for name in names:
            st_ = os.lstat(os.path.join(folder, name))
            inodes[(st_.st_dev, st_.st_ino)] = disk_usage(st_)
    return sum(inodes.values()), len(inodes)


@hypothesis.settings(max_examples=25, deadline=None)
@hypothesis.given(tree=_TREE, patterns=_PATTERNS)
def test_guard_health_and_guard_watch_count_the_same_logs(
    tmp_path_factory: pytest.TempPathFactory, tree: list[tuple[list[str], str, int, bool]], patterns: list[str]
) -> None:
    """`guard health` (check_logs) and `guard watch` (its sweep and the facts it judges) report one total
    for one tree, each file once whatever names or overlapping entries reach it."""
    from guard import config as config_module
    from guard.daemon import sweep
    from guard.daemon.facts import LOGS
    from guard.daemon.facts import gather

    root = tmp_path_factory.mktemp('root')
    _plant(root, tree)
    (root / 'guard.toml').write_text(f'[health]\nlog-paths = {patterns!r}\nmax-log-mb = 1\n'.replace("'", '"'))
    config = config_module.load(root)
    health = check_logs(root, config.health)
    watch = gather(config, root, {LOGS}).checks[LOGS]
    swept = sweep.take(root, config.health.log_paths)
    assert (watch.status, watch.value, watch.reason, watch.perf) == (
        health.status,
        health.value,
        health.reason,
        health.perf,
    )
    every_file = any(p in ('logs/', 'logs/**', 'logs') for p in patterns)
    total, files = _expected_total(root)
    if every_file:
        assert (swept.log_bytes, swept.log_files) == (total, files)
        if files:
            assert health.value.startswith(f'{human_size(total)} in {files} file')
    else:
        assert swept.log_bytes <= total and swept.log_files <= files


def test_a_folder_named_twice_is_counted_once(tmp_path: Path) -> None:
    """'logs/**' names logs/ and every folder under it: each file once, not once per folder above it."""
    from guard.health.logs import tally_logs

    make_log(tmp_path / 'logs' / 'a' / 'b' / 'deep.log', 5000)
    usage = tally_logs(tmp_path, ('logs/**', 'logs/a/'))
    assert (usage.total, usage.files) == (disk_usage(os.lstat(tmp_path / 'logs' / 'a' / 'b' / 'deep.log')), 1)
    assert usage.per_path == (('logs/**', usage.total), ('logs/a/', 0))


# Issue 16, finding 6: a relative log path, the default `logs/` included, is measured only inside the
# root. Generated trees put a link to a folder or file outside at any level of the log paths.
_LINK_AT = st.sampled_from(['logs', 'logs/app', 'logs/app/x.log', 'var', 'var/log', 'var/log/big.log'])
_PATTERNS = st.sampled_from(
    [
        ('logs/',),
        ('logs',),
        ('logs/*',),
        ('logs/**',),
        ('logs/**/*.log',),
        ('logs/app/',),
        ('var/log/*.log',),
        ('var/**',),
        ('./logs/',),
        ('logs/../logs/',),
        ('*',),
        ('**/*.log',),
    ]
)


@hypothesis.given(links=st.lists(_LINK_AT, min_size=1, max_size=3, unique=True), patterns=_PATTERNS)
@hypothesis.settings(
    max_examples=60, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
def test_relative_log_paths_never_measure_outside_the_root(
    tmp_path_factory: pytest.TempPathFactory, links: list[str], patterns: tuple[str, ...]
) -> None:
    from guard.health.logs import tally_logs

    base = tmp_path_factory.mktemp('tree')
    outside = base / 'outside'
    make_log(outside / 'secret' / 'big.log', 3 * MIB)
    make_log(outside / 'big.log', 3 * MIB)
    root = base / 'root'
    root.mkdir()
    for link in sorted(links, key=len):
        target = root / link
        if target.parent.is_symlink() or not target.parent.resolve().is_relative_to(root.resolve()):
            continue  # an earlier link already leads out above it
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() and not target.is_symlink():
            target.symlink_to(outside / 'big.log' if link.endswith('.log') else outside)
    usage = tally_logs(root, patterns)
    assert usage.total == 0 and usage.files == 0, (links, patterns, usage)


def test_an_absolute_log_path_from_a_trusted_layer_is_measured(tmp_path: Path) -> None:
    make_log(tmp_path / 'var' / 'app.log', MIB)
    (tmp_path / 'root').mkdir()
    from guard.health.logs import tally_logs

    assert tally_logs(tmp_path / 'root', (str(tmp_path / 'var') + '/',)).files == 1


def test_the_daemon_watches_no_log_folder_reached_through_a_link(tmp_path: Path) -> None:
    """The watch set follows the same rule as the tally: `var -> outside` puts var/log/ out of reach."""
    from watchdog.events import FileSystemEventHandler

    from guard.daemon.watcher import Watcher

    outside = tmp_path / 'outside'
    (outside / 'log').mkdir(parents=True)
    root = tmp_path / 'root'
    (root / 'logs').mkdir(parents=True)
    (root / 'var').symlink_to(outside)
    wanted = Watcher(root, FileSystemEventHandler(), ('logs/', 'var/log/'))._wanted()
    assert all(not os.path.realpath(path).startswith(str(outside)) for path, _ in wanted), wanted
    assert (str(root / 'logs'), True) in wanted
