"""From a snapshot to a `Report` for one scope: the rows of every table, the comparison with the snapshot before,
the trend, and the lists of people (read lazily: a national list can hold hundreds of thousands).

Nothing outside the scope gets in: region rows are selected by code prefix in SQL, people likewise, and the
unknown region (people the report cannot place) only appears in a report of the whole country. The regions
above the scope (its province, its kabupaten) appear by name and with their own total, for comparison.
"""

from __future__ import annotations

from collections.abc import Iterator

from pamong_edx.i18n import _
from pamong_edx.regions.codes import parent_code
from pamong_edx.report.model import (
    DESA,
    UNKNOWN,
    CourseInfo,
    CourseReport,
    Figures,
    ListedPerson,
    Report,
    Row,
    SnapshotInfo,
    level_of,
)
from pamong_edx.report.snapshot import Snapshots
from pamong_edx.roster.positions import CANONICAL

POSITION_LEVEL = 5
TREND_POINTS = 12
NOT_STARTED = "started = 0 AND (enrolled = 1 OR on_roster = 1)"
UNPLACED = "region = ''"
_LIST_COLUMNS = "name, position, region, email, username, on_roster, enrolled, registered"


def region_name(names: dict[str, str], code: str) -> str:
    if code == UNKNOWN:
        return _("Region unknown")
    if not code:
        return _("Indonesia")
    return names.get(code) or _("(code {code} is not in the region file)").format(code=code)


def assemble(snaps: Snapshots, info: SnapshotInfo, names: dict[str, str], *, scope: str = "", by: int = DESA,
             courses: list[str] | None = None) -> Report:
    lineage = []
    up = parent_code(scope) if scope else None
    while up:
        lineage.insert(0, (up, region_name(names, up)))
        up = parent_code(up)
    report = Report(snapshot=info, scope=scope, scope_name=region_name(names, scope), lineage=lineage, by=by,
                    courses=[])
    for course in info.courses:
        if courses and course.key not in courses:
            continue
        previous = snaps.previous(info.id, course.key)
        report.previous[course.key] = previous
        report.courses.append(_course_report(snaps, info, previous, course, names, scope, by))
    return report


def _course_report(snaps: Snapshots, info: SnapshotInfo, previous: SnapshotInfo | None, course: CourseInfo,
                   names: dict[str, str], scope: str, by: int) -> CourseReport:
    now = snaps.totals(info.id, course.key, scope)
    before = snaps.totals(previous.id, course.key, scope) if previous else {}

    def row(code: str) -> Row:
        return Row(code, region_name(names, code), level_of(code), now[code], before.get(code))

    if scope not in now:
        now[scope] = Figures()
    total = row(scope)
    reference = None
    if scope:
        parent = parent_code(scope) or ""
        figures = snaps.region_totals(info.id, course.key, parent)
        if figures is not None:
            earlier = snaps.region_totals(previous.id, course.key, parent) if previous else None
            reference = Row(parent, region_name(names, parent), level_of(parent), figures, earlier)
    levels: dict[int, list[Row]] = {}
    for code in sorted(now):
        level = level_of(code)
        if level_of(scope) < level <= by:
            levels.setdefault(level, []).append(row(code))
    report = CourseReport(course=course, total=total, reference=reference, levels=levels)
    report.positions = positions(snaps, info.id, course.key, scope, before_id=previous.id if previous else None)
    if not scope and UNKNOWN in now:
        report.unknown = row(UNKNOWN)
        report.unknown_count = snaps.count(info.id, course.key, scope, UNPLACED)
    report.trend = snaps.trend(course.key, scope, info.id, TREND_POINTS)
    report.not_started_count = snaps.count(info.id, course.key, scope, NOT_STARTED)
    return report


def position_order(position: str) -> tuple[int, str]:
    order = list(CANONICAL)
    return (order.index(position), "") if position in order else (len(order) + (not position), position)


def positions(snaps: Snapshots, snapshot_id: int, course: str, scope: str, before_id: int | None = None) -> list[Row]:
    """Figures per position within the scope; the counts come from SQL, only the scores are walked in Python."""
    now = snaps.position_figures(snapshot_id, course, scope)
    before = snaps.position_figures(before_id, course, scope, scores=False) \
        if before_id is not None and snaps.has_learners(before_id) else {}
    return [Row(p, p or _("Position unknown"), POSITION_LEVEL, now[p], before.get(p))
            for p in sorted(now, key=position_order)]


def _listed(rows: Iterator[tuple], names: dict[str, str]) -> Iterator[ListedPerson]:
    for name, position, region, email, username, on_roster, enrolled, registered in rows:
        state = "not-enrolled" if not enrolled else "no-account" if not registered else "not-started"
        yield ListedPerson(name=name, position=position, region=region,
                           village=names.get(region, "") if region else "", email=email, username=username,
                           state=state)


def not_started(snaps: Snapshots, snapshot_id: int, course: str, scope: str,
                names: dict[str, str]) -> Iterator[ListedPerson]:
    """Officials not yet started (on the roster or enrolled), by village then name: the follow-up list."""
    rows = snaps.learners(snapshot_id, course, scope, _LIST_COLUMNS, NOT_STARTED, order="region, name, email")
    return _listed(rows, names)


def unplaced(snaps: Snapshots, snapshot_id: int, course: str, names: dict[str, str]) -> Iterator[ListedPerson]:
    """Learners the report cannot place (whole-country reports only)."""
    rows = snaps.learners(snapshot_id, course, "", _LIST_COLUMNS, UNPLACED, order="email, username")
    return _listed(rows, names)


class Lists:
    """The lists of people of a report, read from the snapshot each time a writer walks them."""

    def __init__(self, snaps: Snapshots, report: Report, names: dict[str, str]) -> None:
        self.snaps, self.report, self.names = snaps, report, names

    def not_started(self, course: str) -> Iterator[ListedPerson]:
        return not_started(self.snaps, self.report.snapshot.id, course, self.report.scope, self.names)

    def unplaced(self, course: str) -> Iterator[ListedPerson]:
        if self.report.scope:
            return iter(())
        return unplaced(self.snaps, self.report.snapshot.id, course, self.names)
