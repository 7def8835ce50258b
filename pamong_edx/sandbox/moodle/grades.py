"""The Moodle stand-in's reading side: grade items per user and activity/course completion.

    gradereport_user_get_grade_items          grade/report/user/classes/external/user.php: per enrolled user,
        (courseid, userid=0, groupid=0)       the activities' grade items and the course total ("Natural"
                                              aggregation, empty grades left out); gradereport/user:view, and
                                              moodle/grade:viewall for everyone (userid 0: nopermissions) or
                                              another user (nopermissiontoviewgrades)
    core_completion_get_activities_completion_status   completion/classes/external.php: per activity, state
        (courseid, userid)                    0 incomplete, 1 complete, 2 complete-pass, 3 complete-fail
    core_completion_get_course_completion_status       the course's criteria (the posttest's completion) and
        (courseid, userid)                    whether the user met them; err_nocriteria when there are none

Activities live in `course_modules` (a quiz or SCORM package with one grade item each); the demo courses
come with a pretest, the material and a posttest, and `POST /__sandbox__/activities` adds more.
"""

from __future__ import annotations

import sqlite3

from pamong_edx.sandbox.moodle.calls import Call, Function, exception
from pamong_edx.sandbox.moodle.params import DEFAULT, Single, Value
from pamong_edx.sandbox.moodle.render import missing_record

GRADE_ITEMS = Single({"courseid": Value("int"), "userid": Value("int", DEFAULT, 0),
                      "groupid": Value("int", DEFAULT, 0)})
COMPLETION = Single({"courseid": Value("int"), "userid": Value("int")})
DEMO_ACTIVITIES = (  # (modname, name, idnumber): what every demo course starts with
    ("quiz", "Tes Awal", "pretest"),
    ("scorm", "Materi Pelatihan", "materi"),
    ("quiz", "Evaluasi Akhir", "posttest"),
)
STUDENT = 5


def add_activity(conn: sqlite3.Connection, course: int, modname: str, name: str, idnumber: str = "",
                 grademax: float = 100.0) -> int:
    """A course module with its grade item (and the course total item, made with the first activity)."""
    instance = 1 + conn.execute("SELECT COUNT(*) FROM course_modules WHERE modname = ?", (modname,)).fetchone()[0]
    cmid = conn.execute("INSERT INTO course_modules (course, modname, instance, name, idnumber) VALUES (?, ?, ?, ?, ?)",
                        (course, modname, instance, name, idnumber)).lastrowid
    total = conn.execute("SELECT 1 FROM grade_items WHERE courseid = ? AND itemtype = 'course'", (course,)).fetchone()
    if total is None:
        conn.execute("INSERT INTO grade_items (courseid, itemtype, grademax, sortorder) VALUES (?, 'course', 0, 1)",
                     (course,))
    order = conn.execute("SELECT COUNT(*) FROM grade_items WHERE courseid = ?", (course,)).fetchone()[0] + 1
    conn.execute("INSERT INTO grade_items (courseid, itemtype, itemmodule, iteminstance, cmid, itemname, idnumber, "
                 "grademax, sortorder) VALUES (?, 'mod', ?, ?, ?, ?, ?, ?, ?)",
                 (course, modname, instance, cmid, name, idnumber, grademax, order))
    return int(cmid)


def _course(call: Call, course_id: int) -> sqlite3.Row:
    row = call.conn.execute("SELECT * FROM courses WHERE id = ?", (course_id,)).fetchone()
    if row is None:
        raise missing_record("course")
    return row


def _may_read(call: Call, capability: str, user_id: int) -> None:
    if user_id != call.caller["id"] and not call.can(capability):
        raise exception("nopermissiontoviewgrades", "Can not view grades.") if capability == "moodle/grade:viewall" \
            else exception("nopermissions", "Sorry, but you do not currently have permissions to do that "
                                            f"({capability}).", cls="required_capability_exception")


def _students(call: Call, course_id: int, user_id: int) -> list[sqlite3.Row]:
    """Users enrolled in the course with a gradable role (the report's users), by id."""
    sql = ("SELECT DISTINCT u.* FROM users u JOIN user_enrolments ue ON ue.userid = u.id JOIN enrol e ON "
           "e.id = ue.enrolid JOIN role_assignments ra ON ra.userid = u.id AND ra.courseid = e.courseid "
           "WHERE e.courseid = ? AND u.deleted = 0 AND ra.roleid = ?")
    args: tuple = (course_id, STUDENT)
    if user_id:
        sql += " AND u.id = ?"
        args += (user_id,)
    return call.conn.execute(sql + " ORDER BY u.id", args).fetchall()


def _formatted(value: float | None, decimals: int = 2) -> str:
    return "-" if value is None else f"{value:.{decimals}f}"


def get_grade_items(call: Call, params: dict) -> dict:
    course = _course(call, params["courseid"])
    user_id = params["userid"]
    # check_report_access: the report capability first; every user (userid 0) needs viewall outright
    call.require("gradereport/user:view", "View the user report")
    if not user_id:
        call.require("moodle/grade:viewall", "View grades of other users")
    elif call.app.store.user(call.conn, user_id) is None:
        raise missing_record("user")
    else:
        _may_read(call, "moodle/grade:viewall", user_id)
    items = call.conn.execute("SELECT * FROM grade_items WHERE courseid = ? ORDER BY sortorder, id",
                              (course["id"],)).fetchall()
    mods = [i for i in items if i["itemtype"] == "mod"]
    total_max = sum(i["grademax"] for i in mods)
    usergrades = []
    for user in _students(call, course["id"], user_id):
        grades = {r["itemid"]: r for r in call.conn.execute(
            "SELECT g.* FROM grade_grades g JOIN grade_items i ON i.id = g.itemid "
            "WHERE i.courseid = ? AND g.userid = ?",
            (course["id"], user["id"]))}
        graded = [(i, grades[i["id"]]["finalgrade"]) for i in mods
                  if i["id"] in grades and grades[i["id"]]["finalgrade"] is not None]
        counted_max = sum(i["grademax"] for i, _ in graded)  # Natural aggregation leaves empty grades out
        entries = []
        for item in mods:
            grade = grades.get(item["id"])
            raw = grade["finalgrade"] if grade is not None else None
            weight = item["grademax"] / counted_max if raw is not None and counted_max else None
            entries.append(_item(item, raw, item["grademax"], weight, grade["timemodified"] if grade else None))
        course_item = next((i for i in items if i["itemtype"] == "course"), None)
        if course_item is not None:
            total = sum(raw for _, raw in graded) if graded else None
            latest = max((grades[i["id"]]["timemodified"] for i, _ in graded), default=None)
            entries.append(_item(course_item, total, counted_max or total_max, None, latest, course=course))
        usergrades.append({
            "courseid": course["id"], "courseidnumber": course["idnumber"], "userid": user["id"],
            "userfullname": f"{user['firstname']} {user['lastname']}", "useridnumber": user["idnumber"],
            "maxdepth": 2, "gradeitems": entries,
        })
    return {"usergrades": usergrades, "warnings": []}


def _item(item: sqlite3.Row, raw: float | None, grademax: float, weight: float | None, when: int | None,
          course: sqlite3.Row | None = None) -> dict:
    percent = None if raw is None or not grademax else raw / grademax * 100
    entry = {
        "id": item["id"], "itemname": item["itemname"] if course is None else None, "itemtype": item["itemtype"],
        "itemmodule": item["itemmodule"], "iteminstance": item["iteminstance"] if course is None else course["id"],
        "itemnumber": 0 if course is None else None, "idnumber": item["idnumber"], "categoryid": None,
        "outcomeid": None, "scaleid": None, "locked": False,
    }
    if course is None:
        entry["cmid"] = item["cmid"]
    entry.update({
        "weightraw": weight, "weightformatted": "-" if weight is None else f"{weight * 100:.2f} %",
        "graderaw": raw, "gradedatesubmitted": when, "gradedategraded": when, "gradehiddenbydate": False,
        "gradeneedsupdate": False, "gradeishidden": False, "gradeislocked": False, "gradeisoverridden": False,
        "gradeformatted": _formatted(raw), "grademin": 0.0, "grademax": float(grademax),
        "rangeformatted": f"0–{grademax:.0f}" if grademax else "0–0",
        "percentageformatted": "-" if percent is None else f"{percent:.2f} %",
        "feedback": "", "feedbackformat": 0,
    })
    return entry


def activities_completion(call: Call, params: dict) -> dict:
    course = _course(call, params["courseid"])
    if call.app.store.user(call.conn, params["userid"]) is None:
        raise missing_record("user")
    _may_read(call, "report/progress:view", params["userid"])
    states = {r["cmid"]: r for r in call.conn.execute(
        "SELECT * FROM completion_states WHERE userid = ?", (params["userid"],))}
    statuses = []
    for cm in call.conn.execute("SELECT * FROM course_modules WHERE course = ? ORDER BY id", (course["id"],)):
        state = states.get(cm["id"])
        statuses.append({
            "cmid": cm["id"], "modname": cm["modname"], "instance": cm["instance"],
            "state": state["state"] if state else 0, "timecompleted": state["timemodified"] if state else 0,
            "tracking": 2, "overrideby": None, "valueused": False, "hascompletion": True, "isautomatic": True,
            "istrackeduser": True, "uservisible": True, "details": [],
        })
    return {"statuses": statuses, "warnings": []}


def course_completion(call: Call, params: dict) -> dict:
    course = _course(call, params["courseid"])
    if call.app.store.user(call.conn, params["userid"]) is None:
        raise missing_record("user")
    _may_read(call, "report/completion:view", params["userid"])
    criteria = call.conn.execute("SELECT * FROM course_modules WHERE course = ? AND idnumber = 'posttest'",
                                 (course["id"],)).fetchall()
    if not criteria:
        raise exception("err_nocriteria", "No criteria set for this course")
    completions = []
    for cm in criteria:
        state = call.conn.execute("SELECT * FROM completion_states WHERE cmid = ? AND userid = ?",
                                  (cm["id"], params["userid"])).fetchone()
        done = state is not None and state["state"] in (1, 2)
        completions.append({
            "type": 4, "title": "Activity completion", "status": "Yes" if done else "No", "complete": done,
            "timecompleted": state["timemodified"] if done else None,
            "details": {"type": "Activity completion", "criteria": cm["name"], "requirement": "Marking complete",
                        "status": ""},
        })
    return {"completionstatus": {"completed": all(c["complete"] for c in completions), "aggregation": 1,
                                 "completions": completions}, "warnings": []}


FUNCTIONS = {
    "gradereport_user_get_grade_items": Function(GRADE_ITEMS, get_grade_items, writes=False),
    "core_completion_get_activities_completion_status": Function(COMPLETION, activities_completion, writes=False),
    "core_completion_get_course_completion_status": Function(COMPLETION, course_completion, writes=False),
}
