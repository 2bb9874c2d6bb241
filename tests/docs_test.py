"""The documentation site builds with warnings as errors, and the README's links into docs/ land on pages.

Sphinx with MyST reports a link to a page or heading that does not exist, a page no toctree lists and
a malformed heading as warnings; `-W --keep-going` makes each one fail the build (and lists them all).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_LINK = re.compile(r'\]\(([^)\s]+)\)')


def sphinx_build(docs: Path, out: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name('sphinx-build')
    if not tool.exists():
        pytest.fail(f'{tool} is missing: install the docs extra (scripts/bootstrap.sh --test)')
    return subprocess.run(
        [str(tool), '-W', '--keep-going', '-q', '-b', 'html', '-d', str(out / '.doctrees'), str(docs), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_site_builds_without_a_warning(tmp_path: Path) -> None:
    result = sphinx_build(ROOT / 'docs', tmp_path / 'html')
    assert result.returncode == 0, result.stderr
    built = {p.stem for p in (tmp_path / 'html').glob('*.html')}
    assert {p.stem for p in (ROOT / 'docs').glob('*.md')} <= built


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    """The build can fail: the same site with a link to a page that is not there."""
    docs = tmp_path / 'docs'
    shutil.copytree(ROOT / 'docs', docs, ignore=shutil.ignore_patterns('_build'))
    with (docs / 'scan.md').open('a', encoding='utf-8') as f:
        f.write('\nSee [the missing page](missing-page.md).\n')
    result = sphinx_build(docs, tmp_path / 'html')
    assert result.returncode != 0
    assert 'missing-page' in result.stderr


def test_the_readme_links_into_docs_land_on_pages() -> None:
    """GitHub shows the README, not the site: its relative links must name files that exist."""
    links = [
        link
        for link in _LINK.findall((ROOT / 'README.md').read_text(encoding='utf-8'))
        if '://' not in link and not link.startswith('#')
    ]
    assert [link for link in links if link.startswith('docs/')], 'the README links to the docs'
    missing = [link for link in links if not (ROOT / link.split('#', 1)[0]).exists()]
    assert missing == []


def test_the_readme_stays_short() -> None:
    assert len((ROOT / 'README.md').read_text(encoding='utf-8').splitlines()) <= 250
