"""Markdown to rich text: CommonMark with tables, raw HTML escaped, links to course files left open.

One markdown-it instance serves the whole load. A text is parsed and rendered once; each link or image that
points at a local file is rendered as a placeholder, and the result is kept as a `Rendering`: the HTML pieces
between those references. `Rendering.resolve` then turns it into the model's `RichText`, asking the loader
which references are course assets (and reporting those that are not) without rendering again, so a text
that recurs (a choice "Ya", a hint) is rendered once per load.

Most course strings (choice texts, short questions) hold no Markdown syntax at all; those skip the parser.
tests/course/test_markdown.py checks the shortcut gives exactly what markdown-it gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from pamong_edx.course.richtext import AssetRef, RichText

# Characters that can start Markdown syntax anywhere in a line, plus every control character.
_SPECIAL = re.compile(r"[\\`*_\[\]!<>&#|~\x00-\x1f\x7f]")
# Line starts that open a block: list items, thematic breaks, setext underlines.
_BLOCK_START = re.compile(r"[-+=]|\d{1,9}[.)](?:\s|$)")
# A URL with a scheme (https:, mailto:), a fragment, a query or a network path is not a course file.
_EXTERNAL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|[#?]|//")
# Marks where a local reference goes in rendered HTML. markdown-it turns every NUL of the source into U+FFFD,
# and the no-syntax shortcut never sees a control character, so a NUL in the output is always one of these.
_MARK = "\x00"
# Texts remembered per renderer; most repeats are short (choices, hints), so this bounds memory, not hits.
MEMO_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class Reference:
    """A link or image pointing at a local file, as the author wrote it (percent-decoded)."""

    path: str
    is_image: bool
    alt: str  # the image's alt text ("" when missing); empty for links
    line: int  # 0-based line within the Markdown text

    def __reduce__(self):
        return (Reference, (self.path, self.is_image, self.alt, self.line))


# Says which asset a reference names (its name relative to assets/), or None to leave the URL as written.
Check = Callable[[Reference], "str | None"]


@dataclass(frozen=True, slots=True)
class Rendering:
    """Rendered HTML split at its local references: pieces[0], refs[0], pieces[1], … pieces[-1]."""

    pieces: tuple[str, ...]
    refs: tuple[Reference, ...] = ()
    written: tuple[str, ...] = ()  # each reference's URL as the author wrote it, escaped for an attribute
    plain: RichText | None = None  # the rich text itself, when there is no reference to resolve

    @classmethod
    def of(cls, pieces: tuple[str, ...], refs: tuple[Reference, ...] = (), written: tuple[str, ...] = ()
           ) -> "Rendering":
        return cls(pieces, refs, written, None if refs else RichText(pieces))

    def __reduce__(self):  # the build cache keeps renderings; by value is quicker to read back
        return (Rendering, (self.pieces, self.refs, self.written, self.plain))

    def resolve(self, check: Check | None = None) -> RichText:
        if self.plain is not None:  # rich text is immutable: one object serves every use of this text
            return self.plain
        parts: list[str | AssetRef] = [self.pieces[0]]
        for ref, written, piece in zip(self.refs, self.written, self.pieces[1:]):
            name = check(ref) if check is not None else None
            parts.append(AssetRef(name) if name is not None else written)
            parts.append(piece)
        return RichText(parts)


class MarkdownRenderer:
    def __init__(self) -> None:
        self.md = MarkdownIt("commonmark", {"html": False}).enable("table")
        self.memo: dict[tuple[str, bool], Rendering] = {}

    def render(self, text: str, *, inline: bool = False, check: Check | None = None) -> RichText:
        """Rich text for `text`; `inline` renders without the paragraph wrapper (choice texts, hints)."""
        return self.rendering(text, inline).resolve(check)

    def rendering(self, text: str, inline: bool = False) -> Rendering:
        key = (text, inline)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) >= MEMO_SIZE:
                self.memo.clear()
            found = self.memo[key] = self._render(text, inline)
        return found

    def _render(self, text: str, inline: bool) -> Rendering:
        plain = self.plain_html(text, inline)
        if plain is not None:
            return Rendering.of((plain,))
        env: dict = {}
        tokens = self.md.parseInline(text, env) if inline else self.md.parse(text, env)
        refs, written = _mark_references(tokens, text)
        out = self.md.renderer.render(tokens, self.md.options, env)
        if not refs:
            return Rendering.of((out,))
        pieces = out.split(_MARK)
        # the split alternates HTML and the number of a reference
        return Rendering.of(tuple(pieces[0::2]), tuple(refs[int(i)] for i in pieces[1::2]),
                            tuple(written[int(i)] for i in pieces[1::2]))

    @staticmethod
    def plain_html(text: str, inline: bool) -> str | None:
        """The HTML of text that holds no Markdown syntax, or None when the parser is needed."""
        body = text.strip("\n") if not inline else text
        if not body or body != body.strip() or _SPECIAL.search(body):
            return None
        if not inline and _BLOCK_START.match(body):
            return None
        escaped = body.replace('"', "&quot;")
        return escaped if inline else f"<p>{escaped}</p>\n"


def _mark_references(tokens: list, text: str) -> tuple[list[Reference], list[str]]:
    """Replace the URL of every local link and image by a numbered mark; their references and URLs as written."""
    refs: list[Reference] = []
    written: list[str] = []
    lines: list[str] | None = None
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "image":
                attr = "src"
            elif child.type == "link_open":
                attr = "href"
            else:
                continue
            url = child.attrGet(attr)
            if not url or _EXTERNAL.match(url):
                continue
            path, hash_, fragment = url.partition("#")
            decoded = unquote(path)
            line = token.map[0] if token.map else 0
            if token.map and token.map[1] - token.map[0] > 1:
                if lines is None:
                    lines = text.split("\n")
                line = next((i for i in range(token.map[0], token.map[1]) if decoded in lines[i]), line)
            is_image = child.type == "image"
            child.attrSet(attr, f"{_MARK}{len(refs)}{_MARK}{hash_}{fragment}")
            refs.append(Reference(decoded, is_image, child.content if is_image else "", line))
            written.append(escapeHtml(path))
    return refs, written
