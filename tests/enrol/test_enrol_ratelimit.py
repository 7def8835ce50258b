import threading

import pytest

from enrol_support import FakeClock
from pamong_edx.enrol.ratelimit import Rate, RateLimiter, parse_rate
from pamong_edx.errors import UsageError
from pamong_edx.sandbox.core.throttle import RateThrottle


def test_parse_rate():
    assert parse_rate("120/minute") == Rate(120, 60.0)
    assert parse_rate("120/min") == Rate(120, 60.0)
    assert parse_rate("2/s") == Rate(2, 1.0)
    assert parse_rate("7200/hours") == Rate(7200, 3600.0)
    assert parse_rate("off") is None and parse_rate("0") is None
    assert str(Rate(120, 60.0)) == "120/minute"
    for bad in ("fast", "120", "0/minute", "5/fortnight"):
        with pytest.raises(UsageError, match="--rate"):
            parse_rate(bad)


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
