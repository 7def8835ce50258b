"""Parsing of the value formats course.yaml uses: dates, sizes, tolerances."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from pamong_edx.units import parse_size

__all__ = ["parse_datetime", "parse_size", "parse_tolerance"]


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
