"""Simulated learners: what each enrolled official does in the course, the same on every stand-in.

An official's journey depends only on the seed, their email and their kabupaten, never on the order they
are met in, so a run is reproducible and a second run changes nothing. Each kabupaten (the first five
characters of a region code, PP.KK) gets an engagement drawn from the seed, which shifts every step of its
officials' journeys, so reports show realistic differences between kabupaten:

    registers   (has an account / has logged in)      50% + 50% x engagement
    starts      (any graded activity), if registered   25% + 70% x engagement
    pretest     score, if started (92% take it)        around 35% + 20% x engagement
    posttest    score, if started                      taken by 30% + 65% x engagement; the pretest score
                                                       plus a gain around 15% + 30% x engagement
    last activity, if registered                       up to 30 days before the run

Passing is the LMS's business: the course's cutoff (Open edX) or the posttest's pass mark (Moodle).
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

REGION = re.compile(r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")
PRETEST = re.compile(r"pre|awal", re.IGNORECASE)
POSTTEST = re.compile(r"post|akhir|final", re.IGNORECASE)
DAY = 86400


@dataclass(frozen=True)
class Journey:
    registers: bool
    starts: bool
    pretest: float | None  # 0..1; None: not taken
    posttest: float | None
    last_activity: int | None  # unix time of the last visit; None: never registered


def region_of(*candidates: str | None) -> str:
    """The first candidate that is a Kemendagri region code (a profile field, or a cohort name's first word)."""
    for text in candidates:
        word = (text or "").strip().split(" ")[0]
        if REGION.match(word):
            return word
    return ""


def engagement(seed: int, region: str) -> float:
    """0.3..0.95 per kabupaten; 0.6 for an official of unknown region."""
    if len(region) < 5:
        return 0.6
    return 0.3 + 0.65 * random.Random(f"{seed}|kabupaten|{region[:5]}").random()


def journey(seed: int, email: str, region: str, now: float | None = None) -> Journey:
    e = engagement(seed, region)
    draw = random.Random(f"{seed}|{email.strip().lower()}")
    registers = draw.random() < 0.5 + 0.5 * e
    starts = registers and draw.random() < 0.25 + 0.7 * e
    pretest = posttest = last = None
    if starts:
        if draw.random() < 0.92:
            pretest = _score(draw.gauss(0.35 + 0.2 * e, 0.12))
        if draw.random() < 0.3 + 0.65 * e:
            posttest = _score((pretest if pretest is not None else 0.4) + draw.gauss(0.15 + 0.3 * e, 0.1))
    if registers:
        last = int((now if now is not None else time.time()) - draw.randrange(30 * DAY))
    return Journey(registers, starts, pretest, posttest, last)


def _score(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 2)


def kind_of(*names: str | None) -> str:
    """'pretest', 'posttest' or 'other', from a grading format, a display name or an idnumber."""
    text = " ".join(n for n in names if n)
    if PRETEST.search(text):
        return "pretest"
    if POSTTEST.search(text):
        return "posttest"
    return "other"


@dataclass
class Tally:
    """What a simulation run found, over the learners it considered."""

    learners: int = 0
    registered: int = 0
    started: int = 0
    pretest: int = 0
    posttest: int = 0
    passed: int = 0

    def add(self, path: Journey, passed: bool) -> None:
        self.learners += 1
        self.registered += path.registers
        self.started += path.starts
        self.pretest += path.pretest is not None
        self.posttest += path.posttest is not None
        self.passed += passed


class Simulator:
    """Keeps a stand-in's learners simulated: once at start, then every `interval` seconds for officials
    enrolled since (the officials already simulated are left as they are)."""

    def __init__(self, run: Callable[[bool], Tally], interval: float = 2.0) -> None:
        self._run, self._interval = run, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="simulated-learners", daemon=True)

    def start(self) -> Tally:
        tally = self._run(False)
        self._thread.start()
        return tally

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._run(True)
