"""What a progress report is made of: facts per learner in, figures per region out.

A `Learner` is one official (or one LMS learner) in one course, as the LMS and the toolkit's own records
describe them at the time of a snapshot. `Figures` are what a group of learners adds up to (a region at some
level, or a position). Scores are fractions 0..1; a missing score is None (not taken), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# Levels of the Kemendagri hierarchy; 0 is the whole country.
NATION, PROVINSI, KABUPATEN, KECAMATAN, DESA = 0, 1, 2, 3, 4
LEVELS = {"provinsi": PROVINSI, "kabupaten": KABUPATEN, "kecamatan": KECAMATAN, "desa": DESA}
UNKNOWN = "?"  # the region key of learners the report cannot place
CODE_LENGTHS = {PROVINSI: 2, KABUPATEN: 5, KECAMATAN: 8, DESA: 13}


def level_of(code: str) -> int:
    """0 for the nation (""), else 1 provinsi .. 4 desa/kelurahan; -1 for the unknown region."""
    if code == UNKNOWN:
        return -1
    return 0 if not code else code.count(".") + 1


def within(code: str, scope: str) -> bool:
    """Whether a region code lies in (or is) the scope ("" is the whole country)."""
    return not scope or code == scope or code.startswith(scope + ".")


@dataclass(frozen=True)
class CourseInfo:
    """A course as the report needs it: how to tell pretest from posttest, and the pass mark."""

    key: str
    title: str = ""
    cutoff: float | None = None  # the pass mark, 0..1, when the LMS says it
    pretest: str = ""  # the name (grading format / grade item) the pretest score comes from; "" when none
    posttest: str = ""
    pass_by: str = "grade"  # what the cutoff applies to: the course grade, or the posttest score


@dataclass(slots=True)
class Progress:
    """What the LMS says about one learner in one course."""

    username: str = ""
    email: str = ""  # lower case; "" when the LMS does not give it (Open edX's grades API)
    name: str = ""
    enrolled: bool = True  # an active enrolment, or a pre-enrolment waiting for the account
    registered: bool = True  # has an account on the LMS
    started: bool = False  # any graded activity
    pretest: float | None = None
    posttest: float | None = None
    passed: bool = False
    percent: float | None = None  # the course grade
    last_activity: str | None = None  # ISO 8601, UTC
    region: str = ""  # where the LMS places them (cohort, profile field), dotted village code; "" if nowhere
    position: str = ""  # the position the LMS holds (a profile field), "" if none
    placed: str = ""  # how the LMS placed them: "cohort" or "profile"; "" when it did not


@dataclass(slots=True)
class Person:
    """Who an official is and where they work, from the roster and the enrolment journal."""

    email: str
    region: str  # dotted village code
    position: str = ""
    name: str = ""
    on_roster: bool = False
    placed: str = "journal"  # roster | journal


@dataclass(slots=True)
class Figures:
    """What a group of learners adds up to."""

    on_roster: int = 0
    enrolled: int = 0
    registered: int = 0
    started: int = 0
    pretest_done: int = 0
    posttest_done: int = 0
    passed: int = 0
    pretest_median: float | None = None
    posttest_median: float | None = None
    gain_median: float | None = None  # the median of each learner's posttest minus pretest
    last_activity: str | None = None

    @property
    def pass_rate(self) -> float | None:
        """Passed as a share of enrolled; None when nobody is enrolled."""
        return self.passed / self.enrolled if self.enrolled else None

    COUNTS = ("on_roster", "enrolled", "registered", "started", "pretest_done", "posttest_done", "passed")


@dataclass
class Row:
    """One line of a report table: a region (or a position) with its figures and those of the snapshot before."""

    key: str  # region code, UNKNOWN, or a position
    name: str
    level: int  # -1 unknown region, 0 nation .. 4 desa; 5 for a position
    figures: Figures
    previous: Figures | None = None

    def change(self, attribute: str) -> float | None:
        """Now minus the previous snapshot, for a count or the pass rate; None without a previous snapshot."""
        if self.previous is None:
            return None
        now, before = getattr(self.figures, attribute), getattr(self.previous, attribute)
        if now is None or before is None:
            return None
        return now - before


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    taken: str  # ISO 8601, UTC
    lms: str = ""
    courses: tuple[CourseInfo, ...] = ()
    roster: str | None = None
    notes: tuple[str, ...] = ()
    requests: int = 0


@dataclass(frozen=True)
class TrendPoint:
    snapshot: int
    taken: str
    figures: Figures


class ListedPerson(NamedTuple):
    """A person named in a list (not started, region unknown): only what follow-up needs. Never a NIK.
    (A tuple: a national list makes hundreds of thousands of them.)"""

    name: str
    position: str
    region: str  # village code ("" unknown)
    village: str  # the village's name
    email: str
    username: str
    state: str  # not-enrolled | no-account | not-started


@dataclass
class CourseReport:
    course: CourseInfo
    total: Row  # the scope itself
    reference: Row | None  # the region above the scope (the national figure for a province), for comparison
    levels: dict[int, list[Row]] = field(default_factory=dict)  # level -> rows within the scope, by code
    positions: list[Row] = field(default_factory=list)
    unknown: Row | None = None  # learners the report cannot place (only in a report of the whole country)
    trend: list[TrendPoint] = field(default_factory=list)
    not_started_count: int = 0
    unknown_count: int = 0


@dataclass
class Report:
    """Everything the writers need; built from one snapshot for one scope (assemble.py)."""

    snapshot: SnapshotInfo
    scope: str  # "" for the whole country
    scope_name: str
    lineage: list[tuple[str, str]]  # (code, name) of the regions above the scope, province first
    by: int  # the finest level of the tables
    courses: list[CourseReport]
    previous: dict[str, SnapshotInfo | None] = field(default_factory=dict)  # course -> the snapshot compared with
