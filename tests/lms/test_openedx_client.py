"""The Open edX client against the stand-in over real HTTP: the edge cases of spec section 12 and the
shapes of sections 2-9."""

from __future__ import annotations

import time

import pytest
import requests

from pamong_edx.lms.errors import AuthError, InvalidInput, NotFound, PermissionDenied, ServerError, Throttled
from pamong_edx.lms.openedx import pagination
from pamong_edx.lms.protocol import EnrolOutcome, ImportTicket, PackageInfo


def jwt(token: str) -> dict:
    return {"Authorization": f"JWT {token}"}


# 1. JWT vs Bearer -------------------------------------------------------------------------------------------

def test_client_asks_for_a_jwt_and_sends_it_as_jwt(backend, ctl):
    me = backend.whoami()
    assert (me.username, me.is_staff) == ("pamong_staff", True)
    assert ctl.count("POST /oauth2/access_token") == 1
    assert ctl.stats()["statuses"].get("401", 0) == 0


def test_a_jwt_sent_as_bearer_is_refused(sandbox, token):
    response = requests.get(f"{sandbox.url}/api/user/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error_code"] == "token_nonexistent"


def test_opaque_bearer_token_works_as_bearer_but_not_on_jwt_only_studio_routes(sandbox):
    cred = sandbox.app.staff_credentials
    body = requests.post(f"{sandbox.url}/oauth2/access_token", data={
        "grant_type": "client_credentials", "client_id": cred.client_id, "client_secret": cred.client_secret}).json()
    assert body["token_type"] == "Bearer"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert requests.get(f"{sandbox.url}/api/user/v1/me", headers=bearer).status_code == 200
    assert requests.get(f"{sandbox.url}/api/v1/course_runs/", headers=bearer).status_code == 401
    as_jwt = {"Authorization": f"JWT {body['access_token']}"}
    assert requests.get(f"{sandbox.url}/api/user/v1/me", headers=as_jwt).status_code == 401


def test_token_endpoint_speaks_rfc6749(sandbox):
    url = f"{sandbox.url}/oauth2/access_token"
    bad = requests.post(url, data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"})
    assert (bad.status_code, bad.json()) == (401, {"error": "invalid_client"})
    grant = requests.post(url, data={"grant_type": "password", "client_id": "x"})
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    assert requests.post(url + "/", data={"grant_type": "password"}).status_code == 400  # slash optional here


def test_wrong_secret_is_an_auth_error_naming_the_client(sandbox):
    from pamong_edx.lms.openedx import OpenEdxBackend

    with OpenEdxBackend(sandbox.url, "pamong-sandbox", "wrong") as wrong:
        with pytest.raises(AuthError, match="refused client 'pamong-sandbox'"):
            wrong.whoami()


# 2. Trailing slashes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("method,path", [
    ("GET", "/api/user/v1/accounts/?username=peserta01"),
    ("GET", "/api/enrollment/v1/enrollment/"),
    ("POST", "/api/bulk_enroll/v1/bulk_enroll/"),
    ("POST", "/api/user/v1/account/registration"),
    ("GET", "/api/courses/v0/import/{course}?task_id=1&filename=a.tar.gz"),
    ("GET", "/api/grades/v1/courses/{course}"),
    ("GET", "/api/cohorts/v1/courses/{course}/cohorts"),
    ("POST", "/api/cohorts/v1/courses/{course}/cohorts/1/users"),
    ("GET", "/api/v1/course_runs"),
])
def test_the_other_slash_form_is_a_404(sandbox, token, course, method, path):
    response = requests.request(method, sandbox.url + path.format(course=course), headers=jwt(token))
    assert response.status_code == 404


def test_client_paths_are_the_routed_forms(backend, course, ctl):
    backend.find_users(usernames=["peserta01"])
    backend.bulk_enrol(course, ["peserta01"])
    backend.list_cohorts(course)
    list(backend.list_grades(course))
    assert ctl.stats()["statuses"].get("404", 0) == 0


# 3. Registration --------------------------------------------------------------------------------------------

def test_registration_is_form_encoded_and_json_reads_as_empty(sandbox, backend):
    url = f"{sandbox.url}/api/user/v1/account/registration/"
    as_json = requests.post(url, json={"username": "budi", "email": "budi@desa.example.id", "name": "Budi",
                                       "password": "kata-sandi", "honor_code": "true"})
    assert as_json.status_code == 400
    assert as_json.json()["error_code"] == "validation-error"
    backend.register(username="budi", email="budi@desa.example.id", name="Budi", password="kata-sandi")
    assert not backend.http.session.cookies  # the login cookie it sets is not kept
    assert backend.find_users(usernames=["budi"])[0].is_active is False  # awaits activation


@pytest.mark.parametrize("username,email,code", [
    ("budi", "lain@desa.example.id", "duplicate-username"),
    ("lain", "budi@desa.example.id", "duplicate-email"),
    ("budi", "budi@desa.example.id", "duplicate-email-username"),
])
def test_duplicate_registration_is_409_with_its_code(backend, username, email, code):
    backend.register(username="budi", email="budi@desa.example.id", name="Budi", password="kata-sandi")
    with pytest.raises(InvalidInput) as caught:
        backend.register(username=username, email=email, name="X", password="kata-sandi")
    assert (caught.value.status, caught.value.code) == (409, code)


def test_registration_rate_limit_is_403_forbidden_request_and_read_as_throttling(backend, ctl):
    ctl.config(registration_rate="1/7d")
    backend.register(username="siti", email="siti@desa.example.id", name="Siti", password="kata-sandi")
    with pytest.raises(Throttled) as caught:
        backend.register(username="ani", email="ani@desa.example.id", name="Ani", password="kata-sandi")
    assert caught.value.status == 403


# 4. Email lookup --------------------------------------------------------------------------------------------

def test_email_lookup_is_a_list_or_a_bare_404(sandbox, backend, operator, token):
    found = backend.find_users(emails=["peserta01@sandbox.pamong.test"])
    assert [(a.username, a.email) for a in found] == [("peserta01", "peserta01@sandbox.pamong.test")]
    assert backend.find_users(emails=["nobody@desa.example.id"]) == []
    raw = requests.get(f"{sandbox.url}/api/user/v1/accounts", params={"email": "nobody@desa.example.id"},
                       headers=jwt(token))
    assert (raw.status_code, raw.content) == (404, b"")
    assert operator.find_users(usernames=["peserta01"])[0].email is None  # non-staff see no email


# 5. Account PATCH -------------------------------------------------------------------------------------------

def test_account_patch_needs_merge_patch_and_only_the_owner(sandbox, token, backend, operator):
    url = f"{sandbox.url}/api/user/v1/accounts/pamong_staff"
    assert requests.patch(url, json={"name": "X"}, headers=jwt(token)).status_code == 415
    mine = operator.update_own_account("pamong_operator", {"extended_profile": [
        {"field_name": "kode_wilayah", "field_value": "32.01.01.2001"},
        {"field_name": "not_listed", "field_value": "stored but hidden"}]})
    assert mine.username == "pamong_operator"
    raw = requests.get(f"{sandbox.url}/api/user/v1/accounts/pamong_operator", headers=jwt(token)).json()
    assert raw["extended_profile"] == [{"field_name": "kode_wilayah", "field_value": "32.01.01.2001"}]
    with pytest.raises(PermissionDenied):
        backend.update_own_account("pamong_operator", {"name": "staff may not"})


# 6. Course keys in query strings ----------------------------------------------------------------------------

def test_course_key_is_percent_encoded_in_queries(sandbox, token, backend, course):
    backend.bulk_enrol(course, ["peserta01"])
    raw = f"{sandbox.url}/api/enrollment/v1/enrollments/?course_id={course}"  # '+' unencoded: becomes a space
    assert requests.get(raw, headers=jwt(token)).status_code == 400
    assert [e.username for e in backend.list_enrolments(course)] == ["peserta01"]


# 7. Enrollment quirks ---------------------------------------------------------------------------------------

def test_enrollment_api_quirks(sandbox, token, backend, operator, course):
    with pytest.raises(NotFound):  # another user without privilege: 404, not 403
        operator.enrol("peserta01", course)
    with pytest.raises(InvalidInput) as unknown:
        backend.enrol("nobody", course)
    assert unknown.value.status == 406
    with pytest.raises(PermissionDenied):
        operator.enrol("pamong_operator", course, mode="verified")
    not_bool = requests.post(f"{sandbox.url}/api/enrollment/v1/enrollment", headers=jwt(token), json={
        "user": "peserta02", "course_details": {"course_id": course}, "is_active": "yes"})
    assert not_bool.status_code == 400
    assert backend.enrolment("peserta02", course) is None  # 200 with JSON null
    first = backend.enrol("peserta02", course)
    again = backend.enrol("peserta02", course)  # re-POST: 200 with the current enrollment
    assert first.created == again.created and again.is_active
    assert backend.enrolment("peserta02", course).mode == "audit"
    missing = requests.post(f"{sandbox.url}/api/enrollment/v1/enrollment", headers=jwt(token), json={"user": "x"})
    assert missing.status_code == 400 and "Course ID must be specified" in missing.json()["message"]


# 8. Import polling ------------------------------------------------------------------------------------------

def test_import_returns_only_task_id_and_status_needs_the_filename(sandbox, token, backend, make_olx, ctl):
    ctl.config(import_step_s=0.25)  # long enough that a poll on a loaded machine still sees every state
    package = make_olx("olx_valid")
    info = backend.describe_package(package)
    assert info.course_id == "course-v1:PamongX+DESA101+2025_T1"
    backend.create_course(info)
    ticket = backend.start_import(info.course_id, package)
    url = f"{sandbox.url}/api/courses/v0/import/{info.course_id}/"
    without = requests.get(url, params={"task_id": ticket.task_id}, headers=jwt(token))
    assert (without.status_code, without.json()["error_code"]) == (500, "internal_error")
    states = []
    while not states or states[-1] not in ("Succeeded", "Failed"):
        states.append(backend.import_status(ticket).state)
        time.sleep(0.005)
    assert states[-1] == "Succeeded"
    assert {"Unpacking", "Verifying", "Updating"} <= set(states)


def test_import_into_a_missing_course_fails_in_the_error_artifact(backend, make_olx):
    package = make_olx("olx_valid")
    ticket = backend.start_import("course-v1:PamongX+NOPE+2025_T1", package)
    while not backend.import_status(ticket).finished:
        time.sleep(0.01)
    assert backend.import_status(ticket).state == "Failed"
    assert backend.import_failure(ticket) == "An Unknown error occurred during the unpacking step."


def test_import_refusals_before_any_task(sandbox, token, operator, course, tmp_path):
    url = f"{sandbox.url}/api/courses/v0/import/{course}/"
    missing = requests.post(url, files={"other": ("a.tar.gz", b"x")}, headers=jwt(token))
    assert missing.status_code == 400 and missing.json()["developer_message"] == "Missing required parameter"
    tgz = requests.post(url, files={"course_data": ("a.tgz", b"x")}, headers=jwt(token))
    assert tgz.status_code == 400 and tgz.json()["developer_message"] == "Parameter in the wrong format"
    package = tmp_path / "x.tar.gz"
    package.write_bytes(b"x")
    with pytest.raises(PermissionDenied) as denied:
        operator.start_import(course, package)
    assert denied.value.code == "user_permissions"


# 9. Mixed pagination ----------------------------------------------------------------------------------------

def test_cohort_list_is_a_silently_paged_bare_array(sandbox, token, backend, course, ctl):
    url = f"{sandbox.url}/api/cohorts/v1/courses/{course}/cohorts/"
    for n in range(105):
        requests.post(url, json={"name": f"Desa {n:03d}", "assignment_type": "manual"}, headers=jwt(token))
    assert len(requests.get(url, headers=jwt(token)).json()) == 10  # without page_size
    assert requests.get(url, params={"page": 99}, headers=jwt(token)).status_code == 404
    ctl.reset_stats()
    cohorts = backend.list_cohorts(course)
    assert len(cohorts) == 105 and cohorts[-1].name == "Desa 104"
    assert ctl.count("GET /api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}") == 2


def test_enrolments_and_grades_follow_cursors_to_the_end(backend, course, ctl):
    names = [f"warga{n:03d}" for n in range(230)]
    ctl.users(*names)
    ctl.post("grades", {"username": "warga007", "course_id": course, "percent": 0.8, "letter_grade": "Pass"})
    backend.bulk_enrol(course, names)
    ctl.reset_stats()
    enrolments = list(backend.list_enrolments(course))
    assert [e.username for e in enrolments] == names
    assert ctl.count("GET /api/enrollment/v1/enrollments/") == 3
    grades = list(backend.list_grades(course))
    assert len(grades) == 230 and ctl.count("GET /api/grades/v1/courses/{course_id}/") == 3
    graded = next(g for g in grades if g.username == "warga007")
    assert (graded.percent, graded.passed, graded.letter_grade, graded.email) == (0.8, True, "Pass", "")


def test_page_number_styles_walk_every_page(backend, tmp_path, ctl):
    for n in range(12):
        backend.create_course(PackageInfo(path=tmp_path, course_id=f"course-v1:PamongX+P{n:02d}+R", title=f"P{n}"))
    namespaced = list(pagination.page_numbers(backend.get_json, backend.lms("/api/courses/v1/courses/"), {},
                                              namespaced=True, page_size=5))
    assert len(namespaced) == 12
    default = list(pagination.page_numbers(backend.get_json, backend.studio("/api/v1/course_runs/"), {}, page_size=5))
    assert [c["id"] for c in default] == [c["id"] for c in namespaced]
    assert len(list(backend.list_courses())) == 12


# Bulk enroll, cohorts, grades -------------------------------------------------------------------------------

def test_bulk_enroll_outcomes_per_identifier(backend, course, ctl):
    ctl.config(row_error_identifiers=["rusak@desa.example.id"])
    cohort = backend.ensure_cohort(course, "32.01.01.2001")
    identifiers = ["peserta01", "peserta02@sandbox.pamong.test", "baru@desa.example.id", "bukan-email",
                   "rusak@desa.example.id", "dua,identitas"]
    results = backend.bulk_enrol(course, identifiers, cohort=cohort.name)
    assert [(r.identifier, r.outcome) for r in results] == [
        ("peserta01", EnrolOutcome.ENROLLED),
        ("peserta02@sandbox.pamong.test", EnrolOutcome.ENROLLED),
        ("baru@desa.example.id", EnrolOutcome.PRE_ENROLLED),
        ("bukan-email", EnrolOutcome.INVALID),
        ("rusak@desa.example.id", EnrolOutcome.ERROR),
        ("dua,identitas", EnrolOutcome.INVALID),  # never sent: the server would split it in two
    ]
    assert results[0].cohort == "32.01.01.2001" and results[2].cohort == "32.01.01.2001"
    again = backend.bulk_enrol(course, identifiers[:3], cohort=cohort.name)
    assert [r.outcome for r in again] == [EnrolOutcome.ALREADY_ENROLLED, EnrolOutcome.ALREADY_ENROLLED,
                                          EnrolOutcome.PRE_ENROLLED]
    gone = backend.bulk_unenrol(course, ["peserta01", "baru@desa.example.id", "peserta03"])
    assert [r.outcome for r in gone] == [EnrolOutcome.UNENROLLED, EnrolOutcome.UNENROLLED, EnrolOutcome.NOT_ENROLLED]


def test_bulk_enroll_sends_comma_joined_strings_in_batches_of_100(backend, course, ctl):
    names = [f"calon{n:03d}@desa.example.id" for n in range(150)]
    ctl.reset_stats()
    results = backend.bulk_enrol(course, names)
    assert all(r.outcome is EnrolOutcome.PRE_ENROLLED for r in results)
    assert ctl.count("POST /api/bulk_enroll/v1/bulk_enroll") == 2


def test_bulk_enroll_reads_only_the_first_element_of_a_json_courses_list(sandbox, token, backend, course, tmp_path):
    other = "course-v1:PamongX+LAIN+2025_T1"
    backend.create_course(PackageInfo(path=tmp_path, course_id=other, title="Lain"))
    url = f"{sandbox.url}/api/bulk_enroll/v1/bulk_enroll"
    body = {"identifiers": "peserta04", "action": "enroll", "courses": [course, other]}
    answer = requests.post(url, json=body, headers=jwt(token)).json()
    assert list(answer["courses"]) == [course]
    body["courses"] = [f"{course},{other}"]
    assert sorted(requests.post(url, json=body, headers=jwt(token)).json()["courses"]) == sorted([course, other])
    body.update(courses=f"{course},{other}", cohorts="only-one")
    mismatch = requests.post(url, json=body, headers=jwt(token))
    assert mismatch.status_code == 400 and "non_field_errors" in mismatch.json()


def test_pre_enrolled_learner_is_enrolled_and_cohorted_on_registration(backend, course):
    cohort = backend.ensure_cohort(course, "Desa Sukamaju")
    backend.bulk_enrol(course, ["kades@desa.example.id"], cohort=cohort.name)
    backend.register(username="kades", email="kades@desa.example.id", name="Kades", password="kata-sandi")
    assert backend.enrolment("kades", course).is_active
    assert backend.list_cohorts(course)[0].user_count == 1


def test_bulk_enroll_needs_global_staff(operator, course):
    with pytest.raises(PermissionDenied):
        operator.bulk_enrol(course, ["peserta01"])


def test_cohorts_are_listed_before_created_and_filled(backend, course, ctl, sandbox, token):
    assert backend.set_cohorted(course, True) is True
    bad = requests.put(f"{sandbox.url}/api/cohorts/v1/settings/{course}", json={"is_cohorted": "true"},
                       headers=jwt(token))
    assert bad.status_code == 400
    first = backend.ensure_cohort(course, "Desa A")
    assert backend.ensure_cohort(course, "Desa A") == first
    assert ctl.count("POST /api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}") == 1
    duplicate = requests.post(f"{sandbox.url}/api/cohorts/v1/courses/{course}/cohorts/",
                              json={"name": "Desa A", "assignment_type": "manual"}, headers=jwt(token))
    assert duplicate.status_code == 500  # why the client lists first
    other = backend.ensure_cohort(course, "Desa B")
    backend.add_to_cohort(course, other.id, ["peserta02"])
    change = backend.add_to_cohort(course, first.id, ["peserta01", "peserta01", "peserta02", "calon@desa.example.id",
                                                      "tidakada", "bad@"])
    assert change.added == ("peserta01",) and change.present == ("peserta01",)
    assert change.moved == ("peserta02",) and change.preassigned == ("calon@desa.example.id",)
    assert change.unknown == ("tidakada",) and change.invalid == ("bad@",)


def test_single_user_grades_are_a_one_element_list(sandbox, token, backend, course):
    url = f"{sandbox.url}/api/grades/v1/courses/{course}/"
    backend.bulk_enrol(course, ["peserta01"])
    one = requests.get(url, params={"username": "peserta01"}, headers=jwt(token)).json()
    assert isinstance(one, list) and one[0]["username"] == "peserta01"
    unknown = requests.get(url, params={"username": "nobody"}, headers=jwt(token))
    assert (unknown.status_code, unknown.json()["error_code"]) == (404, "user_does_not_exist")
    not_enrolled = requests.get(url, params={"username": "peserta05"}, headers=jwt(token))
    assert not_enrolled.json()["error_code"] == "user_not_enrolled"
    with pytest.raises(NotFound):
        list(backend.list_grades("course-v1:PamongX+NOPE+R"))


def test_course_run_creation_is_checked_before_it_is_repeated(make_backend, tmp_path, ctl):
    slow = make_backend(0, timeout=0.2)
    slow.whoami()
    info = PackageInfo(path=tmp_path, course_id="course-v1:PamongX+ULANG+2025_T1", title="Ulang")
    ctl.config(timeout_rate=1.0, hang_s=0.6, only="POST /api/v1/course_runs/")
    created = slow.create_course(info)  # the answer is lost; the run was made
    assert created.course_id == info.course_id
    assert ctl.count("POST /api/v1/course_runs/") == 1  # looked up, not created twice


def test_import_ticket_lookup_is_by_name_and_task_id(backend, course):
    with pytest.raises(ServerError) as caught:
        backend.import_status(ImportTicket(course, "no-such-task", "x.tar.gz"))
    assert caught.value.status == 500


def test_create_cohort_is_one_request_after_a_listing(backend, course, ctl):
    assert backend.list_cohorts(course) == []
    ctl.reset_stats()
    created = backend.create_cohort(course, "18.71 Kota Bandar Lampung")
    assert created.name == "18.71 Kota Bandar Lampung"
    assert ctl.stats()["requests"] == {"POST /api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}": 1}


def test_bulk_batch_size_comes_from_the_profile(make_backend, course, ctl):
    from pamong_edx.lms.errors import ConfigError
    from pamong_edx.lms.openedx import OpenEdxBackend
    from pamong_edx.lms.profiles import Profile

    wide = make_backend(0, bulk_batch_size=150)
    wide.bulk_enrol(course, [f"calon{i:03d}@desa.example.id" for i in range(300)])
    assert ctl.count("POST /api/bulk_enroll/v1/bulk_enroll") == 2
    profile = Profile(name="p", lms="openedx", lms_url="http://127.0.0.1:1", studio_url="http://127.0.0.1:1",
                      client_id="c", client_secret="s", source="pamong.toml", timeout=5,
                      options={"bulk_batch_size": 0})
    with pytest.raises(ConfigError, match="bulk_batch_size must be a whole number from 1 to 1000"):
        OpenEdxBackend.from_profile(profile)
    profile.options["bulk_batch_size"] = 250
    wider = OpenEdxBackend.from_profile(profile)
    assert wider.bulk_batch_size == wider.pacing.batch_size == 250  # the engine sends what the profile says
