"""No password in anything guard prints, stores or sends, whatever rule found the line (issue 10).

Each credential form sits on a line next to a hardcoded IP or a home path, so a non-secret rule
reports the line and its excerpt must still hide the password. guard runs for real: the CLI in
text, JSON and SARIF (stdout and --output), the standalone commit and pre-push hooks in a real git
repository, `guard scan --history`, a purge whose service command carries `--password=...`, a
config error quoting a URL, and webhook failures to a closed port on 127.0.0.1. Every password is
generated with random parts around a common word, so no fixed string passes by accident.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from secrets import randbelow
from secrets import token_hex

import pytest
from hooks_precommit_test import guard_snapshot  # noqa: F401  (session fixture: guard for pre-commit)
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard
from support import trust
from support import write

from guard.redact import mask
from guard.rules import RULES


def password() -> str:
    return f'{token_hex(4)}S3cr3t{token_hex(2)}!'


class Leaks:
    """A tree of files, one credential form each, and the passwords that must never be shown."""

    def __init__(self) -> None:
        ip = f'192.168.86.{20 + randbelow(200)}'
        home = f'/home/trader{token_hex(2)}/app'
        pw = [password() for _ in range(20)]
        self.files = {
            'url.env': f'DB_URL=postgresql://trader:{pw[0]}@{ip}:5432/mt5_crs\n',
            'redis.env': f'REDIS_URL=redis://:{pw[1]}@{ip}:6379/0\n',
            'mongo.yaml': f'mongo: mongodb+srv://app:{pw[2]}@{ip}/prod\n',
            'sqla.py': f'URL = "postgresql+psycopg2://app:{pw[3]}@/db?host={home}/run"\n',
            'shell.sh': f'export PGPASSWORD={pw[4]}; psql -h {ip}\n',
            'app.ini': f'[db]\npassword = {pw[5]} ; host {ip}\n',
            'app.yaml': f'db:\n  password: {pw[6]}  # on {ip}\n',
            'app.json': f'{{"password": "{pw[7]}", "host": "{ip}"}}\n',
            'app.toml': f'api_token = "{pw[8]}"  # {ip}\n',
            'supervisor.conf': f'[program:app]\nenvironment=HOST="{ip}",DB_PASSWORD="{pw[9]}"\n',
            'libpq.py': f'DSN = "host={ip} user=app password={pw[10]} dbname=prod"\n',
            'jdbc.properties': f'url=jdbc:postgresql://{ip}:5432/db?user=app&password={pw[11]}&ssl=true\n',
            'curl.sh': f'curl -H "Authorization: Bearer {pw[12]}" http://{ip}/api\n',
            'backup.sh': f'backup --password={pw[13]} --token {pw[14]} --host {ip}\n',
            'conn.py': f'conn = connect(host="{ip}", password="{pw[15]}")\n',
            'paths.py': f'LOG = "{home}/log"  # api_key="{pw[16]}"\n',
            'dsn.go': f'dsn := "app:{pw[17]}@tcp({ip}:3306)/prod"\n',
            'fetch.sh': f'curl -u admin:{pw[18]} https://{ip}/api\n',
            'web.config': f'<server>{ip}</server><db_password>{pw[19]}</db_password>\n',
        }
        self.passwords = pw

    def write(self, root: Path) -> None:
        for rel, text in self.files.items():
            write(root, rel, text)

    def shown_in(self, *texts: str) -> list[str]:
        """The passwords (or their URL-encoded, JSON-escaped forms) that appear in any of `texts`."""
        forms = {p: (p, p.replace('!', '%21'), json.dumps(p)[1:-1]) for p in self.passwords}
        return [p for p, variants in forms.items() if any(v in t for v in variants for t in texts)]


@pytest.fixture
def leaks() -> Leaks:
    return Leaks()


def reported_paths(report: dict[str, object]) -> set[str]:
    findings = report['findings']
    assert isinstance(findings, list)
    return {f['path'].rpartition(':')[2] for f in findings}


@pytest.mark.parametrize('fmt', ['text', 'json', 'sarif'])
def test_scan_output_never_shows_a_password(tmp_path: Path, leaks: Leaks, fmt: str) -> None:
    leaks.write(tmp_path / 'tree')
    proc = run_guard('scan', '--format', fmt, tmp_path / 'tree')
    saved = tmp_path / f'report.{fmt}'
    to_file = run_guard('scan', '--format', fmt, '--output', saved, tmp_path / 'tree')
    assert (proc.returncode, to_file.returncode) == (1, 1), proc.stderr
    assert leaks.shown_in(proc.stdout, proc.stderr, to_file.stdout, to_file.stderr, saved.read_text()) == []
    if fmt == 'json':
        assert reported_paths(json.loads(proc.stdout)) == set(leaks.files)  # every line was reported
    else:
        assert all(rel in proc.stdout for rel in leaks.files)


def test_json_excerpts_show_the_finding_and_plain_code_only(tmp_path: Path, leaks: Leaks) -> None:
    leaks.write(tmp_path)
    report = json.loads(run_guard('scan', '--format', 'json', '--only', 'ip', tmp_path).stdout)
    excerpts = {f['path']: f['excerpt'] for f in report['findings']}
    ip = leaks.files['redis.env'].split('@')[1].split(':')[0]
    # Default-deny: the address in clear, the names and plain words around it, every value masked.
    assert excerpts['url.env'] == f'DB_URL=postgresql://********@{ip}********'
    assert excerpts['redis.env'] == f'REDIS_URL=redis://********@{ip}:6379/0'
    assert excerpts['conn.py'] == f'conn = connect(host="{ip}", password="********")'


def hooked_repo(root: Path) -> Path:
    root.mkdir()
    git(root, 'init', '-q')
    write(root, 'README.md', '# demo\n')
    git(root, 'add', '.')
    git(root, 'commit', '-q', '-m', 'init')
    proc = run_guard('install', root)
    assert proc.returncode == 0, proc.stderr
    return root


def commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ['git', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'change', *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_commit_hook_blocks_and_shows_no_password(tmp_path: Path, leaks: Leaks) -> None:
    repo = hooked_repo(tmp_path / 'repo')
    leaks.write(repo)
    git(repo, 'add', '.')
    proc = commit(repo)
    assert proc.returncode != 0
    assert all(rel in proc.stdout + proc.stderr for rel in leaks.files)
    assert leaks.shown_in(proc.stdout, proc.stderr) == []


def test_pre_push_hook_blocks_and_shows_no_password(tmp_path: Path, leaks: Leaks) -> None:
    repo = hooked_repo(tmp_path / 'repo')
    remote = tmp_path / 'remote.git'
    git(tmp_path, 'init', '-q', '--bare', str(remote))
    git(repo, 'remote', 'add', 'origin', str(remote))
    leaks.write(repo)
    git(repo, 'add', '.')
    assert commit(repo, '--no-verify').returncode == 0
    proc = git(repo, 'push', 'origin', 'HEAD:main', check=False)
    assert proc.returncode != 0 and 'push blocked' in proc.stdout + proc.stderr
    assert all(rel in proc.stdout + proc.stderr for rel in leaks.files)
    assert leaks.shown_in(proc.stdout, proc.stderr) == []


@pytest.mark.parametrize('fmt', ['text', 'json', 'sarif'])
def test_history_scan_shows_no_password(tmp_path: Path, leaks: Leaks, fmt: str) -> None:
    repo = tmp_path / 'repo'
    repo.mkdir()
    git(repo, 'init', '-q')
    leaks.write(repo)
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'leak')
    git(repo, 'rm', '-q', '-r', '.')
    git(repo, 'commit', '-q', '-m', 'gone')  # only history holds them now
    proc = run_guard('scan', '--history', '--format', fmt, repo)
    assert proc.returncode == 1, proc.stderr
    assert leaks.shown_in(proc.stdout, proc.stderr) == []
    if fmt == 'json':
        assert reported_paths(json.loads(proc.stdout)) == set(leaks.files)


def test_purge_with_a_password_in_its_command_stores_and_prints_none(tmp_path: Path) -> None:
    secret, token = password(), password()
    state = tmp_path / 'state'
    root = tmp_path / 'proj'
    write(root, 'logs/app.log', 'x' * 100)
    # The service command fails and echoes its options, as a real client saying why it failed.
    write(tmp_path, 'svc.py', 'import sys\nprint("login refused:", " ".join(sys.argv[1:]))\nsys.exit(3)\n')
    command = f'{sys.executable} {tmp_path / "svc.py"} --password={secret} --token {token}'
    write(root, 'guard.toml', f"[purge]\nbefore = ['{command}']\n")
    trust(root)
    env = {'GUARD_STATE_DIR': str(state)}
    dry = run_guard('purge', root, '--dry-run', env=env)
    proc = run_guard('purge', root, '--force', env=env)
    history = run_guard('history', '--json', env=env)
    assert proc.returncode == 1 and 'before command' in proc.stderr
    [event] = json.loads(history.stdout)
    # Default-deny (redact.mask_command_line): the program and the command's shape, every value masked.
    assert event['detail']['commands'][0]['command'] == f'{sys.executable} *** --password=*** --token ***'
    outputs = [dry.stdout, dry.stderr, proc.stdout, proc.stderr, history.stdout, history.stderr]
    stored = [p.read_bytes().decode('latin-1') for p in state.rglob('*') if p.is_file()]
    assert stored, 'the audit store was not written where the test looks'
    for value in (secret, token):
        assert not any(value in text for text in outputs + stored)
    for db in state.rglob('*.db'):
        with sqlite3.connect(db) as conn:
            dump = '\n'.join(conn.iterdump())
        assert secret not in dump and token not in dump


def test_config_error_quoting_a_url_masks_its_password(tmp_path: Path) -> None:
    secret = password()
    write(tmp_path, 'guard.toml', f"[health]\ndb-url = ['postgresql://u:{secret}@h/db']\n")
    for command in ('health', 'scan'):
        proc = run_guard(command, tmp_path)
        assert proc.returncode == 2
        assert proc.stderr == (
            f'guard: error: {tmp_path / "guard.toml"}: health.db-url must be a string, '
            "got list ['********']\n"  # default-deny (guard.excerpt), as an excerpt: 15c finding 14
        )


def test_config_error_masks_a_password_even_where_the_value_is_cut(tmp_path: Path) -> None:
    secret = password() + token_hex(16)  # long enough that the quoted value is cut before the `@`
    write(tmp_path, 'guard.toml', f"[health]\ndb-url = ['postgresql://trader:{secret}@h/db']\n")
    proc = run_guard('health', tmp_path)
    assert proc.returncode == 2 and 'health.db-url must be a string' in proc.stderr
    assert secret[:8] not in proc.stderr.replace(mask(secret), '')


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def failing_project(root: Path, url: str) -> Path:
    write(
        root,
        'guard.toml',
        (
            'state-dir = ".state"\n'
            '[health]\nchecks = ["database"]\ntables = ["assets"]\nmin-rows = {assets = 1}\n'
            f'[alerts]\njournal = false\nwebhook = "{url}"\nwebhook-timeout = 2\nwebhook-retries = 0\n'
        ),
    )
    write(root, '.env', 'DB_URL=sqlite:///app.db\n')
    with sqlite3.connect(root / 'app.db') as conn:
        conn.execute('CREATE TABLE assets (id INTEGER)')  # no rows: the check fails, so an alert goes out
    trust(root)  # the webhook and the state-dir are settings a project's own file needs trust for
    return root


@pytest.mark.parametrize('shape', ['refused', 'bad character in the path'])
def test_webhook_delivery_failure_shows_no_token(tmp_path: Path, shape: str) -> None:
    path_token, query_token = token_hex(12), token_hex(12)
    # A stray space in the URL makes http.client quote the path, token and all, in its error.
    gap = ' ' if shape != 'refused' else ''
    url = f'http://127.0.0.1:{closed_port()}/hooks/{path_token}{gap}?token={query_token}'
    root = failing_project(tmp_path, url)
    proc = run_guard('health', root, '--alert')
    as_json = run_guard('health', root, '--alert', '--format', 'json')
    history = run_guard('history', '--json', env={'GUARD_STATE_DIR': str(root / '.state')})
    assert proc.returncode == 1 and 'not delivered by webhook' in proc.stderr
    stored = [p.read_bytes().decode('latin-1') for p in (root / '.state').rglob('*') if p.is_file()]
    for text in [proc.stdout, proc.stderr, as_json.stdout, as_json.stderr, history.stdout, *stored]:
        assert path_token not in text and query_token not in text


def test_webhook_sink_detail_hides_the_url_it_quotes() -> None:
    from guard.alerts.model import Alert
    from guard.alerts.webhook import WebhookSink
    from guard.health.result import Status

    token = token_hex(12)
    sink = WebhookSink(f'http://127.0.0.1:{closed_port()}/hooks/{token} x', timeout=2, retries=0, backoff=0)
    delivery = sink.deliver(Alert('problem', 'disk', Status.FAIL, Status.OK, '/r', 'h', 'full', 0.0, 0.0))
    assert not delivery.ok and 'InvalidURL' in delivery.detail and token not in delivery.detail


def test_internal_error_traceback_is_scrubbed(tmp_path: Path) -> None:
    secret = password()
    script = (
        'import sys\n'
        'from guard.cli.errors import error_handler\n'
        'with error_handler() as outcome:\n'
        f'    raise RuntimeError("connect failed: postgresql://app:{secret}@db/prod")\n'
        'sys.exit(outcome.code)\n'
    )
    proc = subprocess.run(
        [sys.executable, '-c', script], capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    assert proc.returncode == 3 and 'RuntimeError: connect failed: postgresql://app:' in proc.stderr
    assert secret not in proc.stderr


def test_a_match_a_filter_dropped_is_still_masked_in_another_rules_excerpt() -> None:
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    # `EXAMPLE` makes the token filter take it for a documentation key, so no secret finding is raised,
    # yet it may be a real token: the hardcoded-IP finding on the same line must not print it.
    body = token_hex(15)
    line = f'git clone https://192.168.86.{20 + randbelow(200)}/repo --config ghp_{body}EXAMPLE\n'
    findings, _ = Scanner(RULES).scan(Document('deploy.sh', line))
    assert findings, 'the hardcoded IP was not reported'
    assert all(body not in f.excerpt and body[:8] not in f.excerpt for f in findings)


def test_alert_detail_and_a_failing_alert_command_show_no_password(tmp_path: Path) -> None:
    from guard.alerts.command import CommandSink
    from guard.alerts.journal import stderr_line
    from guard.alerts.model import Alert
    from guard.health.result import Status

    secret, other = password(), password()
    # A check's reason that quotes a driver message echoing the URL it was given.
    alert = Alert(
        'problem',
        'database',
        Status.FAIL,
        Status.OK,
        str(tmp_path),
        'h',
        f'cannot connect to postgresql://app:{secret}@db/prod',
        0.0,
        0.0,
    )
    sink = CommandSink(f'echo "login failed: --password={other}" >&2; exit 4', timeout=10)
    delivery = sink.deliver(alert)
    shown = [
        delivery.detail,
        alert.summary,
        alert.message,
        stderr_line(alert),
        json.dumps(alert.as_dict()),
        json.dumps(alert.fields()),
    ]
    assert not delivery.ok and delivery.detail == 'exit 4: login failed: ********'  # default-deny
    assert not any(secret in text or other in text for text in shown)


def test_a_bad_argument_quoted_back_by_argparse_is_scrubbed(tmp_path: Path) -> None:
    secret = password()
    proc = run_guard('scan', '--fail-on', f'postgresql://u:{secret}@h/db', tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == (
        f'guard scan: error: argument --fail-on: invalid choice: '
        f"'postgresql://u:{mask(secret)}@h/db' (choose from 'note', 'warning', 'error')"
    )


@pytest.mark.parametrize('only', [(), ('ip',)])
def test_masking_does_not_depend_on_which_rules_are_enabled(only: tuple[str, ...]) -> None:
    from guard.rules import CONTENT_RULES
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    body = token_hex(18)  # a GitHub token outside any assignment: only the token rule knows it is one
    line = f'push https://192.168.86.{20 + randbelow(200)}/repo ghp_{body}\n'
    enabled = [r.id for r in CONTENT_RULES if r.category in only] if only else list(RULES)
    findings, _ = Scanner(enabled).scan(Document('deploy.sh', line))
    assert any(f.rule == 'hardcoded-ipv4' for f in findings)
    assert all(body[:8] not in f.excerpt for f in findings)


# --- Generated credentials in 50 forms (issue 15): default-deny excerpts, every output ---------------

# (file, line template, characters the form's own syntax cannot hold in the credential). Every line
# holds an address or a home path, so a non-secret rule reports it whatever the secret rules make of it.
FORMS: list[tuple[str, str, str]] = [
    ('mysql.sh', 'mysql -h {ip} -u root -p{x} orders\n', ''),
    ('netrc', 'machine {ip} login root password {x}\n', ''),
    ('sshpass.sh', 'sshpass -p {x} ssh root@{ip}\n', ''),
    ('redis.sh', 'redis-cli -h {ip} -a {x} ping\n', ''),
    ('docker.sh', 'docker login -u admin -p {x} {ip}:5000\n', ''),
    ('ldap.sh', 'ldapsearch -H ldap://{ip} -D cn=admin,dc=corp -w {x}\n', ''),
    ('smb.sh', 'smbclient //{ip}/share -U backup%{x}\n', ''),
    ('curl_u.sh', 'curl -u user:{x} http://{ip}/api\n', ''),
    ('keytool.sh', 'keytool -list -storepass {x} -keystore {home}/ks.jks\n', ''),
    ('pom.xml', '<server><host>{ip}</host><password>{x}</password></server>\n', '<>&'),
    ('props.xml', '<entry key="host">{ip}</entry><entry key="password">{x}</entry>\n', '<>&'),
    ('db.py', 'conn = pymysql.connect("{ip}", "root", "{x}")\n', '"'),
    ('ftp.py', 'ftp = ftplib.FTP("{ip}", "backup", "{x}")\n', '"'),
    ('req.py', 'requests.get("http://{ip}/api", auth=("svc", "{x}"))\n', '"'),
    ('basic.py', 'auth = HTTPBasicAuth("svc", "{x}")  # {ip}\n', '"'),
    ('smtp.py', 'smtp.login(user, "{x}")  # relay {ip}\n', '"'),
    ('db.env', 'DB_PW={x} DB_HOST={ip}\n', ''),
    ('block.yaml', 'password: |\n  {x}  {home}/note\n', ''),
    ('url_quote.env', 'DB_URL=postgresql://app:{x}@{ip}:5432/prod\n', ''),
    ('scp.sh', 'scp dump.sql user@server:{x}@{ip}:/srv\n', ''),
    ('split.py', 'URL = ("postgresql://app:" + "{x}" + "@{ip}/prod")\n', '"'),
    ('split2.py', "URL = 'postgresql://app:' +\\\n    '{x}@{ip}/prod'\n", "'"),
    ('pgpass.conf', '{ip}:5432:*:postgres:{x}\n', ''),
    ('pgpass', '{ip}:5432:prod:app:{x}\n', ''),
    ('pgpassword.sh', 'PGPASSWORD={x} psql -h {ip} -U app prod\n', ''),
    ('mysqlpwd.sh', 'export MYSQL_PWD={x}; mysql -h {ip}\n', ''),
    ('app.json', '{{"host": "{ip}", "password": "{x}"}}\n', '"'),
    ('mongo.env', 'MONGO=mongodb+srv://app:{x}@{ip}/prod\n', ''),
    ('clone.sh', 'git clone https://deploy:{x}@{ip}/repo.git\n', ''),
    ('wget.sh', 'wget --password={x} http://{ip}/file\n', ''),
    ('wget2.sh', 'wget --http-password {x} http://{ip}/file\n', ''),
    ('libpq.sh', 'psql "host={ip} user=app password={x} dbname=prod"\n', '"'),
    ('dump.sh', 'mysqldump --user=root --password {x} --host {ip} prod\n', ''),
    ('htpasswd.sh', 'htpasswd -b {home}/.htpasswd admin {x}\n', ''),
    ('sqlcmd.bat', 'sqlcmd -S {ip} -U sa -P {x} -Q "select 1"\n', ''),
    ('mqtt.sh', 'mosquitto_pub -h {ip} -u iot -P {x} -t t -m m\n', ''),
    ('rsync.sh', 'rsync -a rsync://backup:{x}@{ip}/module/ {home}/b/\n', ''),
    ('openssl.sh', 'openssl pkcs12 -in {home}/c.p12 -passin pass:{x}\n', ''),
    ('sshkeygen.sh', 'ssh-keygen -N {x} -f {home}/.ssh/id_deploy\n', ''),
    ('docker_e.sh', 'docker run -e POSTGRES_PASSWORD={x} -p {ip}:5432:5432 postgres\n', ''),
    ('app.ini', '[db]\npassword = {x} ; host {ip}\n', ';'),
    ('yaml.yaml', 'db:\n  password: {x}  # on {ip}\n', ''),
    ('jdbc.properties', 'url=jdbc:mysql://{ip}/db?user=app&password={x}\n', '&'),
    ('kw.py', 'conn = connect(host="{ip}", user="app", passwd="{x}")\n', '"'),
    ('bearer.sh', 'curl -H "Authorization: Bearer {x}" http://{ip}/api\n', '"'),
    ('gosql.go', 'dsn := "app:{x}@tcp({ip}:3306)/prod"\n', '"'),
    ('ps1.ps1', '$pw = ConvertTo-SecureString "{x}" -AsPlainText -Force; Enter-PSSession {ip}\n', '"'),
    ('netuse.bat', 'net use \\\\{ip}\\share {x} /user:corp\\svc\n', ''),
    ('sshpass_env.sh', 'SSHPASS={x} sshpass -e ssh root@{ip}\n', ''),
    ('vnc.sh', 'echo {x} | vncpasswd -f > {home}/.vnc/passwd\n', '|>'),
    # The value on the line below its key (issue 15 findings 01, 03): the key's line says what it holds.
    ('folded.yaml', 'db:\n  password: >-\n    {x} {ip}\n', ''),
    ('key_alone.yaml', 'db:\n  password:\n    {x} {ip}\n', ''),
    ('mysql_cont.sh', 'mysql -h db --password \\\n  {x} {ip}\n', ''),
    ('sshpass_cont.sh', 'sshpass -p \\\n  {x} ssh root@{ip}\n', ''),
    ('element_lines.xml', '<config>\n<password>\n  {x} {ip}\n</password>\n</config>\n', '<>&'),
    ('continued.ini', '[db]\npassword =\n  {x} {ip}\n', ';'),
    # A value holding `(` is a literal in a credential's position (findings 02, 13) ...
    ('spring.properties', 'spring.datasource.password=pw({x} # {ip}\n', ''),
    ('paren.ini', '[db]\npassword=pw({x}) ; {home}/db.sock\n', ';'),
    ('compose.env', 'POSTGRES_PASSWORD=pw({x} DB_HOST={ip}\n', ''),
    ('pgpassword_export.sh', 'export PGPASSWORD=pw({x}; psql -h {ip}\n', ';'),
    ('libpq_paren.py', 'conn = psycopg2.connect("host={ip} dbname=prod password=pw({x}")\n', '"'),
    ('libpq_call.py', 'conn = psycopg2.connect("host={ip} password=pw({x})")\n', '"'),
    # ... and in CDATA (finding 04).
    ('cdata.config', '<db><Password><![CDATA[{x}]]></Password> <Host>{ip}</Host></db>\n', ']'),
    # A value that runs to the end of its line (issue 15b finding 01): a passphrase with spaces may stand
    # in each of these (PASSPHRASE_FORMS), every word of it a credential's.
    ('application.properties', 'spring.datasource.password={x}  # replica {ip}\n', ''),
    ('props_ip.properties', 'db.url=jdbc:mysql://{ip}/db db.password={x}\n', ''),
    ('eol.properties', 'spring.datasource.password = {x} {ip}\n', ''),
    ('ip_first.env', 'DB_HOST={ip} DB_PASSWORD={x}\n', ''),
    ('Dockerfile', 'FROM python:3.12\nENV DB_PASSWORD {x} on {ip}\n', ''),
    ('docker_env.Dockerfile', 'ENV DB_HOST={ip} DB_PASSWORD {x}\n', ''),
    ('my.cnf', '[client]\npassword={x}  # host {ip}\n', ''),
    ('mycnf_line.cnf', '[client] host={ip} password={x}\n', ''),
    ('adonet.config', '<add connectionString="Server={ip};User Id=sa;Password={x};" />\n', '";<>&'),
    ('adonet.cfg', 'Server={ip};Database=x;User Id=sa;Password={x}\n', ';'),
    ('jdbc_eol.properties', 'url=jdbc:postgresql://{ip}:5432/db?user=app&password={x}\n', '&#'),
    ('compose_env.yml', 'services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD={x}  # {ip}\n', ''),
    ('compose_line.yml', '    environment: [DB_HOST={ip}, POSTGRES_PASSWORD={x}]\n', ',[]{{}}'),
    ('pgpass_space', '{ip}:5432:orders:app:{x}\n', ''),
    ('cisco.cfg', 'username ops privilege 15 secret 0 {x} ! mgmt {ip}\n', '!'),
    ('oracle.sql', 'CREATE USER app IDENTIFIED BY {x}; -- replica on {ip}\n', ';-'),
    # An option's argument in a flow list (finding 12): the next item, to the next `,` `]` `}`.
    ('compose_cmd.yml', '    command: [redis-server, --requirepass, {x}, --replicaof, {ip}, "6379"]\n', ',[]{{}}"'),
    ('k8s_args.yaml', 'args: [--db-host, {ip}, --db-password, {x}]\n', ',[]{{}}'),
    # A credential glued to a reported path (finding 09): the path ends where plain path characters end.
    ('cert.sh', 'curl --cert {home}/certs/client.p12:{x} https://api.internal/v1\n', ''),
    ('cert_e.sh', 'curl -E {home}/c.pem:{x} https://api.internal/v1\n', ''),
    *[(f'glued{i}.sh', f'run {{home}}/keys/id{glue}{{x}} now\n', '') for i, glue in enumerate('=@#%&!+*~\\')],
    ('xml_cdata_next.xml', '<db><password><![CDATA[\n{x}]]></password><host>{ip}</host></db>\n', ']'),
    # A quote escaped by doubling (SQL, YAML) or by the shell's '"'"' idiom inside a quoted passphrase
    # (review 18): the literal goes on after the escape.
    ('doubled.sql', "INSERT INTO users (host, pass) VALUES ('{ip}', 'O''Neil {x} tram');\n", "'"),
    ('doubled.yaml', "db:\n  dsn: 'host={ip} password=O''Neil {x} tram'\n", "'"),
    ('shell_idiom.sh', "sshpass -p 'O'\"'\"'Neil {x} tram' ssh root@{ip}\n", "'"),
    # Weak-password forms of issue 15b finding 08: a triple-quoted or parenthesised literal, a name and
    # its value as two entries of one record (.properties with a space: tests/rules_credentials_test.py).
    ('triple.py', 'conn = connect(host="{ip}", password="""{x}""")\n', '"'),
    ('paren.py', 'DB_PASSWORD = (\n    "{x}"  # {ip}\n)\n', '"'),
    ('k8s_env.yaml', 'env:\n  - name: DB_PASSWORD\n    value: {x}  # {ip}\n', ''),
    ('ecs.json', '[{{"name": "DB_PASSWORD", "value": "{x}"}}, {{"name": "HOST", "value": "{ip}"}}]\n', '"\\'),
    # A quoted value glued to its option (attack 15d finding 02): the shell's way to pass a passphrase.
    ('mysql_quoted.sh', "mysql -h {ip} -u root -p'{x}' orders\n", "'"),
    ('mysqldump_dq.cron', '0 3 * * * mysqldump -h {ip} -uroot -p"{x}" db > {home}/dump.sql\n', '"'),
    ('unpack_7z.sh', "7z x {home}/b.7z -p'{x}'\n", "'"),
    ('sshpass_glued.sh', "sshpass -p'{x}' ssh root@{ip}\n", "'"),
    # Passwords a command takes by position (attack 15e finding 07).
    ('mc_alias.sh', 'mc alias set prod http://{ip}:9000 minioadmin {x}\n', ''),
    ('rabbit.sh', 'rabbitmqctl -n rabbit@{ip} add_user app {x}\n', ''),
    ('echo_stdin.sh', "echo '{x}' | docker login {ip}:5000 -u ci --password-stdin\n", "'"),
    ('xfreerdp.sh', 'xfreerdp /v:{ip} /u:admin /p:{x}\n', ''),
    # Attack 15h: vault, net-snmp, schtasks, nmcli, daemons' config and password files, SQL seed rows.
    ('vault.sh', 'VAULT_ADDR=http://{ip}:8200 vault login {x}\n', '='),  # `K=V` is an auth method's parameter
    ('snmp.sh', 'snmpwalk -v3 -l authPriv -u ops -a SHA -A {x} {ip} system\n', ''),
    ('schtasks.bat', 'schtasks /create /s {ip} /u corp\\admin /p {x} /tn b /tr b.bat\n', ''),
    ('nmcli.sh', 'nmcli dev wifi connect HomeNet password {x} ifname wlan0  # {ip}\n', ''),
    ('keepalived.conf', 'auth_pass {x}  # peer {ip}\n', '#'),
    ('sasl_passwd', '[{ip}]:587 relay@corp.example:{x}\n', ''),
    ('seed.sql', "INSERT INTO users (host, password) VALUES ('{ip}', '{x}');\n", "'"),
]
# The forms whose value may hold spaces: it runs to the end of the line (or of the flow item).
PASSPHRASE_FORMS = [
    f
    for f in FORMS
    if f[0]
    in {
        'application.properties',
        'eol.properties',
        'ip_first.env',
        'Dockerfile',
        'docker_env.Dockerfile',
        'my.cnf',
        'mycnf_line.cnf',
        'adonet.config',
        'adonet.cfg',
        'jdbc_eol.properties',
        'compose_env.yml',
        'compose_line.yml',
        'pgpass_space',
        'cisco.cfg',
        'compose_cmd.yml',
        'k8s_args.yaml',
        'props_ip.properties',
        'app.ini',
        'yaml.yaml',
        'doubled.sql',
        'doubled.yaml',
        'shell_idiom.sh',
        'mysql_quoted.sh',
        'mysqldump_dq.cron',
        'unpack_7z.sh',
        'sshpass_glued.sh',
        'echo_stdin.sh',
    }
]

# Forms where the credential sits where no position says "value" (a block scalar's line, a positional
# argument): only its shape masks it, so letters alone, `name=…` or a number pass for code there.
SHAPE_ONLY = {'block.yaml', 'htpasswd.sh', 'netuse.bat', 'vnc.sh'}
WORDS = ('trader', 'summer', 'dragon', 'monkey', 'Orders', 'Backup', 'letmein', 'Welcome', 'shadow', 'Kraken')
SYMBOLS = "@:/'#!%$+=*?"
# Random strings (a password generator's: a digit or a symbol in it), words with digits, words with
# `@ : / ' #` inside. They start with a letter or digit: a leading `#` or `-` changes what the line is.
# None holds an address itself: what a rule reports is shown by design, so that part would show.
ADDRESS = re.compile(r'\d+\.\d+\.\d+\.\d+|\d*:\d*:')
# What guard prints of its own on every report (rule ids, why and fix lines): a generated `hardcoded-ipv4` is
# in every output, shown or not.
OWN_TEXT = '\n'.join(f'{rule.id} {rule.why} {rule.fix}' for rule in RULES.values())
random_strings = st.text(
    alphabet=st.sampled_from(
        [*'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', *SYMBOLS, '.', '-', '_']
    ),
    min_size=8,
    max_size=24,
).filter(
    lambda s: (
        s[0].isalnum() and any(c.isdigit() or c in SYMBOLS for c in s) and not ADDRESS.search(s) and s not in OWN_TEXT
    )
)
words_with_digits = st.builds(lambda w, d: f'{w}{d}', st.sampled_from(WORDS), st.integers(0, 99999))
words_with_symbols = st.builds(
    lambda a, sym, b, d: f'{a}{sym}{b}{d}',
    st.sampled_from(WORDS),
    st.sampled_from("@:/'#"),
    st.sampled_from(WORDS),
    st.sampled_from(['', '1', '2024']),
)
credentials = st.one_of(random_strings, words_with_digits, words_with_symbols)
# Letters alone, mixed case: every form but the shape-only ones must mask these by position.
letters_only = st.text(
    alphabet=st.sampled_from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), min_size=8, max_size=16
).filter(lambda s: any(c.isupper() for c in s[1:]) and any(c.islower() for c in s))


# Capitals alone, as a generator makes them: five consonants in a row (attack 15h finding 07; `SCHTASKS` and
# `POSTGRES` are words the masker shows).
capitals_only = st.text(alphabet=st.sampled_from('ABCDEFGHIJKLMNOPQRSTUVWXYZ'), min_size=12, max_size=20).filter(
    lambda s: re.search('[B-DF-HJ-NP-TV-Z]{5}', s) is not None and s not in OWN_TEXT
)


# Where no position says "value" to the masker (attack 15h finding 07): only the capitals' shape masks them.
CAPITALS_FORMS = [
    ('task.bat', 'SCHTASKS /CREATE /S {ip} /U admin /P {x} /TN Backup\n'),
    ('snmpd.conf', 'createUser admin SHA {x} AES {x} # {ip}\n'),
    ('interfaces', '    wpa-psk {x} # {ip}\n'),
    ('share.sh', 'smbclient //{ip}/share -U bob {x}\n'),
    ('runas.bat', 'runas /user:admin {x} # {ip}\n'),
    ('block.yaml', 'password: >-\n  {x} # {ip}\n'),
]


@settings(max_examples=300, deadline=None)
@given(capitals_only, st.sampled_from(CAPITALS_FORMS))
def test_no_excerpt_shows_a_password_of_capitals(secret: str, form: tuple[str, str]) -> None:
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    findings, _ = Scanner(RULES).scan(Document(form[0], form[1].format(x=secret, ip='192.168.86.42')))
    assert findings
    for finding in findings:
        assert secret[:6] not in finding.excerpt and secret[-6:] not in finding.excerpt, finding.excerpt
    assert any(f.credential or f.category == 'secret' for f in findings), 'a masked credential holds back the SKIP hint'


def test_the_generator_covers_forty_forms() -> None:
    assert len(FORMS) >= 40 and len({name for name, _, _ in FORMS}) == len(FORMS)


def place(form: tuple[str, str, str], secret: str, host: int) -> tuple[str, str, str]:
    """(the credential as the form can hold it, the file's text, the text with the credential cut out)."""
    _, template, cannot_hold = form
    for char in cannot_hold:
        secret = secret.replace(char, 'Z')
    fields = {'ip': f'192.168.86.{host}', 'home': '/home/trader7/app'}
    return secret, template.format(x=secret, **fields), template.format(x='\0', **fields)


def fragments(secret: str, rest: str) -> list[str]:
    """The credential's 6-character pieces that the rest of the line does not hold by itself."""
    return [secret[i : i + 6] for i in range(len(secret) - 5) if secret[i : i + 6] not in rest]


@settings(max_examples=4000, deadline=None)
@given(st.one_of(credentials, letters_only), st.sampled_from(FORMS), st.integers(20, 250))
# Glued after a masked piece, a number showed (`********=00000`) and the rest passed for no credential.
@example("0'=00000", ('mc_alias.sh', 'mc alias set prod http://{ip}:9000 minioadmin {x}\n', ''), 20)
@example("0'000=00", ('mc_alias.sh', 'mc alias set prod http://{ip}:9000 minioadmin {x}\n', ''), 20)
def test_no_excerpt_shows_a_generated_credential_or_a_piece_of_one(
    secret: str, form: tuple[str, str, str], host: int
) -> None:
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    if form[0] in SHAPE_ONLY and (secret.isalpha() or '=' in secret or not any(c.isalpha() for c in secret)):
        return  # the documented limit (guard/excerpt.py): a bare word, name= or number reads as code
    secret, text, rest = place(form, secret, host)
    findings, _ = Scanner(RULES).scan(Document(form[0], text))
    assert findings, f'{form[0]}: the line was not reported, so this case tests nothing'
    for finding in findings:
        assert secret not in finding.excerpt
        shown = finding.excerpt.replace('********', '\0')  # a mask's stars are no piece of a secret's `**`
        assert [piece for piece in fragments(secret, rest) if piece in shown] == []
    if not any(f.category == 'secret' for f in findings):
        assert any(f.credential for f in findings), f'{form[0]}: a masked credential must hold back the SKIP hint'


# A passphrase: generated credentials, mixed-case letter runs and plain words, joined by spaces.
passphrases = st.lists(st.one_of(credentials, letters_only, st.sampled_from(WORDS)), min_size=2, max_size=4).map(
    ' '.join
)


def words_of(secret: str, rest: str) -> list[str]:
    """The credential's words (whitespace-separated pieces longer than 3 characters) that the rest of the
    line does not hold by itself."""
    return [word for word in secret.split() if len(word) > 3 and word not in rest]


@settings(max_examples=2000, deadline=None)
@given(passphrases, st.sampled_from(PASSPHRASE_FORMS), st.integers(20, 250))
def test_no_excerpt_shows_a_word_of_a_passphrase(secret: str, form: tuple[str, str, str], host: int) -> None:
    """Issue 15b finding 01: a value with spaces that runs to the end of its line was masked to its
    first space only; every later word printed in clear."""
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    secret, text, rest = place(form, secret, host)
    findings, _ = Scanner(RULES).scan(Document(form[0], text))
    assert findings, f'{form[0]}: the line was not reported, so this case tests nothing'
    for finding in findings:
        shown = finding.excerpt.replace('********', '\0')
        assert [word for word in words_of(secret, rest) if word in shown] == [], (form[0], text, finding.excerpt)


class Planted:
    """A tree with every form, each holding its own generated credential."""

    def __init__(self, secrets: list[str], forms: list[tuple[str, str, str]] = FORMS) -> None:
        self.files: dict[str, str] = {}
        self.secrets: list[str] = []
        self.words: list[str] = []  # every word of a credential that no line holds by itself
        rests = []
        for i, (form, secret) in enumerate(zip(forms, secrets, strict=True)):
            secret, text, rest = place(form, secret, 20 + i)
            self.files[form[0]] = text
            self.secrets.append(secret)
            self.words += words_of(secret, rest)
            rests.append(rest)
        # Not a word another line holds either (`trader` of a passphrase, in another line's /home/trader7).
        self.words = [word for word in self.words if not any(word in rest for rest in rests)]

    def write(self, root: Path) -> None:
        for rel, text in self.files.items():
            write(root, rel, text)

    def shown_in(self, *texts: str) -> list[str]:
        """The credentials (or their URL-encoded or JSON-escaped forms) that appear in any of `texts`."""
        from urllib.parse import quote

        found = []
        for secret in self.secrets:
            variants = {secret, quote(secret, safe=''), quote(secret, safe='/:@'), json.dumps(secret)[1:-1]}
            if any(v in t for v in variants for t in texts):
                found.append(secret)
        return found + [word for word in self.words if any(word in t.replace('********', '\0') for t in texts)]


def outputs_of_every_command(root: Path, planted: Planted) -> list[str]:
    """What guard prints for the tree: scan in every format (stdout and -o), -v, --history, --range,
    the standalone commit and pre-push hooks. Asserts each run reported the files."""
    repo = root / 'repo'
    repo.mkdir()
    git(repo, 'init', '-q')
    write(repo, 'README.md', '# demo\n')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'init')
    assert run_guard('install', repo).returncode == 0
    planted.write(repo)
    texts = []
    for args in (['--format', 'text'], ['--format', 'text', '-v'], ['--format', 'json'], ['--format', 'sarif']):
        proc = run_guard('scan', *args, repo)
        saved = root / f'out-{len(texts)}'
        to_file = run_guard('scan', *args, '--output', saved, repo)
        assert proc.returncode == 1 and to_file.returncode == 1, proc.stderr
        texts += [proc.stdout, proc.stderr, to_file.stdout, to_file.stderr, saved.read_text()]
    git(repo, 'add', '.')
    hook = commit(repo)
    said = hook.stdout + hook.stderr  # git hands a hook's stdout to stderr
    assert hook.returncode != 0 and all(rel in said for rel in planted.files)
    assert 'may hold a credential' in said and 'SKIP=' not in said
    texts += [hook.stdout, hook.stderr]
    assert commit(repo, '--no-verify').returncode == 0
    for args in (['--history'], ['--range', 'HEAD~1..HEAD'], ['--history', '--format', 'json', '-v']):
        proc = run_guard('scan', *args, repo)
        assert proc.returncode == 1 and all(rel in proc.stdout for rel in planted.files), proc.stderr
        texts += [proc.stdout, proc.stderr]
    remote = root / 'remote.git'
    git(root, 'init', '-q', '--bare', str(remote))
    git(repo, 'remote', 'add', 'origin', str(remote))
    push = git(repo, 'push', 'origin', 'HEAD:main', check=False)
    assert push.returncode != 0 and 'may hold a credential' in push.stdout + push.stderr
    assert 'SKIP=' not in push.stdout + push.stderr
    texts += [push.stdout, push.stderr]
    # What guard keeps between runs (audit store, alert state, locks) holds no line of scanned content.
    state = Path(os.environ['XDG_STATE_HOME'])
    texts += [p.read_bytes().decode('latin-1') for p in state.rglob('*') if p.is_file()]
    # A committed baseline holds no credential word either (its location keys are checked in fingerprints_test).
    baseline = run_guard('baseline', repo)
    assert baseline.returncode == 0, baseline.stderr
    texts += [baseline.stdout, baseline.stderr, (repo / '.guard-baseline.json').read_text()]
    return texts


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(credentials, min_size=len(FORMS), max_size=len(FORMS)))
def test_no_generated_credential_in_any_output(tmp_path_factory: pytest.TempPathFactory, secrets: list[str]) -> None:
    planted = Planted(secrets)
    texts = outputs_of_every_command(tmp_path_factory.mktemp('forms'), planted)
    assert planted.shown_in(*texts) == []


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(passphrases, min_size=len(PASSPHRASE_FORMS), max_size=len(PASSPHRASE_FORMS)))
def test_no_word_of_a_generated_passphrase_in_any_output(
    tmp_path_factory: pytest.TempPathFactory, secrets: list[str]
) -> None:
    planted = Planted(secrets, PASSPHRASE_FORMS)
    texts = outputs_of_every_command(tmp_path_factory.mktemp('passphrases'), planted)
    assert planted.shown_in(*texts) == []


@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(credentials, min_size=len(FORMS), max_size=len(FORMS)))
def test_pre_commit_framework_hook_shows_no_generated_credential(
    git_repo: Path,
    guard_snapshot: tuple[Path, str, Path],  # noqa: F811  (the fixture)
    monkeypatch: pytest.MonkeyPatch,
    secrets: list[str],
) -> None:
    from hooks_precommit_test import commit as framework_commit
    from hooks_precommit_test import project

    repo = project(git_repo, guard_snapshot, monkeypatch)
    planted = Planted(secrets)
    planted.write(repo)
    git(repo, 'add', '.')
    proc = framework_commit(repo)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 1 and all(rel in said for rel in planted.files)
    assert 'may hold a credential' in said and 'SKIP=' not in said
    assert planted.shown_in(said) == []


@settings(max_examples=300, deadline=None)
@given(
    credentials,
    st.sampled_from([f for f in FORMS if '\n' not in f[1].rstrip('\n')]),
    st.integers(0, 40_000),
    st.integers(0, 40_000),
)
def test_a_very_long_line_masks_around_its_findings_as_a_short_one_does(
    secret: str, form: tuple[str, str, str], before: int, after: int
) -> None:
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    if form[0] in SHAPE_ONLY and ('=' in secret or not any(c.isalpha() for c in secret)):
        return  # the documented limit, as above
    secret, text, rest = place(form, secret, 77)
    filler = 'lorem ipsum dolor sit amet '
    line = (filler * (before // len(filler) + 1))[:before] + ' ' + text.rstrip('\n') + ' ' + filler * (after // 27)
    findings, _ = Scanner(RULES).scan(Document(form[0], line + '\n'))
    assert findings
    # Pieces the rest of the line does not hold itself (`trader7` is also the home path's user, shown).
    pieces = fragments(secret, rest) if len(secret) >= 6 else [secret] * (secret not in rest)
    assert not any(piece in f.excerpt for f in findings for piece in pieces)


# Letters alone whose case flips every one or two letters (issue 15 finding 03: `jYWBGKbomHazCahO`), and
# identifiers made of word-sized humps (`getUserName`, `HTTPServer`) that must stay readable.
short_humps = (
    st.lists(st.text(alphabet='abcdefghijklmnopqrstuvwxyz', min_size=1, max_size=2), min_size=6, max_size=12)
    .map(lambda humps: ''.join(h.upper() if i % 2 else h for i, h in enumerate(humps)))
    .filter(lambda t: len(t) >= 8)
)
identifiers = st.builds(
    lambda first, rest: first + ''.join(w.capitalize() for w in rest),
    st.sampled_from(['get', 'set', 'parse', 'read', 'to']),
    st.lists(
        st.sampled_from(['user', 'name', 'server', 'request', 'value', 'token', 'string']), min_size=1, max_size=3
    ),
)


@settings(max_examples=500, deadline=None)
@given(short_humps, identifiers, st.integers(20, 250))
def test_a_random_case_token_is_masked_and_an_identifier_shown(token: str, identifier: str, host: int) -> None:
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    text = f'run {identifier} {token} 192.168.86.{host}\n'
    [finding] = Scanner(RULES).scan(Document('run.sh', text))[0]
    shown = finding.excerpt.replace('********', '\0')
    assert identifier in shown
    assert [piece for piece in fragments(token, '') if piece in shown] == []


# Files where only a rule that a SKIP turns off fires (env-file, an address next to a masked value):
# following the hint would commit the credential (issue 15 finding 09), so no hint may be offered.
ENV_FORMS = ['DB_PASSWORD=pw({x}\n', 'export API_TOKEN={x}\n', 'APP_SECRET="{x}"\nDEBUG=1\n']
SKIP_FORMS = [('.env', form, '"') for form in ENV_FORMS] + [
    f for f in FORMS if f[0] in ('folded.yaml', 'cdata.config', 'spring.properties', 'continued.ini')
]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(credentials, letters_only), st.sampled_from(SKIP_FORMS))
def test_no_skip_hint_for_a_file_holding_a_credential(
    tmp_path_factory: pytest.TempPathFactory, secret: str, form: tuple[str, str, str]
) -> None:
    repo = tmp_path_factory.mktemp('skip')
    git(repo, 'init', '-q')
    write(repo, 'README.md', '# demo\n')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'init')
    assert run_guard('install', repo).returncode == 0
    secret, text, _ = place(form, secret, 42)
    write(repo, form[0], text)
    git(repo, 'add', '.')
    hook = commit(repo)
    said = hook.stdout + hook.stderr
    assert hook.returncode != 0 and form[0] in said
    assert 'SKIP=' not in said, said


# A credential's value holding `(` (issue 15 findings 02, 13): code only where it really is a call, a name
# right before `(` and the parentheses closed, in a code file, outside a string; a literal everywhere else.
call_names = st.builds(
    lambda a, b: f'{a}_{b}',
    st.sampled_from(['get', 'read', 'load', 'fetch']),
    st.sampled_from(['password', 'secret', 'token', 'credentials']),
)


@settings(max_examples=300, deadline=None)
@given(
    call_names,
    st.sampled_from(['app.py', 'app.go', 'app.rb']),
    st.sampled_from(['app.ini', 'app.properties', 'app.env', 'app.yaml']),
    letters_only,
    st.integers(20, 250),
)
def test_a_call_in_code_is_shown_and_a_parenthesis_in_config_is_a_literal(
    name: str, code_file: str, config_file: str, secret: str, host: int
) -> None:
    from guard.rules import RULES
    from guard.scan.scanner import Document
    from guard.scan.scanner import Scanner

    call = f'password = {name}(cfg, "db")  # 192.168.86.{host}\n'
    [finding] = [f for f in Scanner(RULES).scan(Document(code_file, call))[0] if f.category == 'ip']
    assert f'{name}(' in finding.excerpt
    for line in (
        f'password={name}({secret}  # 192.168.86.{host}\n',
        f'password={secret[:4]}({secret[4:]}) ; 192.168.86.{host}\n',
    ):
        findings = Scanner(RULES).scan(Document(config_file, line))[0]
        assert findings, f'{config_file}: the line was not reported, so this case tests nothing'
        for finding in findings:
            shown = finding.excerpt.replace('********', '\0')
            assert [piece for piece in fragments(secret, '') if piece in shown] == [], (config_file, line, shown)
