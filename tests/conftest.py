"""Fixtures every area shares: the Kemendagri region file from ../shared, read once per test session; English
messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pamong_edx.regions import load_regions

WILAYAH = Path(__file__).resolve().parents[2] / "shared" / "data" / "wilayah_2025.csv"

# Messages in English whatever the machine's locale or a pamong.toml around says: tests read English output.
# Tests of the language choice set their own environment.
os.environ["PAMONG_LANG"] = "en"


@pytest.fixture(scope="session")
def wilayah() -> Path:
    if not WILAYAH.is_file():
        pytest.fail(f"region file {WILAYAH} is missing: these tests need ../shared/data/wilayah_2025.csv")
    return WILAYAH


@pytest.fixture(scope="session")
def regions(wilayah):
    return load_regions(wilayah)


@pytest.fixture(scope="session", autouse=True)
def cache_folder_of_the_session(tmp_path_factory):
    """The toolkit keeps caches in the user's cache folder (the parsed region file, ...); tests keep theirs in a
    temporary one."""
    folder = tmp_path_factory.mktemp("pamong-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("PAMONG_CACHE_DIR", str(folder))
    yield folder
    patch.undo()
