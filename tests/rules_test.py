"""Every rule against its own examples, plus the hard cases for the ip, abs-path and env-file rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.rules import CONTENT_RULES
from guard.rules import PATH_RULES
from guard.rules import RULES
from guard.rules import env_files
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

ALL = Scanner(RULES)
REPO_ROOT = Path(__file__).resolve().parent.parent


def rule_ids(text: str, path: str = 'src/app.py') -> list[str]:
    findings, _ = ALL.scan(Document(path, text))
    return [f.rule for f in findings]


def test_registry_ids_are_unique_and_well_formed() -> None:
    ids = [r.id for r in (*CONTENT_RULES, *PATH_RULES)]
    assert len(ids) == len(set(ids))
    for rule in RULES.values():
        assert rule.id == rule.id.lower() and ' ' not in rule.id
        assert rule.category in ('secret', 'env-file', 'ip', 'abs-path', 'venv')
        assert rule.severity in ('note', 'warning', 'error')
        assert rule.why.strip() and rule.fix.strip()


def test_importing_the_registry_loads_no_costly_module() -> None:
    """Every commit hook imports every rule: none may pull in a module that takes milliseconds to load."""
    costly = (
        'dataclasses',
        'typing',
        'inspect',
        'random',
        'string',
        'hashlib',
        'base64',
        'binascii',
        'ipaddress',
        'pathlib',
    )
    code = f'import sys, guard.rules; print(sorted(m for m in {costly!r} if m in sys.modules))'
    # `random` also shows that no fake example credential was built. -S: no site, so the dev venv's
    # editable-install finder (it imports pathlib) stays out; the checkout is imported from the cwd.
    out = subprocess.run(
        [sys.executable, '-S', '-c', code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == '[]'


# What the commit hook imports to scan; `re` (with the `enum` it imports, ~8 ms) must not come with it.
_SCAN_MODULES = (
    'guard.scan.scanner, guard.rules, guard.scan.allowlist, guard.scan.prefilter, guard.redact, guard.lazy_regex'
)
_RE_MODULES = "sorted(m for m in sys.modules if m in ('re', 'enum') or m.startswith('re.'))"


def test_importing_the_scan_modules_loads_neither_re_nor_enum() -> None:
    """Patterns compile on first use (guard.lazy_regex.LazyRegex), so importing the rules costs no `re`."""
    code = f'import sys, {_SCAN_MODULES}; print({_RE_MODULES})'
    out = subprocess.run(
        [sys.executable, '-S', '-c', code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == '[]'


def test_examples_read_as_text_and_a_rule_shows_its_id() -> None:
    rule = next(r for r in CONTENT_RULES if r.id == 'private-key')  # its examples are Fakes, built when first read
    assert all(isinstance(e, str) for e in (*rule.examples_bad, *rule.examples_good))
    assert '-----END RSA PRIVATE KEY-----' in rule.examples_bad[0]
    assert repr(rule) == "Rule('private-key')"
    assert repr(RULES['generic-secret']) == "CaseFoldedRule('generic-secret')"


@pytest.mark.parametrize('rule', CONTENT_RULES, ids=lambda r: r.id)
def test_rule_has_examples(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.examples_bad, f'{rule.id} has no bad examples'
    assert rule.examples_good, f'{rule.id} has no good examples'


@pytest.mark.parametrize(
    ('rule', 'example'),
    [(r, e) for r in CONTENT_RULES for e in r.examples_bad],
    ids=lambda v: v.id if hasattr(v, 'id') else '',
)
def test_every_bad_example_is_found_by_its_rule(rule, example: str) -> None:  # type: ignore[no-untyped-def]
    scanner = Scanner({rule.id})
    findings, _ = scanner.scan(Document(_path_for(rule), example))
    assert [f.rule for f in findings] != [], f'{rule.id} missed {example!r}'


@pytest.mark.parametrize(
    ('rule', 'example'),
    [(r, e) for r in CONTENT_RULES for e in r.examples_good],
    ids=lambda v: v.id if hasattr(v, 'id') else '',
)
def test_no_good_example_is_found_by_its_rule(rule, example: str) -> None:  # type: ignore[no-untyped-def]
    scanner = Scanner({rule.id})
    findings, _ = scanner.scan(Document(_path_for(rule), example))
    assert findings == [], f'{rule.id} flagged {example!r}'


def _path_for(rule) -> str:  # type: ignore[no-untyped-def]
    """A path the rule applies to (rules restricted by path_pattern get one that matches)."""
    for candidate in (
        'config/app.py',
        '.pgpass',
        'home/.pgpass',
        'config.json',
        'settings.yaml',
        'key.pem',
        'app.properties',
        'docker-compose.yml',
        '.netrc',
        'postfix/sasl_passwd',
        'pgbouncer/userlist.txt',
        'exim4/passwd.client',
        '.msmtprc',
    ):
        if rule.applies_to(candidate):
            return candidate
    pytest.skip(f'{rule.id}: no sample path matches its path_pattern {rule.path_pattern!r}')


IP_CASES = [
    ('{"host": "192.168.86.42"}', ['hardcoded-ipv4']),
    ('proxy_pass http://10.10.0.21:3000;', ['hardcoded-ipv4']),
    ('upstream api { server 172.20.1.5:8080; }', ['hardcoded-ipv4']),
    ('DNS = ["8.8.8.8", "1.1.1.1"]', ['hardcoded-ipv4', 'hardcoded-ipv4']),
    ('ssh deploy@10.0.0.7 uptime', ['hardcoded-ipv4']),
    ('listen [fd12:3456:789a:1::21]:8080;', ['hardcoded-ipv6']),
    ('peer = "2606:4700:4700::1111"', ['hardcoded-ipv6']),
    ('host = "localhost"', []),
    ('bind 127.0.0.1 and 127.1.2.3', []),
    ('listen 0.0.0.0:8000', []),
    ('doc 192.0.2.1 198.51.100.2 203.0.113.3 2001:db8::42', []),
    ('__version__ = "1.2.3.4"', []),
    ('VERSION = (10, 0, 0, 1)', []),
    ('ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.6099.109 Safari/537.36"', []),
    ('oid 1.3.6.1.4.1.311.21.7', []),
    ('1.2.3.4.5', []),
    ('DB_HOST=${DB_HOST:-10.0.0.5}', []),
    ('mask 255.255.255.0 / 255.255.0.0', []),
    ('pip install pkg==1.0.0.1', []),
    ('Section 4.10.22.7 of the spec', []),
    ("requires 'Windows.Foundation', '1.0.0.0'", []),
    ('std::vector<int> v; a[10::2]; 12:30:45', []),
    ('mac 00:1a:2b:3c:4d:5e', []),
    ('ip = "::1"', []),
    ('# the old box was 10.0.0.12', []),
    ('def f():\n    """Connect like connect("10.0.0.12")."""\n', []),
    ('x = 1\nHOST = "10.0.0.13"\n', ['hardcoded-ipv4']),
    ('4.4.5.10 curl 4.4.9.4 median', []),
]


@pytest.mark.parametrize(('text', 'expected'), IP_CASES)
def test_ip_rule(text: str, expected: list[str]) -> None:
    assert [r for r in rule_ids(text) if r.startswith('hardcoded-ip')] == expected


PATH_CASES = [
    ('DATA = "/Users/alice/proj/data.csv"', ['home-path']),
    ('model: /home/bob/models/v3.pkl', ['home-path']),
    (r'out = "C:\Users\carol\proj\out.txt"', ['windows-home-path']),
    ('cfg = "/etc/app/app.conf"; log = "/var/log/app.log"; tmp = "/tmp/x"', []),
    ('path = "~/proj/data"', []),
    ('#!/home/bob/.venv/bin/python', []),
    ('cache = "/home/<user>/.cache"', []),
    ('cache = "/home/$USER/.cache"', []),
    ('see /usr/share/doc and /opt/app', []),
]


@pytest.mark.parametrize(('text', 'expected'), PATH_CASES)
def test_abs_path_rule(text: str, expected: list[str]) -> None:
    assert [r for r in rule_ids(text) if r.endswith('home-path')] == expected


@pytest.mark.parametrize(
    'path',
    ['docs/deploy.py', 'examples/config.yaml', 'README.md', 'botocore/data/ec2/examples-1.json', 'config.sample.json'],
)
def test_docs_and_examples_are_quiet_for_ips_and_paths_but_not_secrets(path: str) -> None:
    text = 'HOST = "10.0.0.14"\nDATA = "/home/alice/data"\nURL = "postgresql://app:Zq8v2Lm' + 'P9xTw4@db:5432/x"\n'
    assert [r for r in rule_ids(text, path=path) if r != 'env-file'] == ['database-url-password']


@pytest.mark.parametrize(
    ('path', 'expected'),
    [
        ('.env', True),
        ('.env.production', True),
        ('config/.env.local', True),
        ('prod.env', True),
        ('.env.example', False),
        ('.env.sample', False),
        ('.env.template', False),
        ('.env.dist', False),
        ('deploy/.env.prod.example', False),
        ('environment.py', False),
        ('.envrc', False),
        ('.env~', True),
        ('.ENV', True),
        ('.Env.Example~', False),
        ('env.py', False),
    ],
)
def test_env_file_names(path: str, expected: bool) -> None:
    assert env_files.is_env_file(path) is expected


def _any_case(draw: st.DrawFn, name: str) -> str:
    return ''.join(c.upper() if draw(st.booleans()) else c for c in name)


@st.composite
def env_variants(draw: st.DrawFn) -> tuple[str, bool]:
    """An env file's or a template's name in any case, behind an editor's backup or autosave marks."""
    base = draw(st.sampled_from(['.env', '.env.production', 'prod.env', '.env.local']))
    template = draw(st.booleans())
    if template:
        base += '.' + draw(st.sampled_from(['example', 'sample', 'template', 'dist']))
    name = _any_case(draw, base)
    mark = draw(st.sampled_from(['', '~', '~~', ' ', '#']))
    name = f'#{name}#' if mark == '#' else name + mark
    folder = draw(st.sampled_from(['', 'config/', 'deploy/prod/']))
    return folder + name, not template


@settings(max_examples=200, deadline=None)
@given(case=env_variants())
def test_env_file_names_in_any_case_and_behind_backup_marks(case: tuple[str, bool]) -> None:
    """`.ENV`, `.env~`, `#.env#` are the same file's values (issue 15c finding 12); templates stay templates."""
    path, expected = case
    assert env_files.is_env_file(path) is expected


@pytest.mark.parametrize(
    ('text', 'found'),
    [
        ('DEBUG=1\n', True),
        ('export API_KEY="x1y2z3"\n', True),
        ('# only comments\n\n', False),
        ('EMPTY=\nALSO_EMPTY=""\n', False),
        ('FROM_ENV=${OTHER}\n', False),
    ],
)
def test_env_file_needs_values(text: str, found: bool) -> None:
    assert ('env-file' in rule_ids(text, path='.env')) is found


# Issue 15c finding 16: names guard does not read as a credential's, holding generated values.
NEUTRAL_NAMES = st.from_regex(r'[A-Z][A-Z_]{2,15}', fullmatch=True).filter(
    lambda name: not env_files._CREDENTIAL_NAME.search(name)
)
ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'


@st.composite
def generated_values(draw: st.DrawFn) -> str:
    """What a generator or a provider hands out: random alphanumerics, a TOTP seed (base32), hex, a
    dashed licence key, a URL ending in a token. Drawn with a true random source: a shrunk `aaaa0`
    is not what a generator makes."""
    rng = draw(st.randoms(use_true_random=True))
    kind = draw(st.sampled_from(['alnum', 'base32', 'hex', 'licence', 'webhook']))
    if kind == 'alnum':
        value = ''.join(rng.choice(ALNUM) for _ in range(rng.randint(16, 40)))
    elif kind == 'base32':
        value = ''.join(rng.choice(BASE32) for _ in range(32))
    elif kind == 'hex':
        value = ''.join(rng.choice('0123456789abcdef') for _ in range(rng.choice((32, 40, 64))))
    elif kind == 'licence':
        value = '-'.join(''.join(rng.choice(BASE32) for _ in range(5)) for _ in range(4))
    else:
        value = 'https://hooks.internal/services/' + ''.join(rng.choice(ALNUM) for _ in range(24))
    quote = draw(st.sampled_from(['', '"', "'"]))
    return f'{quote}{value}{quote}'


@settings(max_examples=400, deadline=None)
@given(NEUTRAL_NAMES, generated_values(), st.lists(st.sampled_from(['APP_ENV=production', 'DEBUG=1', 'PORT=5432'])))
def test_an_env_file_holding_a_generated_value_holds_a_credential_whatever_its_name(
    name: str, value: str, plain: list[str]
) -> None:
    """The env-file finding holds back SKIP=guard-env-files when any value looks generated, not only
    under a credential's name (OTP_SEED, SIGNING_SALT, STRIPE, WEBHOOK, LICENSE)."""
    text = '\n'.join([*plain, f'{name}={value}']) + '\n'
    finding = env_files.check('.env', text)
    assert finding is not None and finding.credential, text


@pytest.mark.parametrize(
    'text',
    [
        'APP_ENV=production\nDEBUG=1\nPORT=5432\n',
        'LOG_LEVEL=debug\nAPP_URL=http://localhost:8000\nDATA_DIR=/var/lib/app/data\n',
        'TZ=Europe/Berlin\nNODE_ENV=development\nCACHE_URL=redis://cache:6379/0\n',
    ],
)
def test_an_env_file_of_plain_settings_keeps_the_skip_hint(text: str) -> None:
    finding = env_files.check('.env', text)
    assert finding is not None and not finding.credential


# Any text after a credential's name, in any script: letters without case (CJK), marks, titlecase letters,
# other scripts' digits. Attack 15d finding 01: `Password=密码755é` in a .py file looped forever.
_PIECES = st.sampled_from(
    ['密码', 'パス', 'é', '755', 'ǅ', '٣٤', 'Ab', 'x', 'Q', '_', '$', '.', '!', 'ß', 'İ', '\u0301']
)
_ANY_VALUE = st.one_of(
    st.lists(_PIECES, min_size=1, max_size=6).map(''.join),
    st.text(min_size=1, max_size=16).filter(lambda v: '\n' not in v and '\r' not in v),
)
_VALUE_FORMS = st.sampled_from(
    [
        ('db.py', 'x = "Password={v};"\n'),
        ('db.py', 'db_password = "{v}"\n'),
        ('db.py', 'db_password = {v}\n'),
        ('app.env', 'API_TOKEN={v}\n'),
        ('app.yaml', 'secret_key: {v}\n'),
        ('run.sh', 'mysql -u root -p{v} -h 192.168.86.42\n'),
        ('app.ini', 'password = {v} ; /home/alice/app\n'),
        ('url.conf', 'url = postgresql://app:{v}@10.1.2.3/db\n'),
    ]
)


@settings(max_examples=400, deadline=None)
@given(form=_VALUE_FORMS, value=_ANY_VALUE)
def test_any_value_in_any_script_is_judged_and_the_scan_ends(form: tuple[str, str], value: str) -> None:
    """The scan of each line ends (a hang fails the test after 30 s) and reports only the line it read."""
    import signal

    path, template = form
    text = template.format(v=value)

    def hung(signum: int, frame: object) -> None:
        raise AssertionError(f'the scan of {text!r} did not end in 30 s')

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        findings, _ = SCANNER.scan(Document(path, text))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert all(f.line in (None, 1) for f in findings)  # a path finding (env-file) has no line


SCANNER = Scanner(RULES)
