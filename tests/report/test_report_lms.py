"""`pamong report` against both stand-ins: after `pamong enrol` and simulated learners, and enrolled by hand
(placed by cohort or profile field); and every bad input as one line."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from lms_support import (
    COURSE,
    HOMEWORK_ONLY,
    MOODLE_COURSE,
    PAMONG_GRADING,
    PAMONG_SEQUENTIALS,
    PASSWORD_VAR,
    SECRET_VAR,
    TOKEN_VAR,
    control,
    import_course,
    make_roster,
    olx_archive,
    pamong,
    write_config,
)
from pamong_edx.lms.openedx import OpenEdxBackend
from pamong_edx.sandbox.moodle import moodle_sandbox
from pamong_edx.sandbox.openedx import Settings, openedx_sandbox


@pytest.fixture
def lms(tmp_path, wilayah, monkeypatch):
    """Both stand-ins, a profile for each (Open edX's with the staff account's session login), the bundled
    courses' grading imported into Open edX, a state dir and the region file, through the environment."""
    edx = openedx_sandbox(tmp_path / "edx", settings=Settings(throttle=False, report_step_s=0.02, import_step_s=0.0))
    moodle = moodle_sandbox(tmp_path / "moodle")
    with edx, moodle:
        staff = edx.app.staff_credentials
        with OpenEdxBackend(edx.url, staff.client_id, staff.client_secret) as backend:
            import_course(backend, olx_archive(tmp_path / "c.tar.gz", COURSE, PAMONG_GRADING, PAMONG_SEQUENTIALS),
                          COURSE)
        config = write_config(tmp_path / "pamong.toml", edx.url, staff.client_id, staff.email, moodle.url)
        env = {"PAMONG_CONFIG": str(config), SECRET_VAR: staff.client_secret, TOKEN_VAR: moodle.app.token.token,
               PASSWORD_VAR: staff.password, "PAMONG_STATE_DIR": str(tmp_path / "state"),
               "PAMONG_REGIONS": str(wilayah)}
        for var in ("PAMONG_PROFILE", "PAMONG_LMS_URL", "PAMONG_CLIENT_ID", "PAMONG_CLIENT_SECRET"):
            monkeypatch.delenv(var, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        yield {"edx": edx, "moodle": moodle, "tmp": tmp_path}


def _report_json(*args: str) -> dict:
    result = pamong("report", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_openedx_after_enrol_and_simulated_learners(lms, tmp_path):
    roster = make_roster(tmp_path, 300, 7)
    result = pamong("enrol", str(roster), "--profile", "edx", "--course", COURSE, "--cohort-by", "kecamatan",
                    "--rate", "off")
    assert result.exit_code == 0, result.output
    control(lms["edx"].url, "simulate", {"seed": 11, "course_id": COURSE})
    out = tmp_path / "laporan.xlsx"
    result = pamong("report", "--profile", "edx", "--course", COURSE, "--roster", str(roster), "-o", str(out),
                    "-o", str(tmp_path / "laporan.html"))
    assert result.exit_code == 0, result.output
    data = _report_json("--profile", "edx", "--course", COURSE, "--snapshot", "latest")
    total = data["courses"][0]["total"]
    db = lms["edx"].app.store.db
    enrolled = db.one("SELECT count(*) AS n FROM enrollments WHERE course_id = ?", (COURSE,))["n"]
    allowed = db.one("SELECT count(*) AS n FROM enrollment_allowed a WHERE a.course_id = ? AND NOT EXISTS ("
                     "SELECT 1 FROM users u WHERE u.email = a.email COLLATE NOCASE)", (COURSE,))["n"]
    passed = db.one("SELECT count(*) AS n FROM grades WHERE course_id = ? AND passed = 1", (COURSE,))["n"]
    posttests = db.one("SELECT count(*) AS n FROM subsection_grades WHERE course_id = ? AND module_id LIKE "
                       "'%evaluasi_akhir'", (COURSE,))["n"]
    pretests = db.one("SELECT count(*) AS n FROM subsection_grades WHERE course_id = ? AND module_id LIKE "
                      "'%tes_awal'", (COURSE,))["n"]
    assert total["on_roster"] == 300
    assert total["enrolled"] == enrolled + allowed == 300
    assert total["registered"] == enrolled
    assert (total["passed"], total["posttest_done"], total["pretest_done"]) == (passed, posttests, pretests)
    assert total["gain_median"] > 0  # the weight-0 Pretest is scored: learning gain shows
    assert 0 < total["passed"] < total["started"] < total["enrolled"]
    assert data["courses"][0]["course"]["pretest"] == "Pretest" and data["courses"][0]["course"]["cutoff"] == 0.7
    rates = {r["code"]: r["pass_rate"] for r in data["courses"][0]["levels"]["kabupaten"] if r["enrolled"] > 10}
    assert max(rates.values()) - min(rates.values()) > 0.15  # kabupaten differ
    book = load_workbook(out, read_only=True)
    assert "Not started" in book.sheetnames
    # no NIK and no secret anywhere: not in the snapshot file, not in any output
    import csv
    import zipfile

    niks = [row["nik"] for row in csv.DictReader(roster.open(encoding="utf-8"))]
    secret = lms["edx"].app.staff_credentials.client_secret
    snapshot = tmp_path / "state" / "edx" / "report-snapshots.sqlite3"
    with zipfile.ZipFile(out) as archive:
        texts = [archive.read(n).decode("utf-8") for n in archive.namelist()]
    blobs = [snapshot.read_bytes().decode("latin-1"), (tmp_path / "laporan.html").read_text(encoding="utf-8"), *texts]
    for blob in blobs:
        assert secret not in blob and not any(nik in blob for nik in niks)


def test_openedx_grade_report_route_gives_the_same_figures(lms, tmp_path):
    roster = make_roster(tmp_path, 120, 3)
    assert pamong("enrol", str(roster), "--profile", "edx", "--course", COURSE, "--cohort-by", "kabupaten",
                  "--rate", "off").exit_code == 0
    control(lms["edx"].url, "simulate", {"seed": 5, "course_id": COURSE})
    gradebook = _report_json("--profile", "edx", "--course", COURSE, "--roster", str(roster))
    config = lms["tmp"] / "pamong.toml"
    config.write_text(config.read_text().replace("[profiles.edx.openedx]\n", "[profiles.edx.openedx]\n"
                                                 "grade_report_above = 10\n"), encoding="utf-8")
    reports = "SELECT count(*) AS n FROM reports WHERE name LIKE '%grade_report%'"
    before = lms["edx"].app.store.db.one(reports)["n"]
    report = _report_json("--profile", "edx", "--course", COURSE, "--roster", str(roster))
    assert lms["edx"].app.store.db.one(reports)["n"] == before + 1
    for key in ("on_roster", "enrolled", "registered", "started", "pretest_done", "posttest_done", "passed"):
        assert report["courses"][0]["total"][key] == gradebook["courses"][0]["total"][key], key
    assert report["courses"][0]["total"]["posttest_median"] == pytest.approx(
        gradebook["courses"][0]["total"]["posttest_median"], abs=0.006)  # the CSV rounds to 2 decimals


def test_openedx_enrolled_by_hand_placed_by_cohort(lms, tmp_path):
    url = lms["edx"].url
    for n, cohort in ((1, "18.71.01 Kedaton"), (2, "18.71.02 Sukarame"), (3, "")):
        control(url, "users", {"username": f"tangan{n}", "email": f"tangan{n}@desa.id", "name": f"Tangan {n}"})
    staff = lms["edx"].app.staff_credentials
    with OpenEdxBackend(url, staff.client_id, staff.client_secret) as backend:
        backend.set_cohorted(COURSE)
        for n in (1, 2, 3):
            backend.enrol(f"tangan{n}", COURSE)
        for n, name in ((1, "18.71.01 Kedaton"), (2, "18.71.02 Sukarame")):
            cohort = backend.ensure_cohort(COURSE, name)
            backend.add_to_cohort(COURSE, cohort.id, [f"tangan{n}"])
        # pre-enrolled by hand, never registered: only the LMS's may-enroll report knows
        backend.bulk_enrol(COURSE, ["belum.daftar@desa.id"], auto_enroll=True)
    result = pamong("report", "--profile", "edx", "--course", COURSE, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    course = data["courses"][0]
    assert (course["total"]["enrolled"], course["total"]["registered"]) == (4, 3)
    assert {r["code"] for r in course["levels"]["kecamatan"]} == {"18.71.01", "18.71.02"}
    assert course["unknown"]["enrolled"] == 2  # tangan3 is in no cohort; the pre-enrolment has none yet


def test_moodle_after_enrol_and_simulated_learners(lms, tmp_path):
    roster = make_roster(tmp_path, 200, 9)
    result = pamong("enrol", str(roster), "--profile", "moodle", "--course", MOODLE_COURSE, "--cohort-by", "kabupaten",
                    "--rate", "off")
    assert result.exit_code == 0, result.output
    control(lms["moodle"].url, "simulate", {"seed": 4, "course": MOODLE_COURSE})
    data = _report_json("--profile", "moodle", "--course", MOODLE_COURSE, "--roster", str(roster), "--pass-mark", "70")
    course = data["courses"][0]
    total = course["total"]
    db = lms["moodle"].app.store.db
    # passed: the posttest's completion at its pass grade, as the stand-in's course completion has it
    passed = db.one("SELECT count(*) AS n FROM completion_states s JOIN course_modules m ON m.id = s.cmid "
                    "WHERE m.idnumber = 'posttest' AND s.state = 2")["n"]
    signed_in = db.one("SELECT count(*) AS n FROM user_access WHERE lastaccess > 0")["n"]
    assert (total["on_roster"], total["enrolled"]) == (200, 200)
    assert total["registered"] == signed_in and total["passed"] == passed
    assert course["course"]["pretest"] == "Tes Awal" and course["course"]["posttest"] == "Evaluasi Akhir"
    assert 0 < total["passed"] < total["started"] < total["registered"]
    assert total["last_activity"] is not None


def test_moodle_enrolled_by_hand_placed_by_profile_field(lms):
    url = lms["moodle"].url
    app = lms["moodle"].app
    control(url, "users", {"users": [
        {"username": "tangan1", "email": "tangan1@desa.id", "customfields": {"kodewilayah": "18.71.01.1003",
                                                                            "jabatan": "Kepala Desa"}},
        {"username": "tangan2", "email": "tangan2@desa.id", "customfields": {"kodewilayah": "1871021003"}}]})
    from pamong_edx.lms.moodle import MoodleBackend
    from pamong_edx.lms.protocol import Person

    with MoodleBackend(url, app.token.token) as backend:
        people = [Person("tangan1@desa.id", "Tangan Satu", "Kepala Desa", "18.71.01.1003"),
                  Person("tangan2@desa.id", "Tangan Dua", "", "18.71.02.1003")]
        backend.bulk_enrol(MOODLE_COURSE, ["tangan1@desa.id", "tangan2@desa.id"], people=people)
    control(url, "simulate", {"seed": 2, "course": MOODLE_COURSE})
    data = _report_json("--profile", "moodle", "--course", MOODLE_COURSE)
    course = data["courses"][0]
    assert course["total"]["enrolled"] == 2 and course["unknown"] is None
    assert {r["code"] for r in course["levels"]["desa"]} == {"18.71.01.1003", "18.71.02.1003"}
    assert [p["code"] for p in course["positions"]][0] == "Kepala Desa"


# ---------------------------------------------------------------------------------------------- bad input


def _one_line_error(result, *words):  # noqa: ANN001
    assert result.exit_code != 0
    message = result.output.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("error: ") or "Error:" in result.output, result.output
    for word in words:
        assert word in result.output, result.output


def test_bad_input_is_one_clear_line(lms, tmp_path):
    from pamong_edx.cli import main

    def run(*args: str) -> tuple[int, str]:
        import contextlib
        import io

        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                main(list(args))
            except SystemExit as exc:
                return int(exc.code or 0), err.getvalue()
        return 0, err.getvalue()

    out = str(tmp_path / "r.xlsx")
    cases = [
        (("report", "--profile", "edx", "--course", "course-v1:Kemendagri+NONE+2025", "-o", out), "check the course key"),
        (("report", "--profile", "edx", "--course", COURSE, "--scope", "99.99", "-o", out), "pamong regions find"),
        (("report", "--profile", "edx", "--course", COURSE, "-o", str(tmp_path / "r.pdf")), ".xlsx, .html"),
        (("report", "--profile", "edx", "--course", COURSE, "--snapshot", "latest", "-o", out), "no snapshot"),
        (("report", "--profile", "moodle", "--course", "NOPE", "-o", out), "check the course key"),
    ]
    for args, words in cases:
        code, err = run(*args)
        lines = [line for line in err.strip().splitlines() if not line.startswith("note:")]
        assert code != 0 and len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], (args, err)
    # no posttest: a course whose grading has no such format
    staff = lms["edx"].app.staff_credentials
    with OpenEdxBackend(lms["edx"].url, staff.client_id, staff.client_secret) as backend:
        import_course(backend, olx_archive(tmp_path / "hw.tar.gz", COURSE, HOMEWORK_ONLY, [("hw1", "PR", "Homework")]),
                      COURSE)
    code, err = run("report", "--profile", "edx", "--course", COURSE, "-o", out)
    assert code != 0 and "no posttest" in err and "--posttest NAME" in err and len(err.strip().splitlines()) == 1
    # an empty journal and nobody on the LMS
    with OpenEdxBackend(lms["edx"].url, staff.client_id, staff.client_secret) as backend:
        import_course(backend, olx_archive(tmp_path / "c2.tar.gz", COURSE, PAMONG_GRADING, PAMONG_SEQUENTIALS), COURSE)
    code, err = run("report", "--profile", "edx", "--course", COURSE, "-o", out)
    assert code != 0 and "nothing to report" in err and "pamong enrol" in err
    # a client without the grade permission: the operator client is not staff
    operator = lms["edx"].app.credentials[1]
    import os

    os.environ[SECRET_VAR] = operator.client_secret
    config = lms["tmp"] / "pamong.toml"
    config.write_text(config.read_text().replace(lms["edx"].app.staff_credentials.client_id, operator.client_id, 1))
    code, err = run("report", "--profile", "edx", "--course", COURSE, "-o", out)
    assert code != 0 and "pamong lms check --profile edx" in err, err
    # a Moodle token whose user may not see everyone's grades
    from pamong_edx.sandbox.moodle.store import WS_CAPABILITIES, WS_USER

    control(lms["moodle"].url, "capabilities", {"username": WS_USER, "capabilities": [
        c for c in WS_CAPABILITIES if c != "moodle/grade:viewall"]})
    code, err = run("report", "--profile", "moodle", "--course", MOODLE_COURSE, "-o", out)
    assert code != 0 and len(err.strip().splitlines()) == 1 and "pamong lms check --profile moodle" in err, err
    # the LMS unreachable: nothing is written, the last good snapshot stays
    config.write_text(config.read_text() + '\n[profiles.gone]\nlms = "openedx"\nlms_url = "http://127.0.0.1:9"\n'
                      f'client_id = "x"\nclient_secret_env = "{SECRET_VAR}"\ntimeout = 1\n')
    code, err = run("report", "--profile", "gone", "--course", COURSE, "-o", out)
    assert code != 0 and len(err.strip().splitlines()) == 1 and "127.0.0.1:9" in err, err
    assert not (tmp_path / "r.xlsx").exists() and not list(tmp_path.glob("*.part"))
