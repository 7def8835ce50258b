"""Sizes as people write and read them: `5MB`, `750 KB`, `2MiB` in, `1.2 MB` out.

KB/MB/GB are powers of 1000 (as file managers and LMS upload limits count), KiB/MiB/GiB of 1024.
"""

from __future__ import annotations

import re

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_size(text: str) -> int | None:
    """`5MB`, `750 KB`, `2MiB` or a number of bytes, in bytes; None when it is not a size."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        return None
    number, unit = match.groups()
    return int(float(number) * _UNITS[(unit or "b").lower()])


def format_size(size: float) -> str:
    """`532 B`, `12.3 kB`, `4.5 MB`, `1.2 GB`: one decimal, powers of 1000."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{int(size)} B"
