"""Enrolment speed against the stand-in Open edX, over HTTP, as an operator would run `pamong enrol`.

    .venv/bin/python benchmarks/enrol_speed.py                       # the full set (about 4 minutes)
    .venv/bin/python benchmarks/enrol_speed.py --rows 20000 --parts wave,naive   # a quicker look
    .venv/bin/python benchmarks/enrol_speed.py --parts throttle                  # the throttle alone

1. A national wave: `make_roster.py --rows 100000 --seed 1` into one course with a cohort per kabupaten,
   30 ms injected latency, the stand-in's throttle off (`--rate off` on the client). Prints HTTP requests per
   1,000 enrolments against the floor for that roster (target <= 1.05 x the floor), wall time of the whole
   command (target <= 60 s) and its peak RSS (target <= 300 MB).

   The floor is the fewest requests any client could make for the roster, given what the platform offers:
   a token (1); the course's cohort list (1 page for a fresh course), because creating a name that exists is
   a 500; cohorts switched on for a course that has none (1); each missing cohort created, one per POST (the
   API creates one at a time); and bulk enrol calls, each carrying one cohort per course and at most
   `--batch-size` identifiers (the platform's advice: 100, as the call is synchronous), so ceil(n / batch size)
   for the n officials of each cohort. Reading the caller's identity first is a choice (one clear error before
   anything is sent), not part of the floor.
2. The same command again: writes on an immediate re-run (target 0).
3. A naive client on a 2,000-row sample of the same roster, in the same stand-in: one enrolment call per
   official, in order, creating each cohort when it first needs it. Prints the speed-up of the engine per
   official (target >= 50x).
4. The throttle on (Open edX staff rate, 120/minute) and the client's default rate: a one-province roster
   whose job lasts about a minute. Prints the achieved rate of throttled requests as a fraction of the allowed
   rate (target >= 0.9) and the 429s received (target 0).

The stand-in runs in its own process, the engine in another (`python -m pamong_edx enrol`), so neither
competes with the other for the interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

from pamong_edx.lms.openedx import OpenEdxBackend
from pamong_edx.lms.protocol import PackageInfo

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
WILAYAH = SHARED / "data" / "wilayah_2025.csv"
SECRET = "bench-secret-not-a-real-one"
SERVER_RATE = 120 / 60  # the stand-in's staff throttle, requests per second
COURSE, NAIVE_COURSE, THROTTLE_COURSE = (f"course-v1:Kemendagri+{n}+2025" for n in ("WAVE", "NAIVE", "THROTTLE"))


def make_roster(path: Path, rows: int, seed: int, province: str | None = None) -> Path:
    args = [sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed)]
    if province:
        args += ["--province", province]
    with path.open("w", encoding="utf-8") as out:
        subprocess.run(args, check=True, stdout=out)
    return path


class StandIn:
    """`pamong sandbox` in its own process."""

    def __init__(self, data: Path, latency_ms: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pamong_edx", "sandbox", "--port", "0", "--data", str(data), "--no-throttle",
             "--latency", str(latency_ms), "--client-secret", SECRET, "--import-step", "0"],
            stdout=subprocess.PIPE, text=True,
        )
        line = self.process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.process.kill()
            raise SystemExit(f"the stand-in did not start: {line!r}")
        self.url = match.group(1)
        self.client_id = requests.get(self.url + "/__sandbox__/credentials", timeout=10).json()[0]["client_id"]

    def configure(self, **changes: object) -> None:
        requests.post(self.url + "/__sandbox__/config", json=changes, timeout=10).raise_for_status()

    def stats(self) -> dict:
        return requests.get(self.url + "/__sandbox__/stats", timeout=10).json()

    def reset_stats(self) -> None:
        requests.post(self.url + "/__sandbox__/stats/reset", timeout=10).raise_for_status()

    def backend(self) -> OpenEdxBackend:
        return OpenEdxBackend(self.url, self.client_id, SECRET, timeout=60)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def run_enrol(env: dict, roster: Path, course: str, *extra: str) -> tuple[dict, float, float]:
    """`pamong enrol` in a child process: its JSON summary, wall seconds and peak RSS in MB."""
    command = [sys.executable, "-m", "pamong_edx", "enrol", str(roster), "--course", course, "--cohort-by",
               "kabupaten", "--profile", "bench", "--json", *extra]
    work = Path(env["PAMONG_STATE_DIR"]).parent
    out_path, err_path = work / "enrol.out", work / "enrol.err"
    started = time.perf_counter()
    with out_path.open("w") as out_file, err_path.open("w") as err_file:
        process = subprocess.Popen(command, env=env, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(process.pid, 0)  # reaps the child with its own resource usage
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    out = out_path.read_text(encoding="utf-8")
    if not out.strip():
        raise SystemExit(f"pamong enrol printed no summary: {err_path.read_text(encoding='utf-8').strip()}")
    rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return json.loads(out), wall, rss_mb


def naive(stand_in: StandIn, roster: Path, sample: int) -> tuple[float, int]:
    """One bulk call per official, sequentially, each cohort created when first needed."""
    import csv

    from pamong_edx.regions import load_regions

    names = load_regions(WILAYAH).names
    with roster.open(encoding="utf-8") as handle:
        people = [(row["email"].lower(), row["kode_desa"][:5]) for _, row in zip(range(sample), csv.DictReader(handle))]
    with stand_in.backend() as backend:
        backend.create_course(PackageInfo(path=roster, course_id=NAIVE_COURSE, title="Naive"))
        stand_in.reset_stats()
        started = time.perf_counter()
        known: set[str] = set()
        for email, kabupaten in people:
            cohort = f"{kabupaten} {names[kabupaten]}"
            if cohort not in known:
                backend.ensure_cohort(NAIVE_COURSE, cohort)
                known.add(cohort)
            backend.bulk_enrol(NAIVE_COURSE, [email], cohort=cohort)
        elapsed = time.perf_counter() - started
    return elapsed, stand_in.stats()["total"]


def breakdown(stats: dict) -> str:
    kinds: Counter = Counter()
    for key, n in stats["requests"].items():
        if "bulk_enroll" in key:
            kinds["bulk enrol"] += n
        elif "/cohorts/" in key and key.startswith("GET"):
            kinds["cohort list"] += n
        elif "/cohorts/" in key and key.startswith("POST"):
            kinds["cohort create"] += n
        else:
            kinds["other"] += n
    return ", ".join(f"{k} {n:,}" for k, n in kinds.most_common())


def floor(roster: Path, batch_size: int) -> tuple[int, int]:
    """(the fewest requests any client could send for this roster, the cohorts), as the docstring argues."""
    from pamong_edx.regions import load_regions
    from pamong_edx.roster import read_roster

    regions = load_regions(WILAYAH)
    per_cohort: Counter = Counter()
    seen: set[str] = set()
    with read_roster(roster, regions) as reader:
        for checked in reader:
            email = checked.record.email
            if checked.status != "error" and email not in seen:
                seen.add(email)
                per_cohort[checked.record.kode_desa[:5]] += 1
    bulk = sum(-(-n // batch_size) for n in per_cohort.values())
    return 3 + len(per_cohort) + bulk, len(per_cohort)


def wave(stand_in: StandIn, env: dict, roster: Path, args: argparse.Namespace, tuning: list[str]) -> float:
    """The national wave and its immediate re-run; returns the engine's wall seconds per enrolment."""
    least, cohorts = floor(roster, args.batch_size)
    stand_in.reset_stats()
    report, wall, rss = run_enrol(env, roster, COURSE, *tuning)
    stats = stand_in.stats()
    enrolments = sum(n for outcomes in report["operations"].values() for n in outcomes.values())
    per_1000 = report["http_requests"] * 1000 / max(enrolments, 1)
    print(f"national wave: {args.rows:,} rows, {enrolments:,} enrolments into {report['cohorts_created']:,} kabupaten "
          f"cohorts, latency {args.latency:g} ms, {args.workers} workers, batches of {args.batch_size}")
    print(f"  HTTP requests: {report['http_requests']:,} = {per_1000:.2f} per 1,000 enrolments; the floor for this "
          f"roster: {least:,} = {least * 1000 / max(enrolments, 1):.2f} per 1,000 (3 + {cohorts} cohorts + bulk "
          f"calls); ratio {report['http_requests'] / least:.3f} (target <= 1.05)")
    print(f"  the stand-in counted {stats['total']:,}: {breakdown(stats)}")
    print(f"  wall time: {wall:.1f} s for the whole command (target <= 60 s); peak RSS {rss:.0f} MB (target <= 300 MB)")
    failed = {k: v for k, v in report["results"].items() if k in ("failed", "not-sent", "error")}
    if failed:
        print(f"  NOT ALL ENROLLED: {failed}")
    stand_in.reset_stats()
    again, again_wall, again_rss = run_enrol(env, roster, COURSE, *tuning)
    print(f"  immediate re-run: {again['writes']} writes (target 0), {again['http_requests']} requests, "
          f"{again_wall:.1f} s, peak RSS {again_rss:.0f} MB; the stand-in counted {stand_in.stats()['total']} "
          "requests")
    return wall / max(enrolments, 1)


def throttled(stand_in: StandIn, env: dict, work: Path, args: argparse.Namespace) -> None:
    """The stand-in's throttle on, the client at its default rate, for about a minute."""
    small = make_roster(work / "province.csv", args.throttle_rows, args.seed, province="18")
    stand_in.configure(throttle=True)
    stand_in.reset_stats()
    report, wall, _ = run_enrol(env, small, THROTTLE_COURSE, "--workers", str(args.workers),
                                "-o", str(work / "throttle-results.csv"))
    statuses = stand_in.stats()["statuses"]
    rate = report["throttled_rate_per_s"] or 0.0
    print(f"throttle on (120/minute, the client's default rate): {args.throttle_rows:,} rows, "
          f"{report['throttled_requests']} throttled requests in {wall:.1f} s")
    print(f"  achieved {rate * 60:.1f} requests/minute = {rate / SERVER_RATE:.3f} of the allowed 120/minute "
          f"(target >= 0.9); 429s: {statuses.get('429', 0)} (target 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency", type=float, default=30.0, help="injected latency per request, ms")
    parser.add_argument("--sample", type=int, default=2000, help="rows for the naive client")
    parser.add_argument("--throttle-rows", type=int, default=12_000,
                        help="rows of the one-province roster for the throttle run (about 2 bulk calls a second)")
    parser.add_argument("--parts", default="wave,naive,throttle",
                        help="which measurements, comma-separated: wave (with its re-run), naive, throttle")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not parts <= {"wave", "naive", "throttle"}:
        parser.error("--parts takes wave, naive and throttle")

    with tempfile.TemporaryDirectory(prefix="pamong-enrol-bench-") as tmp:
        work = Path(tmp)
        roster = make_roster(work / "national.csv", args.rows, args.seed)
        config = work / "pamong.toml"
        stand_in = StandIn(work / "lms", args.latency)
        try:
            config.write_text(f'[profiles.bench]\nlms_url = "{stand_in.url}"\nclient_id = "{stand_in.client_id}"\n'
                              'client_secret_env = "PAMONG_BENCH_SECRET"\ntimeout = 60\n'
                              f'[profiles.bench.openedx]\nbulk_batch_size = {args.batch_size}\n', encoding="utf-8")
            env = {**os.environ, "PAMONG_CONFIG": str(config), "PAMONG_BENCH_SECRET": SECRET,
                   "PAMONG_STATE_DIR": str(work / "state"), "PAMONG_REGIONS": str(WILAYAH)}
            env.pop("PAMONG_PROFILE", None)
            with stand_in.backend() as backend:
                for course in (COURSE, THROTTLE_COURSE):
                    backend.create_course(PackageInfo(path=roster, course_id=course, title=course))
            tuning = ["--rate", "off", "--workers", str(args.workers), "--batch-size", str(args.batch_size),
                      "-o", str(work / "results.csv")]
            engine_per = wave(stand_in, env, roster, args, tuning) if "wave" in parts else None
            if "naive" in parts:
                naive_s, naive_requests = naive(stand_in, roster, args.sample)
                naive_per = naive_s / args.sample
                line = (f"naive client: {args.sample:,} officials, one call each, in {naive_s:.1f} s "
                        f"({naive_per * 1000:.1f} ms each, {naive_requests:,} requests)")
                if engine_per:
                    speed_up = naive_per / engine_per
                    line += f"; the engine {engine_per * 1000:.2f} ms each: speed-up {speed_up:.0f}x (target >= 50x)"
                print(line)
            if "throttle" in parts:
                throttled(stand_in, env, work, args)
        finally:
            stand_in.close()


if __name__ == "__main__":
    main()
