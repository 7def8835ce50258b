"""single_choice in OLX: a multiplechoiceresponse with a choicegroup, shuffled by Open edX when asked, with
choice hints."""

from __future__ import annotations

from lxml import etree

from pamong_edx.blocktypes.choice_render import correct_count_problem, middle_fixed
from pamong_edx.course.model import ChoiceProblem
from pamong_edx.exporters.olx_capa import append_inline
from pamong_edx.exporters.olx_output import CapaRenderer, OlxOutput
from pamong_edx.i18n import _


class SingleChoiceOlx(CapaRenderer):
    model = ChoiceProblem

    def check(self, problem: ChoiceProblem, out: OlxOutput) -> None:
        why = correct_count_problem(problem, multiple=False)
        if why:
            out.error(problem, "E107", why)
        moved = middle_fixed(problem) if problem.shuffled else []
        if moved:
            out.warn(problem, "W206", _(
                "Open edX keeps a fixed choice in place only at the start or the end; it shows {ids} after the "
                "shuffled choices (the SCORM player keeps {ids} where written)").format(ids=", ".join(moved)))

    def response(self, problem: ChoiceProblem, out: OlxOutput) -> etree._Element:
        response = etree.Element("multiplechoiceresponse")
        group = etree.SubElement(response, "choicegroup", type="MultipleChoice")
        if problem.shuffled:
            group.set("shuffle", "true")
        for choice in problem.choices:
            elem = etree.SubElement(group, "choice", correct="true" if choice.correct else "false")
            if problem.shuffled and choice.fixed:
                elem.set("fixed", "true")
            append_inline(elem, out.rich(choice.text))
            if choice.hint:
                append_inline(etree.SubElement(elem, "choicehint"), out.rich(choice.hint))
        return response
