"""Peak memory of scanning one large file: it must not grow with the file's size (issue 15).

For each size, a fresh repository holds one staged SQL dump of that size with a secret in its last
kilobyte; the commit hook (`guard hook pre-commit`, as the shim runs it) and `guard scan` run in
a child process whose peak resident size (Linux ru_maxrss of the waited-for children) is recorded,
with the time taken and whether the secret was found at its line.

    .venv/bin/python bench/large_file_bench.py --sizes 4 16 64      # MB

Memory figures are stable on a busy machine; times are not (do not quote them while others run).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEASURE = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(proc.stdout + proc.stderr)
print('\\nRC', proc.returncode, 'MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
LINE = "INSERT INTO accounts VALUES ({n}, 'user{n}@example.com', '2024-01-01', {n}.50);\n"
SECRET = 'AKIA' + 'Z2RJ7QWNPL4XT3VB'


def _dump(path: Path, size: int) -> int:
    """Write a dump of about `size` bytes with the secret in its last kilobyte; the secret's line."""
    lines = 0
    written = 0
    with path.open('w') as f:
        while written < size - 1024:
            line = LINE.format(n=lines)
            f.write(line)
            written += len(line)
            lines += 1
        f.write(f"-- aws_access_key_id = '{SECRET}'\n")
        f.write('-- end of dump\n' * 20)
    return lines + 1


def _measure(argv: list[str], cwd: Path) -> tuple[int, float, int, str]:
    """(exit code, seconds, peak KiB, output) of `argv` run in a child."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, '-c', MEASURE, *argv], cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    output, _, tail = proc.stdout.rpartition('\nRC ')
    rc, _, peak = tail.split()
    return int(rc), elapsed, int(peak), output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[4, 16, 64], help='file sizes in MB')
    args = parser.parse_args()
    print('| file | run | exit | peak RSS | time | found at its line |')
    print('|---|---|---|---|---|---|')
    for mb in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp)
            subprocess.run(['git', 'init', '-q'], cwd=repo, check=True)
            line = _dump(repo / 'dump.sql', mb * 1_000_000)
            subprocess.run(['git', 'add', 'dump.sql'], cwd=repo, check=True)
            runs = {
                'commit hook': [sys.executable, '-m', 'guard', 'hook', 'pre-commit'],
                'guard scan': [sys.executable, '-m', 'guard', 'scan', '.', '--no-color'],
            }
            for name, argv in runs.items():
                rc, seconds, peak, output = _measure(argv, repo)
                found = 'yes' if f'dump.sql:{line}:' in output else 'NO'
                print(f'| {mb} MB | {name} | {rc} | {peak / 1024:.0f} MiB | {seconds:.1f} s | {found} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
