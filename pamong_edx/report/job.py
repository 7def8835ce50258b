"""One `pamong report` from start to end: who is where, what the LMS says, the snapshot, the outputs.

The command (commands.py) parses arguments and prints; everything it prints comes from the `ReportResult`
returned here, so tests drive a whole report without a terminal.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

from pamong_edx.enrol.journal import FILE_NAME as JOURNAL_FILE
from pamong_edx.enrol.journal import PRE_ENROLLED, Journal
from pamong_edx.errors import UsageError
from pamong_edx.i18n import _
from pamong_edx.lms.errors import LmsError, NotFound, PermissionDenied
from pamong_edx.outputs import refuse_overwriting_inputs
from pamong_edx.regions.codes import normalise_code
from pamong_edx.regions.reference import Regions
from pamong_edx.report import reading
from pamong_edx.report.assemble import Lists, assemble
from pamong_edx.report.model import LEVELS, CourseInfo, Person, Progress, Report, level_of
from pamong_edx.report.outputs import output_kind, write_outputs
from pamong_edx.report.reading import ReportError
from pamong_edx.report.snapshot import Snapshots
from pamong_edx.roster.reader import read_roster


@dataclass
class ReportOptions:
    profile: str
    courses: tuple[str, ...] = ()
    outputs: tuple[Path, ...] = ()
    by: str = "desa"
    scope: str | None = None
    roster: Path | None = None
    sheet: str | None = None
    columns: Path | None = None
    snapshot: str | None = None  # "latest" or an id: report from a snapshot without reading the LMS
    pretest: str | None = None
    posttest: str | None = None
    pass_mark: float | None = None  # 0..1, when the LMS does not say
    language: str = "id"
    insecure: bool = False  # --insecure: plain http:// to a host that is not this machine

    def check(self, regions: Regions) -> None:
        """Every argument checked before the LMS is read or a file written."""
        if self.by not in LEVELS:
            raise UsageError(_("--by {by}: use desa, kecamatan, kabupaten or provinsi").format(by=self.by))
        if self.scope:
            code = normalise_code(self.scope)
            if code is None or regions.get(code) is None:
                raise UsageError(_("--scope {code}: no such region in {file}; look it up with `pamong regions find "
                                   "NAME`").format(code=self.scope, file=regions.source or _("the region file")))
            self.scope = code
            if LEVELS[self.by] < level_of(code):
                raise UsageError(_("--by {by} is above the scope {code}; use a finer level, e.g. --by desa")
                                 .format(by=self.by, code=code))
        for path in self.outputs:
            output_kind(path)
        if self.roster is not None and not self.roster.is_file():
            raise UsageError(_("roster {path} does not exist").format(path=self.roster))
        refuse_overwriting_inputs(self.outputs, [self.roster, self.columns])
        if self.snapshot is None and not self.courses:
            raise UsageError(_("say which courses: --course KEY (repeatable)"))


@dataclass
class ReportResult:
    report: Report
    outputs: list[Path]
    took_snapshot: bool
    elapsed: float
    requests: int = 0
    roster_rows: int = 0
    roster_errors: int = 0
    notes: list[str] = field(default_factory=list)


def run_report(options: ReportOptions, regions: Regions, state_dir: Path) -> ReportResult:
    """Take a snapshot (unless options.snapshot names one), then write the outputs from it."""
    started = time.monotonic()
    options.check(regions)
    with Snapshots.in_dir(state_dir) as snaps:
        result_notes: list[str] = []
        roster_rows = roster_errors = requests = 0
        if options.snapshot is None:
            info_id, roster_rows, roster_errors, requests, result_notes = _take(options, regions, state_dir, snaps)
            info = snaps.snapshot(info_id)
        else:
            info = _existing(snaps, options.snapshot, options.courses)
        report = assemble(snaps, info, regions.names, scope=options.scope or "", by=LEVELS[options.by],
                          courses=list(options.courses) or None)
        write_outputs(report, list(options.outputs), Lists(snaps, report, regions.names), options.language)
    return ReportResult(report=report, outputs=list(options.outputs), took_snapshot=options.snapshot is None,
                        elapsed=time.monotonic() - started, requests=requests, roster_rows=roster_rows,
                        roster_errors=roster_errors, notes=result_notes)


def _existing(snaps: Snapshots, which: str, courses: tuple[str, ...]):  # noqa: ANN202 - a SnapshotInfo
    if which == "latest":
        info = snaps.snapshot(None, courses[0] if courses else None)
    elif which.isdigit():
        info = snaps.snapshot(int(which))
    else:
        raise UsageError(_("--snapshot {value}: give a snapshot number or 'latest'").format(value=which))
    if info is None:
        raise UsageError(_("no snapshot {which} in {path}; run pamong report without --snapshot to take one")
                         .format(which=which, path=snaps.path))
    missing = [c for c in courses if all(k.key != c for k in info.courses)]
    if missing:
        raise UsageError(_("snapshot {id} holds no course {course}").format(id=info.id, course=missing[0]))
    return info


def _journal_people(state_dir: Path) -> tuple[dict[str, list[Person]], dict[str, set[str]]]:
    """Per course: the people the enrolment journal placed, and the emails it left pre-enrolled."""
    people: dict[str, list[Person]] = {}
    pre_enrolled: dict[str, set[str]] = {}
    if not (state_dir / JOURNAL_FILE).is_file():
        return people, pre_enrolled
    with Journal.in_dir(state_dir) as journal:
        for entry in journal.iter_entries():
            people.setdefault(entry.course, []).append(Person(entry.email, entry.region))
            if entry.state == PRE_ENROLLED:
                pre_enrolled.setdefault(entry.course, set()).add(entry.email.lower())
    return people, pre_enrolled


def _roster_people(options: ReportOptions, regions: Regions) -> tuple[list[Person], int, int]:
    people, rows, errors = [], 0, 0
    with read_roster(options.roster, regions, sheet=options.sheet, columns=options.columns) as reader:
        for checked in reader:
            rows += 1
            if checked.status == "error":
                errors += 1
                continue
            record = checked.record
            people.append(Person(record.email, record.kode_desa, record.jabatan, record.nama, True, "roster"))
    return people, rows, errors


def _take(options: ReportOptions, regions: Regions, state_dir: Path, snaps: Snapshots):  # noqa: ANN202
    from pamong_edx.lms.connect import backend_for

    journal, pre_enrolled = _journal_people(state_dir)
    roster, rows, errors = _roster_people(options, regions) if options.roster else ([], 0, 0)
    notes: list[str] = []
    if not journal and not roster:
        notes.append(_("the enrolment journal of profile {profile} is empty and no --roster was given: learners "
                       "are placed only by their LMS cohort or profile fields").format(profile=options.profile))
    profile, backend = backend_for(options.profile, insecure=options.insecure)
    # Paced as enrolment is: requests on the paths the LMS throttles wait for their slot; a 429 anywhere waits
    # for its Retry-After (the transport's retry policy).
    backend.traffic.pace(backend.pacing.rate)
    with backend:
        reader = reading.progress_reader(backend, profile.lms)
        lists_pre_enrolments = backend.features.pre_enrolment_list
        schemes = {}
        courses: list[CourseInfo] = []
        for key in options.courses:
            scheme = _lms(lambda key=key: reader.grading_scheme(key), key, options.profile)
            course = reading.choose_parts(scheme, options.pretest, options.posttest)
            if course.cutoff is None and options.pass_mark is not None:
                course = dataclasses.replace(course, cutoff=options.pass_mark)
            if not course.pretest:
                notes.append(_("course {course} has no pretest among its graded parts: the pretest columns stay "
                               "empty").format(course=key))
            if course.cutoff is None:
                notes.append(_("the LMS does not say course {course}'s pass mark: passed is what the LMS reports; "
                               "give --pass-mark to count by the course grade").format(course=key))
            schemes[key] = scheme
            courses.append(course)
        known_people = {p.email.lower() for p in roster} | {p.email.lower() for ps in journal.values() for p in ps}
        known = snaps.known_emails()
        learned: dict[str, str] = {}
        try:
            snapshot_id = _snapshot(options, snaps, profile.lms, courses, schemes, reader, roster, journal,
                                    pre_enrolled, known, learned, known_people, notes, backend.traffic,
                                    lists_pre_enrolments)
        finally:
            snaps.remember_emails(learned)  # what was learned stays learned, even when the snapshot failed
    return snapshot_id, rows, errors, backend.traffic.requests, notes


def _snapshot(options, snaps, lms, courses, schemes, reader, roster, journal, pre_enrolled, known, learned,  # noqa: ANN001, PLR0913
              known_people, notes, traffic, lists_pre_enrolments) -> int:
    """Write the snapshot: roster and journal people first, then what the LMS says, all in one transaction."""
    with snaps.taking(lms, courses, str(options.roster) if options.roster else None) as taking:
        taking.add_roster(roster)
        for course in courses:
            taking.place(course.key, journal.get(course.key, []))
            reads = _CourseReads(reader, course, schemes[course.key], known, learned, known_people)
            _lms(lambda: taking.add_progress(course.key, reads), course.key, options.profile)
            # The LMS's own list of pre-enrolments, when the backend reads one, is the truth; else the journal's.
            listed = _lms(lambda: reader.pre_enrolments(course.key), course.key, options.profile) \
                if lists_pre_enrolments else None
            if listed is None:
                if lists_pre_enrolments:
                    notes.append(_("the LMS did not list the pre-enrolments of course {course} (Open edX: the "
                                   "profile needs session_email and session_password_env, see docs/report.md); "
                                   "the enrolment journal's are counted instead").format(course=course.key))
                waiting = pre_enrolled.get(course.key, set()) - reads.seen
            else:
                waiting = {e.strip().lower() for e in listed if e.strip()} - reads.seen
            taking.add_progress(course.key, (Progress(email=e, registered=False) for e in sorted(waiting)))
            if reads.count == 0 and not waiting and not roster and not journal.get(course.key):
                raise ReportError(_("nothing to report for course {course}: the LMS lists no learner, and neither the "
                                    "enrolment journal nor a roster names anyone; enrol officials first (pamong "
                                    "enrol) or give --roster").format(course=course.key))
        for note in notes:
            taking.note(note)
        taking.requests = traffic.requests
        return taking.id


class _CourseReads:
    """The learners of one course as the LMS gives them, noting the emails seen and the usernames learned."""

    def __init__(self, reader, course: CourseInfo, scheme, known: dict[str, str], learned: dict[str, str],  # noqa: ANN001
                 known_people: set[str]) -> None:
        self.reader, self.course, self.scheme = reader, course, scheme
        self.known, self.learned, self.known_people = known, learned, known_people
        self.seen: set[str] = set()
        self.count = 0

    def __iter__(self):  # noqa: ANN204
        for progress in reading.read_course(self.reader, self.course, self.scheme, known_emails=self.known,
                                            placed=lambda email: email.lower() in self.known_people):
            self.count += 1
            if progress.email:
                self.seen.add(progress.email)
                if progress.username and progress.username not in self.known:
                    self.learned[progress.username] = progress.email
            yield progress


def _lms(call, course: str, profile: str):  # noqa: ANN001, ANN202
    """An LMS call whose failure becomes one line naming what to do."""
    try:
        return call()
    except NotFound as exc:
        raise ReportError(_("course {course} is not on the LMS of profile {profile} ({reason}); check the course key")
                          .format(course=course, profile=profile, reason=exc)) from None
    except PermissionDenied as exc:
        raise ReportError(_("the LMS refused to show the grades of course {course} ({reason}); `pamong lms check "
                            "--profile {profile}` says which rights the client lacks")
                          .format(course=course, reason=exc, profile=profile)) from None
    except LmsError as exc:
        raise ReportError(_("reading course {course} from the LMS failed: {reason}; nothing was kept, the last good "
                            "snapshot stays; run again when the LMS answers").format(course=course, reason=exc)) from None


