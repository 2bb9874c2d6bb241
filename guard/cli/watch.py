"""`guard watch [ROOT]`: watch a project root in the foreground and react (systemd supervises it)."""
from __future__ import annotations

import argparse

from guard.cli.common import add_config_option

EPILOG = ('exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 1 the daemon failed to start (root, state '
          'directory, audit store or metrics folder unusable), 2 config error, 3 internal error. '
          'SIGHUP reloads the config.')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument('root', nargs='?', default='.', metavar='ROOT',
                        help='the project root to watch (default: the current directory)')
    add_config_option(parser)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from guard.cli.common import load_config
    from guard.daemon import service
    from guard.daemon.log import route_library_logging
    # The root is checked by the daemon's own startup validation (one line, exit 1), not here.
    root = Path(args.root).absolute()
    config = load_config(root, args)  # the one loader: its notes and trust warning reach the journal too
    route_library_logging()
    return service.run(config, config_file=args.config)
