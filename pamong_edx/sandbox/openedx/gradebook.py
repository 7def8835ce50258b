"""Gradebook API (lms/djangoapps/grades/rest_api/v1/gradebook_views.py): per-subsection scores and grading info.

    GET /api/grades/v1/gradebook/{course_id}/              cursor-paged by enrolment id (page_size 50, no
                                                           maximum), with total_users_count; ?username= gives one
                                                           entry; ?cohort_id= filters
    GET /api/grades/v1/gradebook/{course_id}/grading-info  grade_cutoffs, assignment_types, subsections

Both need course author access (global staff, or course staff/instructor: else 403 user_permissions) and the
gradebook needs the writable-gradebook feature (else 403 feature_not_enabled). Emails are hidden as in the
grades API. A course's grading (its formats, cutoff and graded subsections) is what was set for it
(`set_grading`, or the simulated learners' default); without one it has the platform's default policy and
no graded subsection.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.sandbox.core.web import Request, Response
from pamong_edx.sandbox.openedx import paging
from pamong_edx.sandbox.openedx.app import caller, is_global_staff

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

PAGE_SIZE = 50
SCHEMA = """
CREATE TABLE IF NOT EXISTS course_grading (
    course_id TEXT PRIMARY KEY, cutoffs TEXT NOT NULL, formats TEXT NOT NULL, subsections TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subsection_grades (
    user_id INTEGER NOT NULL, course_id TEXT NOT NULL, module_id TEXT NOT NULL, earned REAL NOT NULL,
    possible REAL NOT NULL, modified TEXT NOT NULL, PRIMARY KEY (user_id, course_id, module_id)) WITHOUT ROWID;
"""
# xmodule's default grading policy: what a course has until its own is set.
DEFAULT_FORMATS = [
    {"type": "Homework", "short_label": "HW", "min_count": 12, "drop_count": 2, "weight": 0.15},
    {"type": "Lab", "short_label": "Lab", "min_count": 12, "drop_count": 2, "weight": 0.15},
    {"type": "Midterm Exam", "short_label": "Midterm", "min_count": 1, "drop_count": 0, "weight": 0.3},
    {"type": "Final Exam", "short_label": "Final", "min_count": 1, "drop_count": 0, "weight": 0.4},
]
DEFAULT_CUTOFFS = {"Pass": 0.5}


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import COURSE_ID, View

    app.store.db.conn().executescript(SCHEMA)
    app.route(rf"/api/grades/v1/gradebook/{COURSE_ID}/", View({"GET": partial(gradebook, app)}, throttle=True))
    app.route(rf"/api/grades/v1/gradebook/{COURSE_ID}/grading-info",
              View({"GET": partial(grading_info, app)}, throttle=True))


def set_grading(app: OpenEdxApp, course_id: str, formats: list[dict], cutoffs: dict[str, float],
                subsections: list[dict]) -> None:
    """subsections: [{"id", "display_name", "format"}], in course order; a format makes one graded."""
    with app.store.db.write() as conn:
        conn.execute("INSERT OR REPLACE INTO course_grading VALUES (?, ?, ?, ?)",
                     (course_id, json.dumps(cutoffs), json.dumps(formats), json.dumps(subsections)))


def grading(app: OpenEdxApp, course_id: str) -> tuple[dict, list[dict], list[dict]]:
    row = app.store.db.one("SELECT * FROM course_grading WHERE course_id = ?", (course_id,))
    if row is None:
        return DEFAULT_CUTOFFS, DEFAULT_FORMATS, []
    return json.loads(row["cutoffs"]), json.loads(row["formats"]), json.loads(row["subsections"])


def usage_key(course_id: str, block_id: str) -> str:
    key = CourseKey.parse(course_id)
    return f"block-v1:{key.org}+{key.number}+{key.run}+type@sequential+block@{block_id}" if key else block_id


def _error(status: int, code: str, message: str) -> Response:
    return Response.json({"developer_message": message, "error_code": code}, status)


def _check(app: OpenEdxApp, request: Request) -> tuple[str, Response | None]:
    course_id = request.params.get("course_id", "")
    if CourseKey.parse(course_id) is None or app.store.course(course_id) is None:
        return course_id, _error(404, "course_does_not_exist", f"Requested grade for unknown course {course_id}")
    user = caller(request)
    if not (is_global_staff(request) or (user and app.store.has_role(user, course_id, ("staff", "instructor")))):
        return course_id, _error(403, "user_permissions",
                                 "The requesting user does not have course author permissions.")
    return course_id, None


def grading_info(app: OpenEdxApp, request: Request) -> Response:
    course_id, refusal = _check(app, request)
    if refusal:
        return refusal
    _simulated(app, course_id)
    cutoffs, formats, subsections = grading(app, course_id)
    graded_only = (request.arg("graded_only") or "").lower() in ("true", "1")
    labels: dict[str, int] = {}
    items = []
    for sub in subsections:
        fmt = sub.get("format") or ""
        short = None
        if fmt:
            labels[fmt] = labels.get(fmt, 0) + 1
            label = next((f["short_label"] for f in formats if f["type"] == fmt), fmt)
            short = f"{label} {labels[fmt]:02d}"
        elif graded_only:
            continue
        items.append({"assignment_type": fmt or None, "graded": bool(fmt), "short_label": short,
                      "module_id": usage_key(course_id, sub["id"]), "display_name": sub.get("display_name", "")})
    return Response.json({
        "grade_cutoffs": cutoffs,
        "assignment_types": {f["type"]: {"type": f["type"], "short_label": f["short_label"],
                                         "min_count": f.get("min_count", 1), "drop_count": f.get("drop_count", 0),
                                         "weight": f["weight"]} for f in formats},
        "subsections": items, "grades_frozen": False, "can_see_bulk_management": False,
    })


def gradebook(app: OpenEdxApp, request: Request) -> Response:
    course_id, refusal = _check(app, request)
    if refusal:
        return refusal
    if not app.config.writable_gradebook:
        return _error(403, "feature_not_enabled", "The writable gradebook feature is not enabled for this course.")
    _simulated(app, course_id)
    sql = ("SELECT e.id, u.id AS user_id, u.username, u.name, e.mode, g.percent, g.passed, g.letter_grade "
           "FROM enrollments e JOIN users u ON u.id = e.user_id LEFT JOIN grades g ON g.user_id = e.user_id "
           "AND g.course_id = e.course_id WHERE e.course_id = ? AND e.is_active = 1")
    args: list = [course_id]
    username = request.arg("username")
    if username:
        row = app.store.db.one(sql + " AND u.username = ?", (course_id, username))
        if row is None:
            exists = app.store.user_by_username(username) is not None
            return _error(404, "user_not_enrolled" if exists else "user_does_not_exist",
                          "The user matching the requested username is not enrolled in this course" if exists
                          else "The user matching the requested username does not exist.")
        return Response.json(_entry(app, course_id, row, _graded(app, course_id), _scores(app, course_id, [row])))
    cohort = request.arg("cohort_id")
    if cohort:
        sql += " AND e.user_id IN (SELECT user_id FROM cohort_members WHERE cohort_id = ?)"
        args.append(int(cohort) if cohort.isdigit() else -1)
    total = app.store.db.one("SELECT count(*) AS n FROM enrollments WHERE course_id = ? AND is_active = 1",
                             (course_id,))["n"]
    filtered = app.store.db.one(f"SELECT count(*) AS n FROM ({sql})", tuple(args))["n"] if cohort else total
    size = paging.page_size(request, PAGE_SIZE, maximum=10**9)  # CourseEnrollmentPagination sets no maximum
    rows = app.store.db.all(sql + f" AND e.id > ? ORDER BY e.id LIMIT {size + 1}",
                            (*args, paging.decode_cursor(request)))
    graded = _graded(app, course_id)
    scores = _scores(app, course_id, rows[:size])
    response = paging.cursor_page([(r["id"], _entry(app, course_id, r, graded, scores)) for r in rows], request, size)
    body = json.loads(response.body)
    body.update(total_users_count=total, filtered_users_count=filtered)
    return Response.json(body)


def _graded(app: OpenEdxApp, course_id: str) -> list[tuple[str, dict, str]]:
    """(usage key, subsection, short label) of the graded subsections, in course order."""
    _cutoffs, formats, subsections = grading(app, course_id)
    labels: dict[str, int] = {}
    graded = []
    for sub in subsections:
        fmt = sub.get("format")
        if not fmt:
            continue
        labels[fmt] = labels.get(fmt, 0) + 1
        label = next((f["short_label"] for f in formats if f["type"] == fmt), fmt)
        graded.append((usage_key(course_id, sub["id"]), sub, f"{label} {labels[fmt]:02d}"))
    return graded


def _scores(app: OpenEdxApp, course_id: str, rows: list) -> dict[tuple[int, str], tuple[float, float]]:
    ids = [r["user_id"] for r in rows]
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {(r["user_id"], r["module_id"]): (r["earned"], r["possible"]) for r in app.store.db.all(
        f"SELECT user_id, module_id, earned, possible FROM subsection_grades WHERE course_id = ? "
        f"AND user_id IN ({marks})", (course_id, *ids))}


def _entry(app: OpenEdxApp, course_id: str, row, graded, scores) -> dict:  # noqa: ANN001
    breakdown = []
    for module_id, sub, label in graded:
        earned, possible = scores.get((row["user_id"], module_id), (None, None))
        attempted = earned is not None
        breakdown.append({
            "attempted": attempted, "category": sub["format"], "label": label, "module_id": module_id,
            "percent": (earned / possible if attempted and possible else 0.0),
            "score_earned": earned if attempted else 0, "score_possible": possible if attempted else 0,
            "subsection_name": sub.get("display_name", ""),
        })
    return {
        "username": row["username"], "email": "", "course_id": course_id, "passed": bool(row["passed"]),
        "percent": row["percent"] or 0.0, "letter_grade": row["letter_grade"], "user_id": row["user_id"],
        "full_name": row["name"], "progress_page_url": f"/courses/{course_id}/progress/{row['user_id']}/",
        "section_breakdown": breakdown,
    }


def _simulated(app: OpenEdxApp, course_id: str) -> None:
    from pamong_edx.sandbox.openedx.simulate import before_grade_read

    before_grade_read(app, course_id)
