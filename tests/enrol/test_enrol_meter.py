import requests

from pamong_edx.enrol.meter import TRAFFIC, Meter, traffic_for
from pamong_edx.enrol.ratelimit import Rate, RateLimiter
from enrol_support import FakeClock


def test_only_throttled_paths_are_paced_and_token_requests_are_not_writes():
    clock = FakeClock()
    meter = Meter(TRAFFIC["lms_openedx"], RateLimiter(Rate(120, 60.0), clock=clock, sleep=clock.sleep))
    meter.before("POST", "/oauth2/access_token")
    meter.before("GET", "/api/cohorts/v1/courses/course-v1:A+B+C/cohorts/")
    meter.before("POST", "/api/cohorts/v1/courses/course-v1:A+B+C/cohorts/")
    assert clock.now == 1000.0  # none of these is throttled by Open edX, so none waited
    meter.before("POST", "/api/bulk_enroll/v1/bulk_enroll")
    meter.before("POST", "/api/bulk_enroll/v1/bulk_enroll")
    assert clock.now == 1000.5
    snapshot = meter.snapshot()
    assert (snapshot["http_requests"], snapshot["writes"], snapshot["throttled_requests"]) == (5, 3, 2)
    assert snapshot["allowed_rate"] == 2.0


def test_a_429_pauses_the_limiter_for_retry_after():
    clock = FakeClock()
    meter = Meter(TRAFFIC["lms_openedx"], RateLimiter(None, clock=clock, sleep=clock.sleep))
    response = requests.Response()
    response.status_code = 429
    response.headers["Retry-After"] = "7"
    meter.after(response)
    meter.before("POST", "/api/bulk_enroll/v1/bulk_enroll")
    assert clock.now == 1007.0 and meter.throttle_answers == 1


def test_the_meter_sits_in_the_backends_session(sandbox):
    with sandbox.backend() as backend:
        meter = Meter(traffic_for(backend))
        assert meter.install(backend)
        backend.list_cohorts("course-v1:Kemendagri+DESA101+2025")
    assert meter.requests == sandbox.stats()["total"] == 2  # the token, then the listing
    assert meter.writes == 0
    assert not Meter(traffic_for(object())).install(object())  # no session: nothing to meter
