"""guard.git.spawn: subprocess.run's job for git, with real processes and pipes larger than their buffers."""

from __future__ import annotations

import signal
import sys

import pytest

from guard.git import spawn

BIG = bytes(range(256)) * 20_000  # 5 MB: far beyond a pipe's 64 KB buffer, both ways


def test_output_error_and_exit_code() -> None:
    done = spawn.run(['sh', '-c', 'echo out; echo err >&2; exit 3'])
    assert done == (3, b'out\n', b'err\n')


def test_large_input_and_output_at_once_do_not_deadlock() -> None:
    assert spawn.run(['cat'], input_bytes=BIG) == (0, BIG, b'')


def test_a_command_that_stops_reading_early_is_fine() -> None:
    assert spawn.run(['head', '-c', '10'], input_bytes=BIG) == (0, BIG[:10], b'')


def test_started_commands_run_while_the_caller_works_and_wait_is_idempotent() -> None:
    first = spawn.start(['sh', '-c', 'echo one'])
    second = spawn.start(['sh', '-c', 'echo two'])
    assert second.wait().stdout == b'two\n' and first.wait().stdout == b'one\n'
    assert first.wait() is first.wait()


def test_a_missing_program_raises_file_not_found() -> None:
    with pytest.raises(FileNotFoundError):
        spawn.run(['guard-no-such-program-here'])


def test_a_signal_is_a_negative_exit_code() -> None:
    assert spawn.run(['sh', '-c', 'kill -TERM $$']).returncode == -signal.SIGTERM


def test_the_child_inherits_only_the_standard_descriptors() -> None:
    listing = 'import os; print(sorted(int(fd) for fd in os.listdir("/proc/self/fd")))'
    with open(__file__, 'rb'):  # a descriptor the parent holds open meanwhile
        out = spawn.run([sys.executable, '-c', listing], input_bytes=b'').stdout
    # 0-2, plus the one listdir opens on /proc/self/fd itself.
    assert eval(out) == [0, 1, 2, 3]
