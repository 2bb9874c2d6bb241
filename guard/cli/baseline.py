"""`guard baseline [ROOT]`: accept every current finding; later scans report only new ones."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from guard.cli import common
from guard.cli import scan as scan_command
from guard.printable import printable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        'path', nargs='?', type=Path, default=Path('.'), metavar='ROOT', help='project root (default: .)'
    )
    parser.add_argument(
        '-o',
        '--output',
        type=Path,
        metavar='FILE',
        help='baseline file to write (default: `baseline` from config, else .guard-baseline.json)',
    )
    scan_command.add_selection_options(parser)
    parser.add_argument('-q', '--quiet', action='store_true', help='print nothing but errors')
    common.add_config_option(parser)
    parser.set_defaults(fail_on=None, no_baseline=True)


def run(args: argparse.Namespace) -> int:
    from guard.git import runner
    from guard.scan import baseline
    from guard.scan import engine as scan
    from guard.scan import fingerprints

    root, _ = runner.find_root(common.existing_dir(str(args.path)))
    config = scan_command.load_scan_config(args, root)
    result = scan.scan_worktree(config, only=args.only, use_baseline=False)
    target = args.output.resolve() if args.output else baseline.resolve_path(root, config.baseline)
    # The existing baseline's salt, so rewriting it changes only what changed; a new one otherwise.
    count = baseline.save(target, result.findings, result.content_keys, result.salt or fingerprints.new_salt())
    if not args.quiet:
        sys.stdout.write(
            f'guard: wrote {count} fingerprint{"s" if count != 1 else ""} to {printable(target)} '
            f'(hashes only, never the secrets); later scans report only new findings\n'
        )
    return 0
