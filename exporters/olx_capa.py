"""CAPA problem XML, in the shapes of the templates Studio itself uses (spec §1.8).

Every problem is `<problem display_name max_attempts weight showanswer>` holding one response; the response
holds `<label>` (the question), an optional `<description>`, the input element and `<solution>`; progressive
hints are a `<demandhint>` as the last child of `<problem>`. The `markdown` attribute is never written, so
Studio's simple editor cannot regenerate (and lose) the XML. The response itself (multiplechoiceresponse,
stringresponse, …) comes from the problem's type (its "olx" renderer); this module writes what they share, and
the helpers they use to place HTML inside CAPA elements.

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

from pamong_edx.course.model import Problem
from pamong_edx.course.richtext import RichText

# The HTML of a rich text field, its asset references resolved to where the package keeps the assets.
Rewrite = Callable[[RichText], str]

_SIMPLE_PARAGRAPH = re.compile(r"<p>([^<]*)</p>\n?\Z")
# Characters XML 1.0 cannot hold (lxml refuses them); source text may still carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

SOLUTION_HEADING = {"id": "Pembahasan", "en": "Explanation"}

# Elements that hold only elements: their children are laid out one per line. Responses and their input groups
# are recognised by name, so a plugin's own response is laid out alike.
_LAYOUT = frozenset({"problem", "choicegroup", "checkboxgroup", "optioninput", "demandhint", "solution"})


def _laid_out(tag: object) -> bool:
    return isinstance(tag, str) and (tag in _LAYOUT or tag.endswith("response"))


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
        if len(child) and (_laid_out(child.tag) or (child.get("class") == "detailed-solution" and _blocks_only(child))):
            _indent(child, level + 1)
    elem[-1].tail = "\n" + "  " * level


def _blocks_only(elem: etree._Element) -> bool:
    """True when added whitespace cannot show: no text beside the child elements."""
    return not (elem.text or "").strip() and not any((child.tail or "").strip() for child in elem)


class CapaBuilder:
    """Builds the <problem> element around the response a problem type gives."""

    def __init__(self, rewrite: Rewrite, language: str):
        self.rewrite = rewrite
        self.heading = SOLUTION_HEADING.get(language, SOLUTION_HEADING["en"])

    def build(self, problem: Problem, display_name: str, response: etree._Element,
              showanswer: str = "finished") -> etree._Element:
        root = etree.Element("problem", display_name=xml_safe(display_name))
        if problem.max_attempts:
            root.set("max_attempts", str(problem.max_attempts))
        root.set("weight", number(problem.weight))
        root.set("showanswer", showanswer)

        preamble, label_content, trailing = _split_question(self.rewrite(problem.question_html))
        if not label_content:
            label_content = [xml_safe(display_name)]
        for block in preamble:
            root.append(block)

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
