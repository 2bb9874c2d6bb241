"""The venv rule on real environments and on real projects whose bin/, include/ and lib/ are their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import write

from guard.rules.trees import DiskTree
from guard.rules.trees import PathListTree
from guard.rules.venv import detect_nested_venvs
from guard.rules.venv import detect_root_venv

PY = f'python{sys.version_info.major}.{sys.version_info.minor}'


def make_venv(where: Path) -> None:
    # --without-pip keeps it fast; the layout (pyvenv.cfg, bin/activate, python links, lib64) is the same.
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(where)], check=True)


def detect(root: Path):  # type: ignore[no-untyped-def]
    return detect_root_venv(DiskTree(root), root_path=str(root))


def test_real_venv_in_root_is_found_with_all_its_entries(tmp_path: Path) -> None:
    make_venv(tmp_path)
    write(tmp_path, 'app.py', 'print(1)\n')
    finding = detect(tmp_path)
    assert finding is not None
    assert finding.rule == 'venv-root' and finding.line is None
    assert set(finding.entries) == {'bin', 'include', 'lib', 'pyvenv.cfg'} | (
        {'lib64'} if (tmp_path / 'lib64').exists() else set()
    )
    assert 'pyvenv.cfg' in finding.message and f'lib/{PY}/site-packages' in finding.message
    assert 'app.py' not in finding.entries


def test_venv_mixed_with_project_scripts_names_only_its_own_bin_entries(tmp_path: Path) -> None:
    write(tmp_path, 'bin/deploy.sh', '#!/bin/sh\necho deploy\n')
    write(tmp_path, 'bin/manage', '#!/usr/bin/env python3\nprint("manage")\n')
    make_venv(tmp_path)
    # A console script pip would write for this environment: its shebang names the venv's python.
    write(tmp_path, 'bin/pytest', f'#!{tmp_path}/bin/python\nimport sys\n')
    finding = detect(tmp_path)
    assert finding is not None
    assert 'bin' not in finding.entries
    assert {'bin/activate', 'bin/python', 'bin/pytest', 'pyvenv.cfg'} <= set(finding.entries)
    assert 'bin/deploy.sh' not in finding.entries and 'bin/manage' not in finding.entries
    assert 'bin/deploy.sh' in finding.message and 'bin/manage' in finding.message  # said to be kept


def test_partial_leftover_without_activate_is_found(tmp_path: Path) -> None:
    write(tmp_path, 'pyvenv.cfg', 'home = /usr/bin\n')
    write(tmp_path, f'lib/{PY}/site-packages/six.py', '')
    finding = detect(tmp_path)
    assert finding is not None
    assert set(finding.entries) == {'lib', 'pyvenv.cfg'}


def test_site_packages_alone_is_found(tmp_path: Path) -> None:
    write(tmp_path, 'lib/python3.9/site-packages/requests/__init__.py', '')
    finding = detect(tmp_path)
    assert finding is not None and finding.entries == ('lib',)


@pytest.mark.parametrize(
    'layout',
    [
        {'bin/deploy.sh': '#!/bin/sh\n', 'bin/run': '#!/usr/bin/env python3\n', 'src/app.py': ''},  # project scripts
        {'include/mylib.h': '#pragma once\n', 'src/mylib.c': 'int x;\n', 'Makefile': 'all:\n'},  # C project
        {'lib/index.js': 'module.exports = 1\n', 'package.json': '{}\n'},  # JS project
        {'include/python3.11/custom.h': '', 'src/ext.c': ''},  # one weak hint only
        {'README.md': '# nothing here\n'},
    ],
)
def test_legit_projects_are_not_venvs(tmp_path: Path, layout: dict[str, str]) -> None:
    for rel, content in layout.items():
        write(tmp_path, rel, content)
    assert detect(tmp_path) is None


def test_venv_in_its_own_subfolder_is_not_root_pollution(tmp_path: Path) -> None:
    make_venv(tmp_path / '.venv')
    make_venv(tmp_path / 'venv')
    assert detect(tmp_path) is None


def test_windows_layout(tmp_path: Path) -> None:
    for rel in ('pyvenv.cfg', 'Scripts/activate.bat', 'Scripts/python.exe', 'Lib/site-packages/x.py'):
        write(tmp_path, rel, '')
    finding = detect(tmp_path)
    assert finding is not None
    assert set(finding.entries) == {'Lib', 'Scripts', 'pyvenv.cfg'}


def test_conda_env(tmp_path: Path) -> None:
    write(tmp_path, 'conda-meta/history', '==> 2024-01-01 <==\n')
    write(tmp_path, 'bin/python3.11', '')
    finding = detect(tmp_path)
    assert finding is not None and 'conda-meta' in finding.entries


def test_lib64_link_and_include_are_two_weak_hints(tmp_path: Path) -> None:
    (tmp_path / 'lib').mkdir()
    os.symlink('lib', tmp_path / 'lib64')
    (tmp_path / 'include' / 'python3.11').mkdir(parents=True)
    finding = detect(tmp_path)
    assert finding is not None and set(finding.entries) == {'include', 'lib64'}


def test_staged_paths_tree_finds_root_venv_and_says_how_to_unstage() -> None:
    tree = PathListTree(['pyvenv.cfg', 'bin/activate', f'lib/{PY}/site-packages/six.py', 'app.py'])
    finding = detect_root_venv(tree, staged=True)
    assert finding is not None
    assert 'git rm -r --cached' in finding.fix
    assert set(finding.entries) == {'bin', 'lib', 'pyvenv.cfg'}


def test_nested_committed_venvs_one_finding_each() -> None:
    paths = [
        'venv/pyvenv.cfg',
        'venv/bin/activate',
        f'venv/lib/{PY}/site-packages/a.py',
        'tools/env/lib/python3.9/site-packages/b.py',
        'tools/env/bin/python3',
        'src/app.py',
        'bin/activate-tool-docs.md',
        'docs/bin/activate-tool-docs.md',
    ]
    findings = detect_nested_venvs(paths)
    assert [f.path for f in findings] == ['tools/env/', 'venv/']
    assert all(f.rule == 'venv-committed' and 'git rm -r --cached' in f.fix for f in findings)


@pytest.mark.parametrize(
    'extra',
    [
        'pyvenv.cfg',
        'bin/activate',
        'Scripts/activate.bat',
        'bin/python3.11',
        'Scripts/python.exe',
        'conda-meta/history',
    ],
)
def test_a_fixture_mimicking_site_packages_is_no_venv_until_it_holds_what_only_an_environment_has(extra: str) -> None:
    """setuptools-style fixtures hold `lib/python2.5/site-packages/` alone: that layout proves nothing."""
    fixture = [
        'tests/fixtures/lib/python2.5/site-packages/pkg/__init__.py',
        'tests/fixtures/lib/python2.5/site-packages/x.pth',
    ]
    assert detect_nested_venvs(fixture) == []
    assert [f.path for f in detect_nested_venvs([*fixture, f'tests/fixtures/{extra}'])] == ['tests/fixtures/']
