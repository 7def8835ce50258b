"""Reading learners' progress from Moodle for `pamong report` (the ReadsProgress feature of lms/protocol.py).

Two web-service functions per course:

* `core_enrol_get_enrolled_users` (enrol/externallib.php), 1,000 active enrolments a call: who, their email,
  first and last access and last access to the course, and the custom profile fields the toolkit writes
  (region code and position), which place learners the toolkit did not enrol;
* `gradereport_user_get_grade_items` (grade/report/user/externallib.php, Moodle 3.2+; userid 0 = every
  graded user, which needs moodle/grade:viewall), once: every grade item with each learner's raw grade. The
  SCORM or quiz items are the course's parts (pretest and posttest by name); the `course` item is the grade.

Moodle's web services do not give a grade item's pass grade, so `pamong report --pass-mark` sets it; passed
is then the posttest's score against it (the course completes, and the certificate is earned, with the
posttest's completion at its pass grade; the course total also sums the pretest). Everyone has an account
on Moodle (the toolkit makes them), so "registered" means signed in at least once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone

from pamong_edx.lms.protocol import GradingScheme, LearnerProgress

PAGE = 1000
USER_FIELDS = "id,username,email,fullname,firstaccess,lastaccess,lastcourseaccess,customfields"
GRADE_ITEMS = "gradereport_user_get_grade_items"


def _iso(stamp: object) -> str | None:
    try:
        value = int(stamp or 0)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(value, timezone.utc).isoformat(timespec="seconds") if value > 0 else None


def _fraction(item: dict) -> float | None:
    raw = item.get("graderaw")
    if raw is None:
        return None
    low, high = float(item.get("grademin") or 0), float(item.get("grademax") or 0)
    return (float(raw) - low) / (high - low) if high > low else None


class ProgressReading:
    """Mixed into MoodleBackend: needs ws, courses and settings."""

    def _grade_items(self, course_id: str) -> tuple[object, dict]:
        cache = self.__dict__.setdefault("_grade_cache", {})
        if course_id not in cache:
            course = self.courses.resolve(course_id)
            cache[course_id] = (course, self.ws.call(GRADE_ITEMS, {"courseid": course.id}, idempotent=True) or {})
        return cache[course_id]

    def grading_scheme(self, course_id: str) -> GradingScheme:
        course, data = self._grade_items(course_id)
        parts: dict[str, None] = {}
        for user in data.get("usergrades") or []:
            for item in user.get("gradeitems") or []:
                if item.get("itemtype") == "mod" and item.get("itemname"):
                    parts[str(item["itemname"])] = None
            if parts:
                break
        return GradingScheme(course_id=course_id, title=course.fullname, parts=tuple(parts), cutoff=None,
                             pass_by="posttest")

    def course_progress(self, course_id: str, scheme: GradingScheme, *, known_emails: Mapping[str, str] = {},
                        placed: Callable[[str], bool] = lambda email: False) -> Iterator[LearnerProgress]:
        course, data = self._grade_items(course_id)
        self.__dict__.get("_grade_cache", {}).pop(course_id, None)  # a later report reads afresh
        grades = {int(u.get("userid") or 0): u.get("gradeitems") or [] for u in data.get("usergrades") or []}
        region_field = self.settings.profile_fields.get("kode_wilayah") or ""
        position_field = self.settings.profile_fields.get("jabatan") or "jabatan"
        start = 0
        while True:
            options = [{"name": "onlyactive", "value": 1}, {"name": "userfields", "value": USER_FIELDS},
                       {"name": "limitfrom", "value": start}, {"name": "limitnumber", "value": PAGE}]
            page = self.ws.call("core_enrol_get_enrolled_users", {"courseid": course.id, "options": options},
                                idempotent=True) or []
            for user in page:
                yield _learner(user, grades.get(int(user.get("id") or 0), []), region_field, position_field)
            if len(page) < PAGE:
                return
            start += PAGE


def _learner(user: dict, items: list[dict], region_field: str, position_field: str) -> LearnerProgress:
    fields = {str(f.get("shortname")): str(f.get("value") or "") for f in user.get("customfields") or []}
    scores: dict[str, float] = {}
    percent = None
    for item in items:
        value = _fraction(item)
        if item.get("itemtype") == "course":
            percent = value
        elif item.get("itemtype") == "mod" and value is not None:
            scores[str(item.get("itemname"))] = value
    region = fields.get(region_field, "") if region_field else ""
    return LearnerProgress(
        username=str(user.get("username", "")), email=str(user.get("email") or ""),
        name=str(user.get("fullname") or ""), registered=bool(user.get("firstaccess") or user.get("lastaccess")),
        percent=percent, scores=scores, attempted=bool(scores),
        last_activity=_iso(user.get("lastcourseaccess") or user.get("lastaccess")),
        place=region, place_kind="profile" if region else "", position=fields.get(position_field, ""),
    )
