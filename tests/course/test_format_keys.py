"""The course-format keys agreed with the curriculum writers: objectives and levels, silences, fixed choices,
shuffle and answer policy on sequentials, question pools on units, signatories by role. Each is read into the
model, accepted by the JSON Schema, and each bad value is a located diagnostic."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from pamong_edx.course.loader import load_course
from pamong_edx.course.model import Choice, ChoiceProblem, Sequential, default_show_answer
from pamong_edx.course.schema import course_schema
from pamong_edx.course.yamlsource import compose_text, plain
from pamong_edx.plugins import block_types

COURSES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"


def test_every_agreed_key_reaches_the_model():
    course, diagnostics = load_course(COURSES / "format-keys")
    assert diagnostics == []
    assert course.silence == {"W303": "Seluruh kursus uji memakai kunci yang sama dengan sengaja."}
    assert [(s.role, s.name, s.title) for s in course.certificate.signatories] == [
        ("dirjen", "", "Direktur Jenderal Bina Pemerintahan Desa"), ("kapus", "", "Kepala Pusat Pelatihan")]
    assert [(o.id, o.loc.file.name, o.loc.line) for o in course.objectives()] == [
        ("o1", "bab-1.yaml", 4), ("o2", "bab-1.yaml", 6), ("o3", "course.yaml", 25)]

    _, (pretest, posttest) = course.chapters[0].sequentials, course.chapters[1].sequentials
    assert (pretest.shuffle, pretest.show_answer, pretest.max_attempts) == (False, "never", None)
    assert (posttest.shuffle, posttest.show_answer, posttest.max_attempts) == (True, "after_passing", 2)
    assert posttest.silence == {"W304": "Soal tes akhir sengaja mirip tes awal untuk mengukur kemajuan."}

    [bank] = posttest.units
    assert bank.pool_draw == 2
    assert [p.id for p in bank.pool] == ["post-q1", "post-q2", "post-q3"]
    problems = {p.id: p for p in course.problems()}
    q1, q3 = problems["post-q1"], problems["post-q3"]
    assert (q1.objective, q1.level, q1.max_attempts) == ("o1", "applied", 2)
    assert q1.silence == {"W303": "Kunci sama dengan soal lain karena memang pertanyaan ulangan."}
    assert [(c.id, c.fixed) for c in q1.choices] == [("a", False), ("b", False), ("e", True)]
    assert q1.shuffle and q1.shuffled  # from the sequential
    assert not q3.shuffle  # the problem's own `shuffle: false` wins
    assert problems["latihan"].shuffle is False and problems["latihan"].level == ""
    assert (problems["pre-q1"].objective, problems["pre-q1"].level) == ("o1", "recall")


def test_a_shuffle_with_one_free_choice_is_no_shuffle():
    free, fixed = Choice("a", "A"), Choice("b", "B", fixed=True)
    assert not ChoiceProblem("q", "single_choice", "", None, shuffle=True, choices=[free, fixed]).shuffled
    assert ChoiceProblem("q", "single_choice", "", None, shuffle=True, choices=[free, Choice("c", "C")]).shuffled
    assert not ChoiceProblem("q", "single_choice", "", None, shuffle=False, choices=[free, Choice("c", "C")]).shuffled


@pytest.mark.parametrize("kind, expected", [
    ("pretest", "never"), ("posttest", "after_last_attempt"), ("quiz", "always"), ("lesson", "always")])
def test_answer_policy_defaults_by_kind(kind, expected):
    assert default_show_answer(kind) == expected
    assert Sequential("s", "S", None, kind=kind).show_answer == expected
    assert Sequential("s", "S", None, kind=kind, show_answer="after_passing").show_answer == "after_passing"


def test_bad_values_are_located_diagnostics():
    course, diagnostics = load_course(COURSES / "bad-format-keys")
    assert course is None
    found = [(d.code, d.location.line, d.message) for d in diagnostics]
    assert [(code, line) for code, line, _ in found] == [
        ("E102", 9), ("E106", 12), ("E105", 15), ("E106", 20), ("E105", 23), ("E105", 25), ("E105", 32),
        ("E105", 37), ("E105", 28), ("E105", 28), ("E105", 31)]
    messages = [m for _, _, m in found]
    assert "a signatory needs a 'role'" in messages[0]
    assert "duplicate signatory role 'dirjen'" in messages[1]
    assert "'E105' is not a warning code that can be silenced" in messages[2]
    assert "duplicate objective id 'o1'" in messages[3]
    assert "'show_answer' must be one of never, after_last_attempt, after_passing, always" in messages[4]
    assert "silencing W303 needs the reason" in messages[5]
    assert "'level' must be one of applied, recall, not 'hard'" in messages[6]
    assert "a pool unit holds only problems" in messages[7]
    assert "the pool draws 3 of only 2 problems" in messages[8]
    assert "1 of the 2 pooled problems state a weight" in messages[9]
    assert "objective 'o9' is declared in no chapter's 'objectives' (declared: o1)" in messages[10]


def test_objective_suggestion_and_a_pool_without_draw(tmp_path):
    course_dir = tmp_path / "c"
    course_dir.mkdir()
    (course_dir / "course.yaml").write_text("""\
org: X
number: Y
run: "1"
title: T
language: id
chapters:
  - title: Bab
    objectives: [{id: pkd-o1, text: Satu}]
    sequentials:
      - title: S
        units:
          - title: U
            pool: {}
            blocks:
              - {type: text_answer, objective: pkd-o2, question: Q, answer: A, explanation: E}
""", encoding="utf-8")
    _, diagnostics = load_course(course_dir)
    assert [(d.code, d.location.line) for d in diagnostics] == [("E102", 13), ("E105", 15)]
    assert "missing required key 'draw'" in diagnostics[0].message
    assert "(did you mean 'pkd-o1'?)" in diagnostics[1].message


def read(path: Path):
    return plain(compose_text(path.read_text(encoding="utf-8")))


def test_schema_accepts_the_agreed_keys_and_refuses_bad_values():
    schema = course_schema(block_types())
    validator = jsonschema.Draft202012Validator(schema)
    chapter = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/chapter"})
    good = read(COURSES / "format-keys" / "course.yaml")
    assert [e.message for e in validator.iter_errors(good)] == []
    assert chapter.is_valid(read(COURSES / "format-keys" / "chapters" / "bab-1.yaml"))
    bad = read(COURSES / "bad-format-keys" / "course.yaml")
    paths = set()
    pending = list(validator.iter_errors(bad))
    while pending:  # the errors of a chapter hide in the context of its anyOf (a mapping or a file path)
        error = pending.pop()
        paths.add(error.json_path)
        pending.extend(error.context or [])
    assert "$.silence" in paths  # E105 is no warning
    assert "$.certificate.signatories[0]" in paths  # neither role nor name
    assert "$.chapters[0].sequentials[0].show_answer" in paths
    assert "$.chapters[0].sequentials[0].silence.W303" in paths  # an empty reason



def test_objectives_of_chapters_from_the_build_cache_are_checked_as_in_a_clean_load(tmp_path):
    from pamong_edx.course.cache import BuildCache

    course_dir = tmp_path / "c"
    (course_dir / "chapters").mkdir(parents=True)
    (course_dir / "course.yaml").write_text(
        "org: X\nnumber: Y\nrun: '1'\ntitle: T\nlanguage: id\n"
        "chapters:\n  - chapters/a.yaml\n  - chapters/b.yaml\n", encoding="utf-8")
    chapter = ("id: {id}\ntitle: Bab {id}\n{objectives}sequentials:\n  - id: s-{id}\n    title: S\n    units:\n"
               "      - id: u-{id}\n        title: U\n        blocks:\n"
               "          - {{type: text_answer, id: p-{id}, objective: {names}, question: Q, answer: A}}\n")
    a, b = course_dir / "chapters" / "a.yaml", course_dir / "chapters" / "b.yaml"
    a.write_text(chapter.format(id="a", objectives="objectives: [{id: o1, text: Satu}]\n", names="o1"))
    b.write_text(chapter.format(id="b", objectives="", names="o1"))

    def load() -> list[tuple[str, str, int]]:
        cache = BuildCache(tmp_path / "cache")
        _, diagnostics = load_course(course_dir, cache=cache)
        cache.save()
        return [(d.code, d.location.file.name, d.location.line) for d in diagnostics if d.is_error]

    assert load() == [] and load() == []  # the second from the cache
    b.write_text(chapter.format(id="b", objectives="", names="o1") + "# b edited\n")
    assert load() == []  # a from the cache still declares o1
    b.write_text(chapter.format(id="b", objectives="objectives: [{id: o1, text: Lagi}]\n", names="o1"))
    assert load() == [("E106", "b.yaml", 3)]  # declared again, as a clean load says
    b.write_text(chapter.format(id="b", objectives="", names="o1"))
    load()
    a.write_text(chapter.format(id="a", objectives="objectives: [{id: o9, text: Satu}]\n", names="o9"))
    assert load() == [("E105", "b.yaml", 10)]  # b, from the cache, still names o1
