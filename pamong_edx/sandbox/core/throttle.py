"""Rate throttles as Django REST framework's SimpleRateThrottle keeps them (a sliding history per key)."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable

RATE = re.compile(r"^(\d+)/(\d*)([smhd])")
UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, float]:
    """'40/minute' -> (40, 60); '60/7d' (django-ratelimit) -> (60, 604800)."""
    match = RATE.match(rate)
    if not match:
        raise ValueError(f"rate '{rate}' is not like 40/minute or 60/7d")
    count, multiple, unit = match.groups()
    return int(count), (int(multiple) if multiple else 1) * UNIT[unit]


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
        count, duration = parse_rate(rate)
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
