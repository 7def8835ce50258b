"""Client-side pacing and counting: the rate parser, the limiter, and the traffic hook every backend's transport
calls around each request."""

import threading

import pytest

from pamong_edx.lms.errors import ServerError
from pamong_edx.lms.protocol import Pacing
from pamong_edx.lms.ratelimit import RateLimiter
from pamong_edx.lms.traffic import Traffic
from pamong_edx.rates import Rate, RateError, parse_rate
from pamong_edx.sandbox.core.throttle import RateThrottle


class FakeClock:
    """A clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_one_parser_reads_the_clients_and_the_servers_rates():
    assert parse_rate("120/minute") == Rate(120, 60.0)
    assert parse_rate("120/min") == Rate(120, 60.0)
    assert parse_rate("2/s") == Rate(2, 1.0)
    assert parse_rate("7200/hours") == Rate(7200, 3600.0)
    assert parse_rate("40/m") == Rate(40, 60.0)  # Django REST framework's spelling
    assert parse_rate("60/7d") == Rate(60, 7 * 86400.0)  # django-ratelimit's multiplier
    assert str(Rate(120, 60.0)) == "120/minute"
    for bad in ("fast", "120", "0/minute", "5/fortnight", "off", "1/0d"):
        with pytest.raises(RateError, match="is not a rate"):
            parse_rate(bad)


def test_the_enrol_option_also_takes_off():
    from pamong_edx.enrol.job import client_rate
    from pamong_edx.errors import UsageError

    assert client_rate("off") is None and client_rate("0") is None and client_rate("2/s") == Rate(2, 1.0)
    with pytest.raises(UsageError, match="--rate 'fast'"):
        client_rate("fast")


def test_requests_are_spaced_evenly_at_the_allowed_rate():
    clock = FakeClock()
    limiter = RateLimiter(Rate(120, 60.0), clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(10):
        limiter.acquire()
        times.append(clock.now)
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps == [pytest.approx(0.5)] * 9


def test_a_long_run_never_exceeds_the_servers_sliding_window():
    """Replay the limiter's send times against the stand-in's own DRF-style throttle: no request is refused,
    and the achieved rate stays within 2% of the allowed one."""
    clock = FakeClock()
    limiter = RateLimiter(Rate(120, 60.0), clock=clock, sleep=clock.sleep)
    server = RateThrottle(clock=clock)
    refused = 0
    start = clock.now
    for _ in range(600):
        limiter.acquire()
        refused += server.hit("staff", "120/minute") is not None
    assert refused == 0
    achieved = 600 / (clock.now - start + 0.5)
    assert 0.98 * 2.0 <= achieved <= 2.0


def test_a_throttle_answer_pauses_every_caller():
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    assert clock.now == 1000.0  # no limit: no wait
    limiter.pause(5)
    limiter.acquire()
    assert clock.now == 1005.0


def test_slots_are_handed_out_once_across_threads():
    limiter = RateLimiter(Rate(1000, 1.0), margin=0.0)
    waits = []
    lock = threading.Lock()

    def take():
        for _ in range(50):
            wait = limiter.reserve()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 200 slots 1 ms apart: the latest one lies about 0.2 s ahead, whichever thread took it
    assert len(waits) == 200
    assert 0.15 < max(waits) < 0.3


OPENEDX = Pacing(rate=Rate(120, 60.0), throttled_paths=("/api/enrollment/", "/api/bulk_enroll/"))


def test_only_throttled_paths_are_paced_and_token_requests_are_not_writes():
    clock = FakeClock()
    traffic = Traffic(OPENEDX)
    traffic.pace(None, RateLimiter(Rate(120, 60.0), clock=clock, sleep=clock.sleep))
    traffic.before("POST", "/oauth2/access_token", changes=False)
    traffic.before("GET", "/api/cohorts/v1/courses/course-v1:A+B+C/cohorts/", changes=False)
    traffic.before("POST", "/api/cohorts/v1/courses/course-v1:A+B+C/cohorts/", changes=True)
    assert clock.now == 1000.0  # none of these is throttled by Open edX, so none waited
    traffic.before("POST", "/api/bulk_enroll/v1/bulk_enroll", changes=True)
    traffic.before("POST", "/api/bulk_enroll/v1/bulk_enroll", changes=True)
    assert clock.now == 1000.5
    snapshot = traffic.snapshot()
    assert (snapshot["http_requests"], snapshot["writes"], snapshot["throttled_requests"]) == (5, 3, 2)
    assert snapshot["allowed_rate"] == 2.0


def test_a_429_pauses_the_limiter_for_retry_after():
    clock = FakeClock()
    traffic = Traffic(OPENEDX)
    traffic.pace(None, RateLimiter(None, clock=clock, sleep=clock.sleep))
    traffic.after(429, 7.0)
    traffic.before("POST", "/api/bulk_enroll/v1/bulk_enroll", changes=True)
    assert clock.now == 1007.0 and traffic.throttle_answers == 1


def test_every_backend_counts_every_request_its_transport_sends_retries_included(backend, ctl, course):
    ctl.reset_stats()
    before, writes = backend.traffic.requests, backend.traffic.writes
    backend.list_cohorts(course)
    assert backend.traffic.requests - before == ctl.stats()["total"] == 1
    ctl.config(fail_rate=1.0, only="GET /api/cohorts")
    ctl.reset_stats()
    with pytest.raises(ServerError):
        backend.list_cohorts(course)
    assert ctl.stats()["total"] == backend.retry_policy.attempts  # urllib3's retries passed the hook too
    assert backend.traffic.requests - before == 1 + backend.retry_policy.attempts
    assert backend.traffic.writes == writes and backend.traffic.by_status[500] == backend.retry_policy.attempts
