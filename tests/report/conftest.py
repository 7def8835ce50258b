"""Fixtures of the report tests: a small hand-computed case as two snapshots, and headless chromium."""

from __future__ import annotations

import pytest

from small_case import take_small_case



@pytest.fixture
def snapshots(tmp_path):
    from pamong_edx.report.snapshot import Snapshots

    with Snapshots(tmp_path / "state" / "report-snapshots.sqlite3") as snaps:
        yield snaps


@pytest.fixture
def small_case(snapshots):
    """The small case taken twice (the second time a4 and b2 have moved on); returns the Snapshots."""
    take_small_case(snapshots, second=False)
    take_small_case(snapshots, second=True)
    return snapshots


@pytest.fixture(scope="module")
def browser(chromium):
    """The session's one headless chromium (tests/conftest.py): Playwright's sync API allows one per thread."""
    return chromium

