"""Cloud and AI provider credentials: AWS, Google, Azure, Alibaba, DigitalOcean, Heroku, OpenAI, Anthropic …"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex
from guard.rules.base import Rule
from guard.rules.secrets import filters
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import BASE64
from guard.rules.secrets.fakes import HEX
from guard.rules.secrets.fakes import LOWER
from guard.rules.secrets.fakes import URLSAFE
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.table import FIX_ROTATE
from guard.rules.secrets.table import token_rule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

_UPPER = LazyRegex(r'[A-Z]')
_LOWER = LazyRegex(r'[a-z]')
_DIGIT_OR_BASE64_SYMBOL = LazyRegex(r'[0-9+/]')
_MIXED_CASE = LazyRegex(r'[A-Z].*[a-z]|[a-z].*[A-Z]')


def _aws_secret_noise(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    if filters.documented_example(value) or filters.is_repetitive(value):
        return 'documented example key'
    if not (_UPPER.search(value) and _LOWER.search(value) and _DIGIT_OR_BASE64_SYMBOL.search(value)):
        return 'not base64 of random bytes'
    return None


def _uuid_noise(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    return 'placeholder' if filters.is_repetitive(value.replace('-', '')) or value.startswith('00000000') else None


# The AWS secret key has no prefix: it is a 40-character base64 string, found by the name it is given.
_AWS_SECRET = (
    r'(?i:(?:aws|amazon|amzn)[\w.\-]{0,40}?(?:secret|private|sk|key)[\w.\-]{0,30}?|secret[_.\-]?access[_.\-]?key[\w.\-]{0,10}?)'
    r'(?:\\{0,3}["\'])?\]?[ \t]*(?::=|=>|=|:|,)[ \t]*(?:\\{0,3}["\'`])?'
    r'(?<![A-Za-z0-9/+])(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])'
)

RULES = (
    token_rule(
        'aws-access-key-id',
        'An AWS access key id (it is half of a key pair that opens the account)',
        r'(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9]|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}',
        ('akia', 'asia', 'abia', 'acca', 'a3t', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva', 'apka'),
        (Fake('aws_access_key_id = AK', 'IA', ('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)),),
        ('aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'AKIA_PREFIX = "AKIA"'),
        extra=(lambda m, t: 'not random' if filters.is_repetitive(m['value'][4:]) else None,),
    ),
    Rule(
        id='aws-secret-access-key',
        category='secret',
        severity='error',
        why='An AWS secret access key: with its key id it signs any API call the account allows.',
        fix=FIX_ROTATE,
        pattern=_AWS_SECRET,
        entropy=4.0,
        keywords=('aws', 'amazon', 'amzn', 'secretaccess', 'secret_access', 'secret-access', 'secret.access'),
        filters=(_aws_secret_noise,),
        examples_bad=(Fake('AWS_SECRET_ACCESS_KEY=', (BASE64, 40)), Fake('"secretAccessKey" : "', (BASE64, 40), '"')),
        examples_good=(
            'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
            'aws_secret_access_key = os.environ["AWS_SECRET_ACCESS_KEY"]',
        ),
    ),
    token_rule(
        'google-api-key',
        'A Google API key',
        r'AIza[A-Za-z0-9_\-]{35}',
        ('aiza',),
        (Fake('  google_api_key: AI', 'za', (URLSAFE, 35)),),
        ('  google_api_key: AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',),
    ),
    token_rule(
        'google-oauth-secret',
        'A Google OAuth client secret or access token',
        r'(?:GOCSPX-[A-Za-z0-9_\-]{28}|ya29\.[A-Za-z0-9_\-]{30,400})',
        ('gocspx-', 'ya29.'),
        (Fake('client_secret = "GOC', 'SPX-', (URLSAFE, 28), '"'),),
        ('client_secret = "GOCSPX-<secret>"',),
    ),
    token_rule(
        'azure-storage-key',
        'An Azure storage account key (in a connection string or on its own)',
        r'(?i:AccountKey|SharedAccessKey|azure[\w.\-]{0,30}key)[\w.\-]{0,10}["\']?[ \t]*[=:][ \t]*["\']?(?P<value>[A-Za-z0-9+/]{40,88}={0,2})',
        ('accountkey', 'sharedaccesskey', 'azure'),
        (
            Fake(
                'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=',
                (BASE64, 86),
                '==;EndpointSuffix=core.windows.net',
            ),
        ),
        ('DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=<key>',),
        bounded=False,
    ),
    token_rule(
        'azure-ad-client-secret',
        'An Azure AD (Entra ID) application client secret',
        r'[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}',
        ('q~',),
        (Fake('AZURE_CLIENT_SECRET=', (ALNUM, 3), '8Q~', (ALNUM, 34)),),
        ('AZURE_CLIENT_SECRET=xxx8Q~',),
    ),
    token_rule(
        'alibaba-access-key',
        'An Alibaba Cloud / Tencent Cloud access key id',
        r'(?:LTAI[A-Za-z0-9]{12,20}|AKID[A-Za-z0-9]{32})',
        ('ltai', 'akid'),
        (Fake('ALIBABA_ACCESS_KEY_ID=LT', 'AI', (ALNUM, 20)),),
        ('ALIBABA_ACCESS_KEY_ID=LTAIxxxxxxxxxxxxxxxxxxxx',),
    ),
    token_rule(
        'digitalocean-token',
        'A DigitalOcean API / OAuth token',
        r'do[opr]_v1_[a-f0-9]{64}',
        ('dop_v1_', 'doo_v1_', 'dor_v1_'),
        (Fake('DO_TOKEN=do', 'p_v1_', (HEX, 64)),),
        ('DO_TOKEN=dop_v1_xxxx',),
    ),
    token_rule(
        'heroku-api-key',
        'A Heroku API key',
        r'(?i:heroku)[\w.\-]{0,30}(?:\\?["\'])?[ \t]*(?::{1,3}=|[?.+]?=|=>|:|,)[ \t]*(?:\\?["\'`])?'
        r'(?P<value>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|HRKU-[A-Za-z0-9_\-]{58,64})',
        ('heroku',),
        (Fake('HEROKU_API_KEY=', (HEX, 8), '-', (HEX, 4), '-', (HEX, 4), '-', (HEX, 4), '-', (HEX, 12)),),
        ('HEROKU_API_KEY=00000000-0000-0000-0000-000000000000',),
        extra=(_uuid_noise,),
        bounded=False,
    ),
    token_rule(
        'openai-api-key',
        'An OpenAI API key',
        r'sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_\-]{16,200}T3BlbkFJ[A-Za-z0-9_\-]{16,200}|sk-proj-[A-Za-z0-9_\-]{40,200}'
        r'|sk-or-v1-[a-f0-9]{64}',
        ('t3blbkfj', 'sk-proj-', 'sk-or-v1-'),
        (
            Fake('OPENAI_API_KEY=sk', '-proj-', (URLSAFE, 74), 'T3Blb', 'kFJ', (URLSAFE, 74)),
            Fake('openai.api_key = "sk', '-', (ALNUM, 20), 'T3Blb', 'kFJ', (ALNUM, 20), '"'),
        ),
        ('OPENAI_API_KEY=sk-proj-...', 'OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
    ),
    token_rule(
        'anthropic-api-key',
        'An Anthropic API key',
        r'sk-ant-(?:api|admin|sid|oat|ort)\d\d-[A-Za-z0-9_\-]{32,120}',
        ('sk-ant-',),
        (Fake('ANTHROPIC_API_KEY=sk', '-ant-api03-', (URLSAFE, 93), 'AA'),),
        ('ANTHROPIC_API_KEY=sk-ant-api03-...',),
    ),
    token_rule(
        'ai-platform-key',
        'An AI platform API key (Hugging Face, Groq, Replicate, Perplexity, xAI, Cerebras …)',
        r'(?:hf_[A-Za-z]{34,40}|api_org_[A-Za-z]{34}|gsk_[A-Za-z0-9]{52}|r8_[A-Za-z0-9]{37}|pplx-[A-Za-z0-9]{48}|xai-[A-Za-z0-9]{80}'
        r'|csk-[a-z0-9]{48}|fw_[A-Za-z0-9]{24})',
        ('hf_', 'api_org_', 'gsk_', 'r8_', 'pplx-', 'xai-', 'csk-', 'fw_'),
        (Fake('HF_TOKEN=h', 'f_', (LOWER + LOWER.upper(), 34)), Fake('GROQ_API_KEY=gs', 'k_', (ALNUM, 52))),
        ('HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',),
        extra=(
            lambda m, t: (
                None
                if not m['value'].startswith('hf_') or _MIXED_CASE.search(m['value'][3:])
                else 'not a generated token'
            ),
        ),
    ),
)
