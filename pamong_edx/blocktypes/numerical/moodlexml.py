"""numerical in Moodle XML: Moodle's numerical question, the tolerance absolute (a percentage is worked out),
the unit an optional unit learners may type (30 or 30 %). Moodle reads decimal commas and thousands
separators as the site's language writes them (Indonesian: 40,25 and 1.500.000)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from pamong_edx.blocktypes.numerical.olx import bounds
from pamong_edx.blocktypes.numerical.player import plain
from pamong_edx.course.model import NumericalProblem
from pamong_edx.exporters.moodlexml import MoodleOutput, MoodleRenderer


class NumericalMoodle(MoodleRenderer):
    def question(self, problem: NumericalProblem, out: MoodleOutput) -> etree._Element:
        question = out.question(problem, "numerical")
        lo, hi = bounds(problem)
        answer = out.plain(question, "answer", plain(Decimal(repr(float(problem.answer)))))
        answer.set("fraction", "100")
        answer.set("format", "moodle_auto_format")
        out.text(answer, "feedback", "")
        etree.SubElement(answer, "tolerance").text = plain((hi - lo) / 2)
        if problem.unit.strip():
            units = etree.SubElement(question, "units")
            unit = etree.SubElement(units, "unit")
            etree.SubElement(unit, "multiplier").text = "1"
            etree.SubElement(unit, "unit_name").text = problem.unit.strip()
            etree.SubElement(question, "unitgradingtype").text = "0"  # the unit may be left out, costs nothing
            etree.SubElement(question, "unitpenalty").text = "0"
            etree.SubElement(question, "showunits").text = "0"  # typed after the number
            etree.SubElement(question, "unitsleft").text = "0"
        out.finish(question, problem)
        return question
