"""Counting and pacing every request a backend sends, at the one place all of them pass: the transport.

Every backend gets a `Traffic` from its transport (lms/http.py), which calls `before` ahead of each try
(retries, token requests and page walks included) and `after` on each answer. So `requests` is what the LMS
really received, and once a caller sets a pace (`pace(rate)`, the enrolment engine does: the LMS's declared
throttle, or `--rate`), every request on a throttled path waits for its slot, retries included, and a 429
holds every slot until its Retry-After.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from pamong_edx.lms.protocol import Pacing
from pamong_edx.lms.ratelimit import RateLimiter
from pamong_edx.rates import Rate


class Traffic:
    def __init__(self, pacing: Pacing) -> None:
        self.pacing = pacing
        self.limiter: RateLimiter | None = None
        self._lock = threading.Lock()
        self.requests = 0
        self.writes = 0  # requests that can change something on the LMS
        self.throttled_requests = 0  # requests to the paths the LMS throttles
        self.throttle_answers = 0  # 429s received
        self.by_status: Counter = Counter()
        self._first_throttled: float | None = None  # send times of the first and last throttled request
        self._last_throttled: float | None = None

    def pace(self, rate: Rate | None, limiter: RateLimiter | None = None) -> None:
        """Keep requests on throttled paths under `rate` from now on (None: no client-side limit)."""
        self.limiter = limiter or RateLimiter(rate)

    def is_throttled(self, path: str) -> bool:
        paths = self.pacing.throttled_paths
        return not paths or path.startswith(paths)

    def before(self, method: str, path: str, *, changes: bool) -> None:
        throttled = self.is_throttled(path)
        if throttled and self.limiter is not None:
            self.limiter.acquire()
        with self._lock:
            self.requests += 1
            self.writes += changes
            if throttled:
                self.throttled_requests += 1
                self._last_throttled = time.monotonic()
                if self._first_throttled is None:
                    self._first_throttled = self._last_throttled

    def after(self, status: int, retry_after: float | None) -> None:
        with self._lock:
            self.by_status[status] += 1
            if status == 429:
                self.throttle_answers += 1
        if status == 429 and self.limiter is not None:
            self.limiter.pause(retry_after if retry_after is not None else 1.0)

    def throttled_rate(self) -> float | None:
        """Throttled requests per second between the first and the last of them (the pace the LMS saw)."""
        with self._lock:
            if self.throttled_requests < 2 or self._first_throttled is None or self._last_throttled is None:
                return None
            span = self._last_throttled - self._first_throttled
            return (self.throttled_requests - 1) / span if span > 0 else None

    def snapshot(self) -> dict[str, float | int | None]:
        rate = self.throttled_rate()
        limit = self.limiter.rate if self.limiter is not None else None
        with self._lock:
            return {
                "http_requests": self.requests,
                "writes": self.writes,
                "throttled_requests": self.throttled_requests,
                "throttle_answers": self.throttle_answers,
                "throttled_rate": round(rate, 4) if rate is not None else None,
                "allowed_rate": round(limit.per_second, 4) if limit else None,
            }
