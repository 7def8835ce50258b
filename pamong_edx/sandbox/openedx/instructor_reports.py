"""The instructor dashboard's grade report (lms/djangoapps/instructor/views/api.py, api_urls.py;
instructor_task/tasks_helper/grades.py `CourseGradeReport`).

    POST /courses/{course_id}/instructor/api/calculate_grades_csv   starts the task: {"status": "..."}
    POST /courses/{course_id}/instructor/api/get_students_who_may_enroll   the may-enroll task: emails allowed
                                                                    to enrol without an account yet
    GET  /api/instructor/v1/reports/{course_id}                     {"downloads": [{name, url, link}]}, newest first
    GET  /report-store/{token}/{name}                               the CSV, like a signed report-store link

Both API views need CAN_RESEARCH on the course (global staff, or course staff/instructor), else 403. The task
writes the CSV after report_delay_s + report_s_per_1000 per thousand learners, as a worker would; the CSV has
the platform's columns: Student ID, Email, Username, Grade, one column per grading format ("Format" for one
subsection, else one per subsection and "Format (Avg)"), Cohort Name when the course is cohorted, Enrollment
Track, Verification Status, the certificate columns and Enrollment Status.
"""

from __future__ import annotations

import csv
import io
import secrets
import threading
import time
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.sandbox.core.web import Request, Response
from pamong_edx.sandbox.openedx.app import caller, is_global_staff
from pamong_edx.sandbox.openedx.gradebook import grading

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

SCHEMA = """
CREATE TABLE IF NOT EXISTS report_files (
    id INTEGER PRIMARY KEY, course_id TEXT NOT NULL, name TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL, content BLOB NOT NULL);
"""
STARTED = "The grade report is being created. To view the status of the report, see Pending Tasks below."
RUNNING = ("The grade report is currently being created. To view the status of the report, see Pending Tasks "
           "below. You will be able to download the report when it is complete.")
MAY_STARTED = "The enrollment report is being created. To view the status of the report, see Pending Tasks below."
MAY_RUNNING = ("This enrollment report is currently being created. To view the status of the report, see Pending "
               "Tasks below. You will be able to download the report when it is complete.")


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import COURSE_ID, View

    app.store.db.conn().executescript(SCHEMA)
    app.report_tasks = {}  # course -> the running task's thread
    app.route(rf"/courses/{COURSE_ID}/instructor/api/calculate_grades_csv",
              View({"POST": partial(calculate_grades_csv, app)}, throttle=True))
    app.route(rf"/courses/{COURSE_ID}/instructor/api/get_students_who_may_enroll",
              View({"POST": partial(may_enroll_csv, app)}, throttle=True))
    app.route(rf"/api/instructor/v1/reports/{COURSE_ID}", View({"GET": partial(report_downloads, app)}, throttle=True))
    app.route(r"/report-store/(?P<token>[A-Za-z0-9_-]+)/(?P<name>[^/]+)",
              View({"GET": partial(download, app)}, auth=(), login_required=False), name="/report-store/{token}/{name}")


def _refuse(app: OpenEdxApp, request: Request) -> tuple[str, Response | None]:
    course_id = request.params.get("course_id", "")
    if CourseKey.parse(course_id) is None or app.store.course(course_id) is None:
        return course_id, Response.json({"developer_message": "The requested course does not exist.",
                                         "error_code": "course_does_not_exist"}, 404)
    user = caller(request)
    if not (is_global_staff(request) or (user and app.store.has_role(user, course_id, ("staff", "instructor")))):
        return course_id, Response.empty(403)  # HttpResponseForbidden()
    return course_id, None


def calculate_grades_csv(app: OpenEdxApp, request: Request) -> Response:
    course_id, refusal = _refuse(app, request)
    if refusal:
        return refusal
    from pamong_edx.sandbox.openedx.simulate import before_grade_read

    before_grade_read(app, course_id)
    return _start(app, course_id, "grade_report", grade_report_csv, STARTED, RUNNING)


def may_enroll_csv(app: OpenEdxApp, request: Request) -> Response:
    course_id, refusal = _refuse(app, request)
    if refusal:
        return refusal
    from pamong_edx.sandbox.openedx.simulate import before_grade_read

    before_grade_read(app, course_id)
    return _start(app, course_id, "may_enroll_info", _may_enroll, MAY_STARTED, MAY_RUNNING)


def _start(app: OpenEdxApp, course_id: str, kind: str, make, started: str, running: str) -> Response:  # noqa: ANN001
    task = app.report_tasks.get((course_id, kind))
    if task is not None and task.is_alive():
        return Response.json(running, 400)  # AlreadyRunningError through common_exceptions_400
    learners = app.store.db.one("SELECT count(*) AS n FROM enrollments WHERE course_id = ?", (course_id,))["n"]
    delay = app.config.report_delay_s + app.config.report_s_per_1000 * learners / 1000
    worker = threading.Thread(target=_run, args=(app, course_id, kind, make, delay), daemon=True)
    app.report_tasks[(course_id, kind)] = worker
    worker.start()
    return Response.json({"status": started})


def _may_enroll(app: OpenEdxApp, course_id: str) -> str:
    """list_may_enroll: the emails of CourseEnrollmentAllowed rows (the stand-in drops them on registration)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email"])
    for row in app.store.db.all("SELECT email FROM enrollment_allowed WHERE course_id = ? ORDER BY email",
                                (course_id,)):
        writer.writerow([row["email"]])
    return out.getvalue()


def _run(app: OpenEdxApp, course_id: str, kind: str, make, delay: float) -> None:  # noqa: ANN001
    if app.closed.wait(delay):
        return
    content = make(app, course_id).encode("utf-8")
    key = CourseKey.parse(course_id)
    stamp = datetime.now(timezone.utc)
    name = f"{key.org}_{key.number}_{key.run}_{kind}_{stamp:%Y-%m-%d-%H%M%S%f}.csv"
    with app.store.db.write() as conn:
        conn.execute("INSERT INTO report_files (course_id, name, token, created, content) VALUES (?, ?, ?, ?, ?)",
                     (course_id, name, secrets.token_urlsafe(16), stamp.isoformat(), content))


def grade_report_csv(app: OpenEdxApp, course_id: str) -> str:
    _cutoffs, formats, subsections = grading(app, course_id)
    from pamong_edx.sandbox.openedx.gradebook import usage_key

    by_format: dict[str, list[dict]] = {}
    for sub in subsections:
        if sub.get("format"):
            by_format.setdefault(sub["format"], []).append(sub)
    header = ["Student ID", "Email", "Username", "Grade"]
    for fmt, subs in by_format.items():
        if len(subs) > 1:
            header += [f"{fmt} {i}: {s.get('display_name', '')}" for i, s in enumerate(subs, start=1)]
            header.append(f"{fmt} (Avg)")
        else:
            header.append(fmt)
    cohorted = app.store.db.one("SELECT is_cohorted FROM cohort_settings WHERE course_id = ?", (course_id,))
    cohorted = bool(cohorted and cohorted["is_cohorted"])
    header += (["Cohort Name"] if cohorted else []) + ["Enrollment Track", "Verification Status",
                                                         "Certificate Eligible", "Certificate Delivered",
                                                         "Certificate Type", "Enrollment Status"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    scores: dict[int, dict[str, tuple[float, float]]] = {}
    for row in app.store.db.all("SELECT user_id, module_id, earned, possible FROM subsection_grades "
                                "WHERE course_id = ?", (course_id,)):
        scores.setdefault(row["user_id"], {})[row["module_id"]] = (row["earned"], row["possible"])
    rows = app.store.db.all(
        "SELECT u.id, u.email, u.username, e.mode, e.is_active, g.percent, g.passed, c.name AS cohort "
        "FROM enrollments e JOIN users u ON u.id = e.user_id "
        "LEFT JOIN grades g ON g.user_id = e.user_id AND g.course_id = e.course_id "
        "LEFT JOIN cohort_members m ON m.user_id = e.user_id AND m.course_id = e.course_id "
        "LEFT JOIN cohorts c ON c.id = m.cohort_id WHERE e.course_id = ? ORDER BY u.id", (course_id,))
    for row in rows:
        mine = scores.get(row["id"], {})
        cells: list[object] = [row["id"], row["email"], row["username"], round(row["percent"] or 0.0, 2)]
        for subs in by_format.values():
            percents = []
            for sub in subs:
                earned, possible = mine.get(usage_key(course_id, sub["id"]), (None, None))
                percents.append(round(earned / possible, 2) if earned is not None and possible else None)
            shown = ["Not Attempted" if p is None else p for p in percents]
            if len(subs) > 1:
                attempted = [p for p in percents if p is not None]
                cells += shown + [round(sum(attempted) / len(subs), 2) if attempted else 0.0]
            else:
                cells += shown
        cells += ([row["cohort"] or ""] if cohorted else []) + [
            row["mode"], "N/A", "Y" if row["passed"] else "N", "N", "N/A",
            "Enrolled" if row["is_active"] else "Unenrolled"]
        writer.writerow(cells)
    return out.getvalue()


def report_downloads(app: OpenEdxApp, request: Request) -> Response:
    course_id, refusal = _refuse(app, request)
    if refusal:
        return refusal
    name_filter = request.arg("report_name")
    downloads = []
    for row in app.store.db.all("SELECT name, token FROM report_files WHERE course_id = ? ORDER BY id DESC",
                                (course_id,)):
        if name_filter and row["name"] != name_filter:
            continue
        url = request.absolute(f"/report-store/{row['token']}/{row['name']}")
        downloads.append({"name": row["name"], "url": url, "link": f'<a href="{url}">{row["name"]}</a>'})
    return Response.json({"downloads": downloads})


def download(app: OpenEdxApp, request: Request) -> Response:
    row = app.store.db.one("SELECT content FROM report_files WHERE token = ? AND name = ?",
                           (request.params["token"], request.params["name"]))
    if row is None:
        return Response.html(404, "<h1>Not Found</h1>")
    return Response(200, bytes(row["content"]), "text/csv")


def wait_for_reports(app: OpenEdxApp, timeout: float = 30.0) -> None:
    """Tests: let running report tasks finish."""
    deadline = time.monotonic() + timeout
    for worker in list(app.report_tasks.values()):
        worker.join(max(0.0, deadline - time.monotonic()))
