"""Options and helpers several subcommands share."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import TextIO

from guard import config as config_module
from guard.errors import UsageError

if TYPE_CHECKING:
    from guard.audit import AuditStore
    from guard.config import Config
    from guard.records import StrPath


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--config',
        metavar='FILE',
        type=Path,
        help='read settings from FILE instead of guard.toml / pyproject.toml [tool.guard]',
    )


def load_config(root: StrPath, args: argparse.Namespace) -> config_module.Config:
    """The root's settings; what loading changed or skipped is said on stderr, one line each."""
    config = config_module.load(root, config_file=getattr(args, 'config', None))
    for note in config.notes:
        err(f'note: {note}')
    # Scans run nothing, so the keys trust gates are no concern of theirs, except the baseline they read.
    if config.trust_note and (getattr(args, 'command', '') != 'scan' or 'baseline' in config.untrusted):
        err(f'warning: {config.trust_note}')
    return config


def fallback_config(root: Path, args: argparse.Namespace) -> Config:
    """Enough of a config that does not load to find the daemon: its state-dir as the broken file
    spells it (where the daemon keeps its status file), when that file parses at all."""
    from guard.instances import instance_file

    files = [getattr(args, 'config', None), Path(instance_file(root, config_module.system_file(os.environ)))]
    return config_module.Config(root=root, state_dir=_state_dir_of(files))


def _state_dir_of(files: list[Path | None]) -> str:
    import tomllib

    for path in files:
        try:
            value = tomllib.loads(path.read_text(encoding='utf-8')).get('state-dir') if path else None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
            continue
        if isinstance(value, str):
            return value
    return ''


def existing_dir(value: str | None) -> Path:
    """A root argument: must be an existing directory (else a one-line usage error)."""
    from guard.printable import printable

    path = Path(value or '.')
    if not path.exists():
        raise UsageError(f'{printable(path)}: no such directory')
    if not path.is_dir():
        raise UsageError(f'{printable(path)}: not a directory')
    return path.resolve()


def use_color(stream: object = sys.stdout, *, no_color: bool = False) -> bool:
    """Colour only on a terminal, and never with --no-color or NO_COLOR set (https://no-color.org)."""
    if no_color or os.environ.get('NO_COLOR'):
        return False
    if os.environ.get('FORCE_COLOR'):
        return True
    isatty = getattr(stream, 'isatty', None)
    return bool(isatty and isatty())


def add_format_option(parser: argparse.ArgumentParser, choices: Sequence[str], *, help_text: str) -> None:
    """`--format CHOICE` (default: the first choice): every subcommand with a machine format spells it so."""
    parser.add_argument('--format', choices=tuple(choices), default=choices[0], help=help_text)


def add_output_options(parser: argparse.ArgumentParser, *, quiet_help: str = '') -> None:
    """--no-color, and -q/--quiet where it means something: spelled alike by every subcommand that reports."""
    if quiet_help:
        parser.add_argument('-q', '--quiet', action='store_true', help=quiet_help)
    parser.add_argument('--no-color', action='store_true', help='never colour the output (as NO_COLOR=1 does)')


def comma_list(choices: Sequence[str] | None = None) -> Callable[[str], list[str]]:
    """An argparse type for `--only secret,ip` (with action='extend'), as ruff takes its rule lists."""

    def parse(text: str) -> list[str]:
        values = [v.strip() for v in text.split(',') if v.strip()]
        if not values:
            from guard.excerpt import quoted  # only on the error path: the value may be a credential

            raise argparse.ArgumentTypeError(f'expected a name or a comma-separated list, got {quoted(text)}')
        unknown = [v for v in values if choices is not None and v not in choices]
        if unknown:
            from guard.excerpt import quoted  # only on the error path: the value may be a credential

            raise argparse.ArgumentTypeError(
                f'invalid choice: {quoted(unknown[0])} (choose from {", ".join(choices or ())})'
            )
        return values

    return parse


def add_old_spelling(
    parser: argparse.ArgumentParser, option: str, *, dest: str, const: object = None, metavar: str | None = None
) -> None:
    """An older spelling that keeps working, hidden from --help: a flag that sets `const`, or an option
    taking a value. Silent, so scripts that compare guard's stderr are not broken by a notice."""
    if const is not None:
        parser.add_argument(
            option, dest=dest, action='store_const', const=const, help=argparse.SUPPRESS, default=argparse.SUPPRESS
        )
    else:
        parser.add_argument(option, dest=dest, metavar=metavar, help=argparse.SUPPRESS)


def open_audit_for_change(config: Config) -> AuditStore:
    """The audit store a purge, clean or restore records into; one that cannot be opened stops the
    operation before anything changes (exit 1): guard changes nothing it cannot record first. A
    URL that is not one at all, or a store guard refuses, stays exit 2."""
    from guard.audit import AuditStore
    from guard.errors import AuditWriteError

    try:
        return AuditStore.open(config)
    except AuditWriteError as e:
        raise AuditWriteError(
            f'{e}; nothing was changed, because guard changes nothing it cannot record first'
        ) from None


def confirm(question: str, *, force: bool, what: str) -> None:
    """Ask y/N on a terminal; without one, refuse unless --force was given."""
    if force:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            f'refusing to {what} without a terminal to confirm on; pass --force (or --dry-run to only see the plan)'
        )
    answer = input(f'{question} [y/N] ').strip().lower()
    if answer not in ('y', 'yes'):
        raise UsageError(f'{what}: cancelled, nothing was changed')


def existing_path(path: Path) -> Path:
    """A scan target: must exist (a one-line usage error otherwise)."""
    if not path.exists() and not path.is_symlink():
        raise UsageError(f'{path}: no such file or directory')
    return path.resolve()


class writing:  # noqa: N801 - used as a statement: `with writing(target):`
    """Turn an error writing a report to `target` (a full disk, /dev/full, an I/O error) into a
    UsageError: one line and exit 2, never a traceback. A reader that left (BrokenPipeError) is
    guard.cli.errors' business. A class, not contextlib: every command imports this module."""

    def __init__(self, target: object) -> None:
        self.target = target

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if isinstance(error, OSError) and not isinstance(error, BrokenPipeError):
            raise UsageError(f'{self.target}: cannot write the report: {error.strerror or error}') from None


def write_all(stream: TextIO, text: str) -> None:
    """Write `text` to `stream` and make sure all of it arrived: a file at its size limit (RLIMIT_FSIZE,
    a quota) takes part of a big write and fails the rest, and Python's buffered writer drops that
    rest without an error (seen on 3.11: one short write(), no error, exit 0, a truncated SARIF). So
    the bytes go to the descriptor in a loop: a short write is retried and the error it then meets
    raises (an OSError that `writing` turns into one line and exit 2)."""
    import io
    import os

    try:
        fd = stream.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # not a file (a test's StringIO)
        stream.write(text)
        stream.flush()
        return
    stream.flush()  # what was written to the stream before goes first
    data = memoryview(text.encode(stream.encoding or 'utf-8', stream.errors or 'strict'))
    while data:
        written = os.write(fd, data)
        if written <= 0:
            raise OSError(28, 'No space left on device')
        data = data[written:]


def open_output(path: Path) -> TextIO:
    try:
        # surrogateescape: a file name that is not UTF-8 is written back as its own bytes, as on stdout.
        return path.open('w', encoding='utf-8', errors='surrogateescape')
    except OSError as e:
        raise UsageError(f'{path}: cannot write the report: {e.strerror}') from None


def ask(question: str) -> bool:
    """A y/N question answered on a terminal; False without one (nothing optional happens unasked)."""
    if not sys.stdin.isatty():
        return False
    try:
        return input(f'{question} [y/N] ').strip().lower() in ('y', 'yes')
    except EOFError:
        return False


def format_bytes(count: int) -> str:
    """1536 -> '1.5 KiB': binary units, as df -h and du -h count."""
    value = float(count)
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if abs(value) < 1024 or unit == 'TiB':
            return f'{int(value)} B' if unit == 'B' else f'{value:.1f} {unit}'
        value /= 1024
    raise AssertionError('unreachable')


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """plural(1, 'file') -> '1 file'; plural(1200, 'file') -> '1,200 files'."""
    return f'{count:,} {noun if count == 1 else nouns or noun + "s"}'


def add_change_options(
    parser: argparse.ArgumentParser, *, dry_run_help: str = 'show the plan and change nothing'
) -> None:
    """--dry-run, --force and --lock-timeout: the options of every command that changes the tree."""
    parser.add_argument('--dry-run', action='store_true', help=dry_run_help)
    parser.add_argument('--force', action='store_true', help='do not ask for confirmation (needed without a terminal)')
    parser.add_argument(
        '--lock-timeout',
        type=seconds,
        metavar='SECONDS',
        help='wait this long for another purge/clean of the root (default: purge.lock-timeout)',
    )


def seconds(text: str) -> float:
    """A --lock-timeout value: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        from guard.excerpt import quoted  # only on the error path: the value may be a credential

        raise argparse.ArgumentTypeError(f'expected a number of seconds, got {quoted(text)}') from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(f'must be 0 or more, got {text}')
    return value


def shown(rel: str, kind: str) -> str:
    """A path as listed: folders end with /."""
    from guard.printable import printable

    return printable(rel) + ('/' if kind == 'dir' else '')


def out(line: str) -> None:
    """One line on stdout, scrubbed: it may quote a configured command (`--password=...`)."""
    from guard.printable import printable_lines
    from guard.redact import scrub

    sys.stdout.write(printable_lines(scrub(line)) + '\n')  # no escape sequence from a name reaches the terminal


def err(line: str) -> None:
    """One `guard: ` line on stderr, scrubbed like out()."""
    from guard.printable import printable_lines
    from guard.redact import scrub

    sys.stderr.write(f'guard: {printable_lines(scrub(line))}\n')
