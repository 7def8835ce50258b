"""Markdown to HTML: CommonMark with tables, raw HTML escaped, local links and images resolved.

One markdown-it instance serves the whole load. Most course strings (choice texts, short questions) hold no
Markdown syntax at all; those skip the parser, which keeps a 40,000-block course quick to load.
tests/course/test_markdown.py checks the shortcut gives exactly what markdown-it gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt

# Characters that can start Markdown syntax anywhere in a line, plus every control character.
_SPECIAL = re.compile(r"[\\`*_\[\]!<>&#|~\x00-\x1f\x7f]")
# Line starts that open a block: list items, thematic breaks, setext underlines.
_BLOCK_START = re.compile(r"[-+=]|\d{1,9}[.)](?:\s|$)")
# A URL with a scheme (https:, mailto:), a fragment, a query or a network path is not a course file.
_EXTERNAL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|[#?]|//")


@dataclass(frozen=True)
class Reference:
    """A link or image pointing at a local file, as the author wrote it (percent-decoded)."""

    path: str
    is_image: bool
    alt: str  # the image's alt text ("" when missing); empty for links
    line: int  # 0-based line within the Markdown text


# Resolves a reference: returns the URL to put in the HTML, or None to leave it as written.
Resolver = Callable[[Reference], "str | None"]


class MarkdownRenderer:
    def __init__(self) -> None:
        self.md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def render(self, text: str, *, inline: bool = False, resolve: Resolver | None = None) -> str:
        """HTML for `text`; `inline` renders without the paragraph wrapper (choice texts, hints)."""
        plain = self.plain_html(text, inline)
        if plain is not None:
            return plain
        env: dict = {}
        tokens = self.md.parseInline(text, env) if inline else self.md.parse(text, env)
        if resolve is not None:
            _resolve_references(tokens, text, resolve)
        return self.md.renderer.render(tokens, self.md.options, env)

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


def _resolve_references(tokens: list, text: str, resolve: Resolver) -> None:
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
            path = unquote(path)
            line = token.map[0] if token.map else 0
            if token.map and token.map[1] - token.map[0] > 1:
                if lines is None:
                    lines = text.split("\n")
                line = next((i for i in range(token.map[0], token.map[1]) if path in lines[i]), line)
            is_image = child.type == "image"
            new = resolve(Reference(path, is_image, child.content if is_image else "", line))
            if new is not None:
                child.attrSet(attr, new + hash_ + fragment)
