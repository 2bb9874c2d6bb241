"""`guard status [ROOT]`: is a daemon watching this root (pid, since when, state), its last events
and actions from the audit store, and the health the daemon last saw (or measures now, without one).

Exit codes: 0 a daemon watches the root and nothing fails; 1 no daemon watches it, or a check
fails; 2 usage or config error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from guard.cli import common
from guard.printable import printable

EPILOG = 'exit codes: 0 a daemon watches ROOT and it is healthy, 1 no daemon or unhealthy, 2 usage or config error'
RECENT = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument(
        'root', nargs='?', default='.', metavar='ROOT', help='the project root (default: the current directory)'
    )
    common.add_config_option(parser)
    parser.add_argument('--format', choices=('text', 'json'), default='text', help='text for people, json for machines')
    parser.add_argument('--json', action='store_const', const='json', dest='format', help='same as --format json')


def run(args: argparse.Namespace) -> int:
    from guard.daemon import status as status_file

    root = common.existing_dir(args.root)
    config, config_error = _config(root, args)
    found = status_file.read(status_file.path_for(config.state_path(), root))
    running = found is not None and status_file.is_running(found)
    health = found.health if running and found is not None else _health_now(config, root)
    if config_error:
        # What the running daemon does is still worth showing: it kept the config it had.
        health = [
            *(h for h in health if h['check'] != 'config'),
            {'check': 'config', 'status': 'fail', 'value': '', 'reason': config_error},
        ]
    from guard.daemon.repo import RepoView

    with RepoView(root) as repo:
        work_tree = repo.work_tree
    report = {
        'root': str(root),
        'running': running,
        'git_work_tree': work_tree or None,
        'daemon': _daemon(found, running),
        'health': health,
        'recent': _recent(config, root),
    }
    if args.format == 'json':
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write('\n')
    else:
        _text(report)
    healthy = all(h['status'] != 'fail' for h in health)
    return 0 if running and healthy else 1


def _config(root: Path, args: argparse.Namespace) -> tuple[Any, str]:
    """(the config, '') or, when it does not load, (enough of it to find the daemon, the error):
    a rejected edit is what an operator runs `guard status` about, so it is reported, not fatal."""
    from guard.errors import ConfigError

    try:
        return common.load_config(root, args), ''
    except ConfigError as e:
        common.err(f'guard status: config error: {e}')
        return common.fallback_config(root, args), str(e)


def _daemon(found: Any, running: bool) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        'pid': found.pid if running else None,
        'state': found.state if running else 'not running',
        'since': _iso(found.started_at),
        'updated': _iso(found.updated_at),
        'status': found.status,
        'config': found.config,
        'observer': found.observer,
        'counters': found.counters,
        'last_action': found.last_action,
        'ignored': found.ignored,
    }


def _health_now(config: Any, root: Path) -> list[dict[str, str]]:
    """No daemon: measure what it would watch (the database too, when configured)."""
    from guard.errors import GuardError
    from guard.health import run_checks

    try:
        report = run_checks(config, root)
    except GuardError as e:
        return [{'check': 'health', 'status': 'fail', 'value': '', 'reason': str(e)}]
    return [{'check': c.name, 'status': c.status.value, 'value': c.value, 'reason': c.reason} for c in report.checks]


def _recent(config: Any, root: Path) -> list[dict[str, Any]]:
    from guard.audit import AuditStore
    from guard.errors import GuardError

    try:
        with AuditStore.open(config) as store:
            records = store.history(limit=RECENT, root=str(root))
    except GuardError as e:
        return [{'error': str(e)}]
    return [
        {
            'id': r.id,
            'kind': r.kind,
            'trigger': r.trigger,
            'outcome': r.outcome,
            'bytes': r.bytes,
            'started_at': r.started_at.isoformat(),
            'summary': _summary(r.detail),
        }
        for r in records
    ]


def _summary(detail: dict[str, Any]) -> str:
    return str(detail.get('summary') or detail.get('error') or '')


def _text(report: dict[str, Any]) -> None:
    daemon = report['daemon']
    if report['running']:
        common.out(f'guard watch is running for {report["root"]} (pid {daemon["pid"]}, since {daemon["since"]})')
        common.out(f'  state: {daemon["status"]}')
        common.out(f'  config: {daemon["config"]}; observer: {daemon["observer"]}')
        for ignored in daemon['ignored']:
            common.out(f'  ignoring {ignored["key"]} ({ignored["trust"]}) from {ignored["file"]}: {ignored["why"]}')
    elif daemon is not None:
        common.out(
            f'guard watch is not running for {report["root"]} (last seen {daemon["updated"]}: {daemon["status"]})'
        )
    else:
        common.out(f'guard watch is not running for {report["root"]} (never started here)')
    if report['git_work_tree']:
        common.out(f'git work tree: {report["git_work_tree"]}')
    common.out('health' + (' (as the daemon last saw it):' if report['running'] else ' (measured now):'))
    for h in report['health']:
        text = printable(': '.join(part for part in (h['value'], h['reason']) if part))
        common.out(f'  {h["status"].upper():<4} {h["check"]}: {text}')
    common.out('recent events and actions:' if report['recent'] else 'recent events and actions: none recorded')
    for r in report['recent']:
        if 'error' in r:
            common.out(f'  (audit store: {r["error"]})')
            continue
        line = f'  {r["started_at"][:19]}  {r["kind"]:<8} {r["trigger"]:<7} {r["outcome"]:<12} {common.format_bytes(r["bytes"]):>10}'
        common.out(printable(line) + (f'  {printable(r["summary"])}' if r['summary'] else ''))


def _iso(epoch: float) -> str:
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))
