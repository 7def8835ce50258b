"""Reading the LMS for a report, through the backend's ReadsProgress feature (lms/protocol.py).

The backend says how a course is graded (its grading formats or grade items) and how far each learner is;
this module picks the pretest and the posttest among the course's parts, turns what the backend read into
`Progress` rows for the snapshot, and places learners by the cohort or profile field the LMS reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from pamong_edx.errors import PamongError, UsageError
from pamong_edx.i18n import _
from pamong_edx.lms.protocol import GradingScheme, LearnerProgress, LmsBackend, ReadsProgress
from pamong_edx.regions.codes import normalise_code
from pamong_edx.report.model import CourseInfo, Progress

# What a course's pretest and posttest are usually called, in its grading formats or grade item names.
PRETEST_NAMES = ("pretest", "pre-test", "pre test", "tes awal", "test awal")
POSTTEST_NAMES = ("posttest", "post-test", "post test", "tes akhir", "test akhir", "evaluasi akhir", "ujian akhir")


class ReportError(PamongError):
    pass


def progress_reader(backend: LmsBackend, lms: str) -> ReadsProgress:
    if not backend.features.progress:
        raise ReportError(_("the {lms} backend cannot read learners' progress (it does not declare the progress "
                            "feature, see docs/plugins.md); pamong report needs it").format(lms=lms))
    return backend  # type: ignore[return-value] - the feature declares the ReadsProgress methods


def _find(parts: tuple[str, ...], wanted: str | None, guesses: tuple[str, ...]) -> str:
    if wanted:
        for part in parts:
            if part.casefold() == wanted.casefold():
                return part
        return ""
    for part in parts:
        name = part.casefold()
        if any(guess in name for guess in guesses):
            return part
    return ""


def choose_parts(scheme: GradingScheme, pretest: str | None, posttest: str | None) -> CourseInfo:
    """The course as the report reads it: which part is the pretest and which the posttest."""
    known = ", ".join(f"'{p}'" for p in scheme.parts) or _("none")
    post = _find(scheme.parts, posttest, POSTTEST_NAMES)
    if not post:
        if posttest:
            raise UsageError(_("course {course} has no graded part named '{name}' (it has {parts}); check "
                               "--posttest").format(course=scheme.course_id, name=posttest, parts=known))
        raise ReportError(_("course {course} has no posttest among its graded parts ({parts}); give the course a "
                            "graded Posttest format, or name the part with --posttest NAME")
                          .format(course=scheme.course_id, parts=known))
    pre = _find(scheme.parts, pretest, PRETEST_NAMES)
    if pretest and not pre:
        raise UsageError(_("course {course} has no graded part named '{name}' (it has {parts}); check --pretest")
                         .format(course=scheme.course_id, name=pretest, parts=known))
    return CourseInfo(key=scheme.course_id, title=scheme.title, cutoff=scheme.cutoff, pretest=pre, posttest=post,
                      pass_by=scheme.pass_by)


def place_code(place: str) -> str:
    """The region code a cohort name ("18.71.01 Kedaton") or a profile field ("1871011003") carries."""
    words = place.strip().split()
    if not words:
        return ""
    return normalise_code(words[0]) or ""


def read_course(reader: ReadsProgress, course: CourseInfo, scheme: GradingScheme, *,
                known_emails: Mapping[str, str], placed: Callable[[str], bool]) -> Iterator[Progress]:
    for learner in reader.course_progress(course.key, scheme, known_emails=known_emails, placed=placed):
        yield to_progress(learner, course)


def to_progress(learner: LearnerProgress, course: CourseInfo) -> Progress:
    pre = learner.scores.get(course.pretest) if course.pretest else None
    post = learner.scores.get(course.posttest)
    passed = learner.passed
    if course.cutoff is not None:
        reached = post if course.pass_by == "posttest" else learner.percent
        passed = passed or (reached is not None and reached >= course.cutoff - 1e-9)
    return Progress(
        username=learner.username, email=(learner.email or "").strip().lower(), name=learner.name,
        enrolled=True, registered=learner.registered, started=learner.attempted or bool(learner.scores),
        pretest=pre, posttest=post, passed=passed, percent=learner.percent, last_activity=learner.last_activity,
        region=place_code(learner.place), position=learner.position, placed=learner.place_kind,
    )
