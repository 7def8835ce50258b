"""The instructor dashboard's report tasks and report store, and the session login they need.

lms/djangoapps/instructor/views/api.py: `calculate_grades_csv` and `get_students_who_may_enroll` are plain
Django views (session and CSRF only; no JWT or Bearer), limited to CAN_RESEARCH (global staff, course
staff or instructor) and answering a bare 403 otherwise; each starts an instructor task that writes a CSV
to the report store; a second request for a running task is a 400. `ReportDownloads` (DRF: JWT, Bearer or
session) and the legacy `list_report_downloads` list the store, newest first. The stand-in serves each
stored file at its URL, as a signed storage URL would be fetched.

    GET  /api/user/v1/account/login_session/                         the login form; sets the csrftoken cookie
    POST /api/user/v1/account/login_session/                         form email, password (csrf_protect: the
                                                                     csrftoken cookie and X-CSRFToken match)
    POST /courses/{course_id}/instructor/api/calculate_grades_csv    grade report task
    POST /courses/{course_id}/instructor/api/get_students_who_may_enroll   CourseEnrollmentAllowed, unenrolled
    POST /courses/{course_id}/instructor/api/list_report_downloads   {"downloads": [{"url", "name", "link"}]}
    GET  /api/instructor/v1/reports/{course_id}                      the same, for JWT clients (?report_name=)
    GET  /courses/{course_id}/instructor/api/v0/tasks                {"tasks": [...]}: the running tasks
    GET  /api/instructor/v1/tasks/{course_id}                        the same, for JWT clients (InstructorTasks)
    GET  /grades/{course_hash}/{name}                                a stored report (text/csv)
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import secrets
import threading
import uuid
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.sandbox.core.http import Request, Response, reply
from pamong_edx.sandbox.openedx.app import is_global_staff
from pamong_edx.sandbox.openedx.grading import grading_for
from pamong_edx.sandbox.openedx.store import now_iso
from pamong_edx.sandbox.openedx.users import start_session

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

RESEARCH_ROLES = ("staff", "instructor", "data_researcher")
STARTED = "The {report_type} report is being created. To view the status of the report, see Pending Tasks below."
RUNNING = ("The {report_type} report is being created. To view the status of the report, see Pending Tasks below. "
           "You will be able to download the report when it is complete.")
TASKS = {  # task type -> (report type in messages, report file infix)
    "grade_course": ("grade", "grade_report"),
    "may_enroll_info_csv": ("enrollment", "may_enroll_info"),
}


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import ALL_AUTH, COURSE_ID, SESSION, View

    app.route("/api/user/v1/account/login_session/",
              View({"GET": login_form, "POST": partial(login_session, app)}, auth=(), login_required=False))
    legacy = dict(auth=(SESSION,), login_required=False, allow_inactive=True)
    base = f"/courses/{COURSE_ID}/instructor/api/"
    app.route(base + "calculate_grades_csv", View({"POST": partial(submit, app, "grade_course")}, **legacy))
    app.route(base + "get_students_who_may_enroll",
              View({"POST": partial(submit, app, "may_enroll_info_csv")}, **legacy))
    app.route(base + "list_report_downloads", View({"POST": partial(downloads, app)}, **legacy))
    app.route(f"/api/instructor/v1/reports/{COURSE_ID}",
              View({"GET": partial(downloads, app)}, auth=ALL_AUTH, allow_inactive=True))
    app.route(base + "v0/tasks", View({"GET": partial(running_tasks, app)}, auth=ALL_AUTH, allow_inactive=True))
    app.route(f"/api/instructor/v1/tasks/{COURSE_ID}",
              View({"GET": partial(running_tasks, app)}, auth=ALL_AUTH, allow_inactive=True))
    app.route("/grades/<hexid:course_hash>/<name>", View({"GET": partial(stored_file, app)}, auth=(),
                                                         login_required=False))


# -- session login -----------------------------------------------------------------------------------------

CSRF_FAILED = ("<h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p>"
               "<p>{reason}</p>")


def login_form(request: Request) -> Response:
    """LoginSessionView.get, under ensure_csrf_cookie: the form description, and a csrftoken cookie."""
    response = reply.json({"method": "post", "submit_url": "/api/user/v1/account/login_session/",
                           "fields": [{"name": "email", "type": "email"}, {"name": "password", "type": "password"}]})
    if not request.cookies.get("csrftoken"):
        response.set_cookie("csrftoken", secrets.token_hex(16), path="/")
    return response


def login_session(app: OpenEdxApp, request: Request) -> Response:
    # LoginSessionView.post is csrf_protect: the csrftoken cookie, and the same token in X-CSRFToken or the form
    cookie = request.cookies.get("csrftoken")
    sent = request.headers.get("X-CSRFToken") or request.form.get("csrfmiddlewaretoken")
    if not cookie or not sent or not secrets.compare_digest(cookie, sent):
        reason = "CSRF cookie not set." if not cookie else "CSRF token missing." if not sent else "CSRF token incorrect."
        return reply.html(403, CSRF_FAILED.format(reason=reason))
    form = {k: v[-1] for k, v in request.form_fields().items()}
    user = app.store.user_by_email(form.get("email") or "")
    row = app.store.db.one("SELECT password FROM users WHERE id = ?", (user.id,)) if user else None
    if user is None or not row["password"] or not secrets.compare_digest(row["password"], form.get("password") or ""):
        return reply.json({"success": False, "value": "Email or password is incorrect.",
                           "error_code": "incorrect-email-or-password"}, 400)
    if not user.is_active:
        return reply.json({"success": False, "value": "In order to sign in, you need to activate your account.",
                           "error_code": "inactive-user"}, 400)
    return start_session(app, user.id, reply.json({"success": True, "redirect_url": "/dashboard"}))


# -- report tasks ------------------------------------------------------------------------------------------

def _can_research(app: OpenEdxApp, request: Request, course_id: str) -> bool:
    user = request.context.get("user")
    return user is not None and (is_global_staff(request) or app.store.has_role(user, course_id, RESEARCH_ROLES))


def _bad_request(request: Request, message: str) -> Response:
    """common_exceptions_400: a JSON string for an AJAX or JSON-accepting caller, else plain text."""
    if (request.headers.get("Accept") or "").startswith("application/json") or \
            request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return reply.json(message, 400)
    return reply.html(400, html.escape(message))


def submit(app: OpenEdxApp, task_type: str, request: Request) -> Response:
    course_id = request.params["course_id"]
    if app.store.course(course_id) is None:
        return reply.html(404, "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>")
    if not _can_research(app, request, course_id):
        return reply.empty(403)
    report_type, _ = TASKS[task_type]
    task_id = str(uuid.uuid4())
    with app.store.db.write() as conn:
        if conn.execute("SELECT 1 FROM instructor_tasks WHERE course_id = ? AND task_type = ? AND state != 'SUCCESS'",
                        (course_id, task_type)).fetchone():
            running = True
        else:
            running = False
            conn.execute("INSERT INTO instructor_tasks (task_id, course_id, task_type, state, requester, created) "
                         "VALUES (?, ?, ?, 'QUEUING', ?, ?)",
                         (task_id, course_id, task_type, request.context["user"].username, now_iso()))
    if running:  # AlreadyRunningError
        return _bad_request(request, RUNNING.format(report_type=report_type))
    worker = threading.Thread(target=_run, args=(app, task_id, course_id, task_type), daemon=True,
                              name=f"report-{task_id[:8]}")
    app.imports.append(worker)
    worker.start()
    return reply.json({"status": STARTED.format(report_type=report_type)})


def _run(app: OpenEdxApp, task_id: str, course_id: str, task_type: str) -> None:
    # A worker's time grows with the course: report_step_s, plus report_s_per_1000 per thousand enrolments.
    learners = app.store.db.one("SELECT COUNT(*) AS n FROM enrollments WHERE course_id = ?", (course_id,))["n"]
    step = app.config.report_step_s + app.config.report_s_per_1000 * learners / 1000
    if app.closed.wait(step / 2):
        return
    with app.store.db.write() as conn:
        conn.execute("UPDATE instructor_tasks SET state = 'PROGRESS' WHERE task_id = ?", (task_id,))
    if app.closed.wait(step / 2):
        return
    rows = grade_rows(app, course_id) if task_type == "grade_course" else may_enroll_rows(app, course_id)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    key = CourseKey.parse(course_id)
    prefix = "_".join((key.org, key.number, key.run)) if key else course_id.replace("/", "_")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d-%H%M")
    name = f"{prefix}_{TASKS[task_type][1]}_{stamp}.csv"
    path = f"{course_hash(course_id)}/{name}"
    with app.store.db.write() as conn:
        conn.execute("INSERT OR REPLACE INTO reports (course_id, name, path, content, created) VALUES (?, ?, ?, ?, ?)",
                     (course_id, name, path, buffer.getvalue().encode("utf-8"), now_iso()))
        conn.execute("UPDATE instructor_tasks SET state = 'SUCCESS' WHERE task_id = ?", (task_id,))


def course_hash(course_id: str) -> str:
    """ReportStore's folder per course: the SHA-1 of the course key."""
    return hashlib.sha1(course_id.encode("utf-8")).hexdigest()


def grade_rows(app: OpenEdxApp, course_id: str) -> list[list]:
    """CourseGradeReport: one row per user with any enrolment in the course (active or not), by user id, emails
    unmasked. Per grading format: one column named after it holding the subsection's score when it has one
    subsection; else a column per subsection ("{type} {n}: {name}") and "{type} (Avg)" (the grader's average
    with drops; 0.0 for a learner who attempted nothing). An unattempted subsection is "Not Attempted"."""
    course = app.store.course(course_id)
    grading = grading_for(course["structure"])
    graders = {g["type"]: g for g in grading.graders}
    by_type: dict[str, list[dict]] = {}
    for sub in grading.graded():
        by_type.setdefault(sub["format"], []).append(sub)
    cohorted = app.store.db.one("SELECT is_cohorted FROM cohort_settings WHERE course_id = ?", (course_id,))
    cohorted = bool(cohorted and cohorted["is_cohorted"])
    header = ["Student ID", "Email", "Username", "Grade"]
    for kind, subs in by_type.items():
        if len(subs) > 1:
            header += [f"{kind} {n}: {sub['display_name']}" for n, sub in enumerate(subs, start=1)]
        header.append(f"{kind} (Avg)" if len(subs) > 1 else kind)
    header += (["Cohort Name"] if cohorted else []) + ["Enrollment Track", "Verification Status",
                                                       "Certificate Eligible", "Certificate Delivered",
                                                       "Certificate Type", "Enrollment Status"]
    scores: dict[int, dict[str, float]] = {}
    for r in app.store.db.all("SELECT user_id, module_id, earned, possible FROM subsection_grades "
                              "WHERE course_id = ?", (course_id,)):
        scores.setdefault(r["user_id"], {})[r["module_id"]] = r["earned"] / r["possible"] if r["possible"] else 0.0
    rows = [header]
    for learner in app.store.db.all(
            "SELECT e.mode, e.is_active, u.id, u.username, u.email, g.percent, g.passed, c.name AS cohort "
            "FROM enrollments e JOIN users u ON u.id = e.user_id "
            "LEFT JOIN grades g ON g.user_id = u.id AND g.course_id = e.course_id "
            "LEFT JOIN cohort_members m ON m.user_id = u.id AND m.course_id = e.course_id "
            "LEFT JOIN cohorts c ON c.id = m.cohort_id WHERE e.course_id = ? ORDER BY u.id", (course_id,)):
        mine = scores.get(learner["id"], {})
        row: list = [learner["id"], learner["email"], learner["username"], learner["percent"] or 0.0]
        for kind, subs in by_type.items():
            values = [mine.get(sub["module_id"]) for sub in subs]
            row += ["Not Attempted" if v is None else round(v, 2) for v in values]
            if len(subs) > 1:
                grader = graders.get(kind)
                row.append(round(grading.average(grader, [v or 0.0 for v in values]), 2) if grader and mine else 0.0)
        passed = bool(learner["passed"])
        row += ([learner["cohort"] or ""] if cohorted else []) + [
            learner["mode"], "N/A", "Y" if passed else "N", "N", "N/A",
            "enrolled" if learner["is_active"] else "unenrolled"]
        rows.append(row)
    return rows


def may_enroll_rows(app: OpenEdxApp, course_id: str) -> list[list]:
    """list_may_enroll: CourseEnrollmentAllowed of the course whose email has no active enrolment in it."""
    emails = app.store.db.all(
        "SELECT a.email FROM enrollment_allowed a WHERE a.course_id = ? AND NOT EXISTS (SELECT 1 FROM enrollments e "
        "JOIN users u ON u.id = e.user_id WHERE e.course_id = a.course_id AND e.is_active = 1 AND u.email = a.email "
        "COLLATE NOCASE) ORDER BY a.created, a.email", (course_id,))
    return [["email"]] + [[r["email"]] for r in emails]


# -- downloads ---------------------------------------------------------------------------------------------

def downloads(app: OpenEdxApp, request: Request) -> Response:
    course_id = request.params["course_id"]
    if app.store.course(course_id) is None:
        return reply.json({"detail": "Not found."}, 404)
    if not _can_research(app, request, course_id):
        return reply.empty(403)
    wanted = request.arg("report_name") if request.method == "GET" else request.form.get("report_name")
    rows = app.store.db.all("SELECT name, path FROM reports WHERE course_id = ? ORDER BY created DESC, id DESC",
                            (course_id,))
    listed = []
    for row in rows:
        if wanted is not None and row["name"] != wanted:
            continue
        url = request.absolute(f"/grades/{row['path']}")
        listed.append({"url": url, "name": row["name"], "link": f'<a href="{url}">{html.escape(row["name"])}</a>'})
    return reply.json({"downloads": listed})


def running_tasks(app: OpenEdxApp, request: Request) -> Response:
    course_id = request.params["course_id"]
    if not _can_research(app, request, course_id):
        return reply.empty(403)
    rows = app.store.db.all("SELECT * FROM instructor_tasks WHERE course_id = ? AND state != 'SUCCESS' ORDER BY id",
                            (course_id,))
    return reply.json({"tasks": [{
        "status": "Incomplete", "task_type": r["task_type"], "task_id": r["task_id"], "created": r["created"],
        "task_input": "{}", "requester": r["requester"], "task_state": r["state"], "duration_sec": "unknown",
        "task_message": "No status information available"} for r in rows]})


def stored_file(app: OpenEdxApp, request: Request) -> Response:
    row = app.store.db.one("SELECT content FROM reports WHERE path = ?",
                           (f"{request.params['course_hash']}/{request.params['name']}",))
    if row is None:
        return reply.html(404, "<h1>Not Found</h1>")
    return reply.body(200, bytes(row["content"]), "text/csv")
