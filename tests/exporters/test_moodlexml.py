"""The Moodle XML question-bank exporter, read back with a reader modelled on Moodle's importer
(moodle_import.py, after question/format/xml/format.php): every problem comes back with its right answers."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from moodle_import import gap_right_choices, read_questions
from olx_samples import make_course

from pamong_edx.blocktypes.numerical.olx import bounds
from pamong_edx.build import select_exporters
from pamong_edx.course.loader import load_courses
from pamong_edx.course.model import ChoiceProblem, Course, NumericalProblem, TextProblem
from pamong_edx.exporters.moodlexml import MoodleXmlExporter
from pamong_edx.exporters.olx_capa import plain_text
from pamong_edx.plugins import exporters

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted(p for p in (REPO / "course_src").glob("*/") if (p / "course.yaml").is_file())


def export(course: Course, out: Path):
    result = MoodleXmlExporter(course, out).build()
    return result, read_questions(result.path.read_bytes())


def check_round_trip(course: Course, questions: list[dict]) -> None:
    """Every problem of the course is in the bank once, in its sequential's category, with its right answers."""
    by_id = {q["idnumber"]: q for q in questions if q["qtype"] != "category"}
    problems = list(course.problems())
    assert sorted(by_id) == sorted(p.id for p in problems)
    for p in problems:
        qo = by_id[p.id]
        assert qo["defaultmark"] == p.weight
        assert qo["generalfeedback"]["text"] == str(p.explanation_html).strip()
        assert len(qo["hints"]) == len(p.hints)
        if isinstance(p, ChoiceProblem):
            right = {plain_text(str(c.text)) for c in p.choices if c.correct}
            if qo["qtype"] == "gapselect":
                assert p.type == "dropdown"
                assert set(gap_right_choices(qo)) == right
            else:
                assert qo["qtype"] == "multichoice"
                got = {plain_text(a["text"]) for a in qo["answers"] if a["fraction"] > 0}
                assert got == right
                assert qo["single"] == (0 if p.type == "multiple_choice" else 1)
                full = sum(a["fraction"] for a in qo["answers"])
                assert abs(full - (1 if qo["single"] else 0)) < 1e-6  # all ticked earns nothing
        elif isinstance(p, NumericalProblem):
            assert qo["qtype"] == "numerical"
            [a] = qo["answers"]
            lo, hi = bounds(p)
            assert a["fraction"] == 1
            assert Decimal(a["text"]) - Decimal(str(a["tolerance"])) == lo
            assert Decimal(a["text"]) + Decimal(str(a["tolerance"])) == hi
            assert [u for u, _ in qo["units"]] == ([p.unit.strip()] if p.unit.strip() else [])
        elif isinstance(p, TextProblem):
            assert qo["qtype"] == "shortanswer"
            assert [a["text"] for a in qo["answers"]] == [a.strip() for a in p.answers if a.strip()]
            assert all(a["fraction"] == 1 for a in qo["answers"])
            assert qo["usecase"] == int(p.case_sensitive)


def test_registered_and_part_of_all():
    assert exporters()["moodlexml"] is MoodleXmlExporter
    assert list(select_exporters(["all"])) == ["olx", "scorm12", "scorm2004", "moodlexml"]


def test_model_course_round_trips_through_the_importer(tmp_path):
    course = make_course()
    result, questions = export(course, tmp_path)
    assert result.path.name == "PamongX-TKD101-2026_T1.moodle.xml"
    check_round_trip(course, questions)
    categories = [q["category"] for q in questions if q["qtype"] == "category"]
    assert categories and all(c.startswith("$course$/top/") for c in categories)
    assert len(categories) == sum(1 for _, s in course.sequentials() if s.problems())
    by_id = {q["idnumber"]: q for q in questions}
    bpd = by_id["q-bpd"]
    assert bpd["shuffleanswers"] == 1
    assert [a["feedback"] for a in bpd["answers"]] == ["", "", "LKD membantu kepala desa."]
    assert [h["text"] for h in bpd["hints"]] == ["<p>Bukan camat.</p>", "<p>Singkatannya <code>BPD</code>.</p>"]
    # the dropdown's option carries a hint, which Moodle's gapselect cannot hold: a multichoice keeps it
    assert by_id["q-dropdown"]["qtype"] == "multichoice"
    perangkat = by_id["q-perangkat"]
    assert sorted(a["fraction"] for a in perangkat["answers"]) == [-1, 0.5, 0.5]
    pct = by_id["q-persen"]
    assert (pct["answers"][0]["text"], pct["answers"][0]["tolerance"]) == ("40", 0.4)  # 1% of 40
    assert (pct["units"], pct["unitgradingtype"], pct["showunits"]) == ([("%", 1.0)], 0, 0)


def test_images_travel_inside_the_question(tmp_path):
    course = make_course()
    result, questions = export(course, tmp_path)
    qo = next(q for q in questions if q.get("idnumber") == "q-perangkat")
    text = qo["questiontext"]
    assert '<img src="@@PLUGINFILE@@/img_struktur-pemdes.svg"' in text["text"]
    svg = (course.root / "assets" / "img" / "struktur-pemdes.svg").read_bytes()
    assert base64.b64decode(text["files"]["img_struktur-pemdes.svg"]) == svg


def test_dropdown_without_choice_hints_is_a_select_in_the_text(tmp_path):
    course = make_course()
    drop = next(p for p in course.problems() if p.type == "dropdown")
    for choice in drop.choices:
        choice.hint = ""
    _, questions = export(course, tmp_path)
    qo = next(q for q in questions if q.get("idnumber") == drop.id)
    assert qo["qtype"] == "gapselect"
    assert qo["questiontext"]["text"].endswith("<p>[[2]]</p>")
    assert [c["answer"] for c in qo["choices"]] == ["5 tahun", "6 tahun", "8 tahun & lebih"]
    assert gap_right_choices(qo) == ["6 tahun"]


def test_pools_get_their_own_category_and_objectives_become_tags(tmp_path):
    course = make_course()
    quiz = course.chapters[-1].sequentials[-1]
    unit = quiz.units[0]
    unit.pool_draw = 1
    problem = unit.pool[0]
    problem.objective, problem.level = "tkd-o1", "applied"
    _, questions = export(course, tmp_path)
    pool = next(q for q in questions if q["qtype"] == "category" and q["idnumber"] == unit.id)
    assert pool["category"].endswith(f"/{quiz.title}/{unit.title}")
    assert "draws 1 of these" in pool["info"]
    qo = next(q for q in questions if q.get("idnumber") == problem.id)
    assert qo["category"] == pool["category"]
    assert qo["tags"] == ["objective:tkd-o1", "level:applied"]


@pytest.mark.parametrize("course_dir", BUNDLED, ids=lambda p: p.name)
def test_bundled_courses_round_trip(course_dir, tmp_path):
    [course], diagnostics = load_courses([course_dir])
    assert not [d for d in diagnostics if d.is_error]
    result, questions = export(course, tmp_path)
    check_round_trip(course, questions)
    etree.fromstring(result.path.read_bytes())  # well-formed, UTF-8
    assert result.path.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
