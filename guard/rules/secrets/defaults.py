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
# A call whose second argument is the default: `os.getenv("X", "d")`, `ENV.fetch('X', 'd')`.
_CALL_DEFAULT = (r'\b(?:getenv(?:\(\)\.getOrDefault)?|environ\.get|environ\.setdefault|ENV\.fetch)\([ \t]*'
                 rf'(?P<q1>["\'])(?P<n1>{_NAME})(?P=q1)[ \t]*,[ \t]*(?:default[ \t]*=[ \t]*)?')
# Settings helpers whose positional second argument is not the default: only `default=` counts.
_KEYWORD_DEFAULT = (r'\b(?:config|env(?:\.str)?)\([ \t]*'
                    rf'(?P<q2>["\'])(?P<n2>{_NAME})(?P=q2)[ \t]*,[ \t]*default[ \t]*=[ \t]*')
# A lookup, then a fallback operator: `os.getenv("X") or "d"`, `process.env.X || "d"`, `$_ENV['X'] ?? 'd'`.
_FALLBACK = (r'(?:\b(?:getenv|environ\.get)\([ \t]*(?P<q3>["\'])(?P<n3>' + _NAME + r')(?P=q3)[ \t]*\)'
             r'|\b(?:process|meta)\.env\.(?P<n4>\w+)'
             r'|(?:\b(?:process\.env|ENV)|\$_ENV|\$_SERVER)\[[ \t]*(?P<q5>["\'`])(?P<n5>' + _NAME + r')(?P=q5)[ \t]*\])'
             r'[ \t]*(?:\|\||\?\?|\?:|\bor\b)[ \t]*')
# `${X:-d}`, `${X-d}`, `${X:=d}`; Spring's `${x.y:d}`, but not `${X:?err}`, `${X:+alt}` nor bash's `${X:2:4}`.
_SHELL = rf'\$\{{(?P<n6>{_NAME})(?::?[-=]|:(?![-=?+\s}}])(?!\d+(?::\d+)?\}}))'
# The default: a quoted literal, or in shell an unquoted word that is not another `$VAR` nor Spring's `#{null}`.
_VALUE = (r'(?(n6)(?P<sq>["\']?)|(?P<q>["\'`]))'
          r'(?P<value>(?(n6)[^{}\s"\'$]|[^"\'`\n]){1,200})'
          r'(?(n6)(?P=sq)\}|(?P=q))')
_PATTERN = f'(?:{_CALL_DEFAULT}|{_KEYWORD_DEFAULT}|{_FALLBACK}|{_SHELL}){_VALUE}'

_URL_PASSWORD = LazyRegex(r'://[^\s:/@]*:[^\s/@]+@')
_NOT_CREDENTIALS = frozenset({'true', 'false', 'yes', 'no', 'on', 'off', 'none', 'null', 'nil', 'undefined'})
_NAME_GROUPS = ('n1', 'n2', 'n3', 'n4', 'n5', 'n6')


def _not_a_credential(match: re.Match[str], text: str) -> str | None:
    """Keep defaults of secret-named variables and defaults that are URLs with a password; drop the rest."""
    value = match['value']
    if value.lower() in _NOT_CREDENTIALS:
        return 'a flag, not a credential'
    name = next(match[g] for g in _NAME_GROUPS if match[g] is not None)
    if names_a_secret(name) or _URL_PASSWORD.search(value):
        return None
    return 'not a credential variable'


RULES = (
    Rule(
        id='insecure-default-secret', category='secret', severity='error',
        why='A credential given as the default of an environment lookup: wherever the variable is missing, '
            'the app quietly runs with this known value.',
        fix='Drop the default and fail at start-up when the variable is missing: os.environ["DB_PASSWORD"] in Python, '
            '${DB_PASSWORD:?must be set} in shell and compose files, throw when process.env.X is undefined.',
        pattern=_PATTERN,
        keywords=('getenv', 'environ.', 'env.fetch', 'config(', 'env(', 'env.str(', 'process.env', 'meta.env', 'env[',
                  '_server[', '${'),
        filters=(_not_a_credential,),
        examples_bad=('DB_PASSWORD = os.getenv("DB_PASSWORD", "rec_io_password")',
                      'SECRET = os.environ.get("AUTH_JWT_SECRET", "INSECURE_DEV_SECRET_CHANGE_IN_PRODUCTION")',
                      Fake('jwt_secret = os.getenv("JWT_SECRET") or "', (ALNUM, 24), '"'),
                      'psql "postgresql://trader:${DB_PASSWORD:-trader123}@db/app"',
                      '      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}',
                      "const secret = process.env.SESSION_SECRET || 'keyboard cat';",
                      'const token = process.env["API_TOKEN"] ?? "dev-token";',
                      "SECRET_KEY = config('SECRET_KEY', default='django-insecure-0x9f')",
                      "password = ENV.fetch('DB_PASSWORD', 'rails')",
                      Fake('DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://app:', (ALNUM, 12), '@localhost/app")')),
        examples_good=('PORT = os.getenv("PORT", "8000")', 'password = os.getenv("DB_PASSWORD")',
                       'password = os.environ["DB_PASSWORD"]', 'token = os.getenv("API_TOKEN", "")',
                       'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}', 'password: ${DB_PASSWORD}',
                       'pw = "${DB_PASSWORD:-$FALLBACK_PASSWORD}"', 'url = os.getenv("TOKEN_URL", "https://auth.internal/token")',
                       'use_token = os.getenv("USE_TOKEN", "false")', 'host = process.env.DB_HOST || "localhost"',
                       'echo "${PASSWORD:+set}"', 'SECRET_KEY = env("SECRET_KEY", str)', 'password: ${DB_PASSWORD:#{null}}'),
    ),
)
