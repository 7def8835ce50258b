"""`pamong enrol` as an operator runs it, against the stand-in Open edX over HTTP."""

import csv
import json
import math
import re
import sqlite3
import socket
import subprocess
import sys

from collections import Counter

from click.testing import CliRunner

from enrol_support import COURSE, COURSE_KEU, FIXTURES, SECRET_VAR, expected_cohorts
from pamong_edx.cli import cli
from pamong_edx.errors import DiagnosticsFailed, PamongError, UsageError

KAB = ["--course", COURSE, "--cohort-by", "kabupaten", "--profile", "sandbox", "--rate", "off"]


def enrol(*args):
    return CliRunner().invoke(cli, ["enrol", *args])


def results(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_dry_run_plans_without_a_single_request(lms_env, sandbox, roster_maker, tmp_path):
    roster = roster_maker(300, seed=3, messy=0.05)
    sandbox.reset_stats()
    out = enrol(str(roster), *KAB, "--dry-run", "--plan", str(tmp_path / "plan.csv"))
    assert out.exit_code == 0, out.output
    assert re.search(r"plan: enrol 2\d\d · cohort 2\d\d · unchanged 0 · rows with errors \d+", out.output)
    assert "nothing was sent to the LMS" in out.output
    assert sandbox.stats()["total"] == 0
    plan = results(tmp_path / "plan.csv")
    assert len(plan) == 300 and {p["action"] for p in plan} == {"enrol", "row-error"}


def test_a_5000_row_roster_is_enrolled_with_cohorts_and_a_second_run_writes_nothing(
        lms_env, sandbox, roster_maker, regions):
    roster = roster_maker(5000, seed=7, messy=0.05)
    sandbox.reset_stats()
    out = enrol(str(roster), *KAB, "--json")
    assert isinstance(out.exception, DiagnosticsFailed)  # the damaged rows: exit 1
    report = json.loads(out.stdout)
    expected = expected_cohorts(roster, regions)
    state = sandbox.state(COURSE)
    assert {email: cohort for email, (_, cohort) in state.items()} == expected
    assert report["operations"] == {"enrol": {"pre-enrolled": len(expected)}}
    assert report["rows"] == 5000 and report["rows_with_errors"] == 5000 - len(expected)
    per_cohort = Counter(expected.values())
    bulk_calls = sum(math.ceil(n / 100) for n in per_cohort.values())
    assert report["cohorts_created"] == len(per_cohort)
    assert report["writes"] == bulk_calls + len(per_cohort) + 1  # bulk calls, cohorts, cohorting turned on
    assert report["http_requests"] == sandbox.stats()["total"]
    lines = results(roster.with_name(roster.stem + ".enrol-results.csv"))
    assert len(lines) == 5000
    assert {line["status"] for line in lines} == {"pre-enrolled", "error"}

    sandbox.reset_stats()
    again = json.loads(enrol(str(roster), *KAB, "--json").stdout)
    assert again["writes"] == 0 and again["http_requests"] == 0 and sandbox.stats()["total"] == 0
    assert again["plan"] == {"unchanged": len(expected)}

    # the journal knows people by email; no NIK from the roster is in it
    journal = lms_env["PAMONG_STATE_DIR"] + "/sandbox/enrol-journal.sqlite3"
    dump = "\n".join(sqlite3.connect(journal).iterdump())
    niks = {row["nik"] for row in csv.DictReader(roster.open(encoding="utf-8"))}
    assert "desa.example.id" in dump and not [n for n in niks if len(n) >= 12 and n in dump]


def test_results_are_excel_safe_and_cover_every_row_and_course(lms_env, sandbox, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"cohorts: kabupaten\ncourses:\n  - {COURSE}\n  - course: {COURSE_KEU}\n"
                     "    positions: [Kepala Desa, Sekretaris Desa]\n", encoding="utf-8")
    roster = FIXTURES / "rosters" / "formula.csv"
    out_path = tmp_path / "results.csv"
    out = enrol(str(roster), "--rules", str(rules), "--profile", "sandbox", "--rate", "off", "-o", str(out_path))
    assert isinstance(out.exception, DiagnosticsFailed)
    assert "1 rows were not enrolled" in str(out.exception)
    raw = out_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads it as UTF-8
    lines = [(r["row"], r["email"], r["course"].split("+")[1] if r["course"] else "", r["status"])
             for r in results(out_path)]
    assert lines == [
        ("2", "siti.rahayu@desa.example.id", "DESA101", "pre-enrolled"),
        ("2", "siti.rahayu@desa.example.id", "KEU201", "pre-enrolled"),
        ("3", "'=1+1@desa.example.id", "DESA101", "pre-enrolled"),
        ("3", "'=1+1@desa.example.id", "KEU201", "pre-enrolled"),
        ("4", "'@budi", "", "error"),
        ("5", "teuku.hasibuan@desa.example.id", "DESA101", "pre-enrolled"),
    ]
    assert sandbox.state(COURSE_KEU)["=1+1@desa.example.id"] == ("allowed", "18.71 Kota Bandar Lampung")


def test_rules_file_mistakes_are_printed_with_their_place(lms_env, sandbox, tmp_path):
    roster = FIXTURES / "rosters" / "formula.csv"
    out = enrol(str(roster), "--rules", str(FIXTURES / "rules" / "broken.yaml"), "--profile", "sandbox",
                "-o", str(tmp_path / "r.csv"))
    assert isinstance(out.exception, DiagnosticsFailed)
    assert "broken.yaml:3:7: RUL006" in out.stderr and "broken.yaml:15:18: RUL004" in out.stderr
    assert sandbox.stats()["total"] == 0


def test_usage_mistakes(lms_env, sandbox):
    roster = str(FIXTURES / "rosters" / "formula.csv")
    for args, message in [
        ([roster, "--profile", "sandbox"], "say which courses"),
        ([roster, *KAB, "--sync"], "--sync needs --scope"),
        ([roster, *KAB, "--scope", "18.71"], "add --sync"),
        ([roster, *KAB, "--sync", "--scope", "18.7x"], "not a region code"),
        ([roster, *KAB, "--rules", "r.yaml"], "either --rules FILE or --course"),
        ([roster, *KAB, "--rate", "fast"], "--rate 'fast'"),
        (["--profile", "sandbox"], "nothing to resume for profile 'sandbox'"),
        ([roster, *KAB, "--mode", "honor"], "enrolment mode honor, but this LMS backend enrols in bulk"),
    ]:
        out = enrol(*args)
        assert isinstance(out.exception, UsageError) and message in str(out.exception), (args, out.output)
    assert sandbox.writes() == 0

def test_sync_asks_before_unenrolling_and_stays_in_its_scope(lms_env, sandbox, roster_maker, tmp_path):
    roster = roster_maker(200, seed=11)
    enrol(str(roster), *KAB)
    enrolled = sandbox.state(COURSE)
    lines = roster.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if ",18.71." not in line or line.endswith(("a", "e", "i"))]
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("\n".join(kept) + "\n", encoding="utf-8")
    left = {line.split(",")[2] for line in lines[1:]} - {line.split(",")[2] for line in kept[1:]}
    assert left and all(",18.71." in line for line in lines[1:] if line.split(",")[2] in left)

    out = enrol(str(smaller), *KAB, "--sync", "--scope", "18.71")
    assert isinstance(out.exception, UsageError) and "confirm with --yes" in str(out.exception)
    assert sandbox.state(COURSE) == enrolled

    report = json.loads(enrol(str(smaller), *KAB, "--sync", "--scope", "18.71", "--yes", "--json").stdout)
    assert report["operations"] == {"unenrol": {"unenrolled": len(left)}}
    assert set(sandbox.state(COURSE)) == set(enrolled) - left
    # another region's roster with --sync never touches 18.71
    other = json.loads(enrol(str(smaller), *KAB, "--sync", "--scope", "18.10", "--yes", "--json").stdout)
    assert other["operations"] == {}


def test_reconcile_finds_what_was_removed_on_the_lms(lms_env, sandbox, tmp_path):
    roster = FIXTURES / "rosters" / "formula.csv"
    args = (str(roster), *KAB, "-o", str(tmp_path / "r.csv"))
    sandbox.add_user("siti", "siti.rahayu@desa.example.id")
    enrol(*args)
    with sandbox.backend() as backend:  # an administrator unenrols her by hand
        backend.bulk_unenrol(COURSE, ["siti.rahayu@desa.example.id"])
    plain = json.loads(enrol(*args, "--json").stdout)
    assert plain["operations"] == {}
    reconciled = json.loads(enrol(*args, "--reconcile", "--json").stdout)
    assert reconciled["operations"] == {"enrol": {"enrolled": 1}}
    assert sandbox.state(COURSE)["siti.rahayu@desa.example.id"] == ("enrolled", "18.71 Kota Bandar Lampung")


def test_the_command_line_exits_1_with_one_line_when_rows_fail(lms_env, sandbox, tmp_path):
    roster = FIXTURES / "rosters" / "formula.csv"
    results_path = tmp_path / "r.csv"
    out = subprocess.run([sys.executable, "-m", "pamong_edx", "enrol", str(roster), *KAB, "-o", str(results_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [f"error: 1 rows were not enrolled; {results_path} says why for each"]
    assert "done in" in out.stdout and "results:" in out.stdout


def journal_runs(env):
    path = f"{env['PAMONG_STATE_DIR']}/sandbox/enrol-journal.sqlite3"
    return sqlite3.connect(path).execute("SELECT status FROM runs").fetchall()


def test_a_wrong_secret_is_one_line_before_anything_is_sent(lms_env, sandbox, monkeypatch, tmp_path):
    monkeypatch.setenv(SECRET_VAR, "not-the-secret")
    out = enrol(str(FIXTURES / "rosters" / "formula.csv"), *KAB, "-o", str(tmp_path / "r.csv"))
    assert isinstance(out.exception, PamongError)
    assert "refused client" in str(out.exception) and str(out.exception).endswith("nothing was sent")
    assert "not-the-secret" not in out.output + str(out.exception)
    assert sandbox.writes() == 0 and journal_runs(lms_env) == []


def test_an_lms_that_cannot_be_reached_is_one_line_not_every_row_retried(lms_env, tmp_path):
    with socket.socket() as probe:  # a port on this machine where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "pamong.toml"
    config.write_text(re.sub(r'lms_url = "[^"]*"', f'lms_url = "http://127.0.0.1:{port}"',
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    out = enrol(str(FIXTURES / "rosters" / "formula.csv"), *KAB, "-o", str(tmp_path / "r.csv"))
    assert isinstance(out.exception, PamongError)
    assert f"127.0.0.1:{port}" in str(out.exception) and "nothing listens on that port" in str(out.exception)
    assert journal_runs(lms_env) == []


def test_an_unknown_course_is_named_in_the_final_line(lms_env, sandbox, tmp_path):
    missing = "course-v1:Kemendagri+TIDAKADA+2025"
    out = enrol(str(FIXTURES / "rosters" / "formula.csv"), "--course", missing, "--profile", "sandbox",
                "--rate", "off", "-o", str(tmp_path / "r.csv"))
    assert isinstance(out.exception, PamongError)
    assert f"rejected the calls for course {missing}" in str(out.exception)
    assert "check that course key in --course" in str(out.exception)
    assert {r["status"] for r in results(tmp_path / "r.csv")} == {"failed", "error"}


def test_unwritable_results_or_plan_paths_are_refused_before_sending(lms_env, sandbox, tmp_path):
    roster = str(FIXTURES / "rosters" / "formula.csv")
    for args, flag in [(["-o", str(tmp_path / "no" / "r.csv")], "--results"),
                       (["--dry-run", "--plan", str(tmp_path / "no" / "p.csv")], "--plan")]:
        out = enrol(roster, *KAB, *args)
        assert isinstance(out.exception, UsageError) and str(out.exception).startswith(flag), (args, out.output)
    assert sandbox.stats()["total"] == 0 and journal_runs(lms_env) == []


def test_results_and_plan_as_xlsx_on_request(lms_env, sandbox, tmp_path):
    from openpyxl import load_workbook

    roster = str(FIXTURES / "rosters" / "formula.csv")
    assert enrol(roster, *KAB, "--dry-run", "--plan", str(tmp_path / "plan.xlsx")).exit_code == 0
    enrol(roster, *KAB, "-o", str(tmp_path / "results.xlsx"))
    for name, status_column in [("plan.xlsx", "action"), ("results.xlsx", "status")]:
        rows = list(load_workbook(tmp_path / name, read_only=True).active.values)
        assert rows[0] == ("row", "email", "course", "cohort", status_column, "message")
        assert [(r[0], r[1]) for r in rows[1:]] == [(2, "siti.rahayu@desa.example.id"),
                                                    (3, "'=1+1@desa.example.id"), (4, "'@budi"),
                                                    (5, "teuku.hasibuan@desa.example.id")]


def test_an_output_that_would_replace_an_input_is_refused_before_anything_is_read(lms_env, sandbox, tmp_path):
    roster = tmp_path / "R.csv"
    roster.write_bytes((FIXTURES / "rosters" / "formula.csv").read_bytes())
    before = roster.read_bytes()
    for args in (["--dry-run", "--plan", str(roster)], ["-o", str(roster)],
                 ["--dry-run", "--plan", str(tmp_path / "." / "R.csv")]):
        out = enrol(str(roster), *KAB, *args)
        assert isinstance(out.exception, UsageError), (args, out.output)
        assert f"would overwrite the input {roster}" in str(out.exception)
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"courses: [{COURSE}]\n", encoding="utf-8")
    out = enrol(str(roster), "--rules", str(rules), "--profile", "sandbox", "--dry-run", "--plan", str(rules))
    assert isinstance(out.exception, UsageError) and "would overwrite the input" in str(out.exception)
    assert roster.read_bytes() == before and rules.read_text(encoding="utf-8") == f"courses: [{COURSE}]\n"
    assert sandbox.stats()["total"] == 0 and journal_runs(lms_env) == []
