"""Benchmark: what `guard watch` costs a server, and how quickly it reacts (issue 9).

    .venv/bin/python bench/daemon_bench.py                              # one round, ~3 min
    .venv/bin/python bench/daemon_bench.py --rounds 3 --output /tmp/daemon.md   # then merge into bench/RESULTS.md

Per round, on a fresh temporary root with guard's default [tool.guard.watch] timings:
- idle: the daemon's CPU time (its own and its waited children's, from /proc/PID/stat) over --idle
  seconds (60) on a quiet 24,000-file root (20,000 files in logs/, 4,000 in src/), and its RSS
  (VmRSS) at the end. Targets: < 0.5 % of one core, < 60 MB. The same idle figure on an empty
  root first, which separates the loop's own cost from the sweep's walk of the log paths.
- latency: --samples times, `pyvenv.cfg` appears in the root (a `python -m venv .`'s marker), then
  goes away; each time the alert command (the action) writes the wall clock. p50/p99 of
  trigger -> action over both directions. Target p99 < 1 s. The default debounce (0.5 s) is in it.
- storm: 100,000 files created in logs/ by a child process as fast as it can; then the same
  pollution trigger. "Absorbed" = the storm's last file to that trigger's alert; also the peak RSS
  (VmHWM) and the daemon's CPU seconds during the storm.
- sweep: the sweep's own work (`guard.daemon.sweep.take`: the root's entries and the sizes under the
  log paths) and a full rescan (`facts.gather` of every concern), timed in the bench venv on the
  24,000-file root: median of 20.

guard runs as users install it: a plain venv with `pip install` of a snapshot of this checkout
(not editable), built with hook_bench's helpers (~15 s, needs the package index). READY=1 arrives
on an AF_UNIX socket set as NOTIFY_SOCKET, as under systemd.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hook_bench import hook_venv  # noqa: E402  (bench/ is a folder of scripts, not a package)
from hook_bench import snapshot  # noqa: E402

TICK = os.sysconf('SC_CLK_TCK')
STORM_FILES = 100_000
ROOT_LOG_FILES, ROOT_SRC_FILES = 20_000, 4_000
CONFIG = """state-dir = "{state}"
[health]
checks = ["disk", "logs", "pollution"]
[alerts]
journal = false
command = 'echo "$GUARD_EVENT $(date +%s.%N)" >> {stamps}'
"""
SWEEP_CODE = """
import statistics, sys, time
from pathlib import Path
from guard import config as config_module
from guard.daemon import facts, sweep
root = Path(sys.argv[1])
config = config_module.load(root, config_file=Path(sys.argv[2]))
def median(fn):
    times = []
    for _ in range(20):
        started = time.perf_counter(); fn(); times.append(time.perf_counter() - started)
    return statistics.median(times)
print(median(lambda: sweep.take(root, config.health.log_paths)),
      median(lambda: facts.gather(config, root, set(facts.CONCERNS))))
"""


def fill(folder: Path, count: int, *, size: int = 64) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    payload = b'x' * size
    for i in range(count):
        sub = folder / f'd{i // 1000:03d}'
        if i % 1000 == 0:
            sub.mkdir(exist_ok=True)
        (sub / f'f{i:06d}.log').write_bytes(payload)


class Daemon:
    """`guard watch ROOT` from the bench venv, started as systemd would (NOTIFY_SOCKET, READY=1)."""

    def __init__(self, bin_dir: Path, root: Path, work: Path) -> None:
        self.root, self.stamps = root, work / 'stamps'
        config = work / 'guard.toml'
        config.write_text(CONFIG.format(state=work / 'state', stamps=self.stamps))
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        (work / 'notify.sock').unlink(missing_ok=True)
        self.notify.bind(str(work / 'notify.sock'))
        self.notify.settimeout(120)
        env = {k: v for k, v in os.environ.items() if not k.startswith('GUARD_')}
        env['NOTIFY_SOCKET'] = str(work / 'notify.sock')
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(bin_dir / 'guard'), 'watch', str(root), '--config', str(config)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / 'stderr', 'wb'),
        )
        while b'READY=1' not in self.notify.recv(4096):
            pass
        self.startup = time.monotonic() - started
        # Read on as systemd does: a full datagram queue would block the daemon's next STATUS=.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        self.notify.settimeout(None)
        try:
            while self.notify.recv(4096):
                pass
        except OSError:  # closed by stop()
            pass

    def cpu(self) -> float:
        fields = Path(f'/proc/{self.process.pid}/stat').read_text().rsplit(')', 1)[1].split()
        return sum(int(v) for v in fields[11:15]) / TICK  # utime stime cutime cstime

    def memory(self, key: str) -> float:
        for line in Path(f'/proc/{self.process.pid}/status').read_text().splitlines():
            if line.startswith(key + ':'):
                return int(line.split()[1]) / 1024
        return 0.0

    def actions(self) -> list[float]:
        return [float(line.split()[1]) for line in self.stamps.read_text().splitlines()] if self.stamps.exists() else []

    def trigger(self, timeout: float = 120) -> float:
        """Add or remove pyvenv.cfg; seconds until the alert command ran."""
        before = len(self.actions())
        marker = self.root / 'pyvenv.cfg'
        started = time.time()
        if marker.exists():
            marker.unlink()
        else:
            marker.write_text('home = /usr/bin\n')
        deadline = time.monotonic() + timeout
        while len(self.actions()) == before:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f'no action {timeout:g} s after the trigger (daemon exit {self.process.poll()})')
            time.sleep(0.005)
        return self.actions()[before] - started

    def stop(self) -> int:
        self.process.terminate()
        code = self.process.wait(10)
        self.notify.shutdown(socket.SHUT_RDWR)
        self.notify.close()
        return code


def idle_cpu(daemon: Daemon, seconds: float) -> float:
    """% of one core the daemon used while nothing happened, once it has settled."""
    daemon.trigger()
    daemon.trigger()  # settled: a first action and its recovery are behind it
    cpu = daemon.cpu()
    time.sleep(seconds)
    return (daemon.cpu() - cpu) / seconds * 100


def one_round(bin_dir: Path, work: Path, args: argparse.Namespace) -> dict[str, float]:
    root = work / 'root'
    root.mkdir()
    # First on an empty root: what the loop, its timers and the watchdog cost without the sweep's walk.
    empty = Daemon(bin_dir, root, work)
    result = {'idle CPU % (empty root)': idle_cpu(empty, args.idle)}
    empty.stop()
    (root / 'pyvenv.cfg').unlink(missing_ok=True)
    fill(root / 'logs', ROOT_LOG_FILES)
    fill(root / 'src', ROOT_SRC_FILES)
    daemon = Daemon(bin_dir, root, work)
    result['startup s'] = daemon.startup
    try:
        result['idle CPU %'] = idle_cpu(daemon, args.idle)
        result['RSS MB'] = daemon.memory('VmRSS')
        latencies = [daemon.trigger() for _ in range(args.samples)]
        result['latency p50 s'] = statistics.median(latencies)
        result['latency p99 s'] = statistics.quantiles(latencies, n=100, method='inclusive')[98]
        result['latency max s'] = max(latencies)
        cpu = daemon.cpu()
        started = time.monotonic()
        fill(root / 'logs' / 'storm', args.storm_files, size=0)
        result['storm creation s'] = time.monotonic() - started
        result['storm absorbed s'] = daemon.trigger(timeout=600)
        result['storm CPU s'] = daemon.cpu() - cpu
        result['peak RSS MB'] = daemon.memory('VmHWM')
    finally:
        result['exit code'] = daemon.stop()
    for path in (root / 'logs' / 'storm',):
        subprocess.run(['rm', '-rf', str(path)], check=True)
    take, gather = subprocess.run(
        [str(bin_dir / 'python'), '-c', SWEEP_CODE, str(root), str(work / 'guard.toml')],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    result['sweep ms'] = float(take) * 1000
    result['full rescan ms'] = float(gather) * 1000
    return result


def table(rounds: list[dict[str, float]]) -> str:
    lines = [
        '| measure | ' + ' | '.join(f'round {i + 1}' for i in range(len(rounds))) + ' | median |',
        '|---|' + '---:|' * (len(rounds) + 1),
    ]
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        lines.append(f'| {key} | ' + ' | '.join(f'{v:.3g}' for v in values) + f' | {statistics.median(values):.3g} |')
    return '\n'.join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=1)
    parser.add_argument('--idle', type=float, default=60.0, help='seconds of idle CPU measurement (60)')
    parser.add_argument('--samples', type=int, default=30, help='trigger -> action samples per round (30)')
    parser.add_argument(
        '--storm-files',
        type=int,
        default=STORM_FILES,
        help=f'files in the storm ({STORM_FILES:,}; fewer only to check the bench runs)',
    )
    parser.add_argument('--output', type=Path, help='also write the table here')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='guard-daemon-bench.') as tmp:
        work = Path(tmp)
        bin_dir = hook_venv(work, snapshot(work))
        rounds = []
        for i in range(args.rounds):
            round_dir = work / f'round{i}'
            round_dir.mkdir()
            rounds.append(one_round(bin_dir, round_dir, args))
            print(f'round {i + 1}: ' + ', '.join(f'{k} {v:.3g}' for k, v in rounds[-1].items()), flush=True)
    text = table(rounds)
    print(text)
    if args.output:
        args.output.write_text(text + '\n')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
