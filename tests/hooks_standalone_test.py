"""The standalone git hooks that `guard install` puts in place, driven by real `git commit` and `git push`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from support import git
from support import run_guard
from support import write

from guard.cli.install import site_folders

# Assembled at run time so this file is not itself a secret to any scanner.
DB_PASSWORD = 'Zq8v' + '2LmP9xTw4'
DB_URL = f'postgresql://app:{DB_PASSWORD}@db.internal:5432/prod'
AWS_KEY = 'AKIA' + 'Z2RJ7QWNPL4XT3VB'
REPO_ROOT = Path(__file__).resolve().parents[1]
URL_LINE = f'URL = "{DB_URL}"\n'
URL_COLUMN = URL_LINE.index(DB_PASSWORD) + 1  # findings point at the password itself


@pytest.fixture
def hooked(git_repo: Path) -> Path:
    """A repository with one clean commit and guard's standalone hooks installed."""
    write(git_repo, 'README.md', '# demo\n')
    git(git_repo, 'add', '.')
    git(git_repo, 'commit', '-q', '-m', 'init')
    proc = run_guard('install', git_repo)
    assert proc.returncode == 0, proc.stderr
    return git_repo


def commit(
    repo: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ['git', 'commit', '-q', '-m', 'change', *args],
        cwd=cwd or repo,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def committed(repo: Path) -> list[str]:
    return git(repo, 'log', '--format=%s').stdout.split()


def test_install_puts_both_shims_in_place_and_is_idempotent(git_repo: Path) -> None:
    proc = run_guard('install', git_repo)
    hooks = git_repo / '.git' / 'hooks'
    assert proc.returncode == 0
    assert proc.stdout == (f'guard: {hooks / "pre-commit"}: installed\nguard: {hooks / "pre-push"}: installed\n')
    for name in ('pre-commit', 'pre-push'):
        text = (hooks / name).read_text()
        assert os.access(hooks / name, os.X_OK)
        assert f'recorded_python={sys.executable}' in text
        folders = ':'.join(site_folders())
        assert sysconfig.get_paths()['purelib'] in folders.split(':')
        assert f'recorded_path={folders}' in text
        shipped = text.replace(f'recorded_python={sys.executable}', "recorded_python=''").replace(
            f'recorded_path={folders}', "recorded_path=''"
        )
        assert shipped == (REPO_ROOT / 'hooks' / name).read_text()
    again = run_guard('install', git_repo)
    assert again.stdout == (
        f"guard: {hooks / 'pre-commit'} is already guard's pre-commit hook\n"
        f"guard: {hooks / 'pre-push'} is already guard's pre-push hook\n"
    )


def with_recorded_path(repo: Path, folders: list[str]) -> None:
    """The installed pre-commit shim, as `guard install` writes it where site puts guard on a plain path
    (a non-editable install; this checkout's editable one needs site's import hook)."""
    hook = repo / '.git' / 'hooks' / 'pre-commit'
    lines = [
        f'recorded_path={":".join(folders)}' if line.startswith('recorded_path=') else line
        for line in hook.read_text().splitlines()
    ]
    hook.write_text('\n'.join(lines) + '\n')


def test_shim_runs_guard_without_site_from_the_recorded_folders(hooked: Path, tmp_path: Path) -> None:
    """-S: the guard on the recorded folders is the one that runs (here a stand-in that says so)."""
    stand_in = tmp_path / 'stand-in'
    (stand_in / 'guard' / 'cli').mkdir(parents=True)
    (stand_in / 'guard' / '__init__.py').write_text('')
    (stand_in / 'guard' / 'cli' / '__init__.py').write_text(
        'import sys\n\ndef hook_main():\n    print("stand-in", sys.flags.no_site, sys.argv[1:])\n    raise SystemExit(0)\n'
    )
    with_recorded_path(hooked, [str(stand_in), sysconfig.get_paths()['purelib']])
    write(hooked, 'app.py', URL_LINE)
    git(hooked, 'add', 'app.py')
    proc = subprocess.run(['git', 'commit', '-m', 'change'], cwd=hooked, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "stand-in 1 ['hook', 'pre-commit']" in proc.stdout + proc.stderr


@pytest.mark.parametrize('where', ['this checkout', 'a folder without guard'])
def test_shim_without_site_finds_the_secret(hooked: Path, tmp_path: Path, where: str) -> None:
    """From the recorded folders, or (when guard is not there any more) with site as before: same verdict."""
    folders = [str(REPO_ROOT)] if where == 'this checkout' else [str(tmp_path)]
    with_recorded_path(hooked, [*folders, sysconfig.get_paths()['purelib']])
    write(hooked, 'app.py', URL_LINE)
    git(hooked, 'add', 'app.py')
    proc = commit(hooked)
    assert proc.returncode == 1
    assert f'app.py:1:{URL_COLUMN}' in proc.stderr and DB_PASSWORD not in proc.stdout + proc.stderr


def test_install_honours_core_hooks_path(git_repo: Path) -> None:
    git(git_repo, 'config', 'core.hooksPath', '.githooks')
    proc = run_guard('install', git_repo / '.', '--hook', 'pre-commit')
    assert proc.returncode == 0, proc.stderr
    assert (git_repo / '.githooks' / 'pre-commit').is_file()
    assert not (git_repo / '.githooks' / 'pre-push').exists()
    assert not (git_repo / '.git' / 'hooks' / 'pre-commit').exists()
    write(git_repo, '.env', f'DATABASE_URL={DB_URL}\n')
    git(git_repo, 'add', '.env')
    assert commit(git_repo).returncode == 1


def test_an_existing_hook_is_never_overwritten_without_force(git_repo: Path) -> None:
    hook = git_repo / '.git' / 'hooks' / 'pre-commit'
    hook.write_text('#!/bin/sh\necho mine\n')
    proc = run_guard('install', git_repo)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"guard: error: {hook} already exists and is not guard's; rerun with --chain to keep it "
        '(it runs first) or with --force to replace it (it is kept as pre-commit.guard-backup)\n'
    )
    assert hook.read_text() == '#!/bin/sh\necho mine\n'
    assert not (hook.parent / 'pre-push').exists()  # nothing half-installed
    forced = run_guard('install', git_repo, '--force')
    assert forced.returncode == 0, forced.stderr
    assert (hook.parent / 'pre-commit.guard-backup').read_text() == '#!/bin/sh\necho mine\n'
    assert '# guard-hook-shim' in hook.read_text()


def test_chain_keeps_the_existing_hook_and_runs_it_first(hooked: Path) -> None:
    hooks = hooked / '.git' / 'hooks'
    (hooks / 'pre-commit').write_text('#!/bin/sh\necho ran >> "$(git rev-parse --show-toplevel)/.chained"\nexit 0\n')
    proc = run_guard('install', hooked, '--chain', '--hook', 'pre-commit')
    assert proc.returncode == 0, proc.stderr
    assert 'runs first, as pre-commit.local' in proc.stdout
    write(hooked, 'app.py', URL_LINE)
    git(hooked, 'add', 'app.py')
    assert commit(hooked).returncode == 1
    assert (hooked / '.chained').read_text() == 'ran\n'
    (hooks / 'pre-commit.local').write_text('#!/bin/sh\necho "local hook says no" >&2\nexit 7\n')
    refused = commit(hooked)
    assert refused.returncode == 1 and 'local hook says no' in refused.stderr and 'guard' not in refused.stderr


def test_install_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_guard('install', tmp_path)
    assert (
        proc.returncode == 2
        and proc.stderr == f'guard: error: {tmp_path}: not inside a git work tree (run `git init` first)\n'
    )


def test_env_file_with_a_database_password_is_refused_with_the_message(hooked: Path) -> None:
    env_text = f'DATABASE_URL={DB_URL}\n'
    write(hooked, '.env', env_text)
    git(hooked, 'add', '.env')
    proc = commit(hooked)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert f'.env:1:{env_text.index(DB_PASSWORD) + 1}: error database-url-password\n' in out
    assert '.env: error env-file\n' in out.splitlines(keepends=True)
    assert 'fix:   Remove the password from the URL' in out
    assert (
        'allow: add a comment `guard: allow database-url-password` on that line, or accept it with `guard baseline`'
        in out
    )
    # The env file holds a generated value (issue 15c finding 16): no skip is offered, `SKIP=guard` would commit it.
    assert out.rstrip().splitlines()[-2:] == [
        f'guard: 2 findings (2 error) in 1 file; scanned 1 file ({len(env_text)} B)',
        'commit blocked: .env may hold a credential (masked above) that no secret rule recognised; a skip would '
        'commit it. Move any credential out of the file (an environment variable, a secret store), then fix the '
        'findings above; a line with none may be allowed with a `guard: allow <rule>` comment.',
    ]
    assert DB_PASSWORD not in out
    assert committed(hooked) == ['init']


def test_root_venv_is_refused_and_told_how_to_unstage(hooked: Path) -> None:
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(hooked)], check=True)
    write(hooked, 'lib/python3.11/site-packages/pkg.py', 'x = 1\n')
    git(hooked, 'add', '-A')
    proc = commit(hooked)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert 'venv-root' in out and 'pyvenv.cfg' in out
    assert 'Add them to .gitignore and unstage them with `git rm -r --cached <entry>`' in out
    assert 'SKIP=guard-venv git commit' in out


def test_hardcoded_ip_in_config_json_is_refused(hooked: Path) -> None:
    write(hooked, 'config.json', '{"host": "192.168.86.42"}\n')
    git(hooked, 'add', 'config.json')
    proc = commit(hooked)
    assert proc.returncode == 1
    assert 'config.json:1:11: warning hardcoded-ipv4\n' in proc.stdout + proc.stderr
    assert 'SKIP=guard-hardcoded-ip git commit' in proc.stdout + proc.stderr


def test_clean_change_commits_silently(hooked: Path) -> None:
    write(hooked, 'app.py', 'import os\nURL = os.environ["DATABASE_URL"]\n')
    git(hooked, 'add', 'app.py')
    proc = commit(hooked)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', '')
    assert committed(hooked) == ['change', 'init']


def test_skip_one_concern_or_all_of_guard(hooked: Path) -> None:
    write(hooked, 'app.py', URL_LINE)
    write(hooked, 'config.json', '{"host": "192.168.86.42"}\n')
    git(hooked, 'add', '.')
    only_ip_left = commit(hooked, env={'SKIP': 'guard-secrets'})
    assert only_ip_left.returncode == 1
    assert 'hardcoded-ipv4' in only_ip_left.stdout + only_ip_left.stderr
    assert 'database-url-password' not in only_ip_left.stdout + only_ip_left.stderr
    assert commit(hooked, env={'SKIP': 'guard-secrets, guard-hardcoded-ip'}).returncode == 0
    write(hooked, 'more.py', f'KEY = "{AWS_KEY}"\n')
    git(hooked, 'add', '.')
    skipped = commit(hooked, env={'SKIP': 'guard'})
    assert skipped.returncode == 0 and 'guard: guard skipped (SKIP=guard)' in skipped.stdout + skipped.stderr


def test_staged_secret_deleted_from_the_working_file_still_blocks(hooked: Path) -> None:
    write(hooked, 'app.py', URL_LINE)
    git(hooked, 'add', 'app.py')
    write(hooked, 'app.py', 'URL = None\n')
    proc = commit(hooked)
    assert proc.returncode == 1 and f'app.py:1:{URL_COLUMN}: error database-url-password' in proc.stdout + proc.stderr


def test_secret_only_in_an_unstaged_change_does_not_block(hooked: Path) -> None:
    write(hooked, 'app.py', 'URL = None\n')
    git(hooked, 'add', 'app.py')
    write(hooked, 'app.py', URL_LINE)
    assert commit(hooked).returncode == 0
    assert git(hooked, 'show', 'HEAD:app.py').stdout == 'URL = None\n'


def test_commit_all_and_from_a_subdirectory_use_the_index_git_prepares(hooked: Path) -> None:
    write(hooked, 'pkg/app.py', 'URL = None\n')
    git(hooked, 'add', '.')
    assert commit(hooked).returncode == 0
    write(hooked, 'pkg/app.py', URL_LINE)  # tracked, modified, not staged: `commit -a` stages it
    proc = commit(hooked, '-a', cwd=hooked / 'pkg')
    assert (
        proc.returncode == 1 and f'pkg/app.py:1:{URL_COLUMN}: error database-url-password' in proc.stdout + proc.stderr
    )
    partial = commit(hooked, 'app.py', cwd=hooked / 'pkg')  # `git commit <path>`: a temporary index too
    assert partial.returncode == 1


def test_canary_a_known_staged_secret_is_reported_among_clean_files(hooked: Path) -> None:
    for i in range(9):
        write(hooked, f'src/mod{i}.py', f'def f{i}():\n    return {i}\n' * 50)
    write(hooked, 'src/settings.py', 'DEBUG = False\n' * 20 + f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n')
    git(hooked, 'add', '.')
    proc = run_guard('hook', 'pre-commit', cwd=hooked)
    assert proc.returncode == 1
    assert 'src/settings.py:21:22: error aws-access-key-id\n' in proc.stdout.splitlines(keepends=True)
    assert '    | AWS_ACCESS_KEY_ID = "AKIA********"' in proc.stdout
    assert 'scanned 10 files' in proc.stdout


def test_a_broken_config_blocks_with_exit_2_and_says_how(hooked: Path) -> None:
    write(hooked, 'guard.toml', 'fail-on = "loud"\n')
    write(hooked, 'app.py', 'x = 1\n')
    git(hooked, 'add', 'app.py')
    proc = commit(hooked)
    assert proc.returncode == 1  # git reports any failing hook as 1
    direct = run_guard('hook', 'pre-commit', cwd=hooked)
    assert direct.returncode == 2
    assert direct.stderr.splitlines() == [
        f"guard: error: {hooked / 'guard.toml'}: fail-on must be one of note, warning, error, got 'loud'",
        'guard: the guard hook could not run, so it blocked the commit; fix the error above, or skip it once '
        'with `SKIP=guard git commit …` (`git commit --no-verify` skips every hook)',
    ]


def with_origin(repo: Path, tmp_path: Path) -> Path:
    """A bare repository added as `repo`'s remote `origin`: where the pre-push tests push."""
    remote = tmp_path / 'remote.git'
    git(tmp_path, 'init', '-q', '--bare', str(remote))
    git(repo, 'remote', 'add', 'origin', str(remote))
    return remote


def test_pre_push_refuses_a_secret_committed_with_no_verify(hooked: Path, tmp_path: Path) -> None:
    remote = with_origin(hooked, tmp_path)
    assert git(hooked, 'push', '-q', 'origin', 'main', check=False).returncode == 0
    write(hooked, 'app.py', URL_LINE)
    git(hooked, 'add', 'app.py')
    assert commit(hooked, '--no-verify').returncode == 0
    leak = git(hooked, 'rev-parse', 'HEAD').stdout.strip()
    write(hooked, 'later.py', 'x = 1\n')
    git(hooked, 'add', 'later.py')
    assert commit(hooked).returncode == 0
    proc = git(hooked, 'push', 'origin', 'main', check=False)
    assert proc.returncode != 0
    assert f'{leak[:12]}:app.py:1:{URL_COLUMN}: error database-url-password' in proc.stdout + proc.stderr
    assert 'push blocked' in proc.stdout + proc.stderr and DB_PASSWORD not in proc.stdout + proc.stderr
    assert git(remote, 'rev-parse', 'main').stdout.strip() != git(hooked, 'rev-parse', 'HEAD').stdout.strip()
    new_branch = git(hooked, 'push', 'origin', 'main:topic', check=False)
    assert new_branch.returncode != 0 and 'push blocked' in new_branch.stdout + new_branch.stderr


def test_pre_push_refuses_a_ref_to_a_blob_or_a_tree(hooked: Path, tmp_path: Path) -> None:
    """Issue 15c finding 10: a ref may name a blob or a tree (`git push origin <blob>:refs/tags/x`), which
    no commit holds and a scan of commits never reads: the push fails closed. A tag of a commit still passes."""
    remote = with_origin(hooked, tmp_path)
    write(hooked, 'app.py', 'x = 1\n')
    git(hooked, 'add', 'app.py')
    assert commit(hooked).returncode == 0
    blob = git(hooked, 'hash-object', '-w', '--stdin', input_text=URL_LINE).stdout.strip()
    write(hooked, 'leak.py', URL_LINE)
    git(hooked, 'add', 'leak.py')
    tree = git(hooked, 'write-tree').stdout.strip()
    git(hooked, 'reset', '-q')
    git(hooked, 'tag', '-a', '-m', 'a tag of the blob', 'blobtag', blob)
    for name, target in (('b', blob), ('t', tree), ('blobtag', 'blobtag')):
        proc = git(hooked, 'push', 'origin', f'{target}:refs/tags/{name}', check=False)
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0 and 'push blocked' in out and 'names no commit' in out, out
        assert DB_PASSWORD not in out
    assert git(remote, 'tag').stdout.split() == []
    git(hooked, 'tag', '-a', '-m', 'release', 'v1')
    assert git(hooked, 'push', '-q', 'origin', 'main', 'v1', check=False).returncode == 0


def test_pre_push_lets_clean_pushes_and_deletions_through(hooked: Path, tmp_path: Path) -> None:
    remote = with_origin(hooked, tmp_path)
    write(hooked, 'app.py', 'x = 1\n')
    git(hooked, 'add', 'app.py')
    assert commit(hooked).returncode == 0
    assert git(hooked, 'push', '-q', 'origin', 'main', 'main:topic', check=False).returncode == 0
    assert git(hooked, 'push', '-q', 'origin', '--delete', 'topic', check=False).returncode == 0
    assert git(remote, 'for-each-ref', '--format=%(refname)').stdout.split() == ['refs/heads/main']


@pytest.mark.parametrize('form', ['{w}', 'origin/{w}', 'origin{w}', '{w}/origin'])
def test_pre_push_counts_only_the_target_remotes_refs_as_published(hooked: Path, tmp_path: Path, form: str) -> None:
    """A secret commit already on a fork's remote-tracking ref has never been on origin: pushing it
    there is blocked. Names under origin's (`origin/x`) or sharing its prefix must not pass for it."""
    fork = form.format(w='fork' + secrets.token_hex(3))
    origin_url, fork_url = tmp_path / 'origin.git', tmp_path / 'fork.git'
    for bare in (origin_url, fork_url):
        git(tmp_path, 'init', '-q', '--bare', str(bare))
    git(hooked, 'remote', 'add', 'origin', str(origin_url))
    git(hooked, 'remote', 'add', fork, str(fork_url))
    assert git(hooked, 'push', '-q', 'origin', 'main', check=False).returncode == 0
    git(hooked, 'checkout', '-q', '-b', 'feat')
    write(hooked, 'settings.py', URL_LINE)
    git(hooked, 'add', 'settings.py')
    assert commit(hooked, '--no-verify').returncode == 0
    assert git(hooked, 'push', '-q', '--no-verify', fork, 'feat', check=False).returncode == 0  # the fork has no guard
    git(hooked, 'fetch', '-q', fork)
    assert git(hooked, 'rev-parse', '--verify', '-q', f'refs/remotes/{fork}/feat', check=False).returncode == 0
    for target in ('origin', str(origin_url)):  # by name, and by URL (no remote name: no ref counts)
        proc = git(hooked, 'push', target, 'feat', check=False)
        assert proc.returncode != 0 and 'push blocked' in proc.stdout + proc.stderr, (target, proc.stderr)
        assert DB_PASSWORD not in proc.stdout + proc.stderr
    assert git(origin_url, 'for-each-ref', '--format=%(refname)').stdout.split() == ['refs/heads/main']
    # The remote that has the commit: published there, so a new branch of it passes.
    assert git(hooked, 'push', '-q', fork, 'feat:again', check=False).returncode == 0


@pytest.mark.parametrize(
    ('text', 'hinted'),
    [
        # Issue 15c finding 16: generated values under names guard does not read as a credential's.
        (
            'APP_ENV=production\nOTP_SEED={b32}\nSIGNING_SALT={alnum}\nSTRIPE={alnum2}\n'
            'WEBHOOK=https://hooks.internal/{alnum3}\n',
            False,
        ),
        ('APP_ENV=production\nDEBUG=1\nPORT=5432\n', True),  # plain settings: the skip commits no credential
    ],
)
def test_the_env_file_skip_hint_is_held_back_for_generated_values(hooked: Path, text: str, hinted: bool) -> None:
    alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

    def token(n: int, chars: str = alphabet) -> str:
        return ''.join(secrets.choice(chars) for _ in range(n))

    values = {'b32': token(32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), 'alnum': token(24)}
    values |= {'alnum2': token(24), 'alnum3': token(24)}
    write(hooked, '.env', text.format(**values))
    git(hooked, 'add', '.env')
    proc = commit(hooked)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and committed(hooked) == ['init']
    assert ('SKIP=guard-env-files' in out) is hinted, out
    assert not any(value in out for value in values.values())
