"""Passwords inside URLs: database and broker URLs, basic-auth URLs; and .pgpass lines.

Database and broker URLs come in many spellings; each is a credential: password-only userinfo
(`redis://:pw@host`, Redis's standard form), driver suffixes (`postgresql+psycopg2://`), `+srv`,
TLS schemes (`rediss://`, `amqps://`), unix-socket hosts (`postgresql://u:pw@/db?host=/run/postgresql`).
Passwords given as `password=` parameters (JDBC queries, libpq and ODBC strings) are conninfo.py's.
"""

from __future__ import annotations

from guard.rules.base import Rule
from guard.rules.base import ignorecase_folded
from guard.rules.secrets import filters
from guard.rules.secrets.credentials import percent_decoded
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import Fake

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

    from guard.rules.base import Filter

_SCHEMES = (
    r'postgres(?:ql)?|postgis|psql|pgsql|mysql|mysqlx|mariadb|mongodb(?:\+srv)?|redis|rediss|valkey|amqps?|mssql|sqlserver'
    r'|oracle|clickhouse|cockroachdb|couchdb|couchbase|cassandra|neo4j(?:\+s)?|bolt|db2|snowflake|sybase|firebird'
    r'|memcached|elasticsearch|influxdb|nats|kafka|ldaps?|sqlalchemy'
)
# Stand-ins seen in documentation: Django's USER:PASSWORD, `user:pass`. SQLAlchemy's scott:tiger only with its
# user: `tiger` under another user is somebody's password (`postgresql://app:tiger@db`).
_DOC_PASSWORDS = frozenset(
    {
        'pass',
        'password',
        'passwd',
        'pwd',
        'pw',
        'secret',
        'changeme',
        'p',
        'x',
        'foo',
        'bar',
        'test',
        'testing',
        'admin',
        'root',
        'guest',
        'example',
        'mypassword',
        'yourpassword',
        'pass123',
    }
)


def _url_password_noise(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    lower = value.lower()
    user = text[match.start() + 3 : match.start('value') - 1]
    if len(value) < 2:
        return 'too short'
    words = ''.join(c if c.isalnum() else ' ' for c in percent_decoded(lower)).split()
    if words and all(
        w in _DOC_PASSWORDS or w in ('a', 'an', 'the', 'my', 'your', 'very', 'super', 'top') for w in words
    ):
        return 'documentation stand-in'  # `pass%20pass`, `a%20secret`, `my-password`
    if (
        lower in _DOC_PASSWORDS
        or filters.is_metavar(value, readable=False)
        or (user == 'scott' and lower.startswith('tiger'))
    ):
        return 'documentation stand-in'  # scott:tiger^5HHH is SQLAlchemy's documentation login
    if filters.is_placeholder(value) or _code_in_url(value):
        return 'placeholder or code'
    head, slash, _ = value.partition('/')
    if slash and (head.isdigit() or not head):
        return 'a port and a path, not a password'  # https://host:8080/users/a@b
    return None


def _code_in_url(value: str) -> bool:
    """`{pw}`, `${PW}`, `%(pw)s`, `{{ .Password }}`, `%s`: a field filled at run time, the whole value or a part of it."""
    return any(mark in value for mark in ('${', '{{', '%(', '%s')) or (value[:1] == '{' and value[-1:] == '}')


def _scheme_filter(schemes: str) -> Filter:
    """Keep a `://user:pass@` match only when the scheme right before it is one of `schemes`.

    The patterns start at the literal `://`, which `re` finds with a fast substring search; looking
    back for the scheme here is much cheaper than a pattern that starts with a list of schemes. The
    look back is string tests, as `re.search(r'(?i)(?:^|[^\\w+.-])(?:jdbc:)?(?:SCHEMES)(?:\\+[\\w-]+)?$',
    text, start, end)` over the 40 characters before `://` (no pattern to compile, ~0.9 ms, on a commit
    whose docs show a database URL).
    """
    # Worked out at the first candidate (~0.3 ms for both lists): `://` alone, on most commits, imports this module.
    known: list[tuple[str, ...]] = []

    def other_scheme(match: re.Match[str], text: str) -> str | None:
        if not known:
            known.append(scheme_spellings(schemes))  # twice from two threads gives the same tuple
        spellings = known[0]
        end = match.start()
        start = max(0, end - 40)
        ends = (end, end - 1) if end > start and text[end - 1] == '\n' else (end,)  # `$` before a final newline
        return None if any(_scheme_ends_at(text, start, e, spellings) for e in ends) else 'another scheme'

    return other_scheme


def _scheme_ends_at(text: str, start: int, end: int, spellings: tuple[str, ...]) -> bool:
    """Whether text[start:end] ends with a scheme (maybe after `jdbc:`, maybe with a `+driver`) that starts
    a token: at the text's start, or after a character other than a letter, digit, `_`, `+`, `.`, `-`."""
    segment = text[start:end]
    folded = ignorecase_folded(segment)  # as long as `segment`: İ is replaced before lowering
    cuts = [len(segment)] + [i for i, c in enumerate(segment) if c == '+' and _driver_suffix(segment[i + 1 :])]
    for cut in cuts:
        for spelling in spellings:
            if not folded.endswith(spelling, 0, cut):
                continue
            begin = cut - len(spelling)
            begins = (begin, begin - 5) if folded.endswith('jdbc:', 0, begin) else (begin,)
            if any(_token_start(segment, b, at_text_start=start == 0) for b in begins):
                return True
    return False


def _driver_suffix(chars: str) -> bool:
    return bool(chars) and all(c.isalnum() or c in '_-' for c in chars)


def _token_start(segment: str, begin: int, *, at_text_start: bool) -> bool:
    if begin == 0:
        return at_text_start
    before = segment[begin - 1]
    return not (before.isalnum() or before in '_+.-')


def scheme_spellings(schemes: str) -> tuple[str, ...]:
    """Every spelling of an alternation of schemes, lower case: `postgres(?:ql)?|amqps?|socks[45]` ->
    postgres, postgresql, amqp, amqps, socks4, socks5. Knows literals, `\\+`, `x?`, `(?:…)?` and `[…]`."""
    spellings: list[str] = []
    for alternative in schemes.split('|'):
        forms = ['']
        i = 0
        while i < len(alternative):
            if alternative.startswith('(?:', i):
                close = alternative.index(')', i)
                options = [alternative[i + 3 : close].replace('\\', '')]
                i = close + 1
            elif alternative[i] == '[':
                close = alternative.index(']', i)
                options = list(alternative[i + 1 : close])
                i = close + 1
            else:
                options = [alternative[i + 1]] if alternative[i] == '\\' else [alternative[i]]
                i += 2 if alternative[i] == '\\' else 1
            if alternative[i : i + 1] == '?':
                options.append('')
                i += 1
            forms = [form + option for form in forms for option in options]
        spellings.extend(forms)
    return tuple(dict.fromkeys(spellings))


def _pgpass_noise(match: re.Match[str], text: str) -> str | None:
    return 'placeholder' if filters.is_placeholder(match['value']) else None


_WEB_SCHEMES = (
    r'https?|ftps?|sftp|ssh|git|svn|smtps?|imaps?|pop3s?|wss?|s3|rsync|socks[45]h?|ldaps?|nntp|rtsps?|rtmps?'
    r'|mqtts?|smb|cifs|vnc|xmpp|sips?'
)
_USER_CHAR = r'[^\s:/@"\'`<>]'
# People put `@`, `:` and `/` in passwords unencoded (`Admin@123`): the userinfo ends at the last `@` before
# the host. After an `@` inside the password no `/` may follow, so `pw@host/path@x` ends at the first one.
# Possessive runs: no run of a class without `@` can end anywhere but before an `@` or its limit, so
# giving one back never helps; backtracking into them made `a://:` repeated over 1 MB take seconds.
_URL_PASSWORD = r'(?P<value>[^\s@"\'`<>?]{1,200}+(?:@[^\s@"\'`<>?/]*+){0,4}(?<=[^@]))'
_USERINFO = _USER_CHAR + '++:' + _URL_PASSWORD + '@'
# Database URLs may leave the user out (`redis://:pw@host`) and the host too: a unix socket comes as
# `@/db?host=/run/postgresql` or percent-encoded (`@%2Frun%2Fpostgresql/db`).
_DB_USERINFO = _USER_CHAR + '*+:' + _URL_PASSWORD + '@'
# The host may be a template's field, filled at run time: f"…@{DB_HOST}/db", `${host}`, `{{ db_host }}`, `#{host}`,
# `"…@{}:5432".format(h)`; the password before it is as written.
_DB_HOST = r'(?:[\w.\-\[\]%:]+|/|[$#]?\{)'

RULES = (
    Rule(
        id='database-url-password',
        category='secret',
        severity='error',
        why="A database or broker URL with a password (user:pw@, Redis's :pw@, +driver, +srv, TLS and unix-socket forms) "
        'gives anyone who reads it access to the database.',
        fix='Remove the password from the URL and read the whole URL from an environment variable (DATABASE_URL).',
        pattern=r'://' + _DB_USERINFO + _DB_HOST,
        keywords=('://',),
        filters=(_scheme_filter(_SCHEMES), _url_password_noise),
        examples_bad=(
            Fake('DATABASE_URL=postgresql://app:', (ALNUM, 16), '@db.internal:5432/prod'),
            Fake('SQLALCHEMY_DATABASE_URI = "mysql+pymysql://root:', (ALNUM, 14), '@10.0.3.17/orders"'),
            Fake('MONGO_URI=mongodb+srv://svc:', (ALNUM, 12), '@cluster0.mongodb.net/app'),
        ),
        examples_good=(
            'DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/prod',
            'url = os.getenv("DATABASE_URL")',
            'engine = create_engine("postgresql://scott:tiger@localhost/test")',
            'DATABASES = "postgres://USER:PASSWORD@HOST:PORT/NAME"',
        ),
    ),
    Rule(
        id='basic-auth-url',
        category='secret',
        severity='error',
        why='A URL with user:password@ sends the password to every log, proxy and person that sees the URL.',
        fix='Drop the credentials from the URL; pass them from the environment or a credential helper.',
        pattern=r'://' + _USERINFO + r'(?:[\w.\-]+|[$#]?\{)',
        keywords=('://',),
        filters=(_scheme_filter(_WEB_SCHEMES), _url_password_noise),
        examples_bad=(
            Fake('pip install --index-url https://deploy:', (ALNUM, 18), '@pypi.internal.example/simple pkg'),
        ),
        examples_good=(
            'proxy = "http://user:pass@proxy:3128"',
            'url = "https://user:${TOKEN}@github.com/org/repo.git"',
            'see https://github.com/org/repo@v1.2',
        ),
    ),
    Rule(
        id='go-dsn-password',
        category='secret',
        severity='error',
        why='A Go database DSN (user:password@tcp(host)/db, as go-sql-driver/mysql takes it) with its password: '
        'anyone who reads it can log in to the database.',
        fix='Build the DSN at run time from the environment (mysql.Config{Passwd: os.Getenv("DB_PASSWORD")}).',
        # The password runs to the `@` right before the protocol, so it may hold `@` and `:` itself.
        pattern=r'(?<![\w.\-:/@])[\w.\-]+:(?P<value>[^\s"\'`]{1,200}?)@(?:tcp|tcp6|unix|udp)\(',
        keywords=('@tcp(', '@tcp6(', '@unix(', '@udp('),
        filters=(_url_password_noise,),
        examples_bad=(
            'dsn := "trader:Admin@123@tcp(192.168.86.42:3306)/trading"',
            'DSN=app:postgres123@tcp(db:3306)/app',
            Fake('db, err := sql.Open("mysql", "app:', (ALNUM, 14), '@unix(/run/mysqld.sock)/app")'),
        ),
        examples_good=(
            'dsn := "user:password@tcp(localhost:3306)/dbname"',
            'dsn := fmt.Sprintf("%s:%s@tcp(%s)/%s", u, p, h, d)',
            'DSN=app:${DB_PASSWORD}@tcp(db:3306)/app',
        ),
    ),
    Rule(
        id='pgpass-password',
        category='secret',
        severity='error',
        why='A .pgpass line holds a PostgreSQL password in plain text.',
        fix='Keep .pgpass in your home directory with mode 0600 and out of the repository.',
        pattern=r'(?m)^[^:\s#]+:(?:\d+|\*):[^:\s]+:[^:\s]+:(?P<value>\S{2,})$',
        keywords=(':',),
        path_pattern=r'(?:^|/)\.?pgpass$',
        path_words=('pgpass',),
        filters=(_pgpass_noise,),
        examples_bad=(Fake('db.internal:5432:app:app_user:', (ALNUM, 16)),),
        examples_good=('# hostname:port:database:username:password', 'localhost:5432:*:postgres:<password>'),
    ),
)
