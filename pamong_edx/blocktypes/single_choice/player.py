"""single_choice in the SCORM player: radio buttons; reported as a SCORM `choice` interaction."""

from pamong_edx.blocktypes.choice_render import ChoicePlayer


class SingleChoicePlayer(ChoicePlayer):
    input_type = "radio"
    scripts = ChoicePlayer.scripts + (("pamong_edx.blocktypes.single_choice", "player.js"),)
