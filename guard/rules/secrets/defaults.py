"""The insecure-default rule: a credential given as the fallback of an environment lookup.

`os.getenv("DB_PASSWORD", "rec_io_password")` is what the app runs with wherever the variable is
missing: a fresh deploy, a test box, a typo in the unit file. Nobody notices, because it works. So the
default is reported whatever it looks like; a placeholder (`INSECURE_DEV_SECRET_CHANGE_IN_PRODUCTION`)
is no better than a real password here, since it is the password every such deploy shares.

The lookups: Python `os.getenv` / `os.environ.get` / `setdefault` with a default or `… or "x"`,
django-environ and python-decouple `default=`, JavaScript `process.env.X || "x"` (and `??`), Ruby
`ENV.fetch`, PHP `$_ENV[…] ?? …`, Java `System.getenv().getOrDefault`, and `${X:-x}` / `${X-x}` /
`${X:=x}` in shell and compose files (`${x.y:z}` in Spring). A credential is a variable whose name
says so (`names_a_secret`) or any default URL with a password in it.
"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex
from guard.rules.base import Rule
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.generic import names_a_secret

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

_NAME = r'[A-Za-z_][\w.\-]*'
# Space between the parts of a lookup: black splits a long call over lines, one newline at a time, and a
# bounded count keeps the rule on the lines around its keyword (the scanner's windows).
_WS = r'[ \t]*(?:\r?\n[ \t]*)?'
# A call whose second argument is the default: `os.getenv("X", "d")`, `ENV.fetch('X', 'd')`, Go helpers
# (`getEnv("X", "d")`, `envOr`, `lookupEnvOrDefault`).
_CALL_DEFAULT = (
    r'\b(?:getenv(?:\(\)\.getOrDefault)?|[gG]et[eE]nv\w*|[eE]nv[oO]r\w*|[lL]ookup[eE]nv\w*|environ\.get'
    rf'|environ\.setdefault|ENV\.fetch)\({_WS}'
    rf'(?P<q1>["\'])(?P<n1>{_NAME})(?P=q1){_WS},{_WS}(?:default{_WS}={_WS})?'
)
# Settings helpers whose positional second argument is not the default: only `default=` counts.
_KEYWORD_DEFAULT = (
    rf'\b(?:config|env(?:\.str)?)\({_WS}'
    rf'(?P<q2>["\'])(?P<n2>{_NAME})(?P=q2){_WS},{_WS}default{_WS}={_WS}'
)
# A lookup, then a fallback operator: `os.getenv("X") or "d"`, `process.env.X || "d"`, `$_ENV['X'] ?? 'd'`.
_FALLBACK = (
    rf'(?:\b(?:getenv|environ\.get)\({_WS}(?P<q3>["\'])(?P<n3>' + _NAME + rf')(?P=q3){_WS}\)'
    r'|\b(?:process|meta)\.env\.(?P<n4>\w+)'
    r'|(?:\b(?:process\.env|ENV)|\$_ENV|\$_SERVER)\[[ \t]*(?P<q5>["\'`])(?P<n5>' + _NAME + r')(?P=q5)[ \t]*\])'
    rf'{_WS}(?:\|\||\?\?|\?:|\bor\b){_WS}'
)
# `${X:-d}`, `${X-d}`, `${X:=d}`; Spring's `${x.y:d}`, but not `${X:?err}`, `${X:+alt}` nor bash's `${X:2:4}`.
_SHELL = rf'\$\{{(?P<n6>{_NAME})(?::?[-=]|:(?![-=?+\s}}])(?!\d+(?::\d+)?\}}))'
# Other languages' fallbacks: Go's `cmp.Or(os.Getenv("X"), "d")`, C#'s `GetEnvironmentVariable("X") ?? "d"`,
# Rust's `env::var("X").unwrap_or("d".into())` / `.unwrap_or_else(|_| String::from("d"))`, Java's
# `Optional.ofNullable(System.getenv("X")).orElse("d")`, Ruby's block `ENV.fetch('X') { 'd' }` (`{ |k| 'd' }`, `do 'd' end`).
_OTHER = (
    rf'\bcmp\.Or\({_WS}os\.Getenv\({_WS}"(?P<n7>{_NAME})"{_WS}\){_WS},{_WS}'
    rf'|\bGetEnvironmentVariable\({_WS}"(?P<n8>{_NAME})"{_WS}\){_WS}\?\?{_WS}'
    rf'|\benv::var\({_WS}"(?P<n9>{_NAME})"{_WS}\){_WS}\.unwrap_or(?:_else)?\({_WS}(?:\|\w*\|{_WS})?(?:String::from\({_WS})?'
    rf'|\bgetenv\({_WS}"(?P<n10>{_NAME})"{_WS}\){_WS}\){_WS}\.orElse(?:Get)?\({_WS}(?:\(\){_WS}->{_WS})?'
    rf'|\bENV\.fetch\({_WS}(?P<q11>["\'])(?P<n11>{_NAME})(?P=q11){_WS}\)[ \t]*(?:\{{|do\b){_WS}(?:\|\w*\|{_WS})?'
)
# The default: a quoted literal (f-strings and raw strings too), or in shell an unquoted word that is not
# another `$VAR` nor Spring's `#{null}`.
_VALUE = (
    r'(?(n6)(?P<sq>["\']?)|(?:[fFrRbuU]{1,2})?(?P<q>["\'`]))'
    r'(?P<value>(?(n6)[^{}\s"\'$]|[^"\'`\n]){1,200})'
    r'(?(n6)(?P=sq)\}|(?P=q))'
)
_PATTERN = f'(?:{_CALL_DEFAULT}|{_KEYWORD_DEFAULT}|{_FALLBACK}|{_SHELL}|{_OTHER}){_VALUE}'

_URL_PASSWORD = LazyRegex(r'://[^\s:/@]*:[^\s/@]+@')
_NOT_CREDENTIALS = frozenset({'true', 'false', 'yes', 'no', 'on', 'off', 'none', 'null', 'nil', 'undefined'})
_NAME_GROUPS = ('n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n11')


def _not_a_credential(match: re.Match[str], text: str) -> str | None:
    """Keep defaults of secret-named variables and defaults that are URLs with a password; drop the rest."""
    value = match['value']
    if value.lower() in _NOT_CREDENTIALS:
        return 'a flag, not a credential'
    after = text[match.end() : match.end() + 12].lstrip(' \t')
    if after.startswith(('%', '+', '.format(')) and not after.startswith('+='):
        return 'built at run time from its arguments'  # '%s/key' % (a, b), "x" + y
    name = next(match[g] for g in _NAME_GROUPS if match[g] is not None)
    if names_a_secret(name) or _URL_PASSWORD.search(value):
        return None
    return 'not a credential variable'


RULES = (
    Rule(
        id='insecure-default-secret',
        category='secret',
        severity='error',
        why='A credential given as the default of an environment lookup: wherever the variable is missing, '
        'the app quietly runs with this known value.',
        fix='Drop the default and fail at start-up when the variable is missing: os.environ["DB_PASSWORD"] in Python, '
        '${DB_PASSWORD:?must be set} in shell and compose files, throw when process.env.X is undefined.',
        pattern=_PATTERN,
        keywords=(
            'getenv',
            'environ.',
            'env.fetch',
            'config(',
            'env(',
            'env.str(',
            'process.env',
            'meta.env',
            'env[',
            '_server[',
            '${',
            'envor',
            'lookupenv',
            'env::var',
            'getenvironmentvariable',
        ),
        filters=(_not_a_credential,),
        examples_bad=(
            'DB_PASSWORD = os.getenv("DB_PASSWORD", "rec_io_password")',
            'SECRET = os.environ.get("AUTH_JWT_SECRET", "INSECURE_DEV_SECRET_CHANGE_IN_PRODUCTION")',
            Fake('jwt_secret = os.getenv("JWT_SECRET") or "', (ALNUM, 24), '"'),
            'psql "postgresql://trader:${DB_PASSWORD:-trader123}@db/app"',
            '      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}',
            "const secret = process.env.SESSION_SECRET || 'keyboard cat';",
            'const token = process.env["API_TOKEN"] ?? "dev-token";',
            "SECRET_KEY = config('SECRET_KEY', default='django-insecure-0x9f')",
            "password = ENV.fetch('DB_PASSWORD', 'rails')",
            "password = ENV.fetch('DB_PASSWORD') { 'rails' }",
            "DB_PASSWORD = ENV.fetch('DB_PASSWORD') do\n  'rails'\nend",
            Fake('DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://app:', (ALNUM, 12), '@localhost/app")'),
            'DB_PASSWORD = os.environ.get(\n    "DB_PASSWORD",\n    "rec_io_password",\n)',
            'PG_PW = os.getenv("PG_PW", f"trader{YEAR}")',
            'var pw = Environment.GetEnvironmentVariable("DB_PASSWORD") ?? "postgres123";',
            'let pw = env::var("DB_PASSWORD").unwrap_or("postgres123".to_string());',
            'let pw = env::var("DB_PASSWORD").unwrap_or_else(|_| String::from("postgres123"));',
            'String pw = Optional.ofNullable(System.getenv("DB_PASSWORD")).orElse("postgres123");',
            'pw := cmp.Or(os.Getenv("DB_PASSWORD"), "postgres123")',
            'password := getEnv("DB_PASSWORD", "postgres123")',
        ),
        examples_good=(
            'PORT = os.getenv("PORT", "8000")',
            'password = os.getenv("DB_PASSWORD")',
            'password = os.environ["DB_PASSWORD"]',
            'token = os.getenv("API_TOKEN", "")',
            'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}',
            'password: ${DB_PASSWORD}',
            'pw = "${DB_PASSWORD:-$FALLBACK_PASSWORD}"',
            'url = os.getenv("TOKEN_URL", "https://auth.internal/token")',
            'use_token = os.getenv("USE_TOKEN", "false")',
            'host = process.env.DB_HOST || "localhost"',
            'echo "${PASSWORD:+set}"',
            'SECRET_KEY = env("SECRET_KEY", str)',
            'password: ${DB_PASSWORD:#{null}}',
            "password = ENV.fetch('DB_PASSWORD') { raise 'DB_PASSWORD is not set' }",
            "port = ENV.fetch('PORT') { '3000' }",
        ),
    ),
)
