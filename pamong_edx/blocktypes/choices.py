"""What the three choice types (single_choice, multiple_choice, dropdown) share: reading `choices` and the
answer keys, in the loader. Their renderers share pamong_edx/blocktypes/choice_render.py and choices.js."""

from __future__ import annotations

from typing import ClassVar

from pamong_edx.course.blocks import ProblemType
from pamong_edx.course.context import LoadContext
from pamong_edx.course.ids import is_valid_id
from pamong_edx.course.model import Block, Choice, ChoiceProblem
from pamong_edx.course.richtext import EMPTY
from pamong_edx.course.schema import MARKDOWN
from pamong_edx.course.yamlsource import Fields, MappingNode, ScalarNode, is_null, kind


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


class ChoiceProblemType(ProblemType):
    """Choices written as a mapping from choice id to its text (or to {text, hint, fixed})."""

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
