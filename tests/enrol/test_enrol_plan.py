from pamong_edx.enrol.journal import ENROLLED, NONE, PRE_ENROLLED, UNENROLLED, Entry
from pamong_edx.enrol.plan import Action, LmsView, Official, Rejected, build_plan
from pamong_edx.enrol.rules import parse_rules, rules_from_options

A = "course-v1:Kemendagri+DESA101+2025"
K = "course-v1:Kemendagri+KEU201+2025"
BDL = "18.71 Kota Bandar Lampung"
PSW = "18.10 Kabupaten Pringsewu"
NAMES = {"18.71": "Kota Bandar Lampung", "18.10": "Kabupaten Pringsewu", "18.71.01": "Tanjung Karang Barat"}


def namer(rule, region):
    code = rule.cohort.cohort_code(region)
    return None if code is None else rule.cohort.render(code, NAMES.get(code, code))


def entry(email, course=A, state=ENROLLED, cohort=BDL, region="18.71.01.1003", owned=True, pending=None,
          target=None, failure=None, permanent=False, row=2):
    return Entry(email, course, state, cohort, region, row, owned, pending, target, None, failure, permanent)


def official(row, email, position="Kepala Desa", region="18.71.01.1003"):
    return Official(row, email, position, region)


RULES = rules_from_options([A], "kabupaten")


def actions(plan):
    return [(i.row, i.email, i.action.value, i.cohort) for i in plan.items]


def test_new_officials_are_enrolled_with_their_region_cohort():
    plan = build_plan([official(2, "a@x.id"), official(3, "b@x.id", region="18.10.06.2008")], RULES, {}, namer)
    assert actions(plan) == [(2, "a@x.id", "enrol", BDL), (3, "b@x.id", "enrol", PSW)]
    assert plan.cohorts_needed() == {A: {BDL, PSW}}
    assert plan.summary() == "enrol 2 · cohort 2 · unchanged 0 · rows with errors 0"


def test_what_earlier_runs_did_is_not_sent_again():
    journal = {("a@x.id", A): entry("a@x.id"), ("b@x.id", A): entry("b@x.id", state=PRE_ENROLLED)}
    plan = build_plan([official(2, "a@x.id"), official(3, "b@x.id")], RULES, journal, namer)
    assert [i.action for i in plan.items] == [Action.UNCHANGED, Action.UNCHANGED]
    assert plan.items[1].message == "pre-enrolled by an earlier run"
    assert plan.operations() == []


def test_a_changed_region_moves_the_official_to_the_new_cohort():
    journal = {("a@x.id", A): entry("a@x.id", cohort=PSW)}
    (item,) = build_plan([official(2, "a@x.id")], RULES, journal, namer).items
    assert (item.action, item.cohort) == (Action.COHORT, BDL)
    assert "moving from 18.10 Kabupaten Pringsewu" in item.message


def test_operations_in_flight_when_a_run_died_are_sent_again():
    journal = {
        ("a@x.id", A): entry("a@x.id", state=NONE, cohort=None, pending="enrol", target=BDL),
        ("b@x.id", A): entry("b@x.id", cohort=PSW, pending="cohort", target=BDL),
        ("c@x.id", A): entry("c@x.id", pending="unenrol"),
    }
    plan = build_plan([official(2, "a@x.id"), official(3, "b@x.id"), official(4, "c@x.id")], RULES, journal, namer)
    assert [(i.action, i.resend) for i in plan.items] == [(Action.ENROL, True), (Action.COHORT, True),
                                                         (Action.ENROL, True)]


def test_a_refusal_the_lms_would_repeat_is_not_resent_unless_asked():
    journal = {("a@x.id", A): entry("a@x.id", state=NONE, cohort=None, target=BDL, failure="invalid", permanent=True),
               ("b@x.id", A): entry("b@x.id", state=NONE, cohort=None, target=BDL, failure="timeout")}
    people = [official(2, "a@x.id"), official(3, "b@x.id")]
    plan = build_plan(people, RULES, journal, namer)
    assert [i.action for i in plan.items] == [Action.FAILED_BEFORE, Action.ENROL]
    plan = build_plan(people, RULES, journal, namer, retry_failed=True)
    assert [i.action for i in plan.items] == [Action.ENROL, Action.ENROL]


def test_rejected_duplicate_and_courseless_rows_are_reported_not_sent():
    rules = parse_rules(f"courses:\n  - course: {A}\n    positions: [Kepala Desa]\n", "r.yaml")
    plan = build_plan([
        official(2, "a@x.id"),
        Rejected(3, "bad at x.id", "R120 email-invalid: ..."),
        official(4, "a@x.id"),
        official(5, "c@x.id", position="Kepala Dusun"),
    ], rules, {}, namer)
    assert [(i.row, i.action) for i in plan.items] == [
        (2, Action.ENROL), (3, Action.ROW_ERROR), (4, Action.DUPLICATE), (5, Action.NO_COURSE)]
    assert plan.counts()["rows with errors"] == 1
    assert plan.items[0].cohort is None  # a rules file without cohorts: none


def test_sync_unenrols_only_the_toolkits_own_enrolments_in_scope_that_left_the_roster():
    journal = {
        ("gone@x.id", A): entry("gone@x.id", row=7),
        ("gone-elsewhere@x.id", A): entry("gone-elsewhere@x.id", region="18.10.06.2008"),
        ("not-ours@x.id", A): entry("not-ours@x.id", owned=False),
        ("unenrolled@x.id", A): entry("unenrolled@x.id", state=UNENROLLED),
        ("other-course@x.id", K): entry("other-course@x.id", course=K),
        ("stays@x.id", A): entry("stays@x.id"),
        ("rejected@x.id", A): entry("rejected@x.id"),
    }
    roster = [official(2, "stays@x.id"), Rejected(3, "REJECTED@x.id", "R110 nik-length")]
    plan = build_plan(roster, RULES, journal, namer, sync_scope="18.71")
    unenrol = plan.operations(Action.UNENROL)
    assert [(i.email, i.course) for i in unenrol] == [("gone@x.id", A)]
    assert unenrol[0].message == "not on the roster any more (was row 7 in an earlier run)"
    assert build_plan(roster, RULES, journal, namer).operations(Action.UNENROL) == []  # no --sync, no unenrol


def test_reconcile_resends_what_the_lms_lost_and_leaves_others_enrolments_alone():
    journal = {("a@x.id", A): entry("a@x.id"), ("b@x.id", A): entry("b@x.id")}
    view = LmsView(enrolled={A: {"b@x.id", "c@x.id"}})
    rules = rules_from_options([A], None)
    plan = build_plan([official(2, "a@x.id"), official(3, "b@x.id"), official(4, "c@x.id")], rules, journal,
                      namer, lms=view)
    assert [i.action for i in plan.items] == [Action.ENROL, Action.UNCHANGED, Action.UNCHANGED]
    assert "the LMS does not" in plan.items[0].message
    assert "not by this toolkit" in plan.items[2].message


def test_dry_run_splits_pre_enrolments_when_earlier_runs_know_the_account(tmp_path):
    plan = build_plan([official(2, "a@x.id"), official(3, "b@x.id"), official(4, "c@x.id")], RULES, {}, namer,
                      accounts={"a@x.id": False, "b@x.id": True})
    assert plan.summary() == "pre-enrol 1 · enrol 2 · cohort 3 · unchanged 0 · rows with errors 0"
    header, lines = plan.table()
    rows = [header, *([str(cell) for cell in line] for line in lines)]
    assert rows[0] == ["row", "email", "course", "cohort", "action", "message"]
    assert rows[1] == ["2", "a@x.id", A, BDL, "pre-enrol", ""]
    assert [r[4] for r in rows[1:]] == ["pre-enrol", "enrol", "enrol"]
