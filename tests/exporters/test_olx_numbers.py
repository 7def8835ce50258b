"""Indonesian number answers in Open edX, proved with Open edX's own code.

Why not a numericalresponse: its parser is openedx-calc's `evaluator` (installed from PyPI), which reads `30%` as
0.3 and cannot read `40,25` or `1.500.000`. What the exporter writes instead, a stringresponse with
`type="ci regexp"`, is graded here exactly as capa's StringResponse grades it (xmodule/capa/responsetypes.py:
setup_response, check_string): the answer is contextualized and stripped, the learner's input stripped, and
`re.search('^' + '|'.join(answers) + '$', given, re.IGNORECASE | re.UNICODE)` decides."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from calc import evaluator
from lxml import etree
from olx_samples import extract, make_course

from pamong_edx.blocktypes.numerical.numbers import parse_number
from pamong_edx.blocktypes.numerical.olx import bounds
from pamong_edx.course.loader import load_courses
from pamong_edx.course.model import NumericalProblem
from pamong_edx.course.richtext import RichText
from pamong_edx.exporters.olx import OlxExporter
from pamong_edx.player.lang import language_pack

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted(p for p in (REPO / "course_src").glob("*/") if (p / "course.yaml").is_file())
# openedx-calc still uses pyparsing's old names
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning")


def test_open_edx_numerical_input_cannot_grade_indonesian_numbers():
    assert evaluator({}, {}, "40.25") == 40.25
    assert evaluator({}, {}, "30%") == pytest.approx(0.3)  # a learner's 30 % is marked wrong against 30
    assert evaluator({}, {}, "30 %") == pytest.approx(0.3)
    for typed in ("40,25", "1.500.000"):
        with pytest.raises(Exception):
            evaluator({}, {}, typed)


class StringResponse:
    """capa's StringResponse grading, from edx-platform's source (no Django needed for these few lines)."""

    def __init__(self, element):
        answer = element.get("answer")
        assert "_or_" not in answer.lower()  # that switches capa to its old string matching
        assert "$" not in answer  # contextualize_text replaces $names from the problem's context
        kinds = (element.get("type") or "").lower().split(" ")
        self.regexp, self.case_insensitive = "regexp" in kinds, "ci" in kinds
        answers = [answer] + [e.get("answer") for e in element.findall("additional_answer")]
        self.correct_answer = [a.strip() for a in answers]

    def correct(self, student_answer: str) -> bool:
        given = student_answer.strip()
        if not given:
            return False
        assert self.regexp
        flags = re.IGNORECASE if self.case_insensitive else 0
        return bool(re.search(re.compile("^" + "|".join(self.correct_answer) + "$", flags=flags | re.UNICODE),
                              given))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every numerical problem of the bundled courses, as the OLX package grades it."""
    out = tmp_path_factory.mktemp("numbers")
    found = []
    courses, _ = load_courses(BUNDLED)
    for course in courses:
        root = extract(OlxExporter(course, out).build().path, out / course.slug) / "course"
        pack = language_pack(course.language)
        for problem in course.problems():
            if isinstance(problem, NumericalProblem):
                element = etree.parse(str(root / "problem" / f"{problem.id}.xml")).getroot().find("stringresponse")
                found.append((problem, pack, StringResponse(element)))
    return found


def graded_as_olx(problem: NumericalProblem, tmp_path: Path, language: str = "id") -> StringResponse:
    """One numerical problem in the OLX package of the model course, as capa grades it."""
    course = make_course()
    course.language = language
    unit = course.chapters[-1].sequentials[-1].units[0]
    unit.blocks = [problem]
    problem.loc = unit.loc
    root = extract(OlxExporter(course, tmp_path).build().path, tmp_path / "x") / "course"
    element = etree.parse(str(root / "problem" / f"{problem.id}.xml")).getroot().find("stringresponse")
    return StringResponse(element)


def numerical(id_: str, answer: float, tolerance: float = 0.0, unit: str = "", percent: bool = False):
    return NumericalProblem(id_, "numerical", "", None, question_html=RichText(["<p>Berapa?</p>"]),
                            answer=answer, tolerance=tolerance, tolerance_is_percent=percent, unit=unit)


def test_percentages_accept_what_learners_type(tmp_path):
    porsi = graded_as_olx(numerical("porsi", 40, 0.5, "%"), tmp_path / "a")  # 40 % within 0.5
    assert all(porsi.correct(t) for t in ("40", "40%", "40 %", "40,25", "40,5 %", "39,5", "40.25", " 40 % "))
    assert not any(porsi.correct(t) for t in ("0,4", "0.4", "41", "40,51", "4.000", "40%%", "% 40 %", "4O"))
    tiga_puluh = graded_as_olx(numerical("keterwakilan", 30, unit="%"), tmp_path / "b")  # 30 %
    assert all(tiga_puluh.correct(t) for t in ("30", "30%", "30 %", "30,0", "030"))
    assert not any(tiga_puluh.correct(t) for t in ("0,3", "0.3", "3", "300", "30,01"))


def test_thousands_decimal_commas_and_units_in_words(tmp_path):
    rupiah = graded_as_olx(numerical("dana", 1500000, unit="rupiah"), tmp_path / "a")
    assert all(rupiah.correct(t) for t in ("1.500.000", "1500000", "1.500.000 rupiah", "1,500,000", "1.500.000,00"))
    assert not any(rupiah.correct(t) for t in ("1.500", "1,5", "150.000", "1.500.00"))
    koma = graded_as_olx(numerical("koma", 40.25), tmp_path / "b")
    assert all(koma.correct(t) for t in ("40,25", "40.25", "40,250"))
    assert not any(koma.correct(t) for t in ("4025", "40,2", "40.250"))  # 40.250 is 40250 in Indonesian
    english = graded_as_olx(numerical("english", 40.25), tmp_path / "c", language="en")
    assert english.correct("40.25") and english.correct("40,25") and not english.correct("40,250")


def test_every_spelling_grades_as_the_player_reads_it(graded):
    """For every bundled numerical problem, random spellings of numbers in and around its range are graded
    right by capa exactly when the player's reading (numbers.parse_number) lies in the range."""
    rnd = random.Random(7)
    checked = 0
    for problem, pack, response in graded:
        lo, hi = bounds(problem)
        for value in (lo, hi, (lo + hi) / 2, hi + Decimal("0.01"), lo - Decimal("0.01"), lo * 10, hi * 1000):
            for text in spellings(value, pack.decimal_separator, problem.unit, rnd):
                read = parse_number(text, pack.decimal_separator, pack.group_separator, problem.unit)
                expected = read is not None and lo <= read <= hi
                assert response.correct(text) == expected, (problem.id, text)
                checked += 1
    assert checked > 500


def spellings(value: Decimal, decimal: str, unit: str, rnd: random.Random) -> list[str]:
    text = format(value, "f")
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, frac = digits.partition(".")
    group = "." if decimal == "," else ","
    rev = whole[::-1]
    grouped = group.join(rev[i:i + 3] for i in range(0, len(rev), 3))[::-1]
    out = []
    for w in (whole, grouped):
        for dec in (decimal, "." if decimal == "," else ","):
            for f in (frac, frac.rstrip("0"), frac + "0"):
                number = sign + w + (dec + f if f else "")
                out += [number, f"{number}{unit}", f"{number} {unit}", f"{unit} {number}"]
    return rnd.sample(out, min(12, len(out)))


def test_where_no_pattern_can_be_written_open_edx_grades_it_and_the_format_is_stated(tmp_path):
    """A unit holding `$` would be read by capa as a variable: the problem stays Open edX's numerical input,
    with the accepted format under the question and a build warning."""
    course = make_course()
    problem = numerical("dolar", 12.5, unit="$")
    unit = course.chapters[-1].sequentials[-1].units[0]
    problem.loc = unit.loc
    unit.blocks = [problem]
    result = OlxExporter(course, tmp_path).build()
    root = extract(result.path, tmp_path / "x") / "course"
    response = etree.parse(str(root / "problem" / "dolar.xml")).getroot().find("numericalresponse")
    assert response.get("answer") == "12.5"
    assert "titik sebagai pemisah desimal" in response.find("description").text and "12.5" in response.find(
        "description").text
    assert [w for w in result.warnings if "W207" in w and "12.5" in w]
