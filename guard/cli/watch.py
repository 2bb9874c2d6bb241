"""`guard watch [ROOT]`: watch a project root in the foreground and react (systemd supervises it).

`--check` validates the config as the daemon would and exits (as `nginx -t`); `--reload PID` does
the same and then signals the daemon PID with SIGHUP whatever the verdict, so that a rejected
config fails `systemctl reload` (the unit's ExecReload=) and also shows in the daemon's own
STATUS=, status file and metrics (its `config` check), where it keeps the config it had. PID must
be ROOT's running `guard watch` (guard.daemon.reload_target): any other (0, -1, init, a stranger)
is refused with exit 2 and nothing is signalled.
"""

from __future__ import annotations

import argparse

from guard.cli.common import add_config_option

EPILOG = (
    'exit codes: 0 stopped cleanly (SIGTERM/SIGINT), or the config checks out (--check, --reload); '
    '1 the daemon failed to start (root, state directory, audit store or metrics folder unusable); '
    '2 config error, or a sandbox that does not fit the config; 3 internal error. SIGHUP reloads the config.'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument(
        'root',
        nargs='?',
        default='.',
        metavar='ROOT',
        help='the project root to watch (default: the current directory)',
    )
    add_config_option(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        '--check', action='store_true', help='validate the config as the daemon would, then exit (0 usable, 2 not)'
    )
    mode.add_argument(
        '--reload',
        metavar='PID',
        type=int,
        help="validate the config, then send SIGHUP to ROOT's running guard watch, PID, in any case (ExecReload=); "
        'a PID that is not it is refused (exit 2)',
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from guard.cli.common import load_config
    from guard.daemon import service
    from guard.daemon.log import route_library_logging

    # The root is checked by the daemon's own startup validation (one line, exit 1), not here.
    root = Path(args.root).absolute()
    if args.check or args.reload is not None:
        return _check(root, args)
    config = load_config(root, args)  # the one loader: its notes and trust warning reach the journal too
    route_library_logging()
    return service.run(config, config_file=args.config)


def _check(root: object, args: argparse.Namespace) -> int:
    from pathlib import Path

    from guard.cli import common
    from guard.daemon import startup
    from guard.errors import GuardError

    assert isinstance(root, Path)
    if args.reload is not None:
        _refuse_a_stranger(args.reload, root, args)  # before anything is said: one line when it is not ours
    try:
        config = common.load_config(root, args)
        startup.check_config(config, root.resolve())
    except GuardError as e:
        common.err(f'guard watch: config rejected: {e}')
        code = e.exit_code
    else:
        for line in startup.pattern_warnings(config, root.resolve()):
            common.err(f'guard watch: warning: {line}')
        common.out(f'guard watch: config {config.source} is usable for {root}')
        code = 0
    if args.reload is not None:
        return _reload(args.reload, code)
    return code


def _refuse_a_stranger(pid: int, root: object, args: argparse.Namespace) -> None:
    """A UsageError unless `pid` is ROOT's running `guard watch`: kill(2) never sees another pid.
    Its status file is found through the new config, or through a rejected one's state-dir."""
    from pathlib import Path

    from guard import config as config_module
    from guard.cli import common
    from guard.daemon import reload_target
    from guard.errors import GuardError

    assert isinstance(root, Path)
    reload_target.refuse_non_pid(pid)  # before any config is read
    try:
        config = config_module.load(root, config_file=args.config)
    except GuardError:
        config = common.fallback_config(root, args)
    reload_target.verify(pid, root.resolve(), config.state_path())


def _reload(pid: int, code: int) -> int:
    """SIGHUP to the daemon, whatever the verdict: a rejected config shows in its status too."""
    import os
    import signal

    from guard.cli import common

    try:
        os.kill(pid, signal.SIGHUP)
    except OSError as e:
        common.err(f'guard watch: cannot signal the daemon (pid {pid}): {e.strerror}')
        return max(code, 1)
    return code
