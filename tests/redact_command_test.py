"""Command lines in the audit store are default-deny (issue 16, finding 7): the program and shape stay,
every argument value that could be a credential is masked, in any of the usual forms."""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.redact import mask_command_line

# {s} is the secret, shell-quoted where it stands alone; {q} is it quoted as part of a bigger word.
FORMS = (
    'mysqladmin -u root -p{g} flush-logs',
    'mysql --password={s} app',
    'redis-cli -h localhost -P {s} ping',
    'redis-cli -a {s} ping',
    'curl -H {auth} https://api.example.test/v1',
    'curl -u {userpw} https://api.example.test/',
    'curl -X POST https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/{p}',
    'curl https://discord.com/api/webhooks/123456/{p}',
    'git pull https://{p}@git.example.test/org/app.git',
    'git clone https://oauth2:{p}@gitlab.example.test/org/app.git',
    'psql postgresql://app:{p}@db.example.test:5432/app -c select',
    'tool --auth {s}',
    'tool --key {s}',
    'tool --token {s} stop',
    'tool --api-key={s}',
    'tool -k{g}',
    'tool -t {s}',
    'env API_TOKEN={g} ./scripts/stop.sh',
    'env X={g} make stop',
    'docker login -u me --password-stdin {s}',
    'redis-cli AUTH {s}',
    'vault login {s}',
    'aws configure set aws_secret_access_key {s}',
    'wget https://example.test/file?token={p}',
    'curl https://example.test/path#{p}',
    '{prog_url}',
)
# Secrets with capitals, digits or symbols, including URL and shell delimiters.
_SECRET = st.text(
    alphabet='ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789@:/#?%!+=._-', min_size=8, max_size=24
)


def _is_plain_word(secret: str) -> bool:
    # A lowercase-only word is indistinguishable from a subcommand or path: kept by design (docs/trust.md).
    return re.fullmatch(r'[a-z_./-]+', secret) is not None


def _command(form: str, secret: str) -> str:
    from urllib.parse import quote

    url_safe = quote(secret, safe='')
    return form.format(
        s=shlex.quote(secret),
        g=shlex.quote(secret)[1:-1] if secret.isalnum() else shlex.quote(secret),
        q=secret,
        p=url_safe,
        auth=shlex.quote('Authorization: Bearer ' + secret),
        userpw=shlex.quote('me:' + secret),
        prog_url='https://' + url_safe + '@x.test/',
    )


def _pieces(secret: str) -> list[str]:
    """What must not survive: the secret, its URL-encoded form, and any long piece of it."""
    from urllib.parse import quote

    return [secret, quote(secret, safe='')] + [p for p in re.split(r'[@:/#?%!+=._-]', secret) if len(p) >= 6]


@given(form=st.sampled_from(FORMS), secret=_SECRET)
@settings(max_examples=400, deadline=None)
def test_no_secret_survives_in_any_form(form: str, secret: str) -> None:
    assume(not _is_plain_word(secret))
    if form.count('{g}'):
        assume(secret.isalnum())  # a glued value: the shell word holds only the secret's own characters
    command = _command(form, secret)
    masked = mask_command_line(command)
    for piece in _pieces(secret):
        assert piece not in masked, (command, masked)
    # The program stays, so the audit still says what ran.
    assert masked.split(' ', 1)[0] == shlex.split(command)[0] or '://' in command.split(' ', 1)[0]


def test_structure_is_kept() -> None:
    assert mask_command_line('docker compose -f compose.yaml stop') == 'docker compose -f *** stop'
    assert mask_command_line('./scripts/stop.sh --force') == './scripts/stop.sh --force'
    assert mask_command_line('systemctl stop app.service') == 'systemctl stop app.service'
    assert mask_command_line("unbalanced 'quote") == '***'


def test_purge_audit_and_history_hold_no_secret(tmp_path: Path) -> None:
    """A real purge with service commands in every form; the audit store's bytes and `guard history -v`."""
    secrets = [f'Zq{i}x' + os.urandom(6).hex().upper() for i in range(len(FORMS))]
    commands = ['/bin/true ' + _command(form, secret) for form, secret in zip(FORMS, secrets, strict=True)]
    root = tmp_path / 'root'
    (root / 'logs').mkdir(parents=True)
    (root / 'logs' / 'a.log').write_text('a\n')
    (tmp_path / 'ops.toml').write_text('[purge]\nbefore = ' + json.dumps(commands) + '\n')
    env = {**os.environ, 'XDG_STATE_HOME': str(tmp_path / 'state'), 'XDG_CONFIG_HOME': str(tmp_path / 'cfg')}
    run = [sys.executable, '-m', 'guard']
    purge = subprocess.run(
        run + ['purge', str(root), '--force', '--config', str(tmp_path / 'ops.toml')],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert purge.returncode == 0, purge.stderr
    history = subprocess.run(
        run + ['history', '-v', '--format', 'json'], capture_output=True, text=True, env=env, timeout=60
    )
    assert history.returncode == 0, history.stderr
    assert '/bin/true' in history.stdout  # the commands were recorded, masked
    db = tmp_path / 'state' / 'guard' / 'audit.db'
    dump = '\n'.join(sqlite3.connect(db).iterdump()) + db.read_bytes().decode('latin-1')
    for secret in secrets:
        assert secret not in dump and secret not in history.stdout, secret


def test_history_masks_commands_an_older_guard_stored_whole(tmp_path: Path) -> None:
    """A record written before the default-deny rule holds whole secrets: `guard history` masks them."""
    from guard.audit import AuditStore

    store = AuditStore.open_local(tmp_path / 'state' / 'guard')
    leaks = ['MysqlPassw0rdLeak', 'SlackWebhookSecretLeak', 'GitTokenInUrlLeak']
    event = store.record('purge', tmp_path, trigger='manual', outcome='ok')
    store.close()
    # Written by hand, as an older guard stored it: today's store scrubs what it is given.
    old_detail = {
        'commands': [
            {'phase': 'before', 'command': f'mysqladmin -u root -p{leaks[0]} flush-logs', 'outcome': 'ok'},
            {'phase': 'after', 'command': f'curl https://hooks.slack.com/services/T0/B0/{leaks[1]}', 'outcome': 'ok'},
            {'phase': 'after', 'command': f'git pull https://{leaks[2]}@git.example.test/a.git', 'outcome': 'ok'},
        ]
    }
    with sqlite3.connect(tmp_path / 'state' / 'guard' / 'audit.db') as db:
        db.execute('UPDATE guard_audit_events SET detail = ? WHERE id = ?', (json.dumps(old_detail), event))
    dump = '\n'.join(sqlite3.connect(tmp_path / 'state' / 'guard' / 'audit.db').iterdump())
    assert leaks[0] in dump  # the old record, as an older guard stored it
    env = {**os.environ, 'XDG_STATE_HOME': str(tmp_path / 'state'), 'XDG_CONFIG_HOME': str(tmp_path / 'cfg')}
    for fmt in ('text', 'json'):
        proc = subprocess.run(
            [sys.executable, '-m', 'guard', 'history', '-v', '--format', fmt],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert 'mysqladmin' in proc.stdout
        assert not any(leak in proc.stdout + proc.stderr for leak in leaks), proc.stdout
