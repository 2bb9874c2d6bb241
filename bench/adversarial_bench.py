"""Benchmark: inputs built to make guard's time grow faster than its input (issue 15, item 4).

    .venv/bin/python bench/adversarial_bench.py                 # every case at full size, a Markdown table
    .venv/bin/python bench/adversarial_bench.py --scale 0.05    # small, to check it runs
    .venv/bin/python bench/adversarial_bench.py --baseline 300  # and a scan with 300 baselined findings

Each case is one file scanned in-process the way every source scans it (Scanner.scan on a Document:
every enabled rule, inline allows, excerpts built and masked; a large file's parts on every core as
`guard scan` and the hooks judge them, or on `--jobs` cores) and then reported (the text report,
into memory), best of --runs. Cases:

- `deny-list`: an nginx deny list, 40,000 `deny A.B.C.D;` lines (788 KB): 40,000 findings in one file
  (the commit hook took 175 s on it before issue 15).
- `addresses-one-line`: the same 40,000 addresses on one line (each address's context was read back
  to the line's start: 196 s for 8,000).
- `near-miss-line`: one 1 MB line holding an address, then every content rule's keywords, each
  followed by a value that does not complete a match, over and over.
- `near-miss-lines`: the same near-misses, one rule's keywords a line.
- `url-colons`: `a://:` repeated on one line with an address (100 KB took > 30 s in scrub()).
- `password-dots`: `password.` repeated on one line with an address (72 KB took 8 s).
- `password-spaces`: `password`, a run of spaces, a value and an address (20,000 spaces took 13 s).
- `curl-users`, `url-schemes`, `api-key-equals`, `pw-colons`: keywords repeated with no value after them.
- `connection-params`, `svg-path`, `password-options`: one long line of many matches whose filters each
  read the line back to its start.
- `odbc-braces`: `Pwd={` repeated on one line, an ODBC brace that never closes.
- `servers-with-passwords`: 20,000 `server A.B.C.D password=X` lines: 40,000 findings, every line masked
  around a credential (attack 15d finding 05).
- `netrc-lines`: 30,000 `.netrc` entries, a secret finding each (attack 15e finding 08).
- `plain`: prose of the same size, the reference each case's time per MB is compared with.

Targets: no input under 2 MB takes more than 2 s, and each case's time per MB is within 3x that of
plain text of the same size. tests/adversarial_test.py runs small versions and checks the shape
(x4 input -> at most x5 time), not absolute times.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guard.rules import CONTENT_RULES  # noqa: E402
from guard.rules import RULES  # noqa: E402
from guard.scan.scanner import Document  # noqa: E402
from guard.scan.scanner import Scanner  # noqa: E402

MB = 1 << 20
WORDS = (
    'the',
    'scanner',
    'reads',
    'each',
    'file',
    'once',
    'and',
    'reports',
    'what',
    'it',
    'finds',
    'in',
    'order',
    'lines',
    'are',
    'short',
    'here',
    'as',
    'in',
    'most',
    'prose',
)


def deny_list(scale: float) -> str:
    count = max(1, int(40_000 * scale))
    return ''.join(f'deny {52 + i // 62500}.{i // 250 % 250}.{i % 250}.{i % 200 + 1};\n' for i in range(count))


def addresses_one_line(scale: float) -> str:
    """The deny list's 40,000 addresses on one line: every hit's context and allow check is on a 1 MB line."""
    count = max(1, int(40_000 * scale))
    return ' '.join(f'allow {52 + i // 62500}.{i // 250 % 250}.{i % 250}.{i % 200 + 1};' for i in range(count)) + '\n'


def _near_misses() -> list[str]:
    """Each rule's keywords followed by a value too short or malformed to match."""
    misses = []
    for rule in CONTENT_RULES:
        for keyword in rule.keywords:
            misses.append(f'{keyword}x= ')
    misses += ['1.2.3', '1.2.3.04', '::', 'a://b', '/home/', 'C:\\Users\\', '-----BEGIN', 'password=', 'AKIA', 'ghp_']
    return misses


def near_miss_line(scale: float) -> str:
    size = max(1024, int(MB * scale))
    unit = ' ; '.join(_near_misses()) + ' ; '  # `;` between them: no near-miss is the next one's value
    return 'host 192.168.86.42 ' + (unit * (size // len(unit) + 1))[:size] + '\n'


def near_miss_lines(scale: float) -> str:
    size = max(1024, int(MB * scale))
    unit = '\n'.join(_near_misses()) + '\n'
    return 'host 192.168.86.42\n' + (unit * (size // len(unit) + 1))[:size] + '\n'


def url_colons(scale: float) -> str:
    return 'host 192.168.86.42 ' + 'a://:' * max(1, int(MB * scale) // 5) + '\n'


def password_dots(scale: float) -> str:
    return 'host 192.168.86.42 ' + 'password.' * max(1, int(MB * scale) // 9) + '\n'


def password_spaces(scale: float) -> str:
    """A credential word, a run of spaces and a value with an address: every whitespace gap a pattern allows
    between a name and its operator was tried at every split (13 s for 20,000 spaces, issue 15)."""
    return (
        'password'
        + ' ' * max(1, int(MB * scale))
        + 'x 192.168.86.42\npassword'
        + ' ' * max(1, int(MB * scale))
        + ': x\n'
    )


def plain(size: int) -> str:
    out = []
    total = 0
    i = 0
    while total < size:
        line = ' '.join(WORDS[(i + k) % len(WORDS)] for k in range(12)) + '\n'
        out.append(line)
        total += len(line)
        i += 1
    return ''.join(out)[:size]


def curl_users(scale: float) -> str:
    """`curl -u ` repeated on one line: the command-line-password rule's options run rescanned the rest of the
    line from every `curl` (48 KB took 20 s, issue 15)."""
    return 'curl -u ' * max(1, int(MB * scale) // 8) + '\n'


def url_schemes(scale: float) -> str:
    """`a://` repeated, a URL scheme with nothing after it, with no finding at all (5 s per MB, issue 15)."""
    return 'a://' * max(1, int(MB * scale) // 4) + '\n'


def api_key_equals(scale: float) -> str:
    """`api_key=` repeated: each keyword read the 300 characters after it as a value (2.5 s per MB, issue 15)."""
    return 'api_key=' * max(1, int(MB * scale) // 8) + '\n'


def pw_colons(scale: float) -> str:
    """`pw:` repeated: the same with a YAML colon and a keyword every three characters (6 s per MB)."""
    return 'pw:' * max(1, int(MB * scale) // 3) + '\n'


def connection_params(scale: float) -> str:
    """`password=ab ` repeated on one line after a connection key: each match read its line back to the start
    and forward to the end to find the string's other keys."""
    return 'host=db ' + 'password=ab ' * max(1, int(MB * scale) // 12) + '\n'


def svg_path(scale: float) -> str:
    """One SVG path of dotted numbers that read as addresses: each read its line back to the start."""
    points = ' '.join(
        f'{10 + i % 80}.{i % 250}.{(i * 7) % 250}.{i % 200 + 1}' for i in range(max(1, int(MB * scale) // 16))
    )
    return f'<path d="M{points}"/>\n'


def servers_with_passwords(scale: float) -> str:
    """`server <address> password=<value>` lines (attack 15d finding 05): 40,000 findings, half of them secrets,
    each line masked in full around a credential (852 KB)."""
    count = max(1, int(20_000 * scale))
    return ''.join(
        f'server 10.{i // 250 % 250}.{i % 250}.{i % 200 + 1} password=Qz7k{i * 7919 % 1_000_000}xY\n'
        for i in range(count)
    )


def netrc_lines(scale: float) -> str:
    """30,000 `.netrc` entries on their lines (attack 15e finding 08): a secret finding each (1.3 MB)."""
    count = max(1, int(30_000 * scale))
    return ''.join(f'machine h{i}.internal login b password Qz7k{i * 7919 % 1_000_000}xY\n' for i in range(count))


def odbc_braces(scale: float) -> str:
    """`Pwd={` repeated on one line, a brace that never closes (attack 16 finding 14): each read 200 characters
    ahead and back for its value, braced and then not (1.9 MB took 4.7 s)."""
    return 'Pwd={' * max(1, int(MB * scale) // 5) + '\n'


def password_options(scale: float) -> str:
    """`--password word` repeated in one long comment line: each match read the line back to its start."""
    return '# ' + 'run --password secretword ' * max(1, int(MB * scale) // 26) + '\n'


CASES: dict[str, Callable[[float], str]] = {
    'deny-list': deny_list,
    'addresses-one-line': addresses_one_line,
    'near-miss-line': near_miss_line,
    'near-miss-lines': near_miss_lines,
    'url-colons': url_colons,
    'password-dots': password_dots,
    'password-spaces': password_spaces,
    'curl-users': curl_users,
    'url-schemes': url_schemes,
    'api-key-equals': api_key_equals,
    'pw-colons': pw_colons,
    'connection-params': connection_params,
    'svg-path': svg_path,
    'password-options': password_options,
    'odbc-braces': odbc_braces,
    'servers-with-passwords': servers_with_passwords,
    'netrc-lines': netrc_lines,
}


def scan_seconds(
    text: str,
    runs: int = 3,
    name: str = 'input.conf',
    clock: Callable[[], float] = time.perf_counter,
    jobs: int = 0,
) -> tuple[float, int]:
    """Best of `runs`: scan `text` as one file and write its text report; (seconds, findings).
    `clock`: wall time for the table; tests/adversarial_test.py passes process_time, which load from
    other processes on a shared machine does not inflate, with `jobs` 1 (a child's time is not the
    process's). `jobs`: cores a large document is judged on, 0 for every core as `guard scan` and the
    hooks use them (the `jobs` setting's default)."""
    from guard.report import text as text_report
    from guard.scan.engine import ScanResult

    scanner = Scanner(RULES, jobs=jobs or os.cpu_count() or 1)
    scanner.prepare()
    best = float('inf')
    count = 0
    import gc

    for _ in range(runs):
        gc.collect()  # the previous run's garbage is not this run's time
        start = clock()
        findings, _ = scanner.scan(Document(name, text))
        result = ScanResult('.')
        result.findings = findings
        result.files_scanned = 1
        result.bytes_scanned = len(text)
        text_report.write(result, io.StringIO())
        best = min(best, clock() - start)
        count = len(findings)
    return best, count


def baseline_cost(count: int) -> tuple[float, float, float, float]:
    """(seconds of `guard scan` with no baseline, with a baseline accepting `count` findings, of
    `guard baseline`, and with the baseline after one accepted password changed: issue 15c finding 13)
    on a tree of `count` files holding one password each (subprocesses)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for i in range(count):
            (root / f'settings_{i}.py').write_text(f'DB_PASSWORD = "Sunshine{i:06d}!xQ"\n')
        guard = [sys.executable, '-m', 'guard']

        def timed(*args: str) -> float:
            start = time.perf_counter()
            subprocess.run([*guard, *args], capture_output=True, check=False)
            return time.perf_counter() - start

        without = timed('scan', str(root))
        writing = timed('baseline', str(root))
        with_baseline = timed('scan', str(root))
        (root / 'settings_0.py').write_text('DB_PASSWORD = "Rotated000000!xQ"\n')
        one_changed = timed('scan', str(root))
    return without, with_baseline, writing, one_changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--scale', type=float, default=1.0, help='input size as a fraction of the full one')
    parser.add_argument('--runs', type=int, default=3, help='best of this many runs per case')
    parser.add_argument('--jobs', type=int, default=0, help='cores a large file is judged on (0: every core)')
    parser.add_argument(
        '--baseline',
        type=int,
        default=0,
        metavar='N',
        help='also time a scan with N baselined findings against the same scan without',
    )
    args = parser.parse_args(argv)
    rows = [
        '| case | size | findings | seconds | s/MB | x plain s/MB | under 2 s |',
        '|---|---:|---:|---:|---:|---:|---|',
    ]
    for name, build in CASES.items():
        text = build(args.scale)
        seconds, findings = scan_seconds(text, args.runs, jobs=args.jobs)
        reference, _ = scan_seconds(plain(len(text)), args.runs, 'plain.txt', jobs=args.jobs)
        size = len(text.encode('utf-8'))
        per_mb = seconds / (size / MB)
        ratio = seconds / reference if reference else float('inf')
        rows.append(
            f'| {name} | {size / 1024:,.0f} KB | {findings:,} | {seconds:.2f} | {per_mb:.2f} | {ratio:.1f} | '
            f'{"yes" if seconds <= 2 else "NO"} |'
        )
        print(rows[-1], file=sys.stderr, flush=True)
    print('\n'.join(rows))
    if args.baseline:
        without, with_baseline, writing, one_changed = baseline_cost(args.baseline)
        print(
            f'\n{args.baseline} baselined findings: scan {without:.2f} s without the baseline, '
            f'{with_baseline:.2f} s with it (+{with_baseline - without:.2f} s), {one_changed:.2f} s with one '
            f'accepted finding changed (+{one_changed - without:.2f} s); `guard baseline` {writing:.2f} s'
        )
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
