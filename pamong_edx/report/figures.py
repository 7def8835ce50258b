"""Adding learners up: one pass over learners sorted by region gives the figures of every region at every level.

Rows come sorted by village code, so the learners of a desa, a kecamatan, a kabupaten and a province are each
contiguous: one open tally per level is enough, and a tally is closed (its medians taken) as soon as the code
at its level changes. Scores are kept in `array('d')` (8 bytes each), so even the national medians of
750,000 officials cost a few megabytes.

Counting rules (docs/report.md): everyone counts towards `on_roster` when the roster lists them; the other
counts are of enrolled learners only, each step a subset of the one before (registered, started, passed).
The gain is the median of each learner's own posttest minus pretest, over those who took both.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable

from pamong_edx.report.model import CODE_LENGTHS, DESA, UNKNOWN, Figures, level_of

# The columns a learner row carries into the tally, in this order (snapshot.py selects them so).
ROW = ("region", "on_roster", "enrolled", "registered", "started", "pretest", "posttest", "passed", "last_activity")


def median(values: array) -> float | None:
    n = len(values)
    if not n:
        return None
    ordered = sorted(values)
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class Tally:
    __slots__ = ("on_roster", "enrolled", "registered", "started", "passed", "pre", "post", "gain", "last")

    def __init__(self) -> None:
        self.on_roster = self.enrolled = self.registered = self.started = self.passed = 0
        self.pre, self.post, self.gain = array("d"), array("d"), array("d")
        self.last: str | None = None

    def add(self, on_roster: int, enrolled: int, registered: int, started: int, pretest: float | None,
            posttest: float | None, passed: int, last: str | None) -> None:
        self.on_roster += on_roster
        if not enrolled:
            return
        self.enrolled += 1
        self.registered += registered
        self.started += started
        self.passed += passed
        if pretest is not None:
            self.pre.append(pretest)
        if posttest is not None:
            self.post.append(posttest)
            if pretest is not None:
                self.gain.append(posttest - pretest)
        if last is not None and (self.last is None or last > self.last):
            self.last = last

    def merge(self, other: Tally) -> None:
        """Add a finished region's tally into the region above it (arrays are extended in C, not row by row)."""
        self.on_roster += other.on_roster
        self.enrolled += other.enrolled
        self.registered += other.registered
        self.started += other.started
        self.passed += other.passed
        self.pre.extend(other.pre)
        self.post.extend(other.post)
        self.gain.extend(other.gain)
        if other.last is not None and (self.last is None or other.last > self.last):
            self.last = other.last

    def figures(self) -> Figures:
        return Figures(
            on_roster=self.on_roster, enrolled=self.enrolled, registered=self.registered, started=self.started,
            pretest_done=len(self.pre), posttest_done=len(self.post), passed=self.passed,
            pretest_median=median(self.pre), posttest_median=median(self.post), gain_median=median(self.gain),
            last_activity=self.last,
        )


def by_region(rows: Iterable[tuple], emit: Callable[[str, Figures], None]) -> None:
    """Tally rows (ROW order, sorted by region) and emit (code, figures) for every region at every level,
    the unknown region ("?") when anyone is unplaced, and the nation ("") last.

    Each row is added once, to the tally of its own region; a region's tally is merged into the one above
    when the region closes. A learner placed only to a kabupaten (say, by a kabupaten cohort) counts in the
    kabupaten and above."""
    nation, unknown = Tally(), Tally()
    codes: list[str | None] = [None] * (DESA + 1)
    tallies: list[Tally | None] = [None] * (DESA + 1)

    def close(from_level: int) -> None:
        for level in range(DESA, from_level - 1, -1):
            tally = tallies[level]
            if tally is not None:
                emit(codes[level], tally.figures())
                above = next((tallies[up] for up in range(level - 1, 0, -1) if tallies[up] is not None), nation)
                above.merge(tally)
                tallies[level] = codes[level] = None

    current: str | None = None
    own: Tally | None = None
    for region, *facts in rows:
        if region != current:
            current = region
            depth = level_of(region) if region and region != UNKNOWN else 0
            if depth <= 0:
                close(1)
                own = unknown
            else:
                for level in range(1, DESA + 1):
                    code = region[:CODE_LENGTHS[level]] if level <= depth else None
                    if codes[level] != code:
                        close(level)
                        for new in range(level, depth + 1):
                            codes[new], tallies[new] = region[:CODE_LENGTHS[new]], Tally()
                        break
                own = tallies[depth]
        own.add(*facts)
    close(1)
    if unknown.enrolled or unknown.on_roster:
        emit(UNKNOWN, unknown.figures())
    nation.merge(unknown)
    emit("", nation.figures())


def by_key(rows: Iterable[tuple]) -> dict[str, Figures]:
    """Tally rows whose first item is any key (a position) into figures per key, in no particular order."""
    tallies: dict[str, Tally] = {}
    for key, *facts in rows:
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Tally()
        tally.add(*facts)
    return {key: tally.figures() for key, tally in tallies.items()}
