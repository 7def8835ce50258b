import subprocess
import sys
from pathlib import Path

import pytest


SHARED = Path(__file__).resolve().parents[3] / "shared"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"


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
