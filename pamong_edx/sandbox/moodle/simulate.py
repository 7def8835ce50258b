"""Simulated learners on the Moodle stand-in (`pamong sandbox --simulate-learners SEED`, or
POST /__sandbox__/simulate {"seed": N}).

For every course with enrolled students: a course without grade items gets the bundled courses' SCORM
activities ("Tes Awal", "Evaluasi Akhir") and its course total (pass mark 70 of 100); each official who signs
in gets access times, each who starts a pretest grade, those who go on a posttest grade, which is also their
course total. Draws come from sandbox/learners.py and depend on the kabupaten in the official's region
profile field. Learners already simulated are left as they are.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from pamong_edx.sandbox import learners
from pamong_edx.sandbox.moodle.grades import STUDENT, ensure_schema

if TYPE_CHECKING:
    from pamong_edx.sandbox.moodle.app import MoodleApp
    from pamong_edx.sandbox.moodle.calls import Call

SCHEMA = "CREATE TABLE IF NOT EXISTS simulated (courseid INTEGER NOT NULL, userid INTEGER NOT NULL, " \
         "PRIMARY KEY (courseid, userid)) WITHOUT ROWID;"
BASE_TIME = 1748764800  # 2025-06-01 00:00 UTC: simulated sign-ins fall in the 30 days after
ITEMS = (("Tes Awal", "mod", "scorm", "pretest"), ("Evaluasi Akhir", "mod", "scorm", "posttest"),
         (None, "course", None, ""))
REGION_FIELDS = ("kodewilayah", "kode_wilayah")


def simulate(app: MoodleApp, seed: int, course_id: int | None = None) -> dict[str, int]:
    counts = {"registered": 0, "started": 0, "posttest": 0}
    setup = app.store.db.conn()
    ensure_schema(setup)  # executescript commits: outside the write transaction
    setup.executescript(SCHEMA)
    with app.store.db.write() as conn:
        courses = [course_id] if course_id else [r["courseid"] for r in conn.execute(
            "SELECT DISTINCT e.courseid FROM enrol e JOIN user_enrolments ue ON ue.enrolid = e.id")]
        for course in courses:
            for key, value in _course(conn, seed, course).items():
                counts[key] += value
    return counts


def _items(conn: sqlite3.Connection, course: int) -> dict[str, int]:
    rows = conn.execute("SELECT id, idnumber, itemtype FROM grade_items WHERE courseid = ?", (course,)).fetchall()
    if not rows:
        for order, (name, kind, module, idnumber) in enumerate(ITEMS):
            conn.execute("INSERT INTO grade_items (courseid, itemname, itemtype, itemmodule, iteminstance, idnumber, "
                         "gradepass, sortorder) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (course, name, kind, module, order + 1 if module else course, idnumber,
                          learners.CUTOFF * 100 if kind == "course" else 0, order + 1))
        rows = conn.execute("SELECT id, idnumber, itemtype FROM grade_items WHERE courseid = ?", (course,)).fetchall()
    return {("course" if r["itemtype"] == "course" else r["idnumber"]): r["id"] for r in rows}


def _course(conn: sqlite3.Connection, seed: int, course: int) -> dict[str, int]:
    counts = {"registered": 0, "started": 0, "posttest": 0}
    key = conn.execute("SELECT idnumber, shortname FROM courses WHERE id = ?", (course,)).fetchone()
    if key is None:
        return counts
    name = key["idnumber"] or key["shortname"]
    items = _items(conn, course)
    done = {r["userid"] for r in conn.execute("SELECT userid FROM simulated WHERE courseid = ?", (course,))}
    fields = tuple(r["id"] for r in conn.execute(
        f"SELECT id FROM profile_fields WHERE shortname IN ({','.join('?' * len(REGION_FIELDS))})", REGION_FIELDS))
    students = conn.execute(
        "SELECT DISTINCT u.id, u.email FROM users u JOIN user_enrolments ue ON ue.userid = u.id JOIN enrol e ON "
        "e.id = ue.enrolid JOIN role_assignments ra ON ra.userid = u.id AND ra.courseid = e.courseid AND "
        "ra.roleid = ? WHERE e.courseid = ? AND u.deleted = 0", (STUDENT, course)).fetchall()
    for student in students:
        if student["id"] in done:
            continue
        region = ""
        if fields:
            row = conn.execute(f"SELECT data FROM profile_data WHERE userid = ? AND fieldid IN "
                               f"({','.join('?' * len(fields))}) AND data != ''", (student["id"], *fields)).fetchone()
            region = learners.region_of(row["data"]) if row else ""
        plan = learners.learner(seed, name, student["email"], region)
        conn.execute("INSERT OR IGNORE INTO simulated VALUES (?, ?)", (course, student["id"]))
        if not plan["registers"]:
            continue
        counts["registered"] += 1
        when = BASE_TIME + plan["day"] * 86400
        conn.execute("INSERT OR REPLACE INTO user_access VALUES (?, ?, ?, ?)", (student["id"], course, when, when))
        for idnumber, score in (("pretest", plan["pretest"]), ("posttest", plan["posttest"])):
            if score is not None and idnumber in items:
                conn.execute("INSERT OR REPLACE INTO grade_grades VALUES (?, ?, ?, ?)",
                             (items[idnumber], student["id"], round(score * 100, 2), when))
        if plan["pretest"] is not None:
            counts["started"] += 1
        if plan["posttest"] is not None:
            counts["posttest"] += 1
            conn.execute("INSERT OR REPLACE INTO grade_grades VALUES (?, ?, ?, ?)",
                         (items["course"], student["id"], round(plan["posttest"] * 100, 2), when))
    return counts


def before_grade_read(call: Call, course_id: int) -> None:
    """With --simulate-learners, a course's newest learners have moved on by the time anyone reads it."""
    seed = getattr(call.app, "simulate_seed", None)
    if seed is not None:
        simulate(call.app, seed, course_id)
