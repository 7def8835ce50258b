"""Reading learners' progress from Open edX for `pamong report` (the `progress` feature of lms/protocol.py).

Two routes, chosen per course by its size (the first gradebook page says `total_users_count`):

* the gradebook API (`/api/grades/v1/gradebook/{course}/`, lms/djangoapps/grades/rest_api/v1/
  gradebook_views.py), with the OAuth token: per learner the course grade and each graded subsection's score,
  whose `category` is the subsection's grading format, so pretest and posttest are told apart by format. It
  gives no `passed` (the course's lowest cutoff decides) and hides emails (email is "" unless the mode is
  masters, rest_api/v1/utils.py), so emails come from one account look-up per 100 new usernames
  (`/api/user/v1/accounts?username=a,b,...`); the report keeps what it learned, so a username is looked up
  once, ever. Cost: one request per GRADEBOOK_PAGE learners plus one per 100 new learners.
* the instructor grade report (instructor/views/api.py `calculate_grades_csv`, then
  `/api/instructor/v1/reports/{course}` until the CSV is listed, then the CSV; instructor_task/tasks_helper/
  grades.py `CourseGradeReport`): one CSV per course with Email, Username, Grade, a column per grading format
  and the Cohort Name. A handful of requests whatever the size, but the platform needs time to write it. The
  task takes a signed-in session (session.py): used above `report_task_above` learners when the profile
  names a staff account for it.

Pre-enrolments that never registered are in neither: the instructor task `get_students_who_may_enroll` lists
their emails (a `may_enroll_info` CSV), through the same session.

Learners the toolkit cannot place are placed by their cohort, walked only when there are such learners.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import time
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urljoin, urlsplit

from pamong_edx.i18n import _
from pamong_edx.lms.answers import expect
from pamong_edx.lms.errors import BadAnswer, InvalidInput, NotFound, ServerError
from pamong_edx.lms.openedx import pagination
from pamong_edx.lms.openedx.session import StaffSession
from pamong_edx.lms.protocol import GradingScheme, LearnerProgress

GRADEBOOK = "/api/grades/v1/gradebook/{course_id}/"  # trailing slash required
GRADING_INFO = "/api/grades/v1/gradebook/{course_id}/grading-info"  # no trailing slash
CALCULATE_GRADES = "/courses/{course_id}/instructor/api/calculate_grades_csv"
MAY_ENROLL = "/courses/{course_id}/instructor/api/get_students_who_may_enroll"
REPORTS = "/api/instructor/v1/reports/{course_id}"
TASKS = "/api/instructor/v1/tasks/{course_id}"  # InstructorTasks: the running tasks
ACCOUNTS = "/api/user/v1/accounts"
COHORTS = "/api/cohorts/v1/courses/{course_id}/cohorts/"
COHORT_USERS = "/api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}/users/"
GRADEBOOK_PAGE = 100
ACCOUNT_BATCH = 100
# Above this many learners the grade-report task costs fewer requests than it costs waiting for it
# (benchmarks/report_speed.py lms measures both routes); a profile may move it: [profiles.X.openedx]
# grade_report_above.
REPORT_TASK_ABOVE = 2000
REPORT_WAIT = 1800.0  # seconds to wait for a report task before giving up
REPORT_POLL_MAX = 10.0
NOT_ATTEMPTED = {"Not Attempted", "Not Available", ""}
PROFILE_REGION, PROFILE_POSITION = "kode_wilayah", "jabatan"
# AlreadyRunningError through common_exceptions_400: a task of that kind is running, which is what was asked.
RUNNING = ("is being created", "already in progress", "already running")

GRADING_SHAPE = {"grade_cutoffs?": dict, "assignment_types?": dict}
GRADEBOOK_SHAPE = {"next?": str, "results": [dict], "total_users_count?": int}
DOWNLOADS_SHAPE = {"downloads?": [{"name?": str, "url?": str}]}
TASKS_SHAPE = {"tasks?": [{"task_type?": str}]}
# The instructor task type behind each report file infix (instructor_task/api.py submit_*).
TASK_TYPES = {"grade_report": "grade_course", "may_enroll_info": "may_enroll_info_csv"}


class ProgressReading:
    """Mixed into OpenEdxBackend: needs get_json, call, lms(), lms_url and http."""

    report_task_above: int = REPORT_TASK_ABOVE
    report_poll: float = 0.25  # the first wait for a report task; it doubles up to REPORT_POLL_MAX
    staff_session: StaffSession | None = None  # the instructor views' session, when the profile names an account

    def grading_scheme(self, course_id: str) -> GradingScheme:
        body = self.get_json(self.lms(GRADING_INFO, course_id=course_id), shape=GRADING_SHAPE)
        cutoffs = [float(v) for v in (body.get("grade_cutoffs") or {}).values()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)]
        run = self.get_course(course_id)  # course author access was checked just now; the title is a nicety
        return GradingScheme(course_id=course_id, title=run.title if run else "",
                             parts=tuple(body.get("assignment_types") or {}), cutoff=min(cutoffs) if cutoffs else None)

    def course_progress(self, course_id: str, scheme: GradingScheme, *, known_emails: Mapping[str, str] = {},
                        placed: Callable[[str], bool] = lambda email: False) -> Iterator[LearnerProgress]:
        url = self.lms(GRADEBOOK, course_id=course_id)
        first = self.get_json(url, {"page_size": GRADEBOOK_PAGE}, shape=GRADEBOOK_SHAPE)
        if first.get("total_users_count", 0) > self.report_task_above and self.staff_session is not None:
            yield from _from_grade_report(self._instructor_report(course_id, CALCULATE_GRADES, "grade_report"),
                                          scheme)
        else:
            yield from self._gradebook(course_id, scheme, url, first, known_emails, placed)

    def pre_enrolments(self, course_id: str) -> list[str] | None:
        """Emails allowed to enrol that have no account yet (CourseEnrollmentAllowed), from the may-enroll report;
        None when this site cannot say (no session account in the profile, or no such report)."""
        if self.staff_session is None:
            return None
        try:
            text = self._instructor_report(course_id, MAY_ENROLL, "may_enroll_info")
        except NotFound:
            return None
        reader = csv.reader(io.StringIO(text))
        header = [h.strip().lower() for h in next(reader, [])]
        if "email" not in header:
            raise BadAnswer(_("the may-enroll report has no email column (it has {columns})")
                            .format(columns=", ".join(header)))
        column = header.index("email")
        return [row[column] for row in reader if len(row) > column and row[column]]

    # -- the gradebook API ------------------------------------------------------------------------------

    def _gradebook(self, course_id: str, scheme: GradingScheme, url: str, body: dict, known: Mapping[str, str],
                   placed: Callable[[str], bool]) -> Iterator[LearnerProgress]:
        waiting: list[LearnerProgress] = []  # learners the toolkit cannot place: wait for the cohorts
        walk = pagination.Walk(url, self.limits.max_pages)
        while True:
            entries = body["results"]
            accounts = self._accounts_of([e.get("username", "") for e in entries if e.get("username") not in known])
            for entry in entries:
                username = entry.get("username", "")
                account = accounts.get(username, {})
                email = known.get(username) or account.get("email") or entry.get("email") or ""
                learner = _from_gradebook(entry, email, account, scheme.cutoff)
                if learner.place or (email and placed(email)):
                    yield learner
                else:
                    waiting.append(learner)
            if not body.get("next"):
                break
            body = self.get_json(walk.follow(body["next"]), shape=GRADEBOOK_SHAPE)
        if waiting:
            cohorts = self._cohort_of_users(course_id)
            for learner in waiting:
                cohort = cohorts.get(learner.username, "")
                yield dataclasses.replace(learner, place=cohort, place_kind="cohort") if cohort else learner

    def _accounts_of(self, usernames: list[str]) -> dict[str, dict]:
        """username -> account (email, name, extended profile, last login) for usernames not known yet."""
        found: dict[str, dict] = {}
        names = [u for u in dict.fromkeys(usernames) if u]
        for start in range(0, len(names), ACCOUNT_BATCH):
            try:
                body = self.get_json(self.lms(ACCOUNTS), {"username": ",".join(names[start:start + ACCOUNT_BATCH])},
                                     shape=[dict])
            except NotFound:
                continue  # none of them exists any more
            for item in body:
                found[str(item.get("username", ""))] = item
        return found

    def _cohort_of_users(self, course_id: str) -> dict[str, str]:
        names: dict[str, str] = {}
        try:
            cohorts = list(pagination.bare_pages(self.get_json, self.lms(COHORTS, course_id=course_id), {},
                                                 max_pages=self.limits.max_pages))
        except NotFound:
            return names
        for cohort in cohorts:
            url = self.lms(COHORT_USERS, course_id=course_id, cohort_id=str(cohort.get("id")))
            for member in pagination.page_numbers(self.get_json, url, {}, max_pages=self.limits.max_pages):
                names[str(member.get("username", ""))] = str(cohort.get("name", ""))
        return names

    # -- the instructor report tasks --------------------------------------------------------------------

    def _instructor_report(self, course_id: str, start: str, kind: str) -> str:
        """Start an instructor report task, wait until its CSV is listed, and read it."""
        reports = self.lms(REPORTS, course_id=course_id)
        before = {d.get("name") for d in self.get_json(reports, shape=DOWNLOADS_SHAPE).get("downloads", [])}
        answer = self.staff_session.post(self.lms(start, course_id=course_id), ok=(400,))
        if answer.status == 400 and not any(word in answer.text for word in RUNNING):
            raise InvalidInput(_("{where}: the LMS did not start the {kind} report: {text}")
                               .format(where=answer.where, kind=kind, text=answer.text[:200]))
        deadline = time.monotonic() + REPORT_WAIT
        wait = self.report_poll
        while True:
            downloads = self.get_json(reports, shape=DOWNLOADS_SHAPE).get("downloads", [])
            ours = [d for d in downloads if f"_{kind}_" in str(d.get("name"))
                    and not str(d.get("name")).endswith("_err.csv")]
            fresh = [d for d in ours if d.get("name") not in before]
            if fresh:
                break
            # A file is named to the minute (ReportStore), so a task run again within the minute replaces the
            # file listed before under the same name: the task's end says it is there, the newest listed first.
            tasks = self.get_json(self.lms(TASKS, course_id=course_id), shape=TASKS_SHAPE).get("tasks", [])
            if ours and not any(t.get("task_type") == TASK_TYPES[kind] for t in tasks):
                fresh = ours
                break
            if time.monotonic() > deadline:
                raise ServerError(_("the {kind} report of {course} was not ready after {seconds:.0f} s")
                                  .format(kind=kind, course=course_id, seconds=REPORT_WAIT), maybe_applied=False)
            self.sleep(wait)
            wait = min(REPORT_POLL_MAX, wait * 2)
        link = urljoin(self.lms_url + "/", str(fresh[0].get("url")))
        # A report store on another host (a signed S3 link) takes no credentials, and only from an origin
        # the profile names ([profiles.X.openedx] report_store_url); the transport refuses any other.
        same_host = urlsplit(link).netloc == urlsplit(self.lms_url).netloc
        reply = self.http.request("GET", link, idempotent=True, auth=self.auth if same_host else None)
        return reply.content.decode("utf-8-sig")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _profile(account: dict) -> dict[str, str]:
    return {str(i.get("field_name")): str(i.get("field_value") or "") for i in account.get("extended_profile") or []
            if isinstance(i, dict)}


def _from_gradebook(entry: dict, email: str, account: dict, cutoff: float | None) -> LearnerProgress:
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    attempted = False
    for section in expect(entry.get("section_breakdown") or [], [dict], "gradebook section_breakdown"):
        if not section.get("attempted"):
            continue
        attempted = True
        category = str(section.get("category") or "")
        earned[category] = earned.get(category, 0.0) + float(section.get("score_earned") or 0)
        possible[category] = possible.get(category, 0.0) + float(section.get("score_possible") or 0)
    scores = {c: earned[c] / possible[c] for c in earned if possible[c]}
    profile = _profile(account)
    region = profile.get(PROFILE_REGION, "")
    percent = float(entry["percent"]) if isinstance(entry.get("percent"), (int, float)) else None
    return LearnerProgress(
        username=str(entry.get("username", "")), email=email,
        name=str(entry.get("full_name") or account.get("name") or ""), percent=percent,
        # StudentGradebookEntrySerializer has no `passed`: any cutoff reached passes (grades' course_grade)
        passed=percent is not None and cutoff is not None and percent >= cutoff - 1e-9,
        scores=scores, attempted=attempted, last_activity=account.get("last_login") or None, place=region,
        place_kind="profile" if region else "", position=profile.get(PROFILE_POSITION, ""),
    )


def _from_grade_report(text: str, scheme: GradingScheme) -> Iterator[LearnerProgress]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    index = {name: i for i, name in enumerate(header)}
    for needed in ("Email", "Username", "Grade"):
        if needed not in index:
            raise BadAnswer(_("the grade report has no '{column}' column (it has {columns})")
                            .format(column=needed, columns=", ".join(header)))
    # A format with one subsection has a column named after it; with several, "Format (Avg)".
    columns = {part: index.get(part, index.get(f"{part} (Avg)")) for part in scheme.parts}
    cohort = index.get("Cohort Name")
    status = index.get("Enrollment Status")
    for row in reader:
        if len(row) != len(header):
            continue
        if status is not None and row[status].strip().lower() not in ("enrolled", ""):
            continue  # the report lists inactive enrolments too, as "unenrolled"
        scores: dict[str, float] = {}
        for part, column in columns.items():
            if column is not None and row[column] not in NOT_ATTEMPTED:
                try:
                    scores[part] = float(row[column])
                except ValueError:
                    pass
        try:
            grade = float(row[index["Grade"]] or 0)
        except ValueError:
            grade = 0.0
        place = row[cohort] if cohort is not None else ""
        yield LearnerProgress(
            username=row[index["Username"]], email=row[index["Email"]], percent=grade, scores=scores,
            passed=scheme.cutoff is not None and grade >= scheme.cutoff - 1e-9,
            attempted=bool(scores) or grade > 0, place=place, place_kind="cohort" if place else "",
        )
