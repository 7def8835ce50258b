"""dropdown in the SCORM player: a select list; reported as a SCORM `choice` interaction."""

from pamong_edx.blocktypes.choice_render import ChoicePlayer


class DropdownPlayer(ChoicePlayer):
    input_type = "select"
    scripts = ChoicePlayer.scripts + (("pamong_edx.blocktypes.dropdown", "player.js"),)
