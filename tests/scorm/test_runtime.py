"""Packages run in a real SCORM runtime: scorm-again's 1.2 and 2004 APIs in headless chromium.

The test LMS page (conftest.HOST_PAGE) holds the API and loads a SCO in an iframe, as Moodle does. Every API
call is recorded and must succeed; every request the browser makes must go to the local test server.
"""

from __future__ import annotations

import json

import pytest

from pamong_edx.course.loader import load_courses
from pamong_edx.course.model import ChoiceProblem, NumericalProblem
from pamong_edx.blocktypes.numerical.player import fits_2004
from pamong_edx.exporters.scorm_plan import Sco
from pamong_edx.exporters.scorm_runtime import largest_state

from scorm_support import (
    REPO, VERSIONS, answer, answer_sco, answer_sco_quickly, build_package, close_sco, launch, make_fixture_course,
    sco_of, with_local_video,
)

pytestmark = pytest.mark.browser
BUNDLED = sorted(p for p in (REPO / "course_src").glob("*/") if (p / "course.yaml").is_file())


def interactions(cmi: dict) -> list[dict]:
    found = cmi["interactions"]
    rows = found.get("childArray", found) if isinstance(found, dict) else found
    if isinstance(rows, dict):
        rows = [rows[k] for k in sorted(rows, key=int)]
    return rows


def check_no_errors(session, server):
    assert session.page.evaluate("window.apiErrors") == [], session.page.evaluate("window.apiCalls")
    commits = [c for c in session.page.evaluate("window.apiCalls") if c[0] in ("LMSCommit", "Commit")]
    assert commits and all(c[1] == "" for c in commits), "every commit passes the empty string"
    assert session.foreign_requests(server.url) == []
    assert session.errors == []


# ----------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_lesson_completes_when_its_last_page_is_seen(version, fixture_packages, server, open_page):
    built = fixture_packages[version]
    sco = sco_of(built, "lesson-1")
    session = open_page()
    frame = launch(session, server, built, sco)
    status = "cmi.core.lesson_status" if version == "1.2" else "cmi.completion_status"
    get = "API.LMSGetValue" if version == "1.2" else "API_1484_11.GetValue"
    assert session.page.evaluate(f"{get}('{status}')") == "incomplete"
    for _ in sco.pages[1:]:
        frame.locator('[data-action="next"]').click()
    assert frame.locator('[data-action="next"]').is_disabled()
    assert session.page.evaluate(f"{get}('{status}')") == "completed"
    cmi = close_sco(session)
    if version == "1.2":
        assert cmi["core"]["lesson_status"] == "completed"
        assert cmi["core"]["exit"] == ""
        assert cmi["core"]["score"]["raw"] == ""  # a lesson reports no score
    else:
        assert cmi["completion_status"] == "completed"
        assert cmi["success_status"] == "unknown"
        assert cmi["exit"] == "normal"
        assert float(cmi["progress_measure"]) == 1
    assert server.commits and "cmi" in server.commits[-1]
    check_no_errors(session, server)


def expected_interactions(sco: Sco, responses: dict, correct: bool, version: str) -> list[dict]:
    rows = []
    for q in sco.questions:
        p = q.problem
        kind = {"choice": "choice", "numeric": "numeric", "text": "fill-in"}[
            "choice" if isinstance(p, ChoiceProblem) else "numeric" if isinstance(p, NumericalProblem) else "text"]
        if kind == "numeric" and version == "2004" and not fits_2004(p):
            kind = "fill-in"  # Moodle's 2004 runtime takes at most five integer digits in a numeric interaction
        response = responses[p.id]
        if version == "2004" and kind == "choice":
            response = response.replace(",", "[,]")
        result = "correct" if correct else ("wrong" if version == "1.2" else "incorrect")
        rows.append({"id": p.id, "type": kind, "response": response, "result": result})
    return rows


@pytest.mark.parametrize("version", ["1.2", "2004"])
@pytest.mark.parametrize("correct", [True, False], ids=["all-correct", "all-wrong"])
def test_quiz_reports_score_status_and_interactions(version, correct, fixture_packages, server, open_page):
    built = fixture_packages[version]
    sco = sco_of(built, "final-quiz")
    session = open_page()
    frame = launch(session, server, built, sco)
    responses = answer_sco(frame, sco, correct, "en")
    text = frame.locator('[data-question-id="q-text"]')
    # a posttest shows an explanation once the question is done with: answered right (unlimited attempts)
    assert text.locator('[data-role="explanation"]').is_visible() == correct
    drop = frame.locator('[data-question-id="q-drop"]')  # max_attempts 1
    pct = frame.locator('[data-question-id="q-num-pct"]')  # max_attempts 2
    if correct:
        assert drop.locator('[data-action="submit"]').is_disabled()
    else:
        assert drop.locator('[data-role="attempts"]').inner_text() == "No attempts left."
        assert drop.locator('select').is_disabled() and drop.locator('[data-action="submit"]').is_disabled()
        assert drop.locator('[data-role="explanation"]').get_attribute("hidden") is None  # its page is not shown now
        assert pct.locator('[data-role="attempts"]').inner_text() == "Attempts left: 1"
        assert not pct.locator('[data-action="submit"]').is_disabled()
        assert "Correct answer" not in pct.locator('[data-role="feedback"]').inner_text()
    results = frame.locator('[data-role="results"]')
    assert results.is_visible()
    assert ("Passed" if correct else "Not passed") in results.inner_text()
    cmi = close_sco(session)

    rows = interactions(cmi)
    key = "student_response" if version == "1.2" else "learner_response"
    got = [{"id": r["id"], "type": r["type"], "response": r[key], "result": r["result"]} for r in rows]
    assert got == expected_interactions(sco, responses, correct, version)
    if version == "1.2":
        core = cmi["core"]
        assert core["lesson_status"] == ("passed" if correct else "failed")
        assert (core["score"]["raw"], core["score"]["min"], core["score"]["max"]) == (
            "100" if correct else "0", "0", "100")
        assert core["exit"] == ""
        assert rows[0]["correct_responses"]["0"]["pattern"] == "b"
    else:
        assert cmi["success_status"] == ("passed" if correct else "failed")
        assert cmi["completion_status"] == "completed"
        assert cmi["score"]["raw"] == ("100" if correct else "0")
        assert float(cmi["score"]["scaled"]) == (1.0 if correct else 0.0)
        assert (cmi["score"]["min"], cmi["score"]["max"]) == ("0", "100")
        assert rows[1]["correct_responses"]["0"]["pattern"] == "a[,]c"
        assert rows[3]["correct_responses"]["0"]["pattern"] == "39.5[:]40.5"
    check_no_errors(session, server)


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_leaving_midway_and_relaunching_resumes_at_the_bookmark(version, fixture_packages, server, open_page):
    built = fixture_packages[version]
    sco = sco_of(built, "final-quiz")
    first = open_page()
    frame = launch(first, server, built, sco)
    answer_sco(frame, sco, True, "en", pages=1)  # page 1 answered, then on to page 2 and away
    frame.locator('[data-action="next"]').click()
    frame.locator(f'.page.is-current[data-unit-id="{sco.pages[1].unit.id}"]').wait_for()
    cmi = close_sco(first)
    check_no_errors(first, server)
    stored = server.commits[-1]["cmi"]  # what reached the LMS over the wire
    if version == "1.2":
        assert cmi["core"]["exit"] == "suspend"
        assert cmi["core"]["lesson_status"] == "incomplete"
        assert cmi["core"]["score"]["raw"] == ""  # no score before every graded question has an answer
        resume = {"core": {"lesson_location": stored["core"]["lesson_location"],
                           "lesson_status": stored["core"]["lesson_status"]},
                  "suspend_data": stored["suspend_data"]}
        assert resume["core"]["lesson_location"] == sco.pages[1].unit.id
    else:
        assert cmi["exit"] == "suspend"
        assert cmi["completion_status"] == "incomplete" and cmi["success_status"] == "unknown"
        resume = {"location": stored["location"], "suspend_data": stored["suspend_data"],
                  "completion_status": stored["completion_status"]}
        assert resume["location"] == sco.pages[1].unit.id
    assert len(resume["suspend_data"]) <= len(largest_state(sco, built.exporter.ctx))

    second = open_page()
    frame = launch(second, server, built, sco, resume=resume)
    assert frame.locator(".page.is-current").get_attribute("data-unit-id") == sco.pages[1].unit.id
    assert second.page.evaluate("window.API ? API.LMSGetValue('cmi.core.entry') : API_1484_11.GetValue('cmi.entry')") == "resume"
    single = frame.locator('[data-question-id="q-single"]')
    assert single.locator('[data-choice-id="b"]').is_checked()  # the earlier answers are back, and locked
    assert single.locator('[data-action="submit"]').is_disabled()
    answer_sco(frame, sco, True, "en", start_page=1)
    cmi = close_sco(second)
    if version == "1.2":
        assert (cmi["core"]["lesson_status"], cmi["core"]["score"]["raw"]) == ("passed", "100")
    else:
        assert (cmi["success_status"], cmi["score"]["raw"]) == ("passed", "100")
    check_no_errors(second, server)


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_largest_saved_state_fits_and_matches_the_players_layout(version, fixture_packages, server, open_page):
    """Answers as long as the inputs allow, every attempt used: the state the player writes stays within the
    bound the exporter checks, in the same layout."""
    built = fixture_packages[version]
    sco = sco_of(built, "final-quiz")
    session = open_page()
    frame = launch(session, server, built, sco)
    for i, page in enumerate(sco.pages):
        if i:
            frame.locator('[data-action="next"]').click()
        for block in page.unit.blocks:
            if block.type == "text_answer":
                q = frame.locator(f'[data-question-id="{block.id}"]')
                q.get_by_label("Your answer").fill('"\\' * 100)  # quotes and backslashes double in JSON
                q.locator('[data-action="submit"]').click()
            elif block.is_problem:
                answer(frame, block, False, "en")
    suspend = session.page.evaluate(
        "window.API ? API.LMSGetValue('cmi.suspend_data') : API_1484_11.GetValue('cmi.suspend_data')")
    bound = largest_state(sco, built.exporter.ctx)
    assert len(suspend) <= len(bound) <= 4096
    saved, worst = json.loads(suspend), json.loads(bound)
    assert saved.keys() == worst.keys() and saved["f"] == worst["f"] and len(saved["q"]) == len(worst["q"])
    text_row = next(r for r in saved["q"] if sco.questions[r[0]].problem.type == "text_answer")
    assert len(text_row[2]) == 64  # the input's maxlength
    check_no_errors(session, server)


def test_quiz_is_keyboard_usable_and_fits_a_360px_phone(fixture_packages, server, open_page, tmp_path):
    built = fixture_packages["2004"]
    sco = sco_of(built, "final-quiz")
    session = open_page(width=360, height=740)
    base = server.mount("phone", built.root)
    page = session.page
    page.goto(f"{base}/{sco.href}")  # the SCO on its own: no LMS around
    page.locator(".page.is-current").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(tmp_path / "quiz-360.png"), full_page=True)

    page.locator('[data-question-id="q-single"] [data-choice-id="b"]').focus()
    page.keyboard.press("Tab")  # out of the radio group, to the hint button
    page.keyboard.press("Enter")
    assert page.locator('[data-question-id="q-single"] .hints li').first.is_visible()
    page.locator('[data-question-id="q-single"] [data-choice-id="b"]').focus()
    page.keyboard.press("Space")
    page.locator('[data-question-id="q-single"] [data-action="submit"]').focus()
    page.keyboard.press("Enter")
    assert page.locator('[data-question-id="q-single"] [data-role="feedback"]').inner_text() == "Correct."
    page.locator('[data-action="next"]').focus()
    page.keyboard.press("Enter")
    text = page.locator('[data-question-id="q-text"]').get_by_label("Your answer")
    text.fill("apb desa")
    text.press("Enter")  # Enter in the field submits the question
    assert page.locator('[data-question-id="q-text"] [data-role="feedback"]').inner_text() == "Correct."
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert session.foreign_requests(server.url) == []
    assert session.errors == []


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_without_an_lms_it_works_from_files_and_keeps_progress_on_the_device(version, fixture_packages, open_page):
    built = fixture_packages[version]
    sco = sco_of(built, "final-quiz")
    session = open_page(offline=True)
    page = session.page
    url = (built.root / sco.href).as_uri()
    page.goto(url)
    page.locator(".page.is-current").wait_for()
    assert page.locator('[data-role="device-note"]').is_visible()
    page.locator('[data-question-id="q-single"] [data-choice-id="b"]').check()
    page.locator('[data-question-id="q-single"] [data-action="submit"]').click()
    page.locator('[data-action="next"]').click()
    page.reload()
    page.locator(".page.is-current").wait_for()
    assert page.locator(".page.is-current").get_attribute("data-unit-id") == sco.pages[1].unit.id
    assert page.locator('[data-question-id="q-single"] [data-choice-id="b"]').is_checked()
    package = built.root.as_uri()
    assert [u for u in session.requests if not u.startswith(package)] == []
    assert session.errors == []


def test_videos_make_no_request_until_played_and_fall_back_to_a_link_offline(fixture_packages, server, open_page):
    built = fixture_packages["1.2"]
    sco = sco_of(built, "lesson-1")
    session = open_page()
    frame = launch(session, server, built, sco)
    video = frame.locator("[data-video]")
    assert video.get_by_role("link", name="Open the video").get_attribute("href") == "https://video.example.org/musdes.mp4"
    assert video.get_by_role("link", name="Transcript").get_attribute("href") == "assets/musdes.vtt"
    session.page.context.set_offline(True)
    video.locator('[data-action="play-video"]').click()
    note = video.locator('[data-role="video-note"]')
    assert note.is_visible() and "offline" in note.inner_text()
    assert session.foreign_requests(server.url) == []
    assert session.errors == []


def test_a_video_file_of_the_package_plays_offline_with_captions_and_stops_when_the_page_changes(
        tmp_path, open_page):
    built = build_package(with_local_video(make_fixture_course()), "1.2", tmp_path)
    session = open_page(offline=True)
    page = session.page
    page.goto((built.root / "lesson-1.html").as_uri())
    page.locator(".page.is-current").wait_for()
    video = page.get_by_role("figure").locator("video")
    assert video.is_visible() and video.get_attribute("aria-labelledby")
    assert not [u for u in session.requests if u.endswith(".mp4")]  # preload="none": nothing fetched yet
    assert page.locator('[data-role="video-note"]:visible').count() == 0  # offline is no reason to warn

    video.focus()
    page.keyboard.press("Space")  # the native controls play it from the keyboard
    page.wait_for_function("document.querySelector('video').currentTime > 0.3", timeout=10000)
    captions = page.evaluate("""() => {
        const track = document.querySelector('video').textTracks[0];
        return {mode: track.mode, cues: track.cues ? [...track.cues].map(c => c.text) : null};
    }""")
    assert captions == {"mode": "showing", "cues": ["The village meeting starts."]}

    page.locator('[data-action="next"]').click()
    assert page.evaluate("document.querySelector('video').paused")
    package = built.root.as_uri()
    assert [u for u in session.requests if not u.startswith(package)] == []
    assert session.errors == []


@pytest.fixture(scope="module")
def bundled_packages(tmp_path_factory) -> dict[str, list]:
    courses, diagnostics = load_courses(BUNDLED)
    assert not [d for d in diagnostics if d.is_error]
    out = tmp_path_factory.mktemp("scorm-bundled")
    return {v: [(c, build_package(c, v, out / c.slug / v)) for c in courses] for v in VERSIONS}


@pytest.mark.parametrize("version", VERSIONS)
def test_graded_assessments_of_the_bundled_courses_pass_when_answered_correctly(
        version, bundled_packages, server, open_page):
    graded = [(c, b, s) for c, b in bundled_packages[version] for s in b.exporter.plan.scos if s.graded]
    assert graded, "the bundled courses have graded assessments"
    for course, built, sco in graded:
        session = open_page()
        launch(session, server, built, sco)
        answered = answer_sco_quickly(session, sco, course.language)  # the quiz tests above click as learners do
        cmi = close_sco(session)
        status, raw = ((cmi["core"]["lesson_status"], cmi["core"]["score"]["raw"]) if version == "1.2"
                       else (cmi["success_status"], cmi["score"]["raw"]))
        assert (status, raw) == ("passed", "100"), (course.slug, sco.key)
        # every question shown (of a pool, the ones drawn), in the order answered
        assert [r["id"] for r in interactions(cmi)] == list(answered)
        assert len(answered) == sco.required_questions
        check_no_errors(session, server)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_relaunch_never_lowers_what_the_lms_already_holds(version, fixture_packages, server, open_page):
    """An LMS that kept the status of a passed attempt but not its saved state: answering again, worse, must
    not turn the learner's pass into a fail or an incomplete."""
    built = fixture_packages[version]
    sco = sco_of(built, "final-quiz")
    held = ({"core": {"lesson_status": "passed", "score": {"raw": "100"}}} if version == "1.2"
            else {"completion_status": "completed", "success_status": "passed", "score": {"raw": "100", "scaled": "1"}})
    session = open_page()
    frame = launch(session, server, built, sco, resume=held)
    answer_sco(frame, sco, False, "en")
    cmi = close_sco(session)
    if version == "1.2":
        assert (cmi["core"]["lesson_status"], cmi["core"]["score"]["raw"]) == ("passed", "100")
    else:
        assert (cmi["completion_status"], cmi["success_status"], cmi["score"]["raw"]) == ("completed", "passed", "100")
    assert len(interactions(cmi)) == len(sco.questions)  # the answers themselves are still recorded
    check_no_errors(session, server)
