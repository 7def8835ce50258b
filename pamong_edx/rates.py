"""Request rates written as people and servers write them: `120/minute`, `2/s`, `40/min`, `60/7d`.

One parser for the client's `--rate` and profile pacing and for the stand-in LMS's throttles, so both read
the same text the same way: a whole number of requests, a slash, an optional whole multiplier and a unit
(s, sec, second, m, min, minute, h, hour, d, day, each also plural). Django REST framework reads only the
unit's first letter and django-ratelimit allows the multiplier (`60/7d`); both forms are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pamong_edx.i18n import _

UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0,
         "d": 86400.0, "day": 86400.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


class RateError(ValueError):
    """The text is not a rate."""


@dataclass(frozen=True)
class Rate:
    limit: int  # requests
    period: float  # seconds

    @property
    def per_second(self) -> float:
        return self.limit / self.period

    def __str__(self) -> str:
        for unit, seconds in (("minute", 60.0), ("hour", 3600.0), ("second", 1.0), ("day", 86400.0)):
            if self.period == seconds:
                return f"{self.limit}/{unit}"
        return f"{self.limit}/{self.period:g}s"


def parse_rate(text: str) -> Rate:
    """`120/minute` -> Rate(120, 60.0); `60/7d` -> Rate(60, 604800.0). Raises RateError for anything else."""
    match = _RATE.match(text.lower())
    if match:
        count, multiple, word = match.groups()
        unit = UNITS.get(word) or UNITS.get(word.removesuffix("s"))
        if unit and int(count) >= 1 and (multiple == "" or int(multiple) >= 1):
            return Rate(int(count), unit * (int(multiple) if multiple else 1))
    raise RateError(_("'{text}' is not a rate: write requests per period, e.g. 120/minute or 2/second")
                    .format(text=text))
