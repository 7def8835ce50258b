"""dropdown in OLX: an optionresponse; a select list shows plain text only."""

from __future__ import annotations

from lxml import etree

from pamong_edx.blocktypes.choice_render import correct_count_problem
from pamong_edx.course.model import ChoiceProblem
from pamong_edx.exporters.olx_capa import append_inline, plain_text
from pamong_edx.exporters.olx_output import CapaRenderer, OlxOutput
from pamong_edx.i18n import ngettext


class DropdownOlx(CapaRenderer):
    model = ChoiceProblem

    def prepare(self, blocks: list, out: OlxOutput) -> None:
        super().prepare(blocks, out)
        shuffled = [b for b in blocks if isinstance(b, ChoiceProblem) and b.shuffled]
        if shuffled:  # one warning for all of them
            out.warn(shuffled[0], "W206", ngettext(
                "Open edX does not shuffle dropdown problems: {n} problem lists its choices in the order written "
                "(the SCORM player shuffles them)",
                "Open edX does not shuffle dropdown problems: {n} problems list their choices in the order "
                "written (the SCORM player shuffles them)", len(shuffled)).format(n=len(shuffled)))

    def check(self, problem: ChoiceProblem, out: OlxOutput) -> None:
        why = correct_count_problem(problem, multiple=False)
        if why:
            out.error(problem, "E107", why)

    def response(self, problem: ChoiceProblem, out: OlxOutput) -> etree._Element:
        response = etree.Element("optionresponse")
        group = etree.SubElement(response, "optioninput")
        for choice in problem.choices:
            elem = etree.SubElement(group, "option", correct="True" if choice.correct else "False")
            elem.text = plain_text(out.rich(choice.text))
            if choice.hint:
                append_inline(etree.SubElement(elem, "optionhint"), out.rich(choice.hint))
        return response
