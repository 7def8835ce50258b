"""Open edX course keys (`course-v1:ORG+NUMBER+RUN`, spec section 10)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# opaque-keys allows [\w\-~.:]+ per part (Unicode \w); '+' separates the parts, '/' is never allowed.
PART = r"[\w\-~.:]+"
COURSE_KEY = re.compile(rf"^course-v1:({PART})\+({PART})\+({PART})$")
PART_ONLY = re.compile(rf"^{PART}$")
STUDIO_MAX_LENGTH = 65  # Studio's form caps len(org) + len(number) + len(run)


@dataclass(frozen=True)
class CourseKey:
    org: str
    number: str
    run: str

    def __str__(self) -> str:
        return f"course-v1:{self.org}+{self.number}+{self.run}"

    @classmethod
    def parse(cls, text: str) -> CourseKey | None:
        match = COURSE_KEY.match(text)
        return cls(*match.groups()) if match else None

    @classmethod
    def build(cls, org: str, number: str, run: str) -> CourseKey | None:
        if all(PART_ONLY.match(p or "") for p in (org, number, run)):
            return cls(org, number, run)
        return None

    def usage_key(self, block_type: str, block_id: str) -> str:
        return f"block-v1:{self.org}+{self.number}+{self.run}+type@{block_type}+block@{block_id}"
