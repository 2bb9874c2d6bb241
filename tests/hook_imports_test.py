"""The commit hook's import discipline: a clean commit loads none of the modules that make start-up slow.

Not a timing test (bench/hook_bench.py measures the speed): it checks *what* the hook imports, which
is what the speed depends on (issue 3: a clean commit costs little more than Python's start-up).
Each case is a real git repository with staged files, and the hook run in a fresh interpreter as
git or pre-commit runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from support import git
from support import write

import guard
from guard.rules.secrets.fakes import ALNUM_UPPER
from guard.rules.secrets.fakes import fake

# Modules costly to import (1-10 ms each here) and heavy libraries: a clean commit must load none of them.
HEAVY = (
    'dataclasses',
    'typing',
    'pathlib',
    'subprocess',
    'tomllib',
    'hashlib',
    'json',
    'random',
    'string',
    'base64',
    'ipaddress',
    'inspect',
    'argparse',
    'locale',
    'tempfile',
    'shutil',
    'threading',
    'multiprocessing',
    'sqlalchemy',
    'git',
    'watchdog',
    'pathspec',
    # Nothing to match or fingerprint on a clean commit: no baseline, salt or scrypt (hashlib above).
    'guard.scan.baseline',
    'guard.scan.fingerprints',
    # The masker (default-deny excerpts, then the scrubber) runs on findings only.
    'guard.excerpt',
    'guard.redact',
)
# Loaded by every hook that scans: if these are missing, the hook did not get as far as the rules.
SCANNED = ('guard.rules', 'guard.scan.staged')

# Harmless code that still says password, token and api_key, and holds an IP-shaped version string, so
# the rules' keyword prefilter fires and the candidates go through the rules and their filters.
CLEAN_FILES = {
    'src/app/settings.py': (
        '"""Settings come from the environment: no password, token or api_key is ever written here."""\n'
        'import os\n'
        '\n'
        "__version__ = '1.4.2.7'\n"
        'PASSWORD_MIN_LENGTH = 12\n'
        "TOKEN_URL = 'https://auth.example.com/oauth/token'\n"
        '\n'
        '\n'
        'def database_password() -> str:\n'
        "    return os.environ['APP_DB_PASSWORD']\n"
        '\n'
        '\n'
        'def api_key(service: str) -> str:\n'
        "    token = os.environ.get(f'{service.upper()}_API_KEY', '')\n"
        '    if not token:\n'
        "        raise KeyError(f'set {service.upper()}_API_KEY')\n"
        '    return token\n'
    ),
    'src/app/auth.py': (
        'def check(password: str, password_hash: str, hasher) -> bool:\n'
        '    """Compare a password with its stored hash; the token is refreshed by the caller."""\n'
        '    return hasher.verify(password_hash, password)\n'
        '\n'
        '\n'
        'def redact(api_key: str) -> str:\n'
        "    return api_key[:4] + '…' if api_key else ''\n"
    ),
    'README.md': '# app\n\nSet `APP_DB_PASSWORD` and `<SERVICE>_API_KEY` before starting; tokens expire hourly.\n',
    'requirements.txt': 'requests==2.31.0\nurllib3==2.2.1\n',
}

# Assembled at run time (seeded, so stable) so this file is not itself a secret to any scanner.
AWS_KEY = fake('AKIA', (ALNUM_UPPER, 16))
LEAKY_PATH = 'src/app/deploy.py'
LEAKY_FILE = f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'

# Each entry as a real user's process calls it: the standalone shim runs `python -m guard hook
# pre-commit`; pre-commit's `guard` hook runs `guard hook guard FILES`; the `guard-secrets` console
# script calls guard.hooks.secrets.main. FILES stands for the staged file names pre-commit passes.
ENTRIES = {
    'standalone pre-commit': "from guard.cli import main; rc = main(['hook', 'pre-commit'])",
    'framework `guard hook guard FILES`': "from guard.cli import main; rc = main(['hook', 'guard', *FILES])",
    'framework `guard-secrets FILES`': 'from guard.hooks.secrets import main; rc = main(FILES)',
}


def run_entry(repo: Path, entry: str, files: list[str]) -> tuple[int, list[str], list[str], str]:
    """(exit code, heavy modules loaded and helper patterns compiled, SCANNED modules missing, the hook's own
    output) of one hook run."""
    # The list is taken before printing so that nothing the test itself does can add to it.
    code = (
        f'import sys\nFILES = {files!r}\nHEAVY = {HEAVY!r}\n{entry}\n'
        'loaded = sorted(m for m in HEAVY if m in sys.modules)\n'
        # The secret filters' helper patterns compiled: the candidates of a clean commit need none.
        'from guard.lazy_regex import LazyRegex\n'
        "loaded += [f'{name}:{o.pattern!r}' for name, module in list(sys.modules.items()) "
        "if name.startswith('guard.rules.secrets') for o in vars(module).values() "
        "if isinstance(o, LazyRegex) and 'compiled' in vars(o)]\n"
        f'missing = sorted(m for m in {SCANNED!r} if m not in sys.modules)\n'
        "print('\\nRESULT', rc, '\\t'.join(loaded).replace(' ', '~'), ','.join(missing))\n"
    )
    # -S: without it, site.py processes the dev venv's .pth files, and the editable install's finder
    # (__editable___guard_*_finder) imports pathlib and ipaddress at start-up, in every process; a
    # user's `pip install` has no such finder. So site is skipped and the two places guard's hook
    # needs are put on sys.path by hand: guard's source folder, and site-packages (ahocorasick_rs).
    paths = [
        str(Path(guard.__file__).resolve().parents[1]),
        sysconfig.get_paths()['purelib'],
        sysconfig.get_paths()['platlib'],
    ]
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(dict.fromkeys(paths))}
    proc = subprocess.run(
        [sys.executable, '-S', '-c', code], cwd=repo, capture_output=True, text=True, env=env, timeout=120
    )
    assert '\nRESULT ' in proc.stdout, (proc.stdout, proc.stderr)  # the hook returned instead of crashing
    output, _, result = proc.stdout.rpartition('\nRESULT ')
    rc, loaded, missing = result.rstrip('\n').split(' ')
    return (
        int(rc),
        [m.replace('~', ' ') for m in loaded.split('\t') if m],
        [m for m in missing.split(',') if m],
        output + proc.stderr,
    )


def stage(repo: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        write(repo, rel, text)
    git(repo, 'add', '--', *files)
    return sorted(files)


@pytest.fixture
def repo(git_repo: Path) -> Path:
    """A repository with one commit (a project that has history), ready for a change to be staged."""
    write(git_repo, '.gitignore', '__pycache__/\n')
    git(git_repo, 'add', '.gitignore')
    git(git_repo, 'commit', '-q', '-m', 'init')
    return git_repo


@pytest.mark.parametrize('entry', ENTRIES)
def test_a_clean_commit_imports_nothing_heavy(repo: Path, entry: str) -> None:
    files = stage(repo, CLEAN_FILES)
    rc, loaded, missing, output = run_entry(repo, ENTRIES[entry], files)
    assert rc == 0, output
    assert output == ''  # a clean commit prints nothing
    assert missing == [], f'the hook never loaded {missing}: it did not scan'
    assert loaded == [], f'{entry} imported {loaded} on a clean commit'


@pytest.mark.parametrize('entry', ENTRIES)
def test_the_same_hook_still_blocks_a_staged_secret(repo: Path, entry: str) -> None:
    # Heavier imports are allowed here (a finding is rare and may pay, e.g. hashlib for fingerprints):
    # this case only proves that the hook checked above reads the staged bytes.
    files = stage(repo, {**CLEAN_FILES, LEAKY_PATH: LEAKY_FILE})
    rc, _, missing, output = run_entry(repo, ENTRIES[entry], files)
    assert rc == 1, output
    assert missing == []
    assert f'{LEAKY_PATH}:1:' in output
    assert 'aws-access-key-id' in output
    assert AWS_KEY not in output  # reported, never shown in full


def test_ordinary_code_wakes_no_secret_rule(repo: Path) -> None:
    """A commit of code with no credential word compiles no secret rule's pattern: compiling one costs the
    hook ~20 M instructions (bench/hook_instructions.py stages such files). A keyword as common as `value`
    once woke the name/value rule on every commit (+36 M, 100 M -> 136 M)."""
    ordinary = {
        f'src/module_{i}.py': ''.join(
            f'def function_{i}_{n}(value, default=None):\n    """Set the value; see the variable below."""\n'
            f'    return value * {n} + {i}\n'
            for n in range(40)
        )
        for i in range(3)
    }
    files = stage(repo, ordinary)
    entry = ENTRIES['standalone pre-commit'] + (
        '\nfrom guard.rules import CONTENT_RULES\n'
        "woken = [r.id for r in CONTENT_RULES if r.category == 'secret' and any("
        "'compiled' in vars(p) for p in (r._regex, getattr(r, '_folded', r._regex)))]\n"
        "print('WOKEN', woken)\n"
    )
    rc, _, _, output = run_entry(repo, entry, files)
    assert rc == 0, output
    assert 'WOKEN []' in output, output
