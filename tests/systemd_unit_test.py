"""The shipped unit and what `guard install-service` writes, linted by the real systemd-analyze.

`systemd-analyze verify` only warns (exit 0) on an unknown key or a bad value, so any output fails.
It also needs the ExecStart= binary and the stock units, so each unit is verified inside a staged
--root that holds a copy of /usr/lib/systemd/system and a stub for every Exec*= path
(../shared/systemd-testing/RECIPE.md §3). No systemd PID 1 is needed.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.daemon import unit

ANALYZE = shutil.which('systemd-analyze')
pytestmark = pytest.mark.skipif(ANALYZE is None, reason='systemd-analyze missing (apt-get install systemd)')
MAX_EXPOSURE = 2.0
REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / 'systemd' / unit.TEMPLATE
EXEC_PATH = re.compile(r'^\s*Exec\w*=[-@:+!|]*(/\S+)', re.MULTILINE)
EXPOSURE = re.compile(r'Overall exposure level for \S+: (\d+\.\d+)')


def stage(tmp_path: Path, units: dict[str, str]) -> Path:
    """A --root for systemd-analyze: the stock units, `units` under /etc/systemd/system, stub Exec*= binaries."""
    staged = tmp_path / 'staged'
    shutil.copytree('/usr/lib/systemd/system', staged / 'usr/lib/systemd/system', symlinks=True)
    for relative, text in units.items():
        path = staged / 'etc/systemd/system' / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        for binary in EXEC_PATH.findall(text):
            stub = staged / binary.lstrip('/')
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text('#!/bin/sh\nexit 0\n')
            stub.chmod(0o755)
    return staged


def verify(staged: Path, name: str) -> tuple[int, str]:
    done = subprocess.run([ANALYZE, 'verify', f'--root={staged}', '--man=no', name], capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr).replace(str(staged), '')


def exposure(staged: Path, name: str) -> float:
    done = subprocess.run(
        [ANALYZE, 'security', '--offline=true', f'--root={staged}', name], capture_output=True, text=True
    )
    found = EXPOSURE.search(done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    return float(found.group(1))


def assert_clean(staged: Path, name: str) -> None:
    assert verify(staged, name) == (0, '')
    assert exposure(staged, name) <= MAX_EXPOSURE


def test_shipped_unit_verifies_clean_and_is_hardened(tmp_path: Path) -> None:
    staged = stage(tmp_path, {unit.TEMPLATE: SHIPPED.read_text()})
    assert_clean(staged, 'guard@srv-app.service')


def test_a_broken_unit_fails_the_lint(tmp_path: Path) -> None:
    # The lint itself must catch what systemd only warns about: a misspelt key, a weak sandbox.
    broken = SHIPPED.read_text().replace('ProtectSystem=strict', 'ProtectSystm=strict')
    staged = stage(tmp_path, {unit.TEMPLATE: broken})
    code, output = verify(staged, 'guard@srv-app.service')
    assert code == 0
    assert "Unknown key 'ProtectSystm'" in output
    weak = '\n'.join(
        line
        for line in SHIPPED.read_text().splitlines()
        if not line.startswith(('SystemCallFilter', 'CapabilityBoundingSet', 'PrivateDevices'))
    )
    assert exposure(stage(tmp_path / 'weak', {unit.TEMPLATE: weak}), 'guard@srv-app.service') > MAX_EXPOSURE


def test_unit_is_the_one_install_service_ships() -> None:
    assert unit.template_text() == SHIPPED.read_text()


def run_install_service(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, '-m', 'guard', 'install-service', *args], capture_output=True, text=True)


# A non-root account every Debian has; systemd calls User=nobody unsafe, so not that one.
OWNER = 'www-data'


def owned_root(tmp_path: Path) -> Path:
    root = tmp_path / f'srv-{secrets.token_hex(3)}' / 'app'
    root.mkdir(parents=True)
    os.chown(root, pwd.getpwnam(OWNER).pw_uid, -1)
    return root


@pytest.mark.skipif(os.geteuid() != 0, reason='chown of the test root to another user needs root')
def test_install_service_writes_a_unit_that_verifies_clean(tmp_path: Path) -> None:
    root = owned_root(tmp_path)
    unit_dir = tmp_path / 'units'
    done = run_install_service(str(root), '--unit-dir', str(unit_dir))
    name = unit.unit_name(root)
    assert (done.returncode, done.stderr) == (0, '')
    quoted = shlex.quote(name)  # the test root's path has dashes: \x2d in the name
    assert done.stdout.splitlines() == [
        f'config: defaults (what `guard watch {root}` reads under this unit)',
        f'wrote   {unit_dir / unit.TEMPLATE}',
        f'wrote   {unit_dir / (name + ".d") / unit.DROP_IN}',
        f'{root} has no guard config of its own: the service uses the system layer and the defaults.',
        'Then enable and start it:',
        '  systemctl daemon-reload',
        f'  systemctl enable --now {quoted}',
        f'  systemctl status {quoted}',
        f'  journalctl -u {quoted} -f',
    ]
    drop_in = (unit_dir / f'{name}.d' / unit.DROP_IN).read_text()
    assert f'User={OWNER}\n' in drop_in
    assert re.search(r'^ExecStart=/\S+/guard watch %f$', drop_in, re.MULTILINE), drop_in
    assert re.search(r'^ExecReload=/\S+/guard watch --reload \$MAINPID %f$', drop_in, re.MULTILINE), drop_in
    staged = stage(tmp_path, {unit.TEMPLATE: SHIPPED.read_text(), f'{name}.d/{unit.DROP_IN}': drop_in})
    assert_clean(staged, name)
    again = run_install_service(str(root), '--unit-dir', str(unit_dir))
    assert again.stdout.splitlines()[1:3] == [
        f'unchanged {unit_dir / unit.TEMPLATE}',
        f'unchanged {unit_dir / (name + ".d") / unit.DROP_IN}',
    ]


def test_a_root_under_home_keeps_the_sandbox(tmp_path: Path) -> None:
    root = Path('/home') / secrets.token_hex(4) / 'my app'
    config = Path('/etc/guard') / f'{secrets.token_hex(3)}%$.toml'
    spec = unit.ServiceSpec(root=root, user='app', group='app', guard=Path('/opt/guard/bin/guard'), config_file=config)
    drop_in = unit.drop_in_text(spec)
    assert 'ProtectHome=read-only\n' in drop_in
    stem = config.name.split('%')[0]
    assert f'ExecStart=/opt/guard/bin/guard watch --config /etc/guard/{stem}%%$$.toml %f\n' in drop_in
    name = unit.unit_name(root)
    staged = stage(tmp_path, {unit.TEMPLATE: SHIPPED.read_text(), f'{name}.d/{unit.DROP_IN}': drop_in})
    assert_clean(staged, name)


@pytest.mark.parametrize('path', ['/srv/app', '/srv/my app', '/home/u/.cache-x', '/srv/a-b/ü', '/.hidden/x.y', '/'])
def test_escape_path_matches_systemd_escape(path: str) -> None:
    expected = subprocess.run(['systemd-escape', '--path', path], capture_output=True, text=True, check=True)
    assert unit.escape_path(Path(path)) == expected.stdout.strip()


@pytest.mark.parametrize(
    ('args', 'message'),
    [
        (['--user', 'root'], 'guard: error: guard watch does not run as root\n'),
        (['--user', 'no-such-user-{token}'], 'guard: error: no-such-user-{token}: no such user\n'),
    ],
)
def test_install_service_refuses_bad_users(tmp_path: Path, args: list[str], message: str) -> None:
    token = secrets.token_hex(3)
    args = [a.format(token=token) for a in args]
    done = run_install_service(str(tmp_path), '--unit-dir', str(tmp_path / 'units'), *args)
    assert (done.returncode, done.stdout, done.stderr) == (2, '', message.format(token=token))
    assert not (tmp_path / 'units').exists()


def test_install_service_refuses_a_missing_root(tmp_path: Path) -> None:
    missing = tmp_path / secrets.token_hex(4)
    done = run_install_service(str(missing), '--unit-dir', str(tmp_path / 'units'))
    assert (done.returncode, done.stderr) == (2, f'guard: error: {missing}: no such directory\n')


@pytest.mark.skipif(os.geteuid() != 0, reason='chown of the test root to another user needs root')
def test_a_metrics_folder_outside_the_root_becomes_writable(tmp_path: Path) -> None:
    root = owned_root(tmp_path)
    metrics_dir = tmp_path / f'node exporter {secrets.token_hex(3)}'
    config = tmp_path / 'guard.toml'
    config.write_text(f'state-dir = "/var/lib/guard"\n[watch]\nmetrics-file = "{metrics_dir}/guard.prom"\n')
    done = run_install_service(str(root), '--config', str(config), '--unit-dir', str(tmp_path / 'units'))
    assert done.returncode == 0, done.stderr
    drop_in = (tmp_path / 'units' / f'{unit.unit_name(root)}.d' / unit.DROP_IN).read_text()
    # The state-dir is StateDirectory=guard's already: only the metrics folder is added.
    assert [line for line in drop_in.splitlines() if line.startswith('ReadWritePaths')] == [
        f'ReadWritePaths=-"{metrics_dir}"'
    ]
    staged = stage(tmp_path, {unit.TEMPLATE: SHIPPED.read_text(), f'{unit.unit_name(root)}.d/{unit.DROP_IN}': drop_in})
    assert_clean(staged, unit.unit_name(root))


def test_install_service_rejects_a_bad_config_before_writing(tmp_path: Path) -> None:
    config = tmp_path / 'guard.toml'
    config.write_text('[watch]\non-pollution = "sometimes"\n')
    done = run_install_service(
        str(tmp_path), '--user', OWNER, '--config', str(config), '--unit-dir', str(tmp_path / 'units')
    )
    assert done.returncode == 2
    assert done.stderr.startswith('guard: error: ') and 'on-pollution' in done.stderr
    assert done.stderr.count('\n') == 1
    assert not (tmp_path / 'units').exists()


def test_the_shipped_unit_waits_for_the_roots_mount_and_never_loops_on_a_sandbox_error() -> None:
    # D12: after a reboot the unit must not watch the bare mount point of a root on its own filesystem.
    lines = SHIPPED.read_text().splitlines()
    assert 'RequiresMountsFor=%f' in lines
    assert 'RestartPreventExitStatus=2 226' in lines
    assert 'ExecReload=/usr/local/bin/guard watch --reload $MAINPID %f' in lines


@pytest.mark.skipif(os.geteuid() != 0, reason='chown of the test root to another user needs root')
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(alphabet=st.sampled_from('ab-_. \'"$`\\;&|x2dü'), min_size=1, max_size=12).filter(
        lambda n: n.strip('.') not in ('',) and '/' not in n
    )
)
def test_printed_commands_name_the_unit_when_pasted_into_a_shell(tmp_path: Path, name: str) -> None:
    # D5: `guard@srv-my\x2dapp.service` unquoted is `guard@srv-myx2dapp.service` to a shell.
    folder = tmp_path / secrets.token_hex(4)
    folder.mkdir()
    root = folder / name
    root.mkdir()
    os.chown(root, pwd.getpwnam(OWNER).pw_uid, -1)
    done = run_install_service(str(root), '--dry-run', '--unit-dir', str(tmp_path / 'units'))
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        if line.startswith('  systemctl enable --now '):
            pasted = line.removeprefix('  systemctl enable --now ')
            shell = subprocess.run(
                ['/bin/sh', '-c', f'printf "%s\\n" {pasted}'], capture_output=True, text=True, check=True
            )
            assert shell.stdout == f'{unit.unit_name(root.resolve())}\n'
            return
    raise AssertionError(done.stdout)
