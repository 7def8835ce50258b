"""Enrollment API (spec section 5) and bulk enroll with CourseEnrollmentAllowed (section 6)."""

from __future__ import annotations

import re
import sqlite3
from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.sandbox.core.http import Request, Response, abort, reply
from pamong_edx.sandbox.openedx import paging
from pamong_edx.sandbox.openedx.store import User, now_iso
from pamong_edx.sandbox.openedx.users import EMAIL

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

FREE_MODES = {"audit", "honor", None}
SPLIT = re.compile(r"[\s,]+")
TRUE = {"true", "True", "TRUE", "1", "t", "T", "on", "yes", "y"}
FALSE = {"false", "False", "FALSE", "0", "f", "F", "off", "no", "n", ""}


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import ALL_AUTH, BEARER, COURSE_ID, JWT, View, require_staff

    enrollment_view = dict(auth=ALL_AUTH, allow_inactive=True, throttle=True, api_key=True)
    app.route("/api/enrollment/v1/enrollment",
              View({"GET": partial(my_enrollments, app), "POST": partial(create_enrollment, app)}, **enrollment_view))
    app.route(f"/api/enrollment/v1/enrollment/<username:username>,{COURSE_ID}",
              View({"GET": partial(one_enrollment, app)}, **enrollment_view))
    app.route(f"/api/enrollment/v1/enrollment/{COURSE_ID}",
              View({"GET": partial(one_enrollment, app)}, **enrollment_view))
    app.route(("/api/enrollment/v1/enrollments", "/api/enrollment/v1/enrollments/"), View({"GET": partial(all_enrollments, app)},
                                                        permission=require_staff, api_key=True),
              name="/api/enrollment/v1/enrollments/")
    app.route(f"/api/enrollment/v1/course/{COURSE_ID}",
              View({"GET": partial(course_details_view, app)}, auth=(), login_required=False))
    app.route("/api/bulk_enroll/v1/bulk_enroll",
              View({"POST": partial(bulk_enroll, app)}, auth=(JWT, BEARER), permission=require_staff, throttle=True,
                   enabled=lambda: app.config.bulk_enroll_enabled))


def privileged(request: Request) -> bool:
    user: User | None = request.context.get("user")
    return bool(request.context.get("api_key")) or (user is not None and (user.is_staff or user.is_superuser))


def course_details(app: OpenEdxApp, course: sqlite3.Row) -> dict:
    modes = app.store.course_modes(course["course_id"]) or ["audit"]
    return {
        "course_id": course["course_id"], "course_name": course["title"],
        "enrollment_start": course["enrollment_start"], "enrollment_end": course["enrollment_end"],
        "course_start": course["start"], "course_end": course["end"], "invite_only": bool(course["invite_only"]),
        "course_modes": [{"slug": m, "name": m.title(), "min_price": 0, "suggested_prices": "", "currency": "usd",
                          "expiration_datetime": None, "description": None, "sku": None, "bulk_sku": None}
                         for m in modes],
    }


def enrollment_json(app: OpenEdxApp, row: sqlite3.Row, username: str) -> dict:
    course = app.store.course(row["course_id"])
    return {"created": row["created"], "mode": row["mode"], "is_active": bool(row["is_active"]),
            "course_details": course_details(app, course) if course else {"course_id": row["course_id"]},
            "user": username}


def course_details_view(app: OpenEdxApp, request: Request) -> Response:
    course = app.store.course(request.params["course_id"])
    if course is None:
        return reply.json({"message": f"No course found for course ID '{request.params['course_id']}'"}, 400)
    return reply.json(course_details(app, course))


def my_enrollments(app: OpenEdxApp, request: Request) -> Response:
    me: User = request.context["user"]
    wanted = request.arg("user") or (me.username if me else None)
    user = app.store.user_by_username(wanted or "")
    if user is None:
        return reply.json([])
    rows = app.store.db.all("SELECT * FROM enrollments WHERE user_id = ? ORDER BY id", (user.id,))
    if not privileged(request) and user.id != me.id:
        # another user's list, only for the courses where the caller is course staff
        rows = [r for r in rows if app.store.has_role(me, r["course_id"], ("staff", "instructor"))]
    return reply.json([enrollment_json(app, r, user.username) for r in rows])


def one_enrollment(app: OpenEdxApp, request: Request) -> Response:
    me: User | None = request.context["user"]
    username = request.params.get("username") or (me.username if me else "")
    if (me is None or username != me.username) and not privileged(request):
        return reply.empty(404)
    user = app.store.user_by_username(username)
    row = None
    if user is not None:
        row = app.store.db.one("SELECT * FROM enrollments WHERE user_id = ? AND course_id = ?",
                               (user.id, request.params["course_id"]))
    if row is None:
        return reply.json(None)  # 200 with a JSON null
    return reply.json(enrollment_json(app, row, username))


def create_enrollment(app: OpenEdxApp, request: Request) -> Response:
    me: User | None = request.context["user"]
    data = request.data()
    username = data.get("user") or (me.username if me else None)
    course_id = (data.get("course_details") or {}).get("course_id") if isinstance(data.get("course_details"), dict) else None
    if not course_id:
        return reply.json({"message": "Course ID must be specified to create a new enrollment."}, 400)
    if (me is None or username != me.username) and not privileged(request):
        return reply.empty(404)  # deliberately not 403: no hint whether the user exists
    mode = data.get("mode")
    if mode not in FREE_MODES and not privileged(request):
        return reply.json({"message": f"User does not have permission to create enrollment with mode [{mode}]."},
                             403)
    user = app.store.user_by_username(username or "")
    if user is None:
        return reply.json({"message": f"The user {username} does not exist."}, 406)
    course = app.store.course(course_id) if CourseKey.parse(course_id) else None
    if course is None:
        return reply.json({"message": f"No course '{course_id}' found for enrollment"}, 400)
    is_active = data.get("is_active", True)
    if not isinstance(is_active, bool):
        return reply.json({"message": f"'{is_active}' is an invalid enrollment activation status."}, 400)
    modes = app.store.course_modes(course_id) or ["audit"]
    if mode is not None and mode not in modes:
        return reply.json({"message": f"The [{mode}] course mode is expired or otherwise unavailable for course "
                                         f"run [{course_id}].", "course_details": course_details(app, course)}, 400)
    if mode == "credit":
        attributes = data.get("enrollment_attributes") or []
        if not any(a.get("namespace") == "credit" and a.get("name") == "provider_id" for a in attributes):
            return reply.json({"message": "Credit provider id is required."}, 400)
    cohort_name = data.get("cohort")
    with app.store.db.write() as conn:
        cohort_id = None
        if cohort_name:
            found = conn.execute("SELECT id FROM cohorts WHERE course_id = ? AND name = ?",
                                 (course_id, cohort_name)).fetchone()
            if found is None:
                abort(reply.json({"message": f"An error occurred while creating the new course enrollment for "
                                                      f"user '{username}' in course '{course_id}'"}, 400))
            cohort_id = found["id"]
        row = conn.execute("SELECT * FROM enrollments WHERE user_id = ? AND course_id = ?",
                           (user.id, course_id)).fetchone()
        if row is None:
            conn.execute("INSERT INTO enrollments (user_id, course_id, mode, is_active, created) VALUES (?, ?, ?, ?, ?)",
                         (user.id, course_id, mode or "audit", int(is_active), now_iso()))
        elif privileged(request):
            conn.execute("UPDATE enrollments SET mode = ?, is_active = ? WHERE id = ?",
                         (mode or row["mode"], int(is_active), row["id"]))
        elif not is_active:
            abort(reply.json({"message": f"User does not have permission to update enrollment for "
                                                  f"[{course_id}]."}, 403))
        else:
            conn.execute("UPDATE enrollments SET is_active = 1 WHERE id = ?", (row["id"],))  # reactivates
        if cohort_id is not None:
            conn.execute("INSERT OR REPLACE INTO cohort_members VALUES (?, ?, ?)", (user.id, course_id, cohort_id))
        row = conn.execute("SELECT * FROM enrollments WHERE user_id = ? AND course_id = ?",
                           (user.id, course_id)).fetchone()
    return reply.json(enrollment_json(app, row, user.username))


def all_enrollments(app: OpenEdxApp, request: Request) -> Response:
    course_id = request.arg("course_id")
    where, args = ["e.id > ?"], [paging.decode_cursor(request)]
    if course_id is not None:
        if CourseKey.parse(course_id) is None:  # an unencoded '+' arrives here as a space
            return reply.json({"course_id": [f"'{course_id}' is not a valid course id."]}, 400)
        where.append("e.course_id = ?")
        args.append(course_id)
    usernames = [u for u in (request.arg("username") or "").split(",") if u]
    if len(usernames) > 100:
        return reply.json({"username": ["Too many usernames in a single request - 100 maximum"]}, 400)
    if usernames:
        where.append(f"u.username IN ({','.join('?' * len(usernames))})")
        args.extend(usernames)
    size = 100
    rows = app.store.db.all(
        f"SELECT e.*, u.username FROM enrollments e JOIN users u ON u.id = e.user_id WHERE {' AND '.join(where)} "
        f"ORDER BY e.id LIMIT {size + 1}", tuple(args))
    items = [(r["id"], {"created": r["created"], "mode": r["mode"], "is_active": bool(r["is_active"]),
                        "user": r["username"], "course_id": r["course_id"]}) for r in rows]
    return paging.cursor_page(items, request, size)


# -- bulk enroll -----------------------------------------------------------------------------------------

def _bool_field(data: dict, name: str, errors: dict) -> bool:
    value = data.get(name, False)
    if isinstance(value, bool):
        return value
    if str(value) in TRUE:
        return True
    if str(value) in FALSE:
        return False
    errors[name] = ["Must be a valid boolean."]
    return False


def bulk_enroll(app: OpenEdxApp, request: Request) -> Response:
    data = request.data()
    errors: dict[str, list[str]] = {}
    for name in ("identifiers", "action", "courses"):
        if data.get(name) in (None, ""):
            errors[name] = ["This field is required."]
    action = data.get("action")
    if action and action not in ("enroll", "unenroll"):
        errors["action"] = [f'"{action}" is not a valid choice.']
    auto_enroll = _bool_field(data, "auto_enroll", errors)
    email_students = _bool_field(data, "email_students", errors)
    courses = data.get("courses") or ""
    if isinstance(courses, list):  # StringListField: only element [0] is split
        courses = courses[0] if courses else ""
    course_ids = [c.strip() for c in str(courses).split(",") if c.strip()]
    bad = [c for c in course_ids if CourseKey.parse(c) is None or app.store.course(c) is None]
    if bad:
        errors["courses"] = [f"Course not found: {c}" if CourseKey.parse(c) else f"Course key not valid: {c}" for c in bad]
    cohorts_raw = data.get("cohorts")
    if isinstance(cohorts_raw, list):
        cohorts_raw = cohorts_raw[0] if cohorts_raw else ""
    cohort_names = [c.strip() for c in str(cohorts_raw or "").split(",") if c.strip()]
    if cohort_names and len(cohort_names) != len(course_ids):
        errors.setdefault("non_field_errors", []).append(
            "If provided, the cohorts and courses should have equal number of items.")
    if errors:
        return reply.json(errors, 400)
    cohort_ids: list[int | None] = []
    for course_id, name in zip(course_ids, cohort_names or [None] * len(course_ids)):
        if name is None:
            cohort_ids.append(None)
            continue
        row = app.store.db.one("SELECT id FROM cohorts WHERE course_id = ? AND name = ?", (course_id, name))
        if row is None:
            return reply.json({"cohorts": [f"Cohort '{name}' does not exist in course {course_id}."]}, 400)
        cohort_ids.append(row["id"])
    identifiers = [i for i in SPLIT.split(str(data["identifiers"])) if i]
    answer: dict = {"auto_enroll": auto_enroll, "email_students": email_students, "action": action, "courses": {}}
    with app.store.db.write() as conn:
        for course_id, cohort_id in zip(course_ids, cohort_ids):
            results = [
                _one(app, conn, identifier, course_id, action, auto_enroll, cohort_id, bool(cohort_names))
                for identifier in identifiers
            ]
            answer["courses"][course_id] = {"action": action, "auto_enroll": auto_enroll, "results": results}
    return reply.json(answer)


def _find(conn: sqlite3.Connection, identifier: str) -> sqlite3.Row | None:
    column = "email" if "@" in identifier else "username"
    return conn.execute(f"SELECT id, email FROM users WHERE {column} = ?", (identifier,)).fetchone()


def _state(conn: sqlite3.Connection, user: sqlite3.Row | None, email: str, course_id: str, with_cohort: bool) -> dict:
    enrolled = allowed = auto = False
    cohort = None
    if user is not None:
        row = conn.execute("SELECT is_active FROM enrollments WHERE user_id = ? AND course_id = ?",
                           (user["id"], course_id)).fetchone()
        enrolled = bool(row and row["is_active"])
        if with_cohort:
            found = conn.execute("SELECT c.name FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id "
                                 "WHERE m.user_id = ? AND m.course_id = ?", (user["id"], course_id)).fetchone()
            cohort = found["name"] if found else None
    elif with_cohort:
        found = conn.execute("SELECT c.name FROM cohort_preassigned p JOIN cohorts c ON c.id = p.cohort_id "
                             "WHERE p.email = ? AND p.course_id = ?", (email, course_id)).fetchone()
        cohort = found["name"] if found else None
    cea = conn.execute("SELECT auto_enroll FROM enrollment_allowed WHERE email = ? AND course_id = ?",
                       (email, course_id)).fetchone()
    if cea is not None:
        allowed, auto = True, bool(cea["auto_enroll"])
    state = {"user": user is not None, "enrollment": enrolled, "allowed": allowed, "auto_enroll": auto}
    if with_cohort:
        state["cohort"] = cohort
    return state


def _one(app: OpenEdxApp, conn: sqlite3.Connection, identifier: str, course_id: str, action: str, auto_enroll: bool,
         cohort_id: int | None, with_cohort: bool) -> dict:
    if identifier in app.config.row_error_identifiers:
        return {"identifier": identifier, "error": True}
    user = _find(conn, identifier)
    email = user["email"] if user is not None else identifier
    if not EMAIL.match(email):  # an unknown username is not an email either
        return {"identifier": identifier, "invalidIdentifier": True}
    before = _state(conn, user, email, course_id, with_cohort)
    if action == "enroll":
        if user is not None:
            conn.execute("INSERT INTO enrollments (user_id, course_id, mode, is_active, created) VALUES (?, ?, 'audit', 1, ?)"
                         " ON CONFLICT (user_id, course_id) DO UPDATE SET is_active = 1",
                         (user["id"], course_id, now_iso()))
            if cohort_id is not None:
                conn.execute("INSERT OR REPLACE INTO cohort_members VALUES (?, ?, ?)", (user["id"], course_id, cohort_id))
        else:
            conn.execute("INSERT OR REPLACE INTO enrollment_allowed VALUES (?, ?, ?, ?)",
                         (email, course_id, int(auto_enroll), now_iso()))
            if cohort_id is not None:  # pre-assigned: joins the cohort on registration
                conn.execute("INSERT OR REPLACE INTO cohort_preassigned VALUES (?, ?, ?)", (email, course_id, cohort_id))
    else:
        if user is not None:
            conn.execute("UPDATE enrollments SET is_active = 0 WHERE user_id = ? AND course_id = ?",
                         (user["id"], course_id))
        conn.execute("DELETE FROM enrollment_allowed WHERE email = ? AND course_id = ?", (email, course_id))
    after = _state(conn, user, email, course_id, with_cohort)
    return {"identifier": identifier, "before": before, "after": after}


def apply_allowed(app: OpenEdxApp, user: User) -> None:
    """On registration: CourseEnrollmentAllowed with auto_enroll enrols, and cohort pre-assignments apply."""
    with app.store.db.write() as conn:
        for row in conn.execute("SELECT course_id FROM enrollment_allowed WHERE email = ? AND auto_enroll = 1",
                                (user.email,)).fetchall():
            conn.execute("INSERT OR IGNORE INTO enrollments (user_id, course_id, mode, is_active, created) "
                         "VALUES (?, ?, 'audit', 1, ?)", (user.id, row["course_id"], now_iso()))
        for row in conn.execute("SELECT course_id, cohort_id FROM cohort_preassigned WHERE email = ?",
                                (user.email,)).fetchall():
            conn.execute("INSERT OR REPLACE INTO cohort_members VALUES (?, ?, ?)",
                         (user.id, row["course_id"], row["cohort_id"]))
        conn.execute("DELETE FROM cohort_preassigned WHERE email = ?", (user.email,))
