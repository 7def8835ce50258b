"""CAPA problem XML, in the shapes of the templates Studio itself uses (spec §1.8).

Every problem is `<problem display_name max_attempts weight showanswer>` holding one response; the response
holds `<label>` (the question), an optional `<description>`, the input element and `<solution>`; progressive
hints are a `<demandhint>` as the last child of `<problem>`. The `markdown` attribute is never written, so
Studio's simple editor cannot regenerate (and lose) the XML.

The loader gives question, choice, hint and explanation texts as rich text; their HTML (asset references
resolved by the exporter) is parsed into elements here, so lxml escapes whatever they hold when the file is
serialised.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Callable

import lxml.html
from lxml import etree

from pamong_edx.course.model import ChoiceProblem, NumericalProblem, Problem, TextProblem
from pamong_edx.course.richtext import RichText

# The HTML of a rich text field, its asset references resolved to where the package keeps the assets.
Rewrite = Callable[[RichText], str]

_SIMPLE_PARAGRAPH = re.compile(r"<p>([^<]*)</p>\n?\Z")
# Characters XML 1.0 cannot hold (lxml refuses them); source text may still carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

SOLUTION_HEADING = {"id": "Pembahasan", "en": "Explanation"}

# Elements built here that hold only elements: their children are laid out one per line.
_LAYOUT = frozenset({
    "problem", "multiplechoiceresponse", "choiceresponse", "optionresponse", "numericalresponse",
    "stringresponse", "choicegroup", "checkboxgroup", "optioninput", "demandhint", "solution",
})


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text) if text else ""


def html_fragments(text: str) -> list:
    """Top-level pieces of an HTML fragment: strings for bare text, elements for tags."""
    text = xml_safe(text)
    if not text.strip():
        return []
    if "<" not in text:
        return [unescape(text)]
    simple = _SIMPLE_PARAGRAPH.match(text)
    if simple:  # most questions, hints and explanations: skip the HTML parser
        para = etree.Element("p")
        para.text = unescape(simple[1])
        return [para]
    return lxml.html.fragments_fromstring(text)


def append_fragments(parent: etree._Element, fragments: list) -> None:
    for piece in fragments:
        if isinstance(piece, str):
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + piece
            else:
                parent.text = (parent.text or "") + piece
        else:
            parent.append(piece)


def append_inline(parent: etree._Element, html: str) -> None:
    """Append HTML as inline content: a lone paragraph is unwrapped so a label or hint holds no <p>."""
    fragments = html_fragments(html)
    if len(fragments) == 1 and not isinstance(fragments[0], str) and fragments[0].tag == "p":
        para = fragments[0]
        para.tail = None
        parent.text = (parent.text or "") + (para.text or "")
        for child in list(para):
            parent.append(child)
        return
    append_fragments(parent, fragments)


def plain_text(html: str) -> str:
    fragments = html_fragments(html)
    text = "".join(f if isinstance(f, str) else "".join(f.itertext()) + (f.tail or "") for f in fragments)
    return " ".join(text.split())


def number(value: float) -> str:
    """40.0 -> "40", 0.5 -> "0.5": the shortest form that reads back as the same number."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


_BLOCK_TAGS = frozenset({
    "p", "div", "ul", "ol", "dl", "table", "pre", "blockquote", "figure", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
})


def _blocks(html: str) -> list:
    """The fragments of block-level HTML without the newlines between blocks (indentation replaces them)."""
    fragments = html_fragments(html)
    for piece in fragments:
        if not isinstance(piece, str) and piece.tag in _BLOCK_TAGS and not (piece.tail or "").strip():
            piece.tail = None
    return fragments


def _split_question(html: str) -> tuple[list, list, list]:
    """(preamble blocks, label content, trailing blocks): the last paragraph with text is the label."""
    fragments = html_fragments(html)
    inline = any(
        (isinstance(f, str) and f.strip()) or (not isinstance(f, str) and f.tag not in _BLOCK_TAGS)
        for f in fragments
    )
    if inline:
        return [], fragments, []
    blocks = [f for f in fragments if not isinstance(f, str)]
    for block in blocks:
        block.tail = None
    last_p = max((i for i, b in enumerate(blocks) if b.tag == "p" and "".join(b.itertext()).strip()), default=None)
    if last_p is None:
        return blocks, [], []
    para = blocks[last_p]
    label = ([para.text] if para.text else []) + list(para)
    return blocks[:last_p], label, blocks[last_p + 1:]


def _indent(elem: etree._Element, level: int = 0) -> None:
    """Lay out the children of the structural elements built here one per line; content keeps its whitespace."""
    pad = "\n" + "  " * (level + 1)
    elem.text = pad
    for child in elem:
        child.tail = pad
        if len(child) and (child.tag in _LAYOUT or (child.get("class") == "detailed-solution" and _blocks_only(child))):
            _indent(child, level + 1)
    elem[-1].tail = "\n" + "  " * level


def _blocks_only(elem: etree._Element) -> bool:
    """True when added whitespace cannot show: no text beside the child elements."""
    return not (elem.text or "").strip() and not any((child.tail or "").strip() for child in elem)


class CapaBuilder:
    """Builds the <problem> element of each built-in problem type."""

    def __init__(self, rewrite: Rewrite, language: str):
        self.rewrite = rewrite
        self.heading = SOLUTION_HEADING.get(language, SOLUTION_HEADING["en"])

    def build(self, problem: Problem, display_name: str) -> etree._Element:
        root = etree.Element("problem", display_name=xml_safe(display_name))
        if problem.max_attempts:
            root.set("max_attempts", str(problem.max_attempts))
        root.set("weight", number(problem.weight))
        root.set("showanswer", "finished")

        preamble, label_content, trailing = _split_question(self.rewrite(problem.question_html))
        if not label_content:
            label_content = [xml_safe(display_name)]
        for block in preamble:
            root.append(block)

        response = self._response(problem)
        root.append(response)
        label = etree.Element("label")
        append_fragments(label, label_content)
        response.insert(0, label)
        if trailing:
            description = etree.Element("description")
            append_fragments(description, trailing)
            response.insert(1, description)

        if problem.explanation_html:
            solution = etree.SubElement(response, "solution")
            detail = etree.SubElement(solution, "div", {"class": "detailed-solution"})
            etree.SubElement(detail, "p").text = self.heading
            append_fragments(detail, _blocks(self.rewrite(problem.explanation_html)))

        hints = [h for h in problem.hints if h]
        if hints:
            demand = etree.SubElement(root, "demandhint")
            for text in hints:
                append_inline(etree.SubElement(demand, "hint"), self.rewrite(text))
        _indent(root)
        return root

    def _response(self, problem: Problem) -> etree._Element:
        if problem.type == "single_choice":
            return self._single_choice(problem)
        if problem.type == "multiple_choice":
            return self._checkboxes(problem)
        if problem.type == "dropdown":
            return self._dropdown(problem)
        if problem.type == "numerical":
            return self._numerical(problem)
        if problem.type == "text_answer":
            return self._text(problem)
        raise ValueError(f"not a built-in problem type: {problem.type}")

    def _single_choice(self, problem: ChoiceProblem) -> etree._Element:
        response = etree.Element("multiplechoiceresponse")
        group = etree.SubElement(response, "choicegroup", type="MultipleChoice")
        if problem.shuffle:
            group.set("shuffle", "true")
        for choice in problem.choices:
            elem = etree.SubElement(group, "choice", correct="true" if choice.correct else "false")
            append_inline(elem, self.rewrite(choice.text))
            if choice.hint:
                append_inline(etree.SubElement(elem, "choicehint"), self.rewrite(choice.hint))
        return response

    def _checkboxes(self, problem: ChoiceProblem) -> etree._Element:
        # checkboxgroup has no shuffle in CAPA; the order written is the order shown.
        response = etree.Element("choiceresponse")
        group = etree.SubElement(response, "checkboxgroup")
        for choice in problem.choices:
            elem = etree.SubElement(group, "choice", correct="true" if choice.correct else "false")
            append_inline(elem, self.rewrite(choice.text))
            if choice.hint:
                hint = etree.SubElement(elem, "choicehint", selected="true")
                append_inline(hint, self.rewrite(choice.hint))
        return response

    def _dropdown(self, problem: ChoiceProblem) -> etree._Element:
        # A select list shows plain text only.
        response = etree.Element("optionresponse")
        group = etree.SubElement(response, "optioninput")
        for choice in problem.choices:
            elem = etree.SubElement(group, "option", correct="True" if choice.correct else "False")
            elem.text = plain_text(self.rewrite(choice.text))
            if choice.hint:
                append_inline(etree.SubElement(elem, "optionhint"), self.rewrite(choice.hint))
        return response

    def _numerical(self, problem: NumericalProblem) -> etree._Element:
        response = etree.Element("numericalresponse", answer=number(problem.answer))
        tolerance = number(problem.tolerance) + ("%" if problem.tolerance_is_percent else "")
        etree.SubElement(response, "responseparam", type="tolerance", default=tolerance)
        field = etree.SubElement(response, "formulaequationinput")
        if problem.unit:
            field.set("trailing_text", xml_safe(problem.unit))
        return response

    def _text(self, problem: TextProblem) -> etree._Element:
        answers = [xml_safe(a) for a in problem.answers]
        response = etree.Element("stringresponse", answer=answers[0] if answers else "")
        if not problem.case_sensitive:
            response.set("type", "ci")
        for extra in answers[1:]:
            etree.SubElement(response, "additional_answer", answer=extra)
        etree.SubElement(response, "textline", size="20")
        return response
