"""multiple_choice in the SCORM player: checkboxes; reported as a SCORM `choice` interaction with several ids."""

from pamong_edx.blocktypes.choice_render import ChoicePlayer


class MultipleChoicePlayer(ChoicePlayer):
    multiple = True
    input_type = "checkbox"
    scripts = ChoicePlayer.scripts + (("pamong_edx.blocktypes.multiple_choice", "player.js"),)
