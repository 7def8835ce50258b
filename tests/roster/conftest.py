import csv
import subprocess
import sys
from pathlib import Path

import pytest

from pamong_edx.regions import load_regions

SHARED = Path(__file__).resolve().parents[3] / "shared"
WILAYAH = SHARED / "data" / "wilayah_2025.csv"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
HEADER = ["nik", "nama", "email", "telepon", "jabatan", "kode_desa", "nama_desa"]


@pytest.fixture(scope="session")
def wilayah_path() -> Path:
    if not WILAYAH.is_file():
        pytest.fail(f"region file {WILAYAH} is missing: these tests need ../shared/data/wilayah_2025.csv")
    return WILAYAH


@pytest.fixture(scope="session")
def regions(wilayah_path):
    return load_regions(wilayah_path)


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


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# One real official, reused by tests that damage one field at a time. The NIK is made up but valid:
# kecamatan 18.71.01, born 15 (+40: a woman) August 1985, serial 0042.
GOOD = ["1871015508850042", "Siti Rahayu", "siti.rahayu@desa.example.id", "081234567890", "Kepala Desa",
        "18.71.01.1003", "Kedaton"]


def good(**changes: str) -> list[str]:
    row = dict(zip(HEADER, GOOD))
    row.update(changes)
    return [row[h] for h in HEADER]
