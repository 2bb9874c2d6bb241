"""Benchmark: two installed guards on the same inputs, round by round (issue 14: speed unchanged).

    .venv/bin/python bench/versions_bench.py OLD_GUARD NEW_GUARD [--runs 5]

OLD_GUARD and NEW_GUARD are `guard` executables of two plain venvs (`pip install .` of two
checkouts: `git archive f96448f | tar -x -C /tmp/old && python3 -m venv /tmp/old-venv &&
/tmp/old-venv/bin/pip install /tmp/old`). Each round runs every case with the old guard, then with
the new one, so load from elsewhere on a shared machine hits both alike; the table gives each
case's median wall time, the spread (min-max) and new/old. Cases: the full-tree scan of
`$PEERS_ROOT/corpus` (159 MB) and the history scan of `$PEERS_ROOT/history` (2,000 commits), both
built by bench/setup.sh; `-j 0` (every core), findings counted but not judged (--exit-zero).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

PEERS = Path(os.environ.get('PEERS_ROOT', '/tmp/guard-peers'))
# The corpus without its files over max-file-size (2 MB: five minified bundles, 23 MB): guard before
# issue 15 skipped them, guard after it streams them, so this case compares the same work.
SAME_WORK = PEERS / 'corpus-under-2mb'
CASES = {
    'tree scan, 159 MB': ['scan', str(PEERS / 'corpus'), '-q', '--exit-zero', '--no-baseline'],
    'tree scan, files both read': ['scan', str(SAME_WORK), '-q', '--exit-zero', '--no-baseline'],
    'history, 2,000 commits': ['scan', '--history', str(PEERS / 'history'), '-q', '--exit-zero', '--no-baseline'],
}


def _same_work() -> None:
    """Hard links of the corpus' files up to 2,000,000 bytes (the old guard's max-file-size), once."""
    if SAME_WORK.exists():
        return
    source = PEERS / 'corpus'
    for folder, _, names in os.walk(source):
        target = SAME_WORK / Path(folder).relative_to(source)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink() and path.is_file() and path.stat().st_size <= 2_000_000:
                os.link(path, target / name)


def _seconds(guard: str, args: list[str]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system, every process of the run): the CPU time holds
    steady when other work shares the machine, the wall time is what a user waits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([guard, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('old')
    parser.add_argument('new')
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    _same_work()
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for case_args in CASES.values():
        for guard in (args.old, args.new):  # warm-up: the page cache holds the corpus for both
            _seconds(guard, case_args)
    for _ in range(args.runs):
        for case, case_args in CASES.items():
            for label, guard in (('old', args.old), ('new', args.new)):
                times.setdefault((case, label), []).append(_seconds(guard, case_args))
    print(
        f'| case | old: median s (min-max) | new: median s (min-max) | new/old '
        f'| CPU s old / new | CPU new/old | load at end {os.getloadavg()[0]:.2f} |'
    )
    print('|---|---|---|---|---|---|---|')
    for case in CASES:
        old = [w for w, _ in times[(case, 'old')]]
        new = [w for w, _ in times[(case, 'new')]]
        old_cpu = statistics.median(c for _, c in times[(case, 'old')])
        new_cpu = statistics.median(c for _, c in times[(case, 'new')])
        print(
            f'| {case} | {statistics.median(old):.2f} ({min(old):.2f}-{max(old):.2f}) '
            f'| {statistics.median(new):.2f} ({min(new):.2f}-{max(new):.2f}) '
            f'| {statistics.median(new) / statistics.median(old):.2f}x '
            f'| {old_cpu:.2f} / {new_cpu:.2f} | {new_cpu / old_cpu:.2f}x | |'
        )
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
