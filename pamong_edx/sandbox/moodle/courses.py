"""Courses and manual enrolment: core_course_get_courses_by_field, enrol_manual_(un)enrol_users,
core_enrol_get_enrolled_users."""

from __future__ import annotations

import sqlite3

from pamong_edx.sandbox.moodle.calls import Call, Function, exception, user_description
from pamong_edx.sandbox.moodle.params import DEFAULT, OPTIONAL, Multiple, Single, Value
from pamong_edx.sandbox.moodle.render import invalid_parameter, missing_record
from pamong_edx.sandbox.moodle.store import now

BY_FIELD = Single({"field": Value("alpha", DEFAULT, ""), "value": Value("raw", DEFAULT, "")})
ENROL = Single({"enrolments": Multiple(Single({
    "roleid": Value("int"), "userid": Value("int"), "courseid": Value("int"), "timestart": Value("int", OPTIONAL),
    "timeend": Value("int", OPTIONAL), "suspend": Value("int", OPTIONAL)}))})
UNENROL = Single({"enrolments": Multiple(Single({
    "userid": Value("int"), "courseid": Value("int"), "roleid": Value("int", OPTIONAL)}))})
ENROLLED = Single({"courseid": Value("int"), "options": Multiple(
    Single({"name": Value("alphanumext"), "value": Value("raw")}), need=DEFAULT)})


def course_data(call: Call, course: sqlite3.Row) -> dict:
    methods = [r["enrol"] for r in call.conn.execute(
        "SELECT DISTINCT enrol FROM enrol WHERE courseid = ? AND status = 0 ORDER BY id", (course["id"],))]
    category = call.conn.execute("SELECT name FROM categories WHERE id = ?", (course["category"],)).fetchone()
    return {
        "id": course["id"], "fullname": course["fullname"], "displayname": course["fullname"],
        "shortname": course["shortname"], "categoryid": course["category"],
        "categoryname": category["name"] if category else "", "sortorder": course["id"], "summary": "",
        "summaryformat": 1, "summaryfiles": [], "overviewfiles": [], "contacts": [], "enrollmentmethods": methods,
        "customfields": [], "idnumber": course["idnumber"], "format": course["format"], "showgrades": 1,
        "newsitems": 5, "startdate": course["startdate"], "enddate": course["enddate"], "maxbytes": 0,
        "showreports": 0, "visible": course["visible"], "groupmode": 0, "groupmodeforce": 0,
        "defaultgroupingid": 0, "enablecompletion": 1, "completionnotify": 0, "lang": "", "theme": "",
        "marker": 0, "filters": [], "courseformatoptions": [],
    }


def get_courses_by_field(call: Call, params: dict) -> dict:
    field, value = params["field"], params["value"]
    queries = {
        "": ("1 = 1", ()), "id": ("id = ?", (value,)), "shortname": ("shortname = ?", (value,)),
        "idnumber": ("idnumber = ?", (value,)), "category": ("category = ?", (value,)),
    }
    if field == "ids":
        ids = [v for v in value.split(",") if v.strip()]
        queries["ids"] = (f"id IN ({', '.join('?' * len(ids))})", tuple(ids)) if ids else ("0 = 1", ())
    if field not in queries:
        raise invalid_parameter("Invalid field name")
    if field in ("id", "category") and not value.isdigit():
        raise invalid_parameter(f"Invalid parameter value detected (value: {value})")
    where, args = queries[field]
    rows = call.conn.execute(f"SELECT * FROM courses WHERE {where} ORDER BY id", args).fetchall()
    see_hidden = call.can("moodle/course:viewhiddencourses")
    return {"courses": [course_data(call, r) for r in rows if r["visible"] or see_hidden], "warnings": []}


def _course(call: Call, course_id: int) -> sqlite3.Row:
    row = call.conn.execute("SELECT * FROM courses WHERE id = ?", (course_id,)).fetchone()
    if row is None:
        raise missing_record("course")
    return row


def _manual_instance(call: Call, course_id: int, enabled_only: bool) -> sqlite3.Row:
    extra = " AND status = 0" if enabled_only else ""
    row = call.conn.execute(f"SELECT * FROM enrol WHERE courseid = ? AND enrol = 'manual'{extra} ORDER BY id",
                            (course_id,)).fetchone()
    if row is None:
        raise exception("wsnoinstance", "Manual enrolment plugin instance doesn't exist or is disabled for the "
                        f"course (id = {course_id})")
    return row


def enrol_users(call: Call, params: dict) -> None:
    assignable = call.assignable_roles()
    for item in params["enrolments"]:  # one transaction: any refusal undoes the whole call
        _course(call, item["courseid"])
        call.require("enrol/manual:enrol", "Enrol users")
        if item["roleid"] not in assignable:
            raise exception("wsusercannotassign", f"You don't have the permission to assign this role "
                            f"({item['roleid']}) to this user ({item['userid']}) in this course({item['courseid']}).")
        instance = _manual_instance(call, item["courseid"], enabled_only=True)
        if call.app.store.user(call.conn, item["userid"]) is None:
            raise exception("codingerror", "Coding error detected, it must be fixed by a programmer: User ID does "
                            "not exist or is deleted!", cls="coding_exception")
        status = 1 if item.get("suspend") else 0
        call.conn.execute(
            "INSERT INTO user_enrolments (enrolid, userid, status, timestart, timeend, timecreated) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (enrolid, userid) DO UPDATE SET status = excluded.status, "
            "timestart = excluded.timestart, timeend = excluded.timeend",
            (instance["id"], item["userid"], status, item.get("timestart", 0), item.get("timeend", 0), now()))
        call.conn.execute("INSERT OR IGNORE INTO role_assignments VALUES (?, ?, ?)",
                          (item["roleid"], item["courseid"], item["userid"]))
    return None


def unenrol_users(call: Call, params: dict) -> None:
    for item in params["enrolments"]:
        _course(call, item["courseid"])
        instance = _manual_instance(call, item["courseid"], enabled_only=False)
        call.require("enrol/manual:unenrol", "Unenrol users from the course")
        if call.app.store.user(call.conn, item["userid"]) is None:
            raise invalid_parameter(f"User id not exist: {item['userid']}")
        call.conn.execute("DELETE FROM user_enrolments WHERE enrolid = ? AND userid = ?",
                          (instance["id"], item["userid"]))
        still = call.conn.execute(
            "SELECT 1 FROM user_enrolments ue JOIN enrol e ON e.id = ue.enrolid WHERE e.courseid = ? AND ue.userid = ?",
            (item["courseid"], item["userid"])).fetchone()
        if still is None:  # no enrolment left in the course: its roles go too
            call.conn.execute("DELETE FROM role_assignments WHERE courseid = ? AND userid = ?",
                              (item["courseid"], item["userid"]))
    return None


def get_enrolled_users(call: Call, params: dict) -> list[dict]:
    course = _course(call, params["courseid"])
    options = {o["name"]: o["value"] for o in params["options"]}
    call.require("moodle/course:viewparticipants", "View participants")
    only_active = options.get("onlyactive", "0") not in ("", "0")
    if only_active:
        call.require("moodle/course:enrolreview", "Review course enrolments")
    fields = {f.strip() for f in options["userfields"].split(",")} if options.get("userfields") else None
    active = " AND ue.status = 0 AND e.status = 0 AND ue.timestart <= ? AND (ue.timeend = 0 OR ue.timeend > ?)"
    t = now()
    sql = ("SELECT DISTINCT u.* FROM users u JOIN user_enrolments ue ON ue.userid = u.id JOIN enrol e ON "
           f"e.id = ue.enrolid WHERE e.courseid = ? AND u.deleted = 0{active if only_active else ''} ORDER BY u.id")
    args: tuple = (course["id"], t, t) if only_active else (course["id"],)
    rows = call.conn.execute(sql, args).fetchall()
    start = int(options.get("limitfrom") or 0)
    limit = int(options.get("limitnumber") or 0)
    rows = rows[start:start + limit] if limit else rows[start:]
    out = []
    last = {r["userid"]: r["timeaccess"] for r in call.conn.execute(
        "SELECT userid, timeaccess FROM user_lastaccess WHERE courseid = ?", (course["id"],))}
    for row in rows:
        user = user_description(call, row, fields)
        if fields is None or "lastcourseaccess" in fields:
            user["lastcourseaccess"] = last.get(row["id"], 0)  # COALESCE(ul.timeaccess, 0)
        if fields is None or "roles" in fields:
            user["roles"] = [{"roleid": r["id"], "name": r["name"], "shortname": r["shortname"], "sortorder": 0}
                             for r in call.conn.execute(
                                 "SELECT r.* FROM role_assignments ra JOIN roles r ON r.id = ra.roleid "
                                 "WHERE ra.courseid = ? AND ra.userid = ? ORDER BY r.id", (course["id"], row["id"]))]
        out.append(user)
    return out


FUNCTIONS = {
    "core_course_get_courses_by_field": Function(BY_FIELD, get_courses_by_field, writes=False),
    "enrol_manual_enrol_users": Function(ENROL, enrol_users, writes=True),
    "enrol_manual_unenrol_users": Function(UNENROL, unenrol_users, writes=True),
    "core_enrol_get_enrolled_users": Function(ENROLLED, get_enrolled_users, writes=False),
}
