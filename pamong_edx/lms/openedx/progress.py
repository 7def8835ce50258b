"""Reading learners' progress from Open edX for `pamong report` (the ReadsProgress feature of lms/protocol.py).

Two routes, chosen per course by its size (the first gradebook page says `total_users_count`):

* the gradebook API (`/api/grades/v1/gradebook/{course}/`, lms/djangoapps/grades/rest_api/v1/
  gradebook_views.py): per learner the course grade and each graded subsection's score, whose `category` is
  the subsection's grading format, so pretest and posttest are told apart by format. It hides emails (email is
  "" unless the mode is masters, rest_api/v1/utils.py), so emails come from one account look-up per 100 new
  usernames (`/api/user/v1/accounts?username=a,b,...`); the report keeps what it learned, so a username is
  looked up once, ever. Cost: one request per GRADEBOOK_PAGE learners plus one per 100 new learners.
* the instructor grade report (`calculate_grades_csv`, then `/api/instructor/v1/reports/{course}` until the
  CSV is listed, then the CSV; instructor/views/api.py and instructor_task/tasks_helper/grades.py): one CSV per
  course with Email, Username, Grade, one column per grading format and the Cohort Name. A handful of
  requests whatever the size, but the platform needs time to write it; used above report_task_above learners.

Pre-enrolments that never registered are in neither: the instructor task `get_students_who_may_enroll`
lists their emails (a `may_enroll_info` CSV), read on both routes.

Learners the toolkit cannot place are placed by their cohort, walked only when there are such learners.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urljoin, urlsplit

from pamong_edx.lms.errors import NotFound, ServerError
from pamong_edx.lms.openedx import pagination
from pamong_edx.lms.protocol import GradingScheme, LearnerProgress

GRADEBOOK = "/api/grades/v1/gradebook/{course_id}/"  # trailing slash required
GRADING_INFO = "/api/grades/v1/gradebook/{course_id}/grading-info"  # no trailing slash
CALCULATE_GRADES = "/courses/{course_id}/instructor/api/calculate_grades_csv"
MAY_ENROLL = "/courses/{course_id}/instructor/api/get_students_who_may_enroll"
REPORTS = "/api/instructor/v1/reports/{course_id}"
ACCOUNTS = "/api/user/v1/accounts"
COHORTS = "/api/cohorts/v1/courses/{course_id}/cohorts/"
COHORT_USERS = "/api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}/users/"
GRADEBOOK_PAGE = 100
ACCOUNT_BATCH = 100
# Above this many learners the grade-report task costs fewer requests than it costs waiting for it
# (benchmarks/report_speed.py lms measures both routes); a profile may move it: [profiles.X.openedx]
# grade_report_above.
REPORT_TASK_ABOVE = 2000
REPORT_WAIT = 1800.0  # seconds to wait for the grade report before giving up
REPORT_POLL_MAX = 10.0
NOT_ATTEMPTED = {"Not Attempted", "Not Available", ""}
PROFILE_REGION, PROFILE_POSITION = "kode_wilayah", "jabatan"


class ProgressReading:
    """Mixed into OpenEdxBackend: needs get_json, call, lms(), lms_url and http."""

    report_task_above: int = REPORT_TASK_ABOVE
    report_poll: float = 0.25  # the first wait for a report task; it doubles up to REPORT_POLL_MAX
    reports_pre_enrolments = True  # course_progress includes pre-enrolments without an account

    def grading_scheme(self, course_id: str) -> GradingScheme:
        body = self.get_json(self.lms(GRADING_INFO, course_id=course_id)) or {}
        cutoffs = [float(v) for v in (body.get("grade_cutoffs") or {}).values() if isinstance(v, (int, float))]
        parts = tuple(body.get("assignment_types") or {})
        title = ""
        try:
            run = self.get_course(course_id)
            title = run.title if run else ""
        except Exception:  # noqa: BLE001 - the title is a nicety; the grades are what matter
            title = ""
        return GradingScheme(course_id=course_id, title=title, parts=parts, cutoff=min(cutoffs) if cutoffs else None)

    def course_progress(self, course_id: str, scheme: GradingScheme, *, known_emails: Mapping[str, str] = {},
                        placed: Callable[[str], bool] = lambda email: False) -> Iterator[LearnerProgress]:
        url = self.lms(GRADEBOOK, course_id=course_id)
        first = self.get_json(url, {"page_size": GRADEBOOK_PAGE}) or {}
        if int(first.get("total_users_count") or 0) > self.report_task_above:
            yield from self._grade_report(course_id, scheme, placed)
        else:
            yield from self._gradebook(course_id, scheme, url, first, known_emails, placed)
        yield from self.pre_enrolled(course_id)

    # -- the gradebook API ------------------------------------------------------------------------------

    def _gradebook(self, course_id: str, scheme: GradingScheme, url: str, body: dict, known: Mapping[str, str],
                   placed: Callable[[str], bool]) -> Iterator[LearnerProgress]:
        waiting: list[LearnerProgress] = []  # learners the toolkit cannot place: wait for the cohorts
        while True:
            entries = pagination._results(body, url)  # noqa: SLF001 - the same check every paged read makes
            accounts = self._accounts_of([e.get("username", "") for e in entries if e.get("username") not in known])
            for entry in entries:
                username = entry.get("username", "")
                account = accounts.get(username, {})
                email = known.get(username) or account.get("email") or entry.get("email") or ""
                learner = _from_gradebook(entry, email, account)
                if learner.place or (email and placed(email)):
                    yield learner
                else:
                    waiting.append(learner)
            next_url = body.get("next")
            if not next_url:
                break
            body = self.get_json(next_url) or {}
        if waiting:
            cohorts = self._cohort_of_users(course_id)
            for learner in waiting:
                cohort = cohorts.get(learner.username, "")
                yield _with_place(learner, cohort, "cohort") if cohort else learner

    def _accounts_of(self, usernames: list[str]) -> dict[str, dict]:
        """username -> account (email, name, extended profile, last login) for usernames not known yet."""
        found: dict[str, dict] = {}
        names = [u for u in dict.fromkeys(usernames) if u]
        for start in range(0, len(names), ACCOUNT_BATCH):
            try:
                body = self.get_json(self.lms(ACCOUNTS), {"username": ",".join(names[start:start + ACCOUNT_BATCH])})
            except NotFound:
                continue  # none of them exists any more
            for item in body or []:
                found[item.get("username", "")] = item
        return found

    def _cohort_of_users(self, course_id: str) -> dict[str, str]:
        names: dict[str, str] = {}
        try:
            cohorts = list(pagination.bare_pages(self.get_json, self.lms(COHORTS, course_id=course_id), {}))
        except NotFound:
            return names
        for cohort in cohorts:
            url = self.lms(COHORT_USERS, course_id=course_id, cohort_id=str(cohort.get("id")))
            for member in pagination.page_numbers(self.get_json, url, {}):
                names[member.get("username", "")] = cohort.get("name", "")
        return names

    # -- the grade report -------------------------------------------------------------------------------

    def _grade_report(self, course_id: str, scheme: GradingScheme,
                      placed: Callable[[str], bool]) -> Iterator[LearnerProgress]:
        text = self._instructor_report(course_id, CALCULATE_GRADES, "grade_report")
        yield from _from_grade_report(text, scheme)

    def pre_enrolled(self, course_id: str) -> Iterator[LearnerProgress]:
        """Emails allowed to enrol that have no account yet (CourseEnrollmentAllowed), from the may-enroll report."""
        try:
            text = self._instructor_report(course_id, MAY_ENROLL, "may_enroll_info")
        except NotFound:  # a site without the report: the enrolment journal's pre-enrolments stand instead
            self.reports_pre_enrolments = False
            return
        reader = csv.reader(io.StringIO(text))
        header = [h.strip().lower() for h in next(reader, [])]
        if "email" not in header:
            raise ServerError(f"the may-enroll report has no email column (it has {', '.join(header)})",
                              maybe_applied=False)
        column = header.index("email")
        for row in reader:
            if row and row[column]:
                yield LearnerProgress(username="", email=row[column], registered=False)

    def _instructor_report(self, course_id: str, start: str, kind: str) -> str:
        """Start an instructor report task, wait until its CSV is listed, and read it."""
        reports = self.lms(REPORTS, course_id=course_id)
        before = {d.get("name") for d in (self.get_json(reports) or {}).get("downloads", [])}
        # Starting the task twice only says "already running": safe to repeat.
        self.call("POST", self.lms(start, course_id=course_id), idempotent=True, data={})
        deadline = time.monotonic() + REPORT_WAIT
        wait = self.report_poll
        while True:
            downloads = (self.get_json(reports) or {}).get("downloads", [])
            fresh = [d for d in downloads if d.get("name") not in before and f"_{kind}_" in str(d.get("name"))
                     and not str(d.get("name")).endswith("_err.csv")]
            if fresh:
                break
            if time.monotonic() > deadline:
                raise ServerError(f"the {kind} report of {course_id} was not ready after {REPORT_WAIT:.0f} s",
                                  maybe_applied=False)
            self.sleep(wait)
            wait = min(REPORT_POLL_MAX, wait * 2)
        link = urljoin(self.lms_url + "/", str(fresh[0].get("url")))
        # A report store URL on another host (a signed S3 link) takes no credentials.
        same_host = urlsplit(link).netloc == urlsplit(self.lms_url).netloc
        response = self.http.request("GET", link, idempotent=True, auth=self.auth if same_host else None)
        return response.content.decode("utf-8-sig")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _profile(account: dict) -> dict[str, str]:
    return {str(i.get("field_name")): str(i.get("field_value") or "") for i in account.get("extended_profile") or []}


def _from_gradebook(entry: dict, email: str, account: dict) -> LearnerProgress:
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    attempted = False
    for section in entry.get("section_breakdown") or []:
        if not section.get("attempted"):
            continue
        attempted = True
        category = str(section.get("category") or "")
        earned[category] = earned.get(category, 0.0) + float(section.get("score_earned") or 0)
        possible[category] = possible.get(category, 0.0) + float(section.get("score_possible") or 0)
    scores = {c: earned[c] / possible[c] for c in earned if possible[c]}
    profile = _profile(account)
    region = profile.get(PROFILE_REGION, "")
    percent = entry.get("percent")
    return LearnerProgress(
        username=entry.get("username", ""), email=email, name=entry.get("full_name") or account.get("name") or "",
        percent=float(percent) if percent is not None else None, passed=bool(entry.get("passed")), scores=scores,
        attempted=attempted, last_activity=account.get("last_login") or None, place=region,
        place_kind="profile" if region else "", position=profile.get(PROFILE_POSITION, ""),
    )


def _with_place(learner: LearnerProgress, place: str, kind: str) -> LearnerProgress:
    import dataclasses

    return dataclasses.replace(learner, place=place, place_kind=kind)


def _from_grade_report(text: str, scheme: GradingScheme) -> Iterator[LearnerProgress]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    index = {name: i for i, name in enumerate(header)}
    for needed in ("Email", "Username", "Grade"):
        if needed not in index:
            raise ServerError(f"the grade report has no '{needed}' column (it has {', '.join(header)})",
                              maybe_applied=False)
    # A format with one subsection has a column named after it; with several, "Format (Avg)".
    columns = {part: index.get(part, index.get(f"{part} (Avg)")) for part in scheme.parts}
    cohort = index.get("Cohort Name")
    status = index.get("Enrollment Status")
    for row in reader:
        if not row:
            continue
        if status is not None and row[status] not in ("Enrolled", ""):
            continue
        scores: dict[str, float] = {}
        for part, column in columns.items():
            if column is not None and row[column] not in NOT_ATTEMPTED:
                try:
                    scores[part] = float(row[column])
                except ValueError:
                    pass
        grade = float(row[index["Grade"]] or 0)
        place = row[cohort] if cohort is not None else ""
        yield LearnerProgress(
            username=row[index["Username"]], email=row[index["Email"]], percent=grade, scores=scores,
            attempted=bool(scores) or grade > 0, place=place, place_kind="cohort" if place else "",
        )

