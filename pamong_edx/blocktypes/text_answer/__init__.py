"""`text_answer`: a typed answer, compared ignoring case and extra spaces unless case_sensitive."""

from __future__ import annotations

from pamong_edx.course.blocks import PROBLEM_PROPERTIES, ProblemType
from pamong_edx.course.context import LoadContext
from pamong_edx.course.model import Block, TextProblem
from pamong_edx.course.schema import text
from pamong_edx.course.yamlsource import Fields


class TextAnswerType(ProblemType):
    component = "block_text_answer"
    name = "text_answer"
    description = "A typed answer, compared ignoring case and extra spaces unless case_sensitive."
    renderers = {
        "olx": "pamong_edx.blocktypes.text_answer.olx:TextAnswerOlx",
        "scorm": "pamong_edx.blocktypes.text_answer.player:TextAnswerPlayer",
        "moodlexml": "pamong_edx.blocktypes.text_answer.moodlexml:TextAnswerMoodle",
    }
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
