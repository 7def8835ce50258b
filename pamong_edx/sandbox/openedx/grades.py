"""Grades API (spec section 8): cursor-paged by enrolment id, page_size 50; ?username= gives one-element list."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.sandbox.core.http import Request, Response, reply
from pamong_edx.sandbox.openedx import paging
from pamong_edx.sandbox.openedx.app import is_global_staff

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

PAGE_SIZE = 50


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import COURSE_ID, View

    app.route(f"/api/grades/v1/courses/{COURSE_ID}/", View({"GET": partial(course_grades, app)}))
    app.route("/api/grades/v1/courses/", View({"GET": partial(course_grades, app)}))


def _error(status: int, code: str, message: str) -> Response:
    return reply.json({"developer_message": message, "error_code": code}, status)


def course_grades(app: OpenEdxApp, request: Request) -> Response:
    course_id = request.params.get("course_id") or request.arg("course_id") or ""
    if CourseKey.parse(course_id) is None or app.store.course(course_id) is None:
        return _error(404, "course_does_not_exist", f"Requested grade for unknown course {course_id}")
    me = request.context["user"]
    username = request.arg("username")
    if not is_global_staff(request) and username != me.username:
        return reply.json({"detail": "You do not have permission to perform this action."}, 403)
    sql = ("SELECT e.id, u.username, u.email, e.mode, g.percent, g.passed, g.letter_grade FROM enrollments e "
           "JOIN users u ON u.id = e.user_id LEFT JOIN grades g ON g.user_id = e.user_id AND g.course_id = e.course_id "
           "WHERE e.course_id = ? AND e.is_active = 1")
    if username:
        user = app.store.user_by_username(username)
        if user is None:
            return _error(404, "user_does_not_exist", f"The user matching the requested username ({username}) "
                                                      "does not exist.")
        row = app.store.db.one(sql + " AND e.user_id = ?", (course_id, user.id))
        if row is None:
            return _error(404, "user_not_enrolled", f"The user {username} is not enrolled in {course_id}.")
        return reply.json([_grade(row, course_id)])
    size = paging.page_size(request, PAGE_SIZE)
    rows = app.store.db.all(sql + f" AND e.id > ? ORDER BY e.id LIMIT {size + 1}",
                            (course_id, paging.decode_cursor(request)))
    return paging.cursor_page([(r["id"], _grade(r, course_id)) for r in rows], request, size)


def _grade(row, course_id: str) -> dict:  # noqa: ANN001 - a sqlite3.Row
    percent = row["percent"] or 0.0
    return {
        "username": row["username"],
        "email": row["email"] if row["mode"] == "masters" else "",  # "" unless the mode is masters
        "course_id": course_id,
        "passed": bool(row["passed"]),
        "percent": percent,
        "letter_grade": row["letter_grade"],
    }
