"""Roster speed and memory: the region load, and `pamong roster check` on large rosters.

    /work/venv/bin/python benchmarks/roster_speed.py
    /work/venv/bin/python benchmarks/roster_speed.py --large-rows 200000 --keep /tmp/roster-bench

Rosters come from ../shared/tools/make_roster.py (the national roster, --seed 1); the XLSX roster is the
100,000-row one written with openpyxl (write_only) under a title row, every 1,000th NIK as a number cell,
so the check must flag exactly those as Excel damage. Each check runs as a child process, `python -m
pamong_edx roster check ... --json`, timed on the wall clock with its own peak RSS (os.wait4). Generating
the files is not timed. Targets on a 2-core machine:

    load the 91,599-row region file        <= 1 s
    100,000-row CSV checked                 <= 3 s
    1,000,000-row CSV checked, peak RSS     <= 250 MB
    100,000-row XLSX checked                <= 15 s
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from pamong_edx.regions import load_regions

SHARED = Path(__file__).resolve().parents[2] / "shared"
WILAYAH = SHARED / "data" / "wilayah_2025.csv"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
NUMERIC_NIK_EVERY = 1000


def make_csv(path: Path, rows: int, seed: int = 1) -> Path:
    if not path.exists():
        with open(path, "wb") as out:
            subprocess.run([sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed)],
                           stdout=out, check=True)
    return path


def make_xlsx(source: Path, path: Path) -> int:
    """The CSV roster as XLSX below a title row; returns how many NIKs were written as number cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Perangkat Desa")
    sheet.append(["Daftar perangkat desa (benchmark)"])
    numeric = 0
    with open(source, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        sheet.append(next(reader))
        for i, row in enumerate(reader):
            if i % NUMERIC_NIK_EVERY == 0:
                row[0] = int(row[0])  # what Excel makes of a NIK typed into a General cell
                numeric += 1
            sheet.append(row)
    book.save(path)
    return numeric


def run_check(roster: Path, results: Path) -> tuple[float, float, dict]:
    """(wall seconds, peak RSS in MB, JSON summary) of one `pamong roster check` child process."""
    command = [sys.executable, "-m", "pamong_edx", "roster", "check", str(roster), "--regions", str(WILAYAH),
               "-o", str(results), "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not all children's
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        exit_code = os.waitstatus_to_exitcode(status)
        if exit_code not in (0, 1):  # 1: the roster has error rows, which is a finding, not a failure
            sys.exit(f"check of {roster} failed ({exit_code}): {err.read().decode(errors='replace')}")
        return seconds, usage.ru_maxrss / 1024, json.load(out)  # ru_maxrss is in KiB on Linux


def region_load_seconds(repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        regions = load_regions(WILAYAH)
        times.append(time.perf_counter() - start)
        assert len(regions) == 91_599
    return times


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER TARGET"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000, help="rows of the CSV and XLSX rosters")
    ap.add_argument("--large-rows", type=int, default=1_000_000, help="rows of the memory run")
    ap.add_argument("--keep", type=Path, help="keep (and reuse) the generated rosters in this folder")
    a = ap.parse_args()
    if not WILAYAH.is_file() or not MAKE_ROSTER.is_file():
        sys.exit(f"need {WILAYAH} and {MAKE_ROSTER} (../shared beside the repository)")

    if a.keep:
        a.keep.mkdir(parents=True, exist_ok=True)
        run(a, a.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="roster-bench-") as work:
            run(a, Path(work))


def run(a: argparse.Namespace, work: Path) -> None:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, files in {work}")

    loads = region_load_seconds(5)
    print(f"region file load, 91,599 rows:      min {min(loads):.3f} s, median {statistics.median(loads):.3f} s"
          f"  (target 1 s: {verdict(statistics.median(loads), 1.0)})")

    roster = make_csv(work / f"roster-{a.rows}.csv", a.rows)
    seconds, rss, summary = run_check(roster, work / "results-csv.csv")
    assert summary["rows"] == a.rows, summary
    print(f"CSV {a.rows:,} rows checked:        {seconds:.2f} s, {a.rows / seconds:,.0f} rows/s, "
          f"peak RSS {rss:.0f} MB  (target 3 s: {verdict(seconds, 3.0)}; {summary['error']} error rows)")

    large = make_csv(work / f"roster-{a.large_rows}.csv", a.large_rows)
    seconds, rss, summary = run_check(large, work / "results-large.csv")
    assert summary["rows"] == a.large_rows, summary
    print(f"CSV {a.large_rows:,} rows checked:      {seconds:.2f} s, {a.large_rows / seconds:,.0f} rows/s, "
          f"peak RSS {rss:.0f} MB  (target 250 MB: {verdict(rss, 250)}; {summary['error']} error rows)")

    xlsx = work / f"roster-{a.rows}.xlsx"
    numeric = make_xlsx(roster, xlsx)
    seconds, rss, summary = run_check(xlsx, work / "results-xlsx.csv")
    flagged = summary["errors_by_kind"].get("R112 nik-excel-damaged", 0)
    assert summary["rows"] == a.rows and flagged == numeric, summary
    print(f"XLSX {a.rows:,} rows checked:       {seconds:.2f} s, {a.rows / seconds:,.0f} rows/s, "
          f"peak RSS {rss:.0f} MB  (target 15 s: {verdict(seconds, 15.0)}; "
          f"{flagged} of {numeric} number-cell NIKs flagged R112)")


if __name__ == "__main__":
    main()
