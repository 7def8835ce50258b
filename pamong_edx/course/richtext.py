"""Rich text in the course model: HTML rendered once, with its links to course assets left open.

The loader renders Markdown to HTML once. Where the text points at a file of the course (an image, a linked
PDF) the HTML holds an `AssetRef` instead of a URL, so that each exporter places the asset where its package
keeps it and writes the URL that goes with that place:

    text = RichText(('<p><img src="', AssetRef("img/peta desa.png"), '" alt="Peta" /></p>\\n'))
    text.assets                                   # ('img/peta desa.png',)
    text.html(lambda name: f"/static/{flat[name]}")   # OLX: the asset's flat name under static/
    str(text)                                     # the course's own layout: assets/img/peta%20desa.png

An exporter never searches generated HTML for links: the references are data. A block plugin that composes
HTML around rich text keeps the references by adding strings to it (`"<div>" + block.html + "</div>"`);
formatting it into an f-string flattens it to the course's own layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PosixPath, WindowsPath
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote

from pamong_edx.diagnostics import Location

ASSETS_DIR = "assets"

# Gives the URL of an asset (by its name relative to assets/) as the package being written serves it.
Resolver = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class AssetRef:
    """A place in rich text that holds the URL of a course asset, named relative to assets/."""

    name: str

    def __reduce__(self):
        return (AssetRef, (self.name,))


def source_url(name: str) -> str:
    """The URL of an asset relative to the course directory, which is also where SCORM packages keep it."""
    return f"{ASSETS_DIR}/{quote(name)}"


class RichText:
    """HTML (already escaped) interleaved with asset references. Immutable; empty when it holds nothing."""

    __slots__ = ("parts",)

    def __init__(self, parts: Iterable[str | AssetRef] = ()):
        merged: list[str | AssetRef] = []
        for part in parts:
            if isinstance(part, str):
                if not part:
                    continue
                if merged and isinstance(merged[-1], str):
                    merged[-1] += part
                    continue
            elif not isinstance(part, AssetRef):
                raise TypeError(f"rich text holds HTML strings and AssetRefs, not {type(part).__name__}")
            merged.append(part)
        object.__setattr__(self, "parts", tuple(merged))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RichText is immutable")

    @property
    def assets(self) -> tuple[str, ...]:
        """The asset names referenced, in order of appearance, each once."""
        parts = self.parts
        if len(parts) == 1 and type(parts[0]) is str:  # most texts: no reference
            return ()
        return tuple(dict.fromkeys(p.name for p in parts if type(p) is AssetRef))

    def html(self, resolve: Resolver = source_url) -> str:
        """The HTML with each reference replaced by the URL `resolve` gives for it (escaped for an attribute)."""
        return "".join(p if isinstance(p, str) else _attribute(resolve(p.name)) for p in self.parts)

    def __str__(self) -> str:
        return self.html()

    def __html__(self) -> str:  # markupsafe / Jinja2: inserted as HTML, not escaped again
        return self.html()

    def __bool__(self) -> bool:
        """False when the text shows nothing: no reference and only whitespace."""
        return any(not isinstance(p, str) or not p.isspace() for p in self.parts)

    def __add__(self, other: RichText | str) -> RichText:
        if isinstance(other, RichText):
            return RichText(self.parts + other.parts)
        if isinstance(other, str):
            return RichText(self.parts + (other,))
        return NotImplemented

    def __radd__(self, other: str) -> RichText:
        if isinstance(other, str):
            return RichText((other,) + self.parts)
        return NotImplemented

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RichText) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __repr__(self) -> str:
        return f"RichText({self.parts!r})"

    def __reduce__(self):  # pickling (the build cache) keeps the parts, already merged
        return (_from_parts, (self.parts,))


def _from_parts(parts: tuple[str | AssetRef, ...]) -> RichText:
    text = RichText.__new__(RichText)
    object.__setattr__(text, "parts", parts)
    return text


EMPTY = RichText()


def _attribute(url: str) -> str:
    """A URL escaped for a double-quoted attribute, as markdown-it escapes the URLs it writes."""
    return url.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def as_html(value: RichText | str, resolve: Resolver) -> str:
    """HTML to place in a package: rich text resolved, plain HTML (a plugin's own) as written."""
    return value.html(resolve) if isinstance(value, RichText) else value


# Values that never hold rich text, skipped without a look inside.
_PLAIN = frozenset({str, int, float, bool, type(None), bytes, datetime, PosixPath, WindowsPath, Location})


def referenced_assets(value: Any) -> Iterator[str]:
    """Every asset name referenced by the rich text in a model object, its lists and its nested objects."""
    kind = type(value)
    if kind is RichText:
        yield from value.assets
    elif kind is list or kind is tuple:
        for item in value:
            if type(item) not in _PLAIN:
                yield from referenced_assets(item)
    elif hasattr(kind, "__dataclass_fields__"):
        for name in kind.__dataclass_fields__:
            item = getattr(value, name)
            if type(item) not in _PLAIN:
                yield from referenced_assets(item)
