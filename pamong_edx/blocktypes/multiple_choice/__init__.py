"""`multiple_choice`: checkboxes; every correct choice and no other must be ticked."""

from __future__ import annotations

from pamong_edx.blocktypes.choices import CHOICES, SHUFFLE, ChoiceProblemType
from pamong_edx.course.blocks import PROBLEM_PROPERTIES


class MultipleChoiceType(ChoiceProblemType):
    component = "block_multiple_choice"
    name = "multiple_choice"
    description = "Checkboxes: every correct choice and no other must be ticked."
    renderers = {
        "olx": "pamong_edx.blocktypes.multiple_choice.olx:MultipleChoiceOlx",
        "scorm": "pamong_edx.blocktypes.multiple_choice.player:MultipleChoicePlayer",
        "moodlexml": "pamong_edx.blocktypes.multiple_choice.moodlexml:MultipleChoiceMoodle",
    }
    multiple = True
    schema = {
        "properties": {**PROBLEM_PROPERTIES, "choices": CHOICES, "shuffle": SHUFFLE,
                       "answers": {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]},
                                   "description": "The ids of every correct choice."}},
        "required": ["question", "choices", "answers"],
    }
