"""`pamong report` speed and memory: reading the LMS (both Open edX routes) and aggregating a national snapshot.

    .venv/bin/python benchmarks/report_speed.py aggregate [--rows 750000] [--keep DIR]
    .venv/bin/python benchmarks/report_speed.py lms [--learners 100000] [--keep DIR] [--task-s-per-1000 S]

aggregate: a national roster from ../shared/tools/make_roster.py (--rows officials, one per ~10 in every
village), each official given deterministic progress, taken as one snapshot (the aggregation of every region
at every level happens there), then `pamong report --snapshot latest` writes XLSX, HTML, CSV and JSON for the
whole country, and the HTML of the largest province (Jawa Tengah, 33) and of one kabupaten. Each step runs as
a child process, timed on the wall clock with its own peak RSS (os.wait4). Targets (issue 11): aggregation and
writing of 750,000 officials from the local snapshot <= 30 s and <= 500 MB peak RSS, printed as one figure
(adding up every region, timed inside the latest snapshot, plus the median report); a province's HTML < 1 MB.
Taking a snapshot (here: reading the roster CSV, drawing progress, storing the learners) has no target.

lms: the Open edX stand-in with its default throttle (120 requests/minute for staff), the bundled Tata Kelola
course built and imported, --learners enrolled in it with a cohort per kabupaten and simulated progress; the
report read through the grades API (gradebook pages and account look-ups; a first run and a later one) and
through the instructor grade-report task, signed in as the stand-in's staff account. Prints LMS requests per
1,000 learners, wall time, CPU time and peak RSS of each route. Generating the data is not timed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
WILAYAH = SHARED / "data" / "wilayah_2025.csv"
MAKE_ROSTER = SHARED / "tools" / "make_roster.py"
COURSE = "course-v1:Kemendagri+DESA101+2025"
CPU: list[float] = []


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child process; its wall time (s), peak RSS (MB) and output. Its CPU time goes to CPU[-1]: on a
    shared machine the wall clock also counts other processes' turns, the CPU time does not."""
    started = time.monotonic()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    elapsed = time.monotonic() - started
    CPU.append(usage.ru_utime + usage.ru_stime)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out}")
    return elapsed, usage.ru_maxrss / 1024, out


def _share(text: str) -> float:
    return int(hashlib.blake2b(text.encode(), digest_size=4).hexdigest(), 16) / 2**32


def take_snapshot(state: Path, roster: Path) -> None:
    """(child) One snapshot of every official on the roster, with progress that varies by kabupaten."""
    from pamong_edx.report.model import CourseInfo, Person, Progress
    from pamong_edx.report.snapshot import Snapshots

    course = CourseInfo(COURSE, "Tata Kelola Pemerintahan Desa", 0.7, "Pretest", "Posttest")

    def people():
        with roster.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield Person(row["email"], row["kode_desa"], row["jabatan"], row["nama"], True, "roster")

    def progress():
        with roster.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                email, region = row["email"], row["kode_desa"]
                drive = 0.3 + 0.6 * _share(region[:5])  # how hard the kabupaten pushes
                luck = _share(email)
                if luck > 0.9:
                    continue  # not enrolled
                started = luck < drive
                pre = round(0.2 + 0.5 * _share(email + "pre"), 2) if started else None
                post = round(min(1.0, (pre or 0) + 0.4 * _share(email + "post")), 2) if started and luck < drive * 0.8 \
                    else None
                yield Progress(username=f"u{luck:.8f}", email=email, registered=luck < drive + 0.05, started=started,
                               pretest=pre, posttest=post, passed=post is not None and post >= 0.7,
                               last_activity="2025-06-01T08:00:00+00:00" if started else None)

    from pamong_edx.report import snapshot

    timings = {}
    finish = snapshot.Taking.finish

    def timed_finish(self):  # noqa: ANN001, ANN202 - the aggregation, timed on its own
        started, cpu = time.monotonic(), time.process_time()
        finish(self)
        timings["figures"] = time.monotonic() - started
        timings["figures_cpu"] = time.process_time() - cpu

    snapshot.Taking.finish = timed_finish
    started = time.monotonic()
    with Snapshots.in_dir(state) as snaps:
        with snaps.taking("openedx", [course], str(roster)) as taking:
            taking.add_roster(people())
            taking.place(COURSE)
            taking.add_progress(COURSE, progress())
    print(f"TIMINGS all={time.monotonic() - started:.1f} figures={timings['figures']:.1f} "
          f"figures_cpu={timings['figures_cpu']:.1f}")


def _spread(values: list[float]) -> str:
    return f"min {min(values):.1f} / median {statistics.median(values):.1f} / max {max(values):.1f}"


def report_process(argv: list[str]) -> None:
    """(child) `pamong report` in this process, then its own peak RSS and its workbook writer's, which
    os.wait4 in the parent cannot tell apart (it gives the larger of the two)."""
    from pamong_edx.cli import main as pamong

    try:
        pamong(argv)
    except SystemExit as exc:
        if exc.code:
            raise
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    writer = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"RSS own={own:.0f} writer={writer:.0f}")


def aggregate(args: argparse.Namespace) -> None:
    keep = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="report-bench-"))
    keep.mkdir(parents=True, exist_ok=True)
    roster = keep / f"roster-{args.rows}.csv"
    if not roster.exists():
        with roster.open("wb") as out:
            subprocess.run([sys.executable, str(MAKE_ROSTER), "--rows", str(args.rows), "--seed", "1"], stdout=out,
                           check=True)
    state = keep / "state"
    profile_dir = state / "bench"
    env = {**os.environ, "PAMONG_STATE_DIR": str(state), "PAMONG_REGIONS": str(WILAYAH)}
    print(f"{args.rows:,} officials ({roster})")
    adding_up = None  # seconds of the latest snapshot's adding up, when this run took the snapshots
    if args.reuse and (profile_dir / "report-snapshots.sqlite3").exists():
        print(f"snapshots reused from {profile_dir}")
    else:
        if profile_dir.exists():
            for f in profile_dir.iterdir():
                f.unlink()
        for run in (1, 2):  # two snapshots, so the report shows changes and a trend
            took, rss, out = child([sys.executable, __file__, "_snapshot", str(profile_dir), str(roster)], env)
            figures = out.split("figures=")[1].split()[0]
            figures_cpu = out.split("figures_cpu=")[1].split()[0]
            adding_up = float(figures)
            print(f"snapshot {run}: {took:6.1f} s wall, {CPU[-1]:.1f} s CPU (of which adding up every region at "
                  f"every level: {figures} s wall, {figures_cpu} s CPU; the rest is reading the roster CSV, drawing "
                  f"progress and storing the learners)  peak RSS {rss:6.0f} MB  ({load()})")
    out = keep / "out"
    out.mkdir(exist_ok=True)
    files = [out / f"nasional.{kind}" for kind in ("xlsx", "html", "csv", "json")]
    argv = ["report", "--profile", "bench", "--snapshot", "latest", *sum((["-o", str(f)] for f in files), [])]
    walls, cpus, owns, writers = [], [], [], []
    for run in range(1, args.repeat + 1):
        took, _rss, text = child([sys.executable, __file__, "_report", *argv], env)
        own, writer = (float(v.split("=")[1]) for v in text.split("RSS ")[1].split())
        walls.append(took)
        cpus.append(CPU[-1])
        owns.append(own)
        writers.append(writer)
        print(f"report {run} of the whole country from the snapshot (XLSX, HTML, CSV, JSON): {took:6.1f} s wall, "
              f"{CPU[-1]:.1f} s CPU, peak RSS {own:.0f} MB (the workbook's writer: {writer:.0f} MB)  ({load()})")
    sizes = ", ".join(f"{f.suffix[1:]} {f.stat().st_size / 1e6:.1f} MB" for f in files)
    print(f"report of the whole country, {args.repeat} runs: CPU {_spread(cpus)} s; wall {_spread(walls)} s; "
          f"peak RSS {max(owns):.0f} MB + the workbook's writer {max(writers):.0f} MB  ({sizes})")
    if adding_up is not None:
        total = adding_up + statistics.median(walls)
        print(f"aggregation and writing, the target's measure: adding up {adding_up:.1f} s (the latest snapshot) + "
              f"report {statistics.median(walls):.1f} s (median) = {total:.1f} s wall (target <= 30 s: "
              f"{'met' if total <= 30 else 'NOT met'}); peak RSS {max(max(owns), max(writers)):.0f} MB "
              f"(target <= 500 MB)")
    command = [sys.executable, "-m", "pamong_edx", "report", "--profile", "bench", "--snapshot", "latest"]
    for scope, label in (("33", "province 33 Jawa Tengah"), ("18.71", "kabupaten 18.71")):
        path = out / f"laporan-{scope}.html"
        took, rss, _ = child([*command, "--scope", scope, "-o", str(path)], env)
        print(f"HTML of {label}: {path.stat().st_size / 1e6:.2f} MB in {took:.1f} s (peak RSS {rss:.0f} MB)")
        path = out / f"laporan-{scope}-kecamatan.html"
        took, rss, _ = child([*command, "--scope", scope, "--by", "kecamatan", "-o", str(path)], env)
        print(f"HTML of {label}, --by kecamatan: {path.stat().st_size / 1e6:.2f} MB")
    print(f"files kept in {keep}")


def populate(app, learners: int, wilayah: Path, journal_dir: Path) -> None:  # noqa: ANN001 - an OpenEdxApp
    """learners officials enrolled in COURSE, a cohort per kabupaten, as `pamong enrol` would leave them on the
    stand-in and in the enrolment journal; then the stand-in's simulated learners take the course. Accounts
    through the store's own create_user; enrolments and cohort members, which the stand-in makes only one
    request at a time, in one transaction."""
    from pamong_edx.enrol.journal import ENROLLED, Journal, Outcome, Sending
    from pamong_edx.sandbox.openedx.learners import simulate
    from pamong_edx.sandbox.openedx.store import now_iso

    villages = []
    with wilayah.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kode"].count(".") == 3:
                villages.append(row["kode"])
    people = [(f"pejabat{n}", f"pejabat{n}@desa.example.id", villages[(n * 7919) % len(villages)])
              for n in range(learners)]
    ids = {}
    for username, email, _village in people:
        user = app.store.user_by_username(username) or app.store.create_user(username, email, username.title())
        ids[username] = user.id
    store, stamp = app.store, now_iso()
    with store.db.write() as conn:
        settings = store.cohort_settings_id(conn, COURSE)
        conn.execute("UPDATE cohort_settings SET is_cohorted = 1 WHERE id = ?", (settings["id"],))
        for kabupaten in sorted({village[:5] for *_, village in people}):
            conn.execute("INSERT OR IGNORE INTO cohorts (course_id, name, assignment_type) VALUES (?, ?, 'manual')",
                         (COURSE, f"{kabupaten} Kabupaten"))
        cohorts = dict(conn.execute("SELECT name, id FROM cohorts WHERE course_id = ?", (COURSE,)).fetchall())
        conn.executemany("INSERT OR IGNORE INTO enrollments (user_id, course_id, mode, is_active, created) "
                         "VALUES (?, ?, 'audit', 1, ?)", [(ids[u], COURSE, stamp) for u, *_ in people])
        conn.executemany("INSERT OR REPLACE INTO cohort_members VALUES (?, ?, ?)",
                         [(ids[u], COURSE, cohorts[f"{v[:5]} Kabupaten"]) for u, _e, v in people])
    simulate(app, 42, COURSE)
    with Journal.in_dir(journal_dir) as journal:
        run = journal.start_run({"benchmark": "report_speed.py lms", "learners": learners})
        for name, lms_id in cohorts.items():
            journal.record_cohort(COURSE, name, lms_id, run)
        batch = journal.begin_batch(run, "enrol", COURSE, None, [
            Sending(e, COURSE, "enrol", f"{v[:5]} Kabupaten", v, n + 2) for n, (_u, e, v) in enumerate(people)])
        journal.settle(batch, [Outcome(e, COURSE, "enrol", "enrolled", ENROLLED, cohort=f"{v[:5]} Kabupaten",
                                       owned=True) for _u, e, v in people], attempts=1)
        journal.finish_run(run, "done", {"enrolled": learners})


def import_course(server, keep: Path) -> None:  # noqa: ANN001 - a SandboxServer
    """The bundled Tata Kelola course (Pretest and Posttest formats), built and imported as COURSE, as
    `pamong build` and `pamong deploy` do."""
    from pamong_edx.lms.openedx import OpenEdxBackend
    from pamong_edx.lms.protocol import PackageInfo

    staff = server.app.staff_credentials
    subprocess.run([sys.executable, "-m", "pamong_edx", "build", "-f", "olx", "-o", str(keep / "dist"),
                    str(REPO / "course_src" / "tata-kelola-pemerintahan-desa")], check=True, capture_output=True)
    archive = next((keep / "dist").glob("*.olx.tar.gz"))
    with OpenEdxBackend(server.url, staff.client_id, staff.client_secret) as backend:
        if backend.get_course(COURSE) is None:
            backend.create_course(PackageInfo(path=archive, course_id=COURSE, title="Tata Kelola Pemerintahan Desa"))
        ticket = backend.start_import(COURSE, archive)
        while not (status := backend.import_status(ticket)).finished:
            time.sleep(0.1)
        if not status.succeeded:
            raise SystemExit(f"import of {archive} failed: {backend.import_failure(ticket)}")


def lms_routes(args: argparse.Namespace) -> None:
    from pamong_edx.sandbox.openedx import Settings, openedx_sandbox

    keep = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="report-lms-bench-"))
    keep.mkdir(parents=True, exist_ok=True)
    state = keep / "state"
    # The default throttle (120/minute for staff); a report task's worker takes --task-s-per-1000 per thousand.
    server = openedx_sandbox(keep / "edx", settings=Settings(report_s_per_1000=args.task_s_per_1000))
    with server:
        app = server.app
        staff = app.staff_credentials
        started = time.monotonic()
        enrolled = app.store.db.one("SELECT count(*) AS n FROM enrollments WHERE course_id = ?", (COURSE,))["n"]
        if enrolled < args.learners:
            app.config.throttle = False
            import_course(server, keep)
            populate(app, args.learners, WILAYAH, state / "edx")
            app.config.throttle = True
        print(f"{args.learners:,} learners in {COURSE} on the Open edX stand-in (made in "
              f"{time.monotonic() - started:.0f} s, not timed below); throttle {app.config.enrollment_staff_rate}, "
              f"a report task {app.config.report_step_s} s + {app.config.report_s_per_1000} s per 1,000 enrolments")
        config = keep / "pamong.toml"
        env = {**os.environ, "PAMONG_CONFIG": str(config), "BENCH_SECRET": staff.client_secret,
               "BENCH_PASSWORD": staff.password, "PAMONG_STATE_DIR": str(state), "PAMONG_REGIONS": str(WILAYAH),
               "PAMONG_LANG": "en"}
        # Reading the LMS is what is measured (writing the outputs is the aggregate benchmark's): the smallest
        # tables, a CSV by province.
        command = [sys.executable, "-m", "pamong_edx", "report", "--profile", "edx", "--course", COURSE,
                   "--by", "provinsi", "-o", str(keep / "laporan.csv")]
        for label, above, fresh in (("grades API (gradebook pages + account look-ups), first run", 10**9, True),
                                    ("grades API, a later run (emails known from the first)", 10**9, False),
                                    ("grade-report task (one CSV)", 0, False)):
            config.write_text(f'[profiles.edx]\nlms = "openedx"\nlms_url = "{server.url}"\n'
                              f'client_id = "{staff.client_id}"\nclient_secret_env = "BENCH_SECRET"\ntimeout = 120\n'
                              f'[profiles.edx.openedx]\ngrade_report_above = {above}\n'
                              f'session_email = "{staff.email}"\nsession_password_env = "BENCH_PASSWORD"\n',
                              encoding="utf-8")
            if fresh:
                snaps = state / "edx" / "report-snapshots.sqlite3"
                for path in (snaps, Path(f"{snaps}-wal"), Path(f"{snaps}-shm")):
                    path.unlink(missing_ok=True)
            app.throttles.reset()
            took, rss, out = child(command, env)
            found = re.search(r"(\d+) LMS requests", out)
            if found is None:
                raise SystemExit(f"{label}: the report did not say how many requests it made:\n{out}")
            requests = int(found.group(1))
            print(f"{label}: {requests:,} requests ({requests * 1000 / args.learners:.1f} per 1,000 learners), "
                  f"{took:.0f} s wall, {CPU[-1]:.1f} s CPU, peak RSS {rss:.0f} MB  ({load()})", flush=True)
    print(f"files kept in {keep}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_snapshot":
        take_snapshot(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_report":
        report_process(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    agg = sub.add_parser("aggregate")
    agg.add_argument("--rows", type=int, default=750_000)
    agg.add_argument("--keep")
    agg.add_argument("--repeat", type=int, default=3, help="runs of the national report (min/median/max)")
    agg.add_argument("--reuse", action="store_true", help="keep the snapshots already in --keep")
    lms = sub.add_parser("lms")
    lms.add_argument("--learners", type=int, default=100_000)
    lms.add_argument("--keep")
    lms.add_argument("--task-s-per-1000", type=float, default=0.0,
                     help="seconds a report task's worker takes per 1,000 enrolments (report_s_per_1000)")
    args = parser.parse_args()
    if args.what == "aggregate":
        aggregate(args)
    else:
        lms_routes(args)


if __name__ == "__main__":
    main()
