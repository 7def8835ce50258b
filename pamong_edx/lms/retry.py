"""The one retry policy: what a request may repeat, how long it waits between tries, and when it gives up.

Requests are retried in one place, the transport, through urllib3's `Retry` (the machinery requests itself
sends with), given a fresh `RequestRetry` per request because what may be repeated differs from call to call:

  * the connection was never made (nothing reached the server): always;
  * 429, and 503 with Retry-After (the server refused before doing anything): always, waiting Retry-After
    (seconds or an HTTP date) when given, else the backoff below;
  * a timeout, a reset, or another 5xx (the server may have acted): only for a call the caller marks idempotent;
  * a TLS failure never: it will not mend.

A wait longer than `max_wait`, or one that would pass the call's deadline, is not slept: the answer goes back
to the caller as it is (a 429 becomes `Throttled`). The enrolment engine repeats a whole batch only where its
journal needs to decide (an answer lost after the batch was sent), and it waits with the same `backoff`.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

RETRIED_STATUSES = {500, 502, 503, 504}


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    base_delay: float = 0.5  # seconds before the first retry; doubles each time
    max_delay: float = 30.0
    max_wait: float = 120.0  # the longest Retry-After slept; a longer one is handed back at once
    throttle_default: float = 60.0  # the wait a throttle answer without a figure is taken to ask for

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The wait before try `attempt + 1`: exponential, with jitter (half fixed, half random) so that clients
        spread out."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def retry_after(headers: Any) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date), or None."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class Pacer:
    """What one request shares across its tries: the policy, the deadline, and what to do around each try."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        idempotent: bool,
        deadline: float,
        sleep: Callable[[float], None],
        rng: random.Random,
        rng_lock: threading.Lock,
        before_try: Callable[[], None],
        answered: Callable[[int, Any], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self.idempotent = idempotent
        self.deadline = deadline
        self.sleep = sleep
        self.rng = rng
        self.rng_lock = rng_lock
        self.before_try = before_try
        self.answered = answered
        self.clock = clock
        self.out_of_time = False  # gave up because the next try would pass the deadline

    def backoff(self, attempt: int) -> float:
        with self.rng_lock:
            return self.policy.backoff(attempt, self.rng)

    def retry(self) -> RequestRetry:
        tries = self.policy.attempts - 1
        return RequestRetry(
            total=tries, connect=tries, read=tries if self.idempotent else 0, status=tries, other=0, redirect=0,
            allowed_methods=None, raise_on_status=False, raise_on_redirect=False, respect_retry_after_header=True,
            pacer=self,
        )


class RequestRetry(Retry):
    """urllib3's Retry for one request, deciding and waiting as the module docstring says."""

    def __init__(self, *args: Any, pacer: Pacer, wait: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pacer = pacer
        self.wait = wait  # what `sleep` waits before the next try

    def new(self, **kwargs: Any) -> RequestRetry:
        kwargs.setdefault("pacer", self.pacer)
        return super().new(**kwargs)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429 or (status_code == 503 and has_retry_after):
            return True
        return self.pacer.idempotent and status_code in RETRIED_STATUSES

    def increment(  # noqa: ANN201 - urllib3's signature
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None,  # noqa: ANN001
    ):
        pacer = self.pacer
        new = super().increment(method, url, response, error, _pool, _stacktrace)  # raises when out of tries
        asked = retry_after(response.headers) if response is not None and response.status in (429, 503) else None
        wait = asked if asked is not None else pacer.backoff(len(new.history))
        if asked is not None and asked > pacer.policy.max_wait:
            raise MaxRetryError(_pool, url, error or ResponseError("Retry-After beyond max_wait"))
        if pacer.clock() + wait > pacer.deadline:
            pacer.out_of_time = True
            raise MaxRetryError(_pool, url, error or ResponseError("the deadline would pass"))
        if response is not None:  # an answer that will be tried again (the last one goes back to the caller)
            pacer.answered(response.status, response.headers)
        new.wait = wait
        return new

    def sleep(self, response: Any = None) -> None:
        if self.wait > 0:
            self.pacer.sleep(self.wait)
        self.pacer.before_try()
