"""The JSON Schema (draft 2020-12) of course.yaml and chapter files, for editors and for the loader's keys.

The structure (course, chapter, sequential, unit) is defined here; each block type contributes its own
fragment (`schema` on the block plugin), so a third-party block type autocompletes like a built-in one.
The loader takes the allowed keys of every element from these definitions, so the two cannot drift apart.

The descriptions are English in every language, on purpose: they are schema metadata, not messages. A schema is
written once (`pamong schema > course.schema.json`) and shared by a team through its repository, so it must not
change with the language of whoever wrote it; the block plugins' fragments (third-party ones too) describe their
keys in English; and the keys they describe are English themselves. What an author is told about a mistake
comes from the loader's diagnostics, which are translated.
"""

from __future__ import annotations

from typing import Any

from pamong_edx.course.ids import ID_PATTERN

SCHEMA_ID = "https://pamong-edx.id/schemas/course.schema.json"
KINDS = ("lesson", "pretest", "quiz", "posttest")
COURSE_PART_PATTERN = "^[A-Za-z0-9_-]+$"


def text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


MARKDOWN = text("Markdown: CommonMark with tables; raw HTML is escaped. Images must point into assets/.")
PATH = text("A path relative to the course directory; it must stay inside it.")
ASSET_PATH = text("A path under assets/, relative to the course directory.", pattern="^(\\./)?assets/")
IDENTIFIER = text("Stable identifier (Open edX url_name, SCORM identifier): letters, digits, _ and -, at most "
                  "64 characters. Give one before renaming anything learners have progress on.", pattern=ID_PATTERN)
DATE = text("A date (2026-01-05, taken as 00:00 UTC) or a date-time with offset (2026-01-05T08:00:00+07:00).",
            pattern="^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}(:?\\d{2})?)?)?$")
ATTEMPTS = {"type": "integer", "minimum": 0, "description": "Attempts allowed per problem; 0 is unlimited."}
SHOW_ANSWER_VALUES = ("never", "after_last_attempt", "after_passing", "always")
LEVELS = ("applied", "recall")
LINT_CODE_PATTERN = "^W[0-9]{3}$"
SILENCE = {
    "type": "object",
    "description": "Warnings (lints) silenced here, each with the reason: {W303: \"why this is fine\"}.",
    "propertyNames": {"pattern": LINT_CODE_PATTERN},
    "additionalProperties": {"type": "string", "minLength": 1, "pattern": "\\S"},
}

BLOCK_COMMON = {
    "type": text("The block type: a built-in (text, video, discussion, single_choice, multiple_choice, "
                 "dropdown, numerical, text_answer) or one a block plugin provides."),
    "id": IDENTIFIER,
    "title": text("Title shown above the block; defaults to the unit title."),
    "silence": SILENCE,
}

GRADED_FORMAT = {
    "type": "object",
    "description": "One kind of graded assessment.",
    "additionalProperties": False,
    "required": ["type", "weight"],
    "properties": {
        "type": text("The name graded sequentials give in `format:`, e.g. Posttest."),
        "short_label": text("Short label in the progress page, e.g. PT; defaults to the type."),
        "weight": {"type": "number", "minimum": 0, "maximum": 1,
                   "description": "Share of the final grade; the weights of all formats sum to 1."},
        "min_count": {"type": "integer", "minimum": 0, "description": "Assessments of this format expected "
                      "(missing ones count as 0). Default 1."},
        "drop_count": {"type": "integer", "minimum": 0, "description": "Lowest scores dropped. Default 0."},
    },
}

GRADING = {
    "type": "object",
    "description": "The grading policy.",
    "additionalProperties": False,
    "properties": {
        "cutoff": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                   "description": "Fraction of the weighted grade needed to pass (0 < cutoff <= 1). Default 0.5."},
        "formats": {"type": "array", "items": GRADED_FORMAT, "description": "One entry per kind of graded assessment."},
    },
}

SIGNATORY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title"],
    "anyOf": [{"required": ["role"]}, {"required": ["name"]}],
    "properties": {
        "role": text("The key a deployment overlay gives the person's name under, e.g. dirjen.",
                     pattern=ID_PATTERN),
        "name": text("Full name as printed on the certificate; normally given by a deployment overlay instead."),
        "title": text("Position, e.g. Kepala Pusat Pelatihan Aparatur Desa."),
        "organization": text("Organisation the signatory belongs to."),
    },
}

CERTIFICATE = {
    "type": "object",
    "description": "The certificate learners who pass receive.",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": text("Certificate name."),
        "description": text("What the certificate attests."),
        "signatories": {"type": "array", "items": SIGNATORY},
    },
}

POOL = {
    "type": "object",
    "description": "Makes the unit a question pool: each learner attempt draws `draw` of its problems.",
    "additionalProperties": False,
    "required": ["draw"],
    "properties": {
        "draw": {"type": "integer", "minimum": 1,
                 "description": "K: problems drawn per attempt, at most the N problems of the unit."},
    },
}

UNIT = {
    "type": "object",
    "description": "A unit: one page of blocks (an Open edX vertical).",
    "additionalProperties": False,
    "required": ["title", "blocks"],
    "properties": {
        "id": IDENTIFIER,
        "title": text("Unit title."),
        "pool": POOL,
        "blocks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/block"}},
    },
}

SEQUENTIAL = {
    "type": "object",
    "description": "A lesson, or an assessment (pretest, quiz, posttest).",
    "additionalProperties": False,
    "required": ["title", "units"],
    "properties": {
        "id": IDENTIFIER,
        "title": text("Sequential title."),
        "kind": {"enum": list(KINDS), "description": "lesson (default), pretest, quiz or posttest."},
        "format": text("A grading format type; makes the sequential graded."),
        "graded": {"type": "boolean", "description": "Default: true when `format` is given."},
        "due": DATE,
        "max_attempts": ATTEMPTS,
        "shuffle": {"type": "boolean", "description": "Default `shuffle` of its choice problems. Default false."},
        "show_answer": {"enum": list(SHOW_ANSWER_VALUES),
                        "description": "When answers and explanations are shown: never, after_last_attempt, "
                                       "after_passing or always. Default: pretest never, posttest "
                                       "after_last_attempt, quiz and lesson always."},
        "silence": SILENCE,
        "units": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/unit"}},
    },
}

OBJECTIVE = {
    "type": "object",
    "description": "A learning objective. Its id is unique in the course.",
    "additionalProperties": False,
    "required": ["id", "text"],
    "properties": {
        "id": IDENTIFIER,
        "text": text("What the learner can do, e.g. Menjelaskan empat asas pengelolaan keuangan desa."),
    },
}

CHAPTER = {
    "type": "object",
    "description": "A chapter (an Open edX section). Chapter files hold one such mapping.",
    "additionalProperties": False,
    "required": ["title", "sequentials"],
    "properties": {
        "id": IDENTIFIER,
        "title": text("Chapter title."),
        "start": DATE,
        "objectives": {"type": "array", "items": {"$ref": "#/$defs/objective"},
                       "description": "The learning objectives of the chapter; problems name one in `objective`."},
        "sequentials": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/sequential"}},
    },
}

COURSE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["org", "number", "run", "title", "language", "chapters"],
    "properties": {
        "org": text("Organisation, first part of the course key.", pattern=COURSE_PART_PATTERN),
        "number": text("Course number.", pattern=COURSE_PART_PATTERN),
        "run": text("Course run. org, number and run together are at most 65 characters.",
                    pattern=COURSE_PART_PATTERN),
        "title": text("Course title."),
        "language": text("Course language: the tag of a player language pack (id, en, or one a language plugin "
                         "adds)."),
        "start": DATE,
        "end": DATE,
        "self_paced": {"type": "boolean", "description": "Default true."},
        "short_description": text("One line for catalogues."),
        "overview": MARKDOWN | {"description": "The About page, in Markdown."},
        "overview_file": PATH | {"description": "A Markdown file holding the About page."},
        "image": ASSET_PATH | {"description": "The course image, e.g. assets/cover.png."},
        "max_size": {"type": ["string", "integer"], "pattern": "^\\s*\\d+(\\.\\d+)?\\s*([KMGkmg]i?[Bb]|[Bb])?\\s*$",
                     "description": "Largest package allowed, e.g. 5MB (KB/MB/GB are powers of 1000, "
                                    "KiB/MiB/GiB of 1024; a plain number is bytes)."},
        "max_attempts": ATTEMPTS,
        "html_assets": {"type": "boolean", "description": "Ship the .html pages under assets/ (they run in the "
                                                          "learner's browser; refused unless true). Default false."},
        "grading": {"$ref": "#/$defs/grading"},
        "certificate": {"$ref": "#/$defs/certificate"},
        "silence": SILENCE,
        "chapters": {
            "type": "array",
            "minItems": 1,
            "description": "Chapters: inline mappings, or paths of YAML files holding one chapter each.",
            "items": {"anyOf": [{"$ref": "#/$defs/chapter"}, PATH | {"description": "A chapter file."}]},
        },
    },
}


def keys(definition: dict[str, Any]) -> frozenset[str]:
    return frozenset(definition["properties"])


COURSE_KEYS = keys(COURSE)
CHAPTER_KEYS = keys(CHAPTER)
SEQUENTIAL_KEYS = keys(SEQUENTIAL)
UNIT_KEYS = keys(UNIT)
GRADING_KEYS = keys(GRADING)
FORMAT_KEYS = keys(GRADED_FORMAT)
CERTIFICATE_KEYS = keys(CERTIFICATE)
SIGNATORY_KEYS = keys(SIGNATORY)
POOL_KEYS = keys(POOL)
OBJECTIVE_KEYS = keys(OBJECTIVE)
BLOCK_COMMON_KEYS = frozenset(BLOCK_COMMON)


def block_keys(block_type: Any) -> frozenset[str] | None:
    """The keys a block of this type may have, or None when its plugin declares no schema."""
    fragment = getattr(block_type, "schema", None)
    if not isinstance(fragment, dict) or not isinstance(fragment.get("properties"), dict):
        return None
    return BLOCK_COMMON_KEYS | frozenset(fragment["properties"])


def block_definition(name: str, block_type: Any) -> dict[str, Any]:
    fragment = dict(getattr(block_type, "schema", None) or {})
    properties = {**BLOCK_COMMON, "type": {"const": name, "description": BLOCK_COMMON["type"]["description"]},
                  **fragment.pop("properties", {})}
    required = ["type", *fragment.pop("required", [])]
    description = getattr(block_type, "description", "") or f"A {name} block."
    return {"type": "object", "description": description, "properties": properties, "required": required,
            "additionalProperties": False, **fragment}


def course_schema(block_types: dict[str, Any], languages: list[str] | None = None) -> dict[str, Any]:
    """The whole schema, with one `$defs/block_<name>` per loaded block type; `language` is one of `languages`
    (the installed player language packs, which the caller knows), or any tag when not given."""
    language = COURSE["properties"]["language"]
    if languages is not None:
        language = language | {"enum": sorted(languages)}
    names = sorted(block_types)
    block = {
        "type": "object",
        "description": "A block; its keys depend on `type`.",
        "required": ["type"],
        "properties": {"type": {"enum": names, "description": BLOCK_COMMON["type"]["description"]}},
        "allOf": [
            {"if": {"properties": {"type": {"const": name}}, "required": ["type"]},
             "then": {"$ref": f"#/$defs/block_{name}"}}
            for name in names
        ],
    }
    defs: dict[str, Any] = {
        "chapter": CHAPTER,
        "sequential": SEQUENTIAL,
        "unit": UNIT,
        "block": block,
        "grading": GRADING,
        "certificate": CERTIFICATE,
        "objective": OBJECTIVE,
    }
    for name in names:
        defs[f"block_{name}"] = block_definition(name, block_types[name])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "pamong-edx course",
        "description": "course.yaml of a pamong-edx course (docs/course-format.md). Chapter files validate "
                       "against #/$defs/chapter.",
        **COURSE,
        "properties": {**COURSE["properties"], "language": language},
        "$defs": defs,
    }
