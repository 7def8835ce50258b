"""Sizes in and out: the one parser and formatter every command uses."""

from __future__ import annotations

import pytest

from pamong_edx.units import format_size, parse_size


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (123_456, "123.5 kB"), (5_000_000, "5.0 MB"),
    (2_500_000_000, "2.5 GB"), (1_500_000_000_000, "1500.0 GB"),
])
def test_format_size(size, text):
    assert format_size(size) == text


def test_parse_and_format_agree():
    assert parse_size(format_size(5_000_000).replace(" ", "")) == 5_000_000
    assert parse_size("2MiB") == 2 * 1024 * 1024 and parse_size("lima") is None
