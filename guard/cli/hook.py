"""`guard hook <id>`: run one git or pre-commit hook; what the hooks do lives in guard/hooks/."""

from __future__ import annotations

from guard.hooks import MODULES
from guard.hooks.runner import run_hook

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    import argparse

    parser.add_argument(
        'hook_id', choices=sorted(MODULES), metavar='HOOK', help=f'one of: {", ".join(sorted(MODULES))}'
    )
    parser.add_argument('args', nargs=argparse.REMAINDER, help='what git or pre-commit passes the hook')


def run(args: argparse.Namespace) -> int:
    return run_hook(args.hook_id, args.args)
