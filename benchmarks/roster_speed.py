"""Roster check speed and memory, each against a baseline measured alternately in the same process tree.

    .venv/bin/python benchmarks/roster_speed.py
    .venv/bin/python benchmarks/roster_speed.py --pairs 11 --keep /tmp/roster-bench

What it prints (goals from issue 18, on a 2-core machine):

    roster check, 100,000-row CSV, CPU time / a bare csv.reader pass over the same file    <= 6x
    roster check, 1,000,000-row CSV, peak RSS                                               <= 100 MB, flat
    roster check, 100,000-row XLSX, CPU time / calamine reading the same sheet              (reported)
    region file load, 91,599 rows                                                           (reported)

Rosters come from ../shared/tools/make_roster.py (the national roster, --seed 1); the XLSX roster is the
100,000-row CSV written with openpyxl under a title row, every 1,000th NIK as a number cell (the check must
flag exactly those as R112). Generating the files is not measured.

Every measurement is a child process (`python -m pamong_edx roster check ... --json`), timed by its own
rusage (os.wait4: user + system CPU, peak RSS). A ratio is measured pair by pair: baseline, then check, then
the next pair, so both sides of a pair see the same machine load; min, median and max over the pairs are
printed. The children run as an installed toolkit does, with Python's bytecode cache and the toolkit's cache
folder (kept in the work folder; one warm-up run before the pairs fills both), so neither module compilation
nor the first parse of the region file is counted.
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
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
WILAYAH = SHARED / "data" / "wilayah_2025.csv"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
NUMERIC_NIK_EVERY = 1000
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # + PAMONG_CACHE_DIR below

CSV_PASS = "import csv, sys\nfor row in csv.reader(open(sys.argv[1], newline='', encoding='utf-8')): pass"
CALAMINE_PASS = ("import sys\nfrom python_calamine import CalamineWorkbook\n"
                 "book = CalamineWorkbook.from_path(sys.argv[1])\n"
                 "for row in book.get_sheet_by_name(book.sheet_names[0]).iter_rows(): pass")


@dataclass
class Run:
    cpu: float  # user + system seconds
    wall: float
    rss_mb: float  # peak resident set
    stdout: bytes


def run(command: list[str], ok_codes: tuple[int, ...] = (0,)) -> Run:
    """One child process, measured by its own rusage (not its siblings')."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=CHILD_ENV)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code not in ok_codes:
            sys.exit(f"{' '.join(command)} failed ({code}): {err.read().decode(errors='replace')}")
        return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, out.read())


def alternate(baseline: list[str], measured: list[str], pairs: int, ok_codes: tuple[int, ...] = (0,)
              ) -> tuple[list[Run], list[Run]]:
    """Run baseline and measured alternately, pair by pair, after one warm-up of each."""
    run(baseline)
    run(measured, ok_codes)
    base, meas = [], []
    for _ in range(pairs):
        base.append(run(baseline))
        meas.append(run(measured, ok_codes))
    return base, meas


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return (f"min {fmt.format(min(values))}, median {fmt.format(statistics.median(values))}, "
            f"max {fmt.format(max(values))}")


def verdict(value: float, goal: float) -> str:
    return "meets the goal" if value <= goal else "OVER THE GOAL"


def check_command(roster: Path, results: Path) -> list[str]:
    return [sys.executable, "-m", "pamong_edx", "roster", "check", str(roster), "--regions", str(WILAYAH),
            "-o", str(results), "--json"]


def make_csv(path: Path, rows: int, seed: int = 1) -> Path:
    if not path.exists():
        with open(path, "wb") as out:
            subprocess.run([sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed)],
                           stdout=out, check=True)
    return path


def make_xlsx(source: Path, path: Path) -> int:
    """The CSV roster as XLSX below a title row; returns how many NIKs were written as number cells."""
    from openpyxl import Workbook

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000, help="rows of the CSV and XLSX rosters for the ratios")
    ap.add_argument("--large-rows", type=int, default=1_000_000, help="rows of the memory run")
    ap.add_argument("--pairs", type=int, default=7, help="alternating pairs per ratio")
    ap.add_argument("--skip-xlsx", action="store_true", help="leave out the XLSX ratio")
    ap.add_argument("--keep", type=Path, help="keep (and reuse) the generated rosters in this folder")
    a = ap.parse_args()
    if not WILAYAH.is_file() or not MAKE_ROSTER.is_file():
        sys.exit(f"need {WILAYAH} and {MAKE_ROSTER} (../shared beside the repository)")
    if a.keep:
        a.keep.mkdir(parents=True, exist_ok=True)
        measure(a, a.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="roster-bench-") as work:
            measure(a, Path(work))


def measure(a: argparse.Namespace, work: Path) -> None:
    CHILD_ENV["PAMONG_CACHE_DIR"] = str(work / "cache")  # the children's caches (the parsed region file) stay here
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, files in {work}")

    load = [sys.executable, "-c", "import sys\nfrom pamong_edx.regions import load_regions\n"
            "assert len(load_regions(sys.argv[1])) == 91_599", str(WILAYAH)]
    base, meas = alternate([sys.executable, "-c", "pass"], load, a.pairs)
    print(f"region file load, 91,599 rows (CPU beyond `python -c pass`): "
          f"{spread([m.cpu - b.cpu for b, m in zip(base, meas)], '{:.3f} s')}")

    roster = make_csv(work / f"roster-{a.rows}.csv", a.rows)
    base, meas = alternate([sys.executable, "-c", CSV_PASS, str(roster)],
                           check_command(roster, work / "results.csv"), a.pairs, ok_codes=(0, 1))
    summary = json.loads(meas[-1].stdout)
    assert summary["rows"] == a.rows, summary
    ratios = [m.cpu / b.cpu for b, m in zip(base, meas)]
    print(f"roster check, {a.rows:,}-row CSV, CPU / csv.reader pass: {spread(ratios, '{:.2f}x')}  "
          f"(goal <= 6x: median {verdict(statistics.median(ratios), 6)})")
    print(f"    check {spread([m.cpu for m in meas], '{:.3f} s')}; csv.reader pass "
          f"{spread([b.cpu for b in base], '{:.3f} s')}; check peak RSS {statistics.median(m.rss_mb for m in meas):.0f} MB; "
          f"{summary['error']} error rows")

    large = make_csv(work / f"roster-{a.large_rows}.csv", a.large_rows)
    runs = [run(check_command(large, work / "results-large.csv"), ok_codes=(0, 1)) for _ in range(2)]
    baseline = run([sys.executable, "-c", CSV_PASS, str(large)])
    summary = json.loads(runs[-1].stdout)
    assert summary["rows"] == a.large_rows, summary
    small_rss = statistics.median(m.rss_mb for m in meas)
    large_rss = max(r.rss_mb for r in runs)
    per_100k = (large_rss - small_rss) / max((a.large_rows - a.rows) / 100_000, 1)
    print(f"roster check, {a.large_rows:,}-row CSV, peak RSS {large_rss:.0f} MB  (goal <= 100 MB: "
          f"{verdict(large_rss, 100)}); {a.rows:,} rows: {small_rss:.0f} MB, so {per_100k:.1f} MB per 100,000 "
          f"rows more (the duplicate indexes); csv.reader pass {baseline.rss_mb:.0f} MB; check CPU "
          f"{spread([r.cpu for r in runs], '{:.2f} s')}, csv.reader pass {baseline.cpu:.2f} s")

    if a.skip_xlsx:
        return
    xlsx = work / f"roster-{a.rows}.xlsx"
    numeric = make_xlsx(roster, xlsx) if not xlsx.exists() else a.rows // NUMERIC_NIK_EVERY
    base, meas = alternate([sys.executable, "-c", CALAMINE_PASS, str(xlsx)],
                           check_command(xlsx, work / "results-xlsx.csv"), max(a.pairs // 2, 3), ok_codes=(0, 1))
    summary = json.loads(meas[-1].stdout)
    flagged = summary["errors_by_kind"].get("R112 nik-excel-damaged", 0)
    assert summary["rows"] == a.rows and flagged == numeric, summary
    ratios = [m.cpu / b.cpu for b, m in zip(base, meas)]
    print(f"roster check, {a.rows:,}-row XLSX, CPU / calamine reading the sheet: {spread(ratios, '{:.2f}x')}; "
          f"check {spread([m.cpu for m in meas], '{:.2f} s')}, peak RSS "
          f"{statistics.median(m.rss_mb for m in meas):.0f} MB; {flagged} of {numeric} number-cell NIKs flagged R112")


if __name__ == "__main__":
    main()
