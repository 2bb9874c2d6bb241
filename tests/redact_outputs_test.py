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
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from secrets import randbelow
from secrets import token_hex

import pytest
from support import git
from support import run_guard
from support import trust
from support import write

from guard.redact import mask


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
    return subprocess.run(['git', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'change', *args], cwd=repo,
                          capture_output=True, text=True, timeout=120, check=False)


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
    assert event['detail']['commands'][0]['command'] == (
        f'{sys.executable} {tmp_path / "svc.py"} --password={mask(secret)} --token {mask(token)}')
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
        assert proc.stderr == (f'guard: error: {tmp_path / "guard.toml"}: health.db-url must be a string, '
                               f"got list ['postgresql://u:{mask(secret)}@h/db']\n")


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
    write(root, 'guard.toml', (
        'state-dir = ".state"\n'
        '[health]\nchecks = ["database"]\ntables = ["assets"]\nmin-rows = {assets = 1}\n'
        f'[alerts]\njournal = false\nwebhook = "{url}"\nwebhook-timeout = 2\nwebhook-retries = 0\n'))
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
        'sys.exit(outcome.code)\n')
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, env=os.environ.copy(), check=False)
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
    alert = Alert('problem', 'database', Status.FAIL, Status.OK, str(tmp_path), 'h',
                  f'cannot connect to postgresql://app:{secret}@db/prod', 0.0, 0.0)
    sink = CommandSink(f'echo "login failed: --password={other}" >&2; exit 4', timeout=10)
    delivery = sink.deliver(alert)
    shown = [delivery.detail, alert.summary, alert.message, stderr_line(alert),
             json.dumps(alert.as_dict()), json.dumps(alert.fields())]
    assert not delivery.ok and delivery.detail.startswith('exit 4: login failed: --password=')
    assert not any(secret in text or other in text for text in shown)


def test_a_bad_argument_quoted_back_by_argparse_is_scrubbed(tmp_path: Path) -> None:
    secret = password()
    proc = run_guard('scan', '--fail-on', f'postgresql://u:{secret}@h/db', tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == (f"guard scan: error: argument --fail-on: invalid choice: "
                                            f"'postgresql://u:{mask(secret)}@h/db' (choose from 'note', 'warning', 'error')")


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
