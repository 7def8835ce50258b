"""Reliability against the stand-in over HTTP: injected faults, a SIGKILL mid-run, a damaged roster.

Each test ends by comparing the stand-in's own tables with the state the roster asks for: every accepted row
enrolled (or pre-enrolled) once, in its kabupaten's cohort, and nobody else.
"""

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

from click.testing import CliRunner

from enrol_support import COURSE, expected_cohorts
from pamong_edx.cli import cli
from pamong_edx.roster import read_roster

ARGS = ["--course", COURSE, "--cohort-by", "kabupaten", "--profile", "sandbox", "--rate", "off"]


def lms_cohorts(sandbox):
    return {email: cohort for email, (_, cohort) in sandbox.state(COURSE).items()}


def test_with_500s_timeouts_and_429_bursts_the_lms_ends_as_planned_and_bad_rows_are_reported(
        lms_env, sandbox, roster_maker, regions, tmp_path):
    roster = roster_maker(400, seed=5, messy=0.08)
    sandbox.configure(fail_rate=0.05, timeout_rate=0.02, hang_s=2.5, burst_every=25, burst_size=3, retry_after=1,
                      seed=42)
    results_path = tmp_path / "results.csv"
    out = CliRunner().invoke(cli, ["enrol", str(roster), *ARGS, "--batch-size", "20", "--json", "-o",
                                   str(results_path)])
    report = json.loads(out.stdout)
    faults = sandbox.stats()["faults"]
    assert faults.get("fail") and faults.get("burst") and faults.get("timeout"), faults

    expected = expected_cohorts(roster, regions)
    assert lms_cohorts(sandbox) == expected  # nothing lost, nobody extra
    cohorts = sandbox.cohort_names(COURSE)
    assert len(cohorts) == len(set(cohorts)) == len(set(expected.values()))  # each cohort created once
    assert report["operations"] == {"enrol": {"pre-enrolled": len(expected)}}
    assert report["throttled"] >= faults["burst"]

    # every damaged row is in the results with the roster check's reason; every good row is enrolled
    with read_roster(roster, regions) as reader:
        rejected = {c.row: [x.code for x in c.errors] for c in reader if c.status == "error"}
    assert rejected and report["rows_with_errors"] == len(rejected)
    with results_path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == 400
    for line in lines:
        if int(line["row"]) in rejected:
            assert line["status"] == "error" and line["message"].startswith(rejected[int(line["row"])][0])
        else:
            assert line["status"] == "pre-enrolled", line
    assert out.exit_code == 1 and "rows were not enrolled" in str(out.exception)

    sandbox.configure(fail_rate=0, timeout_rate=0, burst_every=0)
    sandbox.reset_stats()
    again = json.loads(CliRunner().invoke(cli, ["enrol", str(roster), *ARGS, "--json"]).stdout)
    assert again["writes"] == 0 and sandbox.writes() == 0


def test_a_run_killed_at_a_random_point_resumes_to_the_same_state(lms_env, sandbox, roster_maker, regions, tmp_path):
    seed = int(os.environ.get("PAMONG_KILL_SEED") or random.randrange(1 << 30))
    roster = roster_maker(400, seed=9)
    expected = expected_cohorts(roster, regions)
    sandbox.configure(latency_ms=25)
    kill_after = random.Random(seed).randrange(3, 60)  # requests the stand-in has handled
    command = [sys.executable, "-m", "pamong_edx", "enrol", str(roster), *ARGS, "--batch-size", "10",
               "--workers", "2", "-o", str(tmp_path / "results.csv")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while sandbox.server.stats.snapshot()["total"] < kill_after and process.poll() is None:
        assert time.monotonic() < deadline, f"seed {seed}: the run never reached {kill_after} requests"
        time.sleep(0.005)
    process.kill()  # SIGKILL: no handler runs, nothing is flushed
    assert process.wait() == -signal.SIGKILL, f"seed {seed}: the run finished before the kill"

    journal = sqlite3.connect(f"{lms_env['PAMONG_STATE_DIR']}/sandbox/enrol-journal.sqlite3")
    settled = journal.execute(
        "SELECT count(*) FROM enrolments WHERE state IN ('enrolled', 'pre-enrolled') AND pending IS NULL"
    ).fetchone()[0]
    journal.close()
    assert settled < len(expected)

    sandbox.configure(latency_ms=0)
    resumed = subprocess.run([sys.executable, "-m", "pamong_edx", "enrol", "--profile", "sandbox", "--json"],
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, f"seed {seed}: {resumed.stderr}"
    report = json.loads(resumed.stdout)
    assert lms_cohorts(sandbox) == expected, f"seed {seed}"
    # exactly what had no recorded outcome was sent again, nothing that had one
    sent = sum(n for outcomes in report["operations"].values() for n in outcomes.values())
    assert sent == len(expected) - settled, f"seed {seed}"
    assert report["plan"].get("unchanged", 0) == settled

    sandbox.reset_stats()
    again = subprocess.run([sys.executable, "-m", "pamong_edx", "enrol", str(roster), *ARGS, "--json",
                            "-o", str(tmp_path / "results.csv")], capture_output=True, text=True, timeout=120)
    assert json.loads(again.stdout)["writes"] == 0 and sandbox.writes() == 0, f"seed {seed}"


def test_ctrl_c_finishes_the_calls_in_flight_records_them_and_says_how_to_resume(
        lms_env, sandbox, roster_maker, tmp_path):
    roster = roster_maker(400, seed=9)
    sandbox.configure(latency_ms=25)
    results_path = tmp_path / "results.csv"
    process = subprocess.Popen([sys.executable, "-m", "pamong_edx", "enrol", str(roster), *ARGS, "--batch-size", "10",
                                "-o", str(results_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while sandbox.server.stats.snapshot()["requests"].get("POST /api/bulk_enroll/v1/bulk_enroll", 0) < 5:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "stopping: waiting for the calls in flight (Ctrl-C again to leave now)" in stderr
    assert "interrupted: what was sent is journaled; run `pamong enrol --profile sandbox` to resume" in stderr
    assert "Traceback" not in stderr

    journal = sqlite3.connect(f"{lms_env['PAMONG_STATE_DIR']}/sandbox/enrol-journal.sqlite3")
    assert journal.execute("SELECT status FROM runs").fetchall() == [("aborted",)]
    assert journal.execute("SELECT count(*) FROM enrolments WHERE pending IS NOT NULL").fetchone()[0] == 0
    done = journal.execute("SELECT count(*) FROM enrolments WHERE state = 'pre-enrolled'").fetchone()[0]
    journal.close()
    with results_path.open(encoding="utf-8-sig", newline="") as handle:
        statuses = Counter(line["status"] for line in csv.DictReader(handle))
    assert statuses["pre-enrolled"] == done and statuses["not-sent"] == 400 - done > 0
    assert len(sandbox.state(COURSE)) == done
