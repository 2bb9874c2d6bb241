"""guard under the real pre-commit framework: `pre-commit install`, then real `git commit` and `git push`.

pre-commit installs hooks from a git repository at a commit. This checkout may hold uncommitted work,
so a session fixture copies its current files into a throwaway repository and commits them there;
the projects under test point `repo:` at that. One PRE_COMMIT_HOME serves the whole session, so the
hook environment (a pip install from PyPI) is built once.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import write

# Assembled at run time so this file is not itself a secret to any scanner.
DB_PASSWORD = 'Zq8v' + '2LmP9xTw4'
DB_URL = f'postgresql://app:{DB_PASSWORD}@db.internal:5432/prod'
REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ['guard', 'hooks', 'systemd', 'pyproject.toml', 'README.md', '.pre-commit-hooks.yaml']
# Session fixtures run before the per-test environment isolation in conftest, so they pin git here.
SESSION_GIT_ENV = {
    'GIT_CONFIG_NOSYSTEM': '1',
    'GIT_CONFIG_GLOBAL': os.devnull,
    'GIT_AUTHOR_NAME': 'guard tests',
    'GIT_AUTHOR_EMAIL': 'tests@example.invalid',
    'GIT_COMMITTER_NAME': 'guard tests',
    'GIT_COMMITTER_EMAIL': 'tests@example.invalid',
}
SEPARATE_HOOKS = ('guard-venv', 'guard-secrets', 'guard-env-files', 'guard-hardcoded-ip')
# Every test here runs the real framework, whose hook environments (a pip install of guard) the
# session fixture builds first: minutes on a busy machine.
pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, f'{cmd}: {proc.stdout}{proc.stderr}'
    return proc


@pytest.fixture(scope='session')
def guard_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """(repository, commit) holding this checkout's current files, and a PRE_COMMIT_HOME with the hooks built."""
    env = {**os.environ, **SESSION_GIT_ENV}
    snapshot = tmp_path_factory.mktemp('guard-snapshot')
    listed = _run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', *PACKAGED], REPO_ROOT, env
    ).stdout
    for rel in filter(None, listed.split('\0')):
        source = REPO_ROOT / rel
        if source.is_file() or source.is_symlink():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / rel, follow_symlinks=False)
    _run(['git', '-c', 'init.defaultBranch=main', 'init', '-q'], snapshot, env)
    _run(['git', 'add', '-A'], snapshot, env)
    _run(['git', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'snapshot'], snapshot, env)
    rev = _run(['git', 'rev-parse', 'HEAD'], snapshot, env).stdout.strip()
    home = tmp_path_factory.mktemp('pre-commit-home')
    warm = tmp_path_factory.mktemp('pre-commit-warm')
    _run(['git', 'init', '-q'], warm, env)
    (warm / '.pre-commit-config.yaml').write_text(_config(snapshot, rev, ('guard', *SEPARATE_HOOKS)))
    _run([sys.executable, '-m', 'pre_commit', 'install-hooks'], warm, {**env, 'PRE_COMMIT_HOME': str(home)})
    return snapshot, rev, home


def _config(repo: Path, rev: str, hook_ids: tuple[str, ...]) -> str:
    hooks = ''.join(f'      - id: {hook_id}\n' for hook_id in hook_ids)
    return f'repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n{hooks}'


def project(
    root: Path,
    snapshot: tuple[Path, str, Path],
    monkeypatch: pytest.MonkeyPatch,
    hook_ids: tuple[str, ...] = ('guard',),
    hook_types: tuple[str, ...] = ('pre-commit',),
) -> Path:
    repo, rev, home = snapshot
    monkeypatch.setenv('PRE_COMMIT_HOME', str(home))
    write(root, '.pre-commit-config.yaml', _config(repo, rev, hook_ids))
    git(root, 'add', '.pre-commit-config.yaml')
    git(root, 'commit', '-q', '-m', 'init')
    types = [arg for t in hook_types for arg in ('--hook-type', t)]
    subprocess.run([sys.executable, '-m', 'pre_commit', 'install', *types], cwd=root, check=True, capture_output=True)
    return root


def commit(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ['git', 'commit', '-q', '-m', 'change', *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture
def framework(git_repo: Path, guard_snapshot: tuple[Path, str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    return project(git_repo, guard_snapshot, monkeypatch)


def test_env_file_with_a_database_password_is_refused_with_the_message(framework: Path) -> None:
    env_text = f'DATABASE_URL={DB_URL}\n'
    write(framework, '.env', env_text)
    git(framework, 'add', '.env')
    proc = commit(framework)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert '- hook id: guard' in out
    assert f'\n.env:1:{env_text.index(DB_PASSWORD) + 1}: error database-url-password\n' in out
    assert (
        '.env: error env-file\n' in out.splitlines(keepends=True)
        and 'commit a .env.example with keys and no values' in out
    )
    assert 'allow: add a comment `guard: allow database-url-password` on that line' in out
    # The env file holds a generated value (issue 15c finding 16): no skip is offered, `SKIP=guard` would commit it.
    assert 'commit blocked: .env may hold a credential (masked above)' in out and 'SKIP=' not in out
    assert DB_PASSWORD not in out


def test_utf16_env_and_a_stray_nul_are_read_not_skipped_as_binary(framework: Path) -> None:
    """PowerShell 5.1's `>` writes UTF-16 LE with a BOM; pre-commit passes such files (types_or: file)
    and guard decodes them; one NUL before a secret does not make a file binary (issue 15)."""
    env_text = f'DATABASE_URL={DB_URL}\r\n'
    write(framework, '.env', b'\xff\xfe' + env_text.encode('utf-16-le'))
    write(framework, 'settings.py', b'# generated\0\n' + f'URL = "{DB_URL}"\n'.encode())
    git(framework, 'add', '.env', 'settings.py')
    proc = commit(framework)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert f'\n.env:1:{env_text.index(DB_PASSWORD) + 1}: error database-url-password\n' in out
    assert '.env: error env-file\n' in out.splitlines(keepends=True)
    assert 'settings.py:2:' in out and 'binary' not in out
    assert DB_PASSWORD not in out


def test_root_venv_is_refused(framework: Path) -> None:
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(framework)], check=True)
    write(framework, 'lib/python3.11/site-packages/pkg.py', 'x = 1\n')
    git(framework, 'add', '-A')
    proc = commit(framework)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert ': error venv-root\n' in out and 'git rm -r --cached' in out and '.gitignore' in out


def test_hardcoded_ip_in_config_json_is_refused(framework: Path) -> None:
    write(framework, 'config.json', '{"host": "192.168.86.42"}\n')
    git(framework, 'add', 'config.json')
    proc = commit(framework)
    assert proc.returncode == 1
    assert '\nconfig.json:1:11: warning hardcoded-ipv4\n' in proc.stdout + proc.stderr


def test_clean_change_commits(framework: Path) -> None:
    write(framework, 'app.py', 'import os\nURL = os.environ["DATABASE_URL"]\n')
    git(framework, 'add', 'app.py')
    proc = commit(framework)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Passed' in proc.stdout + proc.stderr
    assert git(framework, 'log', '--format=%s').stdout.split() == ['change', 'init']


def test_skip_works_per_hook_id(
    git_repo: Path, guard_snapshot: tuple[Path, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = project(git_repo, guard_snapshot, monkeypatch, hook_ids=SEPARATE_HOOKS)
    write(repo, 'settings.py', f'URL = "{DB_URL}"\nHOST = "10.1.2.3"\n')
    git(repo, 'add', 'settings.py')
    blocked = commit(repo)
    out = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1
    assert '- hook id: guard-secrets' in out and '- hook id: guard-hardcoded-ip' in out
    assert 'SKIP=guard-secrets git commit' in out and 'SKIP=guard-hardcoded-ip git commit' in out
    still = commit(repo, env={'SKIP': 'guard-secrets'})
    assert still.returncode == 1 and 'hardcoded-ipv4' in still.stdout + still.stderr
    passed = commit(repo, env={'SKIP': 'guard-secrets,guard-hardcoded-ip'})
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert 'guard-secrets (keys, tokens, passwords)' in passed.stdout + passed.stderr


def test_skip_the_all_in_one_hook(framework: Path) -> None:
    write(framework, 'settings.py', f'URL = "{DB_URL}"\n')
    git(framework, 'add', 'settings.py')
    assert commit(framework).returncode == 1
    proc = commit(framework, env={'SKIP': 'guard'})
    assert proc.returncode == 0 and 'Skipped' in proc.stdout + proc.stderr


def test_pre_commit_agrees_with_the_index(framework: Path) -> None:
    write(framework, 'staged.py', f'URL = "{DB_URL}"\n')
    git(framework, 'add', 'staged.py')
    write(framework, 'staged.py', 'URL = None\n')  # the secret is still what would be committed
    assert commit(framework).returncode == 1
    git(framework, 'add', 'staged.py')
    write(framework, 'staged.py', f'URL = "{DB_URL}"\n')  # now only in an unstaged change
    proc = commit(framework)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(framework, 'show', 'HEAD:staged.py').stdout == 'URL = None\n'
    assert (framework / 'staged.py').read_text() == f'URL = "{DB_URL}"\n'  # pre-commit put it back


def test_pre_push_stage_refuses_a_secret_committed_with_no_verify(
    git_repo: Path, tmp_path: Path, guard_snapshot: tuple[Path, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = project(git_repo, guard_snapshot, monkeypatch, hook_types=('pre-commit', 'pre-push'))
    remote = tmp_path / 'remote.git'
    git(tmp_path, 'init', '-q', '--bare', str(remote))
    git(repo, 'remote', 'add', 'origin', str(remote))
    assert git(repo, 'push', '-q', 'origin', 'main', check=False).returncode == 0
    write(repo, 'app.py', f'URL = "{DB_URL}"\n')
    git(repo, 'add', 'app.py')
    assert commit(repo, '--no-verify').returncode == 0
    leak = git(repo, 'rev-parse', 'HEAD').stdout.strip()
    proc = git(repo, 'push', 'origin', 'main', check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f'{leak[:12]}:app.py:1:' in out and 'push blocked' in out and DB_PASSWORD not in out


# The README's set-up works as written (issue 11): its config, with the clone's path and commit in
# place of the placeholders, and `pre-commit try-repo` with a path.
README_REPO = '/path/to/guard'
README_REV = '0123456789abcdef0123456789abcdef01234567'


def readme_config() -> str:
    """The .pre-commit-config.yaml block of the docs' "With the pre-commit framework" section (the README has the same)."""
    text = (REPO_ROOT / 'docs' / 'hooks.md').read_text(encoding='utf-8')
    assert text.split('```yaml\n', 1)[1].split('```', 1)[0] in (REPO_ROOT / 'README.md').read_text(encoding='utf-8')
    section = text.split('## With the pre-commit framework', 1)[1].split('\n## ', 1)[0]
    block = section.split('```yaml\n', 1)[1].split('```', 1)[0]
    assert block.startswith('# .pre-commit-config.yaml\n') and README_REPO in block and README_REV in block
    return block


def test_the_readme_config_works_as_written(
    git_repo: Path, guard_snapshot: tuple[Path, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, rev, home = guard_snapshot
    monkeypatch.setenv('PRE_COMMIT_HOME', str(home))
    write(git_repo, '.pre-commit-config.yaml', readme_config().replace(README_REPO, str(repo)).replace(README_REV, rev))
    git(git_repo, 'add', '.pre-commit-config.yaml')
    git(git_repo, 'commit', '-q', '-m', 'init')
    subprocess.run([sys.executable, '-m', 'pre_commit', 'install'], cwd=git_repo, check=True, capture_output=True)
    password = secrets.token_hex(10)
    write(git_repo, 'settings.py', f'URL = "postgresql://app:{password}@db.internal/prod"\n')
    git(git_repo, 'add', 'settings.py')
    proc = commit(git_repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and '\nsettings.py:1:' in out and 'error database-url-password' in out
    assert password not in out


def test_try_repo_with_a_path(
    git_repo: Path, guard_snapshot: tuple[Path, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _, home = guard_snapshot
    monkeypatch.setenv('PRE_COMMIT_HOME', str(home))
    host = f'10.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}'
    write(git_repo, 'config.json', f'{{"host": "{host}"}}\n')
    git(git_repo, 'add', 'config.json')
    proc = subprocess.run(
        [sys.executable, '-m', 'pre_commit', 'try-repo', str(repo), 'guard', '--all-files'],
        cwd=git_repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert '\nconfig.json:1:11: warning hardcoded-ipv4\n' in out and f'| {{"host": "{host}"}}' in out


def test_exit_zero_in_args_reports_and_lets_the_commit_through(
    git_repo: Path, guard_snapshot: tuple[Path, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, rev, home = guard_snapshot
    monkeypatch.setenv('PRE_COMMIT_HOME', str(home))
    write(
        git_repo,
        '.pre-commit-config.yaml',
        f'repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n'
        '      - id: guard-hardcoded-ip\n        args: [--exit-zero]\n'
        '        verbose: true\n',
    )
    git(git_repo, 'add', '.pre-commit-config.yaml')
    git(git_repo, 'commit', '-q', '-m', 'init')
    subprocess.run([sys.executable, '-m', 'pre_commit', 'install'], cwd=git_repo, check=True, capture_output=True)
    host = f'10.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.3'
    write(git_repo, 'app.py', f'HOST = "{host}"\n')
    git(git_repo, 'add', 'app.py')
    proc = commit(git_repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert 'app.py:1:9: warning hardcoded-ipv4' in out and f'| HOST = "{host}"' in out
    assert 'commit blocked' not in out
    assert git(git_repo, 'show', 'HEAD:app.py').stdout == f'HOST = "{host}"\n'


def test_pre_commit_judges_the_lines_a_commit_changes(framework: Path) -> None:
    old = ''.join(f'HOST_{i} = "45.67.89.{i + 1}"\nDATA_{i} = "/home/user{i}/data.csv"\n' for i in range(25))
    write(framework, 'legacy.py', old)
    git(framework, 'add', 'legacy.py')
    git(framework, 'commit', '-q', '--no-verify', '-m', 'before guard')  # 50 findings, already committed
    write(framework, 'legacy.py', old.replace('HOST_3 = "45.67.89.4"', 'HOST_3 = "23.45.67.89"'))
    git(framework, 'add', 'legacy.py')
    proc = commit(framework)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert [line for line in out.splitlines() if ': warning ' in line] == ['legacy.py:7:11: warning hardcoded-ipv4']
    assert '49 findings on lines this commit does not change were left out' in out
    write(framework, 'legacy.py', old.replace('HOST_3 = "45.67.89.4"', 'HOST_3 = os.environ["HOST_3"]'))
    git(framework, 'add', 'legacy.py')
    assert commit(framework).returncode == 0


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.one_of(
            st.sampled_from(['--exit-zero', '--help', '-h', '--config', '--config=x.toml', '--', '--version']),
            st.from_regex(r'--?[a-z][a-z-]{0,12}', fullmatch=True),
        ),
        min_size=1,
        max_size=4,
        unique=True,
    )
)
def test_a_file_named_like_an_option_does_not_change_what_a_hook_does(
    tmp_path_factory: pytest.TempPathFactory,
    guard_snapshot: tuple[Path, str, Path],
    monkeypatch: pytest.MonkeyPatch,
    names: list[str],
) -> None:
    """pre-commit runs `entry [args] FILES...` with no `--`: a staged file named `--exit-zero` or `--help`
    must not turn a blocking hook into a report (issue 15 finding 13), under every hook id."""
    root = tmp_path_factory.mktemp('option-names') / 'repo'
    root.mkdir()
    git(root, 'init', '-q')
    repo = project(root, guard_snapshot, monkeypatch, hook_ids=('guard', 'guard-secrets', 'guard-hardcoded-ip'))
    password = secrets.token_hex(6) + 'Qz'
    write(repo, 'settings.py', f'DB_PASSWORD = "{password}"\nHOST = "192.168.86.{secrets.randbelow(200) + 20}"\n')
    for name in names:
        write(repo, name, '')
    git(repo, 'add', '--', 'settings.py', *(f'./{name}' for name in names))
    proc = commit(repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    for hook_id in ('guard', 'guard-secrets', 'guard-hardcoded-ip'):
        assert f'- hook id: {hook_id}\n- exit code: 1\n' in out, out
    assert 'usage:' not in out and password not in out
