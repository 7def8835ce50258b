"""Rate throttles as Django REST framework's SimpleRateThrottle keeps them (a sliding history per key).

Rates are read by the toolkit's one parser (pamong_edx/rates.py), the one the client's `--rate` goes through:
DRF's `40/m` and `120/minute`, and django-ratelimit's `60/7d`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from pamong_edx.rates import parse_rate


class RateThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._history: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._history.clear()

    def hit(self, key: str, rate: str) -> int | None:
        """Count one request; None if allowed, else the whole seconds to wait (DRF's Retry-After)."""
        parsed = parse_rate(rate)
        count, duration = parsed.limit, parsed.period
        now = self._clock()
        with self._lock:
            history = [t for t in self._history.get(key, []) if t > now - duration]
            if len(history) >= count:
                self._history[key] = history
                remaining = duration - (now - history[0]) if history else duration
                return max(1, math.ceil(remaining))
            history.append(now)
            self._history[key] = history
            return None
