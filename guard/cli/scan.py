"""`guard scan [PATH…]`: scan the working tree and report; exit 1 when findings reach --fail-on."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from guard import config as config_module
from guard.cli import common
from guard.errors import UsageError
from guard.findings import blocks

if TYPE_CHECKING:
    from guard.records import StrPath
    from guard.scan.engine import ScanResult

FORMATS = ('text', 'json', 'sarif')  # guard.report.FORMATS, without importing the engine for --help


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('paths', nargs='*', type=Path, metavar='PATH', help='files or folders to scan (default: .)')
    add_git_options(parser)
    add_report_options(parser)
    add_selection_options(parser)
    parser.add_argument('--list-rules', action='store_true', help='list every rule id with its category and exit')


def add_git_options(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        '--staged',
        action='store_true',
        help='scan what is staged (the git index), as the pre-commit hook does; PATH is the repository',
    )
    what.add_argument(
        '--range',
        metavar='A..B',
        dest='rev_range',
        help='scan the commits in a git range, each finding at the commit that added it',
    )
    what.add_argument(
        '--history', action='store_true', help='scan every commit on every ref (progress bar on a terminal)'
    )
    parser.add_argument(
        '--all-lines',
        action='store_true',
        help='with --staged: judge every line of the staged files, not only the lines the commit '
        'adds or changes (the commit hook\'s default, hook-scope = "lines")',
    )


def add_report_options(parser: argparse.ArgumentParser) -> None:
    common.add_format_option(parser, FORMATS, help_text='output format (default: text)')
    parser.add_argument('-o', '--output', type=Path, metavar='FILE', help='write the report to FILE instead of stdout')
    parser.add_argument(
        '--fail-on',
        choices=config_module.SEVERITIES,
        help='lowest severity that makes the exit code 1 (default: warning)',
    )
    parser.add_argument('--exit-zero', action='store_true', help='report the findings but exit 0 (errors still exit 2)')
    parser.add_argument(
        '-v', '--verbose', action='store_true', help='explain the rule on every finding, and list every skipped file'
    )
    common.add_output_options(
        parser,
        quiet_help='print only the findings (and errors): no rule explanations, skipped files, summary or progress',
    )
    common.add_config_option(parser)


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--only',
        action='extend',
        type=common.comma_list(),
        default=[],
        metavar='RULE,…',
        help='run only these rules or categories (secret, env-file, ip, abs-path, venv); comma-separated or repeated',
    )
    parser.add_argument(
        '--disable',
        action='extend',
        type=common.comma_list(),
        default=[],
        metavar='RULE,…',
        help='skip these rules or categories; comma-separated or repeated',
    )
    parser.add_argument(
        '--exclude',
        action='append',
        default=[],
        metavar='PATTERN',
        help='gitignore-style path pattern not to scan; repeatable',
    )
    parser.add_argument(
        '--baseline', metavar='FILE', help='report only findings not in FILE (default: .guard-baseline.json if present)'
    )
    parser.add_argument('--no-baseline', action='store_true', help='ignore any baseline')
    parser.add_argument('-j', '--jobs', type=int, metavar='N', help='processes to scan with (default: all cores)')
    parser.add_argument(
        '--max-file-size',
        type=int,
        metavar='BYTES',
        help='stream larger files in overlapping windows (0: read every file whole)',
    )


def load_scan_config(args: argparse.Namespace, root: StrPath) -> config_module.Config:
    config = common.load_config(root, args)
    return config.replace(
        '--flags',
        fail_on=args.fail_on,
        baseline=args.baseline,
        jobs=args.jobs,
        max_file_size=args.max_file_size,
        exclude=[*config.exclude, *args.exclude] if args.exclude else None,
        disable=[*config.disable, *args.disable] if args.disable else None,
    )


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        return list_rules()
    from guard.git import runner
    from guard.scan import engine as scan

    targets = args.paths or [Path('.')]
    if args.all_lines and not args.staged:
        raise UsageError('--all-lines goes with --staged (a tree scan and history scans already judge every line)')
    if args.staged or args.rev_range or args.history:
        return _run_git(args, targets)
    root, _ = runner.find_root(common.existing_path(targets[0]))
    config = load_scan_config(args, root)
    result = scan.scan_worktree(
        config, [t for t in targets if t.resolve() != root], only=args.only, use_baseline=not args.no_baseline
    )
    return emit(result, args, config.fail_on)


def _run_git(args: argparse.Namespace, targets: list[Path]) -> int:
    """--staged, --range and --history: the hooks' engine, over the index or over commits."""
    from guard.git import plumbing as git_plumbing
    from guard.scan import staged

    if len(targets) > 1:
        raise UsageError('--staged, --range and --history take one PATH: a folder inside the repository')
    repo = git_plumbing.locate(common.existing_path(targets[0]))
    config = load_scan_config(args, repo.root)
    use_baseline = not args.no_baseline
    if args.staged:
        result = staged.scan_staged(
            config,
            repo,
            only=args.only,
            use_baseline=use_baseline,
            whole_files=True if args.all_lines else None,
            count_left_out=True,
        )
        if result.left_out and not args.quiet:
            sys.stderr.write(f'guard: {staged.left_out_note(result.left_out)}\n')
        return emit(result, args, config.fail_on)
    from guard.scan import history

    if args.rev_range and args.rev_range.startswith('-'):
        raise UsageError(f'--range {args.rev_range}: expected a revision range such as main..topic')
    revisions = [args.rev_range] if args.rev_range else ['--all']
    progress = _progress_bar if args.history and not args.quiet and sys.stderr.isatty() else None
    result = history.scan_revisions(config, revisions, only=args.only, use_baseline=use_baseline, progress=progress)
    if progress:
        sys.stderr.write('\r\033[K')
    return emit(result, args, config.fail_on)


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    sys.stderr.write(f'\rguard: scanning history [{"#" * filled}{"." * (width - filled)}] {done:,}/{total:,} blobs')
    sys.stderr.flush()


def emit(result: ScanResult, args: argparse.Namespace, fail_on: str) -> int:
    """Write the report where asked; exit 1 when any finding is at or above fail_on (0 with --exit-zero)."""
    for warning in result.warnings:
        sys.stderr.write(f'guard: {warning}\n')
    options = {'verbose': args.verbose, 'quiet': args.quiet}
    if args.output:
        # `writing` outermost: closing the file flushes what is left, and a full disk or an I/O error
        # (/dev/full, /proc/version) raised there must become the same one line.
        with common.writing(args.output), common.open_output(args.output) as stream:
            common.write_all(stream, _render(result, args.format, options))
    else:
        with common.writing('stdout'):
            color = common.use_color(sys.stdout, no_color=args.no_color)
            common.write_all(sys.stdout, _render(result, args.format, {**options, 'color': color}))
    return 1 if blocks(result.findings, fail_on) and not args.exit_zero else 0


def _render(result: ScanResult, fmt: str, options: dict[str, bool]) -> str:
    """The whole report as text: written at once by common.write_all, which sees every short write."""
    import io

    from guard import report

    buffer = io.StringIO()
    report.write(
        result, fmt, buffer, color=options.get('color', False), verbose=options['verbose'], quiet=options['quiet']
    )
    return buffer.getvalue()


def list_rules() -> int:
    from guard.rules import RULES

    for rule_id, rule in sorted(RULES.items(), key=lambda item: (item[1].category, item[0])):
        sys.stdout.write(f'{rule_id:32} {rule.category:9} {rule.severity:8} {rule.why}\n')
    return 0
