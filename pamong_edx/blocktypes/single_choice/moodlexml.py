"""single_choice in Moodle XML: multichoice with one right answer."""

from pamong_edx.blocktypes.choice_render import MultichoiceMoodle


class SingleChoiceMoodle(MultichoiceMoodle):
    single = True
