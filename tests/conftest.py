"""Fixtures every area shares: the Kemendagri region file from ../shared, read once per test session; English
messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pamong_edx.regions import load_regions

WILAYAH = Path(__file__).resolve().parents[2] / "shared" / "data" / "wilayah_2025.csv"
MAKE_ROSTER = WILAYAH.parents[1] / "tools" / "make_roster.py"

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


@pytest.fixture(scope="session")
def make_roster(tmp_path_factory):
    """make_roster(rows=, seed=, province=, messy=) -> path of the CSV the shared tool writes (cached)."""
    made: dict[tuple, Path] = {}
    folder = tmp_path_factory.mktemp("rosters")

    def make(rows: int, seed: int, province: str | None = None, messy: float = 0.0) -> Path:
        key = (rows, seed, province, messy)
        if key not in made:
            args = [sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed), "--messy", str(messy)]
            if province:
                args += ["--province", province]
            path = folder / f"roster-{rows}-{seed}-{province}-{messy}.csv"
            path.write_bytes(subprocess.run(args, check=True, capture_output=True).stdout)
            made[key] = path
        return made[key]

    return make
