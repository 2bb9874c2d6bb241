"""The compiled-pattern cache: what it builds is what re.compile builds, and a bad file never matters."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from guard.rules import CONTENT_RULES
from guard.rules import shape
from guard.rules.secrets.folded import CaseFoldedRule
from guard.scan import startup_cache

# Every pattern the rules compile (and the case-folded copies those rules search with).
PATTERNS = sorted({(r.pattern, r.flags) for r in CONTENT_RULES}
                  | {(r.pattern.removeprefix('(?i)'), r.flags) for r in CONTENT_RULES if isinstance(r, CaseFoldedRule)})
SAMPLE = '\n'.join(example for r in CONTENT_RULES for example in (*r.examples_bad, *r.examples_good))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv('GUARD_CACHE_DIR', str(tmp_path / 'cache'))
    monkeypatch.setattr(startup_cache, '_STORE', startup_cache._Store())
    return tmp_path / 'cache'


def _run_compiling(code: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter: the cache is read at first use and written at exit, once per process."""
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True, env=os.environ)


def test_patterns_built_from_the_cache_equal_re_compile(cache_dir: Path) -> None:
    compile_all = ('from guard.scan import startup_cache\n'
                   f'for p, f in {PATTERNS!r}:\n'
                   '    startup_cache.compile(p, f)\n')
    _run_compiling(compile_all)
    assert Path(startup_cache.path()).is_file()
    entries = startup_cache._STORE.load()
    assert entries is not None and {(p, f) for _, p, f in entries} >= set(PATTERNS)
    for pattern, flags in PATTERNS:
        cached = startup_cache.compile(pattern, flags)
        fresh = re.compile(pattern, flags)
        assert (cached.pattern, cached.flags, cached.groups, cached.groupindex) == \
               (fresh.pattern, fresh.flags, fresh.groups, fresh.groupindex)
        assert [m.span() for m in cached.finditer(SAMPLE)] == [m.span() for m in fresh.finditer(SAMPLE)]
    assert not startup_cache._STORE.added  # everything came from the file


def test_a_second_run_reads_what_the_first_wrote(cache_dir: Path) -> None:
    probe = ('from guard.scan import startup_cache\n'
             'entries = startup_cache._STORE.load()\n'
             'print(("sre", "a+b", 0) in entries)\n'
             'startup_cache.compile("a+b")\n')
    assert _run_compiling(probe).stdout == 'False\n'
    assert _run_compiling(probe).stdout == 'True\n'


@pytest.mark.parametrize('pattern', [r'key[ \t]*=[ \t]*(?P<value>\w{8,})(?=[ \t]*\n)', r'(?s)begin.*end'])
def test_reach_is_kept_with_the_patterns(cache_dir: Path, pattern: str) -> None:
    assert shape.cached_reach(pattern) == shape.reach(pattern)
    startup_cache.save()
    startup_cache._STORE = startup_cache._Store()
    expected = shape.reach(pattern)
    assert startup_cache._STORE.load()[('reach', pattern, 0)] == (None if expected is None else tuple(expected))  # type: ignore[index]
    assert shape.cached_reach(pattern) == shape.reach(pattern)


@pytest.mark.parametrize('content', [b'', b'not marshal', b'\x00' * 64])
def test_a_damaged_file_is_ignored_and_replaced(cache_dir: Path, content: bytes) -> None:
    cache_dir.mkdir()
    Path(startup_cache.path()).write_bytes(content)
    assert startup_cache.compile(r'\d+').findall('a1b22') == ['1', '22']
    startup_cache.save()
    assert startup_cache._read(startup_cache.path())  # rewritten with the good entry


def test_code_that_sre_refuses_falls_back_to_compiling(cache_dir: Path) -> None:
    entries = startup_cache._STORE.load()
    assert entries is not None
    entries[('sre', r'\d+', 0)] = (0, [999, 999, 999], 0, {}, (None,))  # not valid SRE code
    assert startup_cache.compile(r'\d+').findall('a1b22') == ['1', '22']
    assert entries[('sre', r'\d+', 0)][1] != [999, 999, 999]


def test_a_bad_pattern_still_raises_re_error(cache_dir: Path) -> None:
    with pytest.raises(re.error):
        startup_cache.compile('(unclosed')


def test_turned_off_it_neither_reads_nor_writes(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GUARD_STARTUP_CACHE', '0')
    assert startup_cache.compile('x+').match('xx')
    startup_cache.save()
    assert not cache_dir.exists()


def test_an_unwritable_cache_dir_costs_only_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / 'file'
    blocker.write_text('')
    monkeypatch.setenv('GUARD_CACHE_DIR', str(blocker / 'cache'))  # a folder under a file: never creatable
    monkeypatch.setattr(startup_cache, '_STORE', startup_cache._Store())
    assert startup_cache.compile('y+').match('yy')
    startup_cache.save()  # no exception
    assert not list(tmp_path.glob('**/*.tmp'))


def test_a_value_marshal_cannot_store_is_computed_every_time(cache_dir: Path) -> None:
    import datetime

    calls = []

    def compute() -> object:
        calls.append(1)
        return {'when': datetime.date(2026, 11, 21)}

    assert startup_cache.derived('toml', 'when = 2026-11-21', 0, compute) == {'when': datetime.date(2026, 11, 21)}
    assert startup_cache.derived('toml', 'when = 2026-11-21', 0, compute) == {'when': datetime.date(2026, 11, 21)}
    assert len(calls) == 2
    startup_cache.save()  # and the rest of the cache is still written
    assert startup_cache.derived('x', 'y', 0, lambda: (1, 'z')) == (1, 'z')


def test_a_configured_project_reads_its_settings_and_excludes_without_tomllib_or_pathspec(cache_dir: Path,
                                                                                          tmp_path: Path) -> None:
    """The second commit of a project with [tool.guard] pays neither tomllib (~10 ms) nor pathspec (~30 ms)."""
    project = tmp_path / 'project'
    project.mkdir()
    (project / 'pyproject.toml').write_text('[tool.guard]\nfail-on = "error"\nexclude = ["docs/", "!docs/keep.md"]\n')
    probe = ('import sys\n'
             'from guard.scan import allowlist\nfrom guard import config\n'
             'c = config.load(sys.argv[1], environ={})\n'
             'f = allowlist.PathFilter(c.exclude)\n'
             'print(c.fail_on, f.excluded("docs/a.md"), f.excluded("docs/keep.md"), f.excluded("src/docs/b.md"), '
             'f.excluded("src/a.py"), sorted(m for m in ("tomllib", "pathspec") if m in sys.modules))\n')
    run = [sys.executable, '-c', probe, str(project)]
    cold = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    warm = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert cold == "error True False True False ['pathspec', 'tomllib']\n"
    assert warm == 'error True False True False []\n'
    (project / 'pyproject.toml').write_text('[tool.guard]\nfail-on = "note"\nexclude = ["docs/"]\n')
    changed = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert changed == "note True True True False ['tomllib']\n"  # a new text is parsed; known patterns are not


@pytest.mark.parametrize('settings', [
    '[tool.guard.health]\ndb-url = "postgresql://app:{password}@db.internal/prod"\n',
    '[tool.guard]\nfail-on = "error"\n[tool.guard.alerts]\nwebhook = "https://hooks.example.invalid/{password}"\n',
    '[tool.other]\nconnect = "postgresql://app:{password}@db.internal/prod"\n[tool.guard]\nfail-on = "error"\n',
])
def test_a_settings_file_holding_a_credential_is_never_written_to_the_cache(cache_dir: Path, tmp_path: Path,
                                                                           settings: str) -> None:
    from guard import config

    password = 'Qz8' + 'vR2mK7wL4pN9'  # built at run time, so this file holds no secret-shaped literal
    project = tmp_path / 'project'
    project.mkdir()
    (project / 'pyproject.toml').write_text(settings.format(password=password))
    config.load(project, environ={})
    startup_cache.save()
    written = Path(startup_cache.path()).read_bytes() if Path(startup_cache.path()).exists() else b''
    assert password.encode() not in written
    entries = startup_cache._read(startup_cache.path())
    assert not [key for key in entries if key[0] == 'toml']


def test_a_settings_file_without_credentials_is_cached(cache_dir: Path, tmp_path: Path) -> None:
    from guard import config

    project = tmp_path / 'project'
    project.mkdir()
    (project / 'pyproject.toml').write_text('[tool.guard]\nfail-on = "error"\nexclude = ["docs/"]\n')
    assert config.load(project, environ={}).fail_on == 'error'
    startup_cache.save()
    assert [key for key in startup_cache._read(startup_cache.path()) if key[0] == 'toml']
