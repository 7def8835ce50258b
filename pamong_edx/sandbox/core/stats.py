"""Request counts by route and method, so tests and benchmarks can assert how many calls a job made."""

from __future__ import annotations

import threading
from collections import Counter


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests: Counter[str] = Counter()
            self._statuses: Counter[str] = Counter()
            self._faults: Counter[str] = Counter()

    def record(self, method: str, route: str, status: int | str, fault: str | None = None) -> None:
        with self._lock:
            self._requests[f"{method} {route}"] += 1
            self._statuses[str(status)] += 1
            if fault:
                self._faults[fault] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": sum(self._requests.values()),
                "requests": dict(sorted(self._requests.items())),
                "statuses": dict(sorted(self._statuses.items())),
                "faults": dict(sorted(self._faults.items())),
            }
