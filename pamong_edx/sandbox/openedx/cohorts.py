"""Cohorts API (spec section 7): settings, a silently paged bare-array list, users."""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.sandbox.core.http import Request, Response, abort, reply
from pamong_edx.sandbox.openedx import paging
from pamong_edx.sandbox.openedx.app import is_global_staff
from pamong_edx.sandbox.openedx.users import EMAIL

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

FORUM_ROLES = ("Administrator", "Moderator", "Community TA")
ASSIGNMENT_TYPES = ("manual", "random")


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import COURSE_ID, View

    permission = partial(staff_or_forum_reader, app)
    view = dict(allow_inactive=True, permission=permission)
    base = f"/api/cohorts/v1/courses/{COURSE_ID}/cohorts/"
    app.route(f"/api/cohorts/v1/settings/{COURSE_ID}",
              View({"GET": partial(get_settings, app), "PUT": partial(put_settings, app)}, **view))
    app.route((base + "<digits:cohort_id>/users/", base + "<digits:cohort_id>/users/<path:username>"),
              View({"GET": partial(list_users, app), "POST": partial(add_users, app),
                    "DELETE": partial(remove_user, app)}, **view),
              name="/api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}/users/{username}")
    app.route((base, base + "<digits:cohort_id>"),
              View({"GET": partial(get_cohorts, app), "POST": partial(create_cohort, app),
                    "PATCH": partial(patch_cohort, app)}, **view),
              name="/api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}")


def staff_or_forum_reader(app: OpenEdxApp, request: Request) -> None:
    """IsStaffOrAdmin: global staff; forum moderators, admins and community TAs may only read."""
    if is_global_staff(request):
        return
    user = request.context.get("user")
    course_id = request.params.get("course_id", "")
    if request.method == "GET" and user is not None and app.store.has_role(user, course_id, FORUM_ROLES):
        return
    abort(reply.json({"detail": "You do not have permission to perform this action."}, 403))


def _course(app: OpenEdxApp, request: Request) -> str:
    course_id = request.params["course_id"]
    if app.store.course(course_id) is None:
        abort(reply.json({"developer_message": f"Course {course_id} not found.",
                                   "error_code": "course-not-found"}, 404))
    return course_id


def _cohort_json(conn: sqlite3.Connection, row: sqlite3.Row) -> dict:
    count = conn.execute("SELECT COUNT(*) FROM cohort_members WHERE cohort_id = ?", (row["id"],)).fetchone()[0]
    return {"name": row["name"], "id": row["id"], "user_count": count, "assignment_type": row["assignment_type"],
            "user_partition_id": None, "group_id": None}


def _cohort(app: OpenEdxApp, request: Request, course_id: str) -> sqlite3.Row:
    row = app.store.db.one("SELECT * FROM cohorts WHERE id = ? AND course_id = ?",
                           (int(request.params["cohort_id"]), course_id))
    if row is None:
        abort(reply.json({"developer_message": "The course does not have a cohort with this ID.",
                                   "error_code": "cohort-not-found"}, 404))
    return row


def get_settings(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)
    with app.store.db.write() as conn:
        row = app.store.cohort_settings_id(conn, course_id)
    return reply.json({"id": row["id"], "is_cohorted": bool(row["is_cohorted"])})


def put_settings(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)
    body = request.json_body()
    value = body.get("is_cohorted") if isinstance(body, dict) else None
    if not isinstance(value, bool):
        return reply.json({"developer_message": "Bad Request: is_cohorted must be a boolean",
                              "error_code": "missing-is_cohorted"}, 400)
    with app.store.db.write() as conn:
        row = app.store.cohort_settings_id(conn, course_id)
        conn.execute("UPDATE cohort_settings SET is_cohorted = ? WHERE id = ?", (int(value), row["id"]))
    return reply.json({"id": row["id"], "is_cohorted": value})


def get_cohorts(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)
    conn = app.store.db.conn()
    if "cohort_id" in request.params:
        return reply.json(_cohort_json(conn, _cohort(app, request, course_id)))
    rows = conn.execute("SELECT * FROM cohorts WHERE course_id = ? ORDER BY id", (course_id,)).fetchall()
    # A bare array, yet paged: 10 per page unless page_size says otherwise (at most 100).
    chunk, *_ = paging.slice_page(rows, request, 10)
    return reply.json([_cohort_json(conn, r) for r in chunk])


def create_cohort(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)
    if "cohort_id" in request.params:
        return reply.json({"detail": 'Method "POST" not allowed.'}, 405)
    body = request.json_body()
    body = body if isinstance(body, dict) else {}
    if not body.get("name"):
        return reply.json({"developer_message": "Missing cohort name", "error_code": "missing-cohort-name"}, 400)
    if not body.get("assignment_type"):
        return reply.json({"developer_message": "Missing assignment type",
                              "error_code": "missing-assignment-type"}, 400)
    if body["assignment_type"] not in ASSIGNMENT_TYPES:
        return reply.json({"developer_message": "Invalid assignment type",
                              "error_code": "invalid-assignment-type"}, 400)
    try:
        with app.store.db.write() as conn:
            cursor = conn.execute("INSERT INTO cohorts (course_id, name, assignment_type) VALUES (?, ?, ?)",
                                  (course_id, body["name"], body["assignment_type"]))
            row = conn.execute("SELECT * FROM cohorts WHERE id = ?", (cursor.lastrowid,)).fetchone()
            answer = _cohort_json(conn, row)
    except sqlite3.IntegrityError:
        # add_cohort raises ValueError on a duplicate name and this view does not catch it.
        return reply.html(500, "<h1>Server Error (500)</h1>")
    return reply.json(answer)  # 200, not 201


def patch_cohort(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)
    if "cohort_id" not in request.params:
        return reply.json({"detail": 'Method "PATCH" not allowed.'}, 405)
    row = _cohort(app, request, course_id)
    body = request.json_body()
    body = body if isinstance(body, dict) else {}
    if "name" not in body and "assignment_type" not in body:
        return reply.json({"developer_message": "Request requires name or assignment_type",
                              "error_code": "missing-fields"}, 400)
    if body.get("assignment_type") not in (None, *ASSIGNMENT_TYPES):
        return reply.json({"developer_message": "Invalid assignment type",
                              "error_code": "invalid-assignment-type"}, 400)
    with app.store.db.write() as conn:
        conn.execute("UPDATE cohorts SET name = ?, assignment_type = ? WHERE id = ?",
                     (body.get("name") or row["name"], body.get("assignment_type") or row["assignment_type"], row["id"]))
    return reply.empty(204, "application/json")


def list_users(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)
    row = _cohort(app, request, course_id)
    users = app.store.db.all(
        "SELECT u.username, u.email, u.name FROM cohort_members m JOIN users u ON u.id = m.user_id "
        "WHERE m.cohort_id = ? ORDER BY u.username", (row["id"],))
    items = [{"username": u["username"], "email": u["email"], "name": u["name"]} for u in users]
    return paging.default_page(items, request, 10)


def add_users(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)
    cohort = _cohort(app, request, course_id)
    if request.params.get("username"):
        wanted = [request.params["username"]]
    else:
        body = request.json_body()
        wanted = body.get("users") if isinstance(body, dict) else None
        if not isinstance(wanted, list):
            return reply.json({"developer_message": "Missing users key in payload", "error_code": "missing-users"},
                                 400)
    answer: dict[str, list] = {k: [] for k in ("added", "changed", "present", "unknown", "preassigned", "invalid")}
    with app.store.db.write() as conn:
        for name in (str(w) for w in wanted):
            column = "email" if "@" in name else "username"
            user = conn.execute(f"SELECT id, username, email FROM users WHERE {column} = ?", (name,)).fetchone()
            if user is None:
                if "@" not in name:
                    answer["unknown"].append(name)
                elif not EMAIL.match(name):
                    answer["invalid"].append(name)
                else:
                    conn.execute("INSERT OR REPLACE INTO cohort_preassigned VALUES (?, ?, ?)",
                                 (name, course_id, cohort["id"]))
                    answer["preassigned"].append(name)
                continue
            current = conn.execute("SELECT m.cohort_id, c.name FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id "
                                   "WHERE m.user_id = ? AND m.course_id = ?", (user["id"], course_id)).fetchone()
            if current is not None and current["cohort_id"] == cohort["id"]:
                answer["present"].append(name)
                continue
            conn.execute("INSERT OR REPLACE INTO cohort_members VALUES (?, ?, ?)", (user["id"], course_id, cohort["id"]))
            entry = {"username": user["username"], "email": user["email"]}
            if current is not None:
                answer["changed"].append({**entry, "previous_cohort": current["name"]})
            else:
                answer["added"].append(entry)
    return reply.json({"success": True, **answer})


def remove_user(app: OpenEdxApp, request: Request) -> Response:
    course_id = _course(app, request)
    cohort = _cohort(app, request, course_id)
    username = request.params.get("username")
    user = app.store.user_by_username(username or "")
    if user is None:
        return reply.json({"developer_message": f"User {username} does not exist.",
                              "error_code": "user-not-found"}, 404)
    with app.store.db.write() as conn:
        conn.execute("DELETE FROM cohort_members WHERE user_id = ? AND cohort_id = ?", (user.id, cohort["id"]))
    return reply.empty(204, "application/json")
