"""The Open edX backend: the LMS protocol over the platform's REST APIs, exactly as the spec gives them.

Paths are spelled out below with their trailing slashes, because the platform answers 404 to the other
form. Course keys go raw into paths; in query strings requests encodes them (`+` as %2B, `:` as %3A).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pamong_edx.i18n import N_, _
from pamong_edx.lms.answers import expect
from pamong_edx.lms.errors import (
    BadAnswer,
    ConfigError,
    InvalidInput,
    LmsError,
    NotFound,
    PermissionDenied,
    ServerError,
    Throttled,
)
from pamong_edx.lms.http import HttpBackend, RetryPolicy, base_url
from pamong_edx.lms.limits import Limits
from pamong_edx.lms.openedx import pagination
from pamong_edx.lms.openedx.auth import JwtAuth
from pamong_edx.lms.openedx.keys import CourseKey
from pamong_edx.lms.openedx.package import describe_olx_package
from pamong_edx.lms.openedx.progress import REPORT_TASK_ABOVE, ProgressReading
from pamong_edx.lms.openedx.session import StaffSession
from pamong_edx.lms.profiles import missing
from pamong_edx.lms.protocol import (
    Account,
    BackendInfo,
    Capability,
    Cohort,
    CohortChange,
    CourseRun,
    EnrolOutcome,
    EnrolResult,
    Enrolment,
    Features,
    Grade,
    Identity,
    ImportStatus,
    ImportTicket,
    PackageInfo,
    Pacing,
    Person,
)
from pamong_edx.rates import Rate

# LMS
ME_PATH = "/api/user/v1/me"
ACCOUNTS = "/api/user/v1/accounts"  # no trailing slash
ACCOUNT = "/api/user/v1/accounts/{username}"
REGISTRATION = "/api/user/v1/account/registration/"  # trailing slash required
ENROLLMENT = "/api/enrollment/v1/enrollment"  # no trailing slash
ENROLLMENT_ONE = "/api/enrollment/v1/enrollment/{username},{course_id}"
ENROLLMENTS = "/api/enrollment/v1/enrollments/"
BULK_ENROLL = "/api/bulk_enroll/v1/bulk_enroll"  # no trailing slash (the docstring's is wrong)
COHORT_SETTINGS = "/api/cohorts/v1/settings/{course_id}"
COHORTS = "/api/cohorts/v1/courses/{course_id}/cohorts/"  # trailing slash required
COHORT_USERS = "/api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}/users/"  # trailing slash required
GRADES = "/api/grades/v1/courses/{course_id}/"  # trailing slash required
COURSES = "/api/courses/v1/courses/"
# Studio (CMS)
COURSE_RUNS = "/api/v1/course_runs/"
COURSE_RUN = "/api/v1/course_runs/{course_id}/"
IMPORT = "/api/courses/v0/import/{course_id}/"  # trailing slash required
TASKS = "/api/tasks/v0/tasks/"

FINAL_STATES = {"Succeeded", "Failed", "Canceled"}
# Bulk enroll works synchronously, so a large call risks a proxy timeout; 100 is the platform's own advice.
# A site with generous timeouts can raise it per profile ([profiles.NAME.openedx] bulk_batch_size).
BULK_BATCH = 100
MAX_BULK_BATCH = 1000
DEFAULT_START = "2030-01-01T00:00:00Z"  # Studio's own default start for a new course
SEPARATORS = set(", \t\r\n")
# EnrollmentUserThrottle: 120/minute for staff, counting the enrollment and bulk enroll views (spec sections
# 5-6); the cohort views are not throttled.
STAFF_RATE = Rate(120, 60.0)
THROTTLED_PATHS = ("/api/enrollment/", "/api/bulk_enroll/")

# The shapes of the answers the client reads (lms/answers.py); keys not listed may be there too.
ME = {"username?": str}
COURSE_RUN_SHAPE = {"id": str, "title?": str, "schedule?": {"start?": str, "end?": str}, "pacing_type?": str}
COURSE_SHAPE = {"course_id?": str, "id?": str, "name?": str, "start?": str, "end?": str, "pacing?": str}
TASK_SHAPE = {"name?": str, "state?": str, "state_text?": str, "artifacts?": [str]}
ARTIFACT_SHAPE = {"name?": str, "text?": object}
ACCOUNT_SHAPE = {"username": str, "email?": str, "name?": str, "is_active?": bool}
BULK_ROW = {"identifier": str, "before?": dict, "after?": {"user?": bool, "enrollment?": bool, "allowed?": bool,
                                                         "cohort?": str}}
ENROLMENT_SHAPE = {"user?": str, "course_id?": str, "mode?": str, "is_active?": bool, "created?": str}
COHORT_SHAPE = {"id": int, "name": str, "user_count?": int, "assignment_type?": str}
PERSON_SHAPE = {"username?": str, "email?": str}
COHORT_USERS_SHAPE = {"added?": [PERSON_SHAPE], "changed?": [PERSON_SHAPE], "present?": [str], "preassigned?": [str],
                "unknown?": [str], "invalid?": [str]}
GRADE_SHAPE = {"username": str, "course_id?": str, "percent?": float, "passed?": bool, "letter_grade?": str,
               "email?": str}

GLOBAL_STAFF_FIX = N_(
    "make '{user}' global staff: LMS Django admin > Users > '{user}' > tick 'Staff status' "
    "(or ./manage.py lms manage_user {user} <email> --staff)"
)


class OpenEdxBackend(ProgressReading, HttpBackend):
    component = "lms_openedx"
    version = "1.0.0"
    requires = ">=0.1,<1"
    features = Features(pre_enrolment=True, cohorts=True, create_cohort=True, find_users=True, grades=True,
                        course_import=True, progress=True, pre_enrolment_list=True)

    def __init__(
        self,
        lms_url: str,
        client_id: str,
        client_secret: str,
        *,
        studio_url: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        ca_bundle: str | None = None,
        insecure: bool = False,
        retry: RetryPolicy | None = None,
        limits: Limits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        bulk_batch_size: int = BULK_BATCH,
        staff_login: tuple[str, str] | None = None,
        staff_login_source: str = "",
        report_store_url: str | None = None,
    ) -> None:
        self.bulk_batch_size = bulk_batch_size
        self.lms_url, lms_origin = base_url(lms_url, insecure=insecure, what=_("LMS URL"))
        self.studio_url, studio_origin = base_url(studio_url or lms_url, insecure=insecure, what=_("Studio URL"))
        origins = [lms_origin, studio_origin]
        if report_store_url:  # where the instructor reports' links point when the store is not the LMS
            origins.append(base_url(report_store_url, insecure=insecure, what=_("report store URL"))[1])
        pacing = Pacing(rate=STAFF_RATE, throttled_paths=THROTTLED_PATHS, batch_size=bulk_batch_size,
                        max_batch_size=MAX_BULK_BATCH,
                        request_budget=_("{n} identifiers per bulk enrol call").format(n=bulk_batch_size))
        super().__init__(origins, pacing=pacing, timeout=timeout, connect_timeout=connect_timeout,
                         ca_bundle=ca_bundle, retry=retry, limits=limits, sleep=sleep, rng=rng)
        self.auth = JwtAuth(self.http, self.lms_url, client_id, client_secret, clock=clock)
        if staff_login is not None:
            self.staff_session = StaffSession(self.http, self.lms_url, *staff_login,
                                              where=staff_login_source or _("the session login settings"))

    @classmethod
    def from_profile(cls, profile) -> OpenEdxBackend:  # noqa: ANN001 - a lms.profiles.Profile
        if not profile.client_id:
            raise ConfigError(missing(_("profile '{name}' ({source})").format(name=profile.name,
                                                                                  source=profile.source), "client_id"))
        batch = profile.options.get("bulk_batch_size", BULK_BATCH)
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_BULK_BATCH:
            raise ConfigError(_("{source}: [profiles.{name}.openedx] bulk_batch_size must be a whole number from 1 "
                                "to {most}, not {value}").format(source=profile.source, name=profile.name,
                                                                 most=MAX_BULK_BATCH, value=repr(batch)))
        table = f"{profile.source}: [profiles.{profile.name}.openedx]"
        above = profile.options.get("grade_report_above", REPORT_TASK_ABOVE)
        if isinstance(above, bool) or not isinstance(above, int) or above < 0:
            raise ConfigError(_("{table} grade_report_above must be a whole number of learners, not {value!r}")
                              .format(table=table, value=above))
        store = profile.options.get("report_store_url")
        if store is not None and not isinstance(store, str):
            raise ConfigError(_("{table} report_store_url must be a URL in quotes").format(table=table))
        backend = cls(profile.lms_url, profile.client_id, profile.client_secret, studio_url=profile.studio_url,
                      bulk_batch_size=batch, staff_login=_staff_login(profile.options, table),
                      staff_login_source=_("session_email and session_password_env in {table}").format(table=table),
                      report_store_url=store, **cls.connection_options(profile))
        backend.report_task_above = above
        return backend

    def __repr__(self) -> str:
        return f"OpenEdxBackend({self.lms_url!r})"

    def info(self) -> BackendInfo:
        return BackendInfo(lms="openedx", urls={"LMS": self.lms_url, "Studio": self.studio_url})

    # -- plumbing -----------------------------------------------------------------------------------------

    def call(self, method: str, url: str, *, idempotent: bool, **kwargs: Any):  # noqa: ANN201 - a Reply
        return self.http.request(method, url, idempotent=idempotent, auth=self.auth, **kwargs)

    def get_json(self, url: str, params: dict[str, Any] | None = None, shape: Any = object) -> Any:
        return self.call("GET", url, idempotent=True, params=params).json(shape)

    def _paging(self) -> dict[str, int]:
        return {"max_pages": self.limits.max_pages}

    def lms(self, path: str, **parts: str) -> str:
        return self.lms_url + path.format(**parts)

    def studio(self, path: str, **parts: str) -> str:
        return self.studio_url + path.format(**parts)

    # -- who am I -----------------------------------------------------------------------------------------

    def whoami(self) -> Identity:
        claims = self.auth.claims()
        username = self.get_json(self.lms(ME_PATH), shape=ME).get("username") or claims.get("preferred_username")
        email = claims.get("email")
        return Identity(username=str(username or ""), is_staff=claims.get("administrator") is True,
                        email=email if isinstance(email, str) else None)

    def capabilities(self, course_id: str | None = None) -> list[Capability]:
        me = self.whoami()
        staff_fix = _(GLOBAL_STAFF_FIX).format(user=me.username)
        staff = (_("acts as global staff") if me.is_staff
                 else _("'{user}' is not global staff").format(user=me.username))
        result = [
            Capability(_("bulk enrolment and cohorts"), me.is_staff, staff, "" if me.is_staff else staff_fix),
            self._probe_bulk_enroll(staff_fix),
            Capability(_("create course runs"), me.is_staff, staff, "" if me.is_staff else staff_fix),
            self._probe_import(me, course_id, staff_fix),
            Capability(_("read all learners' grades"), me.is_staff, staff, "" if me.is_staff else staff_fix),
        ]
        return result

    def _probe_bulk_enroll(self, staff_fix: str) -> Capability:
        job = _("bulk enrolment API enabled")
        # The route exists only with the feature on; a GET passes auth, permission and throttle, then 405.
        try:
            response = self.call("GET", self.lms(BULK_ENROLL), idempotent=True, ok=(405,))
        except NotFound:
            return Capability(
                job, False, _("{route} answers 404: the feature is off").format(route=BULK_ENROLL),
                _("set FEATURES['ENABLE_BULK_ENROLLMENT_VIEW'] = True in the LMS settings (or the site configuration "
                  "value ENABLE_BULK_ENROLLMENT_VIEW) and restart the LMS"),
            )
        except PermissionDenied:
            return Capability(job, False, _("cannot tell: the route refuses non-staff callers (403)"), staff_fix)
        except Throttled:
            return Capability(job, True, _("{route} exists (throttled just now)").format(route=BULK_ENROLL))
        return Capability(job, True, _("{route} answers ({status})").format(route=BULK_ENROLL, status=response.status))

    def _probe_import(self, me: Identity, course_id: str | None, staff_fix: str) -> Capability:
        job = _("import courses in Studio")
        if me.is_staff:
            return Capability(job, True, _("global staff may import into any course"))
        author_fix = _("{fix}; or add '{user}' as Staff or Admin on the course's team in Studio (Settings > Course "
                       "Team)").format(fix=staff_fix, user=me.username)
        if course_id is None:
            return Capability(job, False, _("not global staff; pass --course to check one course"), author_fix)
        # The author check runs before anything else: 403 means no author access; any other answer
        # (the status lookup failing on the made-up task) means the check passed.
        url = self.studio(IMPORT, course_id=course_id)
        try:
            self.call("GET", url, idempotent=True, params={"task_id": "0", "filename": "probe.tar.gz"},
                      ok=(400, 404, 500))
        except PermissionDenied:
            return Capability(job, False, _("no course author access to {course}").format(course=course_id),
                              author_fix)
        except ServerError:
            pass
        return Capability(job, True, _("course author on {course}").format(course=course_id))

    # -- courses and imports ------------------------------------------------------------------------------

    def describe_package(self, path: Path, course_id: str | None = None) -> PackageInfo:
        return describe_olx_package(path, course_id, self.limits)

    def get_course(self, course_id: str) -> CourseRun | None:
        try:
            body = self.get_json(self.studio(COURSE_RUN, course_id=course_id), shape=COURSE_RUN_SHAPE)
        except NotFound:
            return None
        return _course_run(body)

    def create_course(self, package: PackageInfo) -> CourseRun:
        key = CourseKey.parse(package.course_id)
        if key is None:
            raise InvalidInput(_("'{course}' is not a course-v1 key; course_runs needs org, number and run").format(
                course=package.course_id))
        body = {
            "title": package.title,
            "org": key.org,
            "number": key.number,
            "run": key.run,
            "schedule": {"start": package.start or DEFAULT_START, **({"end": package.end} if package.end else {})},
            "pacing_type": "self_paced" if package.self_paced else "instructor_paced",
            "team": [{"user": self.whoami().username, "role": "instructor"}],
        }
        try:
            response = self.call("POST", self.studio(COURSE_RUNS), idempotent=False, json_body=body)
        except ServerError as exc:
            # Creating is not idempotent: look before trying again.
            if not exc.maybe_applied:
                raise
            existing = self.get_course(package.course_id)
            if existing is not None:
                return existing
            response = self.call("POST", self.studio(COURSE_RUNS), idempotent=False, json_body=body)
        return _course_run(response.json(COURSE_RUN_SHAPE))

    def list_courses(self) -> Iterator[CourseRun]:
        url = self.lms(COURSES)
        for item in pagination.page_numbers(self.get_json, url, {}, namespaced=True, **self._paging()):
            item = expect(item, COURSE_SHAPE, f"GET {COURSES}")
            yield CourseRun(
                course_id=item.get("course_id") or item.get("id", ""), title=item.get("name", ""),
                start=item.get("start"), end=item.get("end"), pacing=item.get("pacing", ""),
            )

    def start_import(self, course_id: str, path: Path) -> ImportTicket:
        url = self.studio(IMPORT, course_id=course_id)
        with path.open("rb") as handle:
            # Not retried blindly: a second upload would start a second import of the same course.
            response = self.call(
                "POST", url, idempotent=False, files={"course_data": (path.name, handle, "application/gzip")}
            )
        task_id = response.json({"task_id": (str, int)})["task_id"]
        # The platform returns only task_id; the status lookup also needs the uploaded file name.
        return ImportTicket(course_id=course_id, task_id=str(task_id), filename=path.name)

    def import_status(self, ticket: ImportTicket) -> ImportStatus:
        url = self.studio(IMPORT, course_id=ticket.course_id)
        body = self.get_json(url, {"task_id": ticket.task_id, "filename": ticket.filename}, shape={"state": str})
        state = body["state"]
        return ImportStatus(state=state, finished=state in FINAL_STATES, succeeded=state == "Succeeded")

    def import_failure(self, ticket: ImportTicket) -> str:
        """The platform's own words: the `Error` artifact of the import task (and OLX validation details)."""
        name = f"Import of {ticket.course_id} from {ticket.filename}"
        for task in pagination.page_numbers(self.get_json, self.studio(TASKS), {}, **self._paging()):
            task = expect(task, TASK_SHAPE, f"GET {TASKS}")
            if task.get("name") != name:
                continue
            texts = []
            for artifact_url in task.get("artifacts") or []:
                artifact = self.get_json(artifact_url, shape=ARTIFACT_SHAPE)  # only within the profile's origins
                if artifact.get("name") == "Error":
                    texts.insert(0, str(artifact.get("text", "")))
                elif artifact.get("name") == "OLX_VALIDATION_ERROR":
                    texts.append(_("OLX validation: {text}").format(text=artifact.get("text", "")))
            if texts:
                return "\n".join(texts)
            return task.get("state_text") or _("the task ended {state} without an Error artifact").format(
                state=task.get("state"))
        return _("no task named '{name}' is visible to this client").format(name=name)

    # -- people -------------------------------------------------------------------------------------------

    def find_users(self, *, emails: Iterable[str] = (), usernames: Iterable[str] = ()) -> list[Account]:
        found: list[Account] = []
        names = list(usernames)
        for start in range(0, len(names), 100):
            found.extend(self._accounts({"username": ",".join(names[start:start + 100])}))
        for email in emails:  # the email lookup takes one address at a time
            found.extend(self._accounts({"email": email}))
        return found

    def _accounts(self, params: dict[str, str]) -> list[Account]:
        try:
            body = self.get_json(self.lms(ACCOUNTS), params, shape=[ACCOUNT_SHAPE])
        except NotFound:
            return []  # no match is a bare 404, not an empty list
        return [_account(item) for item in body]

    def account(self, username: str) -> Account:
        return _account(self.get_json(self.lms(ACCOUNT, username=username), shape=ACCOUNT_SHAPE))

    def update_own_account(self, username: str, changes: dict[str, Any]) -> Account:
        """PATCH an account (only its owner may: staff get 403), as JSON merge-patch (else 415)."""
        response = self.call(
            "PATCH", self.lms(ACCOUNT, username=username), idempotent=True,
            data=json.dumps(changes).encode("utf-8"), headers={"Content-Type": "application/merge-patch+json"},
        )
        return _account(response.json(ACCOUNT_SHAPE))

    def register(self, *, username: str, email: str, name: str, password: str, **extra: str) -> None:
        """Create an account. Form-encoded (a JSON body reads as empty); the login cookie it sets is not kept."""
        form = {"username": username, "email": email, "name": name, "password": password, "honor_code": "true"}
        form.update(extra)
        self.http.request("POST", self.lms(REGISTRATION), idempotent=False, data=form)

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
        """Bulk enroll in the course's default mode, one cohort per call; `people` is not needed (an email
        without an account is pre-enrolled)."""
        if cohorts is not None or mode is not None:
            raise LmsError(_("Open edX's bulk enrol takes one cohort per call and no mode (see features)"))
        return self._bulk("enroll", course_id, identifiers, cohort, auto_enroll, email_learners)

    def bulk_unenrol(self, course_id: str, identifiers: list[str]) -> list[EnrolResult]:
        return self._bulk("unenroll", course_id, identifiers, None, False, False)

    def _bulk(
        self, action: str, course_id: str, identifiers: list[str], cohort: str | None, auto: bool, email: bool
    ) -> list[EnrolResult]:
        results: dict[int, EnrolResult] = {}
        sendable: list[tuple[int, str]] = []
        for index, identifier in enumerate(identifiers):
            # The server splits on commas and whitespace: such an identifier would become two.
            if not identifier or SEPARATORS & set(identifier):
                results[index] = EnrolResult(identifier, EnrolOutcome.INVALID)
            else:
                sendable.append((index, identifier))
        for start in range(0, len(sendable), self.bulk_batch_size):
            batch = sendable[start:start + self.bulk_batch_size]
            rows = self._bulk_call(action, course_id, [i for _, i in batch], cohort, auto, email)
            by_identifier: dict[str, list[dict]] = {}
            for row in rows:
                by_identifier.setdefault(str(row.get("identifier")), []).append(row)
            for index, identifier in batch:
                matches = by_identifier.get(identifier)
                row = matches.pop(0) if matches else {"identifier": identifier, "error": True}
                results[index] = _enrol_result(action, identifier, row)
        return [results[i] for i in range(len(identifiers))]

    def _bulk_call(
        self, action: str, course_id: str, identifiers: list[str], cohort: str | None, auto: bool, email: bool
    ) -> list[dict]:
        form = {
            "identifiers": ",".join(identifiers),
            "courses": course_id,  # a comma-joined string; a JSON list would be cut to its first element
            "action": action,
            "auto_enroll": "true" if auto else "false",
            "email_students": "true" if email else "false",
        }
        if cohort:
            form["cohorts"] = cohort  # one cohort per course, in the same order as courses
        # Repeating a bulk enroll leaves the same state (enrolled/allowed/cohort are set, not added), so
        # it is retried like a GET; only the emails it sends would repeat, hence not when it sends them.
        response = self.call("POST", self.lms(BULK_ENROLL), idempotent=not email, data=form)
        where = f"POST {BULK_ENROLL}"
        course = response.json({"courses": dict})["courses"].get(course_id)
        if course is None:
            raise BadAnswer(_("{where}: the answer has no results for {course}").format(where=where, course=course_id))
        return expect(course, {"results": [BULK_ROW]}, where)["results"]

    def enrol(self, username: str, course_id: str, *, mode: str = "audit", is_active: bool = True,
              cohort: str | None = None) -> Enrolment:
        """One enrolment through the enrollment API (idempotent: an existing one comes back with 200)."""
        body: dict[str, Any] = {"user": username, "course_details": {"course_id": course_id}, "mode": mode,
                                "is_active": is_active}
        if cohort:
            body["cohort"] = cohort
        data = self.call("POST", self.lms(ENROLLMENT), idempotent=True, json_body=body).json(ENROLMENT_SHAPE)
        return Enrolment(username=data.get("user", username), course_id=course_id, mode=data.get("mode", mode),
                         is_active=bool(data.get("is_active")), created=data.get("created") or "")

    def enrolment(self, username: str, course_id: str) -> Enrolment | None:
        data = self.get_json(self.lms(ENROLLMENT_ONE, username=username, course_id=course_id),
                             shape=(None, ENROLMENT_SHAPE))
        if data is None:  # no enrolment is 200 with a JSON null
            return None
        return Enrolment(username=data.get("user", username), course_id=course_id, mode=data.get("mode", ""),
                         is_active=bool(data.get("is_active")), created=data.get("created") or "")

    def list_enrolments(self, course_id: str, usernames: Iterable[str] = ()) -> Iterator[Enrolment]:
        params = {"course_id": course_id}
        names = ",".join(usernames)
        if names:
            params["username"] = names
        for item in pagination.cursor(self.get_json, self.lms(ENROLLMENTS), params, **self._paging()):
            item = expect(item, ENROLMENT_SHAPE, f"GET {ENROLLMENTS}")
            yield Enrolment(username=item.get("user", ""), course_id=item.get("course_id", course_id),
                            mode=item.get("mode", ""), is_active=bool(item.get("is_active")),
                            created=item.get("created") or "")

    # -- cohorts ------------------------------------------------------------------------------------------

    def set_cohorted(self, course_id: str, on: bool = True) -> bool:
        url = self.lms(COHORT_SETTINGS, course_id=course_id)
        body = self.call("PUT", url, idempotent=True, json_body={"is_cohorted": bool(on)}).json({"is_cohorted": bool})
        return body["is_cohorted"]

    def list_cohorts(self, course_id: str) -> list[Cohort]:
        url = self.lms(COHORTS, course_id=course_id)
        return [_cohort(expect(item, COHORT_SHAPE, f"GET {COHORTS}"))
                for item in pagination.bare_pages(self.get_json, url, {}, **self._paging())]

    def ensure_cohort(self, course_id: str, name: str) -> Cohort:
        """The cohort of that name, created when missing (a duplicate name is a 500, so list first)."""
        for cohort in self.list_cohorts(course_id):
            if cohort.name == name:
                return cohort
        return self.create_cohort(course_id, name)

    def create_cohorts(self, course_id: str, names: list[str]) -> list[Cohort]:
        """One request per name: the platform creates cohorts one at a time."""
        return [self.create_cohort(course_id, name) for name in names]

    def create_cohort(self, course_id: str, name: str) -> Cohort:
        """Create a cohort the caller has just seen missing from list_cohorts (one request, no listing)."""
        url = self.lms(COHORTS, course_id=course_id)
        body = {"name": name, "assignment_type": "manual"}
        try:
            response = self.call("POST", url, idempotent=False, json_body=body)
        except ServerError as exc:
            # A lost answer may hide a created cohort, and a duplicate name is a 500: list again first.
            if not exc.maybe_applied:
                raise
            for cohort in self.list_cohorts(course_id):
                if cohort.name == name:
                    return cohort
            response = self.call("POST", url, idempotent=False, json_body=body)
        return _cohort(response.json(COHORT_SHAPE))

    def add_to_cohort(self, course_id: str, cohort_id: int, identifiers: list[str], *,
                      people: list[Person] | None = None, previous: Mapping[str, str | None] | None = None
                      ) -> CohortChange:
        """A user belongs to one cohort per course on Open edX, so joining one leaves the other by itself."""
        url = self.lms(COHORT_USERS, course_id=course_id, cohort_id=str(cohort_id))
        # Putting someone in a cohort is a set operation: repeating it reports them as present.
        body = self.call("POST", url, idempotent=True, json_body={"users": list(identifiers)}).json(COHORT_USERS_SHAPE)
        return CohortChange(
            added=tuple(u.get("username") or u.get("email") or "" for u in body.get("added") or []),
            moved=tuple(u.get("username") or u.get("email") or "" for u in body.get("changed") or []),
            present=tuple(body.get("present") or []),
            preassigned=tuple(body.get("preassigned") or []),
            unknown=tuple(body.get("unknown") or []),
            invalid=tuple(body.get("invalid") or []),
        )

    # -- grades -------------------------------------------------------------------------------------------

    def list_grades(self, course_id: str) -> Iterator[Grade]:
        url = self.lms(GRADES, course_id=course_id)
        for item in pagination.cursor(self.get_json, url, {}, **self._paging()):
            item = expect(item, GRADE_SHAPE, f"GET {GRADES}")
            yield Grade(
                username=item["username"], course_id=item.get("course_id") or course_id,
                percent=float(item.get("percent") or 0.0), passed=item.get("passed") is True,
                letter_grade=item.get("letter_grade"), email=item.get("email") or "",
            )

    # -- deploy -------------------------------------------------------------------------------------------

    def deploy_steps(self, package: PackageInfo) -> list[str]:
        raise LmsError(_("Open edX imports packages through Studio's API; there are no manual steps"))


def _staff_login(options: dict, table: str) -> tuple[str, str] | None:
    """The staff account the instructor report tasks sign in as: session_email, and the NAME of the variable
    holding its password in session_password_env (secrets never live in the file). None when not given."""
    email, var = options.get("session_email"), options.get("session_password_env")
    if email is None and var is None:
        return None
    if not isinstance(email, str) or not email or not isinstance(var, str) or not var:
        raise ConfigError(_("{table} needs both session_email (the staff account's email) and session_password_env "
                            "(the name of the variable holding its password)").format(table=table))
    password = os.environ.get(var)
    if not password:
        raise ConfigError(_("{table}: environment variable {var} is not set; it must hold the password of {email}")
                          .format(table=table, var=var, email=email))
    return email, password


def _course_run(body: dict) -> CourseRun:
    schedule = body.get("schedule") or {}
    return CourseRun(
        course_id=body["id"], title=body.get("title") or "", start=schedule.get("start"),
        end=schedule.get("end"), pacing=body.get("pacing_type") or "",
    )


def _account(item: dict) -> Account:
    return Account(username=item["username"], email=item.get("email") or None, name=item.get("name") or "",
                   is_active=item.get("is_active") is not False)


def _cohort(item: dict) -> Cohort:
    return Cohort(id=item["id"], name=item["name"], user_count=item.get("user_count") or 0,
                  assignment_type=item.get("assignment_type") or "manual")


def _enrol_result(action: str, identifier: str, row: dict) -> EnrolResult:
    if row.get("invalidIdentifier"):
        return EnrolResult(identifier, EnrolOutcome.INVALID)
    if row.get("error") or "after" not in row:
        return EnrolResult(identifier, EnrolOutcome.ERROR)
    before, after = row.get("before") or {}, row["after"]
    has_account = bool(after.get("user"))
    cohort = after.get("cohort")
    if action == "unenroll":
        outcome = EnrolOutcome.UNENROLLED if before.get("enrollment") or before.get("allowed") else EnrolOutcome.NOT_ENROLLED
    elif after.get("enrollment"):
        outcome = EnrolOutcome.ALREADY_ENROLLED if before.get("enrollment") else EnrolOutcome.ENROLLED
    elif after.get("allowed"):
        outcome = EnrolOutcome.PRE_ENROLLED
    else:
        outcome = EnrolOutcome.ERROR
    return EnrolResult(identifier, outcome, has_account=has_account, cohort=cohort)
