"""text_answer in OLX: a stringresponse, case-insensitive unless the problem says otherwise."""

from __future__ import annotations

from lxml import etree

from pamong_edx.course.model import TextProblem
from pamong_edx.exporters.olx_capa import xml_safe
from pamong_edx.exporters.olx_output import CapaRenderer, OlxOutput
from pamong_edx.i18n import _


class TextAnswerOlx(CapaRenderer):
    model = TextProblem

    def check(self, problem: TextProblem, out: OlxOutput) -> None:
        if not any(a.strip() for a in problem.answers):
            out.error(problem, "E102", _("a text_answer problem needs at least one answer"))

    def response(self, problem: TextProblem, out: OlxOutput) -> etree._Element:
        answers = [xml_safe(a) for a in problem.answers]
        response = etree.Element("stringresponse", answer=answers[0] if answers else "")
        if not problem.case_sensitive:
            response.set("type", "ci")
        for extra in answers[1:]:
            etree.SubElement(response, "additional_answer", answer=extra)
        etree.SubElement(response, "textline", size="20")
        return response
