"""Pedagogy lints (W301–W307): each tripped by a fixture course made for it, located, silenced with a reason,
failing `pamong validate --strict`."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pamong_edx.course import lints
from pamong_edx.course.loader import load_course
from pamong_edx.course.model import ChoiceProblem

COURSES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)

# fixture course -> (the lint it trips, the line of course.yaml it points at)
TRIPS = {
    "lint-run-ended": ("W301", 8),
    "lint-no-signatories": ("W302", 13),
    "lint-answer-position": ("W303", 42),
    "lint-repeated-stem": ("W304", 49),
    "lint-unreachable-cutoff": ("W305", 9),
    "lint-graded-hints": ("W306", 69),
    "lint-no-objective": ("W307", 69),
}


def linted(name: str, now: datetime = NOW):
    course, diagnostics = load_course(COURSES / name)
    assert diagnostics == [], diagnostics
    return course, lints.lint(course, now)


@pytest.mark.parametrize("name", sorted(TRIPS))
def test_each_fixture_trips_its_lint_and_no_other(name):
    code, line = TRIPS[name]
    _, found = linted(name)
    assert [(d.code, d.location.line, d.severity) for d in found] == [(code, line, "warning")]
    assert Path(found[0].location.file).name == "course.yaml"


def test_validate_strict_reports_each_lint_on_its_fixture(pamong):
    status, _, err = pamong("validate", "--strict", *(str(COURSES / name) for name in sorted(TRIPS)))
    assert status == 1
    codes = {name: re.findall(rf"fixtures/courses/{name}/course\.yaml:\d+:\d+: (W3\d\d) ", err) for name in TRIPS}
    assert codes == {name: [code] for name, (code, _line) in TRIPS.items()}
    assert err.splitlines()[-1] == "error: 7 of 7 course(s) have errors or warnings (--strict)"
    assert pamong("validate", str(COURSES / "lint-graded-hints"))[0] == 0  # warnings, without --strict


def test_the_run_ends_and_it_is_over():
    course, _ = linted("lint-run-ended")
    assert lints.run_ended(course, datetime(2020, 6, 29, tzinfo=timezone.utc)) == []
    [ended] = lints.run_ended(course, datetime(2020, 7, 1, tzinfo=timezone.utc))
    assert ended.message.startswith("the course run 2099_T1 ended on 2020-06-30")


def test_answer_positions_count_only_unshuffled_unsilenced_single_answer_problems():
    course, [found] = linted("lint-answer-position")
    assert "5 of the 6 single-answer problems of this test have their answer in position b (83%; post-1, " in \
        found.message  # post-7, in position b too, is silenced with a reason: not counted
    seq = next(s for _c, s in course.sequentials() if s.kind == "posttest")
    for problem in seq.problems()[:2]:
        problem.shuffle = True  # two problems shuffled: 3 of 4 are below the minimum of 5
    assert lints.answer_positions(course, seq) == []
    for problem in seq.problems():
        problem.shuffle = False
    seq.silence = {"W303": "urutan jabatan"}
    assert lints.answer_positions(course, seq) == []


def test_at_most_forty_percent_in_one_position_passes():
    course, _ = linted("lint-answer-position")
    seq = next(s for _c, s in course.sequentials() if s.kind == "posttest")
    problems = [p for p in seq.problems() if isinstance(p, ChoiceProblem)]
    for problem, answer in zip(problems, "abcab" + "c" + "b"):  # b: 2 of 6 counted (post-7 silenced)
        for choice in problem.choices:
            choice.correct = choice.id == answer
    assert lints.answer_positions(course, seq) == []


@pytest.mark.parametrize(("pretest", "posttest", "flagged"), [
    # Pairs from the bundled courses: the same question re-worded is flagged...
    ("Mana saja yang termasuk fungsi BPD? Pilih semua yang benar.",
     "Mana saja yang merupakan fungsi BPD? Pilih semua yang benar.", True),
    ("Siapa pemegang kekuasaan pengelolaan keuangan desa?",
     "Pemegang kekuasaan pengelolaan keuangan desa (PKPKD) adalah ...", True),
    ("Manakah yang termasuk asas pelayanan publik dalam UU 25/2009? Pilih semua yang benar.",
     "Manakah yang merupakan asas pelayanan publik menurut Pasal 4 UU 25/2009? Pilih semua yang benar.", True),
    # ...another question on the same template, or the same skill on another example, is not.
    ("Apa kepanjangan dari APB Desa?", "Apa kepanjangan dari PPKD?", False),
    ("Kode 33.07.01.2005 terdiri atas empat bagian. Kode ini menunjuk wilayah tingkat apa?",
     "Kode 33.07 (dua bagian) menunjuk wilayah tingkat apa?", False),
])
def test_near_identical_stems(pretest, posttest, flagged):
    assert lints.near_identical(lints.normalise(pretest), lints.normalise(posttest)) is flagged


def test_a_repeated_stem_is_silenced_on_either_item_or_the_sequential():
    course, [found] = linted("lint-repeated-stem")
    assert "nearly the same as pretest question 'pre-penyelenggara' (" in found.message
    pre = next(p for p in course.problems() if p.id == "pre-penyelenggara")
    pre.silence = {"W304": "Sengaja diulang untuk mengukur kemajuan."}
    assert lints.posttest_repeats_pretest(course) == []


def test_unreachable_cutoff_minds_pools():
    course, [found] = linted("lint-unreachable-cutoff")
    assert "the best possible grade is 0.00, because the graded sequential(s) 'tes-akhir' can score" in found.message
    seq = next(s for _c, s in course.sequentials() if s.graded)
    unit = seq.units[0]
    unit.blocks[0].weight = 1  # one weighted problem, but a pool drawing 1 of 2 may draw it: reachable
    unit.pool_draw = 1
    assert lints.possible_points(seq) == 1 and lints.unreachable_cutoff(course) == []
    unit.blocks[0].weight = 0
    assert lints.possible_points(seq) == 0 and lints.unreachable_cutoff(course) != []


def test_course_silence_covers_every_item():
    course, found = linted("lint-no-objective")
    assert len(found) == 1
    course.silence = {"W307": "Tujuan pembelajaran ditulis di silabus terpisah."}
    assert lints.lint(course, NOW) == []


def test_lint_codes_are_registered_warnings():
    from pamong_edx.diagnostics import lookup

    for code in ("W301", "W302", "W303", "W304", "W305", "W306", "W307"):
        entry = lookup(code)
        assert entry is not None and entry.severity == "warning" and entry.name
    json.dumps([d.as_dict() for d in linted("lint-graded-hints")[1]])  # the JSON reporter takes them
