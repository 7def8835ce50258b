"""`dropdown`: one correct answer picked from a select list (the keys of single_choice)."""

from __future__ import annotations

from pamong_edx.blocktypes.single_choice import SingleChoiceType


class DropdownType(SingleChoiceType):
    component = "block_dropdown"
    name = "dropdown"
    description = "One correct answer picked from a select list."
    renderers = {
        "olx": "pamong_edx.blocktypes.dropdown.olx:DropdownOlx",
        "scorm": "pamong_edx.blocktypes.dropdown.player:DropdownPlayer",
        "moodlexml": "pamong_edx.blocktypes.dropdown.moodlexml:DropdownMoodle",
    }
