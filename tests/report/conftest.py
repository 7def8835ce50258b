"""Fixtures of the report tests: a small hand-computed case as two snapshots, and headless chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from small_case import take_small_case

CHROMIUM = Path("/usr/bin/chromium")


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


@pytest.fixture(scope="module")  # closed before another folder's tests start their own Playwright (one at a time)
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--headless=new", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()

