"""Deterministic fault injection: the same seed gives the same faults to the same request numbers.

Each request gets a number in arrival order, counted from the last change of the fault settings; its
fate is drawn from Random(seed, number), so a run replays exactly whatever the thread interleaving.
With `only` set, only the requests it selects are numbered and faulted.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from dataclasses import dataclass
from typing import Any


@dataclass
class FaultConfig:
    latency_ms: float = 0.0  # added to every request
    fail_rate: float = 0.0  # share of requests answered 500 without being handled
    timeout_rate: float = 0.0  # share handled, whose answer is then held back `hang_s` seconds
    hang_s: float = 30.0
    reset_rate: float = 0.0  # share whose connection is reset before they are handled
    burst_every: int = 0  # in every window of this many requests, the last `burst_size` get 429
    burst_size: int = 3
    retry_after: int = 1  # the Retry-After (seconds) of those 429s
    seed: int = 0
    only: str = ""  # when set, faults hit only requests whose "METHOD /route" contains this text

    def update(self, changes: dict[str, Any]) -> None:
        fields = {f.name: f.type for f in dataclasses.fields(self)}
        for key, value in changes.items():
            if key not in fields:
                raise KeyError(key)
            if key == "only":
                self.only = str(value)
                continue
            kind = int if key in ("burst_every", "burst_size", "retry_after", "seed") else float
            value = kind(value)
            if value < 0 or (key.endswith("_rate") and value > 1):
                raise ValueError(f"{key} must be {'between 0 and 1' if key.endswith('_rate') else 'positive'}")
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Fate:
    number: int
    reset: bool = False
    fail: bool = False
    timeout: bool = False
    burst: bool = False

    @property
    def name(self) -> str | None:
        for flag in ("reset", "burst", "fail", "timeout"):
            if getattr(self, flag):
                return flag
        return None


class FaultInjector:
    def __init__(self, config: FaultConfig | None = None) -> None:
        self.config = config or FaultConfig()
        self._lock = threading.Lock()
        self._count = 0

    def restart(self) -> None:
        with self._lock:
            self._count = 0

    def next_fate(self, label: str = "") -> Fate:
        if self.config.only and self.config.only not in label:
            return Fate(0)
        with self._lock:
            self._count += 1
            number = self._count
        c = self.config
        if c.burst_every > 0 and (number - 1) % c.burst_every >= c.burst_every - c.burst_size:
            return Fate(number, burst=True)
        draw = random.Random(c.seed * 1_000_003 + number).random()
        if draw < c.reset_rate:
            return Fate(number, reset=True)
        draw -= c.reset_rate
        if draw < c.fail_rate:
            return Fate(number, fail=True)
        draw -= c.fail_rate
        if draw < c.timeout_rate:
            return Fate(number, timeout=True)
        return Fate(number)
