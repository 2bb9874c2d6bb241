"""Bytes to the text guard scans, the same way for every source: work tree, index and history."""
from __future__ import annotations

BINARY_SNIFF = 8000
BINARY = 'binary'


def decode(data: bytes) -> str | None:
    """Text for scanning, or None for binary. Undecodable bytes map 1:1 to characters (latin-1)."""
    if data.find(b'\0', 0, BINARY_SNIFF) >= 0:
        return None
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1')
