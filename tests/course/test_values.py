"""Value formats of course.yaml: dates, sizes, tolerances."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pamong_edx.course.values import parse_datetime, parse_size, parse_tolerance

UTC = timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2026-01-05", datetime(2026, 1, 5, tzinfo=UTC)),
    ("2026-01-05T08:00:00+07:00", datetime(2026, 1, 5, 1, tzinfo=UTC)),
    ("2026-01-05T08:00:00Z", datetime(2026, 1, 5, 8, tzinfo=UTC)),
    ("2026-01-05 08:00:00", datetime(2026, 1, 5, 8, tzinfo=UTC)),
    ("2026-13-45", None), ("besok", None), ("", None),
])
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("5MB", 5_000_000), ("750 KB", 750_000), ("2MiB", 2 * 1024 * 1024), ("1.5gb", 1_500_000_000),
    ("1024", 1024), ("10 B", 10), ("5 MBs", None), ("lima MB", None), ("-1MB", None),
])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("0.5", (0.5, False)), ("1%", (1.0, True)), ("2.5 %", (2.5, True)), ("banyak", None), ("nan", None), ("%", None),
])
def test_parse_tolerance(text, expected):
    assert parse_tolerance(text) == expected
