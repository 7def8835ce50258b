"""What a block type's OLX renderer writes into: the package being built, and where in it the block goes.

The OLX exporter walks chapters, sequentials and units; for each block it asks the block's type for its "olx"
renderer (pamong_edx/renderers.py) and calls `render(block, out)`. A renderer places the block with the helpers
here: a pointer in the unit (`out.pointer`), files under course/ (`out.add`), an HTML component
(`out.html_component`), or a CAPA problem (`out.problem`, which writes the parts every problem shares: label,
description, explanation, hints, attempts, weight and the answer policy, around the response the type builds).
Problem types usually subclass `CapaRenderer` and write only `response()`.

HTML from the model goes through `out.rich(html)` before it is written, which points asset links at the
package's static/ files; a renderer never rewrites links itself.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

from lxml import etree

from pamong_edx.course.model import Block, Chapter, Course, Problem, Sequential, Unit
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.renderers import location

# The sequential's answer policy as Open edX's showanswer (values olxcleaner and Studio accept): a pretest never
# shows answers, a posttest once the problem is done with (answered right, or out of attempts).
SHOWANSWER = {"never": "never", "after_last_attempt": "finished", "after_passing": "correct_or_past_due",
              "always": "always"}


def xml_bytes(elem: etree._Element, pretty: bool = True) -> bytes:
    return etree.tostring(elem, encoding="utf-8", pretty_print=pretty)


class OlxOutput:
    """One exporter run's view for renderers. `parent` is the element pointers go into: the unit's vertical, or
    the item bank of a unit that is a question pool."""

    def __init__(self, course: Course, lang: str, files: dict[str, Any], rewrite: Callable[[str], str],
                 static: dict[str, str], capa: Any, unique: Callable[[str], str]):
        self.course = course
        self.lang = lang  # the course language's primary tag, e.g. "id"
        self.files = files
        self.rich = rewrite
        self.static = static  # asset name -> its flat name under static/
        self.capa = capa
        self.unique = unique  # a url_name not taken yet, from a wanted one
        self.diagnostics: list[Diagnostic] = []
        # What a renderer works out in `prepare` for this run (renderers are shared by every run: they keep no
        # state of their own), under a key of its choosing.
        self.scratch: dict[str, Any] = {}
        # What of that a chapter's files depend on beyond the chapter's own blocks (names of files shared across
        # the course, say): the build cache keys each chapter's files by it. Comparable, sortable values.
        self.context: dict[str, Any] = {}
        self.chapter: Chapter | None = None
        self.sequential: Sequential | None = None
        self.unit: Unit | None = None
        self.parent: etree._Element | None = None

    # ------------------------------------------------------------------------------------------- placing

    def title(self, block: Block) -> str:
        return block.title or (self.unit.title if self.unit else "")

    def add(self, name: str, data: bytes) -> None:
        """A file under course/ (e.g. "problem/q1.xml")."""
        self.files[f"course/{name}"] = data

    def add_static(self, flat_name: str, content: Any) -> None:
        """A file under course/static/ that is not one of the course's assets (e.g. a converted transcript)."""
        self.files[f"course/static/{flat_name}"] = content

    def pointer(self, tag: str, url_name: str) -> None:
        etree.SubElement(self.parent, tag, url_name=url_name)

    def append(self, element: etree._Element) -> None:
        """An element written inline in the unit, as Studio exports some components (discussions)."""
        self.parent.append(element)

    def html_component(self, url_name: str, title: str, html: str) -> None:
        """An HTML component: the pointer here, html/<url_name>.xml and the HTML itself (links resolved)."""
        from pamong_edx.exporters.olx_capa import xml_safe

        self.pointer("html", url_name)
        self.add(f"html/{url_name}.xml", xml_bytes(
            etree.Element("html", filename=url_name, display_name=xml_safe(title))))
        self.add(f"html/{url_name}.html", xml_safe(self.rich(html)).encode())

    def problem(self, problem: Problem, response: etree._Element) -> None:
        """A CAPA problem holding `response` (the type's <...response> element with its input): the pointer here
        and problem/<id>.xml with the question, explanation, hints, attempts, weight and showanswer."""
        showanswer = SHOWANSWER[self.sequential.show_answer] if self.sequential else "finished"
        root = self.capa.build(problem, self.title(problem), response, showanswer)
        self.pointer("problem", problem.id)
        self.add(f"problem/{problem.id}.xml", xml_bytes(root))

    # ------------------------------------------------------------------------------------------- reporting

    def warn(self, block: Block, code: str, message: str) -> None:
        """A build warning at the block (what Open edX will show differently from the source)."""
        self.diagnostics.append(Diagnostic(code, message, location(block), severity="warning"))

    def error(self, block: Block, code: str, message: str) -> None:
        """A problem that keeps the package from being built."""
        self.diagnostics.append(Diagnostic(code, message, location(block), severity="error"))


class OlxRenderer:
    """Base of "olx" renderers. `prepare` sees every block of the type before anything is written (to convert
    shared files, or to refuse what Open edX cannot hold); `render` places one block, and may warn about it (a
    chapter taken from the build cache brings those warnings along, unlike prepare's, which run every build)."""

    def prepare(self, blocks: list[Block], out: OlxOutput) -> None:
        pass

    def render(self, block: Block, out: OlxOutput) -> None:
        raise NotImplementedError


class CapaRenderer(OlxRenderer):
    """A problem type whose OLX is one CAPA response: subclasses build it in `response`."""

    model: ClassVar[type] = Problem  # the model class the type's blocks must be

    def prepare(self, blocks: list[Block], out: OlxOutput) -> None:
        for block in blocks:
            if not isinstance(block, self.model):
                out.error(block, "E103", f"block of type '{block.type}' is a {type(block).__name__}, "
                                         f"not a {self.model.__name__}")
            else:
                self.check(block, out)

    def check(self, problem: Any, out: OlxOutput) -> None:
        """Report what Open edX cannot hold as written (errors) or shows differently (warnings)."""

    def render(self, block: Block, out: OlxOutput) -> None:
        out.problem(block, self.response(block, out))  # type: ignore[arg-type]

    def response(self, problem: Any, out: OlxOutput) -> etree._Element:
        raise NotImplementedError
