"""Retries, throttling, token refresh and secret hygiene under the stand-in's fault injection."""

from __future__ import annotations

import logging
import random

import pytest
import requests

from pamong_edx.lms.errors import ConfigError, InsecureURL, ServerError, Throttled, Unreachable
from pamong_edx.lms.http import RetryPolicy
from pamong_edx.lms.openedx import OpenEdxBackend
from pamong_edx.lms.protocol import EnrolOutcome

BULK = "POST /api/bulk_enroll/v1/bulk_enroll"


def test_get_retried_through_500s_deterministically(backend, ctl, course):
    backend.whoami()
    counts = []
    for _ in range(2):
        ctl.config(fail_rate=0.5, seed=11)
        ctl.reset_stats()
        assert len(backend.list_cohorts(course)) == 0
        counts.append(ctl.stats()["faults"].get("fail", 0))
    assert counts[0] == counts[1] > 0  # same seed, same faults


def test_bulk_enroll_retried_after_a_lost_answer_is_idempotent(make_backend, ctl, course):
    slow = make_backend(0, timeout=0.2, retry=RetryPolicy(attempts=2, base_delay=0.01))
    slow.whoami()
    ctl.config(timeout_rate=1.0, hang_s=0.5, only=BULK)
    with pytest.raises(Unreachable) as caught:
        slow.bulk_enrol(course, ["peserta01"])
    assert caught.value.maybe_applied and ctl.count(BULK) == 2  # retried once: repeating it is safe
    ctl.config(timeout_rate=0.0)
    assert slow.bulk_enrol(course, ["peserta01"])[0].outcome is EnrolOutcome.ALREADY_ENROLLED


def test_a_failure_the_retry_policy_covers_comes_back_marked_retried_with_its_tries(backend, ctl, course, sleeps):
    backend.whoami()
    ctl.config(fail_rate=1.0, only=BULK)
    with pytest.raises(ServerError) as safe:
        backend.bulk_enrol(course, ["peserta01"])  # safe to repeat: tried five times
    assert (safe.value.retried, safe.value.tries, ctl.count(BULK), len(sleeps)) == (True, 5, 5, 4)
    ctl.reset_stats()
    with pytest.raises(ServerError) as unsafe:
        backend.bulk_enrol(course, ["peserta01"], email_learners=True)  # it sends emails: tried once
    assert (unsafe.value.retried, unsafe.value.tries, ctl.count(BULK)) == (False, 1, 1)
    assert unsafe.value.maybe_applied  # whoever repeats it must reckon with that


def test_bulk_enroll_rides_out_connection_resets(backend, ctl, course, sleeps):
    backend.whoami()
    ctl.config(reset_rate=0.5, seed=5, only=BULK)  # seed 5: the first try is reset, the second not
    results = backend.bulk_enrol(course, ["peserta01", "peserta02"])
    assert {r.outcome for r in results} == {EnrolOutcome.ENROLLED}
    assert ctl.stats()["faults"].get("reset", 0) >= 1 and sleeps


def test_cohort_create_is_never_repeated_blindly(backend, ctl, course):
    backend.whoami()
    ctl.config(reset_rate=1.0, only="POST /api/cohorts")
    with pytest.raises(Unreachable):
        backend.ensure_cohort(course, "Desa C")
    # one try, a fresh list, one more try: never a loop of creates
    assert ctl.count("POST /api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}") == 2
    assert ctl.count("GET /api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}") == 2


def test_cohort_create_with_a_lost_answer_finds_the_cohort(make_backend, ctl, course):
    slow = make_backend(0, timeout=0.2)
    slow.whoami()
    ctl.config(timeout_rate=1.0, hang_s=0.5, only="POST /api/cohorts")
    cohort = slow.ensure_cohort(course, "Desa D")
    assert cohort.name == "Desa D"
    assert ctl.count("POST /api/cohorts/v1/courses/{course_id}/cohorts/{cohort_id}") == 1


def test_429_bursts_wait_the_retry_after(backend, ctl, course, sleeps):
    backend.whoami()
    ctl.config(burst_every=3, burst_size=1, retry_after=2, only=BULK)
    for n in range(4):
        backend.bulk_enrol(course, [f"calon{n}@desa.example.id"])
    # the third bulk request met the burst, waited exactly Retry-After, and went through on its retry
    assert sleeps == [2.0]
    assert ctl.stats()["statuses"]["429"] == 1 and ctl.count(BULK) == 5


def test_platform_throttle_gives_429_with_retry_after(make_backend, ctl, course):
    ctl.config(throttle=True, enrollment_user_rate="2/minute")
    operator = make_backend(1, retry=RetryPolicy(max_wait=5))
    operator.enrol("pamong_operator", course)
    operator.enrol("pamong_operator", course)
    with pytest.raises(Throttled) as caught:
        operator.enrol("pamong_operator", course)
    assert 55 <= caught.value.wait <= 60


def test_staff_rate_is_higher_and_api_key_skips_the_throttle(sandbox, ctl, backend, course, token):
    ctl.config(throttle=True, enrollment_user_rate="1/minute", enrollment_staff_rate="3/minute", api_key="k-123")
    for _ in range(3):
        backend.enrol("peserta01", course)
    url = f"{sandbox.url}/api/enrollment/v1/enrollment"
    body = {"user": "peserta01", "course_details": {"course_id": course}}
    assert requests.post(url, json=body, headers={"Authorization": f"JWT {token}"}).status_code == 429
    for _ in range(3):
        assert requests.post(url, json=body, headers={"X-Edx-Api-Key": "k-123"}).status_code == 200


def test_token_refreshed_before_expiry(sandbox, ctl, sleeps):
    now = [1000.0]
    ctl.config(token_ttl=60)
    cred = sandbox.app.staff_credentials
    with OpenEdxBackend(sandbox.url, cred.client_id, cred.client_secret, clock=lambda: now[0]) as client:
        client.whoami()
        now[0] += 50  # still valid
        client.whoami()
        assert ctl.count("POST /oauth2/access_token") == 1
        now[0] += 5  # within the renewal margin before expires_in
        client.whoami()
    assert ctl.count("POST /oauth2/access_token") == 2
    assert ctl.stats()["statuses"].get("401", 0) == 0


def test_token_refreshed_once_on_401(backend, ctl):
    backend.whoami()
    ctl.post("tokens/revoke")
    assert backend.whoami().username == "pamong_staff"
    assert ctl.count("POST /oauth2/access_token") == 2 and ctl.stats()["statuses"]["401"] == 1


def test_expired_jwt_is_refused_by_the_stand_in(sandbox, ctl):
    import time

    ctl.config(token_ttl=1)
    cred = sandbox.app.staff_credentials
    token = requests.post(f"{sandbox.url}/oauth2/access_token", data={
        "grant_type": "client_credentials", "client_id": cred.client_id, "client_secret": cred.client_secret,
        "token_type": "jwt"}).json()["access_token"]
    time.sleep(1.05)
    expired = requests.get(f"{sandbox.url}/api/user/v1/me", headers={"Authorization": f"JWT {token}"})
    assert (expired.status_code, expired.json()["detail"]) == (401, "Signature has expired.")


def test_unreachable_host_is_retried_then_reported(sleeps):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = OpenEdxBackend(f"http://127.0.0.1:{port}", "id", "secret", sleep=sleeps, rng=random.Random(1),
                            retry=RetryPolicy(attempts=3, base_delay=0.1))
    with pytest.raises(Unreachable) as caught:
        client.whoami()
    assert caught.value.maybe_applied is False and len(sleeps) == 2
    assert all(0.05 <= s <= 0.2 for s in sleeps)  # backoff with jitter: half fixed, half random


def test_plain_http_refused_for_other_hosts_unless_insecure(tmp_path):
    with pytest.raises(InsecureURL, match="plain http"):
        OpenEdxBackend("http://lms.desa.example.id", "id", "secret")
    OpenEdxBackend("http://lms.desa.example.id", "id", "secret", insecure=True).close()
    with pytest.raises(ConfigError):
        OpenEdxBackend("ftp://lms.desa.example.id", "id", "secret")
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    client = OpenEdxBackend("https://lms.desa.example.id", "id", "secret", ca_bundle=str(bundle))
    assert client.http.session.verify == str(bundle)
    assert OpenEdxBackend("https://lms.desa.example.id", "id", "secret").http.session.verify is True


def test_secrets_and_tokens_never_logged(sandbox, caplog, capfd, course, make_backend, ctl):
    caplog.set_level(logging.DEBUG)
    secret = sandbox.app.staff_credentials.client_secret
    client = make_backend(0)
    client.whoami()
    client.bulk_enrol(course, ["peserta01"])
    ctl.post("tokens/revoke")
    client.list_cohorts(course)
    token = client.auth.header().split(" ", 1)[1]
    with OpenEdxBackend(sandbox.url, "pamong-sandbox", "wrong-secret-value") as wrong:
        with pytest.raises(Exception) as failed:
            wrong.whoami()
    out, err = capfd.readouterr()
    text = caplog.text + out + err + str(failed.value) + repr(client) + repr(client.auth)
    assert "GET /api/user/v1/me" in caplog.text  # debug logging was on
    for value in (secret, token, "wrong-secret-value"):
        assert value not in text
