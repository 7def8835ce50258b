"""Markdown to rich text: CommonMark with tables, raw HTML escaped, links to course files left open.

One markdown-it instance serves the whole load. A text is parsed and rendered once; each link or image that
points at a local file is rendered as a placeholder, and the result is kept as a `Rendering`: the HTML pieces
between those references. `Rendering.resolve` then turns it into the model's `RichText`, asking the loader
which references are course assets (and reporting those that are not) without rendering again, so a text
that recurs (a choice "Ya", a hint) is rendered once per load.

Most course strings (choice texts, short questions) hold no Markdown syntax at all; those skip the parser.
tests/course/test_markdown.py checks the shortcut gives exactly what markdown-it gives. markdown-it itself is
imported when the first text needs the parser, so a load whose texts all come from the build cache (or hold no
syntax) never imports it.

A text that keeps to the subset `compiled_can_render` allows is rendered by markdown-it-pyrs instead, the Rust port
of the same markdown-it, some fifteen times faster (Markdown was half of loading a course). Outside that subset the
two differ (pyrs drops escapes and entities from alt text, treats code spans, tables, tilde fences to the end of the
text, reference definitions, IPv6 and international host names otherwise, and can panic on backticks), so those
texts, inline ones that block parsing would not make one paragraph of, and any whose local references cannot be
placed exactly as markdown-it-py places them, go to markdown-it-py. Within it the HTML is the same:
tests/course/test_markdown.py compares the two on the CommonMark-style samples there, on thousands of generated
texts, and on every text of the bundled courses. Without pyrs (it has no wheel for Python 3.13 and later) every text
goes to markdown-it-py and the output is the same.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from pamong_edx.course.limits import TIMED_FROM
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
# What markdown-it-pyrs is not known to render as markdown-it-py does (see the module's docstring): backslash
# escapes, entities, code spans, raw HTML and autolinks, block quotes, tables, tilde fences, reference
# definitions, IPv6 hosts, control characters and carriage returns.
_OUTSIDE_COMPILED = re.compile(r"&[#A-Za-z0-9]|[\\`<>|\x00-\x08\x0b-\x1f\x7f\r]|~~~|\]:|//\[|@\[")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# An inline text (a choice, a hint) that block parsing makes one paragraph of, with the same inline content: one
# line, starting with a letter (no list, heading, quote, break or code can start so), not ending in white space.
_ONE_PARAGRAPH = re.compile(r"(?![\d_])\w[^\n]*(?<!\s)\Z")
# The CommonMark rules markdown-it-py's "commonmark" preset runs (raw HTML off), plus tables.
_COMPILED_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
                   "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table"]
# An image or a link in markdown-it's HTML: with raw HTML escaped and '<' outside the subset, only the engine
# writes these.
_TAG = re.compile(r'<img src="([^"]*)" alt="|<a href="([^"]*)"')
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


def engine_stamp() -> str:
    """What identifies the installed markdown-it (and markdown-it-pyrs), without importing them: where each
    package is and the size and time of its __init__.py (an upgrade rewrites it). Part of the key of renderings
    kept in the build cache."""
    import importlib.machinery

    stamps = []
    for package in ("markdown_it", "markdown_it_pyrs"):
        spec = importlib.machinery.PathFinder.find_spec(package)
        origin = spec.origin if spec is not None and spec.origin else ""
        try:
            info = os.stat(origin)
        except OSError:
            stamps.append(origin)
            continue
        stamps.append(f"{origin}:{info.st_size}:{info.st_mtime_ns}")
    return " ".join(stamps)


def compiled_can_render(text: str) -> bool:
    """Whether the text keeps to the subset where markdown-it-pyrs renders what markdown-it-py renders."""
    if len(text) > TIMED_FROM or _OUTSIDE_COMPILED.search(text):
        return False  # a long text is rendered under a time limit, which only Python code can be stopped by
    others = _NON_ASCII.findall(text)
    if not others:
        return True
    if "//" in text or "@" in text:  # a host name that is not ASCII: pyrs percent-encodes it, not punycode
        return False
    # symbols (emphasis next to them), spaces and control or format characters other than ASCII
    return not any(unicodedata.category(ch)[0] in "SZC" for ch in set(others))


class MarkdownRenderer:
    def __init__(self, compiled: bool = True) -> None:
        self._md = None
        self._compiled = None if compiled else False  # None: not looked for yet; False: not used
        self.memo: dict[tuple[str, bool], Rendering] = {}

    @property
    def md(self):
        """The markdown-it parser, made (and markdown-it imported) on first use."""
        if self._md is None:
            from markdown_it import MarkdownIt

            self._md = MarkdownIt("commonmark", {"html": False}).enable("table")
        return self._md

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

    @property
    def compiled(self):
        """The markdown-it-pyrs parser, or None when it is not installed (or not to be used)."""
        if self._compiled is None:
            try:
                import markdown_it_pyrs
            except ImportError:
                self._compiled = False
            else:
                self._compiled = markdown_it_pyrs.MarkdownIt("zero").enable_many(_COMPILED_RULES)
        return self._compiled or None

    def _render(self, text: str, inline: bool) -> Rendering:
        plain = self.plain_html(text, inline)
        if plain is not None:
            return Rendering.of((plain,))
        if self.compiled is not None and compiled_can_render(text) and (not inline or _ONE_PARAGRAPH.match(text)):
            found = self._render_compiled(text, inline)
            if found is not None:
                return found
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

    def _render_compiled(self, text: str, inline: bool = False) -> Rendering | None:
        """The text rendered by markdown-it-pyrs, its local references found in the HTML and placed in the text
        as `_mark_references` places them; None when a reference cannot be placed exactly (markdown-it-py then
        renders the text). pyrs has no inline mode: an inline text is one that makes a single paragraph, whose
        <p> is taken off."""
        try:
            html = self.compiled.render(text)
        except BaseException as exc:  # a panic in the engine is pyo3's PanicException, a BaseException
            if type(exc).__name__ != "PanicException":
                raise
            return None
        pieces: list[str] = []
        refs: list[Reference] = []
        written: list[str] = []
        copied = 0  # HTML up to here is in pieces
        searched = 0  # the text before here holds the references already placed
        for match in _TAG.finditer(html):
            is_image = match.group(1) is not None
            group = 1 if is_image else 2
            escaped = match.group(group)
            url = _unescape(escaped)
            if not url or _EXTERNAL.match(url):
                continue
            decoded = unquote(url.partition("#")[0])
            at = text.find("](" + decoded, searched)
            # markdown-it-py's line is the first in the paragraph holding the path: this one, when the path occurs
            # nowhere else in the text (so neither earlier in the paragraph nor in a code block before it)
            if at < 0 or text.find(decoded) != at + 2 or text.find(decoded, at + 3) >= 0:
                return None
            alt = ""
            if is_image:
                start = text.rfind("![", searched, at)
                alt = text[start + 2:at]
                if start < 0 or "[" in alt or "]" in alt or "\n" in alt:  # not just the label markdown-it saw
                    return None
            path = escaped.partition("#")[0]
            pieces.append(html[copied:match.start(group)])
            copied = match.start(group) + len(path)
            searched = at + 2
            refs.append(Reference(decoded, is_image, alt, text.count("\n", 0, at)))
            written.append(path)
        pieces.append(html[copied:])
        if inline:
            if not (pieces[0].startswith("<p>") and pieces[-1].endswith("</p>\n")):
                return None
            pieces[0] = pieces[0][3:]
            pieces[-1] = pieces[-1][:-5]
            if any("<p>" in piece or "</p>" in piece for piece in pieces):
                return None  # not the one paragraph it should be
        return Rendering.of(tuple(pieces), tuple(refs), tuple(written))

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


def _unescape(attribute: str) -> str:
    """An attribute's value as markdown-it escaped it (escapeHtml: & < > " only), unescaped."""
    if "&" not in attribute:
        return attribute
    return attribute.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _mark_references(tokens: list, text: str) -> tuple[list[Reference], list[str]]:
    """Replace the URL of every local link and image by a numbered mark; their references and URLs as written."""
    from markdown_it.common.utils import escapeHtml

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
