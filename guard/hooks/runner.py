"""What the hooks do: the commit and push hooks' scan, report and exit code (guard/hooks/* are thin mains).

Hooks print nothing when the change is clean and exit 0; on findings they print the report with a
closing line that says how to skip once, and exit 1; when guard itself cannot run (a bad config,
no repository) they exit 2 and say how to fix it. The hot path imports no heavy library:
a clean commit should cost little more than Python's own start-up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from collections.abc import Sequence

from guard import config as config_module
from guard.cli.errors import error_handler
from guard.hooks import CONCERNS
from guard.hooks import MODULES

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from pathlib import Path
    from typing import NoReturn
    from typing import TextIO

    from guard.findings import Finding
    from guard.records import StrPath
    from guard.scan.result import ScanResult

ALL_CATEGORIES = config_module.CATEGORIES
ACTIONS = {'commit': 'git commit', 'push': 'git push'}


def run_hook(hook_id: str, argv: Sequence[str]) -> int:
    """Run the hook `hook_id` (a key of MODULES) with what git or pre-commit passed it."""
    # __import__ rather than importlib.import_module: the importlib package costs ~0.5 ms per commit.
    module = __import__(MODULES[hook_id], fromlist=['main'])
    return int(module.main(list(argv)))


def run_files(hook_id: str, argv: Sequence[str] | None) -> int:
    """A pre-commit framework hook: the staged versions of the files pre-commit passes.

    In pre-commit's pre-push stage (PRE_COMMIT_FROM_REF/TO_REF set) it scans those commits instead.
    """
    filenames, config_file, exit_zero = _parse_files_args(hook_id, sys.argv[1:] if argv is None else argv)
    push_range = _framework_push_range()

    def body() -> int:
        from guard.git import plumbing as git_plumbing

        # git runs while the rules load (a push scans commits: it needs only the repository from it)
        read = git_plumbing.StagedRead(os.getcwd(), names=() if push_range else filenames)
        from guard.scan import staged

        repo = read.repo()
        config = config_module.load(repo.root, config_file=config_file)
        if push_range:
            from guard.scan import history

            def scan_pushed(only: Sequence[str]) -> ScanResult:
                return history.scan_revisions(config, [push_range], only=only)

            return _scan_and_report(hook_id, 'push', scan_pushed, config.fail_on, exit_zero=exit_zero)
        paths = _root_relative(repo.root, filenames)

        def scan_files(only: Sequence[str]) -> ScanResult:
            return staged.scan_staged(config, repo, paths=paths, only=only, read=read)

        return _scan_and_report(hook_id, 'commit', scan_files, config.fail_on, exit_zero=exit_zero)

    return _run_hook(hook_id, 'push' if push_range else 'commit', body)


def framework_entry_points(hook_id: str) -> tuple[Callable[..., int], Callable[[], NoReturn]]:
    """A framework hook module's `main(argv=None) -> int` and its console script's `console_main()`,
    which runs it and then exits fast (guard.cli.exit_fast)."""

    def main(argv: Sequence[str] | None = None) -> int:
        return run_files(hook_id, argv)

    def console_main() -> NoReturn:
        from guard.cli import exit_fast
        from guard.cli import fewer_collections

        fewer_collections()
        exit_fast(main())

    return main, console_main


def run_commit(argv: Sequence[str] | None) -> int:
    """The standalone pre-commit hook: everything staged, read from the index."""

    def body() -> int:
        from guard.git import plumbing as git_plumbing

        read = git_plumbing.StagedRead(os.getcwd())  # git runs while the rules load
        from guard.scan import staged

        repo = read.repo()
        config = config_module.load(repo.root)

        def scan_index(only: Sequence[str]) -> ScanResult:
            return staged.scan_staged(config, repo, only=only, read=read)

        return _scan_and_report('guard', 'commit', scan_index, config.fail_on)

    return _run_hook('guard', 'commit', body)


def run_push(argv: Sequence[str] | None, stdin: TextIO) -> int:
    """The standalone pre-push hook: argv is `<remote name> <remote url>`; stdin lists the updates."""

    def body() -> int:
        from guard.git import plumbing as git_plumbing
        from guard.git import revisions as git_revisions
        from guard.scan import history

        repo = git_plumbing.locate(os.getcwd())
        config = config_module.load(repo.root)
        updates = git_revisions.parse_push_lines(stdin.read())
        odd = git_revisions.not_commits(repo.root, updates)
        if odd:  # fail closed: what guard cannot read as commits may hold a secret
            named = ', '.join(f'{ref} (a {kind})' for ref, kind in odd)
            sys.stdout.write(
                f'push blocked: {named} names no commit, and guard checks the commits a push sends. Push a '
                'commit instead, or skip once with `git push --no-verify`.\n'
            )
            return 1
        revisions = git_revisions.push_revisions(repo.root, updates, _push_remote(argv))
        if not revisions:
            return 0  # only branch deletions: nothing leaves the machine
        return _scan_and_report(
            'guard', 'push', lambda only: history.scan_revisions(config, revisions, only=only), config.fail_on
        )

    return _run_hook('guard', 'push', body)


def _push_remote(argv: Sequence[str] | None) -> str:
    """The remote's name from pre-push's `<name> <url>`; '' for a push to a URL (git passes it twice)
    or none given: then no remote-tracking ref counts as published there."""
    args = list(argv or ())
    if not args or (len(args) > 1 and args[0] == args[1]):
        return ''
    return args[0]


def active_categories(hook_id: str, skip: str) -> tuple[str, ...]:
    """The categories a hook runs, minus those SKIP names (pre-commit's comma-separated hook ids).

    `SKIP=guard` skips every guard hook; `SKIP=guard-secrets` drops secrets from the `guard` hook and
    the standalone hooks too, so the skip line guard prints works with and without pre-commit.
    """
    skipped = {s.strip() for s in skip.split(',') if s.strip()}
    if 'guard' in skipped or hook_id in skipped:
        return ()
    wanted = CONCERNS.get(hook_id, ALL_CATEGORIES)
    dropped = {c for other, categories in CONCERNS.items() if other in skipped for c in categories}
    return tuple(c for c in wanted if c not in dropped)


def skip_hint(hook_id: str, categories: set[str]) -> str:
    """The narrowest hook id whose SKIP covers these findings' categories."""
    if hook_id in CONCERNS:
        return hook_id
    return next((other for other, cats in CONCERNS.items() if categories <= set(cats)), 'guard')


def _run_hook(hook_id: str, action: str, body: Callable[[], int]) -> int:
    with error_handler() as outcome:
        outcome.code = body()
    if outcome.code == 2:
        sys.stderr.write(
            f'guard: the {hook_id} hook could not run, so it blocked the {action}; fix the error above, '
            f'or skip it once with `SKIP={hook_id} {ACTIONS[action]} …` '
            f'(`{ACTIONS[action]} --no-verify` skips every hook)\n'
        )
    return outcome.code


def _scan_and_report(
    hook_id: str, action: str, scan: Callable[[Sequence[str]], ScanResult], fail_on: str, *, exit_zero: bool = False
) -> int:
    only = active_categories(hook_id, os.environ.get('SKIP', ''))
    if not only:
        sys.stdout.write(f'guard: {hook_id} skipped (SKIP={os.environ.get("SKIP", "")})\n')
        return 0
    result = scan(only)
    findings = result.findings
    for warning in result.warnings:
        sys.stderr.write(f'guard: {warning}\n')
    if not findings:
        _write_skipped(result)
        return _fail_closed(hook_id, action, result)
    from guard import report
    from guard.cli import common
    from guard.findings import blocks

    blocking = blocks(findings, fail_on) and not exit_zero  # --exit-zero: report, never block
    hint = skip_hint(hook_id, {f.category for f in findings})
    stream = sys.stdout
    suspect = _credential_lines(findings)
    report.write(
        result,
        'text',
        stream,
        color=common.use_color(stream),
        hook=hint if blocking and action == 'commit' and not suspect else '',
    )
    _write_left_out(result, stream)
    if suspect:  # a skip would commit (or push) the masked value with the line: never offer one
        stream.write(
            f'{action} blocked: {", ".join(suspect)} may hold a credential (masked above) that no secret '
            'rule recognised; a skip would ' + ('commit' if action == 'commit' else 'push') + ' it. '
            'Move any credential out of the file (an environment variable, a secret store), '
            + ('rotate it if it was pushed before, ' if action == 'push' else '')
            + 'then fix the findings above; a line with none may be allowed with a `guard: allow <rule>` '
            'comment.\n'
        )
    elif blocking and action == 'push':
        stream.write(
            'push blocked: the commits being pushed add the findings above (shown as <commit>:<path>). '
            'Rewrite them (`git rebase -i`, then `git commit --amend`), rotate any leaked secret, '
            f'or skip once with `SKIP={hint} git push …` / `git push --no-verify`.\n'
        )
    return max(1 if blocking else 0, _fail_closed(hook_id, action, result))


def _credential_lines(findings: Sequence[Finding]) -> list[str]:
    """`path:line` of each line a non-secret rule reported whose excerpt masked a value that may be a
    credential (guard.excerpt): SKIP=guard-hardcoded-ip would commit that value."""
    lines = dict.fromkeys(
        f'{f.path}:{f.line}' if f.line is not None else f.path  # an env file: the whole file
        for f in findings
        if f.credential and f.category != 'secret'
    )
    shown = list(lines)[:5]
    return shown + [f'{len(lines) - len(shown)} more lines'] if len(lines) > len(shown) else shown


def _write_left_out(result: ScanResult, stream: TextIO) -> None:
    """Under the report: how many findings sit on lines the commit does not change (hook-scope = "lines"),
    and the command that lists them. A clean commit stays silent about them."""
    if result.left_out:
        from guard.scan.staged import left_out_note

        stream.write(f'guard: {left_out_note(result.left_out)}.\n')


def _write_skipped(result: ScanResult) -> None:
    """A clean commit prints nothing but the files it did not scan: one line each (with findings the
    report lists them)."""
    for skipped in result.skipped:
        sys.stdout.write(f'guard: not scanned: {skipped.path}: {skipped.reason}\n')


def _fail_closed(hook_id: str, action: str, result: ScanResult) -> int:
    """1 when a file that may hold text could not be read (unreadable, missing from the object store):
    what guard did not see may be a secret, so the hook blocks and says how to let it through."""
    if not result.failed:
        return 0
    names = ', '.join(s.path for s in result.failed)
    sys.stdout.write(
        f'{action} blocked: guard could not read {names}, so it cannot tell whether '
        f'{"it holds" if len(result.failed) == 1 else "they hold"} a secret (reason above). Fix the '
        'cause, or add the path to `exclude` in [tool.guard] to stop scanning it, or skip once with '
        f'`SKIP={hook_id} {ACTIONS[action]} …`.\n'
    )
    return 1


def _parse_files_args(hook_id: str, argv: Sequence[str]) -> tuple[list[str], Path | None, bool]:
    """(file names, --config FILE, --exit-zero) from a framework hook's command line.

    pre-commit runs `entry [args] FILES...` with no `--` between them, so a file name may look like an
    option: a staged file named `--exit-zero` or `--help` must not turn the blocking hook into a report
    (issue 15 finding 13). So a name that exists (os.path.lexists: pre-commit passes files of the
    working tree) is a file, never an option, and so is everything after a `--`; only what is left
    goes to argparse. An option's own value (`--config FILE`) is taken as its value. A user's
    `args: [--exit-zero]` is then read as a file when a file of that name exists: the hook blocks,
    it never lets a commit through by mistake.

    That runs on every commit: argparse (with the shutil and gettext it imports to format help) costs
    ~10 ms there, so it only parses command lines that hold an option, identically.
    """
    if not any(arg.startswith('-') for arg in argv):
        return list(argv), None, False
    files: list[str] = []
    options: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == '--':
            files += args
        elif not arg.startswith('-') or os.path.lexists(arg):
            files.append(arg)
        else:
            value = next(args, None) if arg == '--config' else None
            # Its value, whatever it looks like; argparse says when it is missing.
            options.append(arg if value is None else f'--config={value}')
    if not options:
        return files, None, False
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog=hook_id, description=f"guard's {hook_id} hook for pre-commit", allow_abbrev=False
    )
    parser.add_argument('--config', type=Path, metavar='FILE', help='read settings from FILE')
    parser.add_argument('--exit-zero', action='store_true', help='report the findings but let the commit go ahead')
    parser.usage = f'{hook_id} [-h] [--config FILE] [--exit-zero] [--] [filenames ...]'
    parsed = parser.parse_args(options)
    return files, parsed.config, parsed.exit_zero


def _framework_push_range() -> str:
    source, target = os.environ.get('PRE_COMMIT_FROM_REF'), os.environ.get('PRE_COMMIT_TO_REF')
    return f'{source}..{target}' if source and target else ''


def _root_relative(root: StrPath, names: Sequence[str]) -> list[str]:
    """pre-commit passes paths relative to the working directory (the root, unless run by hand)."""
    from guard.errors import UsageError

    cwd = os.getcwd()
    paths = []
    for name in names:
        rel = os.path.relpath(os.path.normpath(os.path.join(cwd, name)), root)
        if rel == '..' or rel.startswith('..' + os.sep):
            raise UsageError(f'{name}: outside the repository {root}')
        paths.append(rel.replace(os.sep, '/'))
    return paths
