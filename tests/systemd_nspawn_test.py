"""`guard watch` under the shipped unit, in a real systemd (PID 1 of a systemd-nspawn container).

One container for the module (tests/nspawn.py): guard is pip-installed there from a wheel of this
checkout, `guard install-service` writes the unit, and the tests run in file order against one
service, as an operator would meet it: enable --now, pollution, the sandbox, the watchdog, reload,
a hang, stop. Deselect with `-m 'not systemd'`; a machine that cannot boot the container skips
with the reason (shown by -ra).
"""
from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import nspawn
from daemon_harness import wait_for

# The first test also pays for the module's container: on a fresh machine that includes building
# the Debian root and the dependency wheels (a few minutes on a busy 2-core machine).
pytestmark = [pytest.mark.systemd, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = '/srv/app'
UNIT = 'guard@srv-app.service'
CONFIG = '/etc/guard/app.toml'
WATCHDOG_SEC = 2
PROBE = '/etc/guard/probe.sh'
PROBE_OUT = f'{ROOT}/probe.txt'
# The alert command: run by the service's own process, so it shows what the sandbox lets that
# process do. It writes where it may (the root) what it could not do elsewhere.
PROBE_SCRIPT = f'''#!/bin/sh
try() {{ if (: > "$1") 2>/dev/null; then echo "$2=rw"; else echo "$2=ro"; fi; }}
{{
  echo "user=$(id -un)"
  try /etc/guard-probe etc
  try /usr/local/guard-probe usr
  try /srv/guard-probe srv
  try /var/lib/guard/probe state
  try {ROOT}/.probe root
  if ls /home/app >/dev/null 2>&1; then echo home=visible; else echo home=hidden; fi
  grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status | tr -d ' \\t' | tr : =
}} > {PROBE_OUT}.tmp && mv {PROBE_OUT}.tmp {PROBE_OUT}
'''
METRICS = '/var/lib/prometheus/node-exporter/guard-app.prom'
CONFIG_TEXT = f'''# guard watch for {ROOT}, written by systemd_nspawn_test.py: the README's server set-up
state-dir = "/var/lib/guard"

[health]
checks = ["disk", "logs", "pollution"]
max-log-mb = 1

[alerts]
command = "/bin/sh {PROBE}"

[watch]
on-pollution = "alert"
on-log-limit = "purge"
health-interval = 1
sweep-interval = 2
debounce = 0.2
max-wait = 1
metrics-file = "{METRICS}"
'''
# Test-only: a short watchdog period so a hang is caught in seconds; restarts without delay.
TEST_DROP_IN = f'[Service]\nWatchdogSec={WATCHDOG_SEC}\nRestartSec=100ms\n'


@pytest.fixture(scope='module')
def machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[nspawn.Container]:
    reason = nspawn.unavailable()
    if reason:
        pytest.skip(f'no real systemd here: {reason}')
    wheels = nspawn.wheelhouse(tmp_path_factory.mktemp('wheels'))
    with nspawn.booted(nspawn.rootfs_tar()) as container:
        shutil.copytree(wheels, container.root / 'opt' / 'wheelhouse')
        container.run('python3', '-m', 'venv', '--system-site-packages', '/opt/guard')
        container.run('/opt/guard/bin/pip', 'install', '--quiet', '--no-index', '--find-links', '/opt/wheelhouse', 'guard')
        container.run('ln', '-s', '/opt/guard/bin/guard', '/usr/local/bin/guard')
        container.run('useradd', '--system', '--create-home', '--shell', '/usr/sbin/nologin', 'app')
        container.run('install', '-d', '-o', 'app', '-g', 'app', ROOT, f'{ROOT}/logs', str(Path(METRICS).parent))
        container.write(CONFIG, CONFIG_TEXT)
        container.write(PROBE, PROBE_SCRIPT)
        container.write(f'/run/systemd/system/{UNIT}.d/test.conf', TEST_DROP_IN)
        yield container


def journal(machine: nspawn.Container, *matches: str, unit: str = UNIT) -> list[dict[str, str]]:
    out = machine.run('journalctl', '--no-pager', '-o', 'json', '-u', unit, *matches, check=False).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith('{')]


def test_install_service_writes_the_shipped_unit(machine: nspawn.Container) -> None:
    done = machine.run('guard', 'install-service', ROOT, '--user', 'app', '--config', CONFIG)
    assert f'  systemctl enable --now {UNIT}' in done.stdout.splitlines()
    shipped = (nspawn.REPO / 'systemd' / 'guard@.service').read_text()
    assert (machine.root / 'etc/systemd/system/guard@.service').read_text() == shipped
    drop_in = (machine.root / f'etc/systemd/system/{UNIT}.d/guard.conf').read_text()
    assert f'ExecStart=/opt/guard/bin/guard watch --config {CONFIG} %f\n' in drop_in
    assert f'ReadWritePaths=-{Path(METRICS).parent}\n' in drop_in
    # Inside the container the real ExecStart exists, so verify runs without stubs.
    machine.run('systemctl', 'daemon-reload')
    verify = machine.run('systemd-analyze', 'verify', '--man=no', UNIT, check=False)
    assert verify.stdout + verify.stderr == ''
    assert verify.returncode == 0


def test_enable_now_is_active_only_once_ready(machine: nspawn.Container) -> None:
    machine.run('systemctl', 'enable', '--now', UNIT)
    # Type=notify: start returned, so READY=1 came; STATUS= is the only way StatusText gets set.
    assert machine.prop(UNIT, 'ActiveState') == 'active'
    assert machine.prop(UNIT, 'SubState') == 'running'
    assert machine.prop(UNIT, 'StatusText') != ''
    assert machine.prop(UNIT, 'WatchdogUSec') == f'{WATCHDOG_SEC}s'
    pid = machine.prop(UNIT, 'MainPID')
    assert machine.run('stat', '-c', '%U', f'/proc/{pid}').stdout.strip() == 'app'
    assert machine.run('systemctl', 'is-enabled', UNIT).stdout.strip() == 'enabled'


def test_a_bad_config_fails_the_start_and_never_reports_active(machine: nspawn.Container) -> None:
    bad_root, bad_unit, bad_config = '/srv/bad', 'guard@srv-bad.service', '/etc/guard/bad.toml'
    machine.run('install', '-d', '-o', 'app', '-g', 'app', bad_root)
    # install-service validates the file, so it is broken after that, as an operator's edit would.
    machine.write(bad_config, '[watch]\non-pollution = "alert"\n')
    machine.run('guard', 'install-service', bad_root, '--user', 'app', '--config', bad_config)
    machine.write(bad_config, '[watch]\non-pollution = "sometimes"\n')
    machine.run('systemctl', 'daemon-reload')
    start = machine.run('systemctl', 'start', bad_unit, check=False)
    assert start.returncode != 0
    assert machine.prop(bad_unit, 'ActiveState') == 'failed'
    assert machine.prop(bad_unit, 'ExecMainStatus') == '2'
    lines = [entry['MESSAGE'] for entry in journal(machine, '_COMM=guard', unit=bad_unit)]
    assert any('on-pollution' in line for line in lines), lines
    machine.run('systemctl', 'reset-failed', bad_unit)


def test_a_venv_in_the_root_alerts_in_the_journal(machine: nspawn.Container) -> None:
    machine.run('runuser', '-u', 'app', '--', 'python3', '-m', 'venv', '--without-pip', ROOT)
    alerts = wait_for(lambda: journal(machine, 'GUARD_CHECK=pollution'), 30, 'a pollution alert in the journal')
    alert = alerts[0]
    assert alert['GUARD_ROOT'] == ROOT
    assert alert['GUARD_STATE'] in ('warn', 'fail')
    assert alert['SYSLOG_IDENTIFIER'] == 'guard'
    assert alert['_SYSTEMD_UNIT'] == UNIT
    assert int(alert['PRIORITY']) <= 4


def test_the_sandbox_holds_for_the_service_process(machine: nspawn.Container) -> None:
    # The pollution alert above ran the probe as the alert command.
    text = wait_for(lambda: _read(machine.root / PROBE_OUT.lstrip('/')), 30, 'the probe\'s report')
    report = dict(line.split('=', 1) for line in str(text).splitlines())
    assert report == {
        'user': 'app', 'etc': 'ro', 'usr': 'ro', 'srv': 'ro', 'state': 'rw', 'root': 'rw', 'home': 'hidden',
        'CapEff': '0000000000000000', 'NoNewPrivs': '1', 'Seccomp': '2',
    }


def test_metrics_reach_the_textfile_collector_folder(machine: nspawn.Container) -> None:
    # Outside the root: writable only through the ReadWritePaths= install-service added.
    wanted = (f'guard_up{{root="{ROOT}"}} 1.0', f'guard_check_status{{check="pollution",root="{ROOT}"}} 2.0')
    text = wait_for(lambda: all(w in _read(machine.root / METRICS.lstrip('/')) for w in wanted)
                           and _read(machine.root / METRICS.lstrip('/')), 30, 'the metrics file')
    assert all(w in str(text) for w in wanted), text


def test_guard_status_from_a_shell_finds_the_service(machine: nspawn.Container) -> None:
    done = machine.run('runuser', '-u', 'app', '--', 'guard', 'status', '--config', CONFIG, '--json', ROOT, check=False)
    report = json.loads(done.stdout)
    assert done.returncode == 1  # running, but the root is polluted
    assert report['running'] is True
    assert str(report['daemon']['pid']) == machine.prop(UNIT, 'MainPID')
    assert 'pollution' in {check['check'] for check in report['health'] if check['status'] == 'fail'}


def test_an_open_log_past_its_limit_is_truncated_inside_the_sandbox(machine: nspawn.Container) -> None:
    # A writer that holds the log open, as the app would: guard must truncate in place, not unlink.
    log = f'{ROOT}/logs/app.log'
    line = secrets.token_hex(16)
    machine.run('systemd-run', '--unit=log-writer', '--uid=app', '--gid=app', '/bin/sh', '-c',
                f'exec 3>>{log}; while :; do yes {line} | head -c 262144 >&3; sleep 0.05; done')
    try:
        done = wait_for(lambda: [e for e in journal(machine, 'GUARD_EVENT=action')
                                        if e.get('GUARD_ACTION') == 'purge-logs'], 60, 'a purge-logs action')
        assert done[0]['GUARD_OUTCOME'] == 'ok', done[0]['MESSAGE']
        assert int(done[0]['GUARD_BYTES']) >= 1024 * 1024
        writer = machine.prop('log-writer.service', 'MainPID')
        # Same file, still open by the same writer, smaller than the limit it grew past.
        assert machine.run('readlink', f'/proc/{writer}/fd/3').stdout.strip() == log
    finally:
        machine.run('systemctl', 'stop', 'log-writer.service', check=False)
    history = machine.run('runuser', '-u', 'app', '--', 'guard', 'history', '--config', CONFIG, '--json', ROOT)
    records = json.loads(history.stdout)
    assert any(r['kind'] == 'purge' and r['trigger'] == 'daemon' for r in records), records


def test_a_root_under_home_is_writable_and_home_stays_read_only(machine: nspawn.Container) -> None:
    home_root, config = '/home/app/site', '/etc/guard/home.toml'
    home_unit = 'guard@home-app-site.service'
    machine.run('install', '-d', '-o', 'app', '-g', 'app', home_root)
    machine.write(config, 'state-dir = "/var/lib/guard"\n[health]\nchecks = ["pollution"]\n'
                          '[watch]\non-pollution = "quarantine"\n')
    machine.run('guard', 'install-service', home_root, '--user', 'app', '--config', config)
    machine.run('systemctl', 'daemon-reload')
    start = machine.run('systemctl', 'start', home_unit, check=False)
    assert start.returncode == 0, machine.run('journalctl', '--no-pager', '-u', home_unit, check=False).stdout
    try:
        machine.run('runuser', '-u', 'app', '--', 'python3', '-m', 'venv', '--without-pip', home_root)
        # Quarantine moves the venv's entries out of the root: a write the sandbox must allow there.
        wait_for(lambda: not (machine.root / home_root.lstrip('/') / 'pyvenv.cfg').exists(), 30, 'the quarantine')
        assert machine.prop(home_unit, 'ActiveState') == 'active'
        # The rest of /home, seen from the service's mount namespace as its user: read-only.
        pid = machine.prop(home_unit, 'MainPID')
        as_service = ('nsenter', f'--target={pid}', '--mount', 'runuser', '-u', 'app', '--', '/bin/sh', '-c')
        assert machine.run(*as_service, f': > {home_root}/probe', check=False).returncode == 0
        denied = machine.run(*as_service, ': > /home/app/probe', check=False)
        assert 'Read-only file system' in denied.stderr
    finally:
        machine.run('systemctl', 'stop', home_unit, check=False)


def test_watchdog_pings_keep_it_alive(machine: nspawn.Container) -> None:
    pid = machine.prop(UNIT, 'MainPID')
    seen: set[str] = set()

    def pinged_four_times() -> bool:
        seen.add(machine.prop(UNIT, 'WatchdogTimestampMonotonic'))
        return len(seen) >= 4

    wait_for(pinged_four_times, 10 * WATCHDOG_SEC, 'four watchdog pings')
    assert (machine.prop(UNIT, 'MainPID'), machine.prop(UNIT, 'NRestarts')) == (pid, '0')
    assert machine.prop(UNIT, 'ActiveState') == 'active'


def test_reload_rereads_the_config_in_place(machine: nspawn.Container) -> None:
    pid = machine.prop(UNIT, 'MainPID')
    machine.run('systemctl', 'reload', UNIT)
    wait_for(lambda: journal(machine, 'GUARD_EVENT=reloaded'), 10, 'the daemon\'s reloaded line')
    # RELOADING=1 ... READY=1: systemd shows "reloading" until the second message.
    wait_for(lambda: machine.prop(UNIT, 'ActiveState') == 'active', 10, 'READY=1 after the reload')
    assert machine.prop(UNIT, 'MainPID') == pid


def test_reload_with_a_bad_config_keeps_the_old_one(machine: nspawn.Container) -> None:
    pid = machine.prop(UNIT, 'MainPID')
    machine.write(CONFIG, CONFIG_TEXT + 'no-such-key = 1\n')
    try:
        machine.run('systemctl', 'reload', UNIT)
        failed = wait_for(lambda: journal(machine, 'GUARD_EVENT=reload-failed'), 10, 'a reload-failed line')
    finally:
        machine.write(CONFIG, CONFIG_TEXT)
    assert 'no-such-key' in failed[0]['MESSAGE']
    wait_for(lambda: machine.prop(UNIT, 'ActiveState') == 'active', 10, 'READY=1 after the failed reload')
    assert machine.prop(UNIT, 'MainPID') == pid


def test_a_hung_main_loop_is_killed_and_restarted(machine: nspawn.Container) -> None:
    pid = machine.prop(UNIT, 'MainPID')
    machine.run('kill', '-STOP', pid)
    wait_for(lambda: machine.prop(UNIT, 'NRestarts') == '1' and machine.prop(UNIT, 'ActiveState') == 'active',
                    10 * WATCHDOG_SEC, 'the watchdog restart')
    assert machine.prop(UNIT, 'MainPID') not in (pid, '0')
    manager = [entry['MESSAGE'] for entry in journal(machine, '_PID=1')]
    assert any('Watchdog timeout' in line for line in manager), manager


def test_stop_is_clean(machine: nspawn.Container) -> None:
    machine.run('systemctl', 'stop', UNIT)
    assert machine.prop(UNIT, 'ActiveState') == 'inactive'
    assert machine.prop(UNIT, 'Result') == 'success'
    # CLD_EXITED (1) with status 0: guard exited by itself on SIGTERM, nothing had to kill it.
    assert (machine.prop(UNIT, 'ExecMainCode'), machine.prop(UNIT, 'ExecMainStatus')) == ('1', '0')


def _read(path: Path) -> str:
    return path.read_text() if path.is_file() else ''
