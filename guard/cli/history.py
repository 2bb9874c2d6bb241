"""`guard history [ROOT]`: the audit trail of purges, cleans, restores and alerts, newest first.

Exit codes: 0 listed (even when empty); 2 the audit store cannot be opened or read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from guard.cli import common
from guard.cli.common import format_bytes
from guard.printable import printable

if TYPE_CHECKING:
    from guard.audit import AuditRecord

FORMATS = ('text', 'json')
EPILOG = 'exit codes: 0 listed (also when empty); 2 the audit store cannot be opened or read'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument(
        'root', nargs='?', metavar='ROOT', help='only events for this root (default: every root in the audit store)'
    )
    parser.add_argument(
        '--limit', type=_positive, default=50, metavar='N', help='show the newest N events (default 50)'
    )
    parser.add_argument('--kind', metavar='KIND', help='only this kind: purge, clean, restore, alert')
    parser.add_argument('-v', '--verbose', action='store_true', help="also list each event's paths and details")
    common.add_format_option(parser, FORMATS, help_text='text: a table (default); json: a list of events for machines')
    common.add_old_spelling(parser, '--json', dest='format', const='json')  # now --format json
    common.add_config_option(parser)


def run(args: argparse.Namespace) -> int:
    from guard.audit import AuditStore

    root = common.existing_dir(args.root) if args.root else None
    config = common.load_config(root or Path.cwd(), args)
    store = AuditStore.open(config)
    try:
        records = store.history(limit=args.limit, kind=args.kind, root=str(root) if root else None)
    finally:
        store.close()
    if args.format == 'json':
        json.dump([_as_json(r) for r in records], sys.stdout, indent=2)
        sys.stdout.write('\n')
    elif not records:
        common.out('No recorded events.' if not (root or args.kind) else 'No recorded events match.')
    else:
        _table(records, verbose=args.verbose)
    return 0


def _table(records: list[AuditRecord], *, verbose: bool) -> None:
    common.out(
        f'{"ID":>5}  {"STARTED (local time)":<20}  {"KIND":<8} {"TRIGGER":<7} {"USER":<12} {"OUTCOME":<17} {"BYTES":>10}  ROOT'
    )
    for r in records:
        started = r.started_at.astimezone().strftime('%Y-%m-%d %H:%M:%S')
        user = f'{r.user} (via {r.via})' if r.via else r.user
        # Every recorded string is shown inert: a file name with a newline must not forge a row.
        common.out(
            f'{r.id:>5}  {started:<20}  {printable(r.kind):<8} {printable(r.trigger):<7} {printable(user):<12} '
            f'{printable(r.outcome):<17} {format_bytes(r.bytes):>10}  {printable(r.root)}'
        )
        if verbose:
            for path, size, outcome in r.paths:
                common.out(f'{"":>7}{printable(path)}  {format_bytes(size)}  {printable(outcome)}')
            if r.detail:
                from guard.scan.redaction import scrub_any

                common.out(f'{"":>7}detail: {json.dumps(scrub_any(_shown_detail(r.detail)), sort_keys=True)}')


def _as_json(r: AuditRecord) -> dict[str, object]:
    from guard.scan.redaction import scrub_any  # what older guards stored unmasked: provider tokens too

    return {
        'id': r.id,
        'kind': r.kind,
        'root': r.root,
        'trigger': r.trigger,
        'user': r.user,
        'via': r.via,
        'started_at': r.started_at.isoformat(),
        'finished_at': r.finished_at.isoformat() if r.finished_at else None,
        # Scrubbed again on the way out: a record an older guard stored may hold what today's scrubber hides.
        'outcome': r.outcome,
        'bytes': r.bytes,
        'detail': scrub_any(_shown_detail(r.detail)),
        'paths': [{'path': p, 'bytes': b, 'outcome': o} for p, b, o in r.paths],
    }


def _shown_detail(detail: Any) -> Any:
    """The detail with each service command masked default-deny again: a record an older guard
    stored may hold a whole `-pPASSWORD` or webhook URL (issue 16, finding 7)."""
    from guard.redact import mask_command_line

    if not isinstance(detail, dict) or not isinstance(detail.get('commands'), list):
        return detail
    commands = [
        {**c, 'command': mask_command_line(c['command'])}
        if isinstance(c, dict) and isinstance(c.get('command'), str)
        else c
        for c in detail['commands']
    ]
    return {**detail, 'commands': commands}


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        from guard.excerpt import quoted  # only on the error path: the value may be a credential

        raise argparse.ArgumentTypeError(f'expected a whole number, got {quoted(text)}') from None
    if not 1 <= value <= _MOST:
        raise argparse.ArgumentTypeError(f'must be from 1 to {_MOST:,}, got {text}')
    return value


_MOST = 2**31 - 1  # what every audit store's LIMIT takes (SQLite raises OverflowError past 2**63 - 1)
