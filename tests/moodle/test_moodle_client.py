"""The Moodle backend against the stand-in over HTTP: accounts, enrolment, cohorts, errors, batch sizes."""

from __future__ import annotations

import pytest

from pamong_edx.lms.errors import AuthError, InvalidInput, LmsError, NotFound, PermissionDenied
from pamong_edx.lms.moodle import MoodleBackend
from pamong_edx.lms.moodle.client import moodle_error, xml_error
from pamong_edx.lms.protocol import EnrolOutcome, Person

BDL = ("Lampung", "Kota Bandar Lampung", "Kedaton", "Kedaton")
PSW = ("Lampung", "Kabupaten Pringsewu", "Pringsewu", "Pringsewu Barat")
COHORT_BDL, COHORT_PSW = "18.71 Kota Bandar Lampung", "18.10 Kabupaten Pringsewu"


def people(n, start=0, region="18.71.01.1003", places=BDL, position="Kepala Desa"):
    return [Person(f"p{i}@desa.example.id", f"Peserta Nomor {i}", position, region, places,
                   nik=f"18710112345600{i:02d}") for i in range(start, start + n)]


def enrol(backend, crowd, course="DESA101", cohort=COHORT_BDL, **kw):
    return backend.bulk_enrol(course, [p.email for p in crowd], cohort=cohort, people=crowd, **kw)


def test_accounts_are_created_with_region_fields_enrolled_and_put_in_the_cohort(moodle, backend):
    results = enrol(backend, people(3))
    assert [(r.outcome, r.account) for r in results] == [(EnrolOutcome.ENROLLED, "created")] * 3
    user = moodle.user("p1@desa.example.id")
    assert (user["username"], user["firstname"], user["lastname"]) == ("p1@desa.example.id", "Peserta Nomor", "1")
    assert (user["institution"], user["department"], user["city"], user["country"]) == (
        "Kelurahan Kedaton", "Kecamatan Kedaton", "Kota Bandar Lampung", "ID")
    assert moodle.fields("p1@desa.example.id") == {
        "kodewilayah": "18.71.01.1003", "provinsi": "Lampung", "kabupaten": "Kota Bandar Lampung",
        "kecamatan": "Kedaton", "desa": "Kedaton", "jabatan": "Kepala Desa"}
    assert user["idnumber"] == "" and "1871011234560001" not in str(dict(user))  # no NIK unless mapped
    assert '"create_password": "1"' in user["preferences"]  # Moodle makes the password and mails it
    assert moodle.state("DESA101") == {p.email: (COHORT_BDL,) for p in people(3)}
    assert moodle.db.one("SELECT idnumber FROM cohorts")["idnumber"] == "pamong:18.71 Kota Bandar Lampung"


def test_a_batch_with_one_duplicate_email_creates_the_rest_and_reports_the_duplicate(moodle, backend):
    moodle.add_user("budi", "P7@Desa.Example.ID")  # made by hand, email in other letter case
    moodle.reset_stats()
    results = enrol(backend, people(40))
    bad = [r for r in results if not r.ok]
    assert [r.identifier for r in bad] == ["p7@desa.example.id"] and bad[0].outcome is EnrolOutcome.INVALID
    assert "Moodle refused to create the account" in bad[0].message
    assert "already has an account with this email as 'P7@Desa.Example.ID' (username 'budi')" in bad[0].message
    assert len(moodle.state("DESA101")) == 39 and "p7@desa.example.id" not in moodle.state("DESA101")
    # the batch was rolled back whole, so it was halved until the refused record stood alone
    assert moodle.count("core_user_create_users") > 2


def test_an_account_whose_email_differs_only_in_case_is_found_by_its_username(moodle, backend):
    moodle.add_user("p0@desa.example.id", "P0@DESA.EXAMPLE.ID")  # exact-match lookup misses it
    results = enrol(backend, people(2))
    assert [(r.outcome, r.account) for r in results] == [(EnrolOutcome.ENROLLED, "updated"),
                                                          (EnrolOutcome.ENROLLED, "created")]
    assert moodle.db.one("SELECT count(*) FROM users WHERE lower(email) = 'p0@desa.example.id'")[0] == 1
    assert moodle.fields("p0@desa.example.id")["kodewilayah"] == "18.71.01.1003"


def test_an_account_made_by_someone_else_is_enrolled_but_not_claimed(moodle, backend):
    user = moodle.add_user("siti", "p0@desa.example.id")
    moodle.call("enrol_manual_enrol_users", **{"enrolments[0][roleid]": "5", "enrolments[0][userid]": user,
                                               "enrolments[0][courseid]": moodle.course_id("DESA101")})
    results = enrol(backend, people(2))
    assert [r.outcome for r in results] == [EnrolOutcome.ALREADY_ENROLLED, EnrolOutcome.ENROLLED]
    assert moodle.user("p0@desa.example.id")["username"] == "siti"  # the existing account, region written
    assert moodle.fields("p0@desa.example.id")["desa"] == "Kedaton"


def test_a_move_rewrites_the_region_and_changes_cohort(moodle, backend):
    enrol(backend, people(3))
    cohort = backend.ensure_cohort("DESA101", COHORT_PSW)
    moved = people(2, region="18.10.06.2008", places=PSW, position="Sekretaris Desa")
    change = backend.add_to_cohort("DESA101", cohort.id, [p.email for p in moved], people=moved,
                                   previous={p.email: COHORT_BDL for p in moved})
    assert change.moved == ("p0@desa.example.id", "p1@desa.example.id") and not change.unknown
    assert moodle.state("DESA101") == {"p0@desa.example.id": (COHORT_PSW,), "p1@desa.example.id": (COHORT_PSW,),
                                       "p2@desa.example.id": (COHORT_BDL,)}
    assert moodle.fields("p0@desa.example.id")["kabupaten"] == "Kabupaten Pringsewu"
    assert moodle.fields("p0@desa.example.id")["jabatan"] == "Sekretaris Desa"
    assert moodle.user("p0@desa.example.id")["city"] == "Kabupaten Pringsewu"


def test_the_same_people_in_a_second_course_cost_no_account_calls(moodle, backend):
    enrol(backend, people(30))
    moodle.reset_stats()
    results = enrol(backend, people(30), course="KEU201")
    assert {r.outcome for r in results} == {EnrolOutcome.ENROLLED} and {r.account for r in results} == {""}
    counted = moodle.stats()["requests"]
    assert not [k for k in counted if "core_user_" in k]
    assert moodle.state("KEU201") == {p.email: (COHORT_BDL,) for p in people(30)}


def test_every_call_stays_under_max_input_vars(moodle):
    moodle.configure(max_input_vars=300)
    with moodle.backend(max_input_vars=300) as backend:
        enrol(backend, people(80))
    assert moodle.inputs()["cut_requests"] == 0 and moodle.inputs()["largest"] <= 300
    assert len(moodle.state("DESA101")) == 80
    assert moodle.count("core_user_create_users") >= 6  # about 14 accounts per call at 300 fields


def test_a_lost_answer_to_create_users_is_not_a_duplicate(moodle):
    moodle.configure(timeout_rate=1.0, hang_s=1.0, only="core_user_create_users")
    with MoodleBackend(moodle.url, moodle.token, timeout=0.3, sleep=lambda s: None) as backend:
        results = enrol(backend, people(5))
    assert [r.outcome for r in results] == [EnrolOutcome.ENROLLED] * 5
    assert moodle.count("core_user_create_users") == 1  # created once, found by the lookup that followed
    assert len(moodle.state("DESA101")) == 5


def test_moodle_errors_become_typed_errors_that_name_the_fix(moodle, backend):
    with MoodleBackend(moodle.url, "0" * 32) as wrong:
        with pytest.raises(AuthError, match="invalidtoken.*Manage tokens"):
            wrong.whoami()
    with MoodleBackend(moodle.url, moodle.read_token) as reader:
        with pytest.raises(PermissionDenied, match="core_user_create_users: Access control exception.*External "
                                                   "services"):
            enrol(reader, people(1))
    moodle.post("capabilities", {"username": "pamong_ws", "capabilities": ["webservice/rest:use"]})
    with pytest.raises(PermissionDenied, match="nopermissions"):
        enrol(backend, people(1))
    with MoodleBackend(moodle.url + "/moodle", moodle.token) as misplaced:
        with pytest.raises(NotFound, match="is lms_url the Moodle site's address"):
            misplaced.whoami()


def test_xml_and_exception_shapes_are_read():
    error = xml_error("f", '<?xml version="1.0" ?>\n<EXCEPTION class="invalid_parameter_exception">\n'
                           "<ERRORCODE>invalidparameter</ERRORCODE>\n<MESSAGE>Invalid parameter value detected"
                           "</MESSAGE>\n</EXCEPTION>\n")
    assert isinstance(error, InvalidInput) and error.code == "invalidparameter"
    assert "answered in XML" in str(xml_error("f", "<RESPONSE><SINGLE/></RESPONSE>"))
    denied = moodle_error("enrol_manual_enrol_users", {"exception": "moodle_exception", "errorcode": "wsnoinstance",
                                                       "message": "Manual enrolment plugin instance doesn't exist"})
    assert isinstance(denied, NotFound) and "Enrolment methods" in str(denied)


def test_courses_are_found_by_short_name_id_number_or_id(moodle, backend):
    assert backend.get_course("DESA101").title == "Tata Kelola Pemerintahan Desa"
    assert backend.get_course("course-v1:Kemendagri+DESA101+2025").title == "Tata Kelola Pemerintahan Desa"
    assert backend.get_course(f"id:{moodle.course_id('KEU201')}").title == "Pengelolaan Keuangan Desa"
    assert backend.get_course("NOPE") is None
    with pytest.raises(NotFound, match="no Moodle course has the short name or ID number 'NOPE'"):
        backend.list_cohorts("NOPE")
    moodle.post("courses", {"shortname": "SELF", "manual": False})
    with pytest.raises(NotFound, match="no enabled manual enrolment"):
        backend.list_cohorts("SELF")  # the engine's first call for a course: nothing is written before it
    with pytest.raises(NotFound, match="no enabled manual enrolment"):
        enrol(backend, people(1), course="SELF")


def test_the_rules_mode_names_the_role(moodle, backend):
    enrol(backend, people(1), mode="editingteacher")
    role = moodle.db.one("SELECT roleid FROM role_assignments")["roleid"]
    assert role == 3
    with pytest.raises(LmsError, match="role 'fasilitator'"):
        enrol(backend, people(1), mode="fasilitator")


def test_a_missing_profile_field_stops_with_the_fix_and_the_next_run_completes_it(moodle):
    requests_delete = __import__("requests").delete
    assert requests_delete(moodle.url + "/__sandbox__/profile_fields/kodewilayah", timeout=5).ok
    with moodle.backend() as backend, pytest.raises(LmsError, match="profile field.*kodewilayah.*User profile fields"):
        enrol(backend, people(2))
    moodle.post("profile_fields", {"shortname": "kodewilayah"})
    with moodle.backend() as backend:
        results = enrol(backend, people(2))
    assert [r.account for r in results] == ["updated", "updated"]
    assert moodle.fields("p1@desa.example.id")["kodewilayah"] == "18.71.01.1003"


def test_the_nik_goes_to_moodle_only_where_the_profile_maps_it(moodle):
    with moodle.backend(nik_field="idnumber") as backend:
        enrol(backend, people(1))
    assert moodle.user("p0@desa.example.id")["idnumber"] == "1871011234560000"


def test_unenrol_removes_the_manual_enrolment_and_says_who_was_not_enrolled(moodle, backend):
    enrol(backend, people(3))
    results = backend.bulk_unenrol("DESA101", ["p0@desa.example.id", "p1@desa.example.id", "nobody@desa.example.id"])
    assert [r.outcome for r in results] == [EnrolOutcome.UNENROLLED, EnrolOutcome.UNENROLLED, EnrolOutcome.NOT_ENROLLED]
    assert list(moodle.state("DESA101")) == ["p2@desa.example.id"]
    enrolled = list(backend.list_enrolments("DESA101"))
    assert [(e.username, e.mode) for e in enrolled] == [("p2@desa.example.id", "student")]
    assert [a.email for a in backend.find_users(usernames=["p2@desa.example.id"])] == ["p2@desa.example.id"]


def test_check_lists_each_job_and_what_the_service_lacks(moodle, backend):
    jobs = {c.job: c for c in backend.capabilities("course-v1:Kemendagri+KEU201+2025")}
    assert all(c.ok for c in jobs.values()), jobs
    assert "Pengelolaan Keuangan Desa" in jobs["enrol into course-v1:Kemendagri+KEU201+2025"].detail
    with MoodleBackend(moodle.url, moodle.read_token) as reader:
        jobs = {c.job: c for c in reader.capabilities()}
    failed = jobs["look up, create and update accounts"]
    assert not failed.ok and "core_user_create_users, core_user_update_users" in failed.detail
    assert "External services" in failed.fix


def test_another_auth_method_needs_no_password_and_one_the_site_lacks_stops_the_job(moodle):
    with moodle.backend(auth="oauth2") as backend:
        enrol(backend, people(1))
    user = moodle.user("p0@desa.example.id")
    assert (user["auth"], user["password"]) == ("oauth2", "not cached") and "create_password" not in user["preferences"]
    with moodle.backend(auth="ldap") as backend, pytest.raises(LmsError, match="refused 5 accounts in a row.*'ldap'"):
        enrol(backend, people(8, start=1))
    assert len(moodle.state("DESA101")) == 1


def test_an_account_moodle_will_not_update_is_still_enrolled_with_a_note(moodle, backend):
    moodle.add_user("kades", "p0@desa.example.id", siteadmin=True)
    results = enrol(backend, people(1))
    assert results[0].outcome is EnrolOutcome.ENROLLED and results[0].account == ""
    assert "Moodle did not update the region on the account: Cannot update admin accounts [usernotupdatedadmin]" \
        == results[0].message
