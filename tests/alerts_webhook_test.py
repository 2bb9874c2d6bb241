"""The webhook sink against a real HTTP server on 127.0.0.1, from the library and from the CLI."""

from __future__ import annotations

import contextlib
import http.server
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import run_guard
from support import trust
from support import write

from guard.alerts import dispatch
from guard.alerts.webhook import WebhookSink
from guard.audit import AuditStore
from guard.config import load
from guard.errors import ConfigError
from guard.health import CheckResult
from guard.health import HealthReport
from guard.health import Status


class Hook:
    """A webhook receiver. `replies` are served in order (then 200); 'hang' never answers."""

    def __init__(self, replies: list[int | str] | None = None) -> None:
        self.bodies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.requests = 0
        self.replies = list(replies or [])
        self.release = threading.Event()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                hook.requests += 1
                body = self.rfile.read(int(self.headers['Content-Length']))
                reply = hook.replies.pop(0) if hook.replies else 200
                if reply == 'hang':
                    hook.release.wait(30)
                    return
                assert self.headers['Content-Type'] == 'application/json'
                hook.bodies.put(json.loads(body))
                self.send_response(int(reply))
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}/hooks/T0KEN-in-path'

    def received(self) -> list[dict[str, Any]]:
        items = []
        while not self.bodies.empty():
            items.append(self.bodies.get_nowait())
        return items


@contextlib.contextmanager
def serving(replies: list[int | str] | None = None) -> Iterator[Hook]:
    hook = Hook(replies)
    thread = threading.Thread(target=hook.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        hook.release.set()
        hook.server.shutdown()
        hook.server.server_close()
        thread.join(5)


def project(root: Path, hook_url: str, *, timeout: float = 3.0, extra: str = '') -> Path:
    write(
        root,
        'guard.toml',
        (
            'state-dir = ".state"\n'
            '[health]\nchecks = ["database"]\ntables = ["assets"]\nmin-rows = {assets = 1}\n'
            f'[alerts]\njournal = false\nwebhook = "{hook_url}"\nwebhook-timeout = {timeout}\n{extra}'
        ),
    )
    write(root, '.env', 'DB_URL=sqlite:///app.db\n')
    with contextlib.closing(sqlite3.connect(root / 'app.db')) as conn:
        conn.execute('CREATE TABLE assets (id INTEGER)')
        conn.execute('INSERT INTO assets VALUES (1)')
        conn.commit()
    trust(root)
    return root


def set_rows(root: Path, rows: int) -> None:
    with contextlib.closing(sqlite3.connect(root / 'app.db')) as conn:
        conn.execute('DELETE FROM assets')
        conn.executemany('INSERT INTO assets VALUES (?)', [(i,) for i in range(rows)])
        conn.commit()


@pytest.mark.slow  # ~15 s: six `guard health --alert` processes against a real webhook
def test_exactly_one_alert_on_failure_and_one_on_recovery(tmp_path: Path) -> None:
    with serving() as hook:
        root = project(tmp_path, hook.url)
        codes, posts = [], []
        for rows in (1, 0, 0, 0, 5, 5):
            set_rows(root, rows)
            proc = run_guard('health', root, '--alert')
            assert proc.stderr == ''
            codes.append(proc.returncode)
            posts.append(hook.received())
    assert codes == [0, 1, 1, 1, 0, 0]
    assert [len(p) for p in posts] == [0, 1, 0, 0, 1, 0]
    problem, recovery = posts[1][0], posts[4][0]
    assert {
        k: problem[k] for k in ('source', 'event', 'check', 'state', 'previous', 'root', 'priority', 'summary')
    } == {
        'source': 'guard',
        'event': 'problem',
        'check': 'table:assets',
        'state': 'fail',
        'previous': 'ok',
        'root': str(root),
        'priority': 3,
        'summary': 'table:assets is failing: 0 rows: below the minimum of 1 row',
    }
    assert problem['text'].endswith(f':{root}: table:assets is failing: 0 rows: below the minimum of 1 row')
    assert (recovery['event'], recovery['state'], recovery['previous'], recovery['priority']) == (
        'recovery',
        'ok',
        'fail',
        5,
    )
    assert recovery['summary'].startswith('table:assets is healthy again after ')
    with AuditStore.open(load(root)) as store:
        records = store.history(kind='alert', root=str(root))
    assert [(r.detail['event'], r.detail['check'], r.outcome, r.trigger) for r in records] == [
        ('recovery', 'table:assets', 'sent', 'manual'),
        ('problem', 'table:assets', 'sent', 'manual'),
    ]
    shown = f'http://127.0.0.1:{hook.server.server_address[1]}/...'
    assert records[1].detail['deliveries'] == {'webhook': f'ok: POST {shown}: HTTP 200'}


def test_cli_reports_the_alert_it_sent(tmp_path: Path) -> None:
    with serving() as hook:
        root = project(tmp_path, hook.url)
        set_rows(root, 0)
        proc = run_guard('health', root, '--alert')
        quiet = json.loads(run_guard('health', root, '--alert', '--format', 'json').stdout)
        set_rows(root, 1)
        recovered = json.loads(run_guard('health', root, '--alert', '--format', 'json').stdout)
    assert proc.stdout.splitlines()[-1] == (
        'alert (problem): table:assets is failing: 0 rows: below the minimum of 1 row [webhook ok]'
    )
    assert quiet['alerts'] == [], 'the second run has nothing new to say'
    (alert,) = recovered['alerts']
    assert (alert['event'], alert['check'], alert['outcome'], alert['previous']) == (
        'recovery',
        'table:assets',
        'sent',
        'fail',
    )
    assert isinstance(alert['audit_id'], int)
    assert [(d['sink'], d['ok'], d['attempts']) for d in alert['deliveries']] == [('webhook', True, 1)]


def failing_report(root: str, *names: str) -> HealthReport:
    checks = tuple(CheckResult(name, Status.FAIL, '', 'down') for name in names)
    return HealthReport(root, checks, 0.0, 0.0)


def test_a_hanging_webhook_blocks_no_longer_than_its_timeout(tmp_path: Path) -> None:
    with serving(['hang', 'hang', 'hang']) as hook:
        root = project(tmp_path, hook.url, timeout=0.5, extra='webhook-retries = 3\n')
        config = load(root)
        started = time.monotonic()
        results = dispatch(failing_report(str(root), 'database', 'disk', 'logs'), config)
        elapsed = time.monotonic() - started
    assert elapsed < 0.5 + 0.5
    assert [(r.alert.check, r.outcome) for r in results] == [
        ('database', 'failed'),
        ('disk', 'failed'),
        ('logs', 'failed'),
    ]
    first, *rest = [r.deliveries[0] for r in results]
    shown = f'POST http://127.0.0.1:{hook.server.server_address[1]}/...'
    assert (first.ok, first.timed_out, first.attempts, first.detail) == (
        False,
        True,
        1,
        f'{shown}: no answer within 0.5 s',
    )
    assert [d.detail for d in rest] == [f'skipped: timed out on an earlier alert ({first.detail})'] * 2
    assert hook.requests == 1


def alert_for(root: Path) -> Any:
    from guard.alerts.policy import Rules
    from guard.alerts.policy import decide

    alerts, _ = decide(failing_report(str(root), 'database'), {}, Rules(), host='h', now=0.0)
    return alerts[0]


def test_retries_5xx_with_back_off(tmp_path: Path) -> None:
    with serving([503, 502]) as hook:
        sink = WebhookSink(hook.url, timeout=5, retries=3, backoff=0.05)
        delivery = sink.deliver(alert_for(tmp_path))
    assert (delivery.ok, delivery.attempts) == (True, 3)
    assert delivery.detail.endswith(': HTTP 200')
    assert hook.requests == 3


def test_does_not_retry_a_4xx(tmp_path: Path) -> None:
    with serving([400]) as hook:
        delivery = WebhookSink(hook.url, timeout=5, retries=3, backoff=0.05).deliver(alert_for(tmp_path))
    assert (delivery.ok, delivery.attempts, delivery.detail.rsplit(': ', 1)[1]) == (False, 1, 'HTTP 400 Bad Request')


def test_gives_up_after_the_retries(tmp_path: Path) -> None:
    with serving() as hook:
        url = hook.url
    # The server is gone: every attempt is refused.
    delivery = WebhookSink(url, timeout=5, retries=2, backoff=0.01).deliver(alert_for(tmp_path))
    assert (delivery.ok, delivery.attempts, delivery.detail.rsplit(': ', 1)[1]) == (False, 3, 'Connection refused')


@pytest.mark.parametrize('url', ['ftp://example.test/x', 'file:///etc/passwd', 'http:///nohost'])
def test_only_http_urls(url: str) -> None:
    with pytest.raises(ConfigError) as error:
        WebhookSink(url, timeout=1, retries=0, backoff=0)
    assert str(error.value) == 'alerts.webhook: must be an http:// or https:// URL with a host'


def test_the_shown_url_hides_path_and_credentials() -> None:
    sink = WebhookSink(
        'https://user:pw@hooks.example.test:8443/services/T000/B000/XXXX', timeout=1, retries=0, backoff=0
    )
    assert sink.shown == 'https://hooks.example.test:8443/...'
