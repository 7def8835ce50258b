"""The Moodle backend: the LMS protocol over Moodle's REST web services (shared/specs/moodle.md).

Moodle has no pre-enrolment of an email, so the backend `creates_accounts`: `bulk_enrol` and `add_to_cohort`
take the officials (`people`) and make or update their accounts before enrolling them (accounts.py).
Enrolment is manual enrolment with the role the rules name (`mode`, mapped to a role id by the profile);
cohorts are system cohorts shared by all courses (cohorts.py), so one `bulk_enrol` call serves people of many
cohorts (`mixed_cohorts`) and many cohorts are made in one request (`batch_cohorts`); courses are found by short
name or ID number (courses.py). Every call is filled to what the site's max_input_vars allows (wire.py), so the
engine hands over large batches. Moodle has no web service that creates a SCORM activity: deploy prints the
manual steps.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from pamong_edx.i18n import N_, _
from pamong_edx.lms.errors import LmsError, NotFound, PermissionDenied
from pamong_edx.lms.http import HttpBackend, RetryPolicy, base_url
from pamong_edx.lms.limits import Limits
from pamong_edx.lms.moodle import wire
from pamong_edx.lms.moodle.accounts import Accounts, AccountState
from pamong_edx.lms.moodle.client import SERVICES, WsClient, fix
from pamong_edx.lms.moodle.cohorts import Cohorts
from pamong_edx.lms.moodle.courses import COURSES, Course, Courses
from pamong_edx.lms.moodle.package import describe_scorm_package, manual_steps
from pamong_edx.lms.moodle.progress import ProgressReading
from pamong_edx.lms.moodle.settings import MoodleSettings
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

JOBS = (  # (job, translated where shown; the functions it needs)
    (N_("look up, create and update accounts"),
     ("core_user_get_users_by_field", "core_user_create_users", "core_user_update_users")),
    (N_("find courses by short name or ID number"), ("core_course_get_courses_by_field",)),
    (N_("manual enrolment"), ("enrol_manual_enrol_users", "enrol_manual_unenrol_users", "core_enrol_get_enrolled_users")),
    (N_("region cohorts"), ("core_cohort_search_cohorts", "core_cohort_create_cohorts", "core_cohort_add_cohort_members",
                        "core_cohort_delete_cohort_members")),
)
EXPLAIN = "core_user_get_users"  # optional: says why Moodle refused an account when the site hides the reason
CAPABILITIES = ("moodle/user:create", "moodle/user:update", "enrol/manual:enrol", "enrol/manual:unenrol",
                "moodle/course:viewparticipants", "moodle/cohort:manage", "moodle/cohort:assign")
NO_IMPORT = N_("Moodle has no web service that creates a SCORM activity; pamong deploy prints the steps to add "
               "the package by hand")

SITE_INFO = {"username?": str, "userissiteadmin?": bool, "functions?": [{"name": str}], "release?": str}
ENROLLED = [{"id": int, "username?": str, "roles?": [{"shortname?": str}]}]


class MoodleBackend(ProgressReading, HttpBackend):
    component = "lms_moodle"
    version = "1.0.0"
    requires = ">=0.1,<1"
    # No pre-enrolment: bulk_enrol and add_to_cohort make the accounts first. Core Moodle does not throttle web
    # services, so the pacing declares no rate.
    features = Features(creates_accounts=True, enrol_mode=True, cohorts=True, create_cohort=True, batch_cohorts=True,
                        mixed_cohorts=True, cohort_moves=True, find_users=True, manual_deploy=True, progress=True)

    def __init__(
        self,
        site_url: str,
        token: str,
        *,
        settings: MoodleSettings | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        ca_bundle: str | None = None,
        insecure: bool = False,
        retry: RetryPolicy | None = None,
        limits: Limits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.site_url, origin = base_url(site_url, insecure=insecure, what=_("Moodle URL"))
        self.settings = settings or MoodleSettings()
        pacing = Pacing(batch_size=self.settings.enrol_batch, max_batch_size=10_000, request_budget=_(
            "{n} POST fields per call (max_input_vars {vars})").format(n=self.settings.field_budget,
                                                                     vars=self.settings.max_input_vars))
        super().__init__((origin,), pacing=pacing, timeout=timeout, connect_timeout=connect_timeout,
                         ca_bundle=ca_bundle, retry=retry, limits=limits, sleep=sleep, rng=rng)
        self.ws = WsClient(self.site_url, token, self.http)
        self.accounts = Accounts(self.ws, self.settings)
        self.courses = Courses(self.ws)
        self.cohorts = Cohorts(self.ws, self.settings)
        self._site: dict | None = None

    @classmethod
    def from_profile(cls, profile) -> MoodleBackend:  # noqa: ANN001 - a lms.profiles.Profile
        where = f"{profile.source}: [profiles.{profile.name}.moodle]"
        settings = MoodleSettings.from_options(profile.options, where)
        return cls(profile.lms_url, profile.client_secret, settings=settings, **cls.connection_options(profile))

    def __repr__(self) -> str:
        return f"MoodleBackend({self.site_url!r})"

    def info(self) -> BackendInfo:
        return BackendInfo(lms="moodle", urls={"site": self.site_url}, admin_title=N_("site admin"))

    # -- who am I and what may I do -----------------------------------------------------------------------

    def site_info(self) -> dict:
        if self._site is None:
            self._site = self.ws.call("core_webservice_get_site_info", {}, idempotent=True, shape=SITE_INFO)
        return self._site

    def whoami(self) -> Identity:
        info = self.site_info()
        return Identity(username=str(info.get("username", "")), is_staff=bool(info.get("userissiteadmin")))

    def capabilities(self, course_id: str | None = None) -> list[Capability]:
        info = self.site_info()
        have = {f["name"] for f in info.get("functions") or []}
        release = info.get("release", "?")
        result = []
        for job, needed in JOBS:
            missing = [f for f in needed if f not in have]
            if missing:
                result.append(Capability(_(job), False, _("the token's service lacks {functions}").format(
                    functions=", ".join(missing)), _("add them in {services} > (the service) > Functions").format(
                    services=SERVICES)))
            else:
                result.append(Capability(_(job), True, f"{', '.join(needed)} (Moodle {release})"))
        explain = _("in the service") if EXPLAIN in have else _(
            "{function} is not in the service: refused accounts are reported without the reason a lookup finds"
        ).format(function=EXPLAIN)
        result.append(Capability(_("explain refused accounts (optional)"), True, explain))
        fields = ", ".join(s for s in self.settings.profile_fields.values() if s)
        result.append(Capability(
            _("profile fields and role capabilities"), True,
            _("not readable through web services; checked on first use (profile fields {fields}; capabilities "
              "{capabilities})").format(fields=fields or _("none"), capabilities=", ".join(CAPABILITIES))))
        if course_id is not None:
            result.append(self._probe_course(course_id))
        result.append(Capability(_("deploy SCORM packages"), True, _(NO_IMPORT)))
        return result

    def _probe_course(self, key: str) -> Capability:
        job = _("enrol into {course}").format(course=key)
        try:
            course = self.courses.find(key)
        except PermissionDenied as exc:
            return Capability(job, False, str(exc), fix("accessexception"))
        if course is None:
            return Capability(job, False, _("no course has that short name or ID number (or it is hidden)"),
                              _("set the course's ID number in Moodle (Course > Settings > Course ID number), or use "
                                "its short name in the rules"))
        if "manual" not in course.methods:
            return Capability(job, False, _("course {id} '{title}' has no enabled manual enrolment").format(
                id=course.id, title=course.fullname), fix("wsnoinstance"))
        return Capability(job, True, _("course {id} '{title}' (enrolment: {methods})").format(
            id=course.id, title=course.fullname, methods=", ".join(course.methods)))

    # -- courses and packages -----------------------------------------------------------------------------

    def describe_package(self, path: Path, course_id: str | None = None) -> PackageInfo:
        return describe_scorm_package(path, course_id)

    def deploy_steps(self, package: PackageInfo) -> list[str]:
        """What to do by hand to put the package in its course (deploy prints it: nothing is uploaded)."""
        course = self.courses.find(package.course_id)
        return manual_steps(self.site_url, package, course.id if course else None, course.fullname if course else "")

    def get_course(self, course_id: str) -> CourseRun | None:
        course = self.courses.find(course_id)
        return CourseRun(course_id=course_id, title=course.fullname) if course else None

    def create_course(self, package: PackageInfo) -> CourseRun:
        raise LmsError(_("pamong-edx does not create Moodle courses: create '{course}' in Moodle, then add the "
                         "package by hand (pamong deploy prints the steps)").format(course=package.course_id))

    def list_courses(self) -> Iterator[CourseRun]:
        answer = self.ws.call("core_course_get_courses_by_field", {"field": "", "value": ""}, idempotent=True,
                              shape=COURSES)
        for item in answer.get("courses") or []:
            if item.get("format") != "site":
                yield CourseRun(course_id=str(item.get("shortname", "")), title=str(item.get("fullname", "")))

    def start_import(self, course_id: str, path: Path) -> ImportTicket:
        raise LmsError(NO_IMPORT)

    def import_status(self, ticket: ImportTicket) -> ImportStatus:
        raise LmsError(NO_IMPORT)

    def import_failure(self, ticket: ImportTicket) -> str:
        raise LmsError(NO_IMPORT)

    # -- people -------------------------------------------------------------------------------------------

    def find_users(self, *, emails: Iterable[str] = (), usernames: Iterable[str] = ()) -> list[Account]:
        found = self.accounts.lookup("email", [e.strip().lower() for e in emails])
        found += self.accounts.lookup("username", list(usernames))
        seen: set[int] = set()
        out = []
        for user in found:
            if user["id"] not in seen:
                seen.add(user["id"])
                out.append(Account(username=str(user.get("username", "")), email=user.get("email") or None,
                                   name=str(user.get("fullname", "")), is_active=not user.get("suspended")))
        return out

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
        """Enrol through the course's manual enrolment with the role `mode` names (default: the profile's
        default_role), and put them in `cohort` (or each in `cohorts[identifier]`). With `people`, accounts are
        made or updated first. `auto_enroll` has no meaning here (every official gets an account) and Moodle
        sends its own welcome message as the course's manual enrolment is set up to, whatever `email_learners`
        says."""
        role = self.settings.role_id(mode)
        if role is None:
            raise LmsError(_("the rules ask for role '{mode}', which the profile does not map to a Moodle role id: "
                             "add roles = {{{mode} = ID}} to the profile's moodle table").format(mode=mode),
                           code="unknownrole")
        course = self._enrollable(course_id)
        ids, results, states = self._accounts_for(identifiers, people)
        fresh = {email for email, state in states.items() if state.created}
        before = self.courses.enrolled(course) if any(e not in fresh for e in ids) else set()
        self._enrol(course, role, sorted(set(ids.values())))
        self.courses.mark(course, set(ids.values()), True)
        target_of = {identifier.strip().lower(): (cohorts or {}).get(identifier, cohort) for identifier in identifiers}
        pairs = sorted({(self.cohorts.ensure(target_of[email]).id, user) for email, user in ids.items()
                        if target_of.get(email)})
        _present, unknown = self.cohorts.add(pairs)
        out = []
        for identifier in identifiers:
            email = identifier.strip().lower()
            if email in results:
                out.append(dataclasses.replace(results[email], identifier=identifier))
                continue
            user = ids[email]
            state = states.get(email)
            if user in unknown:  # deleted on the site between the lookup and now
                out.append(EnrolResult(identifier, EnrolOutcome.ERROR,
                                       message=_("Moodle no longer knows this account")))
                continue
            outcome = EnrolOutcome.ALREADY_ENROLLED if user in before else EnrolOutcome.ENROLLED
            note = state.note if state else ""
            out.append(EnrolResult(identifier, outcome, has_account=True, cohort=target_of[email], message=note,
                                   account=_account_word(state)))
        return out

    def _enrollable(self, course_id: str) -> Course:
        course = self.courses.resolve(course_id)
        if "manual" not in course.methods:
            raise NotFound(_("course {course} (Moodle id {id}) has no enabled manual enrolment; {fix}").format(
                course=course_id, id=course.id, fix=fix("wsnoinstance")), code="wsnoinstance")
        return course

    def _accounts_for(self, identifiers: list[str], people: list[Person] | None
                      ) -> tuple[dict[str, int], dict[str, EnrolResult], dict[str, AccountState]]:
        """User ids by email, results for those without an account, and what ensuring the accounts did."""
        states = self.accounts.ensure(people) if people else {}
        ids: dict[str, int] = {}
        results: dict[str, EnrolResult] = {}
        for identifier in identifiers:
            email = identifier.strip().lower()
            state = states.get(email)
            if state is None:
                continue
            if state.ok:
                ids[email] = state.user_id
            else:
                outcome = EnrolOutcome.INVALID if state.permanent else EnrolOutcome.ERROR
                results[email] = EnrolResult(identifier, outcome, message=state.failure)
        rest = [e for e in (i.strip().lower() for i in identifiers) if e not in ids and e not in results]
        if rest:
            ids.update(self.accounts.ids_for(rest))
            for email in rest:
                if email not in ids:
                    results[email] = EnrolResult(email, EnrolOutcome.INVALID,
                                                 message=_("no Moodle account has this email (Moodle cannot enrol an "
                                                           "email without an account)"))
        return ids, results, states

    def _enrol(self, course: Course, role: int, user_ids: list[int]) -> None:
        records = [{"roleid": role, "userid": u, "courseid": course.id} for u in user_ids]
        for batch in wire.batches(records, budget=self.settings.field_budget, most=1000):
            self.ws.call("enrol_manual_enrol_users", {"enrolments": batch}, idempotent=True)

    def bulk_unenrol(self, course_id: str, identifiers: list[str]) -> list[EnrolResult]:
        """Remove the manual enrolment (other enrolment methods are left alone, as Moodle does)."""
        course = self._enrollable(course_id)
        ids = self.accounts.ids_for(identifiers)
        before = self.courses.enrolled(course)
        leaving = sorted({u for u in ids.values() if u in before})
        records = [{"userid": u, "courseid": course.id} for u in leaving]
        for batch in wire.batches(records, budget=self.settings.field_budget, most=1000):
            self.ws.call("enrol_manual_unenrol_users", {"enrolments": batch}, idempotent=True)
        self.courses.mark(course, set(leaving), False)
        out = []
        for identifier in identifiers:
            user = ids.get(identifier.strip().lower())
            gone = user is not None and user in before
            out.append(EnrolResult(identifier, EnrolOutcome.UNENROLLED if gone else EnrolOutcome.NOT_ENROLLED,
                                   has_account=user is not None))
        return out

    def list_enrolments(self, course_id: str, usernames: Iterable[str] = ()) -> Iterator[Enrolment]:
        course = self.courses.resolve(course_id)
        wanted = set(usernames)
        start = 0
        while True:
            options = [{"name": "onlyactive", "value": 1}, {"name": "userfields", "value": "username,roles"},
                       {"name": "limitfrom", "value": start}, {"name": "limitnumber", "value": 1000}]
            page = self.ws.call("core_enrol_get_enrolled_users", {"courseid": course.id, "options": options},
                                idempotent=True, shape=(None, ENROLLED)) or []
            for user in page:
                username = user.get("username") or ""
                if wanted and username not in wanted:
                    continue
                roles = ",".join(r.get("shortname") or "" for r in user.get("roles") or [])
                yield Enrolment(username=username, course_id=course_id, mode=roles, is_active=True)
            if len(page) < 1000:
                return
            start += 1000

    # -- cohorts ------------------------------------------------------------------------------------------

    def set_cohorted(self, course_id: str, on: bool = True) -> bool:
        return on  # system cohorts need no switch in the course

    def list_cohorts(self, course_id: str) -> list[Cohort]:
        self._enrollable(course_id)  # a wrong course key stops the job here, before anything is written
        return self.cohorts.list()

    def ensure_cohort(self, course_id: str, name: str) -> Cohort:
        return self.cohorts.ensure(name)

    def create_cohorts(self, course_id: str, names: list[str]) -> list[Cohort]:
        """System cohorts, as many per request as max_input_vars allows."""
        return self.cohorts.create(names)

    def add_to_cohort(self, course_id: str, cohort_id: int, identifiers: list[str], *,
                      people: list[Person] | None = None, previous: Mapping[str, str | None] | None = None
                      ) -> CohortChange:
        """Put them in the cohort (with `people`: their accounts' region updated first) and, for those whose
        `previous` cohort is another one, take them out of it: membership follows the region."""
        ids, failed, _ = self._accounts_for(identifiers, people)
        users = sorted(set(ids.values()))
        present, unknown = self.cohorts.add([(cohort_id, user) for user in users])
        added = set(users) - present - unknown
        by_id = {c.id: c.name for c in self.cohorts.list()}
        target = by_id.get(cohort_id)
        leaving = []
        for email, old in (previous or {}).items():
            old_cohort = self.cohorts.find(old) if old and old != target else None
            if old_cohort is not None and email.strip().lower() in ids:
                leaving.append((old_cohort.id, ids[email.strip().lower()]))
        self.cohorts.remove(leaving)
        movers = {user for _, user in leaving}
        email_of = {u: e for e, u in ids.items()}
        messages = {e: r.message for e, r in failed.items() if r.message}
        return CohortChange(
            added=tuple(email_of[u] for u in sorted(added - movers)),
            moved=tuple(email_of[u] for u in sorted((added | present) & movers)),
            present=tuple(email_of[u] for u in sorted(present - movers)),
            unknown=tuple(sorted(set(failed) | {email_of[u] for u in unknown})),
            messages=messages,
        )

    # -- results ------------------------------------------------------------------------------------------

    def list_grades(self, course_id: str) -> Iterator[Grade]:
        raise LmsError(_("pamong-edx does not read Moodle grades: the SCORM activity's grades are in the course's "
                         "gradebook (Grades > Export)"))


def _account_word(state: AccountState | None) -> str:
    if state is None:
        return ""
    if state.created:
        return "created"
    return "updated" if state.updated else ""
