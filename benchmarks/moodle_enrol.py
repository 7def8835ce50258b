"""Enrolment into the Moodle stand-in, over HTTP, as an operator would run `pamong enrol` with a Moodle profile.

    .venv/bin/python benchmarks/moodle_enrol.py                              # a province: 5,000 rows of Lampung
    .venv/bin/python benchmarks/moodle_enrol.py --rows 100000 --province all  # national: 100,000 rows, 514 cohorts
    .venv/bin/python benchmarks/moodle_enrol.py --latency 30                 # as over a real network

1. A roster (`make_roster.py --rows N --seed 7 --messy 0.05 [--province P]`) into one course with a system
   cohort per kabupaten. One official already has a hand-made Moodle account under the same email in other
   letter case, so that record's account batch is refused. Prints wall time, peak RSS of the command (target
   at 100,000 rows: <= 200 MB), HTTP requests per 1,000 officials (target <= 35, national and province alike),
   writes, requests by web-service function, accounts created, and what became of the refused record
   (target: only that row fails, with the reason).
2. The same command again: requests and writes (target 0), and its peak RSS (target: no more than the first).

Nearly all the requests are account creations: a new account takes about 21 POST fields (names, email,
username, the password request, the user fields, the country and six custom profile fields), so one call of
a stock site's max_input_vars (1,000) creates 47, about 21 calls per 1,000 officials. Looking them up,
enrolling them and putting them in their cohorts adds about 9 more (1, 3 and 4 fields each); the rest is
per job (site info, the course, the cohorts: as many per call as fit).

The stand-in runs in its own process (`pamong sandbox --lms moodle`), the engine in another.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
WILAYAH = SHARED / "data" / "wilayah_2025.csv"
TOKEN = "0123456789abcdef0123456789abcdef"


class StandIn:
    def __init__(self, data: Path, latency_ms: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pamong_edx", "sandbox", "--lms", "moodle", "--port", "0", "--data", str(data),
             "--token", TOKEN, "--latency", str(latency_ms)], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.process.kill()
            raise SystemExit(f"the stand-in did not start: {line!r}")
        self.url = match.group(1)

    def stats(self) -> dict:
        return requests.get(self.url + "/__sandbox__/stats", timeout=10).json()

    def reset_stats(self) -> None:
        requests.post(self.url + "/__sandbox__/stats/reset", timeout=10).raise_for_status()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def run_enrol(env: dict, roster: Path, results: Path, workers: int) -> tuple[dict, float, float]:
    command = [sys.executable, "-m", "pamong_edx", "enrol", str(roster), "--course", "DESA101", "--cohort-by",
               "kabupaten", "--profile", "bench", "--json", "--workers", str(workers), "-o", str(results)]
    out_path = results.with_suffix(".out")
    started = time.perf_counter()
    with out_path.open("w") as out_file:
        process = subprocess.Popen(command, env=env, stdout=out_file, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    return json.loads(out_path.read_text(encoding="utf-8")), wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.0, help="latency the stand-in adds to each request, ms")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--province", default="18", help="province code of the roster, or 'all' for a national one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pamong-moodle-bench-") as tmp:
        work = Path(tmp)
        roster = work / "roster.csv"
        with roster.open("w", encoding="utf-8") as out:
            where = ["--province", args.province] if args.province != "all" else []
            subprocess.run([sys.executable, str(MAKE_ROSTER), "--rows", str(args.rows), "--seed", "7", "--messy",
                            "0.05", *where], check=True, stdout=out)
        with roster.open(encoding="utf-8") as handle:
            victim = next(row for row in csv.DictReader(handle) if "@" in row["email"] and row["nik"].isdigit())
        stand_in = StandIn(work / "moodle", args.latency)
        try:
            (work / "pamong.toml").write_text(
                f'[profiles.bench]\nlms = "moodle"\nlms_url = "{stand_in.url}"\nclient_secret_env = "BENCH_TOKEN"\n',
                encoding="utf-8")
            requests.post(stand_in.url + "/__sandbox__/users", timeout=10, json={
                "username": "dibuat.manual", "email": victim["email"].upper()}).raise_for_status()
            env = {**os.environ, "PAMONG_CONFIG": str(work / "pamong.toml"), "BENCH_TOKEN": TOKEN,
                   "PAMONG_STATE_DIR": str(work / "state"), "PAMONG_REGIONS": str(WILAYAH), "PAMONG_PROFILE": ""}
            stand_in.reset_stats()
            report, wall, rss = run_enrol(env, roster, work / "results.csv", args.workers)
            stats = stand_in.stats()
            with (work / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
                lines = list(csv.DictReader(handle))
            failed = [line for line in lines if line["status"] == "failed"]
            enrolled = report["operations"].get("enrol", {}).get("enrolled", 0)
            print(f"pamong enrol, {args.rows:,} rows into the Moodle stand-in (latency {args.latency:g} ms, "
                  f"{args.workers} workers)")
            print(f"  wall {wall:.1f} s · peak RSS {rss:.0f} MB (target at 100,000 rows <= 200 MB) · {enrolled:,} "
                  f"enrolled · {report['rows_with_errors']:,} rows rejected by the roster check")
            print(f"  accounts: {report.get('accounts', {})} · cohorts created: {report['cohorts_created']}")
            print(f"  HTTP requests: {stats['total']:,} = {stats['total'] * 1000 / max(enrolled, 1):.1f} per 1,000 "
                  f"officials (target <= 35) · writes: {report['writes']:,}")
            for key, n in sorted(stats["requests"].items(), key=lambda kv: -kv[1]):
                print(f"    {n:6,}  {key.split('wsfunction=')[-1]}")
            print(f"  refused records: {len(failed)} (target 1: the hand-made account)")
            for line in failed:
                print(f"    row {line['row']} {line['email']}: {line['message'][:160]}")
            inputs = requests.get(stand_in.url + "/__sandbox__/inputs", timeout=10).json()
            print(f"  largest request: {inputs['largest']} POST fields (max_input_vars 1000); "
                  f"requests cut by PHP: {inputs['cut_requests']}")
            stand_in.reset_stats()
            again, wall, again_rss = run_enrol(env, roster, work / "results.csv", args.workers)
            print(f"re-run: {stand_in.stats()['total']} requests, {again['writes']} writes (target 0) in {wall:.1f} s; "
                  f"peak RSS {again_rss:.0f} MB (target: no more than the first run's {rss:.0f} MB)")
        finally:
            stand_in.close()


if __name__ == "__main__":
    main()
