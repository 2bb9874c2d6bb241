"""A real systemd as PID 1, for the end-to-end tests: systemd-nspawn on a fresh Debian root.

The root is built once by mmdebstrap from the Debian mirror apt already uses, and cached as a
tarball (GUARD_TEST_CACHE, default /var/cache/guard-test); each run unpacks it onto a tmpfs,
boots it with --private-network and installs guard from wheels built here, so the container needs
no network. How this works on a host whose PID 1 is not systemd, and every error met on the way:
../shared/systemd-testing/RECIPE.md (nspawn needs --register=no --keep-unit here; nsenter must
target the container's PID 1; systemctl only after /run/systemd/private exists).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from daemon_harness import wait_for

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get('GUARD_TEST_CACHE') or '/var/cache/guard-test')
# python3-systemd: Debian's systemd-python, so nothing is compiled in the container; git: GitPython;
# procps: /bin/kill for ExecReload= (every Debian server has it; mmdebstrap's apt variant does not);
# postgresql: the fleet's audit store, a real server under the container's systemd (stopped and
# started by the test; Debian's package creates and enables the `main` cluster).
PACKAGES = (
    'systemd',
    'systemd-sysv',
    'dbus',
    'passwd',
    'procps',
    'python3',
    'python3-venv',
    'python3-systemd',
    'git',
    'postgresql',
)
BOOT_TIMEOUT = 60.0
PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'


def unavailable() -> str:
    """Why this machine cannot boot a container ('' when it can): the skip reason shown by -ra."""
    if os.geteuid() != 0:
        return 'systemd-nspawn needs root'
    for tool, package in (('systemd-nspawn', 'systemd-container'), ('nsenter', 'util-linux')):
        if shutil.which(tool) is None:
            return f'{tool} missing: apt-get install {package} (scripts/bootstrap.sh --test does)'
    if not _cached_tar().is_file():
        if shutil.which('mmdebstrap') is None:
            return 'mmdebstrap missing: apt-get install mmdebstrap (scripts/bootstrap.sh --test does)'
        if not host_mirror():
            return 'no Debian mirror in /etc/apt/sources.list*: cannot build the container root'
    if not os.path.isdir('/sys/fs/cgroup'):
        return 'no /sys/fs/cgroup: systemd cannot run here'
    return ''


def host_suite() -> str:
    """The host's Debian release (bookworm): the container's python then takes the host's wheels."""
    for line in Path('/etc/os-release').read_text().splitlines():
        if line.startswith('VERSION_CODENAME='):
            return line.split('=', 1)[1].strip('"')
    return 'bookworm'


def host_mirror() -> str:
    """The Debian mirror apt is configured with (deb822 .sources first, then sources.list)."""
    suite = host_suite()
    for path in sorted(Path('/etc/apt/sources.list.d').glob('*.sources')):
        for stanza in path.read_text().split('\n\n'):
            fields = dict(
                line.split(':', 1) for line in stanza.splitlines() if ':' in line and not line.startswith('#')
            )
            if suite in fields.get('Suites', '').split() and 'deb' in fields.get('Types', '').split():
                return fields.get('URIs', '').split()[0]
    for path in [Path('/etc/apt/sources.list'), *Path('/etc/apt/sources.list.d').glob('*.list')]:
        for line in path.read_text().splitlines() if path.is_file() else ():
            words = line.split('#', 1)[0].split()
            if len(words) >= 3 and words[0] == 'deb' and suite in words[2:]:
                return next(w for w in words[1:] if '://' in w)
    return ''


def _mmdebstrap() -> list[str]:
    """How the root is built, but for where it goes: what the cached tarball's name stands for."""
    return ['mmdebstrap', '--quiet', '--variant=apt', f'--include={",".join(PACKAGES)}', host_suite()]


def _cached_tar() -> Path:
    # Keyed by the whole recipe (suite, variant, packages): a changed recipe builds a new root on
    # any machine instead of booting a stale one. The mirror is left out: any mirror of the suite
    # gives the same root.
    key = hashlib.sha256(' '.join(_mmdebstrap()).encode()).hexdigest()[:12]
    return CACHE / f'{host_suite()}-{key}.tar'


def rootfs_tar() -> Path:
    """The cached root tarball, built on first use (~30 s); a lock keeps two runs from building it twice."""
    tar = _cached_tar()
    with _cache_lock():
        if not tar.is_file():
            partial = tar.with_suffix('.partial.tar')
            _run([*_mmdebstrap(), str(partial), host_mirror()], timeout=900)
            os.replace(partial, tar)
            _prune(tar, '*.tar')
    return tar


def wheelhouse(into: Path) -> Path:
    """Wheels of guard (built from this checkout) and of its dependencies (cached by requirement list)."""
    requirements = tomllib.loads((REPO / 'pyproject.toml').read_text())['project']['dependencies']
    key = hashlib.sha256('\n'.join([sys.version, *requirements]).encode()).hexdigest()[:12]
    deps = CACHE / f'wheels-{key}'
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check', '--quiet']
    with _cache_lock():
        if not deps.is_dir():
            partial = Path(tempfile.mkdtemp(dir=CACHE, prefix='.wheels-'))
            _run([*pip, 'wheel', '--wheel-dir', str(partial), *requirements], timeout=600)
            os.replace(partial, deps)
            _prune(deps, 'wheels-*')
    into.mkdir(parents=True, exist_ok=True)
    # A copy of the checkout: setuptools writes build/ and *.egg-info next to the sources.
    source = into / 'src'
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns('.venv', '.git', 'build', '*.egg-info', '__pycache__'))
    _run([*pip, 'wheel', '--no-deps', '--wheel-dir', str(into), str(source)], timeout=600)
    shutil.rmtree(source)
    for wheel in deps.iterdir():
        shutil.copy(wheel, into)
    return into


@contextmanager
def _cache_lock() -> Iterator[None]:
    """The cache, created if need be, held by this run alone: two runs never build the same entry."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _prune(keep: Path, pattern: str) -> None:
    """Drop the cache entries a new one replaces (another package or requirement list)."""
    for old in CACHE.glob(pattern):
        if old != keep:
            shutil.rmtree(old) if old.is_dir() else old.unlink()


class Container:
    """A booted container; `run` executes inside it (all its namespaces, a clean environment)."""

    def __init__(self, work: Path) -> None:
        self.root = work / 'root'
        self._process: subprocess.Popen[bytes] | None = None
        self.leader = 0
        self.console = work / 'console.log'

    def boot(self) -> None:
        command = [
            'systemd-nspawn',
            '--quiet',
            f'--directory={self.root}',
            f'--machine=guardtest{os.getpid()}',
            '--boot',
            '--register=no',
            '--keep-unit',
            '--private-network',
            '--console=pipe',
        ]
        with open(self.console, 'wb') as console:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=console, stderr=console)
        self.leader = wait_for(self._find_leader, BOOT_TIMEOUT, "the container's systemd to start")
        wait_for(
            lambda: self.run('test', '-S', '/run/systemd/private', check=False).returncode == 0,
            BOOT_TIMEOUT,
            "systemd's private socket",
        )
        state = self.run('systemctl', 'is-system-running', '--wait', check=False, timeout=BOOT_TIMEOUT).stdout.strip()
        if state != 'running':
            failed = self.run('systemctl', '--failed', '--no-pager', check=False).stdout
            raise RuntimeError(f'container booted into state {state!r}:\n{failed}')

    def _find_leader(self) -> int:
        assert self._process is not None
        if self._process.poll() is not None:
            raise RuntimeError(f'systemd-nspawn exited {self._process.returncode}: {self.console.read_text()}')
        children = Path(f'/proc/{self._process.pid}/task/{self._process.pid}/children')
        for pid in children.read_text().split() if children.exists() else ():
            if Path(f'/proc/{pid}/comm').read_text().strip() == 'systemd':
                return int(pid)
        return 0

    def run(
        self, *command: str, check: bool = True, input: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [
                'nsenter',
                f'--target={self.leader}',
                '--all',
                'env',
                '-i',
                f'PATH={PATH}',
                'LANG=C.UTF-8',
                'SYSTEMD_PAGER=',
                'SYSTEMD_COLORS=0',
                *command,
            ],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(f'{" ".join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}')
        return done

    def prop(self, unit: str, name: str) -> str:
        return self.run('systemctl', 'show', '-P', name, unit).stdout.strip()

    def write(self, path: str, text: str) -> None:
        self.run('mkdir', '-p', os.path.dirname(path))
        self.run('tee', path, input=text)

    def poweroff(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None and self.leader:
            self.run('systemctl', 'poweroff', '--no-block', check=False)
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.terminate()  # nspawn's SIGTERM: an orderly shutdown
                try:
                    self._process.wait(10)
                except subprocess.TimeoutExpired:
                    pass
        # SIGKILL to nspawn would leave the container running; killing its PID 1 ends the namespace.
        if self.leader and Path(f'/proc/{self.leader}').exists():
            os.kill(self.leader, 9)
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()


@contextmanager
def booted(tar: Path) -> Iterator[Container]:
    """Unpack `tar` onto a fresh tmpfs (dpkg and rm are slow on this disk), boot it, and always clean up."""
    work = Path(tempfile.mkdtemp(dir='/var/tmp', prefix='guard-nspawn.'))
    _run(['mount', '-t', 'tmpfs', '-o', 'size=2G,mode=0755', 'guard-nspawn', str(work)])
    container = Container(work)
    try:
        container.root.mkdir()
        _run(['tar', '-xpf', str(tar), '-C', str(container.root)], timeout=300)
        container.boot()
        yield container
    finally:
        container.poweroff()
        _run(['umount', '--lazy', str(work)])
        os.rmdir(work)


def _run(command: list[str], *, timeout: float = 60) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f'{" ".join(command)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}')
