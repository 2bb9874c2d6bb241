"""Fingerprints (issue 15): reports carry location keys that hold nothing derived from a secret; a
baseline holds scrypt at n=2^16 with its own salt; old baselines still suppress, with a note."""

from __future__ import annotations

import hashlib
import json
import resource
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from redact_outputs_test import FORMS
from redact_outputs_test import PASSPHRASE_FORMS
from redact_outputs_test import SHAPE_ONLY
from redact_outputs_test import credentials
from redact_outputs_test import letters_only
from redact_outputs_test import passphrases
from redact_outputs_test import place
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


def leaky_repo(root: Path, password: str, name: str = 'settings.py') -> Path:
    write(root, name, f'DB_PASSWORD = "{password}"\n')
    git(root, 'add', name)
    return root


def prints_of(report: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {f['rule']: f['fingerprint'] for f in report['findings']}


def commit_all(repo: Path) -> None:
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'x')


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='"\\'), min_size=10, max_size=40
    ),
    st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='"\\'), min_size=10, max_size=40
    ),
)
def test_a_location_key_does_not_depend_on_the_secret(first: str, second: str) -> None:
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    scanner = Scanner(RULES)
    keys = []
    for password in (first, second):
        findings, _ = scanner.scan(Document('settings.py', f'DB_PASSWORD = "{password}"  # 192.168.86.7\n'))
        keys.append(fingerprints.location_keys(findings))
    # Whatever the two secrets, the same line shape gives the same keys: a key confirms no guess.
    if len(keys[0]) == len(keys[1]):
        assert keys[0] == keys[1]


def test_json_and_sarif_carry_the_location_key_only(git_repo: Path) -> None:
    password = weak_password()
    leaky_repo(git_repo, password)
    report = scan_json(git_repo)
    wanted = prints_of(report)[RULE]
    sarif = json.loads(run_guard('scan', git_repo, '--format', 'sarif').stdout)
    results = [r for r in sarif['runs'][0]['results'] if r['ruleId'] == RULE]
    assert [r['partialFingerprints'] for r in results] == [{'guardLocation/v1': wanted}]
    key = content_key(RULE, password)
    derived = {key[:32], hashlib.sha256(password.encode()).hexdigest()[:32]}
    assert wanted not in derived
    # Swap the secret: the location key stays, so it says nothing about which secret is there.
    write(git_repo, 'settings.py', f'DB_PASSWORD = "{weak_password()}x"\n')
    assert prints_of(scan_json(git_repo))[RULE] == wanted


def test_a_baseline_fingerprint_is_scrypt_at_n_65536_with_the_baseline_salt() -> None:
    key = content_key(RULE, weak_password())
    salt = fingerprints.new_salt()
    value = fingerprints.salted(key, salt)
    assert fingerprints.SCHEME == 'scrypt-n65536-r8-p1'
    assert value == hashlib.scrypt(key.encode(), salt=salt, n=2**16, r=8, p=1, dklen=16, maxmem=2**27).hex()
    assert fingerprints.salted(key, fingerprints.new_salt()) != value
    assert fingerprints.salted_all([key, key], salt) == {key: value}


def test_the_baseline_salt_makes_every_clone_agree(git_repo: Path, tmp_path: Path) -> None:
    password = weak_password()
    leaky_repo(git_repo, password)
    assert run_guard('baseline', git_repo).returncode == 0
    baseline = json.loads((git_repo / DEFAULT_NAME).read_text())
    assert baseline['version'] == 3 and baseline['hash'] == fingerprints.SCHEME and len(baseline['salt']) == 32
    assert password not in json.dumps(baseline)
    [entry] = [e for e in baseline['findings'] if e['rule'] == RULE]
    assert entry['fingerprint'] == fingerprints.salted(content_key(RULE, password), bytes.fromhex(baseline['salt']))
    commit_all(git_repo)
    clone = tmp_path / 'clone'
    git(tmp_path, 'clone', '-q', str(git_repo), str(clone))
    report = scan_json(clone, env={'XDG_STATE_HOME': str(tmp_path / 'other-state')})  # another machine
    assert report['findings'] == [] and report['summary']['baselined'] >= 1


def test_a_swapped_secret_is_new_and_moved_code_stays_accepted(git_repo: Path) -> None:
    password = weak_password()
    leaky_repo(git_repo, password)
    assert run_guard('baseline', git_repo).returncode == 0
    (git_repo / 'settings.py').rename(git_repo / 'config.py')  # moved: another path, so another location
    report = scan_json(git_repo)
    assert report['findings'] == [] and report['summary']['baselined'] >= 1
    write(git_repo, 'config.py', f'DB_PASSWORD = "{password}7"\n')  # the same line, another secret
    report = scan_json(git_repo)
    assert RULE in prints_of(report) and report['summary']['stale_baseline']


def test_one_guess_at_a_baseline_costs_at_least_a_tenth_of_a_second_of_one_core() -> None:
    import time

    salt = fingerprints.new_salt()
    key = content_key(RULE, weak_password())
    start = time.process_time()  # CPU time: a loaded machine does not make a guess look dearer
    fingerprints.salted(key, salt)
    assert time.process_time() - start >= 0.1


@pytest.mark.parametrize('version', [1, 2, 3])
def test_an_old_baseline_keeps_suppressing_and_says_how_to_migrate(git_repo: Path, version: int) -> None:
    password = weak_password()
    leaky_repo(git_repo, password)
    salt = fingerprints.new_salt()
    document: dict[str, object] = {'version': version, 'findings': []}
    found = scan_json(git_repo)['findings']
    keys = [content_key(f['rule'], password) for f in found]
    assert keys
    old = {2: fingerprints.LEGACY_SCHEME, 3: fingerprints.WEAK_SCHEME}.get(version)
    if old is not None:  # format 3 as first written: scrypt at n=2^14, named in its `hash`
        document.update(hash=old, salt=salt.hex())
        keys = [fingerprints.salted(k, salt, old) for k in keys]
    document['findings'] = [
        {'fingerprint': k, 'rule': f['rule'], 'path': f['path'], 'location': f['fingerprint']}
        for k, f in zip(keys, found, strict=True)
    ]
    (git_repo / DEFAULT_NAME).write_text(json.dumps(document))
    report = scan_json(git_repo)
    assert report['findings'] == [] and report['summary']['baselined'] == len(keys)
    assert any(f'format {version}' in note and '`guard baseline`' in note for note in report['summary']['notes'])
    text = run_guard('scan', git_repo)
    assert text.returncode == 0 and f'format {version}' in text.stderr  # said in every format, not only JSON
    assert run_guard('baseline', git_repo).returncode == 0
    assert json.loads((git_repo / DEFAULT_NAME).read_text())['version'] == 3
    report = scan_json(git_repo)
    assert report['findings'] == [] and not any('format' in note for note in report['summary']['notes'])


def test_a_clean_scan_reads_no_baseline_and_hashes_nothing(git_repo: Path) -> None:
    write(git_repo, 'app.py', 'import os\n')
    write(git_repo, DEFAULT_NAME, '{"version": 3, "findings": [')  # broken: a clean staged scan never reads it
    git(git_repo, 'add', 'app.py')
    assert run_guard('scan', '--staged', git_repo).returncode == 0


def test_when_nothing_accepted_changed_one_slow_hash_settles_every_finding(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from guard import config as config_module
    from guard.scan import engine

    for i in range(6):
        leaky_repo(git_repo, weak_password(), f'settings_{i}.py')
    assert run_guard('baseline', git_repo).returncode == 0
    calls: list[str] = []
    real = fingerprints.salted

    def counted(key: str, salt: bytes, scheme: str = fingerprints.SCHEME) -> str:
        calls.append(key)  # a spy on the real function: it still computes every value
        return real(key, salt, scheme)

    monkeypatch.setattr(fingerprints, 'salted', counted)
    result = engine.scan_worktree(config_module.load(git_repo))
    assert result.findings == [] and result.baselined >= 6 and len(calls) == 1
    calls.clear()
    # One changed: the whole, then the halves (3 and 3), then the changed one's group one by one; not
    # one slow hash per accepted finding (issue 15c finding 13).
    write(git_repo, 'settings_0.py', f'DB_PASSWORD = "{weak_password()}z"\n')
    result = engine.scan_worktree(config_module.load(git_repo))
    assert [f.path for f in result.findings] == ['settings_0.py'] and 1 < len(calls) < 6


def random_ips(count: int) -> list[str]:
    """Distinct public-looking addresses, random so no fixed list passes (10.x is reported by default)."""
    ips: dict[str, None] = {}
    while len(ips) < count:
        ips[f'10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}'] = None
    return list(ips)


def cpu_of(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """guard as a real process, with the CPU seconds it used (not wall time: the machine is shared)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, '-m', 'guard', *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def one_entry_baseline(salt: bytes, rule: str) -> str:
    """A baseline an attacker can write: one entry of `rule` at a location nothing has (code "moved")."""
    return json.dumps(
        {
            'version': 3,
            'hash': fingerprints.SCHEME,
            'salt': salt.hex(),
            'aggregate': secrets.token_hex(16),
            'findings': [
                {
                    'fingerprint': secrets.token_hex(16),
                    'location': secrets.token_hex(16),
                    'rule': rule,
                    'path': 'gone.py',
                }
            ],
        }
    )


@pytest.mark.parametrize('rule', ['hardcoded-ipv4', RULE])
def test_a_one_entry_baseline_buys_no_slow_hash_per_finding(git_repo: Path, rule: str) -> None:
    """Review 15b/15: one moved entry made every finding of its rule pay one scrypt (500 IP lines: 25 s).
    Past the bound they are reported, with one warning, in `guard scan` and in the commit hook."""
    count = 200  # at ~0.05 s of CPU a scrypt: 10 s before the bound
    if rule == RULE:
        lines = [f'DB_PASSWORD_{i} = "{weak_password()}{i}"\n' for i in range(count)]
    else:
        lines = [f'HOST_{i} = "{ip}"\n' for i, ip in enumerate(random_ips(count))]
    write(git_repo, 'app.py', ''.join(lines))
    write(git_repo, DEFAULT_NAME, one_entry_baseline(fingerprints.new_salt(), rule))
    git(git_repo, 'add', '-A')
    for args in (('scan', '--format', 'json', '.'), ('hook', 'pre-commit')):
        proc, cpu = cpu_of(*args, cwd=git_repo)
        assert proc.returncode == 1, proc.stderr
        warnings = [line for line in proc.stderr.splitlines() if 'were not looked for' in line]
        assert len(warnings) == 1 and f'rule {rule}' in warnings[0] and f'among {count} findings' in warnings[0]
        assert '`guard baseline`' in warnings[0]
        assert cpu < 4.0, (args, cpu)  # one scrypt per finding would be ~10 s
        if args[0] == 'scan':
            assert sum(f['rule'] == rule for f in json.loads(proc.stdout)['findings']) == count


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 2), st.integers(0, 44), st.sampled_from([RULE, 'hardcoded-ipv4', '']))
def test_the_moved_code_search_is_bounded_per_rule(moved: int, count: int, rule: str) -> None:
    """Generated: `moved` entries of a rule at no current location (an old-scheme IP entry, a secret's,
    or a format-2 entry naming no rule) and `count` findings of that rule elsewhere: each is slow-hashed
    while there are at most 4 x moved + 16, none beyond, and then one warning says so."""
    from guard.findings import Finding
    from guard.scan.baseline import Baseline
    from guard.scan.baseline import BaselineEntry
    from guard.scan.baseline import moved_bound

    found_rule = rule or RULE
    salt = fingerprints.new_salt()
    entries = {
        fp: BaselineEntry(fp, rule, 'gone.py', secrets.token_hex(16))
        for fp in (secrets.token_hex(16) for _ in range(moved))
    }
    findings = [
        Finding(found_rule, 'x', 'error', 'app.py', i + 1, 1, '', '', '', content_key(found_rule, token))
        for i, token in enumerate(secrets.token_hex(8) for _ in range(count))
    ]
    locations = [secrets.token_hex(16) for _ in findings]
    calls: list[str] = []
    real = fingerprints.salted

    def counted(key: str, salt: bytes, scheme: str = fingerprints.SCHEME) -> str:
        calls.append(key)  # a spy on the real function: it still computes every value
        return real(key, salt, scheme)

    fingerprints.salted = counted
    try:
        new, accepted, seen, warnings = Baseline(Path('b.json'), entries, salt).partition(findings, locations)
    finally:
        fingerprints.salted = real
    assert new == findings and accepted == 0 and not seen
    if count <= moved_bound(moved):
        assert sorted(calls) == sorted(f.fingerprint for f in findings) and warnings == []
    else:
        assert calls == [] and len(warnings) == 1 and f'among {count} findings' in warnings[0]


def test_rules_shown_in_clear_get_a_fast_fingerprint_and_old_slow_entries_still_suppress(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from guard import config as config_module
    from guard.rules import RULES
    from guard.scan import engine

    assert {r for r in RULES if fingerprints.shown_in_clear(r)} == {
        'hardcoded-ipv4',
        'hardcoded-ipv6',
        'home-path',
        'windows-home-path',
        'venv-root',
        'venv-committed',
        'env-file',
    }
    assert not fingerprints.shown_in_clear('no-such-rule')  # unknown: a secret's, slow
    ips = random_ips(40)
    # Lines with nothing masked (`HOST_1` would be: a name with a digit may be a value), keyed by the address alone.
    write(git_repo, 'net/hosts.py', ''.join(f'host = "{ip}"\n' for ip in ips))
    password = weak_password()
    leaky_repo(git_repo, password)
    git(git_repo, 'add', '-A')
    assert run_guard('baseline', git_repo).returncode == 0
    document = json.loads((git_repo / DEFAULT_NAME).read_text())
    salt = bytes.fromhex(document['salt'])
    by_rule: dict[str, list[dict[str, str]]] = {}
    for entry in document['findings']:
        by_rule.setdefault(entry['rule'], []).append(entry)
    assert {e['fingerprint'] for e in by_rule['hardcoded-ipv4']} == {
        fingerprints.clear(content_key('hardcoded-ipv4', ip), salt) for ip in ips
    }
    assert all(e['hash'] == fingerprints.CLEAR_SCHEME for e in by_rule['hardcoded-ipv4'])
    [secret] = by_rule[RULE]
    assert 'hash' not in secret and secret['fingerprint'] == fingerprints.salted(content_key(RULE, password), salt)

    # The IP code moves (another path, so other locations): accepted with no slow hash but the secret's.
    (git_repo / 'net').rename(git_repo / 'lib')
    calls: list[str] = []
    real = fingerprints.salted

    def counted(key: str, salt: bytes, scheme: str = fingerprints.SCHEME) -> str:
        calls.append(key)
        return real(key, salt, scheme)

    monkeypatch.setattr(fingerprints, 'salted', counted)
    result = engine.scan_worktree(config_module.load(git_repo))
    assert result.findings == [] and result.baselined == len(ips) + 1 and calls == [content_key(RULE, password)]

    monkeypatch.undo()

    # A baseline written before: every entry slow, with no scheme of its own. It still suppresses.
    old = [
        {
            'fingerprint': fingerprints.salted(content_key('hardcoded-ipv4', ip), salt),
            'location': secrets.token_hex(16),
            'rule': 'hardcoded-ipv4',
            'path': 'net/hosts.py',
        }
        for ip in ips
    ]
    document['findings'] = [secret, *old]
    write(git_repo, DEFAULT_NAME, json.dumps(document))
    report = scan_json(git_repo)
    assert report['findings'] == [] and report['summary']['baselined'] == len(ips) + 1


def _location_keys_of(form: tuple[str, str, str], secret: str) -> list[tuple[str, str]]:
    """(rule, location key) of the non-secret findings on a form's line holding `secret`."""
    from guard.rules import RULES
    from guard.scan.fingerprints import location_keys
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    _, text, _ = place(form, secret, 42)
    findings = [f for f in Scanner(RULES).scan(Document(form[0], text))[0] if f.category != 'secret']
    assert findings, f'{form[0]}: no address or path reported, so this case tests nothing'
    return list(zip([f.rule for f in findings], location_keys(findings), strict=True))


def _forms() -> list[tuple[str, str, str]]:
    return [f for f in FORMS if f[0] not in SHAPE_ONLY]


@settings(max_examples=1500, deadline=None)
@given(st.data())
def test_a_location_key_is_the_same_whatever_credential_the_line_holds(data: st.DataObject) -> None:
    """Issue 15b finding 10: the key hashed the excerpt unsalted, so whatever of a credential the excerpt
    held was confirmable by sha256. Built only from what cannot be a credential, it cannot change with one."""
    form = data.draw(st.sampled_from(_forms()))
    values = st.one_of(credentials, letters_only, passphrases) if form in PASSPHRASE_FORMS else credentials
    first, second = data.draw(values), data.draw(values)
    assert _location_keys_of(form, first) == _location_keys_of(form, second), form[0]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_location_key_holds_no_number_an_excerpt_shows(data: st.DataObject) -> None:
    """Where only a credential's shape masks it (a positional argument), a PIN-like number reads as code
    and the excerpt shows it (the masker's documented limit): the key still must not hold it."""
    form = data.draw(st.sampled_from([f for f in FORMS if f[0] in SHAPE_ONLY]))
    pins = st.from_regex(r'[1-9]\d{3,4}(?:[.:]\d{1,5})?', fullmatch=True)
    first, second = data.draw(pins), data.draw(pins)
    assert _location_keys_of(form, first) == _location_keys_of(form, second), form[0]


# Issue 15c finding 03: a home path whose match carries on into a credential (`{path}:PW`).
ADJACENT_FORMS: list[tuple[str, str, str]] = [
    ('cert.sh', 'curl --cert /home/alice/certs/client.p12:{x} https://{ip}/\n', ''),
    ('at.sh', 'rsync /home/alice/data@{x} {ip}:/srv/\n', ''),
    ('eq.sh', 'backup /home/alice/data={x} --to {ip}\n', ''),
    ('hash.sh', 'restore /home/alice/data#{x} {ip}\n', ''),
    ('ssh_config', 'IdentityFile=/home/alice/.ssh/id:{x}\n', ''),
    ('win.bat', 'signtool sign /f C:\\Users\\bob\\key.pfx:{x} app.exe\n', ''),
]


def _shown_values(excerpt: str) -> set[str]:
    return {excerpt[i:j] for i in range(len(excerpt)) for j in range(i + 1, len(excerpt) + 1)}


@settings(max_examples=800, deadline=None)
@given(st.data())
def test_a_fast_fingerprint_hashes_only_what_the_excerpt_shows(data: st.DataObject) -> None:
    """A fast entry (one salted sha256 a guess) may hash only what the report shows: every finding a
    baseline would hash fast has a content key made of a piece of its own excerpt, on the 40+ forms and
    on matches that run on into the credential (`/home/u/c.p12:PW`, `@PW`, `=PW`, `#PW`, `C:\\Users\\…:PW`)."""
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    form = data.draw(st.sampled_from(_forms() + ADJACENT_FORMS))
    _, text, _ = place(form, data.draw(credentials), 42)
    findings = Scanner(RULES).scan(Document(form[0], text))[0]
    assert findings, f'{form[0]}: nothing reported, so this case tests nothing'
    from guard.excerpt import key_text

    for f in findings:
        if fingerprints.fast_enough(f):
            # On a line that may hold a credential, the key also holds key_text: the words shown before the
            # first mask, values among them reduced to `*` (a function of what the report shows).
            pieces = _shown_values(f.excerpt)
            if f.credential:
                pieces |= {f'{value}\0{key_text(f.excerpt)}' for value in pieces}
            assert f.fingerprint in {content_key(f.rule, value) for value in pieces}, (form[0], f.excerpt)


@pytest.mark.parametrize('form', ADJACENT_FORMS, ids=[f[0] for f in ADJACENT_FORMS])
def test_a_baseline_entry_covering_a_masked_credential_is_slow(git_repo: Path, form: tuple[str, str, str]) -> None:
    """The attack end to end: baseline, then swap only the credential. The entry must be the slow hash,
    and the finding new again (a rotated secret on an accepted line is a new finding)."""
    secret, text, _ = place(form, weak_password(), 42)
    write(git_repo, form[0], text)
    git(git_repo, 'add', '-A')
    assert run_guard('baseline', git_repo).returncode == 0
    document = json.loads((git_repo / DEFAULT_NAME).read_text())
    home = [e for e in document['findings'] if e['rule'] in ('home-path', 'windows-home-path')]
    assert home and all('hash' not in e for e in home), document
    assert run_guard('scan', git_repo, '-q').returncode == 0
    write(git_repo, form[0], text.replace(secret, weak_password()))
    assert run_guard('scan', git_repo, '-q').returncode == 1


def _baseline_of(tmp: Path, keys: list[str], salt: bytes) -> object:
    """A format 3 baseline of one generic-secret finding per content key (locations `loc<i>`), through
    save() and load() as `guard baseline` writes and a scan reads it."""
    from guard.findings import Finding
    from guard.scan import baseline

    located = [Finding(RULE, 'secret', 'error', 'a.py', i + 1, 1, '', '', 'x', f'loc{i:04d}') for i in range(len(keys))]
    baseline.save(tmp / DEFAULT_NAME, located, {f'loc{i:04d}': key for i, key in enumerate(keys)}, salt)
    return baseline.load(tmp / DEFAULT_NAME)


@settings(max_examples=60, deadline=None)
@given(count=st.integers(2, 300), changed=st.lists(st.integers(0, 299), min_size=0, max_size=3, unique=True))
def test_changed_findings_cost_a_bounded_number_of_slow_hashes(count: int, changed: list[int]) -> None:
    """Issue 15c finding 13: one edited finding among N cost N scrypts (300 -> 64 s). Now k changed ones
    cost at most 1 + k * (2 * log2(N) + GROUP) slow hashes, and exactly the changed ones are new.

    The slow hash is swapped for sha256 here (counted, not timed: the cost of one real scrypt is tested
    above, and 60 generated baselines of up to 300 real ones would take an hour)."""
    import math
    import tempfile

    from guard.findings import Finding

    changed = [i for i in changed if i < count]
    keys = [f'{i:032x}' for i in range(count)]
    calls: list[str] = []

    def fake(key: str, salt: bytes, scheme: str = fingerprints.SCHEME) -> str:
        calls.append(key)
        return hashlib.sha256(salt + key.encode()).hexdigest()[:32]

    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as tmp:
        patch.setattr(fingerprints, 'salted', fake)
        salt = fingerprints.new_salt()
        loaded = _baseline_of(Path(tmp), keys, salt)
        now = [f'f{i:031x}' if i in changed else key for i, key in enumerate(keys)]  # no accepted key
        findings = [Finding(RULE, 'secret', 'error', 'a.py', i + 1, 1, '', '', 'x', key) for i, key in enumerate(now)]
        calls.clear()
        new, accepted, _, _ = loaded.partition(findings, [f'loc{i:04d}' for i in range(count)])  # type: ignore[attr-defined]
    assert sorted(f.line - 1 for f in new if f.line) == sorted(changed) and accepted == count - len(changed)
    bound = 1 + len(changed) * (2 * math.ceil(math.log2(count)) + fingerprints.GROUP)
    assert len(calls) <= bound, (count, changed, len(calls))


@pytest.mark.parametrize('seed', range(4))
def test_a_baselined_address_does_not_accept_a_new_line_holding_a_credential(git_repo: Path, seed: int) -> None:
    """Attack 15g finding 10: one accepted `API_HOST=ADDR` accepted every later line naming ADDR, a new
    `tool --opt user:PASSWORD http://ADDR/` too, which no secret rule knows; it must block as a line that may
    hold a credential."""
    import random

    rng = random.Random(seed)
    ip = random_ips(1)[0]
    password = weak_password()
    tool = rng.choice(['myapp', 'syncer', 'feedctl']) + ' ' + rng.choice(['--frob', '--with', '-k'])
    write(git_repo, 'deploy.sh', f'API_HOST={ip}\n')
    git(git_repo, 'add', '-A')
    assert run_guard('baseline', git_repo).returncode == 0
    assert run_guard('scan', git_repo, '-q').returncode == 0
    write(git_repo, 'deploy.sh', f'API_HOST={ip}\n{tool} bob:{password} http://{ip}/\n')
    proc = run_guard('scan', git_repo)
    assert proc.returncode == 1 and 'deploy.sh:2' in proc.stdout, proc.stdout + proc.stderr
    assert password not in proc.stdout + proc.stderr
