"""The executor against the stand-in Open edX over HTTP: batching, per-identifier outcomes, retries, stops."""

import pytest

from enrol_support import COURSE
from pamong_edx.enrol.executor import Executor, JobStopped, Settings
from pamong_edx.enrol.journal import ENROLLED, PRE_ENROLLED, UNENROLLED, Journal
from pamong_edx.enrol.plan import Action, Official, build_plan
from pamong_edx.enrol.rules import rules_from_options
from pamong_edx.lms.retry import RetryPolicy

RULES = rules_from_options([COURSE], "kabupaten")
NAMES = {"18.71": "Kota Bandar Lampung", "18.10": "Kabupaten Pringsewu"}
BDL, PSW = "18.71 Kota Bandar Lampung", "18.10 Kabupaten Pringsewu"


def namer(rule, region):
    code = rule.cohort.cohort_code(region)
    return None if code is None else rule.cohort.render(code, NAMES[code])


def people(n, region="18.71.01.1003", start=0, prefix="p"):
    return [Official(start + i + 2, f"{prefix}{start + i}@desa.example.id", "Kepala Desa", region) for i in range(n)]


def run(sandbox, journal, roster, rules=RULES, sync_scope=None, attempts=4, **settings):
    plan = build_plan(roster, rules, journal.entries(rules.course_keys), namer, sync_scope=sync_scope)
    with sandbox.backend() as backend:
        retry = RetryPolicy(attempts=attempts, base_delay=0.01)
        executor = Executor(backend, journal, journal.start_run({}), Settings(retry=retry, **settings))
        try:
            executor.run(plan)
        finally:
            plan.traffic = backend.traffic
    return plan


@pytest.fixture
def journal(tmp_path):
    with Journal.in_dir(tmp_path / "state") as journal:
        yield journal


def test_one_call_enrols_and_assigns_the_cohort_of_a_batch(sandbox, journal):
    sandbox.add_user("p0", "p0@desa.example.id")  # one has an account already
    roster = people(130) + people(120, region="18.10.06.2008", start=130)
    sandbox.reset_stats()
    plan = run(sandbox, journal, roster)
    requests = sandbox.stats()["requests"]
    assert requests["POST /api/bulk_enroll/v1/bulk_enroll"] == 4  # 130 -> 100 + 30, 120 -> 100 + 20
    assert requests["POST /api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}"] == 2
    assert sandbox.cohort_names(COURSE) == [PSW, BDL]
    state = sandbox.state(COURSE)
    assert state["p0@desa.example.id"] == ("enrolled", BDL)
    assert state["p1@desa.example.id"] == ("allowed", BDL)
    assert state["p249@desa.example.id"] == ("allowed", PSW)
    assert len(state) == 250
    assert [i.outcome for i in plan.items[:2]] == ["enrolled", "pre-enrolled"]
    assert journal.entry("p0@desa.example.id", COURSE).state == ENROLLED
    assert journal.entry("p1@desa.example.id", COURSE).state == PRE_ENROLLED
    assert journal.counts()["pending"] == 0
    assert plan.traffic.writes == 4 + 2 + 1  # bulk calls, cohort creations, cohorting turned on


def test_an_identifier_the_lms_keeps_failing_is_reported_and_the_rest_go_through(sandbox, journal):
    sandbox.configure(row_error_identifiers=["p3@desa.example.id"])
    plan = run(sandbox, journal, people(10), attempts=3)
    failed = [i for i in plan.items if i.outcome == "failed"]
    assert [i.email for i in failed] == ["p3@desa.example.id"]
    assert "gave up after 3 tries: the LMS reported an error for 1 of 1 identifiers" in failed[0].message
    assert len(sandbox.state(COURSE)) == 9
    assert journal.entry("p3@desa.example.id", COURSE).failure is not None
    # the failure was not permanent: the next run tries that one again, and only that one
    sandbox.configure(row_error_identifiers=[])
    sandbox.reset_stats()
    plan = run(sandbox, journal, people(10))
    assert [i.email for i in plan.operations()] == ["p3@desa.example.id"]
    assert sandbox.stats()["requests"]["POST /api/bulk_enroll/v1/bulk_enroll"] == 1
    assert len(sandbox.state(COURSE)) == 10


def test_an_identifier_the_lms_rejects_is_a_permanent_failure(sandbox, journal):
    roster = people(3) + [Official(9, "not-an-email", "Kepala Desa", "18.71.01.1003")]
    plan = run(sandbox, journal, roster)
    bad = plan.items[-1]
    assert bad.outcome == "failed" and "rejects this identifier" in bad.message
    entry = journal.entry("not-an-email", COURSE)
    assert entry.permanent and entry.failure
    plan = run(sandbox, journal, roster)  # not sent again
    assert plan.items[-1].action is Action.FAILED_BEFORE and plan.operations() == []


def test_a_region_change_moves_people_between_cohorts_in_one_call(sandbox, journal):
    sandbox.add_user("p0", "p0@desa.example.id")
    run(sandbox, journal, people(5))
    sandbox.reset_stats()
    moved = people(5, region="18.10.06.2008")
    plan = run(sandbox, journal, moved)
    assert [i.action for i in plan.items] == [Action.COHORT] * 5
    assert [i.outcome for i in plan.items] == ["cohort-changed"] * 5
    requests = sandbox.stats()["requests"]
    assert requests["POST /api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}/users/{username}"] == 1
    assert "POST /api/bulk_enroll/v1/bulk_enroll" not in requests
    assert {cohort for _, cohort in sandbox.state(COURSE).values()} == {PSW}
    assert journal.entry("p1@desa.example.id", COURSE).cohort == PSW


def test_sync_unenrols_those_who_left_within_the_scope(sandbox, journal):
    run(sandbox, journal, people(6) + people(2, region="18.10.06.2008", start=6))
    plan = run(sandbox, journal, people(4), sync_scope="18.71")
    assert [(i.email, i.outcome) for i in plan.operations()] == [
        ("p4@desa.example.id", "unenrolled"), ("p5@desa.example.id", "unenrolled")]
    assert sorted(sandbox.state(COURSE)) == [f"p{i}@desa.example.id" for i in (0, 1, 2, 3, 6, 7)]
    assert journal.entry("p5@desa.example.id", COURSE).state == UNENROLLED


def test_credentials_the_lms_refuses_stop_the_job_before_anything_is_sent(sandbox, journal):
    sandbox.client_secret = "wrong"
    with pytest.raises(JobStopped, match="cannot list the cohorts of .*invalid_client"):
        run(sandbox, journal, people(3))
    assert sandbox.state(COURSE) == {}


def test_a_failure_of_the_whole_job_mid_way_stops_sending_and_leaves_the_rest_for_the_next_run(sandbox, journal):
    rules = rules_from_options([COURSE], None)  # no cohorts: straight to the bulk calls
    sandbox.configure(bulk_enroll_enabled=False)  # the route 404s, as with the feature off
    with pytest.raises(JobStopped, match="404"):
        run(sandbox, journal, people(30), rules=rules, batch_size=10, workers=1)
    assert journal.counts()["pending"] == 0  # the refused batch is recorded, not left in doubt
    sandbox.configure(bulk_enroll_enabled=True)
    plan = run(sandbox, journal, people(30), rules=rules, batch_size=10)
    assert len(plan.operations()) == 30 and len(sandbox.state(COURSE)) == 30


def test_a_call_rejected_as_a_whole_is_not_repeated_for_the_rest_of_its_group(sandbox, journal):
    missing = "course-v1:Kemendagri+BELUM+2025"
    rules = rules_from_options([missing], None)
    sandbox.reset_stats()
    plan = run(sandbox, journal, people(30), rules=rules, batch_size=10, workers=1)
    assert sandbox.stats()["requests"]["POST /api/bulk_enroll/v1/bulk_enroll"] == 1
    assert [i.outcome for i in plan.items] == ["failed"] * 30
    assert "Course not found" in plan.items[0].message
    assert plan.items[-1].message.startswith("not sent: the LMS rejected this call for others")
    sandbox.create_course(missing)
    plan = run(sandbox, journal, people(30), rules=rules, batch_size=10)
    assert [i.outcome for i in plan.items] == ["pre-enrolled"] * 30


def test_a_throttle_asking_for_hours_stops_the_job_instead_of_sleeping_through_it(sandbox, journal):
    rules = rules_from_options([COURSE], None)
    sandbox.configure(burst_every=1, burst_size=1, retry_after=36_000, only="POST /api/bulk_enroll")
    with pytest.raises(JobStopped, match="throttled by the LMS \\(429\\); try again in 36000 s"):
        run(sandbox, journal, people(5), rules=rules)
    assert journal.counts()["pending"] == 0  # recorded as failed, so the next run sends it again
