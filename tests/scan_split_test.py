"""A large document judged on several cores (Scanner.jobs, guard.scan.pool.split) gives exactly what one
process gives: the same findings, in the same order, with the same excerpts and suppressed counts.

Real forks throughout (pool.split forks children and reads their results through pipes); the size and
match thresholds are lowered so that generated documents of a few kilobytes are cut too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard.rules import RULES
from guard.scan import pool
from guard.scan import scanner as scanner_module
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner
from tests.passwords import mixed_passwords
from tests.rules_recall_test import FORMS

_KEY = (
    '-----BEGIN RSA PRIVATE KEY-----\n'
    'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n'
    'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n'
    '-----END RSA PRIVATE KEY-----\n'
)
# Lines that are no single rule's: context other lines read (an allow marker above, a YAML key opening a
# block, a continued command), and plain text between.
_CONTEXT = [
    '# guard: allow\n',
    '# guard: allow hardcoded-ip\n',
    'password: >-\n',
    'secrets:\n  db_password: |\n',
    'mysql -h 10.1.2.3 \\\n',
    'curl -u deploy:{pw} \\\n',
    '  --retry 3 https://api.internal/v1\n',
    'deny 52.1.2.3;\n',
    'server 10.0.0.{n} password={pw}\n',
    'machine h{n}.internal login b password {pw}\n',
    'home = "/Users/alice/proj{n}"\n',
    'plain words that hold nothing at all\n',
    '\n',
    _KEY,
]
_LONG = 'x' * 5000 + ' 8.8.{n}.4 password={pw} ' + 'y' * 5000 + '\n'


def _blocks() -> st.SearchStrategy[str]:
    forms = [template for _, template in FORMS.values()]
    template = st.sampled_from(forms + _CONTEXT + [_LONG])
    return st.builds(
        lambda t, pw, n: t.replace('{{', '{').replace('}}', '}').replace('{pw}', pw).replace('{n}', str(n)),
        template,
        mixed_passwords(),
        st.integers(1, 254),
    )


@pytest.fixture
def low_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scanner_module, 'PARALLEL_MIN_SIZE', 0)
    monkeypatch.setattr(scanner_module, 'PARALLEL_MIN_MATCHES', 4)


ONE = Scanner(RULES, jobs=1)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    blocks=st.lists(_blocks(), min_size=8, max_size=80),
    jobs=st.integers(2, 4),
    path=st.sampled_from(['config/app.conf', '.env', 'app/settings.py', 'deploy/values.yaml', 'tests/data.txt']),
    crlf=st.booleans(),
    added=st.none() | st.frozensets(st.integers(1, 200), max_size=40),
)
def test_a_document_cut_into_parts_gives_what_one_process_gives(
    low_thresholds: None, blocks: list[str], jobs: int, path: str, crlf: bool, added: frozenset[int] | None
) -> None:
    text = ''.join(blocks)
    if crlf:
        text = text.replace('\n', '\r\n')
    doc = Document(path, text, lines=added)
    assert Scanner(RULES, jobs=jobs).scan(doc) == ONE.scan(doc)


def test_a_large_document_is_cut_into_as_many_parts_as_jobs_and_no_match_crosses_a_cut(low_thresholds: None) -> None:
    text = ''.join(f'server 10.0.{i // 250}.{i % 250 + 1} password=Qz7k{i}xY\nplain\n' for i in range(3000))
    text += _KEY * 20
    plan = Scanner(RULES)._prefilter.plan(text, 'input.conf')
    candidates = [(rule, list(matches)) for rule, matches in scanner_module._candidates(text, plan)]
    parts = scanner_module._parts(text, candidates, 3)
    assert len(parts) == 3
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    for (_, end), (start, _) in zip(parts, parts[1:], strict=False):
        assert end == start and text[start - 1] == '\n'
        for _, matches in candidates:
            assert not any(a < start < b for a, b in map(scanner_module._extent, matches))
    doc = Document('input.conf', text)
    assert Scanner(RULES, jobs=3).scan(doc) == ONE.scan(doc)


def test_one_long_line_is_not_cut(low_thresholds: None) -> None:
    text = ' '.join(f'10.{i % 250}.1.{i % 200 + 1}' for i in range(5000)) + '\n'
    plan = Scanner(RULES)._prefilter.plan(text, 'input.conf')
    candidates = [(rule, list(matches)) for rule, matches in scanner_module._candidates(text, plan)]
    assert scanner_module._parts(text, candidates, 2) == [(0, len(text))]


def test_split_returns_results_in_order_and_leaves_no_child() -> None:
    assert pool.split(lambda n: (n, n * n), list(range(5))) == [(n, n * n) for n in range(5)]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_part_whose_child_fails_is_judged_again_here() -> None:
    parent = os.getpid()

    def task(n: int) -> int:
        if os.getpid() != parent:
            if n == 1:
                raise RuntimeError('a child failed')
            if n == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            if n == 3:
                return lambda: None  # type: ignore[return-value]  # does not pickle
        return n * 10

    assert pool.split(task, [0, 1, 2, 3, 4]) == [0, 10, 20, 30, 40]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_an_exception_in_the_parent_kills_and_reaps_every_child() -> None:
    parent = os.getpid()

    def task(n: int) -> int:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        signal.pause()  # a child that would run for ever
        return n

    with pytest.raises(KeyboardInterrupt):
        pool.split(task, [0, 1, 2])
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_no_fork_while_another_thread_runs() -> None:
    assert pool.can_split()  # pytest's own threads are gone by now
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not pool.can_split()
        parent = os.getpid()
        assert pool.split(lambda n: (n, os.getpid() == parent), [0, 1]) == [(0, True), (1, True)]
    finally:
        stop.set()
        worker.join()


def test_guard_scan_prints_the_same_report_on_one_core_and_on_every_core(tmp_path: Path) -> None:
    """The real CLI on a file large enough to be cut (its default thresholds), `--jobs 1` against `--jobs 2`."""
    (tmp_path / 'servers.conf').write_text(
        ''.join(f'server 10.0.{i // 250}.{i % 250 + 1} password=Qz7k{i * 7919 % 10**6}xY\n' for i in range(4000))
    )
    outputs = []
    for jobs in ('1', '2'):
        run = subprocess.run(
            [sys.executable, '-m', 'guard', 'scan', '--format', 'json', '--jobs', jobs, str(tmp_path)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert run.returncode == 1, run.stderr
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count('"rule": "hardcoded-ipv4"') == 4000
