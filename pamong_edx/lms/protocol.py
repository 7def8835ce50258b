"""The operations the toolkit needs from any LMS, with typed results, and what each LMS declares about itself.

Everything outside pamong_edx/lms/<backend>/ talks to an LMS only through `LmsBackend`: `pamong deploy`,
`pamong lms check` and the enrolment engine. A backend raises the typed errors of lms/errors.py.
Identifiers are what rosters hold: an email or a username.

A backend states what it can do in `features` (a class attribute) and how it wants to be paced in `pacing`
(an attribute built from the profile). The engine and the commands read these declarations and nothing else:
an optional argument is passed only when the matching feature says the backend takes it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from pamong_edx.i18n import N_
from pamong_edx.rates import Rate

if TYPE_CHECKING:
    from pamong_edx.lms.profiles import Profile
    from pamong_edx.lms.traffic import Traffic


@dataclass(frozen=True)
class Features:
    """What a backend can do. Each flag names the protocol argument or method it governs."""

    # People: the LMS enrols an email that has no account yet (Open edX's allowed enrolment); or, when it cannot,
    # the backend makes the accounts itself: `bulk_enrol` and `add_to_cohort` then take `people` (one Person per
    # identifier) and create the missing accounts and update the region of existing ones before they enrol.
    pre_enrolment: bool = False
    creates_accounts: bool = False
    enrol_mode: bool = False  # `bulk_enrol` takes `mode` (else the course's default mode is used)
    # Cohorts: the LMS has them; `create_cohorts(course, [name])` is one request for a cohort just listed as
    # missing (else the engine calls `ensure_cohort`, which lists first); `create_cohorts(course, names)` takes
    # many names per request; `bulk_enrol` takes `cohorts` (a cohort per identifier) so that one call serves
    # people of many cohorts; `add_to_cohort` takes `previous` and takes the movers out of their old cohort.
    cohorts: bool = False
    create_cohort: bool = False
    batch_cohorts: bool = False
    mixed_cohorts: bool = False
    cohort_moves: bool = False
    find_users: bool = False  # `find_users` and `list_enrolments` work (for --reconcile)
    grades: bool = False  # `list_grades` works
    # Progress reports (`pamong report`): `grading_scheme` and `course_progress` work (the ReadsProgress
    # methods); and `pre_enrolments(course)` lists the LMS's own pre-enrolments that have no account yet.
    progress: bool = False
    pre_enrolment_list: bool = False
    course_import: bool = False  # `create_course`, `start_import`, `import_status`, `import_failure` work
    scorm_import: bool = False  # the import takes SCORM packages
    # No import API: `deploy_steps(package)` gives the steps a person follows instead.
    manual_deploy: bool = False


@dataclass(frozen=True)
class Pacing:
    """How a backend wants the engine to send: the LMS's own throttle, which request paths it counts, and how
    many identifiers one bulk call carries by default and at most. A backend that splits a call into several
    requests by its own measure (Moodle's max_input_vars) says so in `request_budget`, shown by `lms check`."""

    rate: Rate | None = None  # the throttle the LMS applies to this client; None: none known
    throttled_paths: tuple[str, ...] = ()  # path prefixes the throttle counts; empty: every path
    batch_size: int = 100  # identifiers per bulk call
    max_batch_size: int = 1000
    request_budget: str = ""  # what one request may carry at most, in the LMS's own terms


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
    # What the pass mark applies to: the course grade (Open edX's cutoffs), or the posttest's score (Moodle,
    # where the certificate follows the posttest's completion at its pass grade, not the course total).
    pass_by: str = "grade"  # "grade" | "posttest"


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


class ReadsProgress(Protocol):
    """The progress-report methods (`pamong report`) of a backend that declares `features.progress`.

    `course_progress` gives every learner with an account (registered). `known_emails` maps usernames to
    the emails learned on earlier runs, so a backend whose API hides emails looks up only the new ones;
    `placed(email)` says whether the toolkit already knows where someone works, so a backend looks for a
    cohort or profile field only for those it does not. With `features.pre_enrolment_list`,
    `pre_enrolments(course)` gives the emails pre-enrolled without an account, or None when this site cannot
    say; the report then takes them from the enrolment journal, as it does for any other backend.
    """

    def grading_scheme(self, course_id: str) -> GradingScheme: ...

    def course_progress(self, course_id: str, scheme: GradingScheme, *, known_emails: Mapping[str, str] = ...,
                        placed: Callable[[str], bool] = ...) -> Iterator[LearnerProgress]: ...

    def pre_enrolments(self, course_id: str) -> list[str] | None:
        """features.pre_enrolment_list: the LMS's own list, or None when this site cannot give it."""
        ...


@dataclass(frozen=True)
class BackendInfo:
    """What `lms check` and deploy print about where they are talking to."""

    lms: str
    urls: dict[str, str] = field(default_factory=dict)
    admin_title: str = N_("global staff")  # (translated where shown) what this LMS calls the rights Identity.is_staff stands for


@runtime_checkable
class LmsBackend(Protocol):
    """One LMS. Built from a profile; a context manager that closes its connections."""

    component: ClassVar[str]
    version: ClassVar[str]
    requires: ClassVar[str]
    features: ClassVar[Features]
    pacing: Pacing

    @property
    def traffic(self) -> Traffic:
        """The meter every request of this backend passes (counts, and paces once `traffic.pace()` is set)."""
        ...

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

    def deploy_steps(self, package: PackageInfo) -> list[str]:
        """features.manual_deploy: what a person does to put the package in its course."""
        ...

    # people
    def find_users(self, *, emails: Iterable[str] = (), usernames: Iterable[str] = ()) -> list[Account]: ...

    def bulk_enrol(
        self,
        course_id: str,
        identifiers: list[str],
        *,
        cohort: str | None = None,
        cohorts: Mapping[str, str] | None = None,
        auto_enroll: bool = True,
        email_learners: bool = False,
        mode: str | None = None,
        people: list[Person] | None = None,
    ) -> list[EnrolResult]:
        """Enrol (and put in `cohort`, or each in `cohorts[identifier]` with features.mixed_cohorts); `mode` only
        with features.enrol_mode, `people` only with features.creates_accounts."""
        ...

    def bulk_unenrol(self, course_id: str, identifiers: list[str]) -> list[EnrolResult]: ...

    def list_enrolments(self, course_id: str, usernames: Iterable[str] = ()) -> Iterator[Enrolment]: ...

    # cohorts
    def set_cohorted(self, course_id: str, on: bool = True) -> bool: ...

    def list_cohorts(self, course_id: str) -> list[Cohort]: ...

    def ensure_cohort(self, course_id: str, name: str) -> Cohort:
        """The cohort of that name, created when missing (lists first)."""
        ...

    def create_cohorts(self, course_id: str, names: list[str]) -> list[Cohort]:
        """features.create_cohort: make cohorts the caller has just listed as missing, in as few requests as the
        LMS allows (one per name, or many per request with features.batch_cohorts); in the order given."""
        ...

    def add_to_cohort(self, course_id: str, cohort_id: int, identifiers: list[str], *,
                      people: list[Person] | None = None, previous: Mapping[str, str | None] | None = None
                      ) -> CohortChange:
        """`people` only with features.creates_accounts, `previous` only with features.cohort_moves."""
        ...

    # results
    def list_grades(self, course_id: str) -> Iterator[Grade]: ...

    # With features.progress: the ReadsProgress methods (grading_scheme, course_progress, pre_enrolments).
