"""dropdown in Moodle XML: "select missing words" (gapselect), a select list after the question, its options in
the order written. Moodle's gapselect gives no feedback per option, so a dropdown whose choices carry hints is
written as a single-answer multichoice instead, which keeps them."""

from __future__ import annotations

from lxml import etree

from pamong_edx.blocktypes.choice_render import MultichoiceMoodle
from pamong_edx.course.model import ChoiceProblem
from pamong_edx.exporters.moodlexml import MoodleOutput
from pamong_edx.exporters.olx_capa import plain_text


class DropdownMoodle(MultichoiceMoodle):
    single = True

    def question(self, problem: ChoiceProblem, out: MoodleOutput) -> etree._Element:
        if any(c.hint for c in problem.choices):
            return super().question(problem, out)
        right = next(i for i, c in enumerate(problem.choices, start=1) if c.correct)
        question = out.question(problem, "gapselect", problem.question_html + f"<p>[[{right}]]</p>")
        etree.SubElement(question, "shuffleanswers").text = "1" if problem.shuffled else "0"
        out.combined_feedback(question)
        etree.SubElement(question, "shownumcorrect")
        for choice in problem.choices:
            option = etree.SubElement(question, "selectoption")
            etree.SubElement(option, "text").text = plain_text(str(choice.text))
            etree.SubElement(option, "group").text = "1"
        out.finish(question, problem)
        return question
