"""Grades API and gradebook (spec section 8; lms/djangoapps/grades/rest_api/v1/{views,gradebook_views,utils}.py).

    GET /api/grades/v1/courses/{course_id}/             CourseGradesView: cursor by enrolment id, page_size 50
    GET /api/grades/v1/courses/?course_id=              (no maximum), ?username= gives a one-element list
    GET /api/grades/v1/gradebook/{course_id}/           GradebookView: per-subsection scores, the same cursor,
                                                        plus total_users_count and filtered_users_count;
                                                        ?cohort_id= keeps one cohort's members (none for an
                                                        unknown cohort)
    GET /api/grades/v1/gradebook/{course_id}/grading-info   CourseGradingView: cutoffs, assignment types,
                                                        subsections with their short labels
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.sandbox.core.http import Request, Response, abort, reply
from pamong_edx.sandbox.openedx import paging
from pamong_edx.sandbox.openedx.app import is_global_staff
from pamong_edx.sandbox.openedx.grading import Grading, grading_for

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

PAGE_SIZE = 50
ENROLLED = ("SELECT e.id, e.mode, u.id AS user_id, u.username, u.email, u.name, g.percent, g.passed, g.letter_grade "
            "FROM enrollments e JOIN users u ON u.id = e.user_id "
            "LEFT JOIN grades g ON g.user_id = e.user_id AND g.course_id = e.course_id "
            "WHERE e.course_id = ? AND e.is_active = 1")


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import COURSE_ID, View

    app.route(f"/api/grades/v1/courses/{COURSE_ID}/", View({"GET": partial(course_grades, app)}, allow_inactive=True))
    app.route("/api/grades/v1/courses/", View({"GET": partial(course_grades, app)}, allow_inactive=True))
    app.route(f"/api/grades/v1/gradebook/{COURSE_ID}/", View({"GET": partial(gradebook, app)}))
    app.route(f"/api/grades/v1/gradebook/{COURSE_ID}/grading-info", View({"GET": partial(grading_info, app)}))


def _error(status: int, code: str, message: str) -> Response:
    return reply.json({"developer_message": message, "error_code": code}, status)


def _course(app: OpenEdxApp, request: Request) -> sqlite3.Row:
    course_id = request.params.get("course_id") or request.arg("course_id") or ""
    course = app.store.course(course_id) if CourseKey.parse(course_id) else None
    if course is None:
        abort(_error(404, "course_does_not_exist", f"Requested grade for unknown course {course_id}"))
    return course


def _page_size(request: Request) -> int:
    """CourseEnrollmentPagination.get_page_size: any integer page_size, no maximum."""
    try:
        size = int(request.arg("page_size") or PAGE_SIZE)
    except ValueError:
        return PAGE_SIZE
    return size if size > 0 else PAGE_SIZE


def _single_user(app: OpenEdxApp, course_id: str, username: str) -> sqlite3.Row:
    """GradeViewMixin._get_user_or_raise: any enrolment (active or not) makes the user gradable."""
    user = app.store.user_by_username(username)
    if user is None:
        abort(_error(404, "user_does_not_exist", "The user matching the requested username does not exist."))
    row = app.store.db.one(ENROLLED.replace("AND e.is_active = 1", "AND e.user_id = ?"), (course_id, user.id))
    if row is None:
        abort(_error(404, "user_not_enrolled", "The user matching the requested username is not enrolled in this "
                                               "course"))
    return row


def _grade(row: sqlite3.Row, course_id: str, *, with_email: bool) -> dict:
    return {
        "username": row["username"],
        # per business requirements, email only for the masters track; the single-user form never has the mode
        "email": row["email"] if with_email and row["mode"] == "masters" else "",
        "course_id": course_id,
        "passed": bool(row["passed"]),
        "percent": row["percent"] or 0.0,
        "letter_grade": row["letter_grade"],
    }


def _page(app: OpenEdxApp, request: Request, course_id: str, where: str = "", args: tuple = ()
          ) -> tuple[list[sqlite3.Row], int]:
    size = _page_size(request)
    rows = app.store.db.all(ENROLLED + where + f" AND e.id > ? ORDER BY e.id LIMIT {size + 1}",
                            (course_id, *args, paging.decode_cursor(request)))
    return rows, size


def course_grades(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)["course_id"]
    me = request.context["user"]
    username = request.arg("username")
    # JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS: global staff, or a user asking about themself.
    if not is_global_staff(request) and username != me.username:
        return reply.json({"detail": "You do not have permission to perform this action."}, 403)
    if username:
        return reply.json([_grade(_single_user(app, course_id, username), course_id, with_email=False)])
    rows, size = _page(app, request, course_id)
    return paging.cursor_page([(r["id"], _grade(r, course_id, with_email=True)) for r in rows], request, size)


# -- gradebook ---------------------------------------------------------------------------------------------

def _course_author(app: OpenEdxApp, request: Request, course_id: str) -> None:
    user = request.context["user"]
    if is_global_staff(request) or app.store.has_role(user, course_id, ("staff", "instructor")):
        return
    abort(_error(403, "user_permissions", "The requesting user does not have course author permissions."))


def gradebook(app: OpenEdxApp, request: Request) -> Response:
    course = _course(app, request)
    course_id = course["course_id"]
    if not app.config.writable_gradebook:  # verify_writable_gradebook_enabled
        return _error(403, "feature_not_enabled", "The writable gradebook feature is not enabled for this course.")
    _course_author(app, request, course_id)
    grading = grading_for(course["structure"])
    if request.arg("username"):
        row = _single_user(app, course_id, request.arg("username") or "")
        return reply.json(_entry(app, grading, course_id, row))
    where, args = "", ()
    if request.arg("cohort_id") is not None:  # cohorts.get_cohort_by_id; an unknown cohort filters everyone out
        cohort = request.arg("cohort_id") or ""
        where = " AND e.user_id IN (SELECT m.user_id FROM cohort_members m WHERE m.course_id = e.course_id " \
                "AND m.cohort_id = ?)"
        args = (int(cohort) if cohort.isdigit() else -1,)
    rows, size = _page(app, request, course_id, where, args)
    scores = _scores(app, course_id, [r["user_id"] for r in rows[:size]])
    entries = [(r["id"], _entry(app, grading, course_id, r, scores.get(r["user_id"], {}))) for r in rows]
    count = "SELECT COUNT(*) AS n FROM enrollments e WHERE e.course_id = ? AND e.is_active = 1"
    total = app.store.db.one(count, (course_id,))["n"]
    filtered = app.store.db.one(count + where, (course_id, *args))["n"] if where else total
    return paging.cursor_page(entries, request, size, total_users_count=total, filtered_users_count=filtered)


def _scores(app: OpenEdxApp, course_id: str, user_ids: list[int]) -> dict[int, dict[str, sqlite3.Row]]:
    """user -> module -> score, for a page of learners in one query (bulk_gradebook_view_context prefetches)."""
    out: dict[int, dict[str, sqlite3.Row]] = {}
    if user_ids:
        marks = ",".join("?" * len(user_ids))
        for r in app.store.db.all(f"SELECT * FROM subsection_grades WHERE course_id = ? AND user_id IN ({marks})",
                                  (course_id, *user_ids)):
            out.setdefault(r["user_id"], {})[r["module_id"]] = r
    return out


def _entry(app: OpenEdxApp, grading: Grading, course_id: str, row: sqlite3.Row,
           scores: dict[str, sqlite3.Row] | None = None) -> dict:
    """StudentGradebookEntrySerializer: passed, letter grade and course id are computed but not serialized."""
    if scores is None:
        scores = _scores(app, course_id, [row["user_id"]]).get(row["user_id"], {})
    labels = grading.labels()
    breakdown = []
    for sub in grading.graded():
        score = scores.get(sub["module_id"])
        attempted = score is not None
        earned, possible = (score["earned"], score["possible"]) if attempted else (0.0, 0.0)
        breakdown.append({
            "attempted": attempted, "category": sub["format"], "label": labels[sub["module_id"]],
            "module_id": sub["module_id"], "percent": round(earned / possible, 2) if possible else 0.0,
            "score_earned": earned, "score_possible": possible, "subsection_name": sub["display_name"],
        })
    return {"user_id": row["user_id"], "username": row["username"], "full_name": row["name"],
            "email": row["email"] if row["mode"] == "masters" else "", "percent": row["percent"] or 0.0,
            "section_breakdown": breakdown}


def grading_info(app: OpenEdxApp, request: Request) -> Response:
    course = _course(app, request)
    _course_author(app, request, course["course_id"])
    grading = grading_for(course["structure"])
    graded_only = (request.arg("graded_only") or "").lower() in ("true", "1", "yes", "on")
    labels = grading.labels()
    subsections = [{"assignment_type": s["format"], "graded": s["graded"],
                    "short_label": labels.get(s["module_id"]) if s["graded"] else None,
                    "module_id": s["module_id"], "display_name": s["display_name"]}
                   for s in grading.subsections if s["visible"] and (s["graded"] or not graded_only)]
    return reply.json({
        "grade_cutoffs": grading.cutoffs,
        "assignment_types": {g["type"]: {"type": g["type"], "short_label": g.get("short_label") or g["type"],
                                         "min_count": g.get("min_count", 0), "drop_count": g.get("drop_count", 0),
                                         "weight": g.get("weight", 0)} for g in grading.graders},
        "subsections": subsections,
        "grades_frozen": False,
        "can_see_bulk_management": "masters" in app.store.course_modes(course["course_id"]),
    })
