"""Simulated learners for both stand-ins (`pamong sandbox --simulate-learners SEED`): deterministic draws.

Each draw is a hash of the seed and what it is about (course, email, step), so the same seed on the same
enrolments gives the same learners, whichever order they are read in. How far a kabupaten's officials get
depends on the kabupaten (its "drive", 0.25 to 0.90), so a report shows real variation between regions.
"""

from __future__ import annotations

import hashlib

from pamong_edx.regions.codes import normalise_code

PRETEST, POSTTEST = "Pretest", "Posttest"
CUTOFF = 0.7


def share(seed: int, *parts: str) -> float:
    """A number in [0, 1) fixed by the seed and the parts."""
    digest = hashlib.blake2b("\x1f".join((str(seed), *parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def region_of(place: str) -> str:
    """The region code at the start of a cohort name or in a profile field ("18.71.01 Kedaton" -> 18.71.01)."""
    words = (place or "").split()
    return (normalise_code(words[0]) or "") if words else ""


def drive(seed: int, course: str, region: str) -> float:
    return 0.25 + 0.65 * share(seed, course, "kabupaten", region[:5])


def learner(seed: int, course: str, email: str, region: str) -> dict:
    """What one official does: registers, starts (pretest), takes the posttest; scores 0..1."""
    push = drive(seed, course, region)
    email = email.lower()
    registers = share(seed, course, email, "register") < min(0.98, push + 0.15)
    starts = registers and share(seed, course, email, "start") < push
    pre = round(0.2 + 0.5 * share(seed, course, email, "pretest"), 2) if starts else None
    takes_post = starts and share(seed, course, email, "posttest") < push + 0.1
    post = round(min(1.0, (pre or 0.0) + 0.05 + 0.45 * share(seed, course, email, "gain")), 2) if takes_post else None
    return {"registers": registers, "pretest": pre, "posttest": post,
            "day": int(share(seed, course, email, "day") * 30)}
