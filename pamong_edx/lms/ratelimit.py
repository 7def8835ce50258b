"""Client-side pacing, so a long job runs just under the LMS's throttle instead of bouncing off it.

Open edX throttles enrolment calls with DRF's SimpleRateThrottle: a log of the caller's request times,
refusing a request when `limit` of them fall within the last `period` seconds. A token bucket that bursts
its full capacity would be refused by that log, so this limiter keeps the same log on the client side
(`limit` requests in any `period` + `margin` seconds; the margin absorbs network jitter between our clock
and the server's arrival times) and also spaces requests evenly (`period / limit` apart), which keeps the
achieved rate steady over any window rather than a burst followed by a minute of silence.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from pamong_edx.rates import Rate


class RateLimiter:
    """Blocks each caller until its request may go. Thread-safe; slots are handed out in call order."""

    def __init__(
        self,
        rate: Rate | None,
        *,
        margin: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.margin = margin if margin is not None else (max(0.25, rate.period * 0.01) if rate else 0.0)
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._sent: deque[float] = deque(maxlen=rate.limit if rate else 1)
        self._next = 0.0  # earliest time of the next slot (even spacing)
        self._paused_until = 0.0
        self.waited = 0.0  # seconds callers spent waiting, in all

    def reserve(self) -> float:
        """Claim the next slot; return how long the caller must wait for it."""
        if self.rate is None:
            return max(0.0, self._paused_until - self.clock())
        with self._lock:
            now = self.clock()
            slot = max(now, self._next, self._paused_until)
            if len(self._sent) == self.rate.limit:
                slot = max(slot, self._sent[0] + self.rate.period + self.margin)
            self._sent.append(slot)
            self._next = slot + self.rate.period / self.rate.limit
            wait = slot - now
            self.waited += wait
            return wait

    def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            self.sleep(wait)

    def pause(self, seconds: float) -> None:
        """The LMS said to slow down (a 429 with Retry-After): hold every slot until then."""
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + seconds)
