"""Recall on the passwords people choose (issue 18), and silence on code in the same positions.

A seeded generator makes 50 human-style passwords: dictionary words with digits, keyboard walks, names
with years, and the issue's own list. Each goes into every seed-style form (URL, YAML, INI, env, dict,
keyword argument, insecure default, and the other credential positions): every one must be a secret
finding. The negatives put code expressions (names, attributes, subscripts, calls, format strings with
their arguments, environment references) into the same positions: none may be one.
"""

from __future__ import annotations

import random

import pytest

from guard.rules import RULES
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

SCANNER = Scanner(RULES)

ISSUE_PASSWORDS = [
    'postgres123',
    'admin123',
    'Password1',
    'hunter2',
    'qwerty123',
    'root1234',
    'secret123',
    'redis_secret',
    'rec_io_password',
    'letmein',
    'trading_db_pw',
    'Admin@123',
]
_WORDS = [
    'dragon',
    'monkey',
    'sunshine',
    'football',
    'master',
    'shadow',
    'welcome',
    'summer',
    'winter',
    'trader',
    'market',
    'baseball',
    'princess',
    'starwars',
    'freedom',
    'whatever',
    'trustno',
    'batman',
    'charlie',
    'cheese',
    'orange',
    'tigger',
    'ginger',
    'pepper',
    'maggie',
    'postgres',
    'redis',
    'mongo',
    'admin',
    'root',
    'secret',
    'password',
]
_WALKS = [
    'qwerty',
    'asdfgh',
    'zxcvbn',
    '1qaz2wsx',
    'qazwsx',
    'asdf1234',
    'qwertyuiop',
    '1q2w3e4r',
    'zaq12wsx',
    '!QAZ2wsx',
]
_NAMES = ['michael', 'jessica', 'ashley', 'daniel', 'jennifer', 'thomas', 'natalie', 'robert', 'sophie', 'oliver']


def _human_passwords(count: int, seed: int = 18) -> list[str]:
    """`count` passwords as people make them, the issue's first; the same list on every run (seeded)."""
    rng = random.Random(seed)
    made = list(ISSUE_PASSWORDS)
    shapes = (
        lambda: rng.choice(_WORDS) + str(rng.randint(1, 9999)),
        lambda: rng.choice(_WORDS).title() + str(rng.randint(1, 99)) + rng.choice('!@$.*'),
        lambda: rng.choice(_WORDS) + '_' + rng.choice(_WORDS),
        lambda: rng.choice(_WALKS) + rng.choice(['', '1', '123', '!', '2024']),
        lambda: rng.choice(_NAMES) + str(rng.randint(1960, 2024)),
        lambda: rng.choice(_NAMES).title() + '@' + str(rng.randint(1960, 2024)),
    )
    while len(made) < count:
        candidate = rng.choice(shapes)()
        if candidate not in made and len(candidate) >= 6:
            made.append(candidate)
    return made


PASSWORDS = _human_passwords(50)

# form -> (path, template); `{pw}` is the password.
FORMS = {
    'url': ('.env', 'DATABASE_URL=postgresql://trader:{pw}@192.168.86.42:5432/trading\n'),
    'url-in-code': ('app/db.py', 'engine = create_engine("postgresql://trader:{pw}@db.internal:5432/trading")\n'),
    'redis-url': ('config/settings.py', 'REDIS_URL = "redis://:{pw}@cache.internal:6379/0"\n'),
    'yaml': ('config/settings.yaml', 'database:\n  host: db.internal\n  user: trader\n  password: {pw}\n'),
    'yaml-quoted': ('deploy/values.yml', 'postgres:\n  password: "{pw}"\n'),
    'ini': ('config/app.ini', '[database]\nuser = trader\npassword = {pw}\n'),
    'env': ('.env', 'DB_USER=trader\nDB_PASSWORD={pw}\n'),
    'env-pw': ('deploy/.env.production', 'PG_PW={pw}\n'),
    'dict': ('app/config.py', 'DATABASE = {{"user": "trader", "password": "{pw}", "port": 5432}}\n'),
    'kwarg': ('app/db.py', 'conn = psycopg2.connect(host=DB_HOST, user="trader", password="{pw}")\n'),
    'default': ('app/settings.py', 'DB_PASSWORD = os.getenv("DB_PASSWORD", "{pw}")\n'),
    'default-environ': ('app/settings.py', 'DB_PASSWORD = os.environ.get("DB_PASSWORD", "{pw}")\n'),
    'default-black': ('app/settings.py', 'DB_PASSWORD = os.environ.get(\n    "DB_PASSWORD",\n    "{pw}",\n)\n'),
    'default-pg-pw': ('app/settings.py', 'PG_PW = os.getenv("PG_PW", "{pw}")\n'),
    'default-fstring': ('app/settings.py', 'DB_PASSWORD = os.getenv("DB_PASSWORD", f"{pw}")\n'),
    'default-csharp': ('Api/Db.cs', 'var pw = Environment.GetEnvironmentVariable("DB_PASSWORD") ?? "{pw}";\n'),
    'default-rust': ('src/db.rs', 'let pw = env::var("DB_PASSWORD").unwrap_or("{pw}".to_string());\n'),
    'default-java': ('src/Db.java', 'String pw = Optional.ofNullable(System.getenv("DB_PASSWORD")).orElse("{pw}");\n'),
    'default-go': ('db/db.go', 'pw := getEnv("DB_PASSWORD", "{pw}")\n'),
    'url-colon-slash': ('.env', 'DATABASE_URL=postgresql://trader:a:b/{pw}@db.internal/trading\n'),
    'go-dsn': ('db/db.go', 'dsn := "trader:{pw}@tcp(192.168.86.42:3306)/trading"\n'),
    'curl': ('scripts/check.sh', 'curl -u trader:{pw} https://api.internal/v1/health\n'),
    'mysql': ('scripts/dump.sh', 'mysqldump -h 192.168.86.42 -u root -p{pw} trading > dump.sql\n'),
    'sshpass': ('scripts/deploy.sh', 'sshpass -p {pw} ssh deploy@10.0.0.7\n'),
    'password-option': ('Makefile', 'db:\n\tpgcli --password={pw} trading\n'),
    'rtsp': ('cams.yaml', 'front: rtsp://viewer:{pw}@10.0.0.40:554/stream1\n'),
    'mqtt': ('iot.toml', 'broker = "mqtt://sensor:{pw}@broker.internal:1883"\n'),
    'smb': ('mounts.txt', 'smb://backup:{pw}@nas.internal/share\n'),
    'aws-configure': ('scripts/aws.sh', 'aws configure set aws_secret_access_key {pw}\n'),
    'dockerfile-env': ('Dockerfile', 'FROM python:3.12\nENV DB_PASSWORD {pw}\n'),
    # Attack 15d finding 03: forms with no password-named key on the line.
    'sql-identified': ('db/grants.sql', "ALTER USER 'app'@'%' IDENTIFIED BY '{pw}';\n"),
    'sql-create-user': ('db/users.sql', 'CREATE USER app IDENTIFIED BY "{pw}";\n'),
    'netrc': ('.netrc', 'machine db.internal login bob password {pw}\n'),
    'sqlcmd': ('scripts/check.bat', "sqlcmd -S db.internal -U sa -P '{pw}' -Q 'select 1'\n"),
    'ipmitool': ('scripts/bmc.sh', 'ipmitool -I lanplus -H bmc01 -U admin -P {pw} power status\n'),
    'mongo': ('scripts/mongo.sh', "mongosh mongodb://db.internal -u admin -p '{pw}'\n"),
    'qualified-option': ('deploy/app.service', 'ExecStart=/usr/bin/app --db-pass {pw}\n'),
    'glued-quoted-option': ('scripts/restore.sh', "mysql -u root -p'{pw}' orders\n"),
    'jdbc-call': ('src/Db.java', 'Connection c = DriverManager.getConnection(url, "root", "{pw}");\n'),
    'pdo-call': ('src/db.php', "$pdo = new PDO('mysql:host=db.internal;dbname=shop', 'root', '{pw}');\n"),
    'mysqli-call': ('src/db.php', "$c = mysqli_connect('db.internal', 'root', '{pw}', 'shop');\n"),
    'credential-call': ('src/Mail.cs', 'var cred = new NetworkCredential("svc", "{pw}");\n'),
    'smtp-login': ('app/mail.py', "server.login('alerts@corp.example', '{pw}')\n"),
    'requests-auth': ('app/api.py', "r = requests.get(url, auth=('admin', '{pw}'))\n"),
    'pymysql-call': ('app/db.py', "db = pymysql.connect('db.internal', 'root', '{pw}', 'shop')\n"),
    'ftp-call': ('app/ftp.py', "ftp = ftplib.FTP('ftp.corp.example', 'bob', '{pw}')\n"),
    'go-plain-auth': ('mail/mail.go', 'auth := smtp.PlainAuth("", "alerts@corp.example", "{pw}", host)\n'),
    # Attack 15e findings 03, 04, 05, 07: calls over several lines, prefixed literals, more SQL and netrc forms,
    # passwords given to a command by position.
    'call-over-lines': ('app/db.py', 'db = pymysql.connect(\n    "db.internal",\n    "root",\n    "{pw}",\n)\n'),
    'raw-literal': ('app/db.py', 'db = pymysql.connect("db.internal", "root", r"{pw}")\n'),
    'verbatim-literal': ('src/Mail.cs', 'var cred = new NetworkCredential("svc", @"{pw}");\n'),
    'sql-grant': ('db/grants.sql', "GRANT ALL PRIVILEGES ON shop.* TO 'app'@'%' IDENTIFIED BY '{pw}';\n"),
    'sql-set-password': ('db/users.sql', "SET PASSWORD FOR 'report'@'%' = PASSWORD('{pw}');\n"),
    'netrc-account': ('.netrc', 'machine db.internal login bob account ops password {pw}\n'),
    'netrc-lines': ('netrc', 'machine db.internal\n  login bob\n  password {pw}\n'),
    'net-use': ('scripts/map.bat', 'net use \\\\fileserver\\backup {pw} /user:CORP\\svc\n'),
    'smbclient-positional': ('scripts/smb.sh', 'smbclient //fileserver/share {pw} -U svc\n'),
    'mc-alias': ('scripts/minio.sh', 'mc alias set prod http://minio.internal:9000 minioadmin {pw}\n'),
    'rabbitmqctl': ('scripts/mq.sh', 'rabbitmqctl add_user app {pw}\n'),
    'echo-password-stdin': ('scripts/push.sh', "echo '{pw}' | docker login registry.internal -u ci --password-stdin\n"),
    # Attack 15f findings 02-06.
    'sql-next-line': ('db/users.sql', "CREATE USER app\n  IDENTIFIED BY '{pw}';\n"),
    'sql-alter-role-password': ('db/roles.sql', "ALTER ROLE app WITH LOGIN PASSWORD '{pw}';\n"),
    'sql-create-login': ('db/logins.sql', "CREATE LOGIN svc WITH PASSWORD = N'{pw}';\n"),
    'gpg-passphrase': ('scripts/encrypt.sh', "gpg --batch --passphrase '{pw}' -c backup.tar\n"),
    'htpasswd': ('scripts/htpasswd.sh', 'htpasswd -bc /etc/nginx/.htpasswd admin {pw}\n'),
    'zip-password': ('scripts/zip.sh', 'zip -P {pw} backup.zip db.sql\n'),
    'yaml-block-list': (
        'docker-compose.yml',
        'services:\n  cache:\n    command:\n      - redis-server\n      - --requirepass\n      - "{pw}"\n',
    ),
    'argv-mysql': ('Dockerfile', 'CMD ["mysql", "-h", "db", "-u", "root", "-p", "{pw}"]\n'),
    'argv-sshpass': ('app/run.py', 'subprocess.run(["sshpass", "-p", "{pw}", "ssh", "bob@db.internal"])\n'),
    'continued-option': ('deploy/app.service', '[Service]\nExecStart=/usr/bin/app \\\n  --db-password \\\n  {pw}\n'),
    'net-user': ('scripts/users.bat', 'net user bob {pw} /add\n'),
    'here-string': ('scripts/push.sh', 'docker login registry.internal -u ci --password-stdin <<< "{pw}"\n'),
    'triple-quoted-call': ('app/db.py', 'db = pymysql.connect("db.internal", "root", """{pw}""")\n'),
    # Attack 15g: PowerShell, Oracle's thin URL, redis commands, haproxy and Apache, cmd, more CLI options.
    'powershell-password': (
        'deploy.ps1',
        "Invoke-Sqlcmd -ServerInstance sql01 -Username sa -Password '{pw}' -Query 'x'\n",
    ),
    'powershell-securestring': ('deploy.ps1', "$sec = ConvertTo-SecureString '{pw}' -AsPlainText -Force\n"),
    'oracle-thin': ('src/Db.java', 'static final String URL = "jdbc:oracle:thin:scott/{pw}@db.internal:1521:orcl";\n'),
    'redis-auth': ('ops.sh', 'redis-cli -h cache.internal AUTH {pw}\n'),
    'redis-config-set': ('ops.sh', 'redis-cli -h cache.internal CONFIG SET requirepass {pw}\n'),
    'haproxy-stats-auth': ('haproxy.cfg', 'listen stats\n    bind :8404\n    stats auth admin:{pw}\n'),
    'haproxy-userlist': ('haproxy.cfg', 'userlist admins\n    user ops insecure-password {pw}\n'),
    'apache-ldap-bind': ('httpd.conf', 'AuthLDAPBindDN cn=admin,dc=corp\nAuthLDAPBindPassword {pw}\n'),
    'cmd-setx': ('setenv.bat', '@echo off\r\nsetx DB_PASSWORD {pw}\r\n'),
    'cqlsh': ('ops.sh', 'cqlsh cass.internal -u cassandra -p {pw}\n'),
    'rdesktop': ('ops.sh', 'rdesktop -u admin -p {pw} winbox\n'),
    'lftp': ('ops.sh', 'lftp -u admin,{pw} sftp://files.internal\n'),
    'curl-proxy-user': ('ops.sh', 'curl --proxy-user bob:{pw} https://x.internal/\n'),
    'chpasswd': ('Dockerfile', "FROM debian:12\nRUN echo 'root:{pw}' | chpasswd\n"),
    'passwd-stdin': ('setup.sh', "echo '{pw}' | passwd --stdin app\n"),
    'debconf': ('preseed.cfg', 'd-i passwd/root-password password {pw}\n'),
    'debconf-package': (
        'setup.sh',
        'echo "mysql-server mysql-server/root_password password {pw}" | debconf-set-selections\n',
    ),
    'az-login': ('ops.sh', "az login -u ops@corp.example -p '{pw}'\n"),
    'oc-login': ('ops.sh', 'oc login -u developer -p {pw} https://api.ocp.internal:6443\n'),
    'fix-logon': (
        'tests/replay.py',
        'LOGON = "8=FIX.4.4|9=102|35=A|49=CLIENT|56=BROKER|553=trader1|554={pw}|10=123|"\n',
    ),
    'fix-logon-soh': (
        'logs/session.log',
        '8=FIX.4.2\x0135=A\x0149=TRADER\x0156=EXCH\x01553=desk1\x01554={pw}\x0110=200\x01\n',
    ),
    'django-create-user': ('app/seed.py', "User.objects.create_superuser('admin', 'admin@corp.example', '{pw}')\n"),
    'sequelize': ('src/db.js', "const db = new Sequelize('orders', 'app', '{pw}', {{ host: 'db.internal' }});\n"),
    'pika-credentials': ('app/mq.py', "creds = pika.PlainCredentials('app', '{pw}')\n"),
    'spring-auth-token': ('src/Auth.java', 'var t = new UsernamePasswordAuthenticationToken("admin", "{pw}");\n'),
    'ldap-bind': ('app/ldap.py', "conn.simple_bind_s('cn=admin,dc=corp', '{pw}')\n"),
    # Attack 15h: vault, net-snmp, ssh-keygen, schtasks, sc.exe, nmcli; daemons' config files; Ruby, SQL seed rows.
    'vault-login': ('ops.sh', 'export VAULT_ADDR=https://vault.internal:8200\nvault login {pw}\n'),
    'vault-login-token': ('ops.sh', 'vault login -no-print token={pw} && vault kv get secret/app\n'),
    'vault-userpass': ('ops.sh', 'vault login -method=userpass username=ops password={pw}\n'),
    'snmp-auth': ('poll.sh', 'snmpwalk -v3 -l authPriv -u ops -a SHA -A {pw} -x AES -X "$SNMP_PRIV" 10.0.0.1\n'),
    'snmp-priv': (
        'poll.sh',
        'snmpget -v3 -l authPriv -u ops -a SHA -A "$SNMP_AUTH" -x AES -X {pw} router sysDescr.0\n',
    ),
    'ssh-keygen-new': ('mkkey.sh', 'ssh-keygen -t ed25519 -N {pw} -f deploy_key\n'),
    'ssh-keygen-old': ('mkkey.sh', "ssh-keygen -p -P '{pw}' -N '' -f deploy_key\n"),
    'schtasks-rp': ('task.bat', 'schtasks /create /tn backup /tr C:\\b.bat /sc daily /ru CORP\\svc /rp {pw}\r\n'),
    'schtasks-p': ('task.bat', 'schtasks /query /s fs01 /u CORP\\admin /p {pw}\r\n'),
    'sc-config': ('svc.bat', 'sc.exe config AppSvc obj= "CORP\\svc" password= {pw}\r\n'),
    'sc-create': ('svc.bat', 'sc create AppSvc binPath= "C:\\app\\app.exe" obj= ".\\svc" password= "{pw}"\r\n'),
    'nmcli-connect': ('wifi.sh', 'nmcli dev wifi connect HomeNet password {pw}\n'),
    'nmcli-psk': ('wifi.sh', "nmcli con modify HomeNet wifi-sec.psk '{pw}'\n"),
    'keepalived': (
        'keepalived.conf',
        'vrrp_instance VI_1 {{\n    authentication {{\n        auth_type PASS\n        auth_pass {pw}\n    }}\n}}\n',
    ),
    'wpa-supplicant': ('wpa_supplicant.conf', 'network={{\n    ssid="HomeNet"\n    psk="{pw}"\n}}\n'),
    'squid-cache-peer': ('squid.conf', 'cache_peer parent.internal parent 3128 0 no-query login=proxy:{pw}\n'),
    'mosquitto-bridge': ('mosquitto.conf', 'connection upstream\nremote_username bridge\nremote_password {pw}\n'),
    'postfix-sasl-passwd': ('postfix/sasl_passwd', '[smtp.example.com]:587 relay@example.com:{pw}\n'),
    'pgbouncer-userlist': ('pgbouncer/userlist.txt', '"app" "{pw}"\n'),
    'exim-passwd-client': ('etc/exim4/passwd.client', 'smtp.gmail.com:me@gmail.com:{pw}\n'),
    'dma-auth-conf': ('etc/dma/auth.conf', 'me@gmail.com|smtp.gmail.com:{pw}\n'),
    # Mail clients' config files (attack 15i finding 02).
    'msmtprc': ('.msmtprc', 'account gmail\nhost smtp.gmail.com\nuser me@gmail.com\npassword {pw}\n'),
    'mbsyncrc': ('.mbsyncrc', 'IMAPAccount gmail\nHost imap.gmail.com\nUser me@gmail.com\nPass {pw}\n'),
    'fetchmailrc': ('.fetchmailrc', 'poll imap.gmail.com protocol IMAP user "me@gmail.com" password "{pw}" ssl\n'),
    'sendmail-authinfo': ('etc/mail/authinfo', 'AuthInfo:smtp.gmail.com "U:me@gmail.com" "P:{pw}" "M:PLAIN"\n'),
    'offlineimaprc': ('.offlineimaprc', '[Repository Remote]\nremoteuser = me@gmail.com\nremotepass = {pw}\n'),
    'gitconfig-sendemail': ('.gitconfig', '[sendemail]\n\tsmtpuser = me@gmail.com\n\tsmtppass = {pw}\n'),
    'ruby-fetch-block': ('config/database.rb', "password = ENV.fetch('DB_PASSWORD') {{ '{pw}' }}\n"),
    'ruby-fetch-default': ('config/database.rb', 'password = ENV.fetch("DB_PASSWORD", "{pw}")\n'),
    'sql-insert': (
        'db/seed.sql',
        "INSERT INTO users (name, email, password) VALUES ('bob', 'bob@corp.example', '{pw}');\n",
    ),
    # Attack 15h: MySQL's INSERT IGNORE, the lists on their own lines, the literal hashed on the way in.
    'sql-insert-variants': (
        'db/seed.sql',
        "INSERT IGNORE INTO users\n  (name, password)\nVALUES\n  ('bob', MD5('{pw}'));\n",
    ),
    # Commands continued over lines (attack 15h finding 04): the option that takes the password on a later line.
    'mysql-continued': (
        'scripts/dump.sh',
        'mysqldump -h 192.168.86.42 \\\n  -u root \\\n  -p{pw} trading > dump.sql\n',
    ),
    'docker-login-continued': ('ci/push.sh', 'docker login registry.internal \\\n  -u ci \\\n  -p {pw}\n'),
    'curl-continued': ('ops.sh', 'curl -s \\\n  -u admin:{pw} \\\n  https://x.internal/\n'),
    'sshpass-continued': ('deploy.sh', 'sshpass \\\n  -p {pw} ssh root@db.internal\n'),
    'schtasks-caret': ('task.bat', 'schtasks /create /tn Backup /tr backup.bat ^\r\n   /ru svc ^\r\n   /rp {pw}\r\n'),
    'sql-insert-select': ('db/seed.sql', "INSERT INTO users (name, password) SELECT 'bob', '{pw}';\n"),
    'pg-dump-copy': ('db/dump.sql', 'COPY public.users (id, name, password) FROM stdin;\n1\tbob\t{pw}\n\\.\n'),
    'systemd-environment': ('deploy/app.service', '[Service]\nEnvironment="DB_PASSWORD={pw}" "PORT=8080"\n'),
    'ini-no-break-space': ('config/app.ini', '[db]\npassword\u00a0=\u00a0{pw}\n'),
    'ini-comment': ('config/app.ini', '[db]\npassword = {pw} ; rotated monthly\n'),
    'compose-quoted': ('docker-compose.yml', 'services:\n  db:\n    environment:\n      - "POSTGRES_PASSWORD={pw}"\n'),
    'url-any-user-tiger': ('.env', 'DATABASE_URL=postgresql://app:{pw}@db.internal/app\n'),
    'sql-comment-before-value': (
        'db/seed.sql',
        "INSERT INTO users (id, name, password) VALUES (1, 'bob', /* plain */ '{pw}');\n",
    ),
}


def _secret_lines(path: str, text: str) -> set[int]:
    findings, _ = SCANNER.scan(Document(path, text))
    return {f.line for f in findings if f.category == 'secret'}


def missed_in(path: str, template: str, passwords: list[str]) -> list[str]:
    """The passwords that, put into `template` (`{pw}`) at `path`, are no secret finding on their line."""
    missed = []
    for pw in passwords:
        text = template.format(pw=pw)
        line = next(i for i, row in enumerate(text.splitlines(), 1) if pw in row)
        if line not in _secret_lines(path, text):
            missed.append(pw)
    return missed


@pytest.mark.parametrize('form', sorted(FORMS))
def test_every_human_password_is_found_in_every_form(form: str) -> None:
    path, template = FORMS[form]
    missed = []
    for pw in PASSWORDS:
        if form.startswith('yaml') and pw[0] in '!@%*&':
            pw = 'x' + pw  # a YAML plain scalar cannot start with these
        text = template.format(pw=pw)
        line = next(i for i, row in enumerate(text.splitlines(), 1) if pw in row)
        if line not in _secret_lines(path, text):
            missed.append(pw)
    assert missed == [], f'{form}: missed {len(missed)} of {len(PASSWORDS)}: {missed}'


def test_a_basic_header_quoted_whole_is_found_for_every_human_password() -> None:
    """nginx's `proxy_set_header Authorization "Basic X"` (attack 15g finding 07): the scheme inside the quotes."""
    import base64

    missed = []
    for pw in PASSWORDS:
        token = base64.b64encode(f'admin:{pw}'.encode()).decode()
        text = f'location /api/ {{\n    proxy_set_header Authorization "Basic {token}";\n}}\n'
        if 2 not in _secret_lines('nginx.conf', text):
            missed.append(pw)
    assert missed == []


def test_the_generator_makes_fifty_distinct_human_passwords() -> None:
    assert len(set(PASSWORDS)) == 50 and PASSWORDS == _human_passwords(50)
    assert any(any(walk in pw.lower() for walk in ('qwerty', 'asdf', '1qaz', 'zxcv')) for pw in PASSWORDS)
    assert any(pw[:1].isalpha() and pw[-4:].isdigit() and 1960 <= int(pw[-4:]) <= 2024 for pw in PASSWORDS)


_IDENT = ['auth_info', 'cfg', 'settings', 'self', 'creds', 'opts', 'conf', 'args', 'secrets_store', 'env']
_ATTR = ['password', 'db_password', 'pw', 'secret', 'passphrase', 'value', 'token']
_CALL = ['get_password', 'getpass', 'load_secret', 'read_secret', 'vault.read', 'keyring.get_password']


def _code_expressions(count: int, seed: int = 1818) -> list[str]:
    """Code a programmer writes where a password goes: names, attributes, subscripts, calls, format strings
    with their arguments, string concatenation, f-strings and environment references."""
    rng = random.Random(seed)
    shapes = (
        lambda: rng.choice(_IDENT) + '_' + rng.choice(_ATTR),
        lambda: f'{rng.choice(_IDENT)}.{rng.choice(_ATTR)}',
        lambda: f'{rng.choice(_IDENT)}[{rng.randint(0, 3)}]',
        lambda: f'{rng.choice(_IDENT)}["{rng.choice(_ATTR)}"]',
        lambda: f'{rng.choice(_CALL)}()',
        lambda: f'{rng.choice(_CALL)}("{rng.choice(_ATTR)}")',
        lambda: f"'%s/ssh_host_%s_key' % ({rng.choice(_IDENT)}, {rng.choice(_ATTR)})",
        lambda: f'"{{}}-{rng.choice(_ATTR)}".format({rng.choice(_IDENT)})',
        lambda: f'f"{{{rng.choice(_IDENT)}.{rng.choice(_ATTR)}}}"',
        lambda: f'"{rng.choice(_WORDS)}" + {rng.choice(_IDENT)}',
        lambda: f'"${{{rng.choice(_ATTR).upper()}}}"',
        lambda: 'Gpg' + rng.choice(['Bad', 'Missing', 'Wrong']) + rng.choice(['Passphrase', 'Password', 'Secret']),
    )
    return [rng.choice(shapes)() for _ in range(count)]


CODE = _code_expressions(60)
# Positions in Python code (issue 18's real-project lines are among the shapes above).
CODE_FORMS = {
    'assign': 'password = {expr}\n',
    'kwarg': 'conn = pymysql.connect(host=host, user=user, password={expr})\n',
    'dict': "ERRORS = {{'BAD_PASSPHRASE': {expr}, 'password': {expr}}}\n",
    'key-filename': 'key_filename = {expr}\n',
    'attribute': 'self.db_password = {expr}\n',
    'default': 'DB_PASSWORD = os.getenv("DB_PASSWORD", {expr})\n',
}


@pytest.mark.parametrize('form', sorted(CODE_FORMS))
def test_code_in_a_credential_position_is_no_finding(form: str) -> None:
    reported = []
    # An f-string or a `${X}` string as an environment default is itself the default (insecure-default-secret).
    code = [e for e in CODE if not (form == 'default' and e.startswith(('f"', '"$')))]
    for expr in code:
        text = CODE_FORMS[form].format(expr=expr)
        findings, _ = SCANNER.scan(Document('app/settings.py', text))
        if any(f.category == 'secret' for f in findings):
            reported.append(expr)
    assert reported == [], f'{form}: {reported}'


@pytest.mark.parametrize(
    ('path', 'text'),
    [
        ('lib/db.py', 'conn = connect(host=h, port=5432, user=auth_info[0], password=auth_info[1])\n'),
        ('lib/db.py', "dsn = 'host=%s user=%s password=%s' % (host, user, password)\n"),
        ('paramiko/server.py', "key_filename = '%s/ssh_host_%s_key' % (keydir, algo)\n"),
        ('tox.ini', 'setenv =\n    TEST_FILE_ENC_PASSWORD="${MY_VAR}"\n'),
        ('gnupg.py', "    'BAD_PASSPHRASE': GpgBadPassphrase,\n"),
        ('app/cfg.py', 'password = "$uperTr4der2024"\n'),
    ],
)
def test_the_issues_code_lines_are_quiet_and_a_dollar_password_is_not(path: str, text: str) -> None:
    findings, _ = SCANNER.scan(Document(path, text))
    expected = ['generic-secret'] if 'uperTr4der' in text else []
    assert [f.rule for f in findings if f.category == 'secret'] == expected, findings
