"""The size of the log paths: files under folders and globs, no symlink followed, each file once."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from guard.settings import HealthSettings
from guard.health import Status
from guard.health.logs import check_logs
from guard.health.units import MIB


def make_log(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))


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
    assert (result.status, result.reason) == (Status.WARN, 'above the warning level of 1.0 MiB; largest logs/big.log (2.0 MiB)')


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
    assert check_logs(root, HealthSettings(log_paths=(str(tmp_path / 'srv'),))).value == '2.0 KiB in 1 file'
    assert check_logs(root, HealthSettings(log_paths=())).value == 'no log files in (no log-paths)'


def test_root_with_glob_characters(tmp_path: Path) -> None:
    root = tmp_path / 'proj[1]'
    make_log(root / 'logs' / 'a.log', 1024)
    assert check_logs(root, HealthSettings()).value == '1.0 KiB in 1 file'


def test_the_daemons_one_walk_gives_the_checks_verdict(tmp_path: Path) -> None:
    """The daemon judges its sweep's measurement (measure_logs) instead of walking the logs again:
    same total, count and largest file as check_logs, hard links and overlapping patterns counted once."""
    from guard.daemon.facts import measure_logs
    from guard.health.logs import logs_result
    sizes = [secrets.randbelow(64 * 1024) + 1 for _ in range(6)]
    for i, size in enumerate(sizes):
        make_log(tmp_path / 'logs' / f'd{i % 3}' / f'{secrets.token_hex(4)}.log', size)
    big = tmp_path / 'logs' / 'big.log'
    make_log(big, MIB + secrets.randbelow(MIB))
    os.link(big, tmp_path / 'logs' / 'd0' / 'big-link.log')
    settings = HealthSettings(log_paths=('logs/', 'logs/*.log'), max_log_mb=1)
    usage = measure_logs(tmp_path, settings.log_paths)
    walked, judged = check_logs(tmp_path, settings), logs_result(tmp_path, settings, (usage.total, usage.files, usage.largest))
    assert walked.status is Status.FAIL
    assert (judged.status, judged.value, judged.reason, judged.perf) == (walked.status, walked.value, walked.reason, walked.perf)
    assert walked.value.endswith(' in 7 files (limit 1.0 MiB)')
