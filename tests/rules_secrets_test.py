"""The secret rules: positives per rule, the hard negatives from the issue, and redaction.

Fake credentials are assembled at run time (guard.rules.secrets.fakes) so this file itself does not
look leaky to scanners.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard.rules import CONTENT_RULES
from guard.rules.secrets.checksums import CrcFake
from guard.rules.secrets.checksums import PypiFake
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import BASE64
from guard.rules.secrets.fakes import DIGITS
from guard.rules.secrets.fakes import HEX
from guard.rules.secrets.fakes import URLSAFE
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.fakes import fake
from guard.rules.secrets.fakes import join
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner
from tests.support import run_guard
from tests.support import write

SECRET_RULES = [r.id for r in CONTENT_RULES if r.category == 'secret']
SCANNER = Scanner(SECRET_RULES)

PW = fake((ALNUM, 14)) + '7!'
TOKEN = fake((ALNUM, 40))
PEM_BODY = fake((BASE64, 64), '\n', (BASE64, 64), '\n', (BASE64, 32))
BEGIN = join('-----BEGIN ', 'PRIVATE', ' KEY-----')

POSITIVES = [
    # (rule, path, text)
    ('database-url-password', 'app/settings.py', f'DATABASE_URL = "postgresql://app:{PW}@db.internal:5432/prod"'),
    ('database-url-password', 'config.yaml', f'url: mongodb+srv://svc:{PW}@cluster0.example.net/app'),
    ('database-url-password', '.env', f'REDIS_URL=rediss://default:{PW}@cache.internal:6380/0'),
    ('database-url-password', 'db.properties', f'jdbc.url=jdbc:mysql://root:{PW}@10.0.0.5:3306/shop'),
    ('database-url-password', 'celery.py', f'broker = "amqps://guest2:{PW}@mq.internal:5671//"'),
    ('pgpass-password', '.pgpass', f'db.internal:5432:app:app_user:{PW}'),
    ('basic-auth-url', 'requirements.txt', f'--extra-index-url https://deploy:{PW}@pypi.corp.internal/simple'),
    ('generic-secret', 'settings.py', f'SECRET_KEY = "{TOKEN}"'),
    ('generic-secret', 'app.js', f"const apiKey = '{TOKEN}';"),
    ('generic-secret', 'app.ts', f'private readonly clientSecret: string = "{TOKEN}";'),
    ('generic-secret', 'config.yml', f'  password: "{PW}"'),
    ('generic-secret', 'config.json', f'{{"auth_token": "{TOKEN}"}}'),
    ('generic-secret', 'setup.cfg', f'[auth]\npassword = {PW}'),
    ('generic-secret', 'pyproject.toml', f'api_key = "{TOKEN}"'),
    ('generic-secret', 'deploy.sh', f'export ACCESS_TOKEN={TOKEN}'),
    ('generic-secret', 'docker-compose.yml', f'    environment:\n      - POSTGRES_PASSWORD={PW}'),
    ('generic-secret', '.env.production', f'STRIPE_SIGNING_SECRET={TOKEN}'),
    ('generic-secret', 'nb.ipynb', f'    "api_key = \\"{TOKEN}\\"\\n",'),
    ('generic-secret', 'app.properties', f'spring.datasource.password={PW}'),
    ('generic-secret', 'Main.go', f'apiToken := "{TOKEN}"'),
    ('generic-secret', 'curl.sh', f'curl -H "Authorization: Bearer {TOKEN}" https://api.internal/v1'),
    ('generic-secret-xml', 'web.config', f'<add key="StorageSecret" value="{TOKEN}" />'),
    ('aws-access-key-id', 'creds', fake('aws_access_key_id = AK', 'IA', ('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16))),
    ('aws-secret-access-key', 'creds', fake('aws_secret_access_key = ', (BASE64, 40))),
    ('github-token', 'ci.yml', str(CrcFake('gh' + 'p_', before='token: '))),
    ('github-fine-grained-pat', 'ci.yml', fake('token: github', '_pat_', (ALNUM, 22), '_', (ALNUM, 59))),
    ('gitlab-token', 'ci.yml', fake('GITLAB_TOKEN: gl', 'pat-', (URLSAFE, 20))),
    ('slack-token', 'bot.py', fake('SLACK = "xo', 'xb-', (DIGITS, 12), '-', (DIGITS, 13), '-', (ALNUM, 24), '"')),
    (
        'slack-webhook-url',
        'hook.py',
        fake('URL = "https://hooks.slack.com/services/T', (DIGITS, 8), '/B', (DIGITS, 8), '/', (ALNUM, 24), '"'),
    ),
    ('stripe-key', 'pay.py', fake('stripe.api_key = "sk', '_live_', (ALNUM, 24), '"')),
    (
        'openai-api-key',
        'ai.py',
        fake('client = OpenAI(api_key="sk', '-proj-', (URLSAFE, 60), 'T3Blb', 'kFJ', (URLSAFE, 60), '")'),
    ),
    ('anthropic-api-key', 'ai.py', fake('KEY = "sk', '-ant-api03-', (URLSAFE, 93), 'AA"')),
    ('sendgrid-api-key', 'mail.yaml', fake('key: S', 'G.', (URLSAFE, 22), '.', (URLSAFE, 43))),
    ('google-api-key', 'maps.js', fake('const k = "AI', 'za', (URLSAFE, 35), '";')),
    ('npm-token', '.npmrc', str(CrcFake('np' + 'm_', before='//registry.npmjs.org/:_authToken='))),
    ('pypi-token', '.pypirc', str(PypiFake(before='password = '))),
    ('digitalocean-token', 'do.env', fake('DO_TOKEN=do', 'p_v1_', (HEX, 64))),
    ('telegram-bot-token', 'bot.py', fake('BOT = "', (DIGITS, 10), ':AA', (URLSAFE, 33), '"')),
    (
        'ai-platform-key',
        'hf.py',
        fake('HF_TOKEN = "h', 'f_', ('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 34), '"'),
    ),
    (
        'jwt',
        'client.py',
        join(
            'auth = "',
            'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
            '.',
            'eyJzdWIiOiJzdmMiLCJpYXQiOjE3MDAwMDAwMDB9',
            '.',
            fake((URLSAFE, 43)),
            '"',
        ),
    ),
    ('private-key', 'id_rsa', join(BEGIN, '\n', PEM_BODY, '\n', BEGIN.replace('BEGIN', 'END'))),
    ('private-key', 'key.json', join('{"key": "', BEGIN, '\\n', PEM_BODY.replace('\n', '\\n'), '"}')),
    (
        'gcp-service-account-key',
        'sa.json',
        join(
            '{"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com",\n',
            ' "private_key": "',
            BEGIN,
            '\\n',
            PEM_BODY.replace('\n', '\\n'),
            '\\n"}',
        ),
    ),
    (
        'azure-storage-key',
        'app.config',
        fake('conn = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=', (BASE64, 86), '==;"'),
    ),
]

NEGATIVES = [
    # environment lookups and templates
    'password = os.getenv("DB_PASSWORD")',
    'token = os.environ["API_TOKEN"]',
    'const apiKey = process.env.API_KEY;',
    'password: ${DB_PASSWORD}',
    'export API_TOKEN=$API_TOKEN',
    'token: ${{ secrets.GITHUB_TOKEN }}',
    'db_password: "{{ vault_db_password }}"',
    'DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/prod',
    # placeholders
    'password = "<password>"',
    'API_KEY=your-api-key-here',
    'password = "changeme"',
    'secret: "xxxxxxxxxxxxxxxx"',
    'token = "****************"',
    'api_key = "example-key-123456"',
    'password = "dummy-password-1"',
    'secret = "REDACTED"',
    'api_key = "test"',
    'password: sample_password_value',
    'proxy = "http://user:password@proxy.local:3128"',
    # code: calls, identifiers, attributes, annotations
    'password = get_password()',
    'token = self.token',
    'api_key = settings.API_KEY',
    'password: str',
    'def login(username: str, password: Optional[str] = None) -> None:',
    'token: string;',
    'login(user, password=password)',
    'sorted(items, key=default_sort_key)',
    'secret_name = "prod/db/credentials"',
    # digests, ids, lockfiles, encodings
    '"integrity": "sha512-' + 'Qz7v3Hc9mNp2Lk8sT4wYx1Rb6Fd0Ge5Jh/Ai+Ko==' + '"',
    'checksum_key = "3f786850e387550fdab836ed7e6dc881de23001b"',
    'api_key_id = "550e8400-e29b-41d4-a716-446655440000"',
    'commit: 9fceb02d0ae598e95dc970b74767f19372d61af8',
    'sha256 = "' + 'a' * 8 + fake((HEX, 56)) + '"',
    'hash = "sha256:' + fake((HEX, 64)) + '"',
    'icon = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ"',
    # public keys, certificates, documented examples
    'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7' + fake((BASE64, 60)) + ' user@host',
    '-----BEGIN PUBLIC KEY-----\n' + PEM_BODY + '\n-----END PUBLIC KEY-----',
    '-----BEGIN CERTIFICATE-----\n' + PEM_BODY + '\n-----END CERTIFICATE-----',
    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'engine = create_engine("postgresql://scott:tiger@localhost/test")',
    # paths and URLs as values, repeated and sequential characters
    'token_url = "https://oauth2.googleapis.com/token"',
    'password_file = "/run/secrets/db_password"',
    'secret = "aaaaaaaaaaaaaaaaaaaa"',
    'api_key = "abcdefghijklmnopqrstuvwxyz"',
    # names that only contain a keyword
    'author = "Ada Lovelace"',
    'monkey = "' + fake((ALNUM, 20)) + '"',
    'max_tokens = 4096',
    'tokenizer = "bert-base-uncased"',
    '"token_type": "bearer"',
    'public_key = "' + fake((BASE64, 40)) + '"',
    'primary_key = "id"',
    'keyboard_layout = "us-intl"',
    'Alternatively, you can pass "inline" to use if-else conditionals.',
    'PasswordLastUsed: "2016-09-19T19:19:07Z"',
]


def _rules(text: str, path: str = 'src/app.py') -> list[str]:
    findings, _ = SCANNER.scan(Document(path, text))
    return [f.rule for f in findings]


@pytest.mark.parametrize(('rule', 'path', 'text'), POSITIVES, ids=[f'{r}-{i}' for i, (r, _, _) in enumerate(POSITIVES)])
def test_secret_is_found_by_its_rule(rule: str, path: str, text: str) -> None:
    assert _rules(text, path) == [rule]


@pytest.mark.parametrize('text', NEGATIVES, ids=range(len(NEGATIVES)))
def test_hard_negative_is_quiet(text: str) -> None:
    assert _rules(text) == []


def test_a_fake_is_deterministic_and_drawn_from_its_alphabet() -> None:
    parts = ('token: ', (HEX, 40), '-', (DIGITS, 6))
    assert str(Fake(*parts)) == fake(*parts) == fake(*parts)  # a rule table's lazy example is the same text
    value = fake(*parts)
    assert value.startswith('token: ') and value[47] == '-' and len(value) == 54
    assert set(value[7:47]) <= set(HEX) and value[48:].isdigit()


def test_pgpass_rule_only_reads_pgpass_files() -> None:
    line = f'db.internal:5432:app:app_user:{PW}'
    assert _rules(line, '.pgpass') == ['pgpass-password']
    assert _rules(line, 'notes.txt') == []


def test_provider_rule_wins_over_generic_on_the_same_value() -> None:
    text = str(CrcFake('gh' + 'p_', before='GITHUB_TOKEN = "', after='"'))
    assert _rules(text) == ['github-token']


def test_several_secrets_on_one_line_are_all_masked_in_the_excerpt() -> None:
    ghp = str(CrcFake('gh' + 'p_'))
    findings, _ = SCANNER.scan(Document('a.py', f'cfg = {{"password": "{PW}", "token": "{ghp}"}}'))
    assert sorted(f.rule for f in findings) == ['generic-secret', 'github-token']
    for finding in findings:
        assert PW not in finding.excerpt and ghp not in finding.excerpt
        assert PW[4:] not in finding.excerpt and ghp[4:] not in finding.excerpt


def test_inline_allow_markers_suppress_a_secret() -> None:
    assert _rules(f'password = "{PW}"  # pragma: allowlist secret') == []
    assert _rules(f'password = "{PW}"  # guard: allow secret') == []


def test_no_output_format_contains_a_planted_secret(tmp_path: Path) -> None:
    """guard as a real process, every format: the raw values never appear, only masked prefixes."""
    for i, (_, path, text) in enumerate(POSITIVES):
        write(tmp_path, f'case{i}/{path}', text + '\n')
    values = [PW, TOKEN, PEM_BODY.split('\n')[0], fake((BASE64, 40))]
    for fmt in ('json', 'text', 'sarif'):
        result = run_guard('scan', tmp_path, '--only', 'secret', '--format', fmt, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        for value in values:
            assert value not in result.stdout and value[4:] not in result.stdout
    report = json.loads(run_guard('scan', tmp_path, '--only', 'secret', '--format', 'json', cwd=tmp_path).stdout)
    found = {(Path(f['path']).parts[0], f['rule']) for f in report['findings']}
    assert {(f'case{i}', rule) for i, (rule, _, _) in enumerate(POSITIVES)} <= found
