"""The base of block-type plugins: what the loader calls (`schema`, `build`) and what every problem type shares.

A block type is a class with the plugin attributes (`component`, `version`, `requires`), a `name`, a JSON
Schema `schema` fragment for its own keys (the loader rejects other keys with E101; `type`, `id`, `title` and
`silence` are common to every block) and `build(raw, ctx) -> Block`, which reads its keys through the LoadContext
getters so that every problem is reported at its line. `renderers` maps each output target (olx, scorm,
moodlexml) to the type's renderer for it (see pamong_edx/renderers.py); `to_html(block)`, when present, lets an
exporter place a type it has no renderer for as static HTML (never a problem: a question must be scored).
`build` and `to_html` are called on the class.

The built-in types live in pamong_edx/blocktypes/, one folder per type, and register through the same
entry-point group as third-party types.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pamong_edx.course.context import LoadContext
from pamong_edx.course.ids import is_valid_id
from pamong_edx.course.model import Block
from pamong_edx.course.schema import ATTEMPTS, IDENTIFIER, LEVELS, MARKDOWN
from pamong_edx.course.yamlsource import Fields
from pamong_edx.i18n import _


class BlockType:
    """Base of block plugins (third-party types may subclass it, or just provide the same attributes)."""

    component: ClassVar[str] = ""
    name: ClassVar[str] = ""
    version: ClassVar[str] = "1.0.0"
    requires: ClassVar[str] = ">=0.1,<1"
    description: ClassVar[str] = ""
    schema: ClassVar[dict[str, Any]] = {"properties": {}}
    renderers: ClassVar[dict[str, Any]] = {}  # target -> renderer, or its "module:attribute" path

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        raise NotImplementedError


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
