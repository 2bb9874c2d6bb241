"""Nothing guard prints, stores or sends reveals a secret: each channel attacked with generated credentials.

The channels of issue 16's second attack (findings 16b 01, 02, 08, 09, 10 and 15b 11): an audit URL
guard cannot parse, purge's plan and its service commands' failures, the alert command's last line,
and the `.env.example` that `guard clean --fix` writes. Each test generates the credentials (random
words with digits, strings holding `@ : / ' # % ?`, and every provider token the secret rules' own
`examples_bad` hold) and runs guard as users do: a real process, a real git repository, a real
audit store read back with `guard history -v`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard
from support import trust
from support import write

from guard import redact
from guard.alerts.command import CommandSink
from guard.alerts.model import Alert
from guard.health.result import Status
from guard.rules import CONTENT_RULES
from guard.scan import redaction

# (rule id, example, the secret value the rule reports in it) for every redacting rule's bad examples.
SECRETS = [
    (rule.id, example, hit.value)
    for rule in CONTENT_RULES
    if rule.redact
    for example in rule.examples_bad
    for hit in rule.scan(example)
    if len(hit.value) >= 6
]
ONE_LINE = [s for s in SECRETS if '\n' not in s[1]]
# Words with digits (Tr0ub4dor), then any of the characters a password holds that URLs and shells treat
# specially. Every piece starts with a capital and holds a digit, so none occurs in guard's own messages.
WORD = st.from_regex(r'[A-Z][a-z]{2,6}[0-9]{1,3}[a-zA-Z]{0,3}', fullmatch=True)
SPECIAL = st.sampled_from(list("@:/'#%?"))


def _joined(words: list[str], seps: list[str]) -> str:
    return words[0] + ''.join(seps[i % len(seps)] + word for i, word in enumerate(words[1:]))


CREDENTIAL = st.builds(_joined, st.lists(WORD, min_size=2, max_size=4), st.lists(SPECIAL, min_size=1, max_size=3))
SLOW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def pieces(credential: str) -> list[str]:
    """The credential whole and each word of it: a reading split at `@` or `:` must not show any either."""
    import re

    return [credential] + [p for p in re.split(r"[@:/'#%?]", credential) if len(p) >= 4]


def assert_hidden(credential: str, *outputs: str) -> None:
    for out in outputs:
        for piece in pieces(credential):
            assert piece not in out, (piece, out)


def test_every_rule_has_examples_to_generate_from() -> None:
    assert len({rule_id for rule_id, _, _ in SECRETS}) >= 40
    assert len(ONE_LINE) >= 60


@given(
    st.lists(st.sampled_from(SECRETS), min_size=1, max_size=4),
    st.lists(st.text('abc xyz:=,.-/', max_size=12), min_size=5, max_size=5),
)
@settings(max_examples=300, deadline=None)
def test_scrub_masks_whatever_the_secret_rules_detect(secrets: list[tuple[str, str, str]], filler: list[str]) -> None:
    """The invariant itself: in any text, every value a redacting rule reports is gone after scrub()."""
    text = ' '.join(f'{filler[i]} {example}' for i, (_, example, _) in enumerate(secrets)) + ' ' + filler[-1]
    scrubbed = redaction.scrub(text)
    hits = [hit for rule in CONTENT_RULES if rule.redact for hit in rule.scan(text) if len(hit.value) >= 6]
    # A value that also occurs outside every hit (`postgres` in `postgresql://`) is no leak of that hit.
    elsewhere = redact.mask_spans(text, [(hit.start, hit.end) for hit in hits])
    for hit in hits:
        if hit.value not in elsewhere:
            assert hit.value not in scrubbed, (hit.rule.id, hit.value, scrubbed)
    assert redaction.scrub(scrubbed) == scrubbed  # scrubbing twice changes nothing


@pytest.mark.parametrize(
    ('rule_id', 'example', 'secret'), ONE_LINE, ids=[f'{s[0]}-{i}' for i, s in enumerate(ONE_LINE)]
)
def test_alert_command_last_line_hides_every_token_format(
    tmp_path: Path, rule_id: str, example: str, secret: str
) -> None:
    """The command sink as it runs (a real /bin/sh): its failure's last line, which guard prints and stores."""
    # The example alone on the line: some formats are anchored there (a .pgpass line), as in the file
    # the command may have printed from. Inside other text the invariant test above covers them.
    write(tmp_path, 'said.txt', f'{example}\n')
    sink = CommandSink(f'cat {tmp_path / "said.txt"} >&2; exit 1', timeout=30, cwd=str(tmp_path))
    alert = Alert('problem', 'disk', Status.FAIL, Status.OK, str(tmp_path), 'host', 'disk is full', 0.0, 0.0)
    delivery = sink.deliver(alert)
    assert not delivery.ok and 'exit 1' in delivery.detail
    assert secret not in delivery.detail, (rule_id, delivery.detail)


def _venv(root: Path) -> None:
    """What the pollution check reports: `python -m venv .` run in the root."""
    write(root, 'pyvenv.cfg', 'home = /usr/bin\n')
    write(root, 'bin/activate', '')


@given(st.sampled_from(ONE_LINE))
@SLOW
def test_alert_output_and_audit_store_hide_provider_tokens(
    tmp_path_factory: pytest.TempPathFactory, secret: tuple[str, str, str]
) -> None:
    """Finding 16b 09 as a generator: `guard health --alert` with a failing alert command quoting a token."""
    _, example, value = secret
    base = tmp_path_factory.mktemp('alert')
    root = base / 'root'
    git(root.parent, 'init', '-q', str(root))
    _venv(root)
    write(base, 'said.txt', f'{example}\n')
    write(
        root,
        'pyproject.toml',
        f'[tool.guard.health]\nchecks = ["pollution"]\n[tool.guard.alerts]\ncommand = "cat {base}/said.txt >&2; exit 1"\n',
    )
    trust(root)
    env = {'GUARD_STATE_DIR': str(base / 'state')}
    health = run_guard('health', root, '--alert', env=env)
    assert 'not delivered by command: exit 1' in health.stderr, health.stderr
    history = run_guard('history', root, '-v', env=env)
    assert '"command"' in history.stdout or 'command' in history.stdout
    dump = '\n'.join(sqlite3.connect(base / 'state' / 'audit.db').iterdump())
    for out in (health.stdout, health.stderr, history.stdout, history.stderr, dump):
        assert value not in out, out


@given(CREDENTIAL, st.sampled_from(ONE_LINE))
@SLOW
def test_purge_never_shows_command_credentials(
    tmp_path_factory: pytest.TempPathFactory, credential: str, token: tuple[str, str, str]
) -> None:
    """Findings 16b 08 and 15b 11 as a generator: credentials in service commands, as options (`-a X`,
    glued `-pX`, `--password=X`), `NAME=X` and URL userinfo, and a failing command whose output quotes a
    provider token. Neither the plan (dry run), nor the failure lines, nor the audit store shows them."""
    base = tmp_path_factory.mktemp('purge')
    root = base / 'root'
    git(root.parent, 'init', '-q', str(root))
    write(root, 'logs/app.log', 'x\n')
    write(base, 'said.txt', f'{token[1]}\n')
    commands = [
        f'redis-cli -a {credential} shutdown',
        f'mysql -uroot -p{credential} -e quit',
        f'sshpass -p {credential} ssh host',
        f'curl --password={credential} https://x.test',
        f'env API_TOKEN={credential} true',
        f'git pull https://ci:{credential}@git.example.test/a.git',
        f'sh -c "cat {base}/said.txt; exit 1"',
    ]
    write(root, 'guard.toml', f'[purge]\nbefore = {json.dumps(commands)}\n')
    trust(root)
    env = {'GUARD_STATE_DIR': str(base / 'state')}
    dry = run_guard('purge', root, '--dry-run', env=env)
    assert 'Service commands:' in dry.stdout, dry.stdout + dry.stderr
    # A lone `'` leaves no command to parse: such a line is shown as `***` whole.
    assert 'redis-cli' in dry.stdout or "'" in credential, dry.stdout
    done = run_guard('purge', root, '--force', env=env)
    assert 'before command ' in done.stderr, done.stderr
    history = run_guard('history', root, '-v', env=env)
    dump = '\n'.join(sqlite3.connect(base / 'state' / 'audit.db').iterdump())
    assert_hidden(credential, dry.stdout, dry.stderr, done.stdout, done.stderr, history.stdout, history.stderr, dump)
    for out in (done.stdout, done.stderr, history.stdout, dump):
        assert token[2] not in out, out


@given(CREDENTIAL, st.booleans())
@SLOW
def test_audit_url_errors_are_one_line_without_the_password(
    tmp_path_factory: pytest.TempPathFactory, password: str, scheme: bool
) -> None:
    """Findings 16b 01 and 02 as a generator: an audit URL whose password holds `@ : / ' # % ?` unencoded
    (SQLAlchemy reads its tail as a port, or its rest as the host), or that lacks its scheme."""
    base = tmp_path_factory.mktemp('url')
    root = base / 'root'
    git(root.parent, 'init', '-q', str(root))
    url = f'postgresql://guard:{password}@127.0.0.1:1/guard' if scheme else f'guard:{password}@db.internal:5432/guard'
    result = run_guard('history', root, env={'GUARD_AUDIT_URL': url, 'GUARD_STATE_DIR': str(base / 'state')})
    assert result.returncode in (1, 2), result.stderr
    assert 'Traceback' not in result.stderr and result.stderr.count('\n') == 1, result.stderr
    assert result.stderr.startswith('guard: error: '), result.stderr
    assert_hidden(password, result.stdout, result.stderr)


@pytest.mark.parametrize(
    'url',
    [
        'postgresql://guard:Tr0ub@dor:Zebra42@127.0.0.1/guard',  # 16b 01: the tail read as a port
        'postgresql://u:Zebra42@[::1/db',  # an unclosed IPv6 bracket
        'postgresql://guard:Tr0ub@Zebra42@127.0.0.1:1/guard',  # parses: the rest is read as the host
        'guard:Zebra42@db.internal:5432/guard',  # 16b 02: no scheme
    ],
)
@pytest.mark.parametrize('command', ['history', 'status', 'purge'])
def test_bad_audit_urls_in_every_command(tmp_path: Path, url: str, command: str) -> None:
    root = tmp_path / 'root'
    git(tmp_path, 'init', '-q', str(root))
    write(root, 'logs/a.log', 'x\n')
    args = ['--force'] if command == 'purge' else []
    result = run_guard(command, root, *args, env={'GUARD_AUDIT_URL': url})
    out = result.stdout + result.stderr
    assert 'Zebra42' not in out and 'Traceback' not in out, out
    assert result.returncode in ((1, 2) if command != 'purge' else (1, 2)), out
    if command != 'status':
        assert result.stderr.count('\n') == 1, result.stderr
    assert (root / 'logs/a.log').exists()


# A token pasted alone on a .env line: provider tokens, and random mixed-case runs as base64 and hex keys look.
PASTED = st.one_of(
    st.sampled_from([value for _, _, value in ONE_LINE]),
    st.from_regex(r'[A-Za-z][A-Za-z0-9_]{11,40}', fullmatch=True).filter(lambda s: s.upper() != s and s.lower() != s),
)


def _value_looking(token: str) -> bool:
    """Not a name as people write variables: not an identifier, mixed case, or a token a secret rule knows."""
    identifier = token.isidentifier() and token.isascii()
    return not identifier or token.upper() != token and token.lower() != token or bool(redaction.rule_spans(token))


@given(PASTED, st.sampled_from(['', '=', '==']))
@settings(max_examples=25, deadline=None)
def test_clean_fix_never_copies_a_pasted_token_into_env_example(token: str, ending: str) -> None:
    """Finding 16b 10 as a generator: .env.example gets the variable names of .env, never a token pasted
    alone on a line (python-dotenv reads it as a key), nor one that looks like a value even when base64's
    `=` made it an assignment. (`letmein=` assigns a variable named letmein: that name is copied.)"""
    assume(ending == '' or _value_looking(token))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / 'root'
        git(Path(tmp), 'init', '-q', str(root))
        write(root, '.env', f'DB_URL=postgresql://app:pw@db/app\n{token}{ending}\nlower_name=1\n')
        os.chmod(root / '.env', 0o600)
        result = run_guard('clean', root, '--fix', '--force', env={'GUARD_STATE_DIR': str(Path(tmp) / 'state')})
        assert result.returncode == 0, result.stderr
        example = (root / '.env.example').read_text()
        assert example.splitlines()[1:] == ['DB_URL=', 'lower_name='], example
        assert token not in example + result.stdout + result.stderr


def test_finding_08_purge_plan_and_failures(tmp_path: Path) -> None:
    """16b 08 / 15b 11 as filed: `redis-cli -a`, docker's glued `-p`, `sshpass -p`, mysql's `-p`, and a
    failing command printing a GitHub token."""
    root = tmp_path / 'root'
    git(tmp_path, 'init', '-q', str(root))
    write(root, 'logs/a', 'x\n')
    tok = 'ghp_' + 'Zq8' * 12
    before = [
        'redis-cli -a Hunter2Pass shutdown',
        'no-such-docker login -uci -pHunter2Glued',  # the filed `docker login`, without logging in anywhere
        'sshpass -p Hunter2Ssh ssh host',
        "mysql -uroot -pQz7mTr4der9x -e 'DROP DATABASE scratch'",
        f"sh -c 'cat {tmp_path}/said.txt >&2; false'",
    ]
    write(tmp_path, 'said.txt', f'{tok}\n')
    write(root, 'pyproject.toml', f'[tool.guard.purge]\nbefore = {json.dumps(before)}\n')
    trust(root)
    dry = run_guard('purge', root, '--dry-run')
    done = run_guard('purge', root, '--force')
    history = run_guard('history', root, '-v')
    assert '  before: redis-cli -a *** shutdown' in dry.stdout, dry.stdout  # the option stays, its value goes
    assert '  before: no-such-docker login -u*** -p***' in dry.stdout, dry.stdout
    assert "guard: before command 'sh -c ***' failed: ghp_********" in done.stderr, done.stderr
    for out in (dry.stdout, dry.stderr, done.stdout, done.stderr, history.stdout):
        for secret in ('Hunter2Pass', 'Hunter2Glued', 'Hunter2Ssh', 'Qz7mTr4der9x', tok):
            assert secret not in out, out


def test_finding_09_alert_command_quoting_a_stripe_key(tmp_path: Path) -> None:
    """16b 09 as filed: `guard scan` reports the key as stripe-key; the alert path must hide it too."""
    tok = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'
    write(tmp_path, 's/k.py', f'k = "{tok}"\n')
    git(tmp_path / 's', 'init', '-q')
    assert 'stripe-key' in run_guard('scan', tmp_path / 's').stdout
    root = tmp_path / 'root'
    git(tmp_path, 'init', '-q', str(root))
    _venv(root)
    command = f"echo 'paging failed for key {tok}' >&2; exit 1"
    write(
        root,
        'pyproject.toml',
        f'[tool.guard.health]\nchecks = ["pollution"]\n[tool.guard.alerts]\ncommand = "{command}"\n',
    )
    trust(root)
    health = run_guard('health', root, '--alert')
    # The key is also a word of the command line itself, which its output loses whole.
    assert 'not delivered by command: exit 1: paging failed for key ***' in health.stderr, health.stderr
    history = run_guard('history', root, '-v')
    assert tok not in health.stdout + health.stderr + history.stdout + history.stderr


def test_finding_10_clean_fix_with_a_token_on_its_own_line(tmp_path: Path) -> None:
    root = tmp_path / 'root'
    git(tmp_path, 'init', '-q', str(root))
    write(root, '.env', 'DB_URL=postgresql://app:pw@db/app\nsk_live_4eC39HqLyjWDarjtT1zdp7dc\n')
    result = run_guard('clean', root, '--fix', '--force')
    assert result.returncode == 0, result.stderr
    assert (root / '.env.example').read_text().splitlines()[1:] == ['DB_URL=']
