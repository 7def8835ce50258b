"""numerical in the SCORM player: a text input read as the course language writes numbers (numbers.py, mirrored
in player.js), checked exactly against the range; reported as a SCORM `numeric` interaction where the version
can hold the numbers (Moodle's 2004 runtime takes at most five integer digits), else as `fill-in`."""

from __future__ import annotations

import re
from decimal import Decimal

from pamong_edx.blocktypes.numerical.olx import bounds
from pamong_edx.course.model import NumericalProblem
from pamong_edx.exporters.olx_capa import number
from markupsafe import Markup

from pamong_edx.player.qtype import Interaction, PlayerContext, PlayerRenderer, render_template

MAX_LENGTH = 24  # the input's maxlength: it bounds what an answer adds to suspend_data
DECIMAL_2004 = re.compile(r"-?[0-9]{1,5}(\.[0-9]{1,18})?\Z")  # Moodle's scorm_13.js CMIDecimal


def plain(value: Decimal) -> str:
    """A decimal as digits, never in exponent form: 40.50 -> "40.5", 1E+6 -> "1000000"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fits_2004(problem: NumericalProblem) -> bool:
    return all(DECIMAL_2004.match(plain(b)) for b in bounds(problem))


class NumericalPlayer(PlayerRenderer):
    scripts = (("pamong_edx.blocktypes.numerical", "player.js"),)

    def html(self, block: NumericalProblem, view, ctx: PlayerContext) -> Markup:
        return render_template("pamong_edx.blocktypes.numerical", "player.html.j2", b=block, q=view,
                               t=ctx.lang.strings, max_length=MAX_LENGTH)

    def config(self, problem: NumericalProblem, ctx: PlayerContext) -> dict:
        lo, hi = bounds(problem)
        shown = number(problem.answer)
        if ctx.lang.decimal_separator != ".":
            shown = shown.replace(".", ctx.lang.decimal_separator)
        return {"lo": plain(lo), "hi": plain(hi), "unit": problem.unit.strip(), "answerText": shown,
                "decimal": ctx.lang.decimal_separator, "group": ctx.lang.group_separator,
                "example": ctx.lang.example_number(), "maxLength": MAX_LENGTH}

    def interaction(self, problem: NumericalProblem, ctx: PlayerContext) -> Interaction:
        lo, hi = bounds(problem)
        exact = plain(Decimal(repr(float(problem.answer))))
        if ctx.version == "1.2":
            return Interaction("numeric", [exact])
        if fits_2004(problem):
            return Interaction("numeric", [plain(lo) if lo == hi else f"{plain(lo)}[:]{plain(hi)}"])
        return Interaction("fill-in", [exact])

    def largest_response(self, problem: NumericalProblem, ctx: PlayerContext) -> str:
        return "9" * MAX_LENGTH
