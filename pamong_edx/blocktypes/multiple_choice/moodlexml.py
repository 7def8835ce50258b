"""multiple_choice in Moodle XML: multichoice with several right answers."""

from pamong_edx.blocktypes.choice_render import MultichoiceMoodle


class MultipleChoiceMoodle(MultichoiceMoodle):
    single = False
