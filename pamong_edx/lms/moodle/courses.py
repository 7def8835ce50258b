"""Courses by the key the rules give, and who is enrolled in them.

A rules file names a course by a key without spaces. On Moodle the key is looked up as a course short name,
then as an ID number (so a Moodle course whose ID number is the Open edX key, `course-v1:ORG+NUM+RUN`, is
found by the same rules file); `shortname:KEY`, `idnumber:KEY` and `id:N` pick one lookup.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pamong_edx.lms.errors import NotFound
from pamong_edx.lms.moodle.client import WsClient

PAGE = 1000
PREFIXES = ("shortname", "idnumber", "id")
COURSES = {"courses?": [{"id": int, "shortname?": str, "fullname?": str, "idnumber?": str, "format?": str,
                         "enrollmentmethods?": [str]}]}


@dataclass(frozen=True)
class Course:
    key: str
    id: int
    shortname: str
    fullname: str
    methods: tuple[str, ...]  # enabled enrolment methods


class Courses:
    def __init__(self, ws: WsClient) -> None:
        self.ws = ws
        self._lock = threading.Lock()
        self._courses: dict[str, Course] = {}
        self._enrolled: dict[int, set[int]] = {}

    def find(self, key: str) -> Course | None:
        with self._lock:
            if key in self._courses:
                return self._courses[key]
        field, _, value = key.partition(":")
        lookups = [(field, value)] if field in PREFIXES and value else [("shortname", key), ("idnumber", key)]
        for field, value in lookups:
            if field == "id" and not value.isdigit():
                return None
            answer = self.ws.call("core_course_get_courses_by_field", {"field": field, "value": value},
                                  idempotent=True, shape=COURSES)
            for item in answer.get("courses") or []:
                if str(item.get(field)) == value:
                    course = Course(key, item["id"], item.get("shortname") or "", item.get("fullname") or "",
                                    tuple(item.get("enrollmentmethods") or ()))
                    with self._lock:
                        self._courses[key] = course
                    return course
        return None

    def resolve(self, key: str) -> Course:
        course = self.find(key)
        if course is None:
            raise NotFound(f"no Moodle course has the short name or ID number '{key}' (or it is hidden from the "
                           "web-service user): check the course key in the rules, or set the course's ID number in "
                           "Moodle (Course > Settings > Course ID number)", code="nocourse")
        return course

    def enrolled(self, course: Course) -> set[int]:
        """Ids of everyone enrolled in the course by any method, read once per session and kept current."""
        with self._lock:
            if course.id in self._enrolled:
                return set(self._enrolled[course.id])
        ids: set[int] = set()
        start = 0
        while True:
            options = [{"name": "userfields", "value": "id"}, {"name": "limitfrom", "value": start},
                       {"name": "limitnumber", "value": PAGE}]
            page = self.ws.call("core_enrol_get_enrolled_users", {"courseid": course.id, "options": options},
                                idempotent=True, shape=(None, [{"id": int}]))
            ids.update(u["id"] for u in page or [])
            if len(page or []) < PAGE:
                break
            start += PAGE
        with self._lock:
            self._enrolled.setdefault(course.id, ids)
            return set(self._enrolled[course.id])

    def mark(self, course: Course, user_ids: set[int], enrolled: bool) -> None:
        with self._lock:
            known = self._enrolled.get(course.id)
            if known is not None:
                (known.update if enrolled else known.difference_update)(user_ids)
