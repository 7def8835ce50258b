"""Studio (CMS) routes: course_runs, course import with its task states, user tasks and artifacts;
and the LMS course list (spec section 2)."""

from __future__ import annotations

import json
import threading
import uuid
from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.lms.openedx.keys import STUDIO_MAX_LENGTH, CourseKey
from pamong_edx.sandbox.core.http import Request, Response, abort, reply
from pamong_edx.sandbox.openedx import olx_import, paging
from pamong_edx.sandbox.openedx.app import is_global_staff, require_staff
from pamong_edx.sandbox.openedx.store import now_iso

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

STEPS = ("In Progress", "Unpacking", "Verifying", "Updating")
ROLES = ("instructor", "staff")


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import ALL_AUTH, BEARER, COURSE_ID, JWT, SESSION, View

    jwt_or_session = (JWT, SESSION)  # course_runs takes no Bearer token
    app.route("/api/v1/course_runs/", View({"GET": partial(list_runs, app), "POST": partial(create_run, app)},
                                            auth=jwt_or_session, permission=require_staff))
    app.route(f"/api/v1/course_runs/{COURSE_ID}/", View({"GET": partial(get_run, app)},
                                                         auth=jwt_or_session, permission=require_staff))
    app.route(f"/api/courses/v0/import/{COURSE_ID}/",
              View({"POST": partial(start_import, app), "GET": partial(import_status, app)},
                   auth=(JWT, BEARER, SESSION), allow_inactive=True, permission=partial(course_author, app)))
    app.route("/api/tasks/v0/tasks/", View({"GET": partial(list_tasks, app)}, auth=ALL_AUTH))
    app.route("/api/tasks/v0/tasks/<hexid:uuid>/", View({"GET": partial(get_task, app)}, auth=ALL_AUTH))
    app.route("/api/tasks/v0/artifacts/<hexid:uuid>/", View({"GET": partial(get_artifact, app)}, auth=ALL_AUTH))
    app.route("/api/courses/v1/courses/", View({"GET": partial(list_courses, app)}, auth=ALL_AUTH,
                                                login_required=False))


# -- course runs -----------------------------------------------------------------------------------------

def _run_json(app: OpenEdxApp, row) -> dict:  # noqa: ANN001 - a sqlite3.Row
    team = app.store.db.all(
        "SELECT u.username, r.role FROM course_roles r JOIN users u ON u.id = r.user_id "
        "WHERE r.course_id = ? AND r.role IN ('instructor', 'staff') ORDER BY u.username", (row["course_id"],))
    return {
        "id": row["course_id"], "title": row["title"],
        "schedule": {"start": row["start"], "end": row["end"], "enrollment_start": row["enrollment_start"],
                     "enrollment_end": row["enrollment_end"]},
        "pacing_type": row["pacing_type"], "team": [{"user": t["username"], "role": t["role"]} for t in team],
        "images": {"card_image": None}, "run": row["run"],
    }


def list_runs(app: OpenEdxApp, request: Request) -> Response:
    rows = app.store.db.all("SELECT * FROM courses ORDER BY id")
    return paging.default_page([_run_json(app, r) for r in rows], request, 10)


def get_run(app: OpenEdxApp, request: Request) -> Response:
    row = app.store.course(request.params["course_id"])
    if row is None:
        return reply.json({"detail": "Not found."}, 404)
    return reply.json(_run_json(app, row))


def create_run(app: OpenEdxApp, request: Request) -> Response:
    body = request.json_body()
    if not isinstance(body, dict):
        return reply.json({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}, 400)
    errors: dict[str, list] = {}
    for name in ("title", "org", "number", "run", "schedule", "pacing_type"):
        if body.get(name) in (None, ""):
            errors[name] = ["This field is required."]
    schedule = body.get("schedule") if isinstance(body.get("schedule"), dict) else {}
    if "schedule" not in errors and not schedule.get("start"):
        errors["schedule"] = {"start": ["This field is required."]}
    if body.get("pacing_type") not in (None, "", "instructor_paced", "self_paced"):
        errors["pacing_type"] = [f'"{body["pacing_type"]}" is not a valid choice.']
    key = None
    if not errors:
        key = CourseKey.build(str(body["org"]), str(body["number"]), str(body["run"]))
        if key is None:
            errors["non_field_errors"] = ["Invalid course key parts."]
        elif len(key.org) + len(key.number) + len(key.run) > STUDIO_MAX_LENGTH:
            errors["non_field_errors"] = [f"The combined length of org, number and run must not exceed "
                                          f"{STUDIO_MAX_LENGTH} characters."]
    team = body.get("team") or []
    users = []
    for member in team if isinstance(team, list) else []:
        user = app.store.user_by_username(str(member.get("user", "")))
        if user is None or member.get("role") not in ROLES:
            errors.setdefault("team", []).append(f"Invalid team member: {member}")
        users.append((user, member.get("role")))
    if errors:
        return reply.json(errors, 400)
    if app.store.course(str(key)) is not None:
        return reply.json({"non_field_errors": [f"Course run {key} already exists"]}, 400)
    with app.store.db.write() as conn:
        conn.execute(
            "INSERT INTO courses (course_id, org, number, run, title, start, end, enrollment_start, enrollment_end,"
            " pacing_type, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(key), key.org, key.number, key.run, body["title"], schedule.get("start"), schedule.get("end"),
             schedule.get("enrollment_start"), schedule.get("enrollment_end"), body["pacing_type"], now_iso()))
        conn.execute("INSERT INTO course_modes VALUES (?, 'audit')", (str(key),))
        for user, role in users:
            conn.execute("INSERT OR IGNORE INTO course_roles VALUES (?, ?, ?)", (user.id, str(key), role))
    return reply.json(_run_json(app, app.store.course(str(key))), 201)


def list_courses(app: OpenEdxApp, request: Request) -> Response:
    rows = app.store.db.all("SELECT * FROM courses ORDER BY course_id")
    items = [{"id": r["course_id"], "course_id": r["course_id"], "name": r["title"], "org": r["org"],
              "number": r["number"], "start": r["start"], "end": r["end"],
              "pacing": "self" if r["pacing_type"] == "self_paced" else "instructor"} for r in rows]
    return paging.namespaced_page(items, request, 10)


# -- import ----------------------------------------------------------------------------------------------

def course_author(app: OpenEdxApp, request: Request) -> None:
    """has_course_author_access: global staff, or course staff/instructor."""
    user = request.context.get("user")
    course_id = request.params["course_id"]
    if is_global_staff(request) or (user is not None and app.store.has_role(user, course_id, ROLES)):
        return
    abort(reply.json({"developer_message": "The requesting user does not have course author permissions.",
                               "error_code": "user_permissions"}, 403))


def _internal(message: str) -> Response:
    return reply.json({"developer_message": message, "error_code": "internal_error"}, 500)


def start_import(app: OpenEdxApp, request: Request) -> Response:
    course_id = request.params["course_id"]
    key = CourseKey.parse(course_id)
    upload = request.uploads().get("course_data")
    if upload is None:
        return reply.json({"developer_message": "Missing required parameter", "error_code": "internal_error"}, 400)
    if not (upload.filename or "").endswith(".tar.gz"):
        return reply.json({"developer_message": "Parameter in the wrong format", "error_code": "internal_error"},
                             400)
    task_uuid, task_id, created = str(uuid.uuid4()), str(uuid.uuid4()), now_iso()
    with app.store.db.write() as conn:
        conn.execute(
            "INSERT INTO tasks (uuid, task_id, user_id, name, state, completed_steps, total_steps, created, modified)"
            " VALUES (?, ?, ?, ?, 'Pending', 0, ?, ?, ?)",
            (task_uuid, task_id, request.context["user"].id, f"Import of {course_id} from {upload.filename}",
             len(STEPS), created, created))
    worker = threading.Thread(target=_run_import, args=(app, task_uuid, course_id, key, upload.filename, upload.read()),
                              name=f"import-{task_id[:8]}", daemon=True)
    app.imports.append(worker)
    worker.start()
    return reply.json({"task_id": task_id})  # only task_id: the caller keeps the filename


def import_status(app: OpenEdxApp, request: Request) -> Response:
    task_id, filename = request.arg("task_id"), request.arg("filename")
    if not task_id or not filename:
        return _internal("UserTaskStatus matching query does not exist.")
    row = app.store.db.one("SELECT state FROM tasks WHERE name = ? AND task_id = ?",
                           (f"Import of {request.params['course_id']} from {filename}", task_id))
    if row is None:
        return _internal("UserTaskStatus matching query does not exist.")
    return reply.json({"state": row["state"]})


def _set_state(app: OpenEdxApp, task_uuid: str, state: str, done: int, text: str = "") -> None:
    with app.store.db.write() as conn:
        conn.execute("UPDATE tasks SET state = ?, completed_steps = ?, state_text = ?, modified = ? WHERE uuid = ?",
                     (state, done, text, now_iso(), task_uuid))


def _run_import(app: OpenEdxApp, task_uuid: str, course_id: str, key: CourseKey | None, filename: str,
                data: bytes) -> None:
    pace = app.config.import_step_s
    exists = key is not None and app.store.course(course_id) is not None
    report = olx_import.import_archive(data, filename, key or CourseKey("x", "x", "x"), exists)
    for done, state in enumerate(STEPS):
        if app.closed.wait(pace):
            return
        _set_state(app, task_uuid, state, done)
        if state == report.failed_stage:
            break
    if app.closed.wait(pace):
        return
    if report.failed_stage:
        stamp = now_iso()
        with app.store.db.write() as conn:
            conn.execute("UPDATE tasks SET state = 'Failed', state_text = ?, modified = ? WHERE uuid = ?",
                         (report.message, stamp, task_uuid))
            conn.execute("INSERT INTO artifacts (uuid, task_uuid, name, text, created, modified) VALUES (?, ?, 'Error',"
                         " ?, ?, ?)", (str(uuid.uuid4()), task_uuid, report.message, stamp, stamp))
        return
    settings = report.settings
    with app.store.db.write() as conn:
        conn.execute(
            "UPDATE courses SET title = COALESCE(NULLIF(?, ''), title), start = COALESCE(?, start), "
            "end = COALESCE(?, end), imported = ?, structure = ? WHERE course_id = ?",
            (report.title, settings.get("start"), settings.get("end"), now_iso(), json.dumps(report.summary()),
             course_id))
        conn.execute("UPDATE tasks SET state = 'Succeeded', completed_steps = ?, modified = ? WHERE uuid = ?",
                     (len(STEPS), now_iso(), task_uuid))


# -- user tasks ------------------------------------------------------------------------------------------

def _task_json(app: OpenEdxApp, request: Request, row) -> dict:  # noqa: ANN001 - a sqlite3.Row
    artifacts = app.store.db.all("SELECT uuid FROM artifacts WHERE task_uuid = ? ORDER BY id", (row["uuid"],))
    return {
        "name": row["name"], "state": row["state"], "state_text": row["state_text"],
        "completed_steps": row["completed_steps"], "total_steps": row["total_steps"], "attempts": row["attempts"],
        "created": row["created"], "modified": row["modified"],
        "artifacts": [request.absolute(f"/api/tasks/v0/artifacts/{a['uuid']}/") for a in artifacts],
    }


def _visible_tasks(request: Request) -> tuple[str, tuple]:
    user = request.context["user"]
    if user.is_superuser:
        return "", ()
    return " WHERE user_id = ?", (user.id,)


def list_tasks(app: OpenEdxApp, request: Request) -> Response:
    where, args = _visible_tasks(request)
    rows = app.store.db.all(f"SELECT * FROM tasks{where} ORDER BY created DESC, id DESC", args)
    return paging.default_page([_task_json(app, request, r) for r in rows], request, 10)


def get_task(app: OpenEdxApp, request: Request) -> Response:
    where, args = _visible_tasks(request)
    joiner = " AND" if where else " WHERE"
    row = app.store.db.one(f"SELECT * FROM tasks{where}{joiner} uuid = ?", (*args, request.params["uuid"]))
    if row is None:
        return reply.json({"detail": "Not found."}, 404)
    return reply.json(_task_json(app, request, row))


def get_artifact(app: OpenEdxApp, request: Request) -> Response:
    row = app.store.db.one("SELECT a.*, t.user_id FROM artifacts a JOIN tasks t ON t.uuid = a.task_uuid "
                           "WHERE a.uuid = ?", (request.params["uuid"],))
    user = request.context["user"]
    if row is None or (row["user_id"] != user.id and not user.is_superuser):
        return reply.json({"detail": "Not found."}, 404)
    return reply.json({
        "name": row["name"], "created": row["created"], "modified": row["modified"],
        "status": request.absolute(f"/api/tasks/v0/tasks/{row['task_uuid']}/"),
        "file": "", "text": row["text"], "url": "",
    })
