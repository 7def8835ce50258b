"""Simulated learners on the Moodle stand-in (core/simulate.py decides what each official does).

Accounts already exist on Moodle (the toolkit makes them), so "registers" means the official logged in
(firstaccess/lastaccess); one who starts opens the course (lastcourseaccess), completes the material,
and gets the pretest's and posttest's grades (told apart by idnumber or name); the posttest's completion
is "pass" at 70% of its maximum or more, else "fail", and the course completes with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pamong_edx.sandbox.core.simulate import Tally, journey, kind_of, region_of

if TYPE_CHECKING:
    from pamong_edx.sandbox.moodle.app import MoodleApp

PASS = 0.7  # the posttest's grade to pass, as a share of its maximum
COMPLETE, COMPLETE_PASS, COMPLETE_FAIL = 1, 2, 3


def simulate(app: MoodleApp, seed: int, course: str | None = None, only_new: bool = False) -> Tally:
    db = app.store.db
    done = {r["key"] for r in db.all("SELECT key FROM simulated")} if only_new else set()
    where, args = ("AND c.shortname = ?", (course,)) if course else ("", ())
    learners = db.all(
        "SELECT DISTINCT c.id AS course, u.id AS user, u.email, "
        "(SELECT d.data FROM profile_data d JOIN profile_fields f ON f.id = d.fieldid WHERE d.userid = u.id "
        " AND f.shortname = 'kodewilayah') AS region, "
        "(SELECT MIN(h.name) FROM cohort_members m JOIN cohorts h ON h.id = m.cohortid "
        " WHERE m.userid = u.id) AS cohort "
        "FROM user_enrolments ue JOIN enrol e ON e.id = ue.enrolid JOIN courses c ON c.id = e.courseid "
        "JOIN users u ON u.id = ue.userid JOIN role_assignments ra ON ra.userid = u.id AND ra.courseid = c.id "
        f"WHERE ra.roleid = 5 AND u.deleted = 0 AND ue.status = 0 {where} ORDER BY c.id, u.id", args)
    items: dict[int, list] = {}
    tally = Tally()
    access, course_access, grades, states, keys = {}, [], [], [], []
    for row in learners:
        path = journey(seed, row["email"], region_of(row["region"], row["cohort"]))
        modules = items.setdefault(row["course"], db.all(
            "SELECT m.id AS cmid, m.name, m.idnumber, i.id AS item, i.grademax FROM course_modules m "
            "LEFT JOIN grade_items i ON i.cmid = m.id WHERE m.course = ? ORDER BY m.id", (row["course"],)))
        post = next((m for m in modules if kind_of(m["idnumber"], m["name"]) == "posttest"), None)
        passed = bool(path.posttest is not None and post is not None and path.posttest >= PASS)
        tally.add(path, passed)
        key = f"learn|{row['course']}|{row['user']}"
        if key in done:
            continue
        keys.append((key,))
        if not path.registers:
            continue
        when = path.last_activity or 0
        first = min(access.get(row["user"], (when, when))[0], when) if when else 0
        access[row["user"]] = (first, max(access.get(row["user"], (0, 0))[1], when))
        if not path.starts:
            continue
        course_access.append((row["user"], row["course"], when))
        for module in modules:
            kind = kind_of(module["idnumber"], module["name"])
            score = path.pretest if kind == "pretest" else path.posttest if kind == "posttest" else 1.0
            if score is None:
                continue
            if module["item"] is not None:
                grades.append((module["item"], row["user"], round(score * module["grademax"], 5), when))
            state = COMPLETE if kind != "posttest" else (COMPLETE_PASS if score >= PASS else COMPLETE_FAIL)
            states.append((module["cmid"], row["user"], state, when))
    with db.write() as conn:
        for user, (first, last) in access.items():
            conn.execute("INSERT INTO user_access VALUES (?, ?, ?) ON CONFLICT (userid) DO UPDATE SET "
                         "firstaccess = MIN(firstaccess, excluded.firstaccess), "
                         "lastaccess = MAX(lastaccess, excluded.lastaccess)", (user, first or last, last))
        conn.executemany("INSERT OR REPLACE INTO user_lastaccess VALUES (?, ?, ?)", course_access)
        conn.executemany("INSERT OR REPLACE INTO grade_grades VALUES (?, ?, ?, ?)", grades)
        conn.executemany("INSERT OR REPLACE INTO completion_states VALUES (?, ?, ?, ?)", states)
        conn.executemany("INSERT OR IGNORE INTO simulated VALUES (?)", keys)
    return tally
