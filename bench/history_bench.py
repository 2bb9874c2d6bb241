"""Benchmark: scanning all of a repository's history, guard against its peers, in one hyperfine run.

    .venv/bin/python bench/history_bench.py                   # $PEERS_ROOT/history: 2,000 commits
    .venv/bin/python bench/history_bench.py --runs 10 --output /tmp/hooks.md   # then merge into bench/RESULTS.md

The repository is built by /work/shared/bench-peers/make_corpus.sh (2,000 commits of Django and
SQLAlchemy sources, three leaked .env files that later commits delete). Every tool reads it only.
Commands: `guard scan --history`; `gitleaks git` (its default `git log -p --all`); Kingfisher with
`--git-history full`; trufflehog3 with `--no-current` (history only). After timing, each tool runs once
more to check that it found the three leaked .env files' secrets (a scan that misses them is no rival).
Target (issue 3): guard no slower than gitleaks in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hook_bench import GITLEAKS  # noqa: E402
from hook_bench import KINGFISHER  # noqa: E402
from hook_bench import PEER_ENV  # noqa: E402
from hook_bench import PEERS  # noqa: E402
from hook_bench import TRUFFLEHOG3  # noqa: E402
from hook_bench import Command  # noqa: E402
from hook_bench import git  # noqa: E402
from hook_bench import hook_venv  # noqa: E402
from hook_bench import machine  # noqa: E402
from hook_bench import require_peers  # noqa: E402
from hook_bench import run_hyperfine  # noqa: E402
from hook_bench import snapshot  # noqa: E402

LEAKS = ('leak_500.env', 'leak_1000.env', 'leak_1500.env')


def commands(repo: Path, reports: Path, bin_dir: Path) -> list[Command]:
    return [
        (
            'guard scan --history',
            [
                str(bin_dir / 'guard'),
                'scan',
                '--history',
                '--format',
                'json',
                '-o',
                str(reports / 'guard.json'),
                str(repo),
            ],
        ),
        (
            'gitleaks git',
            [
                str(GITLEAKS),
                'git',
                '--no-banner',
                '--redact',
                '-l',
                'error',
                '-f',
                'json',
                '-r',
                str(reports / 'gitleaks.json'),
                str(repo),
            ],
        ),
        (
            'kingfisher scan --git-history full',
            [
                str(KINGFISHER),
                'scan',
                str(repo),
                '--git-history',
                'full',
                '--no-validate',
                '--no-update-check',
                '--format',
                'json',
                '--output',
                str(reports / 'kingfisher.json'),
            ],
        ),
        (
            'trufflehog3 --no-current',
            [str(TRUFFLEHOG3), '-z', '--no-current', '-f', 'JSON', '-o', str(reports / 'trufflehog3.json'), str(repo)],
        ),
    ]


def leaks_found(report: Path) -> str:
    """Which of the three leaked .env files the report mentions (by name: every tool prints paths)."""
    if not report.exists():
        return 'no report'
    text = report.read_text(errors='replace')
    return f'{sum(1 for leak in LEAKS if leak in text)}/3'


def guard_findings(report: Path) -> int:
    return len(json.loads(report.read_text())['findings']) if report.exists() else -1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repo', type=Path, default=PEERS / 'history')
    parser.add_argument('--output', type=Path, help='append the markdown result to this file')
    args = parser.parse_args(argv)
    require_peers()
    repo = args.repo.resolve()
    commits = git(repo, 'rev-list', '--count', '--all').strip()
    with tempfile.TemporaryDirectory(prefix='guard-history-bench-') as tmp:
        work = Path(tmp)
        # guard as users install it (see hook_bench.py): a plain venv, pip-installed from a snapshot.
        bin_dir = hook_venv(work, snapshot(work))
        reports = work / 'reports'
        reports.mkdir()
        cmds = commands(repo, reports, bin_dir)
        stats = run_hyperfine(cmds, repo, args.runs, args.warmup, reports / 'hyperfine.json')
        for _, argv_ in cmds:  # once more, for the reports
            subprocess.run(argv_, cwd=repo, capture_output=True, env={**os.environ, **PEER_ENV})
        found = {name: leaks_found(reports / f'{name.split()[0]}.json') for name, _ in cmds}
        base = stats['gitleaks git']['mean']
        rows = [
            f'| {name} | {s["mean"] / 1000:.2f} ± {s["stddev"] / 1000:.2f} s (median {s["median"] / 1000:.2f}) | '
            f'{s["mean"] / base:.2f}× | {found[name]} |'
            for name, s in stats.items()
        ]
        guard_count = guard_findings(reports / 'guard.json')
        host = machine(bin_dir)
    report = (
        f'### History scan, {commits} commits ({time.strftime("%Y-%m-%d")})\n\n{host}; hyperfine -N, '
        f'{args.warmup} warm-up + {args.runs} runs per command, one invocation.\n\n'
        f'`.venv/bin/python bench/history_bench.py --runs {args.runs}`\n\n'
        '| command | wall time | × gitleaks | leaked .env files reported |\n|---|---|---|---|\n'
        + '\n'.join(rows)
        + f'\n\nguard reported {guard_count} findings.\n'
    )
    sys.stdout.write(report)
    if args.output:
        with args.output.open('a', encoding='utf-8') as f:
            f.write('\n' + report)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
