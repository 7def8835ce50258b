"""The enrolment engine's reliability tests, repeated against the Moodle stand-in over HTTP: injected faults, a
SIGKILL at a random point, Ctrl-C, and a refusal of the whole job mid-way.

Each ends by comparing the stand-in's own tables with what the roster asks for: every accepted row with one
account, enrolled once, in its kabupaten's cohort, and nobody else; each cohort made once.
"""

from __future__ import annotations

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

import requests
from click.testing import CliRunner

from pamong_edx.cli import cli

ARGS = ["--course", "DESA101", "--cohort-by", "kabupaten", "--profile", "moodle"]
WRITES = {"core_user_create_users", "enrol_manual_enrol_users", "core_cohort_add_cohort_members"}


def one_account_each(moodle) -> bool:
    return moodle.db.one("SELECT count(*) = count(DISTINCT lower(email)) FROM users")[0] == 1


def test_with_500s_timeouts_and_429_bursts_moodle_ends_as_planned(moodle_env, moodle, roster_maker,
                                                                 expected_cohorts, tmp_path):
    roster = roster_maker(200, seed=5, messy=0.08)
    moodle.configure(fail_rate=0.06, timeout_rate=0.03, hang_s=1.5, burst_every=40, burst_size=2, retry_after=1,
                     seed=42)
    out = CliRunner().invoke(cli, ["enrol", str(roster), *ARGS, "--batch-size", "25", "--json",
                                   "-o", str(tmp_path / "results.csv")])
    report = json.loads(out.stdout)
    faults = moodle.stats()["faults"]
    assert faults.get("fail") and faults.get("burst") and faults.get("timeout"), faults
    hit = {key.split("wsfunction=")[1] for key in moodle.stats()["requests"]}
    assert WRITES <= hit

    expected = expected_cohorts(roster)
    assert moodle.state("DESA101") == expected  # nothing lost, nobody extra
    assert one_account_each(moodle)  # a create whose answer was lost was found, not made twice
    assert moodle.cohort_names() == sorted(set(c for (c,) in expected.values()))
    assert report["operations"] == {"enrol": {"enrolled": len(expected)}}
    assert report["throttled"] >= faults["burst"]
    assert out.exit_code == 1 and "rows were not enrolled" in str(out.exception)  # the damaged rows only

    moodle.configure(fail_rate=0, timeout_rate=0, burst_every=0)
    moodle.reset_stats()
    again = json.loads(CliRunner().invoke(cli, ["enrol", str(roster), *ARGS, "--json",
                                                "-o", str(tmp_path / "results.csv")]).stdout)
    assert again["writes"] == 0 and moodle.writes() == 0


def test_a_run_killed_at_a_random_point_resumes_to_the_same_state(moodle_env, moodle, roster_maker, expected_cohorts,
                                                                  tmp_path):
    seed = int(os.environ.get("PAMONG_KILL_SEED") or random.randrange(1 << 30))
    roster = roster_maker(300, seed=9)
    expected = expected_cohorts(roster)
    moodle.configure(latency_ms=20)
    kill_after = random.Random(seed).randrange(3, 60)  # requests the stand-in has handled
    command = [sys.executable, "-m", "pamong_edx", "enrol", str(roster), *ARGS, "--batch-size", "10",
               "--workers", "2", "-o", str(tmp_path / "results.csv")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while moodle.server.stats.snapshot()["total"] < kill_after and process.poll() is None:
        assert time.monotonic() < deadline, f"seed {seed}: the run never reached {kill_after} requests"
        time.sleep(0.005)
    process.kill()  # SIGKILL: no handler runs, nothing is flushed
    assert process.wait() == -signal.SIGKILL, f"seed {seed}: the run finished before the kill"

    journal = sqlite3.connect(f"{moodle_env['PAMONG_STATE_DIR']}/moodle/enrol-journal.sqlite3")
    settled = journal.execute(
        "SELECT count(*) FROM enrolments WHERE state = 'enrolled' AND pending IS NULL").fetchone()[0]
    journal.close()
    assert settled < len(expected)

    moodle.configure(latency_ms=0)
    resumed = subprocess.run([sys.executable, "-m", "pamong_edx", "enrol", "--profile", "moodle", "--json"],
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, f"seed {seed}: {resumed.stderr}"
    report = json.loads(resumed.stdout)
    assert moodle.state("DESA101") == expected, f"seed {seed}"
    assert one_account_each(moodle), f"seed {seed}"
    sent = sum(n for outcomes in report["operations"].values() for n in outcomes.values())
    assert sent == len(expected) - settled, f"seed {seed}"  # only what had no recorded outcome went again
    assert report["plan"].get("unchanged", 0) == settled

    moodle.reset_stats()
    again = subprocess.run([sys.executable, "-m", "pamong_edx", "enrol", str(roster), *ARGS, "--json",
                            "-o", str(tmp_path / "results.csv")], capture_output=True, text=True, timeout=120)
    assert json.loads(again.stdout)["writes"] == 0 and moodle.writes() == 0, f"seed {seed}"


def test_ctrl_c_finishes_the_calls_in_flight_records_them_and_says_how_to_resume(moodle_env, moodle, roster_maker,
                                                                                tmp_path):
    roster = roster_maker(300, seed=9)
    moodle.configure(latency_ms=20)
    results_path = tmp_path / "results.csv"
    process = subprocess.Popen([sys.executable, "-m", "pamong_edx", "enrol", str(roster), *ARGS, "--batch-size", "10",
                                "-o", str(results_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    key = "POST /webservice/rest/server.php?wsfunction=enrol_manual_enrol_users"
    while moodle.server.stats.snapshot()["requests"].get(key, 0) < 4:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted: what was sent is journaled; run `pamong enrol --profile moodle` to resume" in stderr
    assert "Traceback" not in stderr

    journal = sqlite3.connect(f"{moodle_env['PAMONG_STATE_DIR']}/moodle/enrol-journal.sqlite3")
    assert journal.execute("SELECT status FROM runs").fetchall() == [("aborted",)]
    assert journal.execute("SELECT count(*) FROM enrolments WHERE pending IS NOT NULL").fetchone()[0] == 0
    done = journal.execute("SELECT count(*) FROM enrolments WHERE state = 'enrolled'").fetchone()[0]
    journal.close()
    with results_path.open(encoding="utf-8-sig", newline="") as handle:
        statuses = Counter(line["status"] for line in csv.DictReader(handle))
    assert statuses["enrolled"] == done and statuses["not-sent"] == 300 - done > 0
    assert len(moodle.state("DESA101")) == done


def test_a_refusal_of_the_whole_job_stops_it_and_the_next_run_finishes(moodle_env, moodle, roster_maker,
                                                                       expected_cohorts, tmp_path):
    roster = roster_maker(120, seed=13)
    expected = expected_cohorts(roster)
    # the administrator took the enrolment function out of the service: every enrol call is an access exception
    functions = [f for f in json.loads(moodle.db.one("SELECT functions FROM services WHERE shortname = 'pamong'")[0])
                 if f != "enrol_manual_enrol_users"]
    requests.post(moodle.url + "/__sandbox__/services", json={"shortname": "pamong", "functions": functions},
                  timeout=5).raise_for_status()
    out = CliRunner().invoke(cli, ["enrol", str(roster), *ARGS, "--workers", "1", "--batch-size", "10",
                                   "-o", str(tmp_path / "r.csv")])
    assert "the LMS refused the job, so it stopped" in str(out.exception)
    assert "enrol_manual_enrol_users: Access control exception" in str(out.exception)
    assert moodle.count("enrol_manual_enrol_users") == 1 and moodle.state("DESA101") == {}
    journal = sqlite3.connect(f"{moodle_env['PAMONG_STATE_DIR']}/moodle/enrol-journal.sqlite3")
    assert journal.execute("SELECT count(*) FROM enrolments WHERE pending IS NOT NULL").fetchone()[0] == 0
    journal.close()

    requests.post(moodle.url + "/__sandbox__/services",
                  json={"shortname": "pamong", "functions": functions + ["enrol_manual_enrol_users"]},
                  timeout=5).raise_for_status()
    resumed = CliRunner().invoke(cli, ["enrol", "--profile", "moodle", "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert moodle.state("DESA101") == expected and one_account_each(moodle)
