"""The layers are enforced, not described: lint-imports checks every import (function-level ones too)
against the contract in pyproject.toml, and the docs' and the README's layer lists must be that contract."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Backticked module names in a layer's line: `cli/`, `hooks/`, `errors` …
_NAME = re.compile(r'`([a-z_]+)/?`')


def contract_layers() -> list[frozenset[str]]:
    """The layers contract's layers, lowest first, each as the set of its modules."""
    project = tomllib.loads((ROOT / 'pyproject.toml').read_text(encoding='utf-8'))
    [layers] = [c['layers'] for c in project['tool']['importlinter']['contracts'] if c['type'] == 'layers']
    return [frozenset(re.split(r'\s*[:|]\s*', layer.strip())) for layer in reversed(layers)]


def documented_layers(path: Path, heading: str) -> list[frozenset[str]]:
    """The numbered list under `heading` in a Markdown page: one item a layer, lowest first."""
    text = path.read_text(encoding='utf-8')
    start = re.search(rf'^#+ {re.escape(heading)}\s*$', text, re.MULTILINE)
    assert start, f'{path.name} has no "{heading}" heading'
    section = re.split(r'^#+ ', text[start.end() :], maxsplit=1, flags=re.MULTILINE)[0]
    items = re.findall(r'^\d+\. (.*)$', section, re.MULTILINE)
    return [frozenset(_NAME.findall(item.split(':', 1)[0].split(' — ', 1)[0])) for item in items]


def lint_imports() -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name('lint-imports')
    if not tool.exists():
        pytest.fail(f'{tool} is missing: install the test extra (scripts/bootstrap.sh --test)')
    return subprocess.run([str(tool), '--no-cache'], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_every_import_keeps_to_the_layers() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Contracts: 1 kept, 0 broken.' in result.stdout


def test_every_module_of_guard_is_in_a_layer() -> None:
    """The contract is exhaustive: a new top-level module fails lint-imports until it is placed."""
    placed = set().union(*contract_layers())
    modules = {p.stem for p in (ROOT / 'guard').glob('*.py')} | {
        p.parent.name for p in (ROOT / 'guard').glob('*/__init__.py')
    }
    assert modules - {'__init__', '__main__'} == placed


@pytest.mark.parametrize(('page', 'heading'), [('docs/architecture.md', 'Layers'), ('README.md', 'Architecture')])
def test_the_docs_list_the_contract_layers(page: str, heading: str) -> None:
    assert documented_layers(ROOT / page, heading) == contract_layers()


def test_a_lazy_import_upwards_breaks_the_contract(tmp_path: Path) -> None:
    """The check can fail: a copy of guard where a module of a lower layer imports one of a higher
    layer inside a function (the way a break hides best) no longer passes."""
    import random
    import shutil

    shutil.copytree(ROOT / 'guard', tmp_path / 'guard', ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copy(ROOT / 'pyproject.toml', tmp_path)
    layers = contract_layers()
    pick = random.Random()
    low = pick.randrange(len(layers) - 1)
    lower = pick.choice(sorted(layers[low]))
    upper = pick.choice(sorted(layers[pick.randrange(low + 1, len(layers))]))
    target = tmp_path / 'guard' / lower
    source = target / '__init__.py' if target.is_dir() else target.with_suffix('.py')
    with source.open('a', encoding='utf-8') as f:
        f.write(f'\n\ndef _upwards() -> None:\n    import guard.{upper}  # noqa: F401\n')
    tool = Path(sys.executable).with_name('lint-imports')
    result = subprocess.run(
        [str(tool), '--no-cache'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={'PYTHONPATH': str(tmp_path), 'PATH': '/usr/bin:/bin'},
    )
    assert result.returncode == 1, (lower, upper, result.stdout + result.stderr)
    assert f'guard.{lower} is not allowed to import guard.{upper}' in result.stdout
