"""text_answer in Moodle XML: shortanswer, every accepted answer worth full marks."""

from __future__ import annotations

from lxml import etree

from pamong_edx.course.model import TextProblem
from pamong_edx.exporters.moodlexml import MoodleOutput, MoodleRenderer


class TextAnswerMoodle(MoodleRenderer):
    def question(self, problem: TextProblem, out: MoodleOutput) -> etree._Element:
        question = out.question(problem, "shortanswer")
        etree.SubElement(question, "usecase").text = "1" if problem.case_sensitive else "0"
        for text in problem.answers:
            if not text.strip():
                continue
            answer = out.plain(question, "answer", text.strip())
            answer.set("fraction", "100")
            answer.set("format", "moodle_auto_format")
            out.text(answer, "feedback", "")
        out.finish(question, problem)
        return question
