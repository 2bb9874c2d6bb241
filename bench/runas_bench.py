"""Benchmark: what the "who could write what the command reads" walk costs before each project command.

    .venv/bin/python bench/runas_bench.py                # 100,000 files, a Markdown table
    .venv/bin/python bench/runas_bench.py --files 2000   # small, to check it runs

Builds a root of --files files (100 a folder, ten folders deep at most), all root's, and times
runas.for_root on it (the worst case: nothing stops the walk early), best of --runs. Then one file
of another user at the end is found (the walk goes on to look for a second), and a file anyone may
write (the walk stops there). Run as root, on an idle machine: the figures are disk-cache bound.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guard import runas  # noqa: E402


def build(root: Path, files: int) -> list[Path]:
    made = []
    for index in range(files):
        folder = root.joinpath(*[f'd{(index // 100) % 10}'] * ((index // 1000) % 10 + 1))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f'f{index}.txt'
        path.write_text('x\n')
        made.append(path)
    return made


def best(root: Path, runs: int) -> tuple[float, str]:
    times = []
    answer = ''
    for _ in range(runs):
        started = time.perf_counter()
        try:
            answer = f'runs as {runas.for_root(str(root)).name or "guard"}'
        except runas.RefusedRunAs as e:
            answer = f'refused: {str(e)[:40]}…'
        times.append(time.perf_counter() - started)
    return min(times), answer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('--files', type=int, default=100_000)
    parser.add_argument('--runs', type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print('run as root: the case is root running a project command', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as base:
        root = Path(base) / 'proj'
        made = build(root, args.files)
        print(f'| case ({args.files:,} files) | seconds | answer |\n|---|---|---|')
        seconds, answer = best(root, args.runs)
        print(f"| all root's (whole walk) | {seconds:.3f} | {answer} |")
        os.chown(made[-1], 65534, 65534)
        seconds, answer = best(root, args.runs)
        print(f'| one file of another user | {seconds:.3f} | {answer} |')
        made[0].chmod(0o666)
        seconds, answer = best(root, args.runs)
        print(f'| a file anyone may write | {seconds:.3f} | {answer} |')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
