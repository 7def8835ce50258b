"""Grades on the Moodle stand-in: gradereport_user_get_grade_items (grade/report/user/externallib.php).

    gradereport_user_get_grade_items(courseid, userid = 0, groupid = 0)
        -> {"usergrades": [{courseid, courseidnumber, userid, userfullname, useridnumber, maxdepth,
                            gradeitems: [{id, itemname, itemtype, itemmodule, iteminstance, itemnumber, idnumber,
                                          categoryid, outcomeid, scaleid, locked, cmid, graderaw, gradedatesubmitted,
                                          gradedategraded, gradehiddenbydate, gradeneedsupdate, gradeishidden,
                                          gradeislocked, gradeisoverridden, gradeformatted, grademin, grademax,
                                          rangeformatted, percentageformatted, feedback, feedbackformat}]}],
            "warnings": []}

As check_report_access does: the course must exist (invalidrecord), the caller needs gradereport/user:view, and
moodle/grade:viewall for every user (userid 0), else nopermissions; with userid 0 every actively enrolled
student is listed (graded_users_iterator). Grade items are kept per course (SCORM/quiz items and the course
total); the simulated learners write them (simulate.py). Access times live here too, for
core_enrol_get_enrolled_users' firstaccess, lastaccess and lastcourseaccess.
"""

from __future__ import annotations

import sqlite3

from pamong_edx.sandbox.moodle.calls import Call, Function
from pamong_edx.sandbox.moodle.params import DEFAULT, Single, Value
from pamong_edx.sandbox.moodle.render import missing_record

SCHEMA = """
CREATE TABLE IF NOT EXISTS grade_items (
    id INTEGER PRIMARY KEY, courseid INTEGER NOT NULL, itemname TEXT, itemtype TEXT NOT NULL, itemmodule TEXT,
    iteminstance INTEGER, idnumber TEXT NOT NULL DEFAULT '', grademin REAL NOT NULL DEFAULT 0,
    grademax REAL NOT NULL DEFAULT 100, gradepass REAL NOT NULL DEFAULT 0, sortorder INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS grade_grades (
    itemid INTEGER NOT NULL, userid INTEGER NOT NULL, finalgrade REAL, timemodified INTEGER NOT NULL,
    PRIMARY KEY (itemid, userid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS user_access (
    userid INTEGER NOT NULL, courseid INTEGER NOT NULL, firstaccess INTEGER NOT NULL, lastaccess INTEGER NOT NULL,
    PRIMARY KEY (userid, courseid)) WITHOUT ROWID;
"""
ITEMS = Single({"courseid": Value("int"), "userid": Value("int", DEFAULT, 0), "groupid": Value("int", DEFAULT, 0)})
STUDENT = 5


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def access(conn: sqlite3.Connection, user_id: int, course_id: int | None = None) -> dict[str, int]:
    """firstaccess/lastaccess over the site, and lastcourseaccess in one course (0 when never)."""
    row = conn.execute("SELECT min(firstaccess) AS f, max(lastaccess) AS l FROM user_access WHERE userid = ?",
                       (user_id,)).fetchone()
    out = {"firstaccess": int(row["f"] or 0), "lastaccess": int(row["l"] or 0)}
    if course_id is not None:
        mine = conn.execute("SELECT lastaccess FROM user_access WHERE userid = ? AND courseid = ?",
                            (user_id, course_id)).fetchone()
        out["lastcourseaccess"] = int(mine["lastaccess"]) if mine else 0
    return out


def get_grade_items(call: Call, params: dict) -> dict:
    course = call.conn.execute("SELECT * FROM courses WHERE id = ?", (params["courseid"],)).fetchone()
    if course is None:
        raise missing_record("course")
    call.require("gradereport/user:view", "View the user report")
    user_id = params["userid"]
    if not user_id:
        call.require("moodle/grade:viewall", "View grades of other users")
    from pamong_edx.sandbox.moodle.simulate import before_grade_read

    before_grade_read(call, course["id"])
    items = call.conn.execute("SELECT * FROM grade_items WHERE courseid = ? ORDER BY sortorder, id",
                              (course["id"],)).fetchall()
    t = "AND ue.status = 0 AND e.status = 0"
    sql = ("SELECT DISTINCT u.* FROM users u JOIN user_enrolments ue ON ue.userid = u.id JOIN enrol e ON "
           f"e.id = ue.enrolid JOIN role_assignments ra ON ra.userid = u.id AND ra.courseid = e.courseid "
           f"AND ra.roleid = {STUDENT} WHERE e.courseid = ? AND u.deleted = 0 {t}")
    args: tuple = (course["id"],)
    if user_id:
        sql += " AND u.id = ?"
        args += (user_id,)
    users = call.conn.execute(sql + " ORDER BY u.id", args).fetchall()
    grades: dict[tuple[int, int], sqlite3.Row] = {}
    if items:
        marks = ",".join("?" * len(items))
        for row in call.conn.execute(f"SELECT * FROM grade_grades WHERE itemid IN ({marks})",
                                     tuple(i["id"] for i in items)):
            grades[(row["itemid"], row["userid"])] = row
    usergrades = []
    for user in users:
        usergrades.append({
            "courseid": course["id"], "courseidnumber": course["idnumber"], "userid": user["id"],
            "userfullname": f"{user['firstname']} {user['lastname']}", "useridnumber": user["idnumber"],
            "maxdepth": 2, "gradeitems": [_item(i, grades.get((i["id"], user["id"])), n) for n, i in enumerate(items)],
        })
    return {"usergrades": usergrades, "warnings": []}


def _item(item: sqlite3.Row, grade: sqlite3.Row | None, index: int) -> dict:
    raw = grade["finalgrade"] if grade is not None else None
    shown = "-" if raw is None else f"{raw:.2f}"
    percent = "-" if raw is None or item["grademax"] <= item["grademin"] else \
        f"{(raw - item['grademin']) / (item['grademax'] - item['grademin']) * 100:.2f} %"
    out = {
        "id": item["id"], "itemname": item["itemname"], "itemtype": item["itemtype"], "itemmodule": item["itemmodule"],
        "iteminstance": item["iteminstance"], "itemnumber": 0, "idnumber": item["idnumber"], "categoryid": None,
        "outcomeid": None, "scaleid": None, "locked": False, "gradehiddenbydate": False, "gradeneedsupdate": False,
        "gradeishidden": False, "gradeislocked": False, "gradeisoverridden": False, "gradeformatted": shown,
        "grademin": item["grademin"], "grademax": item["grademax"],
        "rangeformatted": f"{item['grademin']:.2f}&ndash;{item['grademax']:.2f}", "percentageformatted": percent,
        "feedback": "", "feedbackformat": 0,
    }
    if item["itemtype"] == "mod":
        out["cmid"] = 100 + index
    if raw is not None:
        out["graderaw"] = raw
        out["gradedategraded"] = grade["timemodified"]
        out["gradedatesubmitted"] = grade["timemodified"]
    return out


FUNCTIONS = {"gradereport_user_get_grade_items": Function(ITEMS, get_grade_items, writes=False)}
