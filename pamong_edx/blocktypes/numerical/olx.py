"""numerical in OLX: a stringresponse whose regular expression accepts every spelling of every number within the
tolerance, in the course language's convention and the other one (numbers.py), since Open edX's numerical input
misreads `30%` (as 0.3) and refuses `40,25` and `1.500.000`.

The pattern is the response's only answer: capa joins several answers as `^a|b$`, which anchors none of them
fully (`^40` would also accept 400), so "Show answer" shows the pattern itself; the explanation is where the
learner reads the number. Where a pattern cannot be written (a unit with `$` or `_or_`, which capa would treat
specially, or an answer past float precision), the problem falls back to Open edX's numerical input with the
accepted format written under the question, and the build warns.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from pamong_edx.blocktypes.numerical.numbers import answer_regex
from pamong_edx.course.model import NumericalProblem
from pamong_edx.exporters.olx_capa import number, xml_safe
from pamong_edx.exporters.olx_output import CapaRenderer, OlxOutput
from pamong_edx.i18n import _
from pamong_edx.player.lang import language_pack

MAX_PATTERN = 20_000  # characters; beyond this the fallback is kinder to Studio's editor than the pattern
FORMAT_NOTE = {
    "id": "Tulis jawaban sebagai angka dengan titik sebagai pemisah desimal dan tanpa pemisah ribuan, "
          "misalnya {example}.",
    "en": "Write the answer as a number with a decimal point and no thousands separators, for example {example}.",
}


def bounds(problem: NumericalProblem) -> tuple[Decimal, Decimal]:
    """The accepted range, exactly as written in the source (floats read through their shortest repr)."""
    answer = Decimal(repr(float(problem.answer)))
    tolerance = Decimal(repr(float(problem.tolerance)))
    allowed = abs(answer) * tolerance / 100 if problem.tolerance_is_percent else tolerance
    return answer - allowed, answer + allowed


class NumericalOlx(CapaRenderer):
    model = NumericalProblem

    def pattern(self, problem: NumericalProblem, out: OlxOutput) -> str | None:
        unit = problem.unit.strip()
        if "$" in unit or "_or_" in unit.lower() or len(repr(float(problem.answer))) > 17:
            return None
        pack = language_pack(out.course.language)
        lo, hi = bounds(problem)
        pattern = answer_regex(lo, hi, pack.decimal_separator, pack.group_separator, unit)
        return pattern if len(pattern) <= MAX_PATTERN else None

    def example(self, problem: NumericalProblem) -> str:
        return number(problem.answer)

    def response(self, problem: NumericalProblem, out: OlxOutput) -> etree._Element:
        # Worked out (and warned about) as the problem is written, not in prepare: a chapter from the build cache
        # brings its warnings with it, so an unchanged problem's pattern is not built again.
        pattern = self.pattern(problem, out)
        if pattern is None:
            out.warn(problem, "W207", _(
                "Open edX cannot be given a pattern for this answer, so its own number input grades it: learners "
                "must type {example} (a decimal point, no thousands separators, no unit); the format is written "
                "under the question").format(example=self.example(problem)))
            return self.numerical(problem, out)
        response = etree.Element("stringresponse", answer=pattern, type="ci regexp")
        field = etree.SubElement(response, "textline", size="20")
        if problem.unit:
            field.set("trailing_text", xml_safe(problem.unit))
        return response

    def numerical(self, problem: NumericalProblem, out: OlxOutput) -> etree._Element:
        response = etree.Element("numericalresponse", answer=number(problem.answer))
        tolerance = number(problem.tolerance) + ("%" if problem.tolerance_is_percent else "")
        etree.SubElement(response, "responseparam", type="tolerance", default=tolerance)
        note = FORMAT_NOTE.get(out.lang, FORMAT_NOTE["en"]).format(example=self.example(problem))
        etree.SubElement(response, "description").text = note
        field = etree.SubElement(response, "formulaequationinput")
        if problem.unit:
            field.set("trailing_text", xml_safe(problem.unit))
        return response
