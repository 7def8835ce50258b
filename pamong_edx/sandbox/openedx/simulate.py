"""Simulated learners on the Open edX stand-in (`pamong sandbox --simulate-learners SEED`, or
POST /__sandbox__/simulate {"seed": N}).

For every course with enrolments: a course without a grading of its own gets the bundled courses' one (an
ungraded-weight Pretest and a Posttest worth the whole grade, pass mark 70); each pre-enrolled email that
registers gets an account, its enrolment (auto_enroll) and its pre-assigned cohort; each enrolled official
who starts gets a pretest score, and those who go on a posttest score, which is their course grade. Draws
come from sandbox/learners.py and depend on the kabupaten of the official's cohort. Learners already
simulated are left as they are, so reading a large course again costs nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pamong_edx.sandbox import learners
from pamong_edx.sandbox.openedx.gradebook import grading, set_grading, usage_key
from pamong_edx.sandbox.openedx.store import now_iso

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

SCHEMA = "CREATE TABLE IF NOT EXISTS simulated (course_id TEXT NOT NULL, email TEXT NOT NULL COLLATE NOCASE, " \
         "PRIMARY KEY (course_id, email)) WITHOUT ROWID;"
PAMONG_FORMATS = [
    {"type": learners.PRETEST, "short_label": "TA", "min_count": 1, "drop_count": 0, "weight": 0.0},
    {"type": learners.POSTTEST, "short_label": "EA", "min_count": 1, "drop_count": 0, "weight": 1.0},
]
PAMONG_SUBSECTIONS = [
    {"id": "tes-awal", "display_name": "Tes Awal", "format": learners.PRETEST},
    {"id": "materi", "display_name": "Materi", "format": ""},
    {"id": "evaluasi-akhir", "display_name": "Evaluasi Akhir", "format": learners.POSTTEST},
]


def simulate(app: OpenEdxApp, seed: int, course_id: str | None = None) -> dict[str, int]:
    app.store.db.conn().executescript(SCHEMA)
    courses = [course_id] if course_id else [r["course_id"] for r in app.store.db.all(
        "SELECT DISTINCT course_id FROM enrollments UNION SELECT DISTINCT course_id FROM enrollment_allowed")]
    counts = {"registered": 0, "started": 0, "posttest": 0}
    for course in courses:
        if app.store.course(course) is None:
            continue
        if app.store.db.one("SELECT 1 FROM course_grading WHERE course_id = ?", (course,)) is None:
            set_grading(app, course, PAMONG_FORMATS, {"Pass": learners.CUTOFF}, PAMONG_SUBSECTIONS)
        for key, value in _course(app, seed, course).items():
            counts[key] += value
    return counts


def _course(app: OpenEdxApp, seed: int, course: str) -> dict[str, int]:
    cutoffs, formats, subsections = grading(app, course)
    cutoff = min(cutoffs.values()) if cutoffs else learners.CUTOFF
    weights = {f["type"]: float(f["weight"]) for f in formats}
    modules = {s["format"]: usage_key(course, s["id"]) for s in subsections if s.get("format")}
    counts = {"registered": 0, "started": 0, "posttest": 0}
    with app.store.db.write() as conn:
        done = {r["email"].lower() for r in conn.execute("SELECT email FROM simulated WHERE course_id = ?", (course,))}
        waiting = conn.execute(
            "SELECT a.email, c.name AS cohort FROM enrollment_allowed a LEFT JOIN cohort_preassigned p "
            "ON p.email = a.email AND p.course_id = a.course_id LEFT JOIN cohorts c ON c.id = p.cohort_id "
            "WHERE a.course_id = ?", (course,)).fetchall()
        for row in waiting:
            if row["email"].lower() in done:
                continue
            plan = learners.learner(seed, course, row["email"], learners.region_of(row["cohort"] or ""))
            if plan["registers"]:
                _register(app, conn, course, row["email"])
                counts["registered"] += 1
        enrolled = conn.execute(
            "SELECT u.id, u.email, c.name AS cohort FROM enrollments e JOIN users u ON u.id = e.user_id "
            "LEFT JOIN cohort_members m ON m.user_id = u.id AND m.course_id = e.course_id "
            "LEFT JOIN cohorts c ON c.id = m.cohort_id WHERE e.course_id = ? AND e.is_active = 1", (course,)).fetchall()
        for row in enrolled:
            if row["email"].lower() in done or row["email"].endswith("@sandbox.pamong.test"):
                continue
            plan = learners.learner(seed, course, row["email"], learners.region_of(row["cohort"] or ""))
            scores = {learners.PRETEST: plan["pretest"], learners.POSTTEST: plan["posttest"]}
            for fmt, score in scores.items():
                if score is not None and fmt in modules:
                    conn.execute("INSERT OR REPLACE INTO subsection_grades VALUES (?, ?, ?, ?, ?, ?)",
                                 (row["id"], course, modules[fmt], round(score * 10, 4), 10.0, now_iso()))
            if plan["pretest"] is not None:
                counts["started"] += 1
                percent = sum(weights.get(f, 0.0) * (s or 0.0) for f, s in scores.items())
                counts["posttest"] += plan["posttest"] is not None
                conn.execute("INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?)",
                             (row["id"], course, round(percent, 4), int(percent >= cutoff - 1e-9),
                              "Pass" if percent >= cutoff - 1e-9 else None))
            conn.execute("INSERT OR IGNORE INTO simulated VALUES (?, ?)", (course, row["email"]))
    return counts


def _register(app: OpenEdxApp, conn, course: str, email: str) -> None:  # noqa: ANN001 - a sqlite3.Connection
    """What registering does to a pre-enrolment: an account, the enrolment (auto_enroll), the cohort."""
    base = re.sub(r"[^A-Za-z0-9_-]", "_", email.split("@")[0])[:24] or "peserta"
    username, n = base, 1
    while conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        n += 1
        username = f"{base}_{n}"
    cur = conn.execute("INSERT INTO users (username, email, name, date_joined) VALUES (?, ?, ?, ?)",
                       (username, email, "", now_iso()))
    user_id = cur.lastrowid
    conn.execute("INSERT OR IGNORE INTO enrollments (user_id, course_id, mode, is_active, created) "
                 "VALUES (?, ?, 'audit', 1, ?)", (user_id, course, now_iso()))
    for pre in conn.execute("SELECT cohort_id FROM cohort_preassigned WHERE email = ? AND course_id = ?",
                            (email, course)).fetchall():
        conn.execute("INSERT OR REPLACE INTO cohort_members VALUES (?, ?, ?)", (user_id, course, pre["cohort_id"]))
    conn.execute("DELETE FROM cohort_preassigned WHERE email = ? AND course_id = ?", (email, course))
    conn.execute("DELETE FROM enrollment_allowed WHERE email = ? AND course_id = ?", (email, course))


def before_grade_read(app: OpenEdxApp, course_id: str) -> None:
    """With --simulate-learners, a course's newest learners have moved on by the time anyone reads its grades."""
    seed = getattr(app, "simulate_seed", None)
    if seed is not None and course_id:
        simulate(app, seed, course_id)
