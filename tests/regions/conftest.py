from pathlib import Path

import pytest

from pamong_edx.regions import load_regions

# The shared reference data sits beside the repository (../shared from the repository root).
WILAYAH = Path(__file__).resolve().parents[3] / "shared" / "data" / "wilayah_2025.csv"


@pytest.fixture(scope="session")
def wilayah_path() -> Path:
    if not WILAYAH.is_file():
        pytest.fail(f"region file {WILAYAH} is missing: these tests need ../shared/data/wilayah_2025.csv")
    return WILAYAH


@pytest.fixture(scope="session")
def regions(wilayah_path):
    return load_regions(wilayah_path)
