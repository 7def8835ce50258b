"""Parsing of the value formats course.yaml uses: dates, sizes, tolerances."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_datetime(text: str) -> datetime | None:
    """`2026-01-05` (00:00 UTC), or an ISO 8601 date-time (without an offset: UTC); as UTC, or None."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0, 0), tzinfo=timezone.utc)
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_size(text: str) -> int | None:
    """`5MB`, `750 KB`, `2MiB` or a number of bytes; KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        return None
    number, unit = match.groups()
    return int(float(number) * _UNITS[(unit or "b").lower()])


def parse_tolerance(text: str) -> tuple[float, bool] | None:
    """`0.5` (absolute) or `1%` (of the answer): (value, is_percent), or None when not a number."""
    text = text.strip()
    percent = text.endswith("%")
    try:
        value = float(text[:-1] if percent else text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value, percent
