"""The small case's figures, worked out by hand (small_case.py), at every level and for every column."""

from __future__ import annotations

import pytest

from pamong_edx.report.assemble import assemble, not_started, positions
from pamong_edx.report.model import UNKNOWN
from small_case import A1, A2, B1, C1, COURSE, D1

# region: on roster, enrolled, registered, started, pretest done, posttest done, passed,
#         median pretest, median posttest, median gain, last activity     (first snapshot)
FIRST = {
    A1: (2, 2, 2, 2, 2, 2, 2, 0.5, 0.75, 0.25, "2025-03-02T08:00:00+00:00"),
    A2: (2, 3, 2, 2, 1, 1, 1, 0.5, 0.75, None, None),
    B1: (2, 2, 2, 0, 0, 0, 0, None, None, None, None),
    C1: (1, 1, 1, 1, 1, 1, 0, 0.2, 0.5, 0.3, "2025-03-03T08:00:00+00:00"),
    D1: (1, 1, 1, 1, 1, 1, 1, 0.3, 0.9, 0.6, None),
    "18.71.01": (4, 5, 4, 4, 3, 3, 3, 0.5, 0.75, 0.25, "2025-03-02T08:00:00+00:00"),
    "18.71.02": (2, 2, 2, 0, 0, 0, 0, None, None, None, None),
    "18.01.04": (1, 1, 1, 1, 1, 1, 0, 0.2, 0.5, 0.3, "2025-03-03T08:00:00+00:00"),
    "11.01.01": (1, 1, 1, 1, 1, 1, 1, 0.3, 0.9, 0.6, None),
    "18.71": (6, 7, 6, 4, 3, 3, 3, 0.5, 0.75, 0.25, "2025-03-02T08:00:00+00:00"),
    "18.01": (1, 1, 1, 1, 1, 1, 0, 0.2, 0.5, 0.3, "2025-03-03T08:00:00+00:00"),
    "11.01": (1, 1, 1, 1, 1, 1, 1, 0.3, 0.9, 0.6, None),
    "18": (7, 8, 7, 5, 4, 4, 3, 0.45, 0.725, 0.3, "2025-03-03T08:00:00+00:00"),
    "11": (1, 1, 1, 1, 1, 1, 1, 0.3, 0.9, 0.6, None),
    UNKNOWN: (0, 1, 1, 1, 1, 0, 0, 0.1, None, None, None),
    "": (8, 10, 9, 7, 6, 5, 4, 0.35, 0.75, 0.35, "2025-03-03T08:00:00+00:00"),
}
PASS_RATE = {A1: 1.0, A2: 1 / 3, B1: 0.0, C1: 0.0, D1: 1.0, "18.71.01": 0.6, "18.71": 3 / 7, "18": 3 / 8,
             UNKNOWN: 0.0, "": 0.4}
# What moved by the second snapshot: a4 (A2) registered, took both tests and passed; b2 (B1) took the pretest.
SECOND_CHANGES = {A2: {"registered": 1, "started": 1, "pretest_done": 1, "posttest_done": 1, "passed": 1},
                  B1: {"started": 1, "pretest_done": 1}}
FIELDS = ("on_roster", "enrolled", "registered", "started", "pretest_done", "posttest_done", "passed",
          "pretest_median", "posttest_median", "gain_median", "last_activity")


def _check(figures, expected, where):
    for name, want in zip(FIELDS, expected):
        got = getattr(figures, name)
        if isinstance(want, float):
            assert got == pytest.approx(want), f"{where} {name}"
        else:
            assert got == want, f"{where} {name}"


def test_every_region_at_every_level_has_the_hand_computed_figures(small_case):
    first = small_case.snapshot(1)
    totals = small_case.totals(first.id, COURSE.key, "")
    assert set(totals) == set(FIRST)
    for code, expected in FIRST.items():
        _check(totals[code], expected, code)
    for code, rate in PASS_RATE.items():
        assert totals[code].pass_rate == pytest.approx(rate), code


def test_the_second_snapshot_and_the_change_since_the_first(small_case):
    latest = small_case.snapshot()
    assert latest.id == 2
    report = assemble(small_case, latest, {}, scope="")
    course = report.courses[0]
    rows = {row.key: row for level in course.levels.values() for row in level}
    rows[""] = course.total
    for code in (A1, C1, D1, "18.01", "11"):
        assert rows[code].change("started") == 0 and rows[code].change("passed") == 0
    for code, changes in SECOND_CHANGES.items():
        for name, delta in changes.items():
            assert getattr(rows[code].figures, name) - getattr(rows[code].previous, name) == delta, (code, name)
    assert rows[A2].figures.pass_rate == pytest.approx(2 / 3)
    assert rows[A2].change("pass_rate") == pytest.approx(2 / 3 - 1 / 3)
    assert rows[A2].figures.gain_median == pytest.approx(0.1)  # a4 alone took both: 0.8 - 0.7
    assert rows[B1].figures.pretest_median == pytest.approx(0.4)
    # the nation: 10 enrolled, 9 started (a4 and b2 too), 5 passed
    assert (course.total.figures.started, course.total.figures.passed) == (9, 5)
    assert course.total.change("started") == 2 and course.total.change("passed") == 1
    assert [p.figures.passed for p in course.trend] == [4, 5]
    assert [p.snapshot for p in course.trend] == [1, 2]


def test_figures_by_position(small_case):
    rows = {row.key: row.figures for row in positions(small_case, 1, COURSE.key, "")}
    assert list(rows) == ["Kepala Desa", "Sekretaris Desa", "Kaur Keuangan", ""]  # Permendagri order, unknown last
    _check(rows["Kepala Desa"], (4, 3, 3, 3, 3, 2, 2, 0.4, 0.85, 0.5, "2025-03-01T08:00:00+00:00"), "KD")
    _check(rows["Sekretaris Desa"], (2, 2, 2, 2, 2, 2, 1, 0.4, 0.6, 0.2, "2025-03-03T08:00:00+00:00"), "SD")
    _check(rows["Kaur Keuangan"], (2, 2, 1, 0, 0, 0, 0, None, None, None, None), "KK")
    _check(rows[""], (0, 3, 3, 2, 1, 1, 1, 0.1, 0.75, None, None), "unknown position")


def test_the_roster_decides_where_someone_works_over_the_journal(small_case):
    rows = list(small_case.learners(1, COURSE.key, "", "who, region, placed, name, on_roster", order="who"))
    by_who = {who: (region, placed, name, on_roster) for who, region, placed, name, on_roster in rows}
    assert by_who["a1@desa.id"] == (A1, "roster", "Ahmad Satu", 1)
    assert by_who["j1@desa.id"] == (A2, "journal", "", 0)
    assert by_who["e11@desa.id"] == (B1, "cohort", "Lain Sebelas", 0)
    assert by_who["~stranger"] == ("", "", "", 0)


def test_the_follow_up_list_names_who_has_not_started_by_village(small_case):
    names = {A2: "Surabaya", B1: "Sukarame"}
    listed = [(p.region, p.email, p.state) for p in not_started(small_case, 1, COURSE.key, "18.71", names)]
    assert listed == [(A2, "a4@desa.id", "no-account"), (B1, "b1@desa.id", "not-enrolled"),
                      (B1, "b2@desa.id", "not-started"), (B1, "e11@desa.id", "not-started")]


def test_a_failed_snapshot_leaves_nothing_and_the_last_good_one_stays_latest(snapshots):
    from small_case import ROSTER, take_small_case

    take_small_case(snapshots, second=False)
    with pytest.raises(RuntimeError):
        with snapshots.taking("openedx", [COURSE], None) as taking:
            taking.add_roster(ROSTER)
            taking.place(COURSE.key)
            raise RuntimeError("the LMS went away")
    assert snapshots.snapshot().id == 1
    assert snapshots.db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 1
    assert snapshots.db.execute("SELECT count(DISTINCT snapshot) FROM learners").fetchone()[0] == 1
    assert snapshots.db.execute("SELECT count(DISTINCT snapshot) FROM totals").fetchone()[0] == 1
