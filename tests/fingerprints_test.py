"""Fingerprints: salted scrypt, the salt in the baseline (every clone agrees), old sha256 baselines still honoured."""
from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path

import pytest
from support import git
from support import run_guard
from support import write

from guard.findings import fingerprint as content_key
from guard.scan import fingerprints
from guard.scan.baseline import DEFAULT_NAME

RULE = 'generic-secret'


def weak_password() -> str:
    """A guessable password (word + digits), the kind a wordlist finds; random so no fixed string passes."""
    return f'Sunshine{secrets.randbelow(10**6):06d}!'


def scan_json(root: Path, *args: str, env: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
    proc = run_guard('scan', root, '--format', 'json', *args, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def leaky_repo(root: Path, password: str) -> Path:
    write(root, 'settings.py', f'DB_PASSWORD = "{password}"\n')
    git(root, 'add', 'settings.py')
    return root


def prints_of(report: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {f['rule']: f['fingerprint'] for f in report['findings']}


def test_a_fingerprint_is_not_a_plain_hash_and_depends_on_the_salt() -> None:
    password = weak_password()
    key = content_key(RULE, password)
    salt = fingerprints.new_salt()
    value = fingerprints.salted(key, salt)
    plain = {hashlib.sha256(s.encode()).hexdigest()[:32] for s in (password, f'{RULE}\0{password}', key)}
    assert value not in plain and value != key[:32]
    assert value == hashlib.scrypt(key.encode(), salt=salt, n=1024, r=8, p=1, dklen=16).hex()
    assert fingerprints.salted(key, fingerprints.new_salt()) != value
    assert fingerprints.salted(key, salt) == value  # stable


def test_the_baseline_salt_makes_every_clone_agree(git_repo: Path, tmp_path: Path) -> None:
    password = weak_password()
    leaky_repo(git_repo, password)
    assert run_guard('baseline', git_repo).returncode == 0
    baseline = json.loads((git_repo / DEFAULT_NAME).read_text())
    assert baseline['version'] == 2 and baseline['hash'] == fingerprints.SCHEME and len(baseline['salt']) == 32
    assert password not in json.dumps(baseline)
    git(git_repo, 'add', DEFAULT_NAME)
    git(git_repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x')
    clone = tmp_path / 'clone'
    git(tmp_path, 'clone', '-q', str(git_repo), str(clone))
    other_user = {'XDG_STATE_HOME': str(tmp_path / 'other-state')}  # another machine: no shared state
    here, there = prints_of(scan_json(git_repo, '--no-baseline')), prints_of(scan_json(clone, '--no-baseline', env=other_user))
    assert here[RULE] == there[RULE] == next(e['fingerprint'] for e in baseline['findings'] if e['rule'] == RULE)
    assert here[RULE] == fingerprints.salted(content_key(RULE, password), bytes.fromhex(baseline['salt']))
    report = scan_json(clone, env=other_user)
    assert report['findings'] == [] and report['summary']['baselined'] >= 1


def test_without_a_baseline_the_salt_is_kept_per_repository(git_repo: Path, tmp_path: Path) -> None:
    leaky_repo(git_repo, weak_password())
    env = {'XDG_STATE_HOME': str(tmp_path / 'state')}
    first = prints_of(scan_json(git_repo, env=env))[RULE]
    assert prints_of(scan_json(git_repo, env=env))[RULE] == first  # stable between runs
    elsewhere = prints_of(scan_json(git_repo, env={'XDG_STATE_HOME': str(tmp_path / 'other')}))[RULE]
    assert elsewhere != first  # another user's salt
    assert (tmp_path / 'state' / 'guard' / 'salts').stat().st_mode & 0o777 == 0o700


def test_a_format_1_baseline_keeps_suppressing_and_says_how_to_migrate(git_repo: Path) -> None:
    password = weak_password()
    leaky_repo(git_repo, password)
    entries = [{'fingerprint': content_key(f['rule'], password), 'rule': f['rule'], 'path': f['path']}
               for f in scan_json(git_repo)['findings']]
    assert entries
    (git_repo / DEFAULT_NAME).write_text(json.dumps({'version': 1, 'findings': entries}))
    report = scan_json(git_repo)
    assert report['findings'] == [] and report['summary']['baselined'] == len(entries)
    assert any('unsalted sha256' in note and '`guard baseline`' in note for note in report['summary']['notes'])
    text = run_guard('scan', git_repo)
    assert text.returncode == 0 and 'unsalted sha256' in text.stderr  # said in every format, not only JSON
    assert run_guard('baseline', git_repo).returncode == 0
    assert json.loads((git_repo / DEFAULT_NAME).read_text())['version'] == 2
    report = scan_json(git_repo)
    assert report['findings'] == [] and not any('unsalted' in note for note in report['summary']['notes'])


@pytest.mark.parametrize('damage', [b'', b'zz', os.urandom(40), b'00' * 3], ids=['empty', 'not-hex', 'random', 'short'])
def test_a_damaged_salt_file_is_rewritten(git_repo: Path, tmp_path: Path, damage: bytes) -> None:
    leaky_repo(git_repo, weak_password())
    env = {'XDG_STATE_HOME': str(tmp_path / 'state')}
    rules = set(prints_of(scan_json(git_repo, env=env)))
    (salt_file,) = (tmp_path / 'state' / 'guard' / 'salts').iterdir()
    salt_file.write_bytes(damage)
    assert set(prints_of(scan_json(git_repo, env=env))) == rules  # the same findings, no crash
    assert len(bytes.fromhex(salt_file.read_text())) == fingerprints.SALT_BYTES


@pytest.mark.parametrize('kind', ['fifo', 'symlink'])
def test_a_salt_that_is_not_a_regular_file_is_replaced(git_repo: Path, tmp_path: Path, kind: str) -> None:
    leaky_repo(git_repo, weak_password())
    env = {'XDG_STATE_HOME': str(tmp_path / 'state')}
    rules = set(prints_of(scan_json(git_repo, env=env)))
    (salt_file,) = (tmp_path / 'state' / 'guard' / 'salts').iterdir()
    salt_file.unlink()
    if kind == 'fifo':
        os.mkfifo(salt_file)  # opening it to read would block the scan
    else:
        (tmp_path / 'elsewhere').write_text('00' * fingerprints.SALT_BYTES)
        salt_file.symlink_to(tmp_path / 'elsewhere')
    assert set(prints_of(scan_json(git_repo, env=env))) == rules
    assert salt_file.is_file() and not salt_file.is_symlink()


def test_a_salt_folder_others_can_read_is_not_used(git_repo: Path, tmp_path: Path) -> None:
    leaky_repo(git_repo, weak_password())
    state = tmp_path / 'state'
    (state / 'guard' / 'salts').mkdir(parents=True)
    (state / 'guard' / 'salts').chmod(0o755)
    env = {'XDG_STATE_HOME': str(state)}
    first, second = (prints_of(scan_json(git_repo, env=env))[RULE] for _ in range(2))
    assert first != second  # a fresh salt each run, nothing stored where others could read or plant it
    assert list((state / 'guard' / 'salts').iterdir()) == []


def test_a_clean_scan_needs_no_salt(git_repo: Path, tmp_path: Path) -> None:
    write(git_repo, 'app.py', 'import os\n')
    state = tmp_path / 'state'
    assert run_guard('scan', git_repo, env={'XDG_STATE_HOME': str(state)}).returncode == 0
    assert not (state / 'guard' / 'salts').exists()


def test_sarif_carries_the_salted_fingerprint(git_repo: Path) -> None:
    leaky_repo(git_repo, weak_password())
    wanted = prints_of(scan_json(git_repo))[RULE]
    sarif = json.loads(run_guard('scan', git_repo, '--format', 'sarif').stdout)
    results = [r for r in sarif['runs'][0]['results'] if r['ruleId'] == RULE]
    assert [r['partialFingerprints'] for r in results] == [{'guardFingerprint/v2': wanted}]
