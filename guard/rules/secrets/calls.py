"""Passwords passed by position to a call that logs in: `DriverManager.getConnection(url, "root", "X")`,
`new PDO(dsn, 'root', 'X')`, `mysqli_connect(host, user, 'X')`, `pymysql.connect(host, "root", "X")`,
`ftplib.FTP(host, user, "X")`, Go's `smtp.PlainAuth("", user, "X", host)` (the third argument);
`NetworkCredential("svc", "X")`, `HTTPBasicAuth("u", "X")`, `PasswordAuthentication("u", "X".toCharArray())`,
`smtp.login(user, "X")`, `auth=("u", "X")`, pika's `PlainCredentials("u", "X")`, Spring's
`UsernamePasswordAuthenticationToken("u", "X")`, ldap's `simple_bind_s(dn, "X")` (the second); Django's
`create_user(name, email, "X")` and `create_superuser`, `new Sequelize(db, user, "X")` (the third).

No name says "password" there: the call's signature does. The earlier arguments are read as simple ones
(no parentheses, no commas inside), so a call built of nested calls is not judged; the password must be a
string literal, and a placeholder there is none.
"""

from __future__ import annotations

from guard.rules.base import Rule
from guard.rules.secrets import filters

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

# Space between arguments, one line end in it at most: black, prettier and IDEs put each argument on a line.
_GAP = r'[ \t]*+(?:\r?\n[ \t]*+)?'
# One simple argument and its comma; a string literal in it may hold commas (an LDAP DN: `'cn=admin,dc=corp'`).
_ARGUMENT = r'(?:"[^"\n]{0,200}+"|\'[^\'\n]{0,200}+\')?+[^,()\n]{0,200}+,' + _GAP
_THIRD = (
    r'\b(?:getConnection|PDO|mysqli_connect|mysqli|FTP|FTP_TLS|PlainAuth|create_superuser|create_user|Sequelize'
    r'|(?:pymysql|MySQLdb|mysql\.connector|pymssql)\.connect)\(' + _GAP + _ARGUMENT + _ARGUMENT
)
_SECOND = (
    r'(?:\b(?:NetworkCredential|HTTPBasicAuth|HTTPDigestAuth|PasswordAuthentication|BasicAuth|PlainCredentials'
    r'|UsernamePasswordAuthenticationToken|simple_bind_s|simple_bind)\(|\.login\('
    r'|\bauth[ \t]*=[ \t]*[(\[])' + _GAP + _ARGUMENT
)
# A literal of any kind: Python's r"…" f"…" b"…" and triple-quoted ones, C#'s @"…", Go's and JavaScript's `…`,
# Java's text blocks (a line end after the opening quotes).
_PATTERN = (
    r'(?:' + _THIRD + r'|' + _SECOND + r')(?:[rRbBfFuU]{1,2}|@)?(?P<quote>"""|\'\'\'|["\'`])(?:\r?\n[ \t]*+)?'
    r'(?P<value>[^"\'`\n]{2,200})(?P=quote)'
)


def _placeholder(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    if filters.is_placeholder(value) or value.startswith(('$', '%', '{', '<', '*')):
        return 'placeholder or reference'
    if '{' in value and text[match.start('quote') - 1 : match.start('quote')] in ('f', 'F'):
        return 'an f-string: built at run time, not a literal'
    if filters.is_protocol_password(value) or value.lower().startswith('anonymous'):
        return "a fixed value of the protocol (anonymous FTP, GitHub's x-oauth-basic), not a password"
    before = text[match.start() : match.start('quote')].rstrip(' \t\r\n').removesuffix(',')
    user = before[max(before.rfind(','), before.rfind('(')) + 1 :]  # the argument before the password
    if ' ' in user.strip(' \t\r\n\'"'):
        return "words in the user's place: labels passed to a method, not a login"
    return None


RULES = (
    Rule(
        id='call-password',
        category='secret',
        severity='error',
        why='A password passed to a login call in the code: everyone with the repository can log in as that user.',
        fix='Rotate it, then read it at run time from the environment (os.environ["DB_PASSWORD"]) or a secret manager.',
        pattern=_PATTERN,
        keywords=(
            'getconnection(',
            'pdo(',
            'mysqli_connect(',
            'mysqli(',
            'ftp(',
            'ftp_tls(',
            'plainauth(',
            'pymysql.connect(',
            'mysqldb.connect(',
            'connector.connect(',
            'pymssql.connect(',
            'networkcredential(',
            'auth(',
            'passwordauthentication(',
            '.login(',
            'auth=',
            'auth =',
            'create_superuser(',
            'create_user(',
            'sequelize(',
            'plaincredentials(',
            'authenticationtoken(',
            'simple_bind_s(',
            'simple_bind(',
        ),
        filters=(_placeholder,),
        examples_bad=(
            'Connection c = DriverManager.getConnection("jdbc:mysql://db.internal/shop", "root", "Qz7kP2wXy9Lm4Rt");',
            "$pdo = new PDO('mysql:host=db.internal;dbname=shop', 'root', 'Qz7kP2wXy9Lm4Rt');",
            "$c = mysqli_connect('db.internal', 'root', 'Qz7kP2wXy9Lm4Rt', 'shop');",
            'var cred = new NetworkCredential("svc", "Qz7kP2wXy9Lm4Rt");',
            "server.login('alerts@corp.example', 'Qz7kP2wXy9Lm4Rt')",
            "r = requests.get(url, auth=('admin', 'Qz7kP2wXy9Lm4Rt'))",
            "db = pymysql.connect('db.internal', 'root', 'Qz7kP2wXy9Lm4Rt', 'shop')",
            "ftp = ftplib.FTP('ftp.corp.example', 'bob', 'Qz7kP2wXy9Lm4Rt')",
            'auth := smtp.PlainAuth("", "alerts@corp.example", "Qz7kP2wXy9Lm4Rt", "smtp.corp.example")',
            'return new PasswordAuthentication("svc", "Qz7kP2wXy9Lm4Rt".toCharArray());',
            "session.auth = HTTPBasicAuth('svc', 'postgres123')",
            'db = pymysql.connect(\n    "db.internal",\n    "root",\n    "Qz7kP2wXy9Lm4Rt",\n)',
            'server.login(\n    user,\n    "Qz7kP2wXy9Lm4Rt",\n)',
            'db = pymysql.connect("db", "root", r"Qz7k\\P2wXy9Lm4Rt")',
            'auth := smtp.PlainAuth("", user, `Qz7kP2wXy9Lm4Rt`, host)',
            'var cred = new NetworkCredential("svc", @"Qz7k\\P2wXy9Lm4Rt");',
            'db = pymysql.connect("db", "root", """Qz7kP2wXy9Lm4Rt""")',
            'Connection c = DriverManager.getConnection(url, "root", """\n    Qz7kP2wXy9Lm4Rt""");',
        ),
        examples_good=(
            'conn = DriverManager.getConnection(url, user, password);',
            'server.login(user, os.environ["SMTP_PASSWORD"])',
            "r = requests.get(url, auth=('admin', password))",
            "db = pymysql.connect('db.internal', 'root', '', 'shop')",
            "ftp = ftplib.FTP('ftp.corp.example', 'bob', 'your-password-here')",
            "server.login('user', '${SMTP_PASSWORD}')",
            'client.connect(host, port, timeout)',
            "page.login('admin', getpass.getpass())",
            'r = requests.get(url, auth=(token, "x-oauth-basic"))',
            'ftp = ftplib.FTP(host, "anonymous", "anonymous@")',
            'dialog.login("Sign in to continue", "Cancel")',
            'server.login(user, f"pw-{settings.SUFFIX}")',
        ),
    ),
)
