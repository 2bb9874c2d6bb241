"""`guard health`: check the database, disk, logs and root pollution; optionally alert on change."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING
from typing import Any

from guard.cli.common import add_config_option
from guard.cli.common import add_format_option
from guard.cli.common import add_output_options
from guard.cli.common import comma_list
from guard.cli.common import existing_dir
from guard.cli.common import load_config
from guard.cli.common import use_color
from guard.errors import GuardError
from guard.redact import scrub

if TYPE_CHECKING:
    from guard.alerts import AlertResult
    from guard.health import HealthReport

# Kept here rather than imported from guard.health so `guard health --help` stays light.
CHECK_NAMES = ('database', 'disk', 'logs', 'pollution')
# --format: the first is the default. A format whose readers need an answer even when guard cannot
# check (a config error) also has an entry in ERROR_WRITERS.
FORMATS = ('text', 'json', 'nagios', 'prometheus')
FORMAT_HELP = (
    'text for people (default), json for machines, nagios for monitoring systems, '
    "prometheus for node_exporter's textfile collector"
)
EPILOG = (
    'exit codes: 0 healthy (warnings allowed), 1 unhealthy, 2 usage or config error (such as no '
    'database URL), 3 internal error. With --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. '
    'With --format prometheus: 0 once the metrics are printed (the verdict is in guard_check_status).'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument(
        'root', nargs='?', default='.', metavar='ROOT', help='the project root (default: the current directory)'
    )
    add_config_option(parser)
    add_format_option(parser, FORMATS, help_text=FORMAT_HELP)
    add_output_options(parser)
    parser.add_argument(
        '--check',
        action='extend',
        type=comma_list(CHECK_NAMES),
        metavar='NAME,…',
        help=f'run only these checks ({", ".join(CHECK_NAMES)}); comma-separated or repeated; default: health.checks',
    )
    parser.add_argument(
        '--timeout',
        type=_seconds,
        metavar='SECONDS',
        help='database connect timeout (default: health.connect-timeout, 3 s)',
    )
    parser.add_argument(
        '--alert',
        action='store_true',
        help='alert (journal, webhook, command per alerts.*) on checks that changed state '
        'since the last run, and record each alert in the audit store',
    )


def run(args: argparse.Namespace) -> int:
    write_error = ERROR_WRITERS.get(args.format)
    if write_error is None:
        return _run(args)
    try:
        return _run(args)
    except GuardError as e:
        return write_error(e)


def _nagios_error(error: GuardError) -> int:
    """Exit 2 would read as CRITICAL to Nagios; "could not check" is UNKNOWN (3)."""
    from guard.health.render import nagios_unknown

    text, code = nagios_unknown(str(error))
    _emit(text)
    return code


def _json_error(error: GuardError) -> int:
    """A JSON object on stdout even when guard could not check, so a machine never reads an empty answer."""
    import json

    from guard.health.render import JSON_VERSION

    document = {'version': JSON_VERSION, 'status': 'error', 'healthy': False, 'error': str(error)}
    _emit(json.dumps(document, indent=2) + '\n')
    sys.stderr.write(scrub(f'guard: error: {error}\n'))
    return error.exit_code


ERROR_WRITERS = {'nagios': _nagios_error, 'json': _json_error}


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
    return _write(report, alerts, args)


def _alert(report: HealthReport, config: Any) -> list[AlertResult]:
    from guard.alerts import dispatch

    results = dispatch(report, config, trigger='manual')
    for result in results:
        for delivery in result.deliveries:
            if not delivery.ok:
                sys.stderr.write(
                    scrub(
                        f'guard: warning: alert "{result.alert.summary}" not delivered by '
                        f'{delivery.sink}: {delivery.detail}\n'
                    )
                )
        if result.audit_error:
            sys.stderr.write(scrub(f'guard: warning: alert not recorded in the audit store: {result.audit_error}\n'))
    return results


def _write(report: HealthReport, alerts: list[AlertResult] | None, args: argparse.Namespace) -> int:
    from guard.health import render

    fmt = args.format
    if fmt == 'nagios':
        text, code = render.nagios(report)
        _emit(text)
        return code
    if fmt == 'json':
        extra = None if alerts is None else {'alerts': [_alert_dict(a) for a in alerts]}
        _emit(render.as_json(report, extra=extra))
    else:
        _emit(render.text(report, color=use_color(sys.stdout, no_color=args.no_color)))
        for result in alerts or ():
            sinks = ', '.join(f'{d.sink} {"ok" if d.ok else "failed"}' for d in result.deliveries) or 'audit store only'
            _emit(f'alert ({result.alert.event}): {result.alert.summary} [{sinks}]\n')
    return 0 if report.healthy else 1


def _emit(text: str) -> None:
    """Health output quotes driver and command messages, which may echo a credential."""
    sys.stdout.write(scrub(text))


def _prometheus(report: HealthReport, config: Any) -> int:
    """The check metrics guard watch writes to its metrics file, for a cron job."""
    from pathlib import Path

    from guard.daemon import metrics
    from guard.daemon.facts import free_bytes
    from guard.health.logs import tally_logs

    root = Path(report.root)
    usage = tally_logs(root, tuple(config.health.log_paths))
    _emit(metrics.render(metrics.Sample(report.root, report.checks, usage.per_path, free_bytes(root))))
    return 0


def _alert_dict(result: AlertResult) -> dict[str, Any]:
    return {
        **result.alert.as_dict(),
        'outcome': result.outcome,
        'audit_id': result.audit_id,
        'deliveries': [
            {'sink': d.sink, 'ok': d.ok, 'detail': d.detail, 'attempts': d.attempts, 'seconds': round(d.seconds, 3)}
            for d in result.deliveries
        ],
    }


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        from guard.excerpt import quoted  # only on the error path: the value may be a credential

        raise argparse.ArgumentTypeError(f'expected a number of seconds, got {quoted(text)}') from None
    if not 0 < value < float('inf'):
        from guard.excerpt import quoted  # only on the error path: the value may be a credential

        raise argparse.ArgumentTypeError(f'must be more than 0 seconds, got {quoted(text)}')
    return value
