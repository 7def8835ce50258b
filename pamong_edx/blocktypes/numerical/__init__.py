"""`numerical`: a number typed by the learner, within a tolerance; Indonesian spellings (40,25, 30 %, 1.500.000)
are read as the course language writes numbers."""

from __future__ import annotations

from pamong_edx.course.blocks import PROBLEM_PROPERTIES, ProblemType
from pamong_edx.course.context import LoadContext
from pamong_edx.course.model import Block, NumericalProblem
from pamong_edx.course.schema import text
from pamong_edx.course.values import parse_tolerance
from pamong_edx.course.yamlsource import Fields, as_float


class NumericalType(ProblemType):
    component = "block_numerical"
    name = "numerical"
    description = "A number typed by the learner, within a tolerance."
    renderers = {
        "olx": "pamong_edx.blocktypes.numerical.olx:NumericalOlx",
        "scorm": "pamong_edx.blocktypes.numerical.player:NumericalPlayer",
        "moodlexml": "pamong_edx.blocktypes.numerical.moodlexml:NumericalMoodle",
    }
    schema = {
        "properties": {
            **PROBLEM_PROPERTIES,
            "answer": {"type": "number", "description": "The correct value."},
            "tolerance": {"anyOf": [{"type": "number", "minimum": 0},
                                    text("A percentage of the answer, e.g. 1%.", pattern="^\\d+(\\.\\d+)?%$")],
                          "description": "Absolute (0.5), or relative to the answer (\"1%\"). Default 0."},
            "unit": text("Shown after the input, e.g. % or Rp."),
        },
        "required": ["question", "answer"],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        common = cls.problem_fields(raw, ctx)
        answer = ctx.number(raw, "answer", code="E108", required=True)
        tolerance, percent = 0.0, False
        node = ctx.scalar(raw, "tolerance", expected="a number or a percentage")
        if node is not None:
            number = as_float(node)
            parsed = (number, False) if number is not None else parse_tolerance(node.value)
            if parsed is None:
                ctx.error("E108", f"tolerance '{node.value}' is not a number (write 0.5 or \"1%\")", node)
            elif parsed[0] < 0:
                ctx.error("E105", f"tolerance must not be negative, not '{node.value}'", node)
            else:
                tolerance, percent = parsed
        return NumericalProblem(**common, answer=answer, tolerance=tolerance, tolerance_is_percent=percent,
                                unit=ctx.string(raw, "unit"))
