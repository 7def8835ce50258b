"""The Moodle stand-in speaks as shared/specs/moodle.md says Moodle does, quirks included (raw HTTP)."""

from __future__ import annotations

from urllib.parse import urlencode

import requests

USER = {"users[0][username]": "jdoe", "users[0][firstname]": "Jane", "users[0][lastname]": "Doe",
        "users[0][email]": "jdoe@desa.example.id", "users[0][createpassword]": "1"}


def test_answers_are_xml_unless_json_is_asked(moodle):
    xml = moodle.call("core_webservice_get_site_info", fmt=None)
    assert xml.status_code == 200 and xml.text.startswith('<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>')
    assert '<KEY name="username"><VALUE>pamong_ws</VALUE>' in xml.text
    assert moodle.call("core_webservice_get_site_info", fmt="yaml").text.startswith("<?xml")  # anything else: xml
    info = moodle.call("core_webservice_get_site_info").json()
    assert info["username"] == "pamong_ws" and info["userissiteadmin"] is False
    assert {"core_user_create_users", "enrol_manual_enrol_users"} <= {f["name"] for f in info["functions"]}


def test_errors_are_http_200_with_an_exception_and_debuginfo_only_when_debugging(moodle):
    bad = moodle.call("core_user_create_users", token="0" * 32)
    assert bad.status_code == 200
    assert bad.json() == {"exception": "moodle_exception", "errorcode": "invalidtoken",
                          "message": "Invalid token - token not found"}
    xml = moodle.call("core_user_create_users", fmt=None, token="0" * 32)
    assert '<EXCEPTION class="moodle_exception">\n<ERRORCODE>invalidtoken</ERRORCODE>' in xml.text
    missing = moodle.call("core_user_create_users", **{"users[0][username]": "x"}).json()
    assert missing["errorcode"] == "invalidparameter" and "debuginfo" not in missing
    moodle.configure(debugging=True)
    missing = moodle.call("core_user_create_users", **{"users[0][username]": "x"}).json()
    assert missing["debuginfo"] == "users => Missing required key in single structure: firstname"


def test_a_function_outside_the_tokens_service_is_an_access_exception(moodle):
    answer = moodle.call("core_user_create_users", token=moodle.read_token, **USER).json()
    assert answer["errorcode"] == "accessexception" and answer["exception"] == "webservice_access_exception"
    assert moodle.call("no_such_function").json()["errorcode"] == "invalidrecord"
    moodle.configure(enablewebservices=False)
    assert moodle.call("core_webservice_get_site_info").json()["errorcode"] == "accessexception"


def test_scalars_must_survive_clean_param_unchanged(moodle):
    shouty = moodle.call("core_user_create_users", **{**USER, "users[0][username]": "JDoe"}).json()
    assert shouty["errorcode"] == "invalidparameter"  # PARAM_USERNAME lower-cases: rejected, not converted
    boolean = moodle.call("core_user_create_users", **{**USER, "users[0][createpassword]": "true"}).json()
    assert boolean["errorcode"] == "invalidparameter"  # booleans are 1/0
    moodle.configure(debugging=True)
    lookup = moodle.call("core_user_get_users_by_field", field="username", **{"values[0]": "JDoe"}).json()
    assert lookup["debuginfo"] == "The field 'username' value is invalid: JDoe(cleaned value: jdoe)"


def test_create_users_is_one_transaction_and_the_first_bad_record_undoes_the_batch(moodle):
    moodle.add_user("someone", "Taken@Desa.Example.ID")
    batch = {**USER}
    for i, email in enumerate(["a@desa.example.id", "taken@desa.example.id", "c@desa.example.id"], start=1):
        batch.update({f"users[{i}][username]": f"u{i}", f"users[{i}][firstname]": "F", f"users[{i}][lastname]": "L",
                      f"users[{i}][email]": email, f"users[{i}][createpassword]": "1"})
    moodle.configure(debugging=True)
    answer = moodle.call("core_user_create_users", **batch).json()
    assert answer["debuginfo"] == "Email address already exists: taken@desa.example.id"  # unique ignoring case
    assert moodle.user("jdoe@desa.example.id") is None and moodle.user("a@desa.example.id") is None
    del batch["users[2][email]"], batch["users[2][username]"]
    batch.pop("users[2][firstname]"), batch.pop("users[2][lastname]"), batch.pop("users[2][createpassword]")
    created = moodle.call("core_user_create_users", **batch).json()  # keys need not be consecutive
    assert [u["username"] for u in created] == ["jdoe", "u1", "u3"]


def test_update_users_runs_user_by_user_and_returns_warnings(moodle):
    first = moodle.add_user("first", "first@desa.example.id")
    moodle.add_user("second", "second@desa.example.id")
    answer = moodle.call("core_user_update_users", **{
        "users[0][id]": first, "users[0][city]": "Kota Metro", "users[1][id]": "2", "users[1][city]": "X",
        "users[2][id]": first, "users[2][email]": "SECOND@desa.example.id"}).json()
    assert [(w["itemid"], w["warningcode"]) for w in answer["warnings"]] == [
        (2, "usernotupdatedadmin"), (first, "useremailduplicate")]
    assert moodle.user("first@desa.example.id")["city"] == "Kota Metro"


def test_email_lookup_is_exact_as_on_postgresql_or_ignores_case_as_on_mysql(moodle):
    moodle.add_user("budi", "Budi@Desa.Example.ID")
    exact = moodle.call("core_user_get_users_by_field", field="email", **{"values[0]": "budi@desa.example.id"})
    assert exact.json() == []
    moodle.configure(email_lookup_case_sensitive=False)
    loose = moodle.call("core_user_get_users_by_field", field="email", **{"values[0]": "budi@desa.example.id"})
    assert [u["username"] for u in loose.json()] == ["budi"]


def test_php_drops_post_fields_past_max_input_vars_without_a_word(moodle):
    moodle.configure(max_input_vars=50)
    users = {}
    for i in range(12):  # 5 fields each + the token: 61 fields, 11 past the limit
        users.update({f"users[{i}][username]": f"p{i}", f"users[{i}][firstname]": "P", f"users[{i}][lastname]": "Q",
                      f"users[{i}][email]": f"p{i}@desa.example.id", f"users[{i}][createpassword]": "1"})
    answer = moodle.call("core_user_create_users", **users).json()
    # record 9 lost its last field, so validation fails; had the cut fallen between records, they would be gone
    assert answer["errorcode"] == "invalidparameter"
    assert moodle.inputs() == {"largest": 61, "cut_requests": 1, "dropped": 11}


def test_a_json_body_is_not_read_as_parameters(moodle):
    response = requests.post(moodle.url + "/webservice/rest/server.php?moodlewsrestformat=json",
                             json={"wstoken": moodle.token, "wsfunction": "core_webservice_get_site_info"}, timeout=5)
    assert response.json()["errorcode"] == "invalidtoken"


def test_get_works_too_as_moodle_merges_get_and_post(moodle):
    query = urlencode({"wstoken": moodle.token, "wsfunction": "core_webservice_get_site_info",
                       "moodlewsrestformat": "json"})
    assert requests.get(f"{moodle.url}/webservice/rest/server.php?{query}", timeout=5).json()["siteid"] == 1


def test_requests_are_counted_and_faulted_per_function(moodle):
    moodle.configure(fail_rate=1.0, only="core_user_create_users")
    assert moodle.call("core_user_create_users", **USER).status_code == 500
    assert moodle.call("core_webservice_get_site_info").status_code == 200
    stats = moodle.stats()
    assert stats["requests"] == {
        "POST /webservice/rest/server.php?wsfunction=core_user_create_users": 1,
        "POST /webservice/rest/server.php?wsfunction=core_webservice_get_site_info": 1}
    assert stats["faults"] == {"fail": 1}
    assert requests.get(moodle.url + "/webservice/rest/server.php/x", timeout=5).status_code == 404


def test_enrol_needs_an_enabled_manual_instance_and_an_assignable_role(moodle):
    user = moodle.add_user("u", "u@desa.example.id")
    moodle.post("courses", {"shortname": "NOMANUAL", "manual": False})
    course = moodle.course_id("NOMANUAL")
    one = {"enrolments[0][roleid]": "5", "enrolments[0][userid]": user, "enrolments[0][courseid]": course}
    assert moodle.call("enrol_manual_enrol_users", **one).json()["errorcode"] == "wsnoinstance"
    desa = moodle.course_id("DESA101")
    manager = {**one, "enrolments[0][courseid]": desa, "enrolments[0][roleid]": "1"}
    assert moodle.call("enrol_manual_enrol_users", **manager).json()["errorcode"] == "wsusercannotassign"
    ok = {**one, "enrolments[0][courseid]": desa}
    assert moodle.call("enrol_manual_enrol_users", **ok).text == "null"
    assert moodle.state("DESA101") == {"u@desa.example.id": ()}


def test_cohort_members_problems_are_warnings_matched_by_message(moodle):
    user = moodle.add_user("u", "u@desa.example.id")
    made = moodle.call("core_cohort_create_cohorts", **{
        "cohorts[0][categorytype][type]": "system", "cohorts[0][categorytype][value]": "",
        "cohorts[0][name]": "18.71 Kota Bandar Lampung", "cohorts[0][idnumber]": "pamong:18.71"}).json()
    again = moodle.call("core_cohort_create_cohorts", **{
        "cohorts[0][categorytype][type]": "system", "cohorts[0][categorytype][value]": "",
        "cohorts[0][name]": "copy", "cohorts[0][idnumber]": "pamong:18.71"}).json()
    assert again["errorcode"] == "invalidparameter"
    members = {}
    for i, value in enumerate([user, user, 999]):
        members.update({f"members[{i}][cohorttype][type]": "id", f"members[{i}][cohorttype][value]": made[0]["id"],
                        f"members[{i}][usertype][type]": "id", f"members[{i}][usertype][value]": value})
    warnings = moodle.call("core_cohort_add_cohort_members", **members).json()["warnings"]
    assert [(w["warningcode"], w["message"]) for w in warnings] == [
        ("3", f"record already exists: cohort(id={made[0]['id']} id={user})"), ("2", "user id=999 not exists")]
