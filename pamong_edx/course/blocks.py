"""The built-in block types, registered as `pamong_edx.block.v1` plugins like any third-party type.

A block type is a class with the plugin attributes (`component`, `version`, `requires`), a `name`, a JSON
Schema `schema` fragment for its own keys (the loader rejects other keys with E101; `type`, `id` and `title`
are common to every block) and `build(raw, ctx) -> Block`, which reads its keys through the LoadContext
getters so that every problem is reported at its line. `to_html(block)`, when present, lets an exporter that
does not know the type place it as static HTML. `build` and `to_html` are called on the class.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

from pamong_edx.course.context import LoadContext
from pamong_edx.course.ids import is_valid_id
from pamong_edx.course.model import (
    Block, Choice, ChoiceProblem, DiscussionBlock, Location, NumericalProblem, TextBlock, TextProblem, VideoBlock,
)
from pamong_edx.course.richtext import EMPTY
from pamong_edx.course.schema import ASSET_PATH, ATTEMPTS, IDENTIFIER, LEVELS, MARKDOWN, PATH, text
from pamong_edx.course.transcripts import TranscriptProblem, read_captions
from pamong_edx.course.values import parse_tolerance
from pamong_edx.i18n import _
from pamong_edx.course.yamlsource import Fields, MappingNode, ScalarNode, as_float, is_null, kind

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")


class BlockType:
    """Base of block plugins (third-party types may subclass it, or just provide the same attributes)."""

    component: ClassVar[str] = ""
    name: ClassVar[str] = ""
    version: ClassVar[str] = "1.0.0"
    requires: ClassVar[str] = ">=0.1,<1"
    description: ClassVar[str] = ""
    schema: ClassVar[dict[str, Any]] = {"properties": {}}

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        raise NotImplementedError


class TextBlockType(BlockType):
    component = "block_text"
    name = "text"
    description = "Markdown text, inline or from a file under content/."
    schema = {
        "properties": {"markdown": MARKDOWN, "file": PATH | {"description": "A Markdown file, e.g. content/x.md."}},
        "oneOf": [{"required": ["markdown"]}, {"required": ["file"]}],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        if raw.given("markdown") and raw.given("file"):
            ctx.error("E105", "give either 'markdown' or 'file', not both", raw.key_loc("file"))
        if raw.given("markdown"):
            rendered = ctx.markdown(raw, "markdown")
        elif raw.given("file"):
            rendered = ctx.markdown_file(raw, "file")
        else:
            ctx.error("E102", "a text block needs 'markdown' or 'file'", raw)
            rendered = ctx.markdown(raw, "markdown")
        return TextBlock(**ctx.common(), markdown=rendered.markdown, html=rendered.html, assets=rendered.assets)

    @staticmethod
    def to_html(block: TextBlock) -> str:
        return block.html


class VideoBlockType(BlockType):
    component = "block_video"
    name = "video"
    description = ("A video from YouTube and/or an MP4 file (over https, or shipped under assets/), with an "
                   "optional transcript.")
    schema = {
        "properties": {
            "youtube": text("A YouTube video id (11 characters).", pattern="^[A-Za-z0-9_-]{11}$"),
            "mp4": text("An MP4 file: an https URL, or a file of the course under assets/ (packaged with it).",
                        pattern="^(https://|(\\./)?assets/)"),
            "transcript": ASSET_PATH | {"description": "An .srt or .vtt transcript under assets/."},
        },
        "anyOf": [{"required": ["youtube"]}, {"required": ["mp4"]}],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        youtube = ctx.string(raw, "youtube")
        if isinstance(raw.get("youtube"), ScalarNode) and not _YOUTUBE_ID.fullmatch(youtube):
            ctx.error("E105", f"'{youtube}' is not a YouTube video id (11 letters, digits, _ or -)", raw.get("youtube"))
        mp4_url, mp4_asset = cls.mp4(raw, ctx)
        if not raw.given("youtube") and not raw.given("mp4"):
            ctx.error("E102", "a video needs 'youtube' or 'mp4' (or both)", raw)
        transcript = ctx.asset(raw, "transcript", suffixes=(".srt", ".vtt"), what="transcript")
        if transcript:
            cls.check_transcript(raw.get("transcript").value, ctx.assets[transcript].path, ctx)
        return VideoBlock(**ctx.common(), youtube_id=youtube, mp4_url=mp4_url, transcript=transcript,
                          mp4_asset=mp4_asset)

    @staticmethod
    def check_transcript(raw: str, path: Path, ctx: LoadContext) -> None:
        """E105 at the transcript's own line when it is not a caption file Open edX and browsers can play."""
        try:
            read_captions(path)
        except TranscriptProblem as problem:
            ctx.error("E105", f"transcript '{raw}' {problem.message}", Location(path, problem.line or 1, 1))

    @staticmethod
    def mp4(raw: Fields, ctx: LoadContext) -> tuple[str, str]:
        """(URL, asset name) of the `mp4` key: an https URL, or a path checked like every asset path."""
        node = ctx.scalar(raw, "mp4", expected="an https URL or a path under assets/")
        if node is None:
            return "", ""
        if not node.value.strip():
            ctx.error("E105", "mp4 is empty: give an https URL or a path under assets/", node)
            return "", ""
        value = node.value
        url = urlparse(value)
        if len(url.scheme) > 1:  # a URL; a one-letter "scheme" is a Windows drive, which the path check refuses
            if url.scheme != "https" or not url.netloc:
                ctx.error("E105", f"mp4 must be an https URL or a path under assets/, not '{value}'", node)
                return "", ""
            return value, ""
        return "", ctx.asset(raw, "mp4", suffixes=(".mp4",), what="video file")


class DiscussionBlockType(BlockType):
    component = "block_discussion"
    name = "discussion"
    description = "A discussion topic with a prompt."
    schema = {
        "properties": {
            "prompt": MARKDOWN | {"description": "What learners are asked to discuss (Markdown)."},
            "category": text("Discussion category; defaults to the chapter title."),
        },
        "required": ["prompt"],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        prompt = ctx.markdown(raw, "prompt", required=True)
        category = ctx.string(raw, "category") or (ctx.chapter.title if ctx.chapter else "")
        return DiscussionBlock(**ctx.common(), prompt_markdown=prompt.markdown, prompt_html=prompt.html,
                               category=category, target=ctx.unit.title if ctx.unit else "")

    @staticmethod
    def to_html(block: DiscussionBlock) -> str:
        return block.prompt_html


# ---------------------------------------------------------------------------------------------------- problems

PROBLEM_PROPERTIES: dict[str, Any] = {
    "question": MARKDOWN | {"description": "The question (Markdown)."},
    "explanation": MARKDOWN | {"description": "Shown after answering (Markdown); a warning when missing."},
    "hints": {"type": "array", "items": MARKDOWN, "description": "Hints shown one at a time (Markdown)."},
    "max_attempts": ATTEMPTS | {"description": "Attempts allowed (0 = unlimited); default from the sequential, "
                                               "then the course."},
    "weight": {"type": "number", "minimum": 0, "description": "Points of this problem. Default 1."},
    "objective": IDENTIFIER | {"description": "The id of the learning objective it measures (declared in a "
                                             "chapter's `objectives`)."},
    "level": {"enum": list(LEVELS), "description": "applied (a village case to judge or compute) or recall."},
}

CHOICES = {
    "type": "object",
    "description": "Choice id -> its text (Markdown), or {text, hint}; shown in this order.",
    "minProperties": 2,
    "propertyNames": {"pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "additionalProperties": {
        "anyOf": [
            {"type": ["string", "number"]},
            {"type": "object", "additionalProperties": False, "required": ["text"],
             "properties": {"text": MARKDOWN, "hint": MARKDOWN | {"description": "Feedback when chosen."},
                            "fixed": {"type": "boolean", "description": "Keeps its place when the choices are "
                                                                        "shuffled (e.g. \"all of the above\")."}}},
        ],
    },
}
SHUFFLE = {"type": "boolean", "description": "Shuffle the choices for each attempt (choices with `fixed: true` keep "
                                           "their place). Default: the sequential's `shuffle`."}


class ProblemType(BlockType):
    """Common keys of every problem: question, explanation, hints, max_attempts, weight."""

    @classmethod
    def problem_fields(cls, raw: Fields, ctx: LoadContext) -> dict[str, Any]:
        question = ctx.markdown(raw, "question", required=True)
        if not raw.given("explanation"):
            ctx.warning("W202", f"problem '{ctx.id}' has no explanation: add 'explanation:' so learners see why",
                        raw)
        explanation = ctx.markdown(raw, "explanation")
        hints = []
        for item in ctx.sequence(raw, "hints"):
            hint = ctx.text_of(item, "a hint")
            if hint is not None:
                hints.append(ctx.render(hint, item, inline=True).html)
        objective = ctx.string(raw, "objective")
        if objective:
            if is_valid_id(objective):
                ctx.objective_refs.append((objective, ctx.location(raw.get("objective"))))
            else:
                ctx.error("E105", _("objective '{id}' is not an objective id (letters, digits, _ and -)").format(
                    id=objective), raw.get("objective"))
        return {
            **ctx.common(),
            "objective": objective,
            "level": ctx.one_of(raw, "level", LEVELS, ""),
            "question_markdown": question.markdown,
            "question_html": question.html,
            "explanation_html": explanation.html,
            "hints": hints,
            "max_attempts": ctx.integer(raw, "max_attempts", ctx.max_attempts),
            "weight": ctx.number(raw, "weight", 1.0, minimum=0),
        }


class ChoiceProblemType(ProblemType):
    multiple: ClassVar[bool] = False  # several correct answers (checkboxes)

    @classmethod
    def choices(cls, raw: Fields, ctx: LoadContext) -> list[Choice]:
        node = ctx.value(raw, "choices", required=True)
        if node is None:
            return []
        if not isinstance(node, MappingNode):
            ctx.error("E103", f"'choices' must be a mapping from choice id to its text, found {kind(node)}", node)
            return []
        choices: list[Choice] = []
        first_line: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or is_null(key):
                ctx.error("E103", f"a choice id must be a name, found {kind(key)}", key)
                continue
            cid = key.value
            if not is_valid_id(cid):
                ctx.error("E105", f"choice id '{cid}' may hold only letters, digits, _ and - (at most 64)", key)
            if cid in first_line:
                ctx.error("E106", f"duplicate choice id '{cid}' (first on line {first_line[cid]})", key)
                continue
            first_line[cid] = key.start_mark.line + 1
            hint = EMPTY
            fixed = False
            if isinstance(value, MappingNode):
                fields = ctx.fields(value, ("text", "hint", "fixed"), f"choice '{cid}'")
                if fields is None:
                    continue
                text_node = ctx.scalar(fields, "text", required=True)
                choice_text = ctx.render(text_node.value, text_node, inline=True).html if text_node else EMPTY
                hint_node = ctx.scalar(fields, "hint")
                hint = ctx.render(hint_node.value, hint_node, inline=True).html if hint_node else EMPTY
                fixed = ctx.boolean(fields, "fixed")
            else:
                raw_text = ctx.text_of(value, f"the text of choice '{cid}'")
                if raw_text is None:
                    continue
                choice_text = ctx.render(raw_text, value, inline=True).html
            choices.append(Choice(id=cid, text=choice_text, hint=hint, fixed=fixed))
        if len(node.value) < 2:
            ctx.error("E105", f"a {ctx.block_type} problem needs at least two choices", node)
        return choices

    @classmethod
    def mark_correct(cls, raw: Fields, ctx: LoadContext, choices: list[Choice]) -> None:
        key = "answers" if cls.multiple else "answer"
        node = ctx.value(raw, key, required=True)
        if node is None:
            return
        if cls.multiple:
            items = node.value if not isinstance(node, (ScalarNode, MappingNode)) else [node]
        elif isinstance(node, ScalarNode):
            items = [node]
        else:
            ctx.error("E107", f"a {ctx.block_type} problem has exactly one correct answer; use multiple_choice "
                              "for several", node)
            return
        by_id = {c.id: c for c in choices}
        for item in items:
            if not isinstance(item, ScalarNode) or is_null(item):
                ctx.error("E107", f"an answer must be a choice id, found {kind(item)}", item)
                continue
            choice = by_id.get(item.value)
            if choice is None:
                known = ", ".join(by_id) or "none"
                ctx.error("E107", f"answer '{item.value}' names no choice (choices: {known})", item)
                continue
            choice.correct = True
        if cls.multiple and not items:
            ctx.error("E107", "a multiple_choice problem needs at least one correct answer", node)

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        common = cls.problem_fields(raw, ctx)
        choices = cls.choices(raw, ctx)
        cls.mark_correct(raw, ctx, choices)
        default = ctx.sequential.shuffle if ctx.sequential is not None else False
        return ChoiceProblem(**common, choices=choices, shuffle=ctx.boolean(raw, "shuffle", default))


class SingleChoiceType(ChoiceProblemType):
    component = "block_single_choice"
    name = "single_choice"
    description = "One correct answer among choices (radio buttons)."
    schema = {
        "properties": {**PROBLEM_PROPERTIES, "choices": CHOICES, "shuffle": SHUFFLE,
                       "answer": text("The id of the correct choice.", type=["string", "number"])},
        "required": ["question", "choices", "answer"],
    }


class DropdownType(SingleChoiceType):
    component = "block_dropdown"
    name = "dropdown"
    description = "One correct answer picked from a select list."


class MultipleChoiceType(ChoiceProblemType):
    component = "block_multiple_choice"
    name = "multiple_choice"
    description = "Checkboxes: every correct choice and no other must be ticked."
    multiple = True
    schema = {
        "properties": {**PROBLEM_PROPERTIES, "choices": CHOICES, "shuffle": SHUFFLE,
                       "answers": {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]},
                                   "description": "The ids of every correct choice."}},
        "required": ["question", "choices", "answers"],
    }


class NumericalType(ProblemType):
    component = "block_numerical"
    name = "numerical"
    description = "A number typed by the learner, within a tolerance."
    schema = {
        "properties": {
            **PROBLEM_PROPERTIES,
            "answer": {"type": "number", "description": "The correct value."},
            "tolerance": {"anyOf": [{"type": "number", "minimum": 0},
                                    text("A percentage of the answer, e.g. 1%.", pattern="^\\d+(\\.\\d+)?%$")],
                          "description": "Absolute (0.5), or relative to the answer (\"1%\"). Default 0."},
            "unit": text("Shown after the input, e.g. % or Rp."),
        },
        "required": ["question", "answer"],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        common = cls.problem_fields(raw, ctx)
        answer = ctx.number(raw, "answer", code="E108", required=True)
        tolerance, percent = 0.0, False
        node = ctx.scalar(raw, "tolerance", expected="a number or a percentage")
        if node is not None:
            number = as_float(node)
            parsed = (number, False) if number is not None else parse_tolerance(node.value)
            if parsed is None:
                ctx.error("E108", f"tolerance '{node.value}' is not a number (write 0.5 or \"1%\")", node)
            elif parsed[0] < 0:
                ctx.error("E105", f"tolerance must not be negative, not '{node.value}'", node)
            else:
                tolerance, percent = parsed
        return NumericalProblem(**common, answer=answer, tolerance=tolerance, tolerance_is_percent=percent,
                                unit=ctx.string(raw, "unit"))


class TextAnswerType(ProblemType):
    component = "block_text_answer"
    name = "text_answer"
    description = "A typed answer, compared ignoring case and extra spaces unless case_sensitive."
    schema = {
        "properties": {
            **PROBLEM_PROPERTIES,
            "answer": text("The correct answer.", type=["string", "number"]),
            "answers": {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]},
                        "description": "Accepted answers; the first is the canonical one."},
            "case_sensitive": {"type": "boolean", "description": "Compare case too. Default false."},
        },
        "required": ["question"],
        "oneOf": [{"required": ["answer"]}, {"required": ["answers"]}],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        common = cls.problem_fields(raw, ctx)
        if raw.given("answer") and raw.given("answers"):
            ctx.error("E105", "give either 'answer' or 'answers', not both", raw.key_loc("answers"))
        if raw.given("answers"):
            answers = ctx.strings(raw, "answers")
            if not answers and ctx.value(raw, "answers") is not None:
                ctx.error("E105", "'answers' must not be an empty list", raw.get("answers"))
        elif raw.given("answer"):
            answers = [ctx.string(raw, "answer")]
        else:
            ctx.error("E102", "a text_answer problem needs 'answer' or 'answers'", raw)
            answers = []
        if any(not answer.strip() for answer in answers):
            ctx.error("E105", "an accepted answer is empty: every answer needs some text",
                      raw.get("answers") or raw.get("answer"))
        return TextProblem(**common, answers=answers, case_sensitive=ctx.boolean(raw, "case_sensitive"))
