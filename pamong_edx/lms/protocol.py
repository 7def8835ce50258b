"""The operations the toolkit needs from any LMS, with typed results.

Everything outside pamong_edx/lms/<backend>/ talks to an LMS only through `LmsBackend`: `pamong deploy`,
`pamong lms check` and the enrolment engine. A backend raises the typed errors of lms/errors.py.
Identifiers are what rosters hold: an email or a username.

An LMS that cannot enrol an email without an account (Moodle has no pre-enrolment) sets the class attribute
`creates_accounts = True`: its `bulk_enrol` and `add_to_cohort` then take `people` (one `Person` per
identifier), create the missing accounts and update the region of existing ones before they enrol. A backend
without the attribute is never given `people`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

if TYPE_CHECKING:
    from pamong_edx.lms.profiles import Profile


@dataclass(frozen=True)
class Identity:
    """Who the client acts as."""

    username: str
    is_staff: bool  # global staff on Open edX, site admin on Moodle (BackendInfo.admin_title)
    email: str | None = None


@dataclass(frozen=True)
class Capability:
    """Whether the client can do one job, and what to change when it cannot."""

    job: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class CourseRun:
    course_id: str
    title: str = ""
    start: str | None = None
    end: str | None = None
    pacing: str = ""  # "self_paced" | "instructor_paced" | "" (unknown)


@dataclass(frozen=True)
class PackageInfo:
    """What a course package will become on the LMS (read from the package itself)."""

    path: Path
    course_id: str
    title: str
    start: str | None = None
    end: str | None = None
    self_paced: bool = False
    notes: tuple[str, ...] = ()  # things worth telling the operator (not errors)


@dataclass(frozen=True)
class ImportTicket:
    """A started import; everything needed to follow it."""

    course_id: str
    task_id: str
    filename: str


@dataclass(frozen=True)
class ImportStatus:
    state: str
    finished: bool
    succeeded: bool


@dataclass(frozen=True)
class Account:
    username: str
    email: str | None  # None when the LMS hides it from this caller
    name: str = ""
    is_active: bool = True


class EnrolOutcome(str, enum.Enum):
    ENROLLED = "enrolled"  # has an account, is now enrolled
    PRE_ENROLLED = "pre-enrolled"  # no account yet: allowed, enrolled on registration (auto_enroll)
    ALREADY_ENROLLED = "already-enrolled"
    UNENROLLED = "unenrolled"
    NOT_ENROLLED = "not-enrolled"  # unenrol of someone who was neither enrolled nor allowed
    INVALID = "invalid"  # neither an existing username nor a valid email
    ERROR = "error"  # the LMS failed on this identifier alone


@dataclass(frozen=True)
class EnrolResult:
    identifier: str
    outcome: EnrolOutcome
    has_account: bool = False
    cohort: str | None = None  # the learner's cohort after the call, when the LMS reports it
    message: str = ""  # why it is invalid or failed, or a note worth reporting on the row
    account: str = ""  # what the call did to the account first: "created", "updated" or "" (creates_accounts)

    @property
    def ok(self) -> bool:
        return self.outcome not in (EnrolOutcome.INVALID, EnrolOutcome.ERROR)


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    user_count: int = 0
    assignment_type: str = "manual"


@dataclass(frozen=True)
class CohortChange:
    """The result of putting people in a cohort, by what happened to each."""

    added: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()  # were in another cohort of the course
    present: tuple[str, ...] = ()
    preassigned: tuple[str, ...] = ()  # emails without an account yet
    unknown: tuple[str, ...] = ()  # usernames with no account
    invalid: tuple[str, ...] = ()  # malformed emails
    messages: Mapping[str, str] = field(default_factory=dict)  # identifier -> why it failed, or a note


@dataclass(frozen=True)
class Person:
    """An official as an LMS that keeps its own accounts needs them (creates_accounts): who and where.

    The NIK is carried only so that a profile which maps it to an LMS field can send it; it is never shown.
    """

    email: str
    name: str
    position: str
    region: str  # the village code, dotted
    places: tuple[str, ...] = ()  # names of the provinsi, kabupaten/kota, kecamatan and desa/kelurahan
    nik: str = field(default="", repr=False)


@dataclass(frozen=True)
class Enrolment:
    username: str
    course_id: str
    mode: str
    is_active: bool
    created: str = ""


@dataclass(frozen=True)
class Grade:
    username: str
    course_id: str
    percent: float
    passed: bool
    letter_grade: str | None = None
    email: str = ""


@dataclass(frozen=True)
class GradingScheme:
    """How a course is graded, as the LMS says: the names its assessments carry and the pass mark."""

    course_id: str
    title: str = ""
    parts: tuple[str, ...] = ()  # Open edX: the grading formats (assignment types); Moodle: the grade items
    cutoff: float | None = None  # the pass mark, 0..1, when the LMS says it


@dataclass(frozen=True)
class LearnerProgress:
    """One learner of a course: who, how far, and where the LMS says they work."""

    username: str
    email: str = ""  # "" when the LMS does not say
    name: str = ""
    registered: bool = True  # False: pre-enrolled by email, no account yet
    percent: float | None = None  # the course grade, 0..1
    passed: bool = False
    scores: Mapping[str, float] = field(default_factory=dict)  # part -> score 0..1, for the parts attempted
    attempted: bool = False  # any graded activity
    last_activity: str | None = None  # ISO 8601, UTC
    place: str = ""  # a cohort name or a region profile field's value
    place_kind: str = ""  # "cohort" or "profile"
    position: str = ""


@runtime_checkable
class ReadsProgress(Protocol):
    """The progress-report feature (`pamong report`): a backend that can say how far its learners are.

    `known_emails` maps usernames to the emails learned on earlier runs, so a backend whose API hides emails
    looks up only the new ones; `placed(email)` says whether the toolkit already knows where someone works,
    so a backend looks for a cohort or profile field only for those it does not. A backend whose
    `course_progress` includes pre-enrolments without an account (registered False) sets the class attribute
    `reports_pre_enrolments = True`; for any other, the report takes them from the enrolment journal.
    """

    def grading_scheme(self, course_id: str) -> GradingScheme: ...

    def course_progress(self, course_id: str, scheme: GradingScheme, *, known_emails: Mapping[str, str] = ...,
                        placed: Callable[[str], bool] = ...) -> Iterator[LearnerProgress]: ...


@dataclass(frozen=True)
class BackendInfo:
    """What `lms check` and deploy print about where they are talking to."""

    lms: str
    urls: dict[str, str] = field(default_factory=dict)
    admin_title: str = "global staff"  # what this LMS calls the rights Identity.is_staff stands for


@runtime_checkable
class LmsBackend(Protocol):
    """One LMS. Built from a profile; a context manager that closes its connections."""

    component: ClassVar[str]
    version: ClassVar[str]
    requires: ClassVar[str]

    @classmethod
    def from_profile(cls, profile: Profile) -> LmsBackend: ...

    def info(self) -> BackendInfo: ...

    def close(self) -> None: ...

    def __enter__(self) -> LmsBackend: ...

    def __exit__(self, *exc: object) -> None: ...

    # who am I and what may I do
    def whoami(self) -> Identity: ...

    def capabilities(self, course_id: str | None = None) -> list[Capability]: ...

    # courses and packages
    def describe_package(self, path: Path, course_id: str | None = None) -> PackageInfo: ...

    def get_course(self, course_id: str) -> CourseRun | None: ...

    def create_course(self, package: PackageInfo) -> CourseRun: ...

    def list_courses(self) -> Iterator[CourseRun]: ...

    def start_import(self, course_id: str, path: Path) -> ImportTicket: ...

    def import_status(self, ticket: ImportTicket) -> ImportStatus: ...

    def import_failure(self, ticket: ImportTicket) -> str: ...

    # people
    def find_users(self, *, emails: Iterable[str] = (), usernames: Iterable[str] = ()) -> list[Account]: ...

    def bulk_enrol(
        self,
        course_id: str,
        identifiers: list[str],
        *,
        cohort: str | None = None,
        auto_enroll: bool = True,
        email_learners: bool = False,
    ) -> list[EnrolResult]: ...

    def bulk_unenrol(self, course_id: str, identifiers: list[str]) -> list[EnrolResult]: ...

    def list_enrolments(self, course_id: str, usernames: Iterable[str] = ()) -> Iterator[Enrolment]: ...

    # cohorts
    def set_cohorted(self, course_id: str, on: bool = True) -> bool: ...

    def list_cohorts(self, course_id: str) -> list[Cohort]: ...

    def ensure_cohort(self, course_id: str, name: str) -> Cohort: ...

    # Optional: a backend may also offer `create_cohort(course_id, name) -> Cohort`, one request for a cohort the
    # caller has just listed as missing; the enrolment engine uses it to avoid listing again per cohort.

    def add_to_cohort(self, course_id: str, cohort_id: int, identifiers: list[str]) -> CohortChange: ...

    # results
    def list_grades(self, course_id: str) -> Iterator[Grade]: ...

    # Optional: the progress-report feature, ReadsProgress (grading_scheme, course_progress), for `pamong report`.
