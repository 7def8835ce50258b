"""The bundled curricula's assessments are designed to certify, checked on the source as authors write it.

Each course holds one graded posttest whose items are drawn from a pool (`pool: {draw: K}`, K >= 20, at least
1.5 K items), shuffled, with no hint and no stem shared with the pretest; every pooled item names a learning
objective that a chapter declares and says whether it is recall or applied (at least 40 % applied); single-answer
keys are spread over the positions; every chapter states objectives; the pretest never shows its key. The run of
every course is opened for 2027 by a deployment overlay, and no person is named as a signatory in a source.
Every teaching chapter has ungraded practice. Every lesson text opens with its legal basis and ends with a source
note saying what was confirmed against which text.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

COURSE_SRC = Path(__file__).resolve().parents[2] / "course_src"
COURSES = sorted(p.parent.name for p in COURSE_SRC.glob("*/course.yaml"))
PROBLEMS = {"single_choice", "multiple_choice", "dropdown", "numerical", "text_answer"}
ONE_ANSWER = {"single_choice", "dropdown"}
MIN_DRAW, POOL_FACTOR, MIN_APPLIED = 20, 1.5, 0.4
MAX_KEY_SHARE = 0.4  # no choice position holds more than this share of the single-answer keys
# The run must be open for the whole of 1 January 2027 in every Indonesian time zone (WIT to WIB).
OPEN_FROM = dt.datetime(2027, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=9)))
OPEN_UNTIL = dt.datetime(2027, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=7)))


class Source:
    """One course as written: course.yaml with its chapter files inlined."""

    def __init__(self, name: str):
        self.dir = COURSE_SRC / name
        self.course = yaml.safe_load((self.dir / "course.yaml").read_text(encoding="utf-8"))
        self.chapters = [yaml.safe_load((self.dir / c).read_text(encoding="utf-8")) if isinstance(c, str) else c
                         for c in self.course["chapters"]]

    def sequentials(self, kind: str) -> list[dict]:
        return [s for c in self.chapters for s in c["sequentials"] if s.get("kind", "lesson") == kind]

    def objectives(self) -> list[str]:
        return [o["id"] for c in self.chapters for o in c.get("objectives") or []]


def problems(sequential: dict) -> list[dict]:
    return [b for u in sequential["units"] for b in u["blocks"] if b["type"] in PROBLEMS]


def stem(problem: dict) -> str:
    """The question as a learner reads it, without the pretest's opening sentence and Markdown emphasis."""
    text = re.sub(r"Tes awal ini tidak dinilai\.[^\n]*\n", "", problem["question"])
    return re.sub(r"\s+", " ", re.sub(r"[*_`]", "", text)).strip().lower()


def moment(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    return moment(dt.datetime.fromisoformat(str(value)))


@pytest.fixture(scope="module", params=COURSES)
def source(request) -> Source:
    return Source(request.param)


@pytest.fixture
def posttest(source: Source) -> dict:
    found = source.sequentials("posttest")
    assert len(found) == 1, "exactly one posttest"
    return found[0]


def pooled(posttest: dict) -> tuple[int, list[dict]]:
    pools = [u for u in posttest["units"] if "pool" in u]
    assert len(pools) == 1, "the posttest draws its items from one pool"
    unit = pools[0]
    return unit["pool"]["draw"], [b for b in unit["blocks"] if b["type"] in PROBLEMS]


def test_six_courses_are_bundled():
    assert len(COURSES) == 6, COURSES


def test_posttest_draws_from_a_pool_large_enough(posttest: dict):
    draw, items = pooled(posttest)
    assert draw >= MIN_DRAW
    assert len(items) >= POOL_FACTOR * draw, f"{len(items)} items for draw {draw}"
    assert all(b["type"] in PROBLEMS for u in posttest["units"] for b in u["blocks"][1:]), \
        "a pooled unit holds only problems after its instructions"
    assert PROBLEMS <= {b["type"] for b in items}, "the pool uses all five problem types"


def test_posttest_is_shuffled_graded_and_shows_the_key_after_the_last_attempt(source: Source, posttest: dict):
    assert posttest["format"] == "Posttest" and posttest.get("max_attempts") == 2
    assert posttest.get("shuffle") is True
    assert posttest.get("show_answer") == "after_last_attempt"
    assert source.course["grading"]["cutoff"] == pytest.approx(0.7)


def test_pooled_items_have_equal_weight_no_hint_and_an_explanation(posttest: dict):
    _, items = pooled(posttest)
    assert len({b.get("weight", 1) for b in items}) == 1
    for item in items:
        assert not item.get("hints"), f"{item['id']}: graded items give no hint"
        choices = item.get("choices") or {}
        assert not any(isinstance(c, dict) and c.get("hint") for c in choices.values()), \
            f"{item['id']}: graded items give no choice hint"
        assert item.get("explanation", "").strip(), item["id"]


def test_every_item_measures_a_declared_objective_and_says_its_level(source: Source, posttest: dict):
    declared = source.objectives()
    assert len(declared) == len(set(declared)), "objective ids are unique in the course"
    _, items = pooled(posttest)
    for item in items:
        assert item.get("objective") in declared, f"{item['id']}: objective {item.get('objective')!r}"
        assert item.get("level") in {"applied", "recall"}, item["id"]
    applied = sum(item["level"] == "applied" for item in items) / len(items)
    assert applied >= MIN_APPLIED, f"only {applied:.0%} of the items are applied"
    measured = {item["objective"] for item in items}
    taught = {o for c in source.chapters[:-1] for o in [x["id"] for x in c.get("objectives") or []]}
    assert taught <= measured, f"objectives never measured: {sorted(taught - measured)}"


def test_every_chapter_states_objectives(source: Source):
    for chapter in source.chapters:
        objectives = chapter.get("objectives") or []
        assert objectives, f"chapter {chapter['id']} states no objectives"
        assert all(o.get("id") and o.get("text", "").strip() for o in objectives)


def test_single_answer_keys_are_spread_over_the_positions(posttest: dict):
    _, items = pooled(posttest)
    positions = Counter(list(item["choices"]).index(item["answer"]) for item in items if item["type"] in ONE_ANSWER)
    total = sum(positions.values())
    assert total >= 8
    assert max(positions.values()) / total <= MAX_KEY_SHARE, f"key positions {dict(sorted(positions.items()))}"
    assert {0, 1, 2} <= set(positions), f"key positions {dict(sorted(positions.items()))}"


def test_numerical_items_state_their_unit(posttest: dict):
    _, items = pooled(posttest)
    for item in (i for i in items if i["type"] == "numerical"):
        assert str(item.get("unit", "")).strip(), f"{item['id']}: state the unit"


def test_pretest_never_shows_its_key_and_shares_no_stem_with_the_posttest(source: Source, posttest: dict):
    pretests = source.sequentials("pretest")
    assert len(pretests) == 1
    pretest = pretests[0]
    assert pretest.get("show_answer") == "never"
    # scored on Open edX for the learning gain, never counted: a format of weight 0
    weights = {f["type"]: f["weight"] for f in source.course["grading"]["formats"]}
    assert pretest.get("format") == "Pretest" and weights["Pretest"] == 0
    _, items = pooled(posttest)
    post_stems = {item["id"]: stem(item) for item in items}
    for question in problems(pretest):
        for post_id, post_stem in post_stems.items():
            ratio = difflib.SequenceMatcher(None, stem(question), post_stem).ratio()
            assert ratio < 0.75, f"pretest {question['id']} and posttest {post_id} share a stem ({ratio:.2f})"


def test_certificate_names_roles_not_people(source: Source):
    certificate = source.course["certificate"]
    signatories = certificate.get("signatories") or []
    assert signatories, "the certificate is signed"
    roles = [s.get("role") for s in signatories]
    assert all(roles) and len(set(roles)) == len(roles)
    assert any(s["title"] == "Direktur Jenderal Bina Pemerintahan Desa" for s in signatories)
    assert all("name" not in s for s in signatories), "names come from the deployment overlay"


def test_national_overlay_opens_the_run_on_1_january_2027(source: Source):
    overlay = yaml.safe_load((source.dir / "overlays" / "nasional-2027.yaml").read_text(encoding="utf-8"))
    assert overlay.get("course", source.course["number"]) == source.course["number"]
    assert overlay["run"].startswith("2027")
    assert moment(overlay["start"]) <= OPEN_FROM and moment(overlay["end"]) >= OPEN_UNTIL
    roles = {s["role"] for s in source.course["certificate"]["signatories"]}
    for role, given in ((overlay.get("certificate") or {}).get("signatories") or {}).items():
        assert role in roles
        assert not (given or {}).get("name"), "the bundled overlay names nobody"


def test_every_teaching_chapter_has_ungraded_practice(source: Source):
    """Learners try the skill before the posttest: a practice quiz or practice items in a lesson."""
    for chapter in source.chapters[:-1]:
        practice = [p for s in chapter["sequentials"] if s.get("kind", "lesson") in {"lesson", "quiz"}
                    and "format" not in s for p in problems(s)]
        assert practice, f"chapter {chapter['id']} has no practice item"


def lesson_texts(source: Source) -> list[dict]:
    return [b for c in source.chapters for s in c["sequentials"] if s.get("kind", "lesson") == "lesson"
            for u in s["units"] for b in u["blocks"] if b["type"] == "text"]


def test_every_lesson_text_names_its_legal_basis_and_what_was_checked(source: Source):
    """A lesson opens with its legal basis and ends with a source note saying what was confirmed against
    which text, or that it was not confirmed and where to check it."""
    for block in lesson_texts(source):
        text = block.get("markdown", "")
        assert text.lstrip().startswith("**Dasar hukum:"), f"{block['id']}: start with the legal basis"
        assert "*Catatan sumber:" in text, f"{block['id']}: add a source note"
