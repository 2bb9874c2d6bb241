"""Bad input ends in one line on stderr and exit 2, never a traceback (issue 15, item 6).

Generated: nesting depth x the file guard parses (a baseline, pyproject.toml, guard.toml, a
quarantine manifest); where the report goes (-o /dev/full, a directory, a missing folder, a file
with no write permission, stdout on /dev/full, stdout closed, a reader that leaves). guard runs as a
real process; /dev/full is the kernel's always-full device, not a mock.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import run_guard
from support import write

KINDS = ('baseline', 'pyproject', 'guard.toml')


def nested(kind: str, depth: int) -> tuple[str, str]:
    """(file name, text) holding a value nested `depth` levels deep, otherwise a valid file of `kind`."""
    value_json = '[' * depth + ']' * depth
    if kind == 'baseline':
        return '.guard-baseline.json', json.dumps({'version': 3, 'findings': []})[:-1] + f', "x": {value_json}}}'
    value_toml = '[' * depth + ']' * depth
    section = '[tool.guard]\n' if kind == 'pyproject' else ''
    return ('pyproject.toml' if kind == 'pyproject' else 'guard.toml'), f'{section}x-nested = {value_toml}\n'


def one_clean_line(proc: subprocess.CompletedProcess[str]) -> None:
    assert 'Traceback' not in proc.stderr and 'internal error' not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith('guard'), proc.stderr


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(KINDS), st.one_of(st.integers(2, 60), st.integers(500, 200_000)))
def test_deep_nesting_in_any_parsed_file_is_exit_2(
    tmp_path_factory: pytest.TempPathFactory, kind: str, depth: int
) -> None:
    root = tmp_path_factory.mktemp('nest')
    write(root, 'app.py', 'import os\n')
    name, text = nested(kind, depth)
    write(root, name, text)
    proc = run_guard('scan', root)
    # Shallow: the file is merely wrong (an unknown setting) or fine; deep: refused. Never a traceback.
    assert 'Traceback' not in proc.stderr and proc.returncode in (0, 2), proc.stderr
    if depth >= 500 or kind != 'baseline':
        one_clean_line(proc)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(500, 100_000))
def test_a_deeply_nested_quarantine_manifest_is_refused(tmp_path_factory: pytest.TempPathFactory, depth: int) -> None:
    from guard.errors import GuardError
    from guard.safety import manifest

    folder = tmp_path_factory.mktemp('quarantine')
    folder.chmod(0o700)
    write(folder, manifest.NAME, '{"id": ' + '[' * depth + ']' * depth + '}')
    with pytest.raises(GuardError):
        manifest.read(folder)


@pytest.fixture
def findings_tree(tmp_path: Path) -> Path:
    # Enough findings that the report outgrows a pipe's and stdio's buffers.
    write(tmp_path / 'tree', 'hosts.py', ''.join(f'HOST_{i} = "10.0.{i // 250}.{i % 250 + 1}"\n' for i in range(3000)))
    return tmp_path / 'tree'


@pytest.mark.parametrize('fmt', ['text', 'json', 'sarif'])
@pytest.mark.parametrize('target', ['/dev/full', 'directory', 'missing-folder', 'read-only'])
def test_an_unwritable_output_is_exit_2(findings_tree: Path, tmp_path: Path, fmt: str, target: str) -> None:
    if target == 'read-only' and os.geteuid() == 0:
        pytest.skip('root writes through file permissions')
    path = {
        '/dev/full': Path('/dev/full'),
        'directory': tmp_path,
        'missing-folder': tmp_path / 'no' / 'r.json',
        'read-only': tmp_path / 'ro.json',
    }[target]
    if target == 'read-only':
        path.write_text('')
        path.chmod(0o444)
    proc = run_guard('scan', findings_tree, '--format', fmt, '-o', path)
    one_clean_line(proc)
    assert 'cannot write the report' in proc.stderr


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(1, 400), st.sampled_from(['text', 'json', 'sarif']), st.sampled_from(['/dev/full', '/proc/version']))
def test_a_report_that_fits_the_buffer_fails_at_close_as_one_line(
    tmp_path_factory: pytest.TempPathFactory, count: int, fmt: str, target: str
) -> None:
    # A short report is still in the file's buffer when the write returns: ENOSPC (/dev/full) or EIO
    # (/proc/version, a file the kernel will not take) comes from close, and must still be one line, exit 2.
    tree = tmp_path_factory.mktemp('small') / 'tree'
    write(tree, 'hosts.py', ''.join(f'HOST_{i} = "10.0.{i // 250}.{i % 250 + 1}"\n' for i in range(count)))
    proc = run_guard('scan', tree, '--format', fmt, '-o', target)
    one_clean_line(proc)
    assert f'{target}: cannot write the report' in proc.stderr


def guard_with_stdout(args: list[str], stdout: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, '-m', 'guard', *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize('command', [['scan'], ['scan', '--format', 'json'], ['health', '--format', 'json']])
def test_stdout_on_a_full_device_is_exit_2(findings_tree: Path, command: list[str]) -> None:
    with open('/dev/full', 'w') as full:
        proc = guard_with_stdout([*command, str(findings_tree)], full)
    assert 'Traceback' not in proc.stderr and proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[-1].startswith('guard: error: ') and 'No space left' in proc.stderr


def with_stdout_closed(args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`guard args` run with file descriptor 1 closed (`>&-`), as a service manager or a shell may start it."""
    return subprocess.run(
        f'exec {sys.executable} -m guard {args} >&-',
        shell=True,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_a_closed_stdout_is_exit_2(findings_tree: Path) -> None:
    proc = with_stdout_closed(f'scan {findings_tree}')
    one_clean_line(proc)
    assert 'stdout is closed' in proc.stderr


# Every command that writes to stdout, as the attack (15c finding 05) and `guard --help` list them.
WRITERS = [
    'scan {root}',
    'scan --list-rules',
    'scan --format json {root}',
    'baseline {root} -o {out}',
    'history {root}',
    'history --format json {root}',
    'purge {root} --dry-run',
    'clean {root} --dry-run',
    'clean --list {root}',
    'install {root}',
    'status {root}',
    'trust --list',
    'uninstall-service {root}',
    '--help',
    '--version',
    'scan --help',
]


@pytest.mark.parametrize('command', WRITERS)
def test_every_command_with_a_closed_stdout_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    root = tmp_path / 'root'
    write(root, 'a.py', 'HOST = "10.1.2.3"\n')
    subprocess.run(['git', 'init', '-q', str(root)], check=True)
    argv = command.format(root=root, out=tmp_path / 'baseline.json')
    env = {**os.environ, 'XDG_STATE_HOME': str(tmp_path / 'state'), 'XDG_CONFIG_HOME': str(tmp_path / 'config')}
    proc = with_stdout_closed(argv, env=env)
    one_clean_line(proc)
    assert (
        proc.stderr
        == 'guard: error: stdout is closed: nowhere to write the output (redirect it to /dev/null to discard it)\n'
    )


def test_a_closed_stdout_is_no_error_for_a_report_written_to_a_file(findings_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / 'report.json'
    proc = with_stdout_closed(f'scan {findings_tree} --format json -o {out}')
    assert (proc.returncode, proc.stderr) == (1, '') and json.loads(out.read_text())['findings']


def test_a_reader_that_leaves_ends_quietly(findings_tree: Path) -> None:
    reader = subprocess.Popen(['head', '-c', '100'], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    proc = guard_with_stdout(['scan', str(findings_tree)], reader.stdin)
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait(timeout=60)
    assert proc.returncode == 1 and proc.stderr == ''  # as `guard scan | head`: no traceback, no noise


def _baseline_source(root: Path, kind: str, size: int) -> str:
    """A path `--baseline` may name that is no regular file of sane size: devices that never end, a
    FIFO nobody writes, a directory, a sparse file over the bound (no disk used)."""
    if kind.startswith('/dev/'):
        return kind
    if kind == 'fifo':
        os.mkfifo(root / 'fifo.json')
        return str(root / 'fifo.json')
    if kind == 'directory':
        (root / 'dir.json').mkdir()
        return str(root / 'dir.json')
    with open(root / 'huge.json', 'wb') as f:
        f.truncate(size)
    return str(root / 'huge.json')


@settings(max_examples=14, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(['/dev/zero', '/dev/urandom', 'fifo', 'directory', 'huge']),
    st.sampled_from(['option', 'environment']),
    st.integers(1, 2**34),
)
def test_a_baseline_that_is_no_regular_file_or_too_big_is_exit_2_at_once(
    tmp_path_factory: pytest.TempPathFactory, kind: str, how: str, extra: int
) -> None:
    from guard.scan.baseline import MAX_BYTES

    root = tmp_path_factory.mktemp('baseline')
    write(root, 'app.py', 'HOST = "192.168.86.42"\n')  # a finding: the baseline is read
    source = _baseline_source(root, kind, MAX_BYTES + extra)
    args = ['--baseline', source] if how == 'option' else []
    env = {**os.environ, **({'GUARD_BASELINE': source} if how == 'environment' else {})}
    # A timeout, not run_guard's 300 s: /dev/urandom used to be read for ever, /dev/zero until MemoryError.
    proc = subprocess.run(
        [sys.executable, '-m', 'guard', 'scan', str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    one_clean_line(proc)
    assert 'not a guard baseline' in proc.stderr


def _file_size_limit(limit: int) -> object:
    """A child's preexec: files it writes stop at `limit` bytes (RLIMIT_FSIZE: write() takes what fits,
    then fails with EFBIG, as a full volume's ENOSPC or a quota's EDQUOT would)."""
    import resource
    import signal

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(['text', 'json', 'sarif']),
    st.integers(1, 60_000),
    st.booleans(),
    st.sampled_from([[], ['--exit-zero']]),
)
def test_a_report_cut_short_by_a_size_limit_is_exit_2(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, limit: int, to_stdout: bool, extra: list[str]
) -> None:
    # Issue 15 finding 07: Python's buffered writer dropped the rest of a short write() without an error,
    # so `--format json > report.json` on a full volume left half a document and exit 0 or 1.
    tree = tmp_path_factory.mktemp('cut') / 'tree'
    write(tree, 'hosts.py', ''.join(f'HOST_{i} = "10.0.{i // 250}.{i % 250 + 1}"\n' for i in range(400)))
    report = tree.parent / f'report.{fmt}'
    args = [sys.executable, '-m', 'guard', 'scan', str(tree), '--no-baseline', '--format', fmt, *extra]
    with report.open('w') as out:
        proc = subprocess.run(
            args if to_stdout else [*args, '-o', str(report)],
            stdout=out if to_stdout else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
            preexec_fn=_file_size_limit(limit),  # type: ignore[arg-type]
        )
    assert report.stat().st_size <= limit
    complete = proc.returncode != 2
    if complete:
        assert report.stat().st_size < limit, 'a report reaching the limit may be cut short, yet it passed'
        if fmt != 'text':
            json.loads(report.read_text())
        assert proc.returncode == (0 if extra else 1) and proc.stderr == '', proc.stderr
    else:
        one_clean_line(proc)
        assert 'cannot write' in proc.stderr and 'too large' in proc.stderr.lower()


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    names=st.lists(st.from_regex(r'[a-z][a-z0-9._-]{0,11}', fullmatch=True), min_size=1, max_size=4, unique=True),
    below=st.integers(0, 2),
    where=st.sampled_from(
        ['scan {loop}', 'baseline {root} -o {loop}', 'scan {root} --baseline {loop}', 'watch {loop}']
    ),
)
def test_a_symlink_loop_anywhere_a_path_goes_is_one_line_and_exit_2(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], below: int, where: str
) -> None:
    """A cycle of 1 to 4 links (a -> b -> ... -> a), reached through 0 to 2 more links pointing into it
    (attack 15c, finding 23: `ln -s loop loop` crashed scan and baseline -o with a RuntimeError)."""
    root = tmp_path_factory.mktemp('loop')
    write(root, 'a.py', 'HOST = "10.1.2.3"\n')
    subprocess.run(['git', 'init', '-q', str(root)], check=True)
    for name, target in zip(names, names[1:] + names[:1], strict=True):
        os.symlink(target, root / name)
    entry = names[0]
    for step in range(below):
        os.symlink(entry, root / f'via{step}')
        entry = f'via{step}'
    proc = subprocess.run(
        [sys.executable, '-m', 'guard', *where.format(root=root, loop=root / entry).split()],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, 'XDG_STATE_HOME': str(root / '.state')},
    )
    one_clean_line(proc)
    assert proc.stdout == '' and not (root / entry).is_file()


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kind=st.sampled_from(['fifo', 'folder', 'socket'] + (['device'] if os.geteuid() == 0 else [])),
    spelled=st.sampled_from(['-o relative', '-o absolute', '-o link', 'baseline = in guard.toml']),
)
def test_baseline_never_replaces_a_device_or_fifo(
    tmp_path_factory: pytest.TempPathFactory, kind: str, spelled: str
) -> None:
    """`guard baseline -o /dev/full` as root replaced the device with a JSON file (attack 15c, finding 04)."""
    from ownfiles_test import _special

    root = tmp_path_factory.mktemp('special')
    write(root, 'a.py', 'HOST = "10.1.2.3"\n')
    subprocess.run(['git', 'init', '-q', str(root)], check=True)
    _special(root / 'node', kind)
    before = os.lstat(root / 'node')
    args = ['baseline', str(root)]
    if spelled == '-o link':
        os.symlink(root / 'node', root / 'link')
        args += ['-o', str(root / 'link')]
    elif spelled.startswith('-o'):
        args += ['-o', 'node' if spelled == '-o relative' else str(root / 'node')]
    else:
        write(root, 'guard.toml', 'baseline = "node"\n')
    proc = subprocess.run(
        [sys.executable, '-m', 'guard', *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    one_clean_line(proc)
    assert 'regular file' in proc.stderr  # said at write time, or by safety.targets for a configured path
    after = os.lstat(root / 'node')
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino, stat.S_IFMT(before.st_mode))
