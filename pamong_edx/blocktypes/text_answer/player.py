"""text_answer in the SCORM player: a text input compared ignoring case and extra spaces (unless case
sensitive); reported as a SCORM `fill-in` interaction."""

from __future__ import annotations

from pamong_edx.course.model import TextProblem
from markupsafe import Markup

from pamong_edx.player.qtype import Interaction, PlayerContext, PlayerRenderer, render_template

MAX_LENGTH = 64  # the input's maxlength: it bounds what an answer adds to suspend_data
PATTERNS_KEPT = 5  # the fill-in correct responses every 2004 LMS must keep (RTE's smallest permitted maximum)


def bag_item(text: str) -> str:
    """A text as one item of a SCORM 2004 characterstring bag: no `[,]` delimiter, no leading `{`, at most 250."""
    text = " ".join(text.replace("[,]", ", ").split())
    return text.lstrip("{")[:250].strip()


class TextAnswerPlayer(PlayerRenderer):
    scripts = (("pamong_edx.blocktypes.text_answer", "player.js"),)

    def html(self, block: TextProblem, view, ctx: PlayerContext) -> Markup:
        return render_template("pamong_edx.blocktypes.text_answer", "player.html.j2", b=block, q=view,
                               t=ctx.lang.strings, max_length=MAX_LENGTH)

    def config(self, problem: TextProblem, ctx: PlayerContext) -> dict:
        return {"answers": [a.strip() for a in problem.answers if a.strip()], "caseSensitive": problem.case_sensitive,
                "maxLength": MAX_LENGTH}

    def interaction(self, problem: TextProblem, ctx: PlayerContext) -> Interaction:
        answers = [a.strip() for a in problem.answers if a.strip()]
        if ctx.version == "1.2":
            return Interaction("fill-in", [" ".join(a.split())[:255] for a in answers[:PATTERNS_KEPT]])
        prefix = "{case_matters=true}" if problem.case_sensitive else ""
        kept = [a for a in dict.fromkeys(bag_item(a) for a in answers) if a]
        return Interaction("fill-in", [prefix + a for a in kept[:PATTERNS_KEPT]])

    def largest_response(self, problem: TextProblem, ctx: PlayerContext) -> str:
        return '"' * MAX_LENGTH  # every character escaped in JSON: the longest a typed answer can get
