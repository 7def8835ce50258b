"""The JSON Schema `pamong schema` prints: valid draft 2020-12, accepts every bundled course, rejects bad ones."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest

from pamong_edx.build import course_languages
from pamong_edx.course.schema import COURSE_KEYS, block_keys, course_schema
from pamong_edx.course.scaffold import scaffold
from pamong_edx.course.yamlsource import compose_text, plain
from pamong_edx.plugins import block_types

COURSES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted(REPO.glob("course_src/*/course.yaml"))
SCHEMA = course_schema(block_types(), list(course_languages().available))


def read(path: Path):
    """The YAML as an editor's YAML support hands it to the schema (dates stay strings)."""
    return plain(compose_text(path.read_text(encoding="utf-8")))


def course_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA)


def chapter_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/chapter"})


def assert_valid(course_yaml: Path) -> None:
    document = read(course_yaml)
    errors = [f"{e.json_path}: {e.message}" for e in course_validator().iter_errors(document)]
    assert errors == []
    for chapter in document["chapters"]:
        if isinstance(chapter, str):
            errors = [f"{chapter} {e.json_path}: {e.message}"
                      for e in chapter_validator().iter_errors(read(course_yaml.parent / chapter))]
            assert errors == []


def test_schema_is_valid_draft_2020_12_with_a_definition_per_block_type():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for name in ("chapter", "sequential", "unit", "block"):
        assert name in SCHEMA["$defs"]
    for name, block_type in block_types().items():
        definition = SCHEMA["$defs"][f"block_{name}"]
        assert definition["description"]
        assert set(definition["properties"]) == block_keys(block_type)  # the loader accepts the same keys
    assert set(SCHEMA["properties"]) == COURSE_KEYS


@pytest.mark.parametrize("course_yaml", BUNDLED, ids=lambda p: p.parent.name)
def test_bundled_course_validates(course_yaml):
    assert_valid(course_yaml)


@pytest.mark.parametrize("name", ["minimal", "complete", "stable-ids", "local-video"])
def test_valid_fixture_course_validates(name):
    assert_valid(COURSES / name / "course.yaml")


def test_new_course_validates(tmp_path):
    assert_valid(scaffold(tmp_path / "baru") / "course.yaml")


def complete_with(change) -> dict:
    document = copy.deepcopy(read(COURSES / "complete" / "course.yaml"))
    change(document)
    return document


def quiz_block(document: dict) -> dict:
    return document["chapters"][0]["sequentials"][1]["units"][0]["blocks"][0]


def video_block(document: dict) -> dict:
    return document["chapters"][0]["sequentials"][0]["units"][0]["blocks"][1]


def drop(mapping: dict, *keys: str) -> None:
    for key in keys:
        del mapping[key]


BAD = {
    "unknown course key": lambda d: d.update(langauge="id"),
    "missing title": lambda d: d.pop("title"),
    "org with a space": lambda d: d.update(org="Pamong X"),
    "language not provided": lambda d: d.update(language="fr"),
    "date in words": lambda d: d.update(start="5 Januari 2026"),
    "max_size in words": lambda d: d.update(max_size="lima MB"),
    "unknown block type": lambda d: quiz_block(d).update(type="vidio"),
    "single_choice with answers": lambda d: quiz_block(d).update(answers=["b"]),
    "block with an unknown key": lambda d: quiz_block(d).update(titel="x"),
    "one choice": lambda d: quiz_block(d).update(choices={"a": "Ya"}),
    "numerical answer in words": lambda d: quiz_block(d).update(type="numerical", answer="empat puluh"),
    "empty units": lambda d: d["chapters"][0]["sequentials"][0].update(units=[]),
    "bad kind": lambda d: d["chapters"][0]["sequentials"][0].update(kind="exam"),
    "bad id": lambda d: d["chapters"][0].update(id="bab 1"),
    "video without a source": lambda d: drop(video_block(d), "youtube", "mp4"),
    "video over http": lambda d: video_block(d).update(mp4="http://cdn.example.id/musdes.mp4"),
    "video file outside assets": lambda d: video_block(d).update(mp4="content/musdes.mp4"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_schema_rejects(case):
    document = complete_with(BAD[case])
    assert not course_validator().is_valid(document)


def test_language_is_one_of_the_installed_language_packs(language_plugin):
    with_plugin = jsonschema.Draft202012Validator(course_schema(block_types(), list(course_languages().available)))
    assert with_plugin.is_valid(complete_with(lambda d: d.update(language="jv")))
    assert not with_plugin.is_valid(complete_with(lambda d: d.update(language="xx")))  # a refused plugin pack
    assert SCHEMA["properties"]["language"]["enum"] == ["en", "id"]  # written before the plugin was installed


def test_chapter_definition_rejects_a_chapter_without_sequentials():
    assert not chapter_validator().is_valid({"title": "Bab"})
    assert chapter_validator().is_valid(read(COURSES / "complete" / "chapters" / "02-evaluasi.yaml"))
