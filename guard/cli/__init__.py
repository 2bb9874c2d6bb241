"""Command line: argparse subcommands, and the only place that turns results into exit codes.

Each subcommand lives in its own module with `add_arguments(parser)` and `run(args) -> int`;
modules import their heavy libraries inside `run`, so `guard --help` and the hooks stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from guard import __version__
from guard.cli.errors import error_handler
from guard.hooks import MODULES as HOOK_IDS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import argparse
    from typing import NoReturn

# name -> (module, one-line help). Order is the order `guard --help` lists them in.
COMMANDS = {
    'scan': ('guard.cli.scan', 'scan the working tree, the index or git history for pollution and secrets'),
    'baseline': ('guard.cli.baseline', 'record the current findings so later scans report only new ones'),
    'hook': ('guard.cli.hook', 'run one git or pre-commit hook (used by hooks/ and .pre-commit-hooks.yaml)'),
    'install': ('guard.cli.install', "install guard's standalone git hooks into a repository"),
    'purge': ('guard.cli.purge', 'clear runtime state (logs, caches) and never protected paths'),
    'clean': ('guard.cli.clean', 'move root venv artifacts into a quarantine; --list shows quarantines'),
    'restore': ('guard.cli.restore', 'put a quarantine back exactly'),
    'history': ('guard.cli.history', 'list the audit trail of purges, cleans, restores and alerts'),
    'health': ('guard.cli.health', 'check the database, disk, logs and root pollution'),
    'trust': ('guard.cli.trust', "let a project's own config run commands, send data or write outside its root"),
    'watch': ('guard.cli.watch', 'watch a root in the foreground and react to pollution, log growth and low disk'),
    'status': ('guard.cli.status', 'is a daemon watching this root: its state, last events and actions, health'),
    'install-service': ('guard.cli.install_service', 'write the systemd unit that runs `guard watch` for a root'),
    'uninstall-service': (
        'guard.cli.uninstall_service',
        'remove what install-service wrote for a root, and its metrics file',
    ),
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    import argparse  # not at the top: the hooks' fast path in main() never needs it
    import importlib

    class Parser(argparse.ArgumentParser):
        """argparse quotes a bad argument back (`invalid choice: '...'`): scrub it like every error."""

        def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
            from guard.redact import scrub

            super().exit(status, scrub(message) if message else message)

    parser = Parser(
        prog='guard',
        description='Keep a repository and its servers clean.',
        epilog='exit codes: 0 clean, 1 findings or unhealthy, 2 usage or config error, 3 internal error, 130 interrupted',
    )
    parser.add_argument('--version', action='version', version=f'guard {__version__}')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)
    wanted = next((a for a in argv if a in COMMANDS), None)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        # Only the chosen command's module is imported; `guard --help` imports none of them.
        if name == wanted:
            module = importlib.import_module(module_name)
            module.add_arguments(p)
            p.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:  # started with fd 1 closed: every write becomes one line and exit 2
        from guard.cli.errors import ClosedStdout

        sys.stdout = ClosedStdout()
    if len(argv) > 1 and argv[0] == 'hook' and argv[1] in HOOK_IDS:
        # Git runs `guard hook <id>` on every commit and push. Building the ten parsers (argparse,
        # plus the shutil and gettext it imports) would add ~10 ms there, for a command line whose
        # shape is fixed: the hook id, then whatever git passes, which the hook parses itself.
        fewer_collections()
        from guard.hooks import runner as hook

        with error_handler() as outcome:
            outcome.code = hook.run_hook(argv[1], argv[2:])
        return outcome.code
    with error_handler() as outcome:
        _refuse_dashes_as_value(argv)
        args = build_parser(argv).parse_args(argv)
        outcome.code = args.run(args)
    return outcome.code


def _refuse_dashes_as_value(argv: Sequence[str]) -> None:
    """An option's value spelled `--` (`--unit-dir=--`, `-o--`): argparse drops it, as the end of options,
    and hands the command an empty list for a path. It is a usage error."""
    for arg in argv:
        if arg == '--':
            return  # operands follow
        name, _, value = arg.partition('=')
        if name.startswith('--') and value == '--':
            option = name  # --unit-dir=--
        elif arg[:1] == '-' and arg[1:2] != '-' and arg[2:] == '--':
            option = arg[:2]  # -o--
        else:
            continue
        from guard.errors import UsageError

        raise UsageError(f'{option}: `--` is not a value (it ends the options)')


def hook_main() -> NoReturn:
    """The standalone git hooks' process entry (the shims in hooks/ run it): `main()`, then exit_fast."""
    exit_fast(main())


def console_main() -> int:
    """The `guard` command: `main()`; a hook run (`guard hook <id>`, pre-commit's `guard` entry) exits fast."""
    code = main()
    if len(sys.argv) > 2 and sys.argv[1] == 'hook':
        exit_fast(code)
    return code


def fewer_collections() -> None:
    """Let the cyclic garbage collector run less often in a hook process.

    Loading the rule registry creates tens of thousands of objects, and every 700 new containers
    start a collection that finds nothing to free (module objects live until exit): ~2.5 % of a clean
    commit's instructions. A threshold of 10,000 keeps collecting, so a long push scan still frees
    its cycles.
    """
    import gc

    gc.set_threshold(10_000, 10, 10)


def exit_fast(code: int) -> NoReturn:
    """End a hook process with `code`, without the interpreter's teardown.

    A hook process ends right after its one job, and Python's own exit would then free every module
    and object one by one (~2-5 ms for the rule registry, a tenth of a clean commit's hook) where the
    system frees the process at once. So it ends with os._exit, after the only exit work a hook has:
    flushing its output.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            pass
    os._exit(code)
