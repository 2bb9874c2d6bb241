"""Every hook id in .pre-commit-hooks.yaml is a working console script, runs only its concern, and is documented."""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pre_commit.clientlib import load_manifest
from support import git
from support import write

from guard.hooks import MODULES

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = load_manifest(str(REPO_ROOT / '.pre-commit-hooks.yaml'))  # pre-commit's own schema check
SCRIPTS = tomllib.loads((REPO_ROOT / 'pyproject.toml').read_text())['project']['scripts']
BIN = Path(sys.executable).parent
# Assembled at run time so this file is not itself a secret to any scanner.
DB_URL = 'postgresql://app:' + 'Zq8v2LmP9xTw4' + '@db.internal:5432/prod'

# hook id -> (a staged file only its concern flags, the rule that must fire)
CANARIES = {
    'guard': ({'app.py': f'URL = "{DB_URL}"\n'}, 'database-url-password'),
    'guard-venv': (
        {'tools/venv/pyvenv.cfg': 'home = /usr/bin\n', 'tools/venv/bin/activate': '# venv\n'},
        'venv-committed',
    ),
    'guard-secrets': ({'app.py': f'URL = "{DB_URL}"\n'}, 'database-url-password'),
    'guard-env-files': ({'.env': 'DEBUG=1\n'}, 'env-file'),
    'guard-hardcoded-ip': (
        {'config.json': '{"host": "192.168.86.42"}\n', 'run.sh': 'cd /home/alice/proj\n'},
        'hardcoded-ipv4',
    ),
}


def test_manifest_ids_are_the_documented_set() -> None:
    assert [hook['id'] for hook in MANIFEST] == list(CANARIES)


@pytest.mark.parametrize('hook', MANIFEST, ids=lambda h: h['id'])
def test_entry_is_a_console_script_of_this_package(hook: dict) -> None:  # type: ignore[type-arg]
    script = shlex.split(hook['entry'])[0]
    assert script in SCRIPTS
    assert (BIN / script).is_file(), f'{script} is not installed: reinstall guard (pip install -e .)'
    points = {
        ep.name: ep
        for ep in importlib.metadata.entry_points(group='console_scripts')
        if ep.dist and ep.dist.name == 'guard'
    }
    assert callable(points[script].load())
    assert hook['language'] == 'python' and hook['pass_filenames'] and hook['require_serial']
    if hook['id'] != 'guard':
        assert script == hook['id']  # one console script per concern, named as its hook id


def command_for(hook_id: str) -> list[str]:
    """The manifest entry as pre-commit runs it, with the console script from this environment."""
    argv = shlex.split(next(h['entry'] for h in MANIFEST if h['id'] == hook_id))
    return [str(BIN / argv[0]), *argv[1:]]


def stage(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        write(repo, rel, text)
    git(repo, 'add', '-A')


@pytest.mark.parametrize('hook_id', list(CANARIES))
def test_entry_blocks_its_canary_and_passes_a_clean_file(git_repo: Path, hook_id: str) -> None:
    files, rule = CANARIES[hook_id]
    stage(git_repo, {**files, 'clean.py': 'x = 1\n'})
    proc = subprocess.run(
        [*command_for(hook_id), *files, 'clean.py'], cwd=git_repo, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f' {rule}\n' in proc.stdout  # the finding's line: path:line:col severity rule
    assert f'SKIP={hook_id} git commit' in proc.stdout or hook_id == 'guard'
    clean = subprocess.run(
        [*command_for(hook_id), 'clean.py'], cwd=git_repo, capture_output=True, text=True, timeout=120
    )
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, '', '')


@pytest.mark.parametrize('hook_id', [h for h in CANARIES if h != 'guard'])
def test_a_concern_hook_ignores_the_other_concerns(git_repo: Path, hook_id: str) -> None:
    foreign = {
        rel: text
        for other, (files, _) in CANARIES.items()
        if other not in ('guard', hook_id)
        for rel, text in files.items()
    }
    stage(git_repo, foreign)
    proc = subprocess.run([*command_for(hook_id), *foreign], cwd=git_repo, capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, ''), f'{hook_id} reported another concern'
    everything = subprocess.run(
        [*command_for('guard'), *foreign], cwd=git_repo, capture_output=True, text=True, timeout=120
    )
    assert everything.returncode == 1  # the same files do hold findings


@pytest.mark.parametrize('hook_id', sorted(MODULES))
def test_every_hook_module_is_a_thin_main(hook_id: str) -> None:
    module = importlib.import_module(MODULES[hook_id])
    assert callable(module.main)
    source = Path(module.__file__).read_text()  # type: ignore[arg-type]
    assert len(source.splitlines()) <= 30
    assert source.rstrip().endswith("if __name__ == '__main__':\n    raise SystemExit(main())")


def test_every_hook_id_is_documented_in_the_readme_and_the_docs() -> None:
    readme = (REPO_ROOT / 'README.md').read_text()
    match = re.search(r'^### Hooks.*?\n(.*?)(?=^##+ |\Z)', readme, re.M | re.S)
    assert match, 'README.md has no "### Hooks" quick start'
    page = (REPO_ROOT / 'docs' / 'hooks.md').read_text()
    for hook in MANIFEST:
        assert f'`{hook["id"]}`' in match[1], f'{hook["id"]} is not documented in README.md ### Hooks'
        assert f'`{hook["id"]}`' in page, f'{hook["id"]} is not documented in docs/hooks.md'
    for word in ('guard install', '--chain', '--force', 'core.hooksPath', 'pre-push', 'SKIP='):
        assert word in page


@pytest.mark.parametrize('name', ['pre-commit', 'pre-push'])
def test_shims_are_posix_sh_that_exec_guard(name: str) -> None:
    shim = REPO_ROOT / 'hooks' / name
    assert subprocess.run(['sh', '-n', str(shim)]).returncode == 0
    text = shim.read_text()
    assert text.startswith('#!/bin/sh\n') and f'\nhook={name}\n' in text
    assert 'exec guard hook "$hook" "$@"' in text and '-P -c "$main" hook "$hook" "$@"' in text
