"""What the renderers of the three choice types share: the checks every format needs, the interaction
identifiers SCORM requires (player.qtype.scorm_ids), and the choices' player settings and Moodle XML."""

from __future__ import annotations

from typing import ClassVar

from lxml import etree
from markupsafe import Markup, escape

from pamong_edx.course.model import ChoiceProblem
from pamong_edx.diagnostics import Diagnostic, register
from pamong_edx.exporters.moodlexml import MoodleOutput, MoodleRenderer
from pamong_edx.i18n import _
from pamong_edx.player.qtype import (
    MAX_IDS_12, Interaction, PlayerContext, PlayerRenderer, plain, scorm_ids,
)

register("S107", "too-many-choices-for-scorm12", "a choice problem with more choices than SCORM 1.2 can name")


def correct_count_problem(problem: ChoiceProblem, multiple: bool) -> str:
    """Why the problem's correct choices do not fit its type, or an empty string."""
    correct = len(problem.correct_ids)
    if multiple and correct < 1:
        return _("a {type} problem needs at least one correct choice").format(type=problem.type)
    if not multiple and correct != 1:
        return _("a {type} problem needs exactly one correct choice, it has {n}").format(type=problem.type, n=correct)
    return ""


def choice_ids(problem: ChoiceProblem, version: str) -> dict[str, str]:
    """Author's choice id -> its SCORM identifier in `version`; empty when 1.2 cannot name them all."""
    return scorm_ids([c.id for c in problem.choices], version)


def middle_fixed(problem: ChoiceProblem) -> list[str]:
    """Fixed choices with a free choice on each side: Open edX moves them to the end when it shuffles."""
    fixed = [c.fixed for c in problem.choices]
    first_free = fixed.index(False) if False in fixed else len(fixed)
    last_free = len(fixed) - 1 - fixed[::-1].index(False) if False in fixed else -1
    return [c.id for i, c in enumerate(problem.choices) if c.fixed and first_free < i < last_free]


# ------------------------------------------------------------------------------------------------- player


class ChoicePlayer(PlayerRenderer):
    """The player side of the three choice types: responses are stored as the choices' positions in the order
    written (stable whatever order a shuffle shows) and reported by their SCORM identifiers."""

    multiple: ClassVar[bool] = False
    input_type: ClassVar[str] = "radio"  # radio, checkbox, or select
    scripts = (("pamong_edx.blocktypes", "choices.js"),)

    def html(self, block: ChoiceProblem, view, ctx: PlayerContext) -> Markup:
        """The answer area: radio buttons, checkboxes or a select list. `data-choice-index` is the choice's place
        in the order written; choices.js reorders the elements when the problem is shuffled. (Written here
        rather than as a template: a course has many choice problems, and this is a third of a SCORM build.)"""
        qid = f"q{view.index}"
        t = ctx.lang.strings
        hints = [(i, c.hint) for i, c in enumerate(block.choices) if c.hint]
        if self.input_type == "select":
            parts = [f'<label class="answer-label" for="{qid}-answer">{escape(t["your_answer"])}</label>\n'
                     f'<select id="{qid}-answer" name="{qid}" aria-describedby="{qid}-text">\n'
                     f'<option value="">{escape(t["choose"])}</option>']
            parts += [f'\n<option value="{i}" data-choice-index="{i}" data-choice-id="{escape(c.id)}">'
                      f'{escape(Markup(str(c.text)).striptags())}</option>' for i, c in enumerate(block.choices)]
            parts.append("\n</select>")
            parts += [f'\n<p class="choice-hint" data-hint-for="{i}" hidden>{hint}</p>' for i, hint in hints]
            return Markup("".join(parts))
        kind = self.input_type
        parts = [f'<fieldset class="choices" aria-labelledby="{qid}-label {qid}-text">']
        for i, c in enumerate(block.choices):
            parts.append(f'\n<div class="choice" data-choice-index="{i}">\n<input type="{kind}" id="{qid}-c{i}" '
                         f'name="{qid}" value="{i}" data-choice-id="{escape(c.id)}">\n'
                         f'<label for="{qid}-c{i}">{c.text}</label>')
            if c.hint:
                parts.append(f'\n<p class="choice-hint" data-hint-for="{i}" hidden>{c.hint}</p>')
            parts.append("\n</div>")
        parts.append("\n</fieldset>")
        return Markup("".join(parts))

    def config(self, problem: ChoiceProblem, ctx: PlayerContext) -> dict:
        ids = choice_ids(problem, ctx.version)
        select = self.input_type == "select"
        choices = []
        for c in problem.choices:
            choice = {"id": c.id, "rid": ids.get(c.id, ""), "fixed": c.fixed}
            if select:  # a select list cannot show which option was right: the feedback names it
                choice["text"] = plain(c.text)
            choices.append(choice)
        return {"choices": choices, "correct": [i for i, c in enumerate(problem.choices) if c.correct],
                "shuffle": problem.shuffled, "select": select}

    def interaction(self, problem: ChoiceProblem, ctx: PlayerContext) -> Interaction:
        ids = choice_ids(problem, ctx.version)
        correct = [ids[c.id] for c in problem.choices if c.correct and c.id in ids]
        joined = ("," if ctx.version == "1.2" else "[,]").join(correct)
        return Interaction("choice", [joined] if correct else [], ids)

    def largest_response(self, problem: ChoiceProblem, ctx: PlayerContext) -> str:
        n = len(problem.choices)
        return ",".join(str(i) for i in range(n)) if self.multiple else str(max(n - 1, 0))

    def check(self, problem: ChoiceProblem, ctx: PlayerContext) -> list[Diagnostic]:
        if ctx.version == "1.2" and len(problem.choices) > MAX_IDS_12:
            return [Diagnostic("S107", _(
                "problem '{id}' has {n} choices; SCORM 1.2 names choices by one character (0-9, a-z), so it can "
                "report at most {max}: split the choices, or build scorm2004").format(
                id=problem.id, n=len(problem.choices), max=MAX_IDS_12), problem.loc)]
        return []


# ------------------------------------------------------------------------------------------------- moodlexml


def moodle_fraction(value: float) -> str:
    """A percentage as Moodle's XML writes fractions (e.g. 33.33333, -50)."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class MultichoiceMoodle(MoodleRenderer):
    """Moodle's multichoice: one right answer (single) or several (each right one gives its share, each wrong
    one takes a share away, so ticking everything earns nothing)."""

    single: ClassVar[bool] = True

    def check(self, problem: ChoiceProblem, out: MoodleOutput) -> None:
        if problem.shuffled and any(c.fixed for c in problem.choices):
            out.warn(problem, "W206", _("Moodle shuffles all the choices of a question or none: this question is "
                                        "written unshuffled, since some choices must keep their place"))

    def question(self, problem: ChoiceProblem, out: MoodleOutput) -> etree._Element:
        question = out.question(problem, "multichoice")
        etree.SubElement(question, "single").text = "true" if self.single else "false"
        shuffle = problem.shuffled and not any(c.fixed for c in problem.choices)
        etree.SubElement(question, "shuffleanswers").text = "true" if shuffle else "false"
        etree.SubElement(question, "answernumbering").text = "abc"
        etree.SubElement(question, "showstandardinstruction").text = "0"
        out.combined_feedback(question)
        right = [c for c in problem.choices if c.correct]
        wrong = [c for c in problem.choices if not c.correct]
        for choice in problem.choices:
            if self.single:
                fraction = 100.0 if choice.correct else 0.0
            else:
                fraction = 100.0 / len(right) if choice.correct else -100.0 / max(len(wrong), 1)
            answer = out.text(question, "answer", choice.text)
            answer.set("fraction", moodle_fraction(fraction))
            out.text(answer, "feedback", choice.hint)
        out.finish(question, problem)
        return question
