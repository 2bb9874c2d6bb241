"""Reading files for the scan: whole contents in one read, binary sniffing, what is skipped and why."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from guard.scan import sources
from guard.scan.sources import Skipped


@pytest.mark.parametrize('size', [0, 1, 4095, 4096, 65537, 1_500_000])
def test_the_whole_file_is_read(tmp_path: Path, size: int) -> None:
    content = ''.join(chr(ord('a') + i % 26) for i in range(size))
    (tmp_path / 'f.txt').write_text(content)
    assert sources.read_text(tmp_path, 'f.txt', 2_000_000) == content


@pytest.mark.parametrize(('data', 'expected'), [
    (b'x' * 7999 + b'\0', None),  # a NUL in the first 8,000 bytes: binary
    (b'x' * 8000 + b'\0', 'x' * 8000 + '\0'),  # later: text that happens to hold a NUL
    ('café'.encode(), 'café'),
    (b'caf\xe9', 'caf\xe9'),  # not UTF-8: latin-1, one character per byte, never an error
])
def test_decode(data: bytes, expected: str | None) -> None:
    assert sources.decode(data) == expected


def test_what_is_skipped_and_what_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / 'big.txt').write_text('x' * 101)
    (tmp_path / 'bin.dat').write_bytes(b'\0\1\2')
    (tmp_path / 'link').symlink_to(tmp_path / 'big.txt')
    os.mkfifo(tmp_path / 'fifo')
    assert sources.read_text(tmp_path, 'big.txt', 100) == Skipped('big.txt', 'larger than max-file-size (101 > 100 bytes)')
    assert sources.read_text(tmp_path, 'big.txt', 0) == 'x' * 101  # 0: no limit
    assert sources.read_text(tmp_path, 'bin.dat', 100) == Skipped('bin.dat', sources.BINARY)
    assert sources.read_text(tmp_path, 'link', 100) is None  # never followed
    assert sources.read_text(tmp_path, 'fifo', 100) is None  # opened without blocking, then left alone
    assert sources.read_text(tmp_path, 'gone.txt', 100) is None
