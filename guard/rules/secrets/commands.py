"""Passwords given to a command, one rule for each kind of position, each woken by its own keywords (one
pattern of every form tried each of its ~45 alternatives at every position of a long line):

- `command-line-password`, an option's value: `--password X` (`--db-pass X`), `mysql -pX`, `sshpass -p X`,
  `redis-cli -a X`, `docker login -p X`, `ldapsearch -w X`, `curl -u user:X`, `smbclient -U user%X`,
  `keytool -storepass X`, `sqlcmd -P X`, `mongo -p X`, `aws configure set aws_secret_access_key X`,
  `snmpwalk -A X`, `ssh-keygen -N X`, `schtasks /rp X`, `nmcli … password X`; a Dockerfile's
  `ENV DB_PASSWORD X`; a .netrc's `machine H login U password X`; a daemon's directive (`requirepass X`,
  keepalived's `auth_pass X`, wpa_supplicant's `psk="X"`);
- `positional-password`, an argument by position or standard input: `net use \\\\h\\s X`,
  `smbclient //h/s X`, `sqlplus u/X@db`, `htpasswd -b F U X`, `vault login X`,
  `echo X | docker login --password-stdin`;
- `sql-password`, a statement's: `CREATE USER … IDENTIFIED BY X`, `ALTER ROLE … PASSWORD 'X'`, a seed row's
  `INSERT INTO users (name, password) VALUES ('u', 'X')`, pg_dump's first data row after `COPY users (…, password)
  FROM stdin;`;
- password files known by their names: .netrc, Postfix's sasl_passwd, PgBouncer's userlist.txt.

Each is a credential position: the literal there is what the command logs in with, however weak.
What is not a password there: a variable the shell expands (`$PW`, `"${PW}"`, `%PW%`), a metavar in a
usage line (`--password PASSWORD`, `<password>`), and a placeholder judged on the whole value.
"""

from __future__ import annotations

from guard.rules.base import Rule
from guard.rules.prose import comment_line
from guard.rules.prose import line_start
from guard.rules.secrets import filters
from guard.rules.secrets.generic import names_a_secret
from guard.rules.secrets.generic import reads_as_prose

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

# Each alternative ends right before the value. A command's options come before a value on the same line,
# within 240 characters of the command's name: unbounded, the lazy run rescans the rest of the line from every
# `curl` on it (one 48 KB line of `curl -u ` took 20 s). Bounded, each start still read up to 240 characters,
# and a line of `curl -u ` started over every 8 (1.8 s a megabyte): the run stops at the command's next
# name, from where the same option is found by the match starting there.


def _options(command: str) -> str:
    """`command` (a regex), then its options up to a blank before the one that takes the password; they may go on
    over up to eight continued lines (a blank, then `\\` or cmd's `^`, before the line break: `mysql -h db \\`, `-pX`
    below; a Windows path's last `\\` is no continuation)."""
    stretch = rf'(?:(?!\b(?:{command})\b)[^\n|;&]){{0,240}}?'
    return rf'\b(?:{command})\b{stretch}(?:(?<=[ \t][\\^])\r?\n{stretch}){{0,8}}?[ \t]'


# After an option of a command that takes two pass phrases (`snmpwalk -A X -X Y`, `ssh-keygen -P X -N Y`): a variable
# there is no match, so the run goes on to the other option. A match a filter drops still ends at its value, and
# the next search starts past it: `-A "$AUTH" -X Y` hid Y.
_NO_REFERENCE = r'(?![\'"]?[$%`<{\[(])'
_SCHTASKS = r'(?i:schtasks(?:\.exe)?)'  # cmd reads its commands in any case
# net-snmp's commands that take SNMPv3 pass phrases (not snmpd, whose `-A` appends to its log).
_SNMP_COMMANDS = r'snmp(?:get(?:next)?|set|walk|bulk(?:walk|get)|trap|inform|table|delta|df|netstat|status|usm|vacm)'


_OPTION_POSITIONS = (
    # `--password`, and a qualified one (`--db-pass`, `--http-password`); not a flag that asks or refuses
    # (`--ask-pass`, `--no-password`: the next word is no value).
    # In any case: PowerShell's `-Password 'X'`.
    r'(?:(?<=[\s\'"`(=,\[])|^)--?(?i:(?:(?!(?:no|ask|debug)[-_])[a-z0-9]++[-_])*+'
    r'(?:password|passwd|pass|pwd|passphrase|storepass|keypass|srcstorepass|deststorepass'
    # Its value: after `=` or blanks, the next item of a list (`"--requirepass", "X"`, a YAML block list's
    # next `- X`), or the next line of a continued command (`--db-password \\`).
    r'|requirepass|masterauth))(?P<sep>=|["\']?,[ \t]*+|["\']?[ \t]*+\r?\n[ \t]*+-[ \t]++|[ \t]++\\\r?\n[ \t]*+|[ \t]+)'
    r'|\bsshpass["\']?(?:,[ \t]*+["\']|[ \t]+(?:\\\r?\n[ \t]*+)?)-p(?:["\']?,[ \t]*+|[ \t]*)'
    r'|' + _options(r'sqlcmd|osql|isql|bcp|ipmitool|mosquitto_(?:pub|sub|rr)') + r'-P[ \t]*'
    r'|'
    + _options(r'mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport|mongostat|mongotop|cqlsh|rdesktop')
    + r'-p[ \t]+'
    # .netrc: `machine HOST login USER password X` (or `default …`), maybe with an `account` token.
    r'|\b(?:machine[ \t]+\S+|default)(?:[ \t]+(?:login|account)[ \t]+\S+)+[ \t]+password[ \t]+'
    r'|' + _options(r'zip|unzip') + r'-P[ \t]+'
    r'|' + _options(r'7za?') + r'-p(?=[^\s-])'
    r'|' + _options(r'psexec(?:64)?(?:\.exe)?') + r'-p[ \t]+'
    r'|' + _options(r'openssl') + r'-k[ \t]+'
    r'|' + _options(r'xfreerdp|wlfreerdp|sdl-freerdp') + r'/p:'
    r'|' + _options(r'redis-cli') + r'(?:-a|(?i:auth))[ \t]+'
    r'|\b(?i:config[ \t]+set[ \t]+(?:requirepass|masterauth))[ \t]+'
    r'|' + _options(r'docker login|(?:az|oc)[ \t]+login') + r'-p[ \t]+'
    r'|' + _options(r'ldap(?:search|add|modify|delete|passwd|whoami)') + r'-w[ \t]+'
    # net-snmp's SNMPv3 pass phrases: `-A X` authenticates, `-X X` encrypts (`-a SHA`, `-x AES` name the protocols).
    rf'|{_options(_SNMP_COMMANDS)}-[AX][ \t]*{_NO_REFERENCE}'
    # ssh-keygen: `-N X` the new pass phrase, `-P X` the old one (an empty `-N ''` holds no value to match).
    rf'|{_options("ssh-keygen")}-[NP][ \t]*{_NO_REFERENCE}'
    # schtasks: `/rp X` the run-as account's, `/p X` the one `/u` connects with (`/rp *` asks for it).
    rf'|{_options(_SCHTASKS)}[/-](?i:r?p)[ \t]+(?=[^/\s*]){_NO_REFERENCE}'
    # nmcli: `dev wifi connect SSID password X`, `con modify NAME wifi-sec.psk X` (802-1x's password too); not a field
    # a query names (`-g 802-11-wireless-security.psk connection show`, attack 15h).
    r'|' + _options(r'nmcli') + r'(?<!-[gf] )(?<!--fields )(?<!--get-values )'
    r'(?:password|(?:wifi-sec|802-11-wireless-security)\.psk|802-1x\.password)[ \t]+'
    r'|' + _options(r'mysql|mysqldump|mysqladmin|mariadb|mariadb-dump') + r'-p(?=[^\s-])'
    # In an argv list (`CMD ["mysql", "-u", "root", "-p", "X"]`): the item after `"-p"`.
    r'|\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)["\'](?:,[ \t]*+["\'][^"\'\n]{0,100}["\']){0,12}'
    r',[ \t]*+["\']-p["\'],[ \t]*+'
    r'|' + _options(r'curl|wget') + r'(?:-u|--user|-U|--proxy-user)(?:=|[ \t]*)[\'"]?[^\s:\'"]+:'
    r'|' + _options(r'lftp') + r'-u[ \t]+[\'"]?[^\s,\'"]+,'
    r'|' + _options(r'smbclient') + r'-U[ \t]*[\'"]?[^\s%\'"]+%'
    r'|\baws configure set[ \t]+(?P<aws>[\w.]+)[ \t]+'
    r'|(?m:^)[ \t]*(?:ENV|(?i:setx)|set(?:[ \t]+-[gUxlu]+)+)[ \t]+(?P<env>[A-Za-z_][\w.\-]*)[ \t]+'
    # redis.conf: `requirepass X`, `masterauth X` (a compose `command:` passes them as `--requirepass X`);
    # a mosquitto bridge's `remote_password X`; keepalived's VRRP `auth_pass X`, on its own line or inside a one-line
    # `authentication { auth_type PASS auth_pass X }`.
    r'|(?m:^)[ \t]*(?:requirepass|masterauth|remote_password|(?i:AuthLDAPBindPassword))[ \t]+'
    r'|\bauth_pass[ \t]+'
    # wpa_supplicant (and hostapd's wpa_psk): `psk="X"`, or the raw key, 64 hex digits, unquoted; Debian's
    # /etc/network/interfaces: `wpa-psk X`.
    r'|(?m:^)[ \t]*(?:wpa_)?psk=(?=["\']|[0-9A-Fa-f]{64}(?![^\s#]))'
    r'|(?m:^)[ \t]*wpa-psk[ \t]+'
    # net-snmp's snmpd.conf: `createUser U SHA X [AES Y]`, the SNMPv3 user's authentication pass phrase.
    r'|(?m:^)[ \t]*createUser[ \t]+(?:-e[ \t]+\S+[ \t]+)?\S+[ \t]+(?i:md5|sha(?:-?\d+)?)[ \t]+'
    # squid: `cache_peer H parent 3128 0 login=U:X`; its keywords hold none (`login=PASSTHRU`, `login=NEGOTIATE:principal`).
    r'|' + _options(r'cache_peer') + r'login=(?!(?:PASSTHRU|PROXYPASS|PASS|NEGOTIATE)\b)[^\s:]+:'
    # haproxy: a userlist's `user U insecure-password X`, `stats auth U:X`.
    r'|\binsecure-password[ \t]+'
    r'|\bstats[ \t]+auth[ \t]+[^\s:]+:'
)
_POSITIONAL = (
    # Positional passwords: `net use \\\\host\\share PW`, `smbclient //host/share PW`, `mc alias set NAME URL USER PW`,
    # `rabbitmqctl add_user USER PW`, `xfreerdp /p:PW`.
    r'\bnet[ \t]+use[ \t]+(?:[A-Za-z]:[ \t]+)?\\\\\S+[ \t]+(?:/\S+[ \t]+)*(?=[^/\s*])'
    r'|\bnet[ \t]+user[ \t]+\S+[ \t]+(?=[^/\s*])'
    r'|' + _options(r'smbclient') + r'//\S+[ \t]+(?=[^-\s])'
    r'|\bmc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+'
    # Oracle's `user/password@db` (sqlplus, expdp, rman, sqlldr userid=), htpasswd -b, archivers, psexec, openssl -k.
    r'|\bjdbc:oracle:(?:thin|oci8?):[\w$#]+/(?=[^\s@/]{2,200}@)'  # the thin driver's user/password@host
    r'|\b(?:sqlplus|expdp|impdp|rman|sqlldr)\b[ \t]+(?:-\w+[ \t]+)*(?:(?:userid|target)(?:=|[ \t]+))?[\w$#]+/(?=[^\s@/]{2,200}@)'
    r'|\bhtpasswd[ \t]+(?:-[A-Za-z]+[ \t]+)*?-[A-Za-z]*b[A-Za-z]*[ \t]+(?:-[A-Za-z]+[ \t]+)*\S+[ \t]+\S+[ \t]+'
    # A here-string into a login: `docker login … <<< X`.
    r'|\b(?:docker|podman|helm)\b[^\n<]{0,240}\blogin\b[^\n<]{0,240}<<<[ \t]*'
    r'|' + _options(r'rabbitmqctl') + r'(?:add_user|change_password)[ \t]+\S+[ \t]+'
    # PowerShell: `ConvertTo-SecureString 'X' -AsPlainText -Force`, a literal made a credential.
    r'|\b(?i:convertto-securestring)[ \t]+(?:-String[ \t]+)?(?=[\'"])'
    # `echo X | docker login … --password-stdin`: what is piped in is the password.
    r'|\b(?:echo|printf)[ \t]+(?:-[ne]+[ \t]+)?(?:[\'"]?%s(?:\\n)?[\'"]?[ \t]+)?'
    r'(?=[^|\n]{0,300}\|[^\n]{0,300}(?:--password-stdin|\bpasswd[ \t]+--stdin\b|\bsudo\b[^\n|]{0,100}[ \t]-S\b))'
    # `echo 'user:X' | chpasswd`: the password after the user's name.
    r'|\b(?:echo|printf)[ \t]+(?:-[ne]+[ \t]+)?[\'"]?[\w.\-]+:(?=[^|\n]{0,300}\|[ \t]*(?:sudo[ \t]+)?chpasswd\b)'
    # debconf preseeding: `d-i passwd/root-password password X`, `mysql-server/root_password password X`.
    r'|\b[\w.\-]+/[\w.\-]*pass[\w.\-]*[ \t]+password[ \t]+'
    # `vault login X` (or `token=X`): the token ends the command. Flags come first (a value after `-method`,
    # `-path` …); `username=U`, `password=X` (conninfo.py's) are no token; prose goes on (`vault login with …`).
    r'|\bvault(?:\.exe)?[ \t]+login'
    r'(?:[ \t]+-(?:method|path|address|namespace|ns|format|field)[ \t]+[^\s-]\S*+|[ \t]+-[\w-]++(?:=\S*+)?){0,12}+'
    r'[ \t]+(?:\\\r?\n[ \t]*+)?(?:token=)?(?=[^\s=-][^\s=]*[ \t]*(?:[;&|)>#`\'"\r]|(?m:$)))'
)
_SQL = (
    # SQL: `CREATE USER u IDENTIFIED BY X`, `ALTER ROLE`, MySQL's `IDENTIFIED WITH plugin BY X`; in a statement
    # (prose says "identified by its name"), and four characters or more (Oracle XE's test `xe` is two).
    r'\b(?i:(?:(?:create|alter)[ \t]+(?:user|role|login|(?:public[ \t]+)?database[ \t]+link)\b|grant\b)'
    r'[^;\n]{0,200}?(?:\r?\n[^;\n]{0,200}?)?\bidentified'
    r'(?:[ \t]+with[ \t]+\w+)?[ \t]+by)[ \t]+(?=[\'"]?[^\s\'";]{4})'
    # SQL: `CREATE/ALTER ROLE u WITH LOGIN PASSWORD 'X'` (PostgreSQL), `CREATE LOGIN u WITH PASSWORD = N'X'`.
    r'|\b(?i:(?:create|alter)[ \t]+(?:user|role|login)\b[^;\n]{0,200}?\bpassword(?:[ \t]*=)?[ \t]*N?)(?=\')'
    # SQL: `SET PASSWORD [FOR u] = PASSWORD('X')`, `= 'X'`.
    r'|\b(?i:set[ \t]+password\b[^=;\n]{0,100}=[ \t]*(?:password[ \t]*\([ \t]*)?)(?=[\'"])'
)
# SQL seed rows: `INSERT INTO users (name, password) VALUES ('bob', 'X')`, the first row's literal in the password
# column's place. A regex cannot count, so there is one alternative for each place of that column.
_SQL_COLUMN = r'[`"\[]?\w+[`"\]]?'
# Not a column that holds what the password hashes to (`encrypted_password`, `password_digest`).
_PASSWORD_COLUMN = r'[`"\[]?(?i:(?!(?:encrypted|hashed|crypted)_)(?:\w+_)?(?:password|passwd|pwd))[`"\]]?'
# A value before it: a string, a number, NULL or a call (`NOW()`, `uuid_generate_v4()`), maybe cast (`'1'::int`).
_SQL_LITERAL = (
    r'(?:[NEXBnexb]?\'(?:[^\'\n]|\'\'){0,300}+\'|"[^"\n]{0,300}+"|[-+]?\d+(?:\.\d+)?'
    r'|\w+(?:\((?:[^()\n]|\([^()\n]{0,100}\)){0,100}+\))?)(?:::\w+)?'
)

_SQL_COMMENT = r'(?:/\*[^*\n]{0,200}+\*/[ \t]*+)?'  # `/* plain */` before a literal


# Blanks between a statement's words: a line break too, one (`INSERT INTO users` and the column list on the next
# line). Inside the lists only blanks: at most seven line breaks a match keeps the rule's reach bounded (the
# scanner searches around its keywords; searched whole, its pattern costs ~0.4 ms a 1 KB of any text).
_BLANK = r'[ \t]*+(?:\r?\n[ \t]*+)?'
_LIST_BLANK = r'[ \t]*+'


def _password_column_at(place: int) -> str:
    """A column list with the password column `place`th (from 0), up to (not including) its closing parenthesis."""
    before = rf'(?:{_SQL_COLUMN}{_LIST_BLANK},{_LIST_BLANK}){{{place}}}' if place else ''
    return rf'{before}{_PASSWORD_COLUMN}(?:{_LIST_BLANK},{_LIST_BLANK}{_SQL_COLUMN}){{0,40}}+'


def _inserted_at(place: int) -> str:
    """The column list with the password column `place`th (from 0), then VALUES (or SELECT) up to that place's
    literal (which may follow a block comment, `VALUES (1, /* plain */ 'X')`: _INSERT reads it once for every place;
    one before every literal doubled the pattern's compile time, ~10 ms on each commit that holds an INSERT)."""
    values = rf'(?:{_SQL_LITERAL}{_LIST_BLANK},{_LIST_BLANK}){{{place}}}' if place else ''
    return (
        rf'{_password_column_at(place)}{_BLANK}\)'
        rf'{_BLANK}(?:(?i:values){_BLANK}\(|(?i:select)(?=\s)){_BLANK}{values}'
    )


# MySQL's `INSERT IGNORE` and `REPLACE`, SQLite's `INSERT OR REPLACE`. The literal may be an N'' or E'' string, or
# the argument of what hashes it on the way in (`crypt('X', gen_salt('bf'))`, `MD5('X')`): it is in the file as typed.
_INSERT = (
    r'(?P<insert>\b(?i:(?:insert(?:[ \t]+(?:ignore|or[ \t]+(?:replace|ignore|abort|fail|rollback)))?|replace)'
    r'[ \t]+into))(?=\s)'
    + _BLANK
    + r'[\w.`"\[\]]{1,200}'
    + _BLANK
    + r'\('
    + _BLANK
    + r'(?:'
    + '|'.join(_inserted_at(place) for place in range(12))
    + r')'
    + _SQL_COMMENT
    + r'(?:(?i:crypt|md5|sha1|sha2|password|encrypt|digest|hashbytes)\([ \t]*+(?:\'\w+\',[ \t]*+)?)?'
    r'(?:[NEne](?=\'))?(?=[\'"])'
)


def _copied_at(place: int) -> str:
    """COPY's column list with the password column `place`th (from 0), then the first data row up to that field."""
    fields = rf'(?:[^\t\n]*+\t){{{place}}}' if place else ''
    return rf'{_password_column_at(place)}{_LIST_BLANK}\)[ \t]++(?i:from)[ \t]++(?i:stdin)[^\n]*+\n{fields}'


# pg_dump's data: `COPY public.users (id, name, password) FROM stdin;`, then one tab-separated row a line. The first
# row's field in the password column's place; `\N` (NULL) is no value.
_COPY = (
    r'(?P<copy>\b(?i:copy)[ \t]++[\w.`"\[\]]{1,200}[ \t]*+\('
    + _LIST_BLANK
    + r'(?:'
    + '|'.join(_copied_at(place) for place in range(12))
    + r'))(?=[^\t\n\\])'
)
# A quoted value runs to its closing quote, spaces and all (`-p'harbor quartz lantern tiger'`).
# bash's ANSI-C quoting (`-p$'a b'`) is a quoted value too.
_VALUE = r'(?:\$(?=\'))?(?P<quote>[\'"])?(?P<value>(?(quote)[^\'"\n]{2,200}|[^\s\'"`]{2,200}))'
_SHELL_REFERENCE_STARTS = ('$', '%', '`', '<', '{', '[', '(')  # `(`: PowerShell's -Password (Get-Secret)


def _valued(positions: str) -> str:
    """A pattern for the value after any of `positions`."""
    return r'(?:' + positions + r')' + _VALUE


def _not_a_password(match: re.Match[str], text: str) -> str | None:
    value = match['value'].rstrip(');,')
    groups = match.re.groupindex
    name = (match['aws'] or match['env']) if 'aws' in groups else None
    if name is not None and not (names_a_secret(name) or 'password' in name.lower() or name.lower().endswith('_pw')):
        return 'not a credential setting'
    if len(value) < 2 or filters.is_placeholder(value) or value.startswith(_SHELL_REFERENCE_STARTS):
        return 'placeholder or a variable the shell expands'
    if filters.is_password_hash(value):
        return "what a password is stored as (PostgreSQL's SCRAM verifier, a crypt hash): given pre-hashed"
    if filters.is_protocol_password(value):
        return "a service's stand-in password (GitHub takes a token as the user and `x-oauth-basic`)"
    if value in ('stdin',) or value.startswith(('env:', 'file:', 'fd:')):
        return "a pass phrase source (openssl's -pass env:VAR), not a password"
    if value[0] in ':@' and value[1:].isidentifier():
        return 'a bind parameter or a variable (IDENTIFIED BY :password)'
    if filters.is_metavar(value):
        return 'a metavar in a usage line (--password PASSWORD)'
    if value.startswith('-'):
        return 'the next option, not a value'
    if 'sep' in groups and ',' in (match['sep'] or '') and text[match.start('value') - 1] not in '"\'':
        return 'a name in an argument list, not a literal'  # ["--password", args.password]
    if value.isalpha() and value.islower() and comment_line(text, line_start(text, match.start())):
        return 'prose in a comment (`--password suffers from …`)'
    return None


# What a users table stores when it stores no password: a password hash (filters.is_password_hash), a bare digest
# in hex or base64, MySQL's `*` and 40 hex digits.
_BASE64_DIGEST_LENGTHS = (24, 28, 44, 88)  # md5, sha1, sha256, sha512, padded


def _a_stored_hash(match: re.Match[str], text: str) -> str | None:
    """A seed row's password column holding what the password hashes to (only INSERT's and COPY's matches are judged)."""
    if match['insert'] is None and match['copy'] is None:
        return None
    value = match['value']
    scheme, dollar, _ = value.partition('$')
    if (
        filters.is_hash_like(value)
        or filters.is_hash_like(value.removeprefix('*'))
        or filters.is_password_hash(value)
        or (dollar and scheme.lower().startswith(filters.HASH_SCHEMES))
        or (len(value) in _BASE64_DIGEST_LENGTHS and value.endswith('='))
    ):
        return 'a hash of the password, not the password'
    if match['copy'] is not None and reads_as_prose(value.split()):
        return 'a sentence in the column (`stored in vault`), not a password'  # a COPY field runs to its tab
    return None


def _listed_noise(match: re.Match[str], text: str) -> str | None:
    """A password file's line that holds no password: a placeholder, a variable or a metavar."""
    value = match['value']
    if filters.is_placeholder(value) or value.startswith(_SHELL_REFERENCE_STARTS) or filters.is_metavar(value):
        return 'placeholder, a variable or a metavar'
    return None


def _mail_client_noise(match: re.Match[str], text: str) -> str | None:
    """A password file's checks (_listed_noise), and words that read as an instruction (`password stored in vault`)."""
    if reads_as_prose(match['value'].split()):
        return 'words, not a password'
    return _listed_noise(match, text)


def _scram_secret(match: re.Match[str], text: str) -> str | None:
    """A userlist.txt entry that is a SCRAM secret, not a password nor what logs in as one."""
    # An md5 entry is reported: md5 authentication proves knowledge of md5(password + user) itself, so whoever
    # holds it logs in (PgBouncer passes it on as the password). A SCRAM secret proves nothing by itself: its
    # StoredKey is a hash of the key a client must show, salted and iterated like a bcrypt hash.
    if match['value'].startswith('SCRAM-SHA-256$'):
        return 'a SCRAM secret, not a password'
    return None


RULES = (
    Rule(
        id='command-line-password',
        category='secret',
        severity='error',
        why='A password written into a command (or a Dockerfile ENV): it is in the repository, the shell history and '
        'the process list of every machine that runs it.',
        fix='Rotate it; let the command read it from the environment or a file (PGPASSWORD, MYSQL_PWD, --password-stdin, '
        'a .netrc / credentials file kept out of git, a Docker build secret).',
        pattern=_valued(_OPTION_POSITIONS),
        # Option spellings rather than command names: `mysql` or `curl` on a line of a driver's source wakes nothing.
        keywords=(
            '-pass',
            '-pwd',
            'storepass',
            'keypass',
            'sshpass',
            'redis-cli',
            'docker login',
            ' -p',
            '\t-p',
            ' -w',
            '\t-w',
            ' -u',
            '\t-u',
            '--user',
            'aws configure set',
            'env ',
            'env\t',
            'set -x',
            'set -g',
            'set -u',
            'set -l',
            'requirepass',
            'masterauth',
            'login ',
            '/p:',
            '"-p"',
            "'-p'",
            ' -k',
            'setx ',
            'setx\t',
            '--proxy-user',
            'bindpassword',
            'stats auth',
            'snmp',
            'ssh-keygen',
            'schtasks',
            'nmcli',
            'auth_pass',
            'remote_password',
            'psk=',
            'cache_peer',
            'wpa-psk',
            'createuser',
        ),
        filters=(_not_a_password,),
        examples_bad=(
            'mysql -h 192.168.86.42 -u root -pQzH7kP2wXy9Lm4Rt orders',
            'sshpass -p letmein ssh deploy@db',
            'redis-cli -h cache -a redis_secret ping',
            'docker login -u ci -p hunter2 registry.internal',
            'curl -u admin:postgres123 https://api.internal/v1',
            'smbclient //nas/share -U trader%Admin@123',
            'keytool -list -keystore app.jks -storepass qwerty123',
            'pg_dump --password=root1234 app',
            'ldapsearch -x -D cn=admin -w secret123 -b dc=x',
            'aws configure set aws_secret_access_key trading_db_pw',
            'ENV DB_PASSWORD rec_io_password',
            'wget --user=deploy --password=Password1 https://x.internal/a',
            'requirepass Qz7kP2wXy9Lm4Rt',
            '    command: redis-server --requirepass Qz7kP2wXy9Lm4Rt --appendonly yes',
            '    command: ["redis-server", "--requirepass", "Qz7kP2wXy9Lm4Rt"]',
            'set -x DB_PASSWORD Qz7kP2wXy9Lm4Rt',
            "mysql -u root -p'harbor quartz lantern tiger' orders",
            'app --db-pass Qz7kP2wXy9Lm4Rt',
            "sqlcmd -S db.internal -U sa -P 'Qz7kP2wXy9Lm4Rt' -Q 'select 1'",
            'ipmitool -I lanplus -H bmc01 -U admin -P Qz7kP2wXy9Lm4Rt power status',
            'mongo --host db.internal -u admin -p Qz7kP2wXy9Lm4Rt',
            'machine db.internal login bob password Qz7kP2wXy9Lm4Rt',
            "mysql -u root -p$'Qz7k P2wX' orders",
            'machine db.internal login bob account ops password Qz7kP2wXy9Lm4Rt',
            'xfreerdp /v:10.20.30.41 /u:admin /p:unstable,squirt,cadet',
            '    command:\n      - redis-server\n      - --requirepass\n      - unstable-squirt-cadet',
            'CMD ["sshpass", "-p", "Qz7kP2wXy9Lm4Rt", "ssh", "db"]',
            'subprocess.run(["sshpass", "-p", "Qz7kP2wXy9Lm4Rt", "ssh", "db"])',
            'ExecStart=/usr/bin/app --db-password \\\n    Qz7kP2wXy9Lm4Rt',
            'CMD ["mysql", "-h", "db", "-u", "root", "-p", "Qz7kP2wXy9Lm4Rt"]',
            "gpg --batch --passphrase 'harbor quartz lantern' -c backup.tar",
            'zip -P Qz7kP2wXy9Lm4Rt backup.zip db.sql',
            '7z a -pQz7kP2wXy9Lm4Rt backup.7z db.sql',
            'psexec \\\\host -u admin -p Qz7kP2wXy9Lm4Rt cmd',
            'openssl enc -aes-256-cbc -k Qz7kP2wXy9Lm4Rt -in a -out b',
            'snmpwalk -v3 -l authPriv -u ops -a SHA -A Qz7kP2wXy9Lm4Rt -x AES -X unstable-squirt-cadet 10.20.30.41',
            'snmpget -v3 -l authNoPriv -u ops -a MD5 -AQz7kP2wXy9Lm4Rt router sysDescr.0',
            "ssh-keygen -t ed25519 -N 'harbor quartz lantern' -f deploy_key",
            'ssh-keygen -p -P Qz7kP2wXy9Lm4Rt -N unstable-squirt-cadet -f deploy_key',
            'schtasks /create /tn backup /tr C:\\b.bat /sc daily /ru CORP\\svc /rp Qz7kP2wXy9Lm4Rt',
            'schtasks /query /s fs01 /u CORP\\admin /p Qz7kP2wXy9Lm4Rt',
            'nmcli dev wifi connect HomeNet password Qz7kP2wXy9Lm4Rt',
            'nmcli con modify HomeNet wifi-sec.psk "harbor quartz lantern"',
            'SCHTASKS /CREATE /S srv01 /U admin /P Qz7kP2wXy9Lm4Rt /TN Backup /TR backup.bat',
            'authentication { auth_type PASS auth_pass Qz7kP2wX }',
            'createUser admin SHA "Qz7kP2wXy9Lm4Rt" AES "Qz7kP2wXy9Lm4Rt"',
            'iface wlan0 inet dhcp\n    wpa-ssid homenet\n    wpa-psk Qz7kP2wXy9Lm4Rt',
            'vrrp_instance VI_1 {\n    authentication {\n        auth_type PASS\n        auth_pass Qz7kP2wX\n    }\n}',
            'network={\n    ssid="HomeNet"\n    psk="harbor quartz lantern"\n}',
            'network={\n    ssid="HomeNet"\n    psk=' + 'c0ffee15' * 8 + '\n}',
            'cache_peer parent.internal parent 3128 0 no-query default login=proxy:Qz7kP2wXy9Lm4Rt',
            'connection upstream\naddress 10.20.30.41:1883\nremote_username bridge\nremote_password Qz7kP2wXy9Lm4Rt',
        ),
        examples_good=(
            'mysql -u root -p orders',
            'sshpass -p "$SSHPASS" ssh host',
            'curl -u "$USER:$TOKEN" https://x',
            'usage: tool --password PASSWORD',
            'tool --password <password>',
            'docker login --password-stdin',
            'ENV DB_HOST db.internal',
            'ENV DB_PASSWORD=${DB_PASSWORD}',
            'aws configure set region eu-west-1',
            'mkdir -p build',
            'redis-cli -a $REDIS_PASSWORD ping',
            'parser.add_argument("--password", help="x")',
            'set -x PATH /usr/local/bin $PATH',
            'cmd = ["mysql", "--password", args.password]',
            'requirepass ${REDIS_PASSWORD}',
            'mysql -u root -p"$MYSQL_PWD" orders',
            'ansible-playbook --ask-pass site.yml',
            'psql --no-password -h db app',
            'tool --password-file /run/secrets/db',
            'sqlcmd -S db -U sa -P $SA_PASSWORD',
            'mongo -u admin -p',
            'openssl enc -aes-256-cbc -pbkdf2 -pass env:BACKUP_KEY -in a -out b',
            'openssl enc -d -aes-256-cbc -pass file:/run/secrets/backup_key',
            'openssl enc -aes-256-cbc -pass stdin',
            'opt -debug-pass=Structure x.ll',
            'zip -r backup.zip src',
            '  - --verbose\n  - --port',
            'snmpwalk -v3 -l authPriv -u ops -a SHA -A "$SNMP_AUTH" -x AES -X ${SNMP_PRIV} host',
            'snmpwalk -v3 -u ops -A AUTH_PASSPHRASE -X <priv-passphrase> host',
            "ssh-keygen -t ed25519 -N '' -f deploy_key",
            'ssh-keygen -t rsa -b 4096 -N "" -C ci@example.com',
            'ssh-keygen -p -P "$OLD" -N "$NEW" -f key',
            'schtasks /create /tn backup /tr C:\\b.bat /ru CORP\\svc /rp *',
            'schtasks /create /tn backup /tr C:\\b.bat /ru SYSTEM /rp %SVC_PW%',
            'nmcli dev wifi connect HomeNet password "$WIFI_PSK"',
            'nmcli --ask dev wifi connect HomeNet',
            'auth_pass ${VRRP_PASS}',
            'psk=$WIFI_PSK',
            'psk=c0ffee15',
            'cache_peer parent.internal parent 3128 0 login=PASSTHRU',
            'cache_peer parent.example.com parent 3128 0 no-query login=NEGOTIATE:HTTP@proxy.example.com',
            'nmcli -s -g 802-11-wireless-security.psk connection show HomeNet',
            'curl -u "${GITHUB_TOKEN}:x-oauth-basic" https://api.github.com/user',
            'remote_password <password>',
        ),
    ),
    Rule(
        id='positional-password',
        category='secret',
        severity='error',
        why='A password a command takes by position or on its standard input (`net use \\\\h\\s X`, '
        '`echo X | docker login --password-stdin`): it is in the repository, the shell history and the process list.',
        fix='Rotate it; let the command prompt for it or read it from a file or a secret store kept out of git '
        '(`--password-stdin < /run/secrets/x`, `net use … *`).',
        pattern=_valued(_POSITIONAL),
        keywords=(
            'net use',
            'net user',
            'smbclient',
            'mc alias set',
            'mc config',
            'rabbitmqctl',
            'password-stdin',
            'sudo',
            'sqlplus',
            'expdp',
            'impdp',
            'rman ',  # as a word: `performance`, `permanent` hold it
            'rman\t',
            'sqlldr',
            'htpasswd',
            '<<<',
            'oracle:thin:',
            'oracle:oci',
            'convertto-securestring',
            'chpasswd',
            'passwd --stdin',
            'password password',
            'password\tpassword',
            'vault login',
            'vault.exe login',
        ),
        filters=(_not_a_password,),
        examples_bad=(
            'net use \\\\10.20.30.41\\backup unstable-squirt-cadet /user:corp\\svc',
            'smbclient //10.20.30.41/share unstable-squirt-cadet -U backup',
            'mc alias set prod http://10.20.30.41:9000 minioadmin unstable-squirt-cadet',
            'rabbitmqctl -n rabbit@10.20.30.41 add_user app unstable-squirt-cadet',
            'echo unstable-squirt-cadet | docker login 10.20.30.44:5000 -u ci --password-stdin',
            'net use \\\\10.20.30.41\\IPC$ /user:bob unstable-squirt-cadet',
            'net user bob unstable-squirt-cadet /add',
            'smbclient -U bob //10.20.30.42/share unstable-squirt-cadet',
            'mc config host add prod http://10.20.30.40:9000 minioadmin unstable-squirt-cadet',
            'docker login 10.20.30.44:5000 -u ci --password-stdin <<< unstable-squirt-cadet',
            "printf '%s' unstable-squirt-cadet | helm registry login 10.20.30.44 -u ci --password-stdin",
            'echo unstable-squirt-cadet | sudo -S systemctl restart app',
            'sqlplus scott/Qz7kP2wXy9Lm4Rt@ORCL',
            'expdp system/Qz7kP2wXy9Lm4Rt@db schemas=app',
            'sqlldr userid=app/Qz7kP2wXy9Lm4Rt@db control=x.ctl',
            'rman target sys/Qz7kP2wXy9Lm4Rt@prod',
            'htpasswd -bc /etc/nginx/.htpasswd admin Qz7kP2wXy9Lm4Rt',
            'vault login hvs.CAESIJqz7kP2wXy9Lm4RtQz7kP2wXy9Lm4Rt',
            'vault login -no-print s.Qz7kP2wXy9Lm4RtQz7kP2wXy',
            'VAULT_ADDR=https://vault.internal vault login token=unstable-squirt-cadet && vault kv get app',
        ),
        examples_good=(
            'net use \\\\fileserver\\share /user:corp\\svc',
            'net use Z: \\\\fileserver\\share * /user:corp\\svc',
            'smbclient //fileserver/share -U backup',
            'echo "$REGISTRY_TOKEN" | docker login ghcr.io -u ci --password-stdin',
            'sqlplus /nolog',
            'sqlplus scott/$PW@ORCL',
            'htpasswd -c /etc/nginx/.htpasswd admin',
            'sudo -S true',
            'net user bob /delete',
            'vault login $VAULT_TOKEN',
            'vault login -',
            'vault login -method=github',
            'vault login -method=userpass username=ops',
            'vault login -method userpass username=ops',
            'Run vault login with the token the operator gave you.',
            'vault login <token>',
            'vault.exe login $env:VAULT_TOKEN',
        ),
    ),
    Rule(
        id='sql-password',
        category='secret',
        severity='error',
        why="A password set by an SQL statement (`CREATE USER … IDENTIFIED BY 'X'`, `ALTER ROLE … PASSWORD 'X'`): "
        'every copy of the migration or script logs in as that user.',
        fix='Rotate it; set the password outside the script (a variable the client substitutes, `\\password` in psql, '
        'a secret store), or store only its hash.',
        # COPY's field runs to its tab: a passphrase or an app password holds spaces.
        pattern=r'(?:' + _SQL + r'|' + _INSERT + r'|' + _COPY + r')(?:\$(?=\'))?(?P<quote>(?(copy)(?!)|[\'"]))?'
        r'(?P<value>(?(copy)[^\t\r\n]{2,200}|(?(quote)[^\'"\n]{2,200}|[^\s\'"`]{2,200})))',
        # A statement's words (`create` alone wakes it on every ORM's source).
        keywords=(
            'identified',
            'insert into',
            'replace into',
            'ignore into',
            'from stdin',
            'set password',
            'set\tpassword',
            *(
                f'{verb}{blank}{what}'
                for verb in ('create', 'alter')
                for blank in ' \t'
                for what in ('user', 'role', 'login')
            ),
        ),
        filters=(_not_a_password, _a_stored_hash),
        examples_bad=(
            "ALTER USER 'app'@'%' IDENTIFIED BY 'Qz7kP2wXy9Lm4Rt';",
            'create user app identified by Qz7kP2wXy9Lm4Rt;',
            "CREATE USER 'u'@'localhost' IDENTIFIED WITH mysql_native_password BY 'Qz7kP2wXy9Lm4Rt';",
            "GRANT ALL PRIVILEGES ON shop.* TO 'app'@'%' IDENTIFIED BY 'Qz7kP2wXy9Lm4Rt';",
            "SET PASSWORD FOR 'report'@'%' = PASSWORD('Qz7kP2wXy9Lm4Rt');",
            "CREATE USER app\n  IDENTIFIED BY 'Qz7kP2wXy9Lm4Rt';",
            "CREATE DATABASE LINK remote CONNECT TO app IDENTIFIED BY Qz7kP2wXy9Lm4Rt USING 'db';",
            "ALTER ROLE app WITH LOGIN PASSWORD 'Qz7kP2wXy9Lm4Rt';",
            "CREATE LOGIN svc WITH PASSWORD = N'Qz7kP2wXy9Lm4Rt';",
            "INSERT INTO users (name, password) VALUES ('bob', 'Qz7kP2wXy9Lm4Rt');",
            'INSERT INTO `users` (`id`, `email`, `password`, `created_at`) VALUES (1, "a@b.c", "Qz7kP2wX", NOW());',
            "insert into app.accounts (id, login, user_password)\nvalues (gen_id('a', 'b'), 'ops', 'unstable-squirt-cadet');",
            "INSERT INTO users\n  (name, password)\nVALUES\n  ('bob', 'Qz7kP2wXy9Lm4Rt');",
            "INSERT IGNORE INTO users (name, password) VALUES ('bob', 'Qz7kP2wXy9Lm4Rt');",
            "REPLACE INTO users (name, password) VALUES ('bob', 'Qz7kP2wXy9Lm4Rt');",
            "INSERT OR REPLACE INTO users (name, password) VALUES ('bob', 'Qz7kP2wXy9Lm4Rt');",
            "INSERT INTO users (name, password) VALUES ('bob', crypt('Qz7kP2wXy9Lm4Rt', gen_salt('bf')));",
            "INSERT INTO users (name, password) VALUES ('bob', MD5('Qz7kP2wXy9Lm4Rt'));",
            "INSERT INTO users (name, password) VALUES ('bob', N'Qz7kP2wXy9Lm4Rt');",
            "INSERT INTO users (name, password) VALUES ('bob', E'Qz7kP2wXy9Lm4Rt');",
            'COPY public.users (id, name, password) FROM stdin;\n1\tbob\tQz7kP2wXy9Lm4Rt\n\\.',
            'COPY users (password) FROM stdin;\nhunter2\n\\.',
        ),
        examples_good=(
            "CREATE USER 'u'@'%' IDENTIFIED BY PASSWORD '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9';",
            'CREATE USER app IDENTIFIED BY :password;',
            '1, 2 or 3 trees as identified by their binary 20 byte shas',
            'conn.exec_driver_sql("create user %s identified by xe" % ident)',
            'SET PASSWORD FOR app = PASSWORD(:pw);',
            "INSERT INTO users (name, password) VALUES ('bob', '$2b$12$KIXQ1Yh0ZpTqkXq3b5Qz7uKp2wXy9Lm4RtQz7kP2wXy9Lm4RtQz7k');",
            "INSERT INTO users (name, password) VALUES ('bob', 'pbkdf2_sha256$600000$Qz7kP2wX$c2FsdGVkaGFzaA==');",
            "INSERT INTO users (name, password) VALUES ('bob', '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8');",
            "INSERT INTO users (name, password) VALUES ('bob', :password);",
            'COPY public.users (id, name, password) FROM stdin;\n1\tbob\t\\N\n\\.',
            'COPY public.users (id, password) FROM stdin;\n1\tpbkdf2_sha256$600000$Qz7kP2wX$c2FsdGVkaGFzaA==\n\\.',
            'COPY public.users (id, password_hash) FROM stdin;\n1\tQz7kP2wXy9Lm4Rt\n\\.',
            "INSERT INTO users (password, name) VALUES ('%s', '%s')",
            "INSERT INTO users (name, encrypted_password) VALUES ('bob', 'Qz7kP2wXy9Lm4Rt');",
            "INSERT INTO users (name, email, password) VALUES ('bob', 'Qz7kP2wXy9Lm4Rt', ?);",
        ),
    ),
    Rule(
        id='netrc-password',
        category='secret',
        severity='error',
        why='A netrc file holds the passwords curl, git, ftp and pip log in with, in plain text.',
        fix='Keep the netrc file in your home directory with mode 0600 and out of the repository; rotate the password.',
        # Tokens one a line or several: `machine h`, `login u`, `password X` may each stand on their own line.
        # After its `login` (maybe an `account` between): a message quoted without a path, which every path
        # rule judges too, says `password authentication failed`.
        pattern=(
            r'\blogin[ \t]+\S+(?:[ \t]*+\r?\n)?(?:[ \t]*+account[ \t]+\S+(?:[ \t]*+\r?\n)?)?'
            r'[ \t]*+password[ \t]+(?P<value>\S{2,200})'
        ),
        keywords=('login',),
        path_pattern=r'(?:^|/)[._]?netrc$',
        path_words=('netrc',),
        filters=(_listed_noise,),
        examples_bad=('machine db.internal\n  login bob\n  password Qz7kP2wXy9Lm4Rt',),
        examples_good=('machine db.internal\n  login bob\n  password $NETRC_PASSWORD',),
    ),
    Rule(
        id='sasl-passwd-password',
        category='secret',
        severity='error',
        why="Postfix's sasl_passwd map holds the relay's login in plain text: `[smtp.example.com]:587 user:X`.",
        fix='Keep sasl_passwd (and its .db) out of the repository, mode 0600, written at deploy from a secret store; '
        'rotate the password.',
        # `key user:password`, the key a relay (`[host]:port`) or a sender, at the line's start (a line that starts
        # with a blank continues the one above); the password follows the first colon (Postfix splits there) and
        # runs to the end of the line, blanks and all (an app password as issued: `abcd efgh ijkl mnop`, attack
        # 15h). The second field is no URL: a message quoted without a path (an audit record's
        # `psql postgresql://u:X@db/app`), which every path rule judges too, keeps its host.
        pattern=r'(?m)^[^\s#]\S{0,200}[ \t]+[^\s:/]{1,200}:(?!//)(?P<value>\S(?:[^\n]{0,198}\S)?)[ \t]*\r?$',
        keywords=(':',),
        path_pattern=r'(?:^|/)[\w.\-]*sasl_passwd$',
        path_words=('sasl_passwd',),
        filters=(_listed_noise,),
        examples_bad=(
            '[smtp.example.com]:587 relay@example.com:Qz7kP2wXy9Lm4Rt',
            '[smtp.gmail.com]:587 ops@example.com:bydk hjih szaf uftt',
        ),
        examples_good=(
            '# [smtp.example.com]:587 user@example.com:password',
            '[smtp.example.com]:587 relay@example.com:${SMTP_PASSWORD}',
        ),
    ),
    Rule(
        id='mail-client-password',
        category='secret',
        severity='error',
        why="A mail client's password in its config: msmtprc's `password X`, mbsync's `Pass X`, fetchmailrc's "
        '`password "X"`, sendmail\'s authinfo `"P:X"`.',
        fix="Use the client's password command instead (msmtp `passwordeval`, mbsync `PassCmd`, a keyring), keep the "
        'file out of the repository, and rotate the password (revoke the app password).',
        # Blank-separated `password X` lines (a single token: the generic rule wants `=` or `:`; several words are
        # generic-secret-phrase's), a quoted value anywhere on a fetchmailrc poll line, authinfo's `"P:X"` field
        # (attack 15i finding 02).
        pattern=r'(?im)(?:^[ \t]*+pass(?:word)?[ \t]++"?|\bpassword[ \t]++"|"p:)'
        r'(?P<value>[^"\s](?:[^"\n]{0,298}[^"\s])?)(?:"|[ \t]*+\r?$)',
        keywords=('pass', '"p:'),
        path_pattern=r'(?:^|/)\.?(?:msmtprc|mbsyncrc|fetchmailrc|authinfo)$',
        path_words=('msmtprc', 'mbsyncrc', 'fetchmailrc', 'authinfo'),
        filters=(_mail_client_noise,),
        examples_bad=(
            'account gmail\nhost smtp.gmail.com\nuser me@gmail.com\npassword Qz7kP2wXy9Lm4Rt',
            'IMAPAccount gmail\nUser me@gmail.com\nPass Qz7kP2wXy9Lm4Rt',
            'poll imap.gmail.com protocol IMAP user "me@gmail.com" password "Qz7kP2wXy9Lm4Rt" ssl',
            'AuthInfo:smtp.gmail.com "U:me@gmail.com" "P:Qz7kP2wXy9Lm4Rt" "M:PLAIN"',
        ),
        examples_good=(
            'account gmail\npasswordeval "gpg -dq ~/.msmtp.gpg"',
            'IMAPAccount gmail\nPassCmd "pass show mail"',
            'password $MAIL_PASSWORD',
        ),
    ),
    Rule(
        id='relay-client-password',
        category='secret',
        severity='error',
        why="A mail relay's client login in plain text: exim's passwd.client (`host:login:X`) or dma's auth.conf "
        '(`login|host:X`).',
        fix='Keep the file out of the repository (mode 0640, written at deploy from a secret store); rotate the '
        'password.',
        # The password follows the field separators as exim and dma split them, and runs to the end of the line,
        # blanks and all (an app password as issued, attack 15i finding 10). The host holds a letter or `*` and the
        # login no blank, and the second field is no URL's `//`: the scrubber runs every rule on messages, whose
        # `postgresql://u:***@db: connection refused` and `12:30:45` lines are no relay logins.
        pattern=r'(?m)^[ \t]*+(?:(?=[^\s:]*[A-Za-z*])[^\s:#|][^\s:|]{0,200}:(?!//)[^\s:]{1,200}'
        r'|[^\s|#][^\s|]{0,200}\|[^\s:]{1,200}):(?P<value>\S(?:[^\n]{0,198}\S)?)[ \t]*\r?$',
        keywords=(':',),
        path_pattern=r'(?:^|/)(?:passwd\.client|auth\.conf)$',
        path_words=('passwd.client', 'auth.conf'),
        filters=(_listed_noise,),
        examples_bad=(
            'smtp.gmail.com:me@gmail.com:bydk hjih szaf uftt',
            '*.example.com:relay:Qz7kP2wXy9Lm4Rt',
            'me@gmail.com|smtp.gmail.com:Qz7kP2wXy9Lm4Rt',
        ),
        examples_good=(
            '# target.mail.server.example:login:password',
            'smtp.gmail.com:me@gmail.com:${RELAY_PASSWORD}',
        ),
    ),
    Rule(
        id='pgbouncer-userlist-password',
        category='secret',
        severity='error',
        why='A PgBouncer userlist.txt line holds a password, or its md5 hash, which logs in as well as the password.',
        fix="Keep userlist.txt out of the repository (mode 0600, written at deploy), or let PgBouncer's auth_query "
        'read the hashes from the server; rotate the password.',
        # `"user" "password"`: two quoted fields, a quote inside one doubled, and nothing else on the line.
        pattern=r'(?m)^[ \t]{0,40}"(?:[^"\n]|""){1,200}"[ \t]+"(?P<value>(?:[^"\n]|""){2,200})"[ \t]*\r?$',
        keywords=('"',),
        path_pattern=r'(?:^|/)userlist\.txt$',
        path_words=('userlist.txt',),
        filters=(_listed_noise, _scram_secret),
        examples_bad=(
            '"app" "Qz7kP2wXy9Lm4Rt"',
            '"app" "md5' + 'c0ffee15' * 4 + '"',
        ),
        examples_good=(
            '"app" "SCRAM-SHA-256$4096:c2FsdHNhbHQ=$c3RvcmVka2V5c3RvcmVka2V5:c2VydmVya2V5c2VydmVya2V5"',
            '"app" ""',
            '"app" "<password>"',
        ),
    ),
)
