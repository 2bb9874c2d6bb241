"""Nothing kept between runs decides what guard detects: no startup cache, no private `re` internals
that compile or run a pattern.

guard once kept compiled regex programs in ~/.cache/guard and rebuilt patterns from them with the
private `_sre.compile` (issue 10): a planted program switched detection off, a damaged one crashed
the interpreter. Rules now compile from their source in every run.
"""

from __future__ import annotations

import _sre  # only to name the old cache file exactly as guard used to (guard itself never imports it)
import ast
import json
import os
import sys
from pathlib import Path

import pytest
from support import git
from support import run_guard
from support import write

import guard
from guard.rules.secrets.fakes import ALNUM_UPPER
from guard.rules.secrets.fakes import fake

GUARD_PACKAGE = Path(guard.__file__).resolve().parent
# Private parts of the regex engine: their layout changes between Python versions.
PRIVATE_MODULES = {
    '_sre',
    'sre_compile',
    'sre_parse',
    'sre_constants',
    're._compiler',
    're._parser',
    're._constants',
    're._casefix',
}
OLD_CACHE_NAME = f'startup-{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre.MAGIC}.marshal'


def private_uses(path: Path) -> list[str]:
    """Imports of the private modules, and `re._name` attribute reads, in one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in PRIVATE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [
                f'{node.module}.{a.name}'
                for a in node.names
                if node.module in PRIVATE_MODULES or f'{node.module}.{a.name}' in PRIVATE_MODULES
            ]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == 're'
            and node.attr.startswith('_')
        ):
            found.append(f're.{node.attr}')
    return found


# One reader of re's parse tree, for analysis only: rules/shape.py reads how far a match can reach
# from the tree `re._parser` builds (the parser `re.compile` itself runs); nothing is compiled or run
# from it, and any surprise there means "search the whole text" (tests/shape_test.py).
ANALYSIS_ONLY = {'rules/shape.py': ['re._constants', 're._parser']}


def test_guard_uses_no_private_regex_internals() -> None:
    sources = sorted(GUARD_PACKAGE.rglob('*.py'))
    assert len(sources) > 50  # the whole package was looked at
    uses = {str(p.relative_to(GUARD_PACKAGE)): found for p in sources if (found := private_uses(p))}
    assert uses == ANALYSIS_ONLY


def test_the_inspection_would_see_a_private_use(tmp_path: Path) -> None:
    sample = tmp_path / 'sample.py'
    sample.write_text('import _sre\nfrom re import _parser\nimport re\nre._compile("x", 0)\n')
    assert private_uses(sample) == ['_sre', 're._parser', 're._compile']


@pytest.fixture
def leaky_repo(git_repo: Path) -> tuple[Path, str]:
    key = fake('AKIA', (ALNUM_UPPER, 16))
    write(git_repo, 'deploy.py', f'AWS_ACCESS_KEY_ID = "{key}"\n')
    git(git_repo, 'add', 'deploy.py')
    return git_repo, key


def findings(repo: Path, env: dict[str, str]) -> list[tuple[str, str, int]]:
    proc = run_guard('scan', repo, '--format', 'json', env=env)
    assert proc.returncode == 1, proc.stderr
    return [(f['path'], f['rule'], f['line']) for f in json.loads(proc.stdout)['findings']]


def test_an_old_cache_file_is_never_opened_and_changes_nothing(leaky_repo: tuple[Path, str], tmp_path: Path) -> None:
    repo, _ = leaky_repo
    expected = findings(repo, {'XDG_CACHE_HOME': str(tmp_path / 'empty')})
    assert ('deploy.py', 'aws-access-key-id', 1) in expected
    # Where the old cache lived, a FIFO under its exact name: opening it for reading would block
    # until a writer comes (none does), so run_guard's timeout would fail this test.
    planted = []
    for folder in (tmp_path / 'xdg' / 'guard', tmp_path / 'guard-cache-dir'):
        folder.mkdir(parents=True)
        os.mkfifo(folder / OLD_CACHE_NAME)
        planted.append(folder)
    env = {
        'XDG_CACHE_HOME': str(tmp_path / 'xdg'),
        'GUARD_CACHE_DIR': str(tmp_path / 'guard-cache-dir'),
        'GUARD_STARTUP_CACHE': '1',
    }
    assert findings(repo, env) == expected
    for folder in planted:
        assert [p.name for p in folder.iterdir()] == [OLD_CACHE_NAME]  # nothing written beside it


def test_the_commit_hook_writes_nothing_to_the_cache_folder(leaky_repo: tuple[Path, str], tmp_path: Path) -> None:
    repo, key = leaky_repo
    cache = tmp_path / 'xdg'
    cache.mkdir()
    proc = run_guard('hook', 'pre-commit', cwd=repo, env={'XDG_CACHE_HOME': str(cache)})
    assert proc.returncode == 1 and 'aws-access-key-id' in proc.stdout and key not in proc.stdout
    assert list(cache.iterdir()) == []
