"""Passwords given to a command, one rule for each kind of position, each woken by its own keywords (one
pattern of every form tried each of its ~45 alternatives at every position of a long line):

- `command-line-password`, an option's value: `--password X` (`--db-pass X`), `mysql -pX`, `sshpass -p X`,
  `redis-cli -a X`, `docker login -p X`, `ldapsearch -w X`, `curl -u user:X`, `smbclient -U user%X`,
  `keytool -storepass X`, `sqlcmd -P X`, `mongo -p X`, `aws configure set aws_secret_access_key X`; a
  Dockerfile's `ENV DB_PASSWORD X`; a .netrc's `machine H login U password X`;
- `positional-password`, an argument by position or standard input: `net use \\\\h\\s X`,
  `smbclient //h/s X`, `sqlplus u/X@db`, `htpasswd -b F U X`, `echo X | docker login --password-stdin`;
- `sql-password`, a statement's: `CREATE USER … IDENTIFIED BY X`, `ALTER ROLE … PASSWORD 'X'`.

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

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

# Each alternative ends right before the value. A command's options come before a value on the same line,
# within 240 characters of the command's name: unbounded, the lazy run rescans the rest of the line from every
# `curl` on it (one 48 KB line of `curl -u ` took 20 s). Bounded, each start still read up to 240 characters,
# and a line of `curl -u ` started over every 8 (1.8 s a megabyte): the run stops at the command's next
# name, from where the same option is found by the match starting there.


def _options(command: str) -> str:
    """`command` (a regex), then its options up to a blank before the one that takes the password."""
    return rf'\b(?:{command})\b(?:(?!\b(?:{command})\b)[^\n|;&]){{0,240}}?[ \t]'


_OPTION_POSITIONS = (
    # `--password`, and a qualified one (`--db-pass`, `--http-password`); not a flag that asks or refuses
    # (`--ask-pass`, `--no-password`: the next word is no value).
    # In any case: PowerShell's `-Password 'X'`.
    r'(?:(?<=[\s\'"`(=,\[])|^)--?(?i:(?:(?!(?:no|ask|debug)[-_])[a-z0-9]++[-_])*+'
    r'(?:password|passwd|pass|pwd|passphrase|storepass|keypass|srcstorepass|deststorepass'
    # Its value: after `=` or blanks, the next item of a list (`"--requirepass", "X"`, a YAML block list's
    # next `- X`), or the next line of a continued command (`--db-password \\`).
    r'|requirepass|masterauth))(?P<sep>=|["\']?,[ \t]*+|["\']?[ \t]*+\r?\n[ \t]*+-[ \t]++|[ \t]++\\\r?\n[ \t]*+|[ \t]+)'
    r'|\bsshpass["\']?(?:,[ \t]*+["\']|[ \t]+)-p(?:["\']?,[ \t]*+|[ \t]*)'
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
    r'|' + _options(r'mysql|mysqldump|mysqladmin|mariadb|mariadb-dump') + r'-p(?=[^\s-])'
    # In an argv list (`CMD ["mysql", "-u", "root", "-p", "X"]`): the item after `"-p"`.
    r'|\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)["\'](?:,[ \t]*+["\'][^"\'\n]{0,100}["\']){0,12}'
    r',[ \t]*+["\']-p["\'],[ \t]*+'
    r'|' + _options(r'curl|wget') + r'(?:-u|--user|-U|--proxy-user)(?:=|[ \t]*)[\'"]?[^\s:\'"]+:'
    r'|' + _options(r'lftp') + r'-u[ \t]+[\'"]?[^\s,\'"]+,'
    r'|' + _options(r'smbclient') + r'-U[ \t]*[\'"]?[^\s%\'"]+%'
    r'|\baws configure set[ \t]+(?P<aws>[\w.]+)[ \t]+'
    r'|(?m:^)[ \t]*(?:ENV|(?i:setx)|set(?:[ \t]+-[gUxlu]+)+)[ \t]+(?P<env>[A-Za-z_][\w.\-]*)[ \t]+'
    # redis.conf: `requirepass X`, `masterauth X` (a compose `command:` passes them as `--requirepass X`).
    r'|(?m:^)[ \t]*(?:requirepass|masterauth|(?i:AuthLDAPBindPassword))[ \t]+'
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
    if value in ('stdin',) or value.startswith(('env:', 'file:', 'fd:')):
        return "a pass phrase source (openssl's -pass env:VAR), not a password"
    if value[0] in ':@' and value[1:].isidentifier():
        return 'a bind parameter or a variable (IDENTIFIED BY :password)'
    if filters.is_constant_name(value) or value.isupper():
        return 'a metavar in a usage line (--password PASSWORD)'
    if value.startswith('-'):
        return 'the next option, not a value'
    if 'sep' in groups and ',' in (match['sep'] or '') and text[match.start('value') - 1] not in '"\'':
        return 'a name in an argument list, not a literal'  # ["--password", args.password]
    if value.isalpha() and value.islower() and comment_line(text, line_start(text, match.start())):
        return 'prose in a comment (`--password suffers from …`)'
    return None


def _netrc_noise(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    if filters.is_placeholder(value) or value.startswith(_SHELL_REFERENCE_STARTS) or value.isupper():
        return 'placeholder, a variable or a metavar'
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
        pattern=_valued(_SQL),
        # A statement's words (`create` alone wakes it on every ORM's source).
        keywords=(
            'identified',
            'set password',
            'set\tpassword',
            *(
                f'{verb}{blank}{what}'
                for verb in ('create', 'alter')
                for blank in ' \t'
                for what in ('user', 'role', 'login')
            ),
        ),
        filters=(_not_a_password,),
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
        ),
        examples_good=(
            "CREATE USER 'u'@'%' IDENTIFIED BY PASSWORD '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9';",
            'CREATE USER app IDENTIFIED BY :password;',
            '1, 2 or 3 trees as identified by their binary 20 byte shas',
            'conn.exec_driver_sql("create user %s identified by xe" % ident)',
            'SET PASSWORD FOR app = PASSWORD(:pw);',
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
        filters=(_netrc_noise,),
        examples_bad=('machine db.internal\n  login bob\n  password Qz7kP2wXy9Lm4Rt',),
        examples_good=('machine db.internal\n  login bob\n  password $NETRC_PASSWORD',),
    ),
)
