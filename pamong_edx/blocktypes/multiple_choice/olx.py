"""multiple_choice in OLX: a choiceresponse with a checkboxgroup; a choice's hint shows when it is ticked."""

from __future__ import annotations

from lxml import etree

from pamong_edx.blocktypes.choice_render import correct_count_problem
from pamong_edx.course.model import ChoiceProblem
from pamong_edx.exporters.olx_capa import append_inline
from pamong_edx.exporters.olx_output import CapaRenderer, OlxOutput
from pamong_edx.i18n import ngettext


class MultipleChoiceOlx(CapaRenderer):
    model = ChoiceProblem

    def prepare(self, blocks: list, out: OlxOutput) -> None:
        super().prepare(blocks, out)
        shuffled = [b for b in blocks if isinstance(b, ChoiceProblem) and b.shuffled]
        if shuffled:  # one warning for all of them: the course asked for it knowingly or not, once is enough
            out.warn(shuffled[0], "W206", ngettext(
                "Open edX does not shuffle checkbox problems: {n} problem shows its choices in the order written "
                "(the SCORM player shuffles them)",
                "Open edX does not shuffle checkbox problems: {n} problems show their choices in the order "
                "written (the SCORM player shuffles them)", len(shuffled)).format(n=len(shuffled)))

    def check(self, problem: ChoiceProblem, out: OlxOutput) -> None:
        why = correct_count_problem(problem, multiple=True)
        if why:
            out.error(problem, "E107", why)

    def response(self, problem: ChoiceProblem, out: OlxOutput) -> etree._Element:
        response = etree.Element("choiceresponse")
        group = etree.SubElement(response, "checkboxgroup")
        for choice in problem.choices:
            elem = etree.SubElement(group, "choice", correct="true" if choice.correct else "false")
            append_inline(elem, out.rich(choice.text))
            if choice.hint:
                hint = etree.SubElement(elem, "choicehint", selected="true")
                append_inline(hint, out.rich(choice.hint))
        return response
