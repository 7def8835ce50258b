"""Moodle XML question bank: `<org>-<number>-<run>.moodle.xml`, importable in a Moodle course's question bank
(Question bank > Import > Moodle XML), so a Moodle site can build native quizzes from the same source.

    <quiz>
      <question type="category">   one category per sequential: $course$/top/<course>/<chapter>/<sequential>
      <question type="...">        each problem of it, as its type's "moodlexml" renderer writes it
      <question type="category">   a unit that is a question pool gets its own category under the sequential,
      ...                          its info saying how many to draw (a quiz's "random question" draws them)

The layout follows Moodle's own writer and importer (question/format/xml/format.php): common elements in the
order `writequestion` writes them, texts as `<text>` in a format="html" element, the files a text shows as
base64 `<file>` elements beside it and `@@PLUGINFILE@@/<name>` in the text. Only problems are exported; texts,
videos and discussions belong to the Moodle course itself.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import etree

from pamong_edx import renderers
from pamong_edx.course.model import Course, Problem, Sequential, Unit
from pamong_edx.course.richtext import RichText, as_html
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.export import BuildResult, Exporter, ExportError
from pamong_edx.exporters.olx_capa import plain_text, xml_safe
from pamong_edx.exporters.olx_static import flat_name
from pamong_edx.i18n import _

TEXT_TAG = "text"  # Moodle XML holds every text in a <text> element
DEFAULT_PENALTY = "0.3333333"  # Moodle's default penalty for each wrong try (interactive behaviour)


class MoodleOutput:
    """What a "moodlexml" renderer writes into: `question()` gives a <question> with the parts every question
    shares; the renderer appends what its Moodle question type reads (answers, options)."""

    def __init__(self, course: Course):
        self.course = course
        self.diagnostics: list[Diagnostic] = []

    def text(self, parent: etree._Element, tag: str, value: RichText | str, with_format: bool = True
             ) -> etree._Element:
        """`<tag format="html"><text>…</text><file …/></tag>`: the HTML with its asset references pointing at
        @@PLUGINFILE@@/<name>, and those files embedded beside it."""
        elem = etree.SubElement(parent, tag)
        if with_format:
            elem.set("format", "html")
        files: dict[str, Path] = {}

        def resolve(name: str) -> str:
            flat = flat_name(name)
            files[flat] = self.course.assets[name].path
            return f"@@PLUGINFILE@@/{quote(flat)}"

        etree.SubElement(elem, TEXT_TAG).text = xml_safe(as_html(value, resolve) if value else "")
        for flat, path in sorted(files.items()):
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            etree.SubElement(elem, "file", name=flat, path="/", encoding="base64").text = data
        return elem

    def plain(self, parent: etree._Element, tag: str, value: str) -> etree._Element:
        """`<tag><text>value</text></tag>` for names and plain answers."""
        elem = etree.SubElement(parent, tag)
        etree.SubElement(elem, TEXT_TAG).text = xml_safe(value)
        return elem

    def question(self, problem: Problem, qtype: str, question_html: RichText | str | None = None
                 ) -> etree._Element:
        """The common head of a question, as Moodle's writer orders it: name, questiontext, generalfeedback (the
        explanation), defaultgrade (the weight), penalty, hidden, idnumber (the problem id)."""
        question = etree.Element("question", type=qtype)
        self.plain(question, "name", problem.title or plain_text(str(problem.question_html))[:80] or problem.id)
        self.text(question, "questiontext", problem.question_html if question_html is None else question_html)
        self.text(question, "generalfeedback", problem.explanation_html)
        etree.SubElement(question, "defaultgrade").text = number(problem.weight)
        etree.SubElement(question, "penalty").text = DEFAULT_PENALTY
        etree.SubElement(question, "hidden").text = "0"
        etree.SubElement(question, "idnumber").text = problem.id
        return question

    def finish(self, question: etree._Element, problem: Problem) -> None:
        """What comes after the type's elements: the hints, one per try, and tags naming the objective and
        level (so a quiz can draw by objective)."""
        for hint in problem.hints:
            self.text(question, "hint", hint)
        tags = [f"objective:{problem.objective}"] if problem.objective else []
        tags += [f"level:{problem.level}"] if problem.level else []
        if tags:
            holder = etree.SubElement(question, "tags")
            for tag in tags:
                self.plain(holder, "tag", tag)

    def combined_feedback(self, question: etree._Element) -> None:
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            self.text(question, tag, "")

    def warn(self, problem: Problem, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, renderers.location(problem), severity="warning"))

    def error(self, problem: Problem, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, renderers.location(problem), severity="error"))


class MoodleRenderer:
    """Base of "moodlexml" renderers: `question(problem, out)` returns the <question> element (start it with
    `out.question(problem, qtype)` and end it with `out.finish(question, problem)`), or None to leave the problem
    out with a warning of its own; `check(problem, out)` reports before anything is written."""

    def check(self, problem: Any, out: MoodleOutput) -> None:
        pass

    def question(self, problem: Any, out: MoodleOutput) -> etree._Element | None:
        raise NotImplementedError


def number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def category_path(*titles: str) -> str:
    """`$course$/top/A/B`: Moodle splits on '/', so a '/' inside a title is written doubled."""
    return "/".join(["$course$", "top"] + [" ".join(t.split()).replace("/", "//") for t in titles])


class MoodleXmlExporter(Exporter):
    component = "exporter_moodlexml"
    name = "moodlexml"
    version = "1.0.0"
    requires = ">=0.1,<1"
    suffix = ".moodle.xml"

    def prepare(self) -> None:
        problems = list(self.course.problems())
        missing = renderers.missing(problems, "moodlexml", self.name)
        if missing:
            raise ExportError(missing)
        self.out = MoodleOutput(self.course)
        self.renderer = renderers.Lookup("moodlexml")
        for problem in problems:
            self.renderer(problem).check(problem, self.out)
        errors = [d for d in self.out.diagnostics if d.is_error]
        if errors:
            raise ExportError(errors)
        self.warnings = [d.text() for d in self.out.diagnostics]
        del self.out.diagnostics[:]

    def write(self) -> None:
        quiz = etree.Element("quiz")
        self.categories = self.questions = 0
        for chapter, seq in self.course.sequentials():
            if not seq.problems():
                continue
            self._category(quiz, seq, category_path(self.course.title, chapter.title, seq.title), self._about(seq))
            for unit in seq.units:
                if unit.pool_draw is not None:
                    continue
                self._questions(quiz, unit)
            for unit in seq.units:
                if unit.pool_draw is not None:
                    info = _("Question pool: each attempt draws {k} of these {n} questions (add a random question "
                             "from this category to the quiz for each).").format(k=unit.pool_draw, n=len(unit.pool))
                    self._category(quiz, unit, category_path(self.course.title, chapter.title, seq.title,
                                                             unit.title), info)
                    self._questions(quiz, unit)
        self.warnings += [d.text() for d in self.out.diagnostics]
        self.xml = etree.tostring(quiz, encoding="UTF-8", xml_declaration=True, pretty_print=True)

    def _about(self, seq: Sequential) -> str:
        return _("{title}: {n} questions from the course source ({kind}).").format(
            title=seq.title, n=len(seq.problems()), kind=seq.kind)

    def _category(self, quiz: etree._Element, element: Sequential | Unit, path: str, info: str) -> None:
        question = etree.SubElement(quiz, "question", type="category")
        self.out.plain(question, "category", path)
        self.out.text(question, "info", f"<p>{html.escape(info)}</p>")
        etree.SubElement(question, "idnumber").text = element.id
        self.categories += 1

    def _questions(self, quiz: etree._Element, unit: Unit) -> None:
        for block in unit.blocks:
            if not block.is_problem:
                continue
            question = self.renderer(block).question(block, self.out)
            if question is not None:
                quiz.append(question)
                self.questions += 1

    def finish(self) -> BuildResult:
        path = self.output_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.xml)
        problems = sum(1 for _ in self.course.problems())
        pools = [u for _, s in self.course.sequentials() for u in s.units if u.pool_draw is not None]
        return BuildResult(format=self.name, path=path, size=len(self.xml),
                           counts={"blocks": sum(1 for _ in self.course.blocks()), "problems": self.questions,
                                   "categories": self.categories, "assets": 0,
                                   "pools": len(pools), "pooled": sum(len(u.pool) for u in pools),
                                   "drawn": sum(u.pool_draw for u in pools)},
                           largest_files=[(path.name, len(self.xml))],
                           warnings=self.warnings + ([] if self.questions == problems else [
                               _("{n} problems were left out of the question bank").format(
                                   n=problems - self.questions)]))
