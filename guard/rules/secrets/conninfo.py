"""Passwords given as a `password=` parameter of a connection string rather than inside a URL's userinfo.

JDBC puts them in the query (`jdbc:postgresql://h/db?user=u&password=pw`, SQL Server after `;`),
libpq takes space-separated `key=value` pairs (`host=h user=u password=pw dbname=d`, as in
`psycopg2.connect("…")` or `PGOPTIONS`), and ODBC / ADO.NET strings use `;` (`Server=h;Uid=u;Pwd=pw;`).
A bare `password=…` line is the generic rule's; this one needs a second connection key on the line,
which is what tells a connection string from a keyword argument or a settings line.
"""

from __future__ import annotations

from guard.lazy_regex import LazyRegex
from guard.rules import prose
from guard.rules.base import ignorecase_folded
from guard.rules.base import remembered
from guard.rules.secrets import filters
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.folded import CaseFoldedRule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

# The parameter starts a key: after `?`, `&`, `;`, a space, a quote or the line start (not `PGPASSWORD=`,
# `db.password=`). The value runs to the next separator; a quoted libpq value may be in single quotes.
# No spaces around `=`: libpq allows them but nobody writes them, and `password=` is a keyword the
# prefilter can look for (plain `password` is on every other line of code).
# A value followed by `,` or `)` is a keyword argument holding a variable (`password=pw)`), not a literal.
# ODBC quotes a value holding `;` in braces: `Pwd={Qz7k;P2w}`. Possessive there, and no `={` inside: a brace that
# never closes fails at the next key; unbraced, a value starting with `{` is a template the filter drops anyway (`Pwd={`
# repeated over 1.9 MB read and backtracked 200 characters at each, braced and then not: 3.7 s).
_PATTERN = (
    r'(?i)(?<![\w.\-$])(?:password|passwd|pwd)=(?:(?P<braced>\{)|(?P<q>\'))?'
    r'(?P<value>(?(braced)(?:[^}\n=]|=(?!\{)){2,200}+|(?!\{)[^\s&;\'"`,()<>]{2,200}))(?(braced)\}|(?(q)\'))(?=[\s&;\'"`}]|$)'
)
# Another key of the same string: JDBC, libpq, ODBC and ADO.NET spellings; searched in the folded text
# (base.ignorecase_folded), as IGNORECASE would find them, several times faster.
_CONNECTION_KEY = LazyRegex(
    r'(?m)jdbc:|(?:^|(?<=[\s;"\'?&]))(?:host|hostaddr|dbname|user|username|port|sslmode|server|data source|database'
    r'|uid|user id|initial catalog|service|connect_timeout)[ \t]*='
)

# How far from a password= its connection string's other keys may stand.
_REACH = 2048


def _not_a_connection_string(match: re.Match[str], text: str) -> str | None:
    # Within the line, and within _REACH of the match: a connection string is short, and reading the
    # whole of a 1 MB line for each of its matches made such a line quadratic (issue 15, item 4). The
    # keys of the text are found once; each match looks up the first one starting in its stretch.
    import bisect

    start = max(prose.line_start(text, match.start()), match.start() - _REACH)
    end = min(prose.line_end(text, match.end()), match.end() + _REACH)
    starts, ends = _keys(text)
    i = bisect.bisect_left(starts, start)
    # Keys do not overlap, so they end in the order they start: the first one in reach ends first.
    return None if i < len(starts) and ends[i] <= end else 'no other connection key on the line'


@remembered
def _keys(text: str) -> tuple[list[int], list[int]]:
    """Where the connection keys of a text start and end."""
    spans = [m.span() for m in _CONNECTION_KEY.finditer(ignorecase_folded(text))]
    return [s for s, _ in spans], [e for _, e in spans]


def _placeholder(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    if filters.is_placeholder(value) or value[0] in '$%{<*[' or filters.sample_login(value, text, match.start('value')):
        return 'placeholder or reference'
    if value[-1] in '[(' or filters.is_reference(value) or text.startswith(('[', '(', '.'), match.end('value')):
        return 'code: a subscript, call or attribute'  # password=auth_info[1], password=opts["pw"]
    return None


RULES = (
    CaseFoldedRule(
        id='connection-string-password',
        category='secret',
        severity='error',
        why='A database connection string with its password: anyone who reads it can log in to the database.',
        fix='Rotate the password, drop it from the string and let the driver read it from the environment '
        '(PGPASSWORD, a .pgpass file or the secret manager).',
        pattern=_PATTERN,
        keywords=('password=', 'passwd=', 'pwd='),
        filters=(_not_a_connection_string, _placeholder),  # the cheap test first: a 1 MB line holds 87,000 matches
        examples_bad=(
            Fake('url=jdbc:postgresql://db.internal:5432/app?user=app&password=', (ALNUM, 16)),
            Fake(
                'conn = psycopg2.connect("host=db.internal port=5432 user=app password=', (ALNUM, 14), ' dbname=app")'
            ),
            Fake('"Server=sql.internal;Database=shop;User Id=app;Password=', (ALNUM, 18), ';"'),
            Fake('dsn = "host=/run/postgresql dbname=app user=app password=\'', (ALNUM, 12), '\'"'),
        ),
        examples_good=(
            'conn = psycopg2.connect(host=host, user=user, password=password)',
            'dsn = f"host={host} user={user} password={password} dbname={db}"',
            'url=jdbc:postgresql://db:5432/app?user=app&password=${DB_PASSWORD}',
            'DSN="host=localhost user=postgres password=postgres dbname=test"',
            'export PGPASSWORD=s3cr3t',
            'db.password=changeme',
        ),
    ),
)
