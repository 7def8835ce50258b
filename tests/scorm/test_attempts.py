"""Tests that certify, under the strict SCORM runtime: shuffled choices and pool draws per attempt (kept on
resume, scored by choice whatever the order), the answer policy of each kind of test, and answers that survive
an LMS refusing Commit and a tab closed mid-test."""

from __future__ import annotations

import pytest

from scorm_support import (
    VERSIONS, build_package, make_exam_course, sco_of, strict_close, strict_launch, strict_state,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def exam(tmp_path_factory):
    out = tmp_path_factory.mktemp("exam")
    return {v: build_package(make_exam_course(), v, out / v) for v in VERSIONS}


def choice_order(frame, question_id: str) -> list[str]:
    """The choice ids of a question in the order shown."""
    return frame.locator(f'[data-question-id="{question_id}"] [data-choice-id]').evaluate_all(
        "els => els.map(e => e.getAttribute('data-choice-id'))")


def drawn(frame) -> list[str]:
    """The pooled questions shown, in the order shown."""
    return frame.locator("form.problem:not([hidden])").evaluate_all(
        "els => els.map(e => e.getAttribute('data-question-id'))")


def pick(frame, question_id: str, choice_id: str) -> str:
    q = frame.locator(f'[data-question-id="{question_id}"]')
    q.locator(f'[data-choice-id="{choice_id}"]').check()
    q.locator('[data-action="submit"]').click()
    return q.locator('[data-role="feedback"]').inner_text()


def status(version: str, held: dict) -> tuple[str, str]:
    if version == "1.2":
        return held.get("cmi.core.lesson_status", ""), held.get("cmi.core.score.raw", "")
    return held.get("cmi.success_status", ""), held.get("cmi.score.raw", "")


@pytest.mark.parametrize("version", VERSIONS)
def test_shuffle_differs_between_attempts_stays_on_resume_and_scores_by_choice(version, exam, server, open_page):
    built = exam[version]
    sco = sco_of(built, "kuis")
    session = open_page()
    orders = []
    for _ in range(3):  # fresh attempts of the same learner and SCO
        frame = strict_launch(session, server, built, sco)
        orders.append((choice_order(frame, "kuis-1"), choice_order(frame, "kuis-2")))
        strict_close(session)
    for first, second in orders:
        assert sorted(first) == list("abcdef") and sorted(second) == list("abcdef")
        assert first[3] == "d"  # fixed: it keeps its place
    assert len(set(map(repr, orders))) > 1, "every attempt showed the same order"

    frame = strict_launch(session, server, built, sco)
    shown = (choice_order(frame, "kuis-1"), choice_order(frame, "kuis-2"))
    assert pick(frame, "kuis-1", "c") == "Benar."  # right by choice, wherever it sits
    state = strict_close(session)
    frame = strict_launch(session, server, built, sco, held=state["committed"])
    assert (choice_order(frame, "kuis-1"), choice_order(frame, "kuis-2")) == shown  # the same on resume
    assert frame.locator('[data-question-id="kuis-1"] [data-choice-id="c"]').is_checked()
    assert pick(frame, "kuis-2", "e") == "Benar."
    state = strict_close(session)
    assert state["refused"] == []
    rows = {v for k, v in state["committed"].items() if k.endswith(("student_response", "learner_response"))}
    assert rows == {"c", "e"}  # reported by choice identifier, not position


@pytest.mark.parametrize("version", VERSIONS)
def test_a_pool_of_ten_draws_five_scored_over_five_the_same_after_resume(version, exam, server, open_page):
    built = exam[version]
    sco = sco_of(built, "akhir")
    session = open_page()
    frame = strict_launch(session, server, built, sco)
    shown = drawn(frame)
    assert len(shown) == 5 and set(shown) <= {f"bank-{i}" for i in range(1, 11)}
    labels = frame.locator("form.problem:not([hidden]) .q-label").all_inner_texts()
    assert labels == [f"Soal {i}" for i in range(1, 6)]  # numbered as drawn
    for qid in shown[:2]:
        pick(frame, qid, "a")
    state = strict_close(session)
    assert status(version, state["committed"])[1] == ""  # no score before all five are answered

    frame = strict_launch(session, server, built, sco, held=state["committed"])
    assert drawn(frame) == shown  # the same five, in the same order
    for qid in shown[2:4]:
        pick(frame, qid, "a")
    assert pick(frame, shown[4], "b") == "Belum benar. Coba lagi."
    results = frame.locator('[data-role="results"]')
    assert "80" in results.inner_text()
    state = strict_close(session)
    assert state["refused"] == []
    assert status(version, state["committed"]) == ("passed", "80")  # 4 of the 5 drawn: over 5, not 10
    answered = {v for k, v in state["committed"].items() if k.startswith("cmi.interactions.") and k.endswith(".id")}
    assert answered == set(shown)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_pretest_shows_no_answer_and_a_posttest_only_once_passed(version, exam, server, open_page):
    built = exam[version]
    session = open_page()
    frame = strict_launch(session, server, built, sco_of(built, "pre"))
    assert pick(frame, "pre-1", "a") == "Belum benar."  # one attempt, wrong: no answer given away
    first = frame.locator('[data-question-id="pre-1"]')
    assert not first.locator('[data-role="explanation"]').is_visible()
    assert first.locator(".choice.is-right").count() == 0
    assert "Jawaban yang benar" not in first.locator('[data-role="feedback"]').inner_text()
    assert pick(frame, "pre-2", "f") == "Benar."
    assert not frame.locator('[data-question-id="pre-2"] [data-role="explanation"]').is_visible()
    assert strict_close(session)["refused"] == []

    sco = sco_of(built, "akhir")
    frame = strict_launch(session, server, built, sco)
    shown = drawn(frame)
    for qid in shown[:4]:
        pick(frame, qid, "a")
    explanations = frame.locator("form.problem:not([hidden]) [data-role='explanation']")
    assert [e.is_visible() for e in explanations.all()] == [False] * 5  # not passed yet
    pick(frame, shown[4], "a")
    assert [e.is_visible() for e in explanations.all()] == [True] * 5  # passed: the explanations show
    assert strict_close(session)["refused"] == []


@pytest.mark.parametrize("version", VERSIONS)
def test_answers_survive_an_lms_refusing_commit(version, exam, server, open_page):
    built = exam[version]
    sco = sco_of(built, "kuis")
    session = open_page()
    frame = strict_launch(session, server, built, sco, fail_commit=True)
    pick(frame, "kuis-1", "c")
    pick(frame, "kuis-2", "a")
    note = frame.locator('[data-role="device-note"]')
    assert note.is_visible() and "belum terkirim" in note.inner_text()
    state = strict_close(session)  # Terminate fails too
    assert {r[0] for r in state["refused"]} <= {"LMSCommit", "Commit", "LMSFinish", "Terminate"}
    held = state["committed"]
    assert not any(k.startswith("cmi.interactions.") for k in held)  # the LMS has nothing of them

    frame = strict_launch(session, server, built, sco, held=held)  # the signal is back
    assert frame.locator('[data-question-id="kuis-1"] [data-choice-id="c"]').is_checked()
    assert frame.locator('[data-question-id="kuis-2"] [data-choice-id="a"]').is_checked()
    assert not frame.locator('[data-role="device-note"]').is_visible()
    state = strict_state(session)
    assert state["refused"] == []
    sent = state["committed"]
    assert {v for k, v in sent.items() if k.endswith(".id") and k.startswith("cmi.interactions.")} == {
        "kuis-1", "kuis-2"}
    assert '"q":[[0,1,"2"],[1,1,"0"]]' in sent["cmi.suspend_data"]


@pytest.mark.parametrize("version", VERSIONS)
def test_answers_survive_a_tab_closed_mid_test(version, exam, server, browser):
    built = exam[version]
    sco = sco_of(built, "akhir")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        from scorm_support import Session

        first = Session(context.new_page())
        frame = strict_launch(first, server, built, sco)
        shown = drawn(frame)
        pick(frame, shown[0], "a")  # sent
        first.page.evaluate("strict.failCommit = true")  # the signal drops
        pick(frame, shown[1], "b")  # kept on the device only
        held = strict_state(first)["committed"]
        first.page.close()  # the tab is closed: no Terminate reaches the LMS

        second = Session(context.new_page())
        frame = strict_launch(second, server, built, sco, held=held)
        assert drawn(frame) == shown
        assert frame.locator(f'[data-question-id="{shown[1]}"] [data-choice-id="b"]').is_checked()
        state = strict_state(second)
        assert state["refused"] == []
        ids = {v for k, v in state["committed"].items() if k.startswith("cmi.interactions.") and k.endswith(".id")}
        assert ids == set(shown[:2])

        other = Session(context.new_page())  # another learner on the same device starts afresh
        frame = strict_launch(other, server, built, sco, learner="peserta-002")
        assert not frame.locator(f'[data-question-id="{shown[1]}"] [data-choice-id="b"]').is_checked()
    finally:
        context.close()
