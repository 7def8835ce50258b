"""Packages under a strict SCORM runtime (strict_api.js): every value the player sends must be one the SCORM 1.2
and 2004 specifications and Moodle's runtime accept, for the fixture course and for every bundled course.

The runtime refuses what either the specification or Moodle refuses (see its header); its own refusals are
tested first, so a clean run means something."""

from __future__ import annotations

import json

import pytest

from pamong_edx.course.loader import load_courses
from pamong_edx.course.model import ChoiceProblem
from scorm_support import (
    REPO, VERSIONS, answer_sco, answer_sco_quickly, build_package, sco_of, strict_close, strict_launch,
    strict_state,
)

pytestmark = pytest.mark.browser
BUNDLED = sorted(p for p in (REPO / "course_src").glob("*/") if (p / "course.yaml").is_file())


def records(values: dict, prefix: str = "cmi.interactions.") -> dict[str, dict[str, str]]:
    """The interactions the runtime holds, by interaction id: element suffix -> value."""
    by_index: dict[str, dict[str, str]] = {}
    for key, value in values.items():
        if key.startswith(prefix) and key[len(prefix):].split(".")[0].isdigit():
            index, _, rest = key[len(prefix):].partition(".")
            by_index.setdefault(index, {})[rest] = value
    return {r["id"]: r for r in by_index.values()}


# ------------------------------------------------------------------------------- the runtime is strict

REFUSED = {
    "1.2": [
        ("LMSSetValue", "cmi.core.lesson_location", "x", "301"),  # before LMSInitialize
        ("LMSSetValue", "cmi.core.lesson_status", "done", "405"),
        ("LMSSetValue", "cmi.core.score.raw", "100.5", "405"),
        ("LMSSetValue", "cmi.core.student_id", "x", "403"),
        ("LMSSetValue", "cmi.interactions.1.id", "q2", "201"),  # out of order
        ("LMSSetValue", "cmi.interactions.0.student_response", "desa", "405"),  # choice: single characters
        ("LMSSetValue", "cmi.interactions.0.correct_responses.0.pattern", "kabupaten-kota", "405"),
        ("LMSSetValue", "cmi.interactions.0.weighting", "150", "405"),
        ("LMSGetValue", "cmi.interactions.0.id", None, "404"),  # write-only
        ("LMSCommit", None, None, "201"),
    ],
    "2004": [
        ("SetValue", "cmi.location", "x", "132"),  # before Initialize
        ("SetValue", "cmi.completion_status", "done", "406"),
        ("SetValue", "cmi.score.scaled", "1.5", "407"),
        ("SetValue", "cmi.interactions.0.learner_response", "kabupaten-kota", "406"),  # short_identifier_type
        ("SetValue", "cmi.interactions.0.learner_response", "a[,]a", "406"),  # choices once each
        ("SetValue", "cmi.interactions.1.type", "choice", "408"),  # before its id
        ("SetValue", "cmi.interactions.0.weighting", "123456", "406"),  # Moodle: five integer digits
        ("SetValue", "cmi.interactions.2.learner_response", "1500000", "406"),
        ("SetValue", "cmi.interactions.2.correct_responses.0.pattern", "5[:]1", "406"),
        ("SetValue", "cmi.interactions.3.correct_responses.5.pattern", "x", "351"),  # over fill-in's 5
        ("SetValue", "cmi.interactions.3.description", "{oops} not a language", "406"),
        ("Commit", None, None, "201"),
    ],
}

PROBE = {
    "1.2": """() => {
        const api = new StrictScorm12({cmi: {"cmi.core.student_id": "p1"}});
        const before = api.LMSSetValue("cmi.core.lesson_location", "x") === "false" && api.LMSGetLastError() === "301";
        api.LMSInitialize("");
        api.LMSSetValue("cmi.core.lesson_status", "done");
        api.LMSSetValue("cmi.core.score.raw", "100.5");
        api.LMSSetValue("cmi.core.student_id", "x");
        api.LMSSetValue("cmi.interactions.1.id", "q2");
        api.LMSSetValue("cmi.interactions.0.id", "q1");
        api.LMSSetValue("cmi.interactions.0.type", "choice");
        api.LMSSetValue("cmi.interactions.0.student_response", "desa");
        api.LMSSetValue("cmi.interactions.0.correct_responses.0.pattern", "kabupaten-kota");
        api.LMSSetValue("cmi.interactions.0.weighting", "150");
        api.LMSSetValue("cmi.interactions.0.student_response", "a,c");
        api.LMSGetValue("cmi.interactions.0.id");
        api.LMSCommit();
        return {before, refused: api.runtime.refused};
    }""",
    "2004": """() => {
        const api = new StrictScorm2004({});
        const before = api.SetValue("cmi.location", "x") === "false" && api.GetLastError() === "132";
        api.Initialize("");
        api.SetValue("cmi.completion_status", "done");
        api.SetValue("cmi.score.scaled", "1.5");
        api.SetValue("cmi.interactions.0.id", "q1");
        api.SetValue("cmi.interactions.0.type", "choice");
        api.SetValue("cmi.interactions.0.learner_response", "kabupaten-kota");
        api.SetValue("cmi.interactions.0.learner_response", "a[,]a");
        api.SetValue("cmi.interactions.1.type", "choice");
        api.SetValue("cmi.interactions.0.weighting", "123456");
        api.SetValue("cmi.interactions.1.id", "q2");
        api.SetValue("cmi.interactions.2.id", "q3");
        api.SetValue("cmi.interactions.2.type", "numeric");
        api.SetValue("cmi.interactions.2.learner_response", "1500000");
        api.SetValue("cmi.interactions.2.correct_responses.0.pattern", "5[:]1");
        api.SetValue("cmi.interactions.3.id", "q4");
        api.SetValue("cmi.interactions.3.type", "fill-in");
        for (let i = 0; i < 5; i++) { api.SetValue("cmi.interactions.3.correct_responses." + i + ".pattern", "x" + i); }
        api.SetValue("cmi.interactions.3.correct_responses.5.pattern", "x");
        api.SetValue("cmi.interactions.3.description", "{oops} not a language");
        api.Commit();
        return {before, refused: api.runtime.refused};
    }""",
}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_strict_runtime_refuses_what_the_specs_and_moodle_refuse(version, server, open_page):
    session = open_page()
    session.page.goto(f"{server.url}/strict.html")
    probe = session.page.evaluate(PROBE[version])
    assert probe["before"]
    assert [tuple(r) for r in probe["refused"]] == REFUSED[version]


# ------------------------------------------------------------------------------------ the fixture course


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("correct", [True, False], ids=["all-correct", "all-wrong"])
def test_the_quiz_sends_only_valid_values(version, correct, fixture_packages, server, open_page):
    built = fixture_packages[version]
    sco = sco_of(built, "final-quiz")
    session = open_page()
    frame = strict_launch(session, server, built, sco)
    answer_sco(frame, sco, correct, "en")
    state = strict_close(session)
    assert state["refused"] == []
    held = state["committed"]
    if version == "1.2":
        assert (held["cmi.core.lesson_status"], held["cmi.core.score.raw"]) == (
            ("passed", "100") if correct else ("failed", "0"))
    else:
        assert (held["cmi.success_status"], held["cmi.score.raw"]) == (("passed", "100") if correct else ("failed", "0"))
    rows = records(held)
    assert list(rows) == [q.problem.id for q in sco.questions]
    response = "student_response" if version == "1.2" else "learner_response"
    if correct:
        assert rows["q-multi"][response] == ("a,c" if version == "1.2" else "a[,]c")
    assert rows["q-multi"]["correct_responses.0.pattern"] == ("a,c" if version == "1.2" else "a[,]c")
    if version == "2004":  # the question as plain text (1.2 has no description)
        from pamong_edx.player.qtype import plain

        assert [r["description"] for r in rows.values()] == [plain(q.problem.question_html) for q in sco.questions]
    else:
        assert not any("description" in r for r in rows.values())
    # the session time is in before the final commit (Terminate)
    calls = state["calls"]
    last = max(i for i, c in enumerate(calls) if c[1] and c[1].endswith("session_time"))
    assert calls[last + 1:] and calls[-1][0] in ("LMSFinish", "Terminate")


def test_choice_ids_that_spec_strict_lms_refuse_are_mapped_and_the_map_is_in_the_package(tmp_path, server,
                                                                                         open_page):
    """Word ids (desa, kabupaten-kota) become 0-9a-z characters in 1.2 and short identifiers in 2004; the
    package keeps the map back to the author's ids and texts."""
    from scorm_support import make_fixture_course

    course = make_fixture_course()
    quiz = course.chapters[1].sequentials[0]
    single = quiz.units[0].blocks[0]
    for choice, new in zip(single.choices, ("desa", "kabupaten-kota", "kelurahan.lama")):
        choice.id = new
    for version, expected in (("1.2", "b"), ("2004", "kabupaten_kota")):
        built = build_package(course, version, tmp_path / version)
        sco = sco_of(built, "final-quiz")
        session = open_page()
        frame = strict_launch(session, server, built, sco)
        answer_sco(frame, sco, True, "en", pages=1)
        state = strict_state(session)
        assert state["refused"] == []
        row = records(state["values"])["q-single"]
        assert row["student_response" if version == "1.2" else "learner_response"] == expected
        mapping = json.loads((built.root / "pamong-interactions.json").read_text("utf-8"))
        choices = mapping["scos"]["final-quiz"]["q-single"]["choices"]
        assert choices[expected] == {"id": "kabupaten-kota", "label": "The BPD"}
        assert mapping["scorm_version"] == version


# ---------------------------------------------------------------------------------- the bundled courses


@pytest.fixture
def bundled(request, tmp_path):
    """One bundled course (the test's parameter), built for both SCORM versions."""
    courses, diagnostics = load_courses([request.param])
    assert not [d for d in diagnostics if d.is_error]
    return [(c, v, build_package(c, v, tmp_path / c.slug / v)) for c in courses for v in VERSIONS]


@pytest.mark.parametrize("bundled", BUNDLED, ids=[p.name for p in BUNDLED], indirect=True)
def test_every_sco_of_every_bundled_course_runs_without_a_refused_call(bundled, server, open_page):
    """Every SCO of a bundled course, both versions, every question answered: zero refused calls."""
    session = open_page()
    runs = 0
    for course, version, built in bundled:
        for sco in built.exporter.plan.scos:
            strict_launch(session, server, built, sco)
            answered = answer_sco_quickly(session, sco, course.language)
            state = strict_close(session)
            assert state["refused"] == [], (course.slug, version, sco.key)
            assert len(answered) == sco.required_questions or not sco.required_questions
            runs += 1
            if sco.graded:
                held = state["committed"]
                status = held["cmi.core.lesson_status"] if version == "1.2" else held["cmi.success_status"]
                assert status == "passed", (course.slug, version, sco.key)
            words = [c.id for q in sco.questions if isinstance(q.problem, ChoiceProblem) for c in q.problem.choices]
            if version == "1.2" and any(len(w) > 1 for w in words):
                held = records(state["committed"])
                assert all(len(r.get("student_response", "x")) == 1 or "," in r["student_response"]
                           for r in held.values() if r["type"] == "choice")
    assert session.errors == []
    assert runs == sum(len(b.exporter.plan.scos) for _, _, b in bundled)
