"""Numbers as Indonesians type them, in the SCORM player: its reader (numerical/player.js) agrees with
numbers.py (which the Open edX pattern is built from) on every spelling, and the quiz takes 40 %, 39,6 and the
like as a learner types them."""

from __future__ import annotations

import itertools

import pytest

from pamong_edx.blocktypes.numerical.numbers import parse_number
from pamong_edx.blocktypes.numerical.player import plain
from scorm_support import build_package, make_fixture_course, sco_of, strict_close, strict_launch

pytestmark = pytest.mark.browser

PARTS = ["", "0", "07", "40", "1", "12", "123", "1234", "1500000"]
SEPARATORS = ["", ",", ".", ",5", ".5", ",25", ".25", ",500", ".500", ".500.000", ",500,000", ".500,5", ",500.5"]
AROUND = ["{}", "-{}", "+{}", "{}%", "{} %", "% {}", "Rp {}", "{}rp", "{} hari", " {} ", "{},", ",{}", "{}..5"]


def samples() -> list[str]:
    numbers = {a + b for a, b in itertools.product(PARTS, SEPARATORS) if a or b}
    return sorted({pattern.format(n) for n in numbers for pattern in AROUND}) + ["", "abc", "4O", "1 500", "۱۲"]


@pytest.mark.parametrize("language, unit", [("id", "%"), ("en", "%"), ("id", "Rp"), ("id", "")])
def test_player_and_pattern_read_every_spelling_alike(language, unit, tmp_path, open_page):
    built = build_package(make_fixture_course(language=language), "2004", tmp_path)
    session = open_page(offline=True)
    page = session.page
    page.goto((built.root / "final-quiz.html").as_uri())
    page.locator(".page.is-current").wait_for()
    decimal = "," if language == "id" else "."
    group = "." if language == "id" else ","
    texts = samples()
    read = page.evaluate("""([texts, q]) => texts.map(t => PamongPlayer.type('numerical').parse(t, q))""",
                         [texts, {"unit": unit, "decimal": decimal, "group": group}])
    expected = []
    for text in texts:
        value = parse_number(text, decimal, group, unit)
        expected.append(None if value is None else plain(value))
    mismatches = [(t, r, e) for t, r, e in zip(texts, read, expected) if r != e]
    assert mismatches == [] and len(texts) > 1000
    assert session.errors == []


def test_an_indonesian_learner_types_the_answers_as_usual(tmp_path, server, open_page):
    built = build_package(make_fixture_course(language="id"), "1.2", tmp_path)
    sco = sco_of(built, "final-quiz")
    session = open_page()
    frame = strict_launch(session, server, built, sco)
    frame.locator('[data-action="next"]').click()
    percent = frame.locator('[data-question-id="q-num"]')  # 40 % within 0.5
    rupiah = frame.locator('[data-question-id="q-num-pct"]')  # 1.750.000,5 within 1 %
    for question, typed, verdict in ((percent, "40,6 %", "Belum benar. Coba lagi."), (percent, "39,6 %", "Benar."),
                                     (rupiah, "1.750.000,5", "Benar.")):
        question.get_by_label("Jawaban Anda").fill(typed)
        question.locator('[data-action="submit"]').click()
        assert question.locator('[data-role="feedback"]').inner_text() == verdict
    state = strict_close(session)
    assert state["refused"] == []
    responses = {v for k, v in state["committed"].items() if k.endswith("student_response")}
    assert {"39.6", "1750000.5"} <= responses
