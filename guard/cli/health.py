"""`guard health`: check the database, disk, logs and root pollution; optionally alert on change."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING
from typing import Any

from guard.cli.common import add_config_option
from guard.cli.common import existing_dir
from guard.cli.common import load_config
from guard.cli.common import use_color
from guard.errors import GuardError

if TYPE_CHECKING:
    from guard.alerts import AlertResult
    from guard.health import HealthReport

# Kept here rather than imported from guard.health so `guard health --help` stays light.
CHECK_NAMES = ('database', 'disk', 'logs', 'pollution')
EPILOG = ('exit codes: 0 healthy (warnings allowed), 1 unhealthy, 2 usage or config error (such as no '
          'database URL), 3 internal error. With --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. '
          'With --format prometheus: 0 once the metrics are printed (the verdict is in guard_check_status).')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument('root', nargs='?', default='.', help='the project root (default: the current directory)')
    add_config_option(parser)
    parser.add_argument('--format', choices=('text', 'json', 'nagios', 'prometheus'), default='text',
                        help='text for people (default), json for machines, nagios for monitoring systems, '
                             'prometheus for node_exporter\'s textfile collector')
    parser.add_argument('--check', action='append', choices=CHECK_NAMES, metavar='NAME',
                        help=f'run only this check (repeatable; one of {", ".join(CHECK_NAMES)}); default: health.checks')
    parser.add_argument('--timeout', type=_seconds, metavar='SECONDS',
                        help='database connect timeout (default: health.connect-timeout, 3 s)')
    parser.add_argument('--alert', action='store_true',
                        help='alert (journal, webhook, command per alerts.*) on checks that changed state '
                             'since the last run, and record each alert in the audit store')


def run(args: argparse.Namespace) -> int:
    if args.format != 'nagios':
        return _run(args)
    from guard.health.render import nagios_unknown
    try:
        return _run(args)
    except GuardError as e:
        # Exit 2 would read as CRITICAL to Nagios; "could not check" is UNKNOWN.
        text, code = nagios_unknown(str(e))
        sys.stdout.write(text)
        return code


def _run(args: argparse.Namespace) -> int:
    from guard.health import run_checks
    root = existing_dir(args.root)
    config = load_config(root, args)
    if args.timeout is not None:
        config = config.updated(health=dataclasses.replace(config.health, connect_timeout=args.timeout))
    report = run_checks(config, root, only=args.check)
    alerts = _alert(report, config) if args.alert else None
    if args.format == 'prometheus':
        return _prometheus(report, config)
    return _write(report, alerts, args.format)


def _alert(report: HealthReport, config: Any) -> list[AlertResult]:
    from guard.alerts import dispatch
    results = dispatch(report, config, trigger='manual')
    for result in results:
        for delivery in result.deliveries:
            if not delivery.ok:
                sys.stderr.write(f'guard: warning: alert "{result.alert.summary}" not delivered by '
                                 f'{delivery.sink}: {delivery.detail}\n')
        if result.audit_error:
            sys.stderr.write(f'guard: warning: alert not recorded in the audit store: {result.audit_error}\n')
    return results


def _write(report: HealthReport, alerts: list[AlertResult] | None, fmt: str) -> int:
    from guard.health import render
    if fmt == 'nagios':
        text, code = render.nagios(report)
        sys.stdout.write(text)
        return code
    if fmt == 'json':
        extra = None if alerts is None else {'alerts': [_alert_dict(a) for a in alerts]}
        sys.stdout.write(render.as_json(report, extra=extra))
    else:
        sys.stdout.write(render.text(report, color=use_color(sys.stdout)))
        for result in alerts or ():
            sinks = ', '.join(f'{d.sink} {"ok" if d.ok else "failed"}' for d in result.deliveries) or 'audit store only'
            sys.stdout.write(f'alert ({result.alert.event}): {result.alert.summary} [{sinks}]\n')
    return 0 if report.healthy else 1


def _prometheus(report: HealthReport, config: Any) -> int:
    """The check metrics guard watch writes to its metrics file, for a cron job."""
    from pathlib import Path

    from guard.daemon import metrics
    from guard.daemon.facts import free_bytes
    from guard.daemon.facts import measure_logs
    root = Path(report.root)
    usage = measure_logs(root, tuple(config.health.log_paths))
    sys.stdout.write(metrics.render(metrics.Sample(report.root, report.checks, usage.per_path, free_bytes(root))))
    return 0


def _alert_dict(result: AlertResult) -> dict[str, Any]:
    return {
        **result.alert.as_dict(),
        'outcome': result.outcome,
        'audit_id': result.audit_id,
        'deliveries': [{'sink': d.sink, 'ok': d.ok, 'detail': d.detail, 'attempts': d.attempts,
                        'seconds': round(d.seconds, 3)} for d in result.deliveries],
    }


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a number of seconds, got {text!r}') from None
    if not 0 < value < float('inf'):
        raise argparse.ArgumentTypeError(f'must be more than 0 seconds, got {text!r}')
    return value
