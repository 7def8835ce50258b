"""The report's columns: one definition for every output (XLSX, CSV, JSON, HTML) and for the sheet that explains them.

Headers and explanations are English msgids marked with N_() and translated where they are shown, so the
Indonesian catalogue names them in every output at once. `key` is stable: scripts read the CSV and JSON by it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pamong_edx.i18n import N_
from pamong_edx.report.model import Row

COUNT, RATE, SCORE, POINTS, DATE, TEXT, CHANGE = "count", "rate", "score", "points", "date", "text", "change"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # N_() msgid
    explain: str  # N_() msgid
    kind: str
    value: Callable[[Row], object]


def _figure(name: str) -> Callable[[Row], object]:
    return lambda row: getattr(row.figures, name)


def _change(name: str) -> Callable[[Row], object]:
    return lambda row: row.change(name)


COLUMNS: tuple[Column, ...] = (
    Column("on_roster", N_("Officials on roster"), N_("Officials listed on the roster given with --roster (rows "
           "without errors); empty when no roster was given."), COUNT, _figure("on_roster")),
    Column("enrolled", N_("Enrolled"), N_("Enrolled in the course on the LMS, including those pre-enrolled by email "
           "who have no account yet."), COUNT, _figure("enrolled")),
    Column("registered", N_("Registered"), N_("Enrolled and has an LMS account (has signed up)."), COUNT,
           _figure("registered")),
    Column("started", N_("Started"), N_("Enrolled and has done any graded activity."), COUNT, _figure("started")),
    Column("pretest_done", N_("Pretest done"), N_("Has a pretest score."), COUNT, _figure("pretest_done")),
    Column("posttest_done", N_("Posttest done"), N_("Has a posttest score."), COUNT, _figure("posttest_done")),
    Column("passed", N_("Passed"), N_("Reached the course's pass mark (the certificate is earned)."), COUNT,
           _figure("passed")),
    Column("pass_rate", N_("Pass rate"), N_("Passed as a share of enrolled."), RATE, lambda row: row.figures.pass_rate),
    Column("pretest_median", N_("Median pretest"), N_("The middle pretest score of those who took it, out of 100."),
           SCORE, _figure("pretest_median")),
    Column("posttest_median", N_("Median posttest"), N_("The middle posttest score of those who took it, out of "
           "100."), SCORE, _figure("posttest_median")),
    Column("gain_median", N_("Median gain"), N_("The middle of each learner's posttest minus pretest score, over "
           "those who took both, in points."), POINTS, _figure("gain_median")),
    Column("last_activity", N_("Last activity"), N_("The latest activity of any learner here the LMS reports "
           "(Moodle: last access to the course; Open edX: last sign-in)."), DATE, _figure("last_activity")),
    Column("change_started", N_("Started, change"), N_("Started now minus started at the previous snapshot."),
           CHANGE, _change("started")),
    Column("change_passed", N_("Passed, change"), N_("Passed now minus passed at the previous snapshot."), CHANGE,
           _change("passed")),
    Column("change_pass_rate", N_("Pass rate, change"), N_("Pass rate now minus at the previous snapshot, in "
           "percentage points."), POINTS, _change("pass_rate")),
)

# The columns before the figures, per kind of table.
REGION_HEAD = (
    (N_("Code"), N_("The Kemendagri region code.")),
    (N_("Region"), N_("The region's name in the Kemendagri region file.")),
)
POSITION_HEAD = ((N_("Position"), N_("The official's position (jabatan), from the roster or the LMS profile.")),)
PERSON_COLUMNS = (
    ("village", N_("Village"), N_("The official's village: its Kemendagri code, then its name (one cell, so the "
                                  "list sorts and filters by code and reads by name).")),
    ("name", N_("Name"), N_("The official's name, from the roster or the LMS.")),
    ("position", N_("Position"), N_("The official's position (jabatan).")),
    ("email", N_("Email"), N_("The email the official signs in with.")),
    ("state", N_("State"), N_("Not enrolled in the course; enrolled without an LMS account yet; or has an account "
                              "but no graded activity.")),
)
STATES = {
    "not-enrolled": N_("not enrolled"),
    "no-account": N_("no account yet"),
    "not-started": N_("not started"),
}


def scaled(column: Column, value: object) -> object:
    """A value as people read it: scores and points out of 100, rates as fractions (formatted as percent)."""
    if value is None:
        return None
    if column.kind in (SCORE, POINTS):
        return round(float(value) * 100, 1)
    if column.kind == RATE:
        return round(float(value), 4)
    return value
