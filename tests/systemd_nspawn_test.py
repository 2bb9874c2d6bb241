"""`guard watch` under the shipped unit, in a real systemd (PID 1 of a systemd-nspawn container).

One container for the module (tests/nspawn.py): guard is pip-installed there from a wheel of this
checkout, and the tests run in file order, as an operator meets it. The set-up is docs/watch.md's
"On a server" and "Fleet" sections, run as written (as root: `sudo` dropped, `sudo -u app` as
runuser); only the package installation is replaced by the wheels built here, and the README's
server quick start is checked to be the same commands. The project in /srv/app has its own
`[tool.guard]`, whose alert command (the probe below) needs trust: the docs' trust step must make
the service honour it. The fleet's audit store is Debian's PostgreSQL, run by the container's
systemd and given to the service through the docs' env file; it is stopped and started again under
the running daemon. The test-only settings (short intervals, small limits) come from a drop-in
of GUARD_* variables, which lie over every config file. Deselect with `-m 'not systemd'`; a machine
that cannot boot the container skips with the reason (shown by -ra).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nspawn
import pytest
from daemon_harness import wait_for

# The first test also pays for the module's container: on a fresh machine that includes building
# the Debian root and the dependency wheels (a few minutes on a busy 2-core machine).
pytestmark = [pytest.mark.systemd, pytest.mark.slow, pytest.mark.timeout(1200)]

DOCS = nspawn.REPO / 'docs' / 'watch.md'
README = nspawn.REPO / 'README.md'
ROOT = '/srv/app'
UNIT = 'guard@srv-app.service'
CONFIG = '/etc/guard/srv-app.toml'
METRICS_DIR = '/var/lib/prometheus/node-exporter'
METRICS = f'{METRICS_DIR}/guard-srv-app.prom'
FLEET_ROOT = '/srv/my-app'
FLEET_UNIT = 'guard@srv-my\\x2dapp.service'
FLEET_METRICS = f'{METRICS_DIR}/guard-srv-my\\x2dapp.prom'
STATE_DIR = '/var/lib/guard'
WATCHDOG_SEC = 2
PROBE = '/etc/guard/probe.sh'
PROBE_OUT = f'{ROOT}/probe.txt'
# The project's alert command (trust-gated: it runs code): run by the service's own process, so it
# shows what the sandbox lets that process do. It writes where it may (the root) what it could not
# do elsewhere. It runs at all only if the service honours the root's trust (D1).
PROBE_SCRIPT = f"""#!/bin/sh
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
"""
# Test-only: a short watchdog period so a hang is caught in seconds, restarts without delay, and
# the docs' settings made quick and small through variables (the top config layer).
TEST_ENV = {
    'GUARD_HEALTH_MAX_LOG_MB': '1',
    'GUARD_WATCH_HEALTH_INTERVAL': '1',
    'GUARD_WATCH_SWEEP_INTERVAL': '2',
    'GUARD_WATCH_DEBOUNCE': '0.2',
    'GUARD_WATCH_MAX_WAIT': '1',
    'GUARD_WATCH_COOLDOWN': '2',
}
TEST_DROP_IN = f'[Service]\nWatchdogSec={WATCHDOG_SEC}\nRestartSec=100ms\n' + ''.join(
    f'Environment="{name}={value}"\n' for name, value in TEST_ENV.items()
)
# What the fixture does instead of the docs' package installation (no network in the container).
INSTALL_LINES = (
    'sudo apt-get install -y python3-venv python3-systemd',
    'sudo python3 -m venv --system-site-packages /opt/guard && sudo /opt/guard/bin/pip install ./guard',
)
# The project's own file: the service honours its alert command only once root trusted it.
PYPROJECT = f"""[project]
name = "app"
version = "1.0.0"

[tool.guard]
exclude = ["vendor/"]

[tool.guard.alerts]
command = "/bin/sh {PROBE}"
"""
TRUST_LINE = "sudo guard trust --system /srv/app   # after reading /srv/app's [tool.guard]: the service honours it"


def doc_blocks(heading: str, doc: Path = DOCS) -> list[str]:
    """The ```sh blocks of one `#... heading` section of a markdown file (docs/watch.md), in order."""
    blocks: list[str] = []
    level = 0  # the section's heading level, once in it
    fence = ''  # the open fence's info string ('sh'), or '' outside a fence
    lines: list[str] = []
    for line in doc.read_text().splitlines():
        if fence:  # inside a block: a `# comment` there is no heading
            if line == '```':
                if fence == 'sh' and level:
                    blocks.append('\n'.join(lines) + '\n')
                fence, lines = '', []
            else:
                lines.append(line)
        elif line.startswith('```'):
            fence = line[3:] or 'text'
        elif (match := re.match(r'(#+) (.*)', line)) is not None:
            if match.group(2) == heading:
                level = len(match.group(1))
            elif level and len(match.group(1)) <= level:
                break
    assert level, f'no section {heading!r} in {doc}'
    return blocks


def as_root(block: str) -> str:
    """A docs block as root runs it: no sudo; `sudo -u USER` as runuser."""
    block = re.sub(r'\bsudo -u (\S+) ', r'runuser -u \1 -- ', block)
    return re.sub(r'(^|&& |\| )sudo ', r'\1', block, flags=re.MULTILINE)


def run_block(machine: nspawn.Container, block: str) -> str:
    done = machine.run('/bin/sh', '-e', '-c', as_root(block), check=False)
    assert done.returncode == 0, f'{block}\n---\n{done.stdout}{done.stderr}'
    return done.stdout


@pytest.fixture(scope='module')
def machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[nspawn.Container]:
    reason = nspawn.unavailable()
    if reason:
        pytest.skip(f'no real systemd here: {reason}')
    wheels = nspawn.wheelhouse(tmp_path_factory.mktemp('wheels'))
    with nspawn.booted(nspawn.rootfs_tar()) as container:
        shutil.copytree(wheels, container.root / 'opt' / 'wheelhouse')
        container.run('python3', '-m', 'venv', '--system-site-packages', '/opt/guard')
        container.run(
            '/opt/guard/bin/pip', 'install', '--quiet', '--no-index', '--find-links', '/opt/wheelhouse', 'guard'
        )
        container.run('useradd', '--system', '--create-home', '--shell', '/usr/sbin/nologin', 'app')
        container.run('useradd', '--system', '--shell', '/usr/sbin/nologin', 'prometheus')  # node_exporter's
        container.run('install', '-d', '-o', 'app', '-g', 'app', ROOT, f'{ROOT}/logs', FLEET_ROOT)
        container.write(f'{ROOT}/pyproject.toml', PYPROJECT)
        container.run('chown', 'app:app', f'{ROOT}/pyproject.toml')
        container.write(PROBE, PROBE_SCRIPT)
        for unit in (UNIT, FLEET_UNIT):
            container.write(f'/run/systemd/system/{unit}.d/test.conf', TEST_DROP_IN)
        yield container


def journal(machine: nspawn.Container, *matches: str, unit: str = UNIT) -> list[dict[str, str]]:
    out = machine.run('journalctl', '--no-pager', '-o', 'json', '-u', unit, *matches, check=False).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith('{')]


def metrics(machine: nspawn.Container, path: str = METRICS, root: str = ROOT) -> dict[str, float]:
    """`name{labels}` -> value, read as node_exporter reads it: as the `prometheus` user."""
    done = machine.run('runuser', '-u', 'prometheus', '--', 'cat', path, check=False)
    values = {}
    for line in done.stdout.splitlines():
        if line and not line.startswith('#'):
            name, value = line.rsplit(' ', 1)
            values[name.replace(f'root="{root}"', '').replace('{,', '{').replace(',}', '}').replace('{}', '')] = float(
                value
            )
    return values


def metrics_when(
    machine: nspawn.Container, ok: Callable[[dict[str, float]], bool], timeout: float, what: str
) -> dict[str, float]:
    """The metrics, once `ok` holds for them (the daemon rewrites the file at least every 15 s)."""

    def current() -> dict[str, float] | None:
        values = metrics(machine)
        return values if values and ok(values) else None

    found = wait_for(current, timeout, what)
    assert found is not None
    return found


# -- the server section -----------------------------------------------------------------------------


def test_the_readme_quick_start_is_the_server_sections_commands() -> None:
    # The README's short version must be runnable as the docs' (which the tests below run): its
    # lines, in order, are lines of the docs' block, and it trusts before it installs the service.
    [readme] = doc_blocks('health and watch: a server that stays clean', README)[1:]
    docs = doc_blocks('On a server')[0].splitlines()
    lines = readme.splitlines()
    assert lines == [line for line in docs if line in lines], (lines, docs)
    assert TRUST_LINE in lines and lines.index(TRUST_LINE) < next(
        i for i, line in enumerate(lines) if 'install-service' in line
    )


def test_the_server_section_installs_and_enables_the_service(machine: nspawn.Container) -> None:
    block = doc_blocks('On a server')[0]
    lines = block.splitlines()
    assert [line.split('  #')[0].rstrip() for line in lines[:2]] == list(INSTALL_LINES)
    assert TRUST_LINE in lines
    out = run_block(machine, '\n'.join(lines[2:]))
    assert '  systemctl enable --now guard@srv-app.service' in out.splitlines()
    assert f'config: {CONFIG} (what `guard watch {ROOT}` reads under this unit)' in out.splitlines()
    # The trust step wrote the system store; install-service, judging as the service will, honours it.
    assert f'guard: trusted {ROOT}/pyproject.toml for every user and the guard watch service' in out
    assert (
        f'Of {ROOT}/pyproject.toml, the service will honour every setting, including alerts.command.'
        in out.splitlines()
    ), out
    shipped = (nspawn.REPO / 'systemd' / 'guard@.service').read_text()
    assert (machine.root / 'etc/systemd/system/guard@.service').read_text() == shipped
    drop_in = (machine.root / f'etc/systemd/system/{UNIT}.d/guard.conf').read_text()
    assert 'ExecStart=/opt/guard/bin/guard watch %f\n' in drop_in
    assert 'ExecReload=/opt/guard/bin/guard watch --reload $MAINPID %f\n' in drop_in
    assert f'ReadWritePaths=-{METRICS_DIR}\n' in drop_in
    verify = machine.run('systemd-analyze', 'verify', '--man=no', UNIT, check=False)
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, '')
    # Type=notify: start returned, so READY=1 came; STATUS= is the only way StatusText gets set.
    assert (machine.prop(UNIT, 'ActiveState'), machine.prop(UNIT, 'SubState')) == ('active', 'running')
    assert machine.prop(UNIT, 'StatusText') != ''
    assert machine.prop(UNIT, 'WatchdogUSec') == f'{WATCHDOG_SEC}s'
    pid = machine.prop(UNIT, 'MainPID')
    assert machine.run('stat', '-c', '%U', f'/proc/{pid}').stdout.strip() == 'app'
    assert machine.run('systemctl', 'is-enabled', UNIT).stdout.strip() == 'enabled'
    # D12: after a reboot the unit waits for the root's filesystem.
    assert ROOT in machine.prop(UNIT, 'RequiresMountsFor').split()


def ignored_by_status(machine: nspawn.Container) -> list[dict[str, str]]:
    """The daemon's ignored keys, as `guard status --json` shows them to the service's user."""
    done = machine.run('runuser', '-u', 'app', '--', 'guard', 'status', '--json', ROOT, check=False)
    report = json.loads(done.stdout)
    assert report['running'] is True, report
    return list(report['daemon']['ignored'])


def reload(machine: nspawn.Container) -> None:
    """`systemctl reload` and wait until the daemon has taken the new config (its `reloaded` line)."""
    before = len(journal(machine, 'GUARD_EVENT=reloaded'))
    machine.run('systemctl', 'reload', UNIT)
    try:
        wait_for(lambda: len(journal(machine, 'GUARD_EVENT=reloaded')) > before, 10, "the daemon's reloaded line")
    except AssertionError as e:
        tail = machine.run('journalctl', '--no-pager', '-u', UNIT, '-n', '30').stdout
        raise AssertionError(f'{e}:\n{tail}') from None
    # RELOADING=1 ... READY=1: systemd shows "reloading" until the second message.
    wait_for(lambda: machine.prop(UNIT, 'ActiveState') == 'active', 10, 'READY=1 after the reload')


def test_the_service_honours_what_root_trusted(machine: nspawn.Container) -> None:
    # D1: root's `guard trust --system` is where the service, running as app, looks.
    shown = machine.run('runuser', '-u', 'app', '--', 'guard', 'trust', '--show', ROOT, check=False)
    assert shown.returncode == 0 and f'{ROOT}/pyproject.toml: trusted' in shown.stdout, shown.stdout + shown.stderr
    assert ignored_by_status(machine) == []
    values = metrics_when(machine, lambda v: 'guard_config_ignored_keys' in v, 30, 'the metrics')
    assert values['guard_config_ignored_keys'] == 0
    assert not [name for name in values if name.startswith('guard_config_ignored{')], values
    assert journal(machine, 'GUARD_EVENT=untrusted') == []
    # Honoured, not just unreported: the project's alert command runs (the probe's report, below).


def test_the_metrics_are_readable_by_node_exporters_user(machine: nspawn.Container) -> None:
    wanted = ('guard_up', 'guard_check_status{check="config"}', 'guard_metrics_updated_timestamp_seconds')
    values = wait_for(lambda: (v := metrics(machine)) and all(w in v for w in wanted) and v, 30, 'the metrics file')
    assert values['guard_up'] == 1 and values['guard_check_status{check="config"}'] == 0
    mode = machine.run('stat', '-c', '%a %U', METRICS).stdout.split()
    assert mode == ['644', 'app']


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
    machine.run('guard', 'uninstall-service', bad_root)


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
    text = wait_for(lambda: _read(machine.root / PROBE_OUT.lstrip('/')), 30, "the probe's report")
    report = dict(line.split('=', 1) for line in str(text).splitlines())
    assert report == {
        'user': 'app',
        'etc': 'ro',
        'usr': 'ro',
        'srv': 'ro',
        'state': 'rw',
        'root': 'rw',
        'home': 'hidden',
        'CapEff': '0000000000000000',
        'NoNewPrivs': '1',
        'Seccomp': '2',
    }


def test_guard_status_from_a_shell_finds_the_service(machine: nspawn.Container) -> None:
    # No --config: the instance file is found by the root, as the service finds it.
    def polluted() -> tuple[int, dict[str, Any]] | None:
        done = machine.run('runuser', '-u', 'app', '--', 'guard', 'status', '--json', ROOT, check=False)
        report = json.loads(done.stdout)
        failing = {check['check'] for check in report['health'] if check['status'] == 'fail'}
        return (done.returncode, report) if 'pollution' in failing else None

    # The alert (and its probe) may run a moment before the daemon rewrites its status file.
    found = wait_for(polluted, 10, 'guard status to show the pollution')
    assert found is not None
    returncode, report = found
    assert returncode == 1  # running, but the root is polluted
    assert report['running'] is True
    assert str(report['daemon']['pid']) == machine.prop(UNIT, 'MainPID')


def test_an_open_log_past_its_limit_is_truncated_inside_the_sandbox(machine: nspawn.Container) -> None:
    # A writer that holds the log open, as the app would: guard must truncate in place, not unlink.
    log = f'{ROOT}/logs/app.log'
    line = secrets.token_hex(16)
    machine.run(
        'systemd-run',
        '--unit=log-writer',
        '--uid=app',
        '--gid=app',
        '/bin/sh',
        '-c',
        f'exec 3>>{log}; while :; do yes {line} | head -c 262144 >&3; sleep 0.05; done',
    )
    try:
        done = wait_for(
            lambda: [e for e in journal(machine, 'GUARD_EVENT=action') if e.get('GUARD_ACTION') == 'purge-logs'],
            60,
            'a purge-logs action',
        )
        assert done[0]['GUARD_OUTCOME'] == 'ok', done[0]['MESSAGE']
        assert int(done[0]['GUARD_BYTES']) >= 1024 * 1024
        writer = machine.prop('log-writer.service', 'MainPID')
        # Same file, still open by the same writer, smaller than the limit it grew past.
        assert machine.run('readlink', f'/proc/{writer}/fd/3').stdout.strip() == log
    finally:
        machine.run('systemctl', 'stop', 'log-writer.service', check=False)
    history = machine.run('runuser', '-u', 'app', '--', 'guard', 'history', '--json', ROOT)
    records = json.loads(history.stdout)
    assert any(r['kind'] == 'purge' and r['trigger'] == 'daemon' for r in records), records
    machine.run('rm', '-f', log, f'{log}.1')


def test_a_log_systemd_created_is_reported_once_with_its_owner(machine: nspawn.Container) -> None:
    # D7: a service of root's logs into a folder of root's (StandardOutput=append: creates the file
    # as root): the service user can neither empty nor remove it.
    log = f'{ROOT}/logs/system/root.log'
    machine.run('install', '-d', f'{ROOT}/logs/system')
    machine.run(
        'systemd-run',
        '--unit=root-writer',
        f'--property=StandardOutput=append:{log}',
        '/bin/sh',
        '-c',
        'head -c 2097152 /dev/zero; exec sleep 600',
    )
    try:
        try:
            wait_for(
                lambda: (
                    len(
                        [
                            e
                            for e in journal(machine, 'GUARD_EVENT=action')
                            if e.get('GUARD_ACTION') == 'purge-logs' and e.get('GUARD_OUTCOME') == 'partial'
                        ]
                    )
                    >= 3
                ),
                60,
                'three purges that could not empty it',
            )
        except AssertionError:
            raise AssertionError(machine.run('journalctl', '--no-pager', '-u', UNIT, '-n', '40').stdout) from None
        reported = journal(machine, 'GUARD_CHECK=log-permissions')
    finally:
        machine.run('systemctl', 'stop', 'root-writer.service', check=False)
        machine.run('rm', '-rf', f'{ROOT}/logs/system')
    assert len(reported) == 1, reported
    assert f'{log}: owned by root:root' in reported[0]['MESSAGE'] and 'LogsDirectory=' in reported[0]['MESSAGE']


def test_a_root_under_home_is_writable_and_home_stays_read_only(machine: nspawn.Container) -> None:
    home_root, config = '/home/app/site', '/etc/guard/home.toml'
    home_unit = 'guard@home-app-site.service'
    machine.run('install', '-d', '-o', 'app', '-g', 'app', home_root)
    machine.write(
        config,
        'state-dir = "/var/lib/guard"\n[health]\nchecks = ["pollution"]\n'
        '[watch]\non-pollution = "quarantine"\nvenv-quiet = 0.5\n',
    )
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
        machine.run('guard', 'uninstall-service', home_root, '--config', config, check=False)


def test_watchdog_pings_keep_it_alive(machine: nspawn.Container) -> None:
    pid = machine.prop(UNIT, 'MainPID')
    seen: set[str] = set()

    def pinged_four_times() -> bool:
        seen.add(machine.prop(UNIT, 'WatchdogTimestampMonotonic'))
        return len(seen) >= 4

    wait_for(pinged_four_times, 10 * WATCHDOG_SEC, 'four watchdog pings')
    assert (machine.prop(UNIT, 'MainPID'), machine.prop(UNIT, 'NRestarts')) == (pid, '0')
    assert machine.prop(UNIT, 'ActiveState') == 'active'


def test_a_version_bump_and_reload_keep_the_metrics_flowing(machine: nspawn.Container) -> None:
    # D2: a release changes pyproject.toml but not [tool.guard]: the trust still holds.
    pid = machine.prop(UNIT, 'MainPID')
    before = wait_for(lambda: metrics(machine).get('guard_metrics_updated_timestamp_seconds'), 10, 'the metrics')
    assert before is not None
    machine.write(f'{ROOT}/pyproject.toml', PYPROJECT.replace('1.0.0', '1.0.1'))
    reload(machine)
    assert machine.prop(UNIT, 'MainPID') == pid
    after = metrics_when(
        machine,
        lambda v: v.get('guard_metrics_updated_timestamp_seconds', 0) > before,
        40,
        'the metrics rewritten after the reload',
    )
    assert after['guard_up'] == 1 and after['guard_check_status{check="config"}'] == 0
    assert after['guard_config_ignored_keys'] == 0
    assert ignored_by_status(machine) == []
    assert journal(machine, 'GUARD_EVENT=untrusted') == []


def test_a_changed_guard_table_is_ignored_and_said_everywhere(machine: nspawn.Container) -> None:
    # A change to guard's own table is not trusted: at the reload the daemon names what it drops.
    pid = machine.prop(UNIT, 'MainPID')
    changed = PYPROJECT.replace('1.0.0', '1.0.1').replace('exclude = ["vendor/"]', 'exclude = ["vendor/", "build/"]')
    machine.write(f'{ROOT}/pyproject.toml', changed)
    reload(machine)
    [said] = wait_for(lambda: journal(machine, 'GUARD_EVENT=untrusted'), 10, 'the untrusted line')
    assert said['GUARD_KEYS'] == 'alerts.command', said
    assert f'alerts.command (runs code) from {ROOT}/pyproject.toml: changed since you trusted it' in said['MESSAGE']
    assert f'guard trust --system {ROOT}' in said['MESSAGE']
    assert int(said['PRIORITY']) <= 4
    assert [(i['key'], i['why']) for i in ignored_by_status(machine)] == [
        ('alerts.command', 'changed since you trusted it')
    ]
    values = metrics_when(machine, lambda v: v.get('guard_config_ignored_keys') == 1, 10, 'guard_config_ignored_keys 1')
    assert values['guard_config_ignored{key="alerts.command"}'] == 1
    assert values['guard_up'] == 1 and machine.prop(UNIT, 'MainPID') == pid
    # The docs' way back: review, trust again, reload.
    machine.run('guard', 'trust', '--system', ROOT)
    reload(machine)
    assert ignored_by_status(machine) == []
    wait_for(lambda: metrics(machine).get('guard_config_ignored_keys') == 0, 10, 'guard_config_ignored_keys 0')
    assert len(journal(machine, 'GUARD_EVENT=untrusted')) == 1


# -- the fleet section --------------------------------------------------------------------------------


def test_the_fleet_section_runs_a_second_root_with_its_own_metrics(machine: nspawn.Container) -> None:
    out = run_block(machine, doc_blocks('Fleet: many servers, one view')[0])
    # D5: the printed command, pasted into a shell, names the unit (a dash is \x2d in it).
    assert "  systemctl enable --now 'guard@srv-my\\x2dapp.service'" in out.splitlines()
    machine.run('systemctl', 'restart', UNIT)  # the shared file changed under the first root
    for unit, path, root in ((UNIT, METRICS, ROOT), (FLEET_UNIT, FLEET_METRICS, FLEET_ROOT)):
        assert machine.prop(unit, 'ActiveState') == 'active'
        wait_for(lambda p=path, r=root: metrics(machine, p, r).get('guard_up') == 1, 30, f'the metrics of {root}')
    time.sleep(3 * WATCHDOG_SEC)  # long enough for a restart loop (RestartSec=100ms) to show
    assert [machine.prop(unit, 'NRestarts') for unit in (UNIT, FLEET_UNIT)] == ['0', '0']
    assert sorted(p.name for p in (machine.root / METRICS_DIR.lstrip('/')).glob('*.prom')) == [
        'guard-srv-app.prom',
        'guard-srv-my\\x2dapp.prom',
    ]


def psql(machine: nspawn.Container, sql: str, database: str = 'guard') -> list[str]:
    """Rows of one query, `|`-separated, as the database's superuser (peer authentication)."""
    done = machine.run(
        'runuser', '-u', 'postgres', '--', 'psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql
    )
    return done.stdout.splitlines()


def spooled(machine: nspawn.Container) -> dict[str, tuple[str, str, str]]:
    """spool_id -> (kind, trigger, outcome) of each record in the daemon's spool, read as its user
    (read-only: root's hands on the file would leave it root's, which the daemon then refuses)."""
    script = (
        'import json, sqlite3, sys\n'
        'db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)\n'
        'rows = db.execute(\'SELECT kind, "trigger", outcome, detail FROM guard_audit_events\')\n'
        'print(json.dumps({json.loads(d)["spool_id"]: [k, t, o] for k, t, o, d in rows}))\n'
    )
    done = machine.run('runuser', '-u', 'app', '--', 'python3', '-c', script, f'{STATE_DIR}/audit-spool.db')
    return {key: tuple(row) for key, row in json.loads(done.stdout).items()}


def log_purges(machine: nspawn.Container) -> int:
    return len(
        [
            e
            for e in journal(machine, 'GUARD_EVENT=action')
            if e.get('GUARD_ACTION') == 'purge-logs' and e.get('GUARD_OUTCOME') == 'ok'
        ]
    )


def check_status(machine: nspawn.Container, check: str) -> float | None:
    return metrics(machine).get(f'guard_check_status{{check="{check}"}}')


def test_the_audit_store_down_and_back_loses_and_doubles_nothing(machine: nspawn.Container) -> None:
    # D11: the fleet's PostgreSQL (Debian's package, a real server under the container's systemd),
    # given to the first root as the docs say: an env file only root reads, named by a drop-in.
    machine.run('systemctl', 'start', 'postgresql.service')
    wait_for(
        lambda: machine.run('pg_isready', '-q', '-h', '127.0.0.1', check=False).returncode == 0,
        30,
        'PostgreSQL to accept connections',
    )
    password = secrets.token_hex(16)
    psql(machine, f"CREATE ROLE guard LOGIN PASSWORD '{password}'", database='postgres')
    psql(machine, 'CREATE DATABASE guard OWNER guard', database='postgres')
    [block] = doc_blocks('Fleet: many servers, one view')[1:]
    ours = block.replace('guard:PASSWORD@audit.internal:5432', f'guard:{password}@127.0.0.1:5432')
    assert ours != block
    out = run_block(machine, ours)
    assert password not in out  # the docs' commands do not echo the secret to the terminal
    assert machine.run('stat', '-c', '%a %U', '/etc/guard/audit.env').stdout.split() == ['600', 'root']
    pid = machine.prop(UNIT, 'MainPID')
    restarts = machine.prop(UNIT, 'NRestarts')
    wait_for(
        lambda: psql(machine, "SELECT count(*) FROM guard_audit_events WHERE kind = 'watch'") != ['0'],
        30,
        "the daemon's start record in PostgreSQL",
    )
    wait_for(lambda: check_status(machine, 'audit') == 0, 20, 'the audit check ok')

    machine.run('systemctl', 'stop', 'postgresql.service')
    try:
        # Actions meanwhile: two logs past the limit, each purged (and recorded) while the store is down.
        for name in ('a.log', 'b.log'):
            before = log_purges(machine)
            fill = f'head -c 2097152 /dev/zero > {ROOT}/logs/{name}'
            machine.run('runuser', '-u', 'app', '--', '/bin/sh', '-c', fill)

            def purged(n: int = before) -> bool:
                return log_purges(machine) > n

            wait_for(purged, 30, f'the purge of {name} with the store down')
        alert = wait_for(lambda: journal(machine, 'GUARD_CHECK=audit', 'GUARD_STATE=fail'), 20, 'the audit alert')
        assert 'record(s) kept' in alert[-1]['MESSAGE'] and password not in alert[-1]['MESSAGE'], alert[-1]
        wait_for(lambda: check_status(machine, 'audit') == 2, 20, 'guard_check_status audit = 2')
        status = machine.run('runuser', '-u', 'app', '--', 'guard', 'status', '--json', ROOT, check=False)
        assert status.returncode == 1
        assert {h['check']: h['status'] for h in json.loads(status.stdout)['health']}['audit'] == 'fail'
        assert password not in status.stdout
        # It kept running: no restart, the same process.
        assert (machine.prop(UNIT, 'ActiveState'), machine.prop(UNIT, 'MainPID'), machine.prop(UNIT, 'NRestarts')) == (
            'active',
            pid,
            restarts,
        )
        waiting = spooled(machine)
        assert len([r for r in waiting.values() if r == ('purge', 'daemon', 'ok')]) >= 2, waiting
    finally:
        machine.run('systemctl', 'start', 'postgresql.service')

    wait_for(lambda: journal(machine, 'GUARD_CHECK=audit', 'GUARD_STATE=ok'), 30, 'the audit recovery')
    wait_for(lambda: spooled(machine) == {}, 20, 'the spool to drain')
    arrived = dict(
        row.split('|')
        for row in psql(
            machine,
            "SELECT detail->>'spool_id', count(*) FROM guard_audit_events "
            "WHERE detail->>'spool_id' IS NOT NULL GROUP BY 1",
        )
    )
    assert set(waiting) <= set(arrived), set(waiting) - set(arrived)  # every record arrived
    assert set(arrived.values()) == {'1'}, arrived  # and none twice
    # The purges arrived whole: with their paths.
    paths = psql(
        machine,
        'SELECT p.path FROM guard_audit_paths p JOIN guard_audit_events e ON e.id = p.event_id '
        "WHERE e.kind = 'purge' AND e.trigger = 'daemon'",
    )
    assert {'logs/a.log', 'logs/b.log'} <= set(paths), paths
    assert machine.prop(UNIT, 'MainPID') == pid
    wait_for(lambda: check_status(machine, 'audit') == 0, 20, 'the audit check ok again')


def test_a_bad_reload_is_visible_everywhere(machine: nspawn.Container) -> None:
    pid = machine.prop(UNIT, 'MainPID')
    good = (machine.root / CONFIG.lstrip('/')).read_text()
    machine.write(CONFIG, good + 'no-such-key = 1\n')
    try:
        reload = machine.run('systemctl', 'reload', UNIT, check=False)
        assert reload.returncode != 0  # ExecReload= checked it first, as nginx -t
        failed = wait_for(lambda: journal(machine, 'GUARD_EVENT=reload-failed'), 10, 'a reload-failed line')
        assert 'no-such-key' in failed[0]['MESSAGE']
        wait_for(lambda: 'config rejected' in machine.prop(UNIT, 'StatusText'), 10, 'STATUS= saying so')
        status = machine.run('runuser', '-u', 'app', '--', 'guard', 'status', '--json', ROOT, check=False)
        assert status.returncode == 1
        report = json.loads(status.stdout)
        assert report['running'] is True
        assert {h['check']: h['status'] for h in report['health']}['config'] == 'fail'
        wait_for(lambda: metrics(machine).get('guard_check_status{check="config"}') == 2, 10, 'config = 2')
        assert machine.prop(UNIT, 'MainPID') == pid
    finally:
        machine.write(CONFIG, good)
    machine.run('systemctl', 'reload', UNIT)
    wait_for(lambda: metrics(machine).get('guard_check_status{check="config"}') == 0, 10, 'config = 0 again')


def test_a_log_volume_filled_to_the_brim_is_purged_within_it(machine: nspawn.Container) -> None:
    # D8: a tmpfs of its own at the root's logs/, as a log volume; the service restarts to see it.
    machine.run('mount', '-t', 'tmpfs', '-o', 'size=4m,uid=app,gid=app,mode=0755', 'logvol', f'{ROOT}/logs')
    try:
        machine.run('systemctl', 'restart', UNIT)
        machine.run(
            'runuser',
            '-u',
            'app',
            '--',
            '/bin/sh',
            '-c',
            f'head -c 4100000 /dev/zero > {ROOT}/logs/big.log',
            check=False,
        )  # ENOSPC at the end is the point
        purged = wait_for(
            lambda: [
                e
                for e in journal(machine, 'GUARD_EVENT=action')
                if e.get('GUARD_ACTION') == 'purge-logs' and 'on the volume' in e['MESSAGE']
            ],
            30,
            'a purge within the log volume',
        )
        assert purged[-1]['GUARD_OUTCOME'] == 'ok', purged[-1]['MESSAGE']
        free = int(machine.run('stat', '-f', '-c', '%a %S', f'{ROOT}/logs').stdout.split()[0]) * 4096
        assert free > 3 * 1024 * 1024
    finally:
        machine.run('umount', '--lazy', f'{ROOT}/logs', check=False)
        machine.run('systemctl', 'restart', UNIT)


def test_low_disk_is_caught_within_five_seconds(machine: nspawn.Container) -> None:
    # D9: a third root on a 64 MiB filesystem, filled from outside the root (no event in it).
    disk_root, unit = '/srv/disk/app', 'guard@srv-disk-app.service'
    machine.run('install', '-d', '/srv/disk')
    machine.run('mount', '-t', 'tmpfs', '-o', 'size=64m', 'diskvol', '/srv/disk')
    try:
        machine.run('install', '-d', '-o', 'app', '-g', 'app', disk_root)
        machine.write('/etc/guard/srv-disk-app.toml', '[health]\nchecks = ["disk"]\nmin-free-disk-mb = 16\n')
        machine.run('guard', 'install-service', disk_root, '--user', 'app')
        machine.run('systemctl', 'daemon-reload')
        machine.run('systemctl', 'start', unit)
        filled = time.time()
        machine.run('/bin/sh', '-c', f'head -c {52 * 1024 * 1024} /dev/zero > /srv/disk/blob')
        alert = wait_for(
            lambda: journal(machine, 'GUARD_CHECK=disk', 'GUARD_STATE=fail', unit=unit), 15, 'the low-disk alert'
        )
        assert int(alert[0]['__REALTIME_TIMESTAMP']) / 1e6 - filled < 5.0
        machine.run('systemctl', 'stop', unit)
        machine.run('guard', 'uninstall-service', disk_root)
    finally:
        machine.run('umount', '--lazy', '/srv/disk', check=False)


def test_a_restore_is_not_undone_by_the_daemon(machine: nspawn.Container) -> None:
    # The fleet's second root quarantines: a venv goes, `guard restore` puts it back, and it stays.
    marker = machine.root / FLEET_ROOT.lstrip('/') / 'pyvenv.cfg'
    machine.run('runuser', '-u', 'app', '--', 'python3', '-m', 'venv', '--without-pip', FLEET_ROOT)
    wait_for(lambda: not marker.exists(), 30, 'the quarantine')
    done = machine.run('runuser', '-u', 'app', '--', 'guard', 'restore', FLEET_ROOT, '--force')
    assert 'guard watch leaves them alone until ' in done.stdout
    assert marker.exists()
    time.sleep(8)  # the daemon sweeps every 2 s and waits 3 s for quiet: it had every chance
    assert marker.exists()
    machine.run('runuser', '-u', 'app', '--', 'guard', 'restore', '--release', FLEET_ROOT)


def test_a_hung_main_loop_is_killed_and_restarted(machine: nspawn.Container) -> None:
    restarts = int(machine.prop(UNIT, 'NRestarts'))
    pid = machine.prop(UNIT, 'MainPID')
    machine.run('kill', '-STOP', pid)
    wait_for(
        lambda: int(machine.prop(UNIT, 'NRestarts')) == restarts + 1 and machine.prop(UNIT, 'ActiveState') == 'active',
        10 * WATCHDOG_SEC,
        'the watchdog restart',
    )
    assert machine.prop(UNIT, 'MainPID') not in (pid, '0')
    manager = [entry['MESSAGE'] for entry in journal(machine, '_PID=1')]
    assert any('Watchdog timeout' in line for line in manager), manager


def test_stop_is_clean_and_says_guard_up_0(machine: nspawn.Container) -> None:
    machine.run('systemctl', 'stop', UNIT)
    assert machine.prop(UNIT, 'ActiveState') == 'inactive'
    assert machine.prop(UNIT, 'Result') == 'success'
    # CLD_EXITED (1) with status 0: guard exited by itself on SIGTERM, nothing had to kill it.
    assert (machine.prop(UNIT, 'ExecMainCode'), machine.prop(UNIT, 'ExecMainStatus')) == ('1', '0')
    assert metrics(machine)['guard_up'] == 0


def test_uninstall_removes_the_service_and_its_metrics(machine: nspawn.Container) -> None:
    block = doc_blocks('On a server')[1]
    run_block(machine, block)
    fleet = block.replace('/srv/app', FLEET_ROOT).replace('guard@srv-app.service', f"'{FLEET_UNIT}'")
    run_block(machine, fleet)
    units = machine.root / 'etc/systemd/system'
    assert not list(units.glob('guard@*')), list(units.glob('guard@*'))
    assert not list((machine.root / METRICS_DIR.lstrip('/')).glob('*.prom'))
    for unit in (UNIT, FLEET_UNIT):
        assert machine.prop(unit, 'LoadState') == 'not-found'


def _read(path: Path) -> str:
    return path.read_text() if path.is_file() else ''
