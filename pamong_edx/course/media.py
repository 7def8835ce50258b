"""Which files a course may ship under assets/: an allow-list of media types, and SVG images without script.

Every file under assets/ goes into the packages: Open edX serves it from the course's own origin
(`/asset-v1:…`), and the SCORM player opens it beside its pages. A file that a browser runs (HTML, SVG with
script or event handlers, JavaScript) would run with the learner's session, so only media the players and
Open edX show passively are allowed, checked by name and, for binary formats, by their first bytes. HTML
pages are allowed only when the course declares them (`html_assets: true` in course.yaml): whoever declares
them takes responsibility for what they run.

SVG is XML that can hold script. An SVG is allowed when it holds only drawing elements: no <script>, no
<foreignObject>, no event handler attributes, no reference to anything outside the file (links to
`#fragments` and embedded raster `data:` images are fine), no DOCTYPE with entities. The file is read with
lxml's parser set never to load anything or expand entities; a refused SVG is reported at its line, and
the author fixes the source (export as "plain SVG" from the drawing program), so what is packaged is always
exactly what was reviewed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lxml import etree

from pamong_edx.i18n import _
from pamong_edx.units import format_size

# Extensions the packages may carry, each with the pattern its first bytes match (None: a text format, or
# one without a fixed signature, which the name alone decides).
_PK = rb"PK\x03\x04"
MEDIA: dict[str, bytes | None] = {
    # images
    ".png": rb"\x89PNG\r\n\x1a\n", ".jpg": rb"\xff\xd8\xff", ".jpeg": rb"\xff\xd8\xff", ".gif": rb"GIF8[79]a",
    ".webp": rb"RIFF.{4}WEBP", ".svg": None,
    # video and audio
    ".mp4": rb".{4}ftyp", ".m4v": rb".{4}ftyp", ".m4a": rb".{4}ftyp", ".webm": rb"\x1a\x45\xdf\xa3",
    ".mp3": rb"ID3|\xff[\xe0-\xff]", ".ogg": rb"OggS", ".oga": rb"OggS", ".wav": rb"RIFF.{4}WAVE",
    # captions
    ".srt": None, ".vtt": None,
    # documents learners download
    ".pdf": rb"%PDF-", ".txt": None, ".csv": None,
    ".docx": _PK, ".xlsx": _PK, ".pptx": _PK, ".odt": _PK, ".ods": _PK, ".odp": _PK,
}
_SIGNATURES = {suffix: re.compile(pattern, re.DOTALL) for suffix, pattern in MEDIA.items() if pattern}
HTML_SUFFIXES = (".html", ".htm")
SVG_MAX = 10_000_000  # bytes; drawings are far smaller, and checking one means parsing it whole
HTML_KEY = "html_assets"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Namespaces of editor metadata (Inkscape, Sodipodi, RDF, Dublin Core, Creative Commons): inert, kept.
METADATA_NS = frozenset({
    "http://www.inkscape.org/namespaces/inkscape", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#", "http://web.resource.org/cc/", "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://ns.adobe.com/SaveForWeb/1.0/", "http://ns.adobe.com/Extensibility/1.0/",
})
SVG_ELEMENTS = frozenset("""
    svg g defs title desc metadata symbol use switch view style
    path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker image a
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur
    feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile feTurbulence
""".split())
# Not listed, so refused: script, foreignObject (HTML inside), and the animation elements, which can rewrite
# an attribute (an href to javascript:, an event handler) after any check.
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_IMPORT = re.compile(r"@import", re.IGNORECASE)
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);", re.IGNORECASE)
_NAVIGATION = re.compile(r"(https?:|mailto:|#)", re.IGNORECASE)


class MediaProblem(Exception):
    """Why a file may not be packaged; `line` is 1-based in the file, 0 for the whole file."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message, self.line = message, line


def check_asset(path: Path, name: str, html_allowed: bool) -> None:
    """Raise MediaProblem when the file under assets/ (named `name`) may not be packaged."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in HTML_SUFFIXES:
        if not html_allowed:
            raise MediaProblem(_("HTML files run in the learner's browser, so a course ships them only when "
                                 "course.yaml declares them: add `{key}: true` if this page is meant to be "
                                 "packaged").format(key=HTML_KEY))
        return
    if suffix not in MEDIA:
        allowed = ", ".join(sorted(MEDIA))
        raise MediaProblem(_("'{suffix}' files are not among the media types the packages carry ({allowed})"
                             ).format(suffix=suffix or _("extension-less"), allowed=allowed))
    signature = _SIGNATURES.get(suffix)
    if signature is not None:
        with open(path, "rb") as source:
            head = source.read(16)
        if not signature.match(head):
            raise MediaProblem(_("is not a {kind} file, whatever its name says (its first bytes do not match)"
                                 ).format(kind=suffix[1:].upper()))
    if suffix == ".svg":
        check_svg(path)


def check_svg(path: Path) -> None:
    """Raise MediaProblem for an SVG that could run script or load anything from outside itself."""
    size = os.path.getsize(path)
    if size > SVG_MAX:
        raise MediaProblem(_("is {size}, larger than the {limit} an SVG image may be (it is read whole to check "
                             "it); simplify it or export it as PNG").format(size=format_size(size),
                                                                         limit=format_size(SVG_MAX)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise MediaProblem(_("is not well-formed SVG: {error}").format(error=exc.msg), exc.lineno or 0) from None
    doctype = tree.docinfo
    if doctype.internalDTD is not None and tree.docinfo.internalDTD.entities():
        raise MediaProblem(_("declares entities in its DOCTYPE; remove the DOCTYPE"), 1)
    root = tree.getroot()
    for pi in root.itersiblings(preceding=True):
        if isinstance(pi, etree._ProcessingInstruction):
            raise MediaProblem(_("holds a processing instruction <?{target}?> (it can load a style sheet); "
                                 "remove it").format(target=pi.target), pi.sourceline or 0)
    if etree.QName(root).namespace != SVG_NS or etree.QName(root).localname != "svg":
        raise MediaProblem(_("is not an SVG image: its root element is not <svg> in the SVG namespace"),
                           root.sourceline or 0)
    for element in root.iter():
        if not isinstance(element.tag, str):  # a processing instruction inside
            raise MediaProblem(_("holds a processing instruction; remove it"), element.sourceline or 0)
        _check_element(element)


def _check_element(element: etree._Element) -> None:
    line = element.sourceline or 0
    qname = etree.QName(element)
    if qname.namespace in METADATA_NS:
        return
    if qname.namespace != SVG_NS or qname.localname not in SVG_ELEMENTS:
        shown = qname.localname if qname.namespace in (SVG_NS, None) else element.tag
        raise MediaProblem(_("holds a <{element}> element, which course images may not hold (only drawing "
                             "elements: no script, HTML or animation)").format(element=shown), line)
    for attribute, value in element.attrib.items():
        aname = etree.QName(attribute)
        local = aname.localname.lower()
        if local.startswith("on"):
            raise MediaProblem(_("has an event handler attribute '{attribute}', which runs script; remove it"
                                 ).format(attribute=aname.localname), line)
        if local == "href":
            _check_href(qname.localname, value.strip(), line)
        for match in _URL.finditer(value):
            _check_url(match.group(2).strip(), line)
    if qname.localname == "style" and element.text:
        if _IMPORT.search(element.text):
            raise MediaProblem(_("imports a style sheet (@import); write the styles into the SVG"), line)
        for match in _URL.finditer(element.text):
            _check_url(match.group(2).strip(), line)


def _check_href(element: str, value: str, line: int) -> None:
    if element == "a":
        if not _NAVIGATION.match(value):
            raise MediaProblem(_("links to '{href}': a link in a course image may go to an https page, a mail "
                                 "address or a #fragment only").format(href=value[:60]), line)
        return
    if value.startswith("#") or (element == "image" and _RASTER_DATA.match(value)):
        return
    raise MediaProblem(_("refers to '{href}' outside the file; embed it, or draw it into the SVG").format(
        href=value[:60]), line)


def _check_url(value: str, line: int) -> None:
    if not value.startswith("#") and not _RASTER_DATA.match(value):
        raise MediaProblem(_("refers to url({url}) outside the file; only #fragments and embedded images are "
                             "allowed").format(url=value[:60]), line)
