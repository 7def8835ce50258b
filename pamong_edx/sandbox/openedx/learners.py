"""Simulated learners on the Open edX stand-in (core/simulate.py decides what each official does).

A pre-enrolled email (CourseEnrollmentAllowed) that registers gets an active account, so its auto_enroll
and cohort pre-assignment apply as on the platform; an enrolled learner who starts gets subsection scores
(pretest and posttest subsections told apart by format or name; other graded subsections score between
the two) and a course grade computed from them by the course's grading policy.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import TYPE_CHECKING

from pamong_edx.sandbox.core.simulate import Journey, Tally, journey, kind_of, region_of
from pamong_edx.sandbox.openedx.grading import Grading, grading_for
from pamong_edx.sandbox.openedx.store import now_iso

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp


def simulate(app: OpenEdxApp, seed: int, course_id: str | None = None, only_new: bool = False) -> Tally:
    from pamong_edx.sandbox.openedx.enrollment import apply_allowed

    db = app.store.db
    done = {r["key"] for r in db.all("SELECT key FROM simulated")} if only_new else set()
    where, args = ("WHERE a.course_id = ?", (course_id,)) if course_id else ("", ())
    pending = db.all(
        "SELECT a.email, MIN(p.cohort) AS cohort FROM enrollment_allowed a "
        "LEFT JOIN (SELECT pa.email, c.name AS cohort "
        "FROM cohort_preassigned pa JOIN cohorts c ON c.id = pa.cohort_id) p ON p.email = a.email "
        f"{where} GROUP BY a.email COLLATE NOCASE ORDER BY a.email", args)
    for row in pending:
        key = f"register|{row['email'].lower()}"
        if key in done or app.store.user_by_email(row["email"]) is not None:
            continue
        region = region_of(row["cohort"])
        if journey(seed, row["email"], region).registers:
            meta = {"kode_wilayah": region} if region else {}
            user = app.store.create_user(_username(app, row["email"]), row["email"], row["email"].split("@")[0],
                                         password=secrets.token_urlsafe(12), meta=meta)
            apply_allowed(app, user)
        with db.write() as conn:
            conn.execute("INSERT OR IGNORE INTO simulated VALUES (?)", (key,))
    tally = Tally()
    courses = [course_id] if course_id else [r["course_id"] for r in db.all("SELECT course_id FROM courses")]
    for course in courses:
        grading = grading_for((app.store.course(course) or {"structure": None})["structure"])
        learners = db.all(
            "SELECT e.id, u.id AS user_id, u.email, u.meta, c.name AS cohort FROM enrollments e "
            "JOIN users u ON u.id = e.user_id "
            "LEFT JOIN cohort_members m ON m.user_id = u.id AND m.course_id = e.course_id "
            "LEFT JOIN cohorts c ON c.id = m.cohort_id WHERE e.course_id = ? AND e.is_active = 1 AND u.is_staff = 0 "
            "AND u.is_superuser = 0 ORDER BY e.id", (course,))
        subsection_rows, grade_rows, keys = [], [], []
        stamp = now_iso()
        for learner in learners:
            key = f"learn|{course}|{learner['user_id']}"
            region = region_of(json.loads(learner["meta"] or "{}").get("kode_wilayah"), learner["cohort"])
            path = journey(seed, learner["email"], region)
            scores = _scores(grading, path)
            percent, passed, letter = grading.course_grade(scores)
            tally.add(path, path.starts and passed)
            if key in done:
                continue
            keys.append((key,))
            if path.starts:
                subsection_rows += [(learner["user_id"], course, module, earned, possible, stamp)
                                    for module, (earned, possible) in scores.items()]
                grade_rows.append((learner["user_id"], course, percent, int(passed), letter))
        with db.write() as conn:  # one transaction per course
            conn.executemany("INSERT OR REPLACE INTO subsection_grades VALUES (?, ?, ?, ?, ?, ?)", subsection_rows)
            conn.executemany("INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?)", grade_rows)
            conn.executemany("INSERT OR IGNORE INTO simulated VALUES (?)", keys)
    return tally


def _scores(grading: Grading, path: Journey) -> dict[str, tuple[float, float]]:
    """{module_id: (earned, possible)} of the subsections the learner took."""
    scores: dict[str, tuple[float, float]] = {}
    if not path.starts:
        return scores
    middle = [s for s in (path.pretest, path.posttest) if s is not None]
    for sub in grading.subsections:
        kind = kind_of(sub["format"], sub["display_name"])
        score = path.pretest if kind == "pretest" else path.posttest if kind == "posttest" else \
            (sum(middle) / len(middle) if middle and sub["graded"] else None)
        if score is None:
            continue
        possible = sub["possible"] or 1.0
        scores[sub["module_id"]] = (round(score * possible, 2), possible)
    return scores


def _username(app: OpenEdxApp, email: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]", "_", email.split("@")[0])[:24] or "peserta"
    name, n = base, 1
    while app.store.user_by_username(name) is not None:
        n += 1
        name = f"{base}_{n}"
    return name
