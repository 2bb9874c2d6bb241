"""Benchmark: `guard purge` of a big logs/ tree against `rm -rf` of an identical tree, in one run.

    .venv/bin/python bench/purge_bench.py                      # 100,000 files, ~1 GB (the issue's target)
    .venv/bin/python bench/purge_bench.py --files 10000 --mb 100 --repeat 3

Both trees are built before any timing, on the same filesystem, and `sync` runs before each timed
step so neither pays for the other's writeback. The purge is timed as the daemon runs it: the
library's plan() plus execute() (walk, lock, fingerprints, clearing, verification); the CLI only
adds printing. Target (issue 4): purge wall time <= 1.3 x rm -rf.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guard.config import Config  # noqa: E402
from guard.safety import purge  # noqa: E402
from guard.safety.fd import filesystem_type  # noqa: E402

TARGET = 1.3


def build(root: Path, files: int, total_bytes: int, per_dir: int) -> None:
    """logs/ with `files` files of equal size in folders of `per_dir`, plus a little protected source."""
    size = max(1, total_bytes // files)
    payload = os.urandom(size)
    (root / 'src').mkdir(parents=True)
    (root / 'src/app.py').write_text('print(1)\n')
    for i in range(files):
        folder = root / 'logs' / f'd{i // per_dir:04d}'
        if i % per_dir == 0:
            folder.mkdir(parents=True)
        fd = os.open(folder / f'app-{i}.log', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, payload)
        finally:
            os.close(fd)


def time_rm(root: Path) -> float:
    subprocess.run(['sync'], check=True)
    start = time.perf_counter()
    subprocess.run(['rm', '-rf', str(root / 'logs')], check=True)
    return time.perf_counter() - start


def time_purge(root: Path, state: Path) -> tuple[float, float, int]:
    subprocess.run(['sync'], check=True)
    config = Config(state_dir=str(state))
    start = time.perf_counter()
    plan = purge.plan(config, root)
    planned = time.perf_counter()
    report = purge.execute(plan)
    end = time.perf_counter()
    if report.outcome != purge.OK or os.listdir(root / 'logs'):
        raise SystemExit(f'purge did not clear the tree: {report.outcome} {report.failures[:3]}')
    return end - start, planned - start, report.files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--files', type=int, default=100_000, help='files in logs/ (default 100000)')
    parser.add_argument('--mb', type=int, default=1000, help='total size in MB (default 1000)')
    parser.add_argument('--per-dir', type=int, default=1000, help='files per folder (default 1000)')
    parser.add_argument('--repeat', type=int, default=1, help='runs; the order of rm and purge alternates')
    parser.add_argument('--dir', type=Path, default=None, help='where to build the trees (default: a temp dir)')
    parser.add_argument('--output', type=Path, help='also append the result as markdown to this file')
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix='guard-bench-', dir=args.dir)).resolve()
    rows = []
    try:
        for run in range(args.repeat):
            for name in ('rm', 'purge'):
                shutil.rmtree(base / name, ignore_errors=True)
                build(base / name, args.files, args.mb * 1_000_000, args.per_dir)
            order = ('rm', 'purge') if run % 2 == 0 else ('purge', 'rm')
            times: dict[str, float] = {}
            plan_time = 0.0
            for name in order:
                if name == 'rm':
                    times['rm'] = time_rm(base / 'rm')
                else:
                    times['purge'], plan_time, cleared = time_purge(base / 'purge', base / 'state')
                    assert cleared == args.files, cleared
            rows.append((times['rm'], times['purge'], plan_time))
            print(
                f'run {run + 1}: rm -rf {times["rm"]:.2f}s  guard purge {times["purge"]:.2f}s '
                f'(plan {plan_time:.2f}s)  ratio {times["purge"] / times["rm"]:.2f}',
                flush=True,
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    rm_best = min(r[0] for r in rows)
    purge_best = min(r[1] for r in rows)
    ratio = purge_best / rm_best
    verdict = 'meets' if ratio <= TARGET else 'misses'
    summary = (
        f"best of {args.repeat} (each side's fastest run): rm -rf {rm_best:.2f}s, guard purge {purge_best:.2f}s, "
        f'ratio {ratio:.2f} ({verdict} the {TARGET}x target)'
    )
    print(summary)
    if args.output:
        _write_markdown(args, rows, summary)
    return 0 if ratio <= TARGET else 1


def _write_markdown(args: argparse.Namespace, rows: list[tuple[float, float, float]], summary: str) -> None:
    command = 'bench/purge_bench.py ' + ' '.join(sys.argv[1:])
    where = str(args.dir or tempfile.gettempdir())
    lines = [
        f'\n### purge vs rm -rf: {args.files:,} files, {args.mb:,} MB, {args.per_dir} per folder\n',
        f'Command: `.venv/bin/python {command}`  ',
        f'Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, '
        f'trees in {where} ({filesystem_type(where) or "unknown filesystem"})\n',
        '| run | rm -rf (s) | guard purge (s) | of which plan (s) | ratio |',
        '|---|---|---|---|---|',
    ]
    lines += [f'| {i + 1} | {rm:.2f} | {pg:.2f} | {pl:.2f} | {pg / rm:.2f} |' for i, (rm, pg, pl) in enumerate(rows)]
    lines.append(f'\n{summary}\n')
    with args.output.open('a', encoding='utf-8') as f:
        f.write('\n'.join(lines))


if __name__ == '__main__':
    raise SystemExit(main())
