"""Sizes as people read them, and the MiB the settings are written in."""

from __future__ import annotations

MIB = 1024 * 1024
_UNITS = ('B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB')


def human_size(size: float) -> str:
    """1536 -> '1.5 KiB'; one decimal below 100 of a unit, none above."""
    value = float(size)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            break
        value /= 1024
    if unit == 'B':
        return f'{int(value)} B'
    return f'{value:.1f} {unit}' if value < 100 else f'{value:.0f} {unit}'


def mib(size: float) -> float:
    return round(size / MIB, 1)
