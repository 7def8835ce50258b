"""Counting and pacing every HTTP request a backend sends, at the one place all of them pass.

The meter sits in the backend's requests session as a transport adapter (requests' own extension point),
so it sees the transport's retries, token refreshes and page walks as well as the calls the engine makes:
`http_requests` is what the LMS really received, and the rate limiter gates each request that the LMS
throttles, the retries included.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from pamong_edx.enrol.ratelimit import Rate, RateLimiter

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Traffic:
    """How one LMS meters its API: the default throttle and which paths it applies to."""

    throttle: Rate | None = None
    throttled_paths: tuple[str, ...] = ()  # path prefixes the throttle counts; empty: every path
    no_change_posts: tuple[str, ...] = ()  # POSTs that change nothing on the LMS (token requests)
    # Requests that change nothing whatever their method (Moodle's web services are all POSTs to one URL).
    reads: Callable[[requests.PreparedRequest], bool] | None = None


# Open edX: EnrollmentUserThrottle, 120/minute for staff, counts the enrollment and bulk enroll views
# (spec sections 5-6); the cohort views are not throttled.
TRAFFIC = {
    "lms_openedx": Traffic(
        throttle=Rate(120, 60.0),
        throttled_paths=("/api/enrollment/", "/api/bulk_enroll/"),
        no_change_posts=("/oauth2/access_token",),
    ),
}


def traffic_for(backend: object) -> Traffic:
    declared = getattr(backend, "traffic", None)
    if isinstance(declared, Traffic):
        return declared
    return TRAFFIC.get(getattr(backend, "component", ""), Traffic())


class Meter:
    def __init__(self, traffic: Traffic, limiter: RateLimiter | None = None) -> None:
        self.traffic = traffic
        self.limiter = limiter
        self._lock = threading.Lock()
        self.requests = 0
        self.writes = 0
        self.throttled_requests = 0  # requests to throttled paths
        self.throttle_answers = 0  # 429s (and other throttle answers) received
        self.by_status: Counter = Counter()
        self._first_throttled: float | None = None  # send times of the first and last throttled request
        self._last_throttled: float | None = None

    def is_throttled(self, path: str) -> bool:
        paths = self.traffic.throttled_paths
        return not paths or path.startswith(paths)

    def before(self, method: str, path: str, reads: bool = False) -> None:
        throttled = self.is_throttled(path)
        if throttled and self.limiter is not None:
            self.limiter.acquire()
        with self._lock:
            self.requests += 1
            if throttled:
                self.throttled_requests += 1
                self._last_throttled = time.monotonic()
                if self._first_throttled is None:
                    self._first_throttled = self._last_throttled
            if not reads and method not in READ_METHODS and not path.startswith(self.traffic.no_change_posts):
                self.writes += 1

    def after(self, response: requests.Response) -> None:
        with self._lock:
            self.by_status[response.status_code] += 1
            if response.status_code == 429:
                self.throttle_answers += 1
        if response.status_code == 429 and self.limiter is not None:
            try:
                wait = float(response.headers.get("Retry-After", "1"))
            except ValueError:
                wait = 1.0
            self.limiter.pause(wait)

    def install(self, backend: object, pool_size: int = 16) -> bool:
        """Put the meter in the backend's session; False when the backend has no requests session to meter."""
        session = getattr(getattr(backend, "http", None), "session", None)
        if not isinstance(session, requests.Session):
            return False
        adapter = MeteredAdapter(self, pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return True

    def throttled_rate(self) -> float | None:
        """Throttled requests per second between the first and the last of them (the pace the LMS saw)."""
        with self._lock:
            if self.throttled_requests < 2 or self._first_throttled is None or self._last_throttled is None:
                return None
            span = self._last_throttled - self._first_throttled
            return (self.throttled_requests - 1) / span if span > 0 else None

    def snapshot(self) -> dict[str, float | int | None]:
        rate = self.throttled_rate()
        with self._lock:
            return {
                "http_requests": self.requests,
                "writes": self.writes,
                "throttled_requests": self.throttled_requests,
                "throttle_answers": self.throttle_answers,
                "throttled_rate": round(rate, 4) if rate is not None else None,
                "allowed_rate": round(self.limiter.rate.per_second, 4) if self.limiter and self.limiter.rate else None,
            }


class MeteredAdapter(HTTPAdapter):
    def __init__(self, meter: Meter, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.meter = meter

    def send(self, request: requests.PreparedRequest, *args: object, **kwargs: object) -> requests.Response:
        reads = self.meter.traffic.reads
        self.meter.before(request.method or "GET", urlsplit(request.url or "").path,
                          reads=reads is not None and reads(request))
        response = super().send(request, *args, **kwargs)
        self.meter.after(response)
        return response
