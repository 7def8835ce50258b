"""The Open edX stand-in's reading side, in-process: course grades, gradebook, grading info, the instructor
report tasks (grade report, pre-enrolments that never registered) and simulated learners."""

from __future__ import annotations

import csv
import io
import json
import tarfile
import time

import pytest
from werkzeug.test import Client

from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.sandbox.core.standin import StandIn
from pamong_edx.sandbox.openedx import OpenEdxApp, Settings
from pamong_edx.sandbox.openedx.learners import simulate
from pamong_edx.sandbox.openedx.olx_import import import_archive

COURSE = "course-v1:Kemendagri+UJI1+2025"
GRADING = {"GRADER": [{"type": "Pretest", "short_label": "TA", "min_count": 1, "drop_count": 0, "weight": 0.0},
                      {"type": "Posttest", "short_label": "EA", "min_count": 1, "drop_count": 0, "weight": 1.0}],
           "GRADE_CUTOFFS": {"Pass": 0.7}}
RUN = """<course display_name="Kursus Uji">
  <chapter url_name="bab1" display_name="Bab 1">
    <sequential url_name="tes_awal" display_name="Tes Awal" graded="true" format="Pretest">
      <vertical url_name="v1">
        <problem url_name="p1" display_name="Soal"><multiplechoiceresponse/></problem>
        <problem url_name="p2" display_name="Soal"><multiplechoiceresponse/></problem>
      </vertical>
    </sequential>
    <sequential url_name="materi" display_name="Materi">
      <vertical url_name="v2"><html url_name="h1" display_name="Teks">Materi</html></vertical>
    </sequential>
    <sequential url_name="evaluasi" display_name="Evaluasi Akhir" graded="true" format="Posttest">
      <vertical url_name="v3">
        <problem url_name="p3" display_name="Soal"><multiplechoiceresponse/></problem>
        <problem url_name="p4" weight="2" display_name="Soal"><multiplechoiceresponse/></problem>
      </vertical>
    </sequential>
  </chapter>
</course>"""


def _olx() -> bytes:
    files = {"course/course.xml": '<course url_name="2025" org="Kemendagri" course="UJI1"/>',
             "course/course/2025.xml": RUN,
             "course/policies/2025/grading_policy.json": json.dumps(GRADING),
             "course/policies/2025/policy.json": json.dumps({"course/2025": {"display_name": "Kursus Uji"}})}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def lms():
    app = OpenEdxApp(settings=Settings(throttle=False, report_step_s=0.02))
    report = import_archive(_olx(), "uji.tar.gz", CourseKey.parse(COURSE), course_exists=True)
    assert report.failed_stage is None, report.message
    with app.store.db.write() as conn:
        conn.execute("INSERT INTO courses (course_id, org, number, run, title, created, structure) VALUES "
                     "(?, 'Kemendagri', 'UJI1', '2025', 'Kursus Uji', '2025-01-01', ?)",
                     (COURSE, json.dumps(report.summary())))
        conn.execute("INSERT INTO course_modes VALUES (?, 'audit')", (COURSE,))
    client = Client(StandIn(app))
    yield client, app
    app.close()


def _token(client: Client, cred) -> dict:  # noqa: ANN001 - Credentials
    answer = client.post("/oauth2/access_token", data={
        "grant_type": "client_credentials", "token_type": "jwt", "client_id": cred.client_id,
        "client_secret": cred.client_secret})
    return {"Authorization": f"JWT {answer.json['access_token']}"}


def _enrol(app: OpenEdxApp, *people: tuple[str, str]) -> None:
    """(username, mode) pairs, enrolled in COURSE."""
    for username, mode in people:
        user = app.store.create_user(username, f"{username}@desa.example.id", username.title())
        with app.store.db.write() as conn:
            conn.execute("INSERT INTO enrollments (user_id, course_id, mode, is_active, created) "
                         "VALUES (?, ?, ?, 1, '')", (user.id, COURSE, mode))


def _bulk(client: Client, staff: dict, emails: list[str], cohort: str) -> None:
    settings = client.put(f"/api/cohorts/v1/settings/{COURSE}", json={"is_cohorted": True}, headers=staff)
    assert settings.status_code == 200
    client.post(f"/api/cohorts/v1/courses/{COURSE}/cohorts/", json={"name": cohort, "assignment_type": "manual"},
                headers=staff)
    answer = client.post("/api/bulk_enroll/v1/bulk_enroll", headers=staff, json={
        "identifiers": ",".join(emails), "action": "enroll", "courses": COURSE, "auto_enroll": True,
        "cohorts": cohort})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_course_grades_page_by_enrolment_with_no_maximum_and_show_email_only_for_masters(lms):
    client, app = lms
    staff = _token(client, app.staff_credentials)
    _enrol(app, *[(f"peserta_{n:03d}", "masters" if n == 0 else "audit") for n in range(120)])
    page = client.get(f"/api/grades/v1/courses/{COURSE}/?page_size=500", headers=staff).json
    assert len(page["results"]) == 120 and page["next"] is None and "count" not in page
    assert page["results"][0] == {"username": "peserta_000", "email": "peserta_000@desa.example.id",
                                  "course_id": COURSE, "passed": False, "percent": 0.0, "letter_grade": None}
    assert {r["email"] for r in page["results"][1:]} == {""}
    first = client.get(f"/api/grades/v1/courses/{COURSE}/", headers=staff).json
    assert len(first["results"]) == 50 and first["next"]
    one = client.get(f"/api/grades/v1/courses/{COURSE}/?username=peserta_000", headers=staff).json
    assert one == [{**page["results"][0], "email": ""}]  # the single-user form never knows the mode
    missing = client.get(f"/api/grades/v1/courses/{COURSE}/?username=nobody", headers=staff)
    assert missing.status_code == 404 and missing.json == {
        "developer_message": "The user matching the requested username does not exist.",
        "error_code": "user_does_not_exist"}


def test_gradebook_gives_per_subsection_scores_with_the_grading_formats_labels(lms):
    client, app = lms
    staff = _token(client, app.staff_credentials)
    _enrol(app, ("budi", "audit"), ("sari", "audit"))
    budi = app.store.user_by_username("budi")
    module = CourseKey.parse(COURSE).usage_key
    with app.store.db.write() as conn:
        conn.execute("INSERT INTO subsection_grades VALUES (?, ?, ?, 1.0, 2.0, '')",
                     (budi.id, COURSE, module("sequential", "tes_awal")))
        conn.execute("INSERT INTO subsection_grades VALUES (?, ?, ?, 2.4, 3.0, '')",
                     (budi.id, COURSE, module("sequential", "evaluasi")))
        conn.execute("INSERT INTO grades VALUES (?, ?, 0.8, 1, 'Pass')", (budi.id, COURSE))
    book = client.get(f"/api/grades/v1/gradebook/{COURSE}/", headers=staff).json
    assert book["total_users_count"] == 2 and book["filtered_users_count"] == 2 and book["next"] is None
    entry = book["results"][0]
    assert set(entry) == {"user_id", "username", "full_name", "email", "percent", "section_breakdown"}
    assert entry["percent"] == 0.8 and entry["email"] == ""
    assert [(b["label"], b["category"], b["attempted"], b["score_earned"], b["score_possible"], b["percent"])
            for b in entry["section_breakdown"]] == [("TA 01", "Pretest", True, 1.0, 2.0, 0.5),
                                                     ("EA 01", "Posttest", True, 2.4, 3.0, 0.8)]
    untouched = book["results"][1]["section_breakdown"]
    assert [(b["attempted"], b["score_possible"]) for b in untouched] == [(False, 0.0), (False, 0.0)]
    info = client.get(f"/api/grades/v1/gradebook/{COURSE}/grading-info", headers=staff).json
    assert info["grade_cutoffs"] == {"Pass": 0.7}
    assert [(s["display_name"], s["graded"], s["short_label"]) for s in info["subsections"]] == [
        ("Tes Awal", True, "TA 01"), ("Materi", False, None), ("Evaluasi Akhir", True, "EA 01")]
    assert info["assignment_types"]["Posttest"] == {"type": "Posttest", "short_label": "EA", "min_count": 1,
                                                    "drop_count": 0, "weight": 1.0}
    cohort = client.post(f"/api/cohorts/v1/courses/{COURSE}/cohorts/", headers=staff,
                         json={"name": "18.71 Kota Bandar Lampung", "assignment_type": "manual"}).json["id"]
    client.post(f"/api/cohorts/v1/courses/{COURSE}/cohorts/{cohort}/users/", json={"users": ["sari"]}, headers=staff)
    one = client.get(f"/api/grades/v1/gradebook/{COURSE}/?cohort_id={cohort}", headers=staff).json
    assert [r["username"] for r in one["results"]] == ["sari"]
    assert (one["total_users_count"], one["filtered_users_count"]) == (2, 1)
    assert client.get(f"/api/grades/v1/gradebook/{COURSE}/?cohort_id=999", headers=staff).json["results"] == []
    operator = _token(client, app.credentials[1])
    assert client.get(f"/api/grades/v1/gradebook/{COURSE}/", headers=operator).json["error_code"] == "user_permissions"
    client.post("/__sandbox__/config", json={"writable_gradebook": False})
    refused = client.get(f"/api/grades/v1/gradebook/{COURSE}/", headers=staff)
    assert refused.status_code == 403 and refused.json["error_code"] == "feature_not_enabled"


def _session(client: Client, app: OpenEdxApp) -> str:
    cred = app.staff_credentials
    login = "/api/user/v1/account/login_session/"
    form = {"email": "staff@sandbox.pamong.test", "password": cred.password}
    refused = client.post(login, data=form)  # csrf_protect: no csrftoken cookie yet
    assert refused.status_code == 403 and "CSRF cookie not set." in refused.get_data(as_text=True)
    assert client.get(login).status_code == 200  # ensure_csrf_cookie
    token = client.get_cookie("csrftoken").value
    assert "CSRF token missing." in client.post(login, data=form).get_data(as_text=True)
    assert client.post(login, data=form, headers={"X-CSRFToken": "x" * 32}).status_code == 403
    wrong = client.post(login, data={**form, "password": "salah"}, headers={"X-CSRFToken": token})
    assert wrong.status_code == 400 and wrong.json["error_code"] == "incorrect-email-or-password"
    answer = client.post(login, data=form, headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.json["success"] is True
    assert client.get_cookie("csrftoken").value != token  # login rotates the CSRF token
    return client.get_cookie("csrftoken").value


def _wait_for_report(client: Client, headers: dict, infix: str) -> list[list[str]]:
    for _ in range(200):
        listed = client.get(f"/api/instructor/v1/reports/{COURSE}", headers=headers).json["downloads"]
        found = [d for d in listed if f"_{infix}_" in d["name"]]
        if found:
            assert found[0]["name"].startswith("Kemendagri_UJI1_2025_") and found[0]["name"].endswith(".csv")
            assert found[0]["link"] == f'<a href="{found[0]["url"]}">{found[0]["name"]}</a>'
            body = client.get(found[0]["url"])
            assert body.status_code == 200 and body.mimetype == "text/csv"
            return list(csv.reader(io.StringIO(body.get_data(as_text=True))))
        time.sleep(0.01)
    raise AssertionError(f"no {infix} report")


def test_the_grade_report_task_needs_a_session_and_writes_every_email_and_subsection(lms):
    client, app = lms
    staff = _token(client, app.staff_credentials)
    _enrol(app, ("budi", "audit"), ("keluar", "audit"))
    with app.store.db.write() as conn:  # an enrolment made inactive still has a row, "unenrolled"
        conn.execute("UPDATE enrollments SET is_active = 0 WHERE user_id = ?", (app.store.user_by_username("keluar").id,))
    url = f"/courses/{COURSE}/instructor/api/calculate_grades_csv"
    assert client.post(url, headers=staff).status_code == 403  # a JWT is not a session: the legacy view refuses
    csrf = _session(client, app)
    assert client.post(url).status_code == 403  # no CSRF token
    started = client.post(url, headers={"X-CSRFToken": csrf})
    assert started.json == {"status": "The grade report is being created. To view the status of the report, "
                                      "see Pending Tasks below."}
    again = client.post(url, headers={"X-CSRFToken": csrf, "Accept": "application/json"})
    assert again.status_code == 400 and "is being created" in again.json
    rows = _wait_for_report(client, staff, "grade_report")
    assert rows[0] == ["Student ID", "Email", "Username", "Grade", "Pretest", "Posttest", "Enrollment Track",
                       "Verification Status", "Certificate Eligible", "Certificate Delivered", "Certificate Type",
                       "Enrollment Status"]  # one subsection per format: no "(Avg)"; not cohorted: no cohort column
    assert rows[1][1:] == ["budi@desa.example.id", "budi", "0.0", "Not Attempted", "Not Attempted", "audit", "N/A",
                           "N", "N", "N/A", "enrolled"]
    assert rows[2][2] == "keluar" and rows[2][-1] == "unenrolled" and len(rows) == 3
    legacy = client.post(f"/courses/{COURSE}/instructor/api/list_report_downloads", headers={"X-CSRFToken": csrf})
    assert [d["name"] for d in legacy.json["downloads"]] == [
        d["name"] for d in client.get(f"/api/instructor/v1/reports/{COURSE}", headers=staff).json["downloads"]]


def test_pre_enrolments_that_never_registered_come_as_the_may_enroll_report(lms):
    client, app = lms
    staff = _token(client, app.staff_credentials)
    _bulk(client, staff, ["andi@desa.example.id", "peserta01@sandbox.pamong.test", "citra@desa.example.id"],
          "18.71 Kota Bandar Lampung")
    csrf = _session(client, app)
    client.post(f"/courses/{COURSE}/instructor/api/get_students_who_may_enroll", headers={"X-CSRFToken": csrf})
    rows = _wait_for_report(client, staff, "may_enroll_info")
    assert rows == [["email"], ["andi@desa.example.id"], ["citra@desa.example.id"]]  # peserta01 has an account


def test_simulated_learners_are_reproducible_and_differ_between_kabupaten(lms):
    client, app = lms
    staff = _token(client, app.staff_credentials)
    for kabupaten in ("18.01", "18.71"):
        _bulk(client, staff, [f"p{kabupaten}-{n}@desa.example.id" for n in range(150)], f"{kabupaten} Kabupaten")
    first = client.post("/__sandbox__/simulate", json={"seed": 11, "course_id": COURSE}).json
    grades = app.store.db.all("SELECT user_id, percent, passed FROM grades ORDER BY user_id")
    assert client.post("/__sandbox__/simulate", json={"seed": 11, "course_id": COURSE}).json == first
    assert app.store.db.all("SELECT user_id, percent, passed FROM grades ORDER BY user_id") == grades
    assert 0 < first["passed"] < first["started"] < first["registered"] == first["learners"] < 300
    registered = app.store.db.all("SELECT u.meta, e.is_active FROM users u JOIN enrollments e ON e.user_id = u.id "
                                  "WHERE u.email LIKE 'p18.%'")
    assert len(registered) == first["registered"] and all(r["is_active"] for r in registered)
    rates = {}
    for kabupaten in ("18.01", "18.71"):
        rows = app.store.db.all("SELECT g.passed FROM grades g JOIN users u ON u.id = g.user_id WHERE u.email LIKE ?",
                                (f"p{kabupaten}-%",))
        rates[kabupaten] = sum(r["passed"] for r in rows) / 150
    assert abs(rates["18.01"] - rates["18.71"]) > 0.05, rates
    book = client.get(f"/api/grades/v1/gradebook/{COURSE}/?page_size=1000", headers=staff).json["results"]
    taken = [b for entry in book for b in entry["section_breakdown"] if b["attempted"]]
    assert {b["label"] for b in taken} == {"TA 01", "EA 01"}
    other = OpenEdxApp(settings=Settings(throttle=False))
    try:
        assert simulate(other, 11).learners == 0  # nobody enrolled: nothing happens
    finally:
        other.close()
