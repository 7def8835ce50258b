"""`single_choice`: one correct answer among choices, as radio buttons."""

from __future__ import annotations

from pamong_edx.blocktypes.choices import CHOICES, SHUFFLE, ChoiceProblemType
from pamong_edx.course.blocks import PROBLEM_PROPERTIES
from pamong_edx.course.schema import text


class SingleChoiceType(ChoiceProblemType):
    component = "block_single_choice"
    name = "single_choice"
    description = "One correct answer among choices (radio buttons)."
    renderers = {
        "olx": "pamong_edx.blocktypes.single_choice.olx:SingleChoiceOlx",
        "scorm": "pamong_edx.blocktypes.single_choice.player:SingleChoicePlayer",
        "moodlexml": "pamong_edx.blocktypes.single_choice.moodlexml:SingleChoiceMoodle",
    }
    schema = {
        "properties": {**PROBLEM_PROPERTIES, "choices": CHOICES, "shuffle": SHUFFLE,
                       "answer": text("The id of the correct choice.", type=["string", "number"])},
        "required": ["question", "choices", "answer"],
    }
