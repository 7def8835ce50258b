"""The context the loader and block plugins share while one course is read.

Every getter reads one key of a YAML mapping, reports what is wrong with it at the value's line and column,
and returns a usable default, so that loading goes on and every problem of the course is reported in one run.
Block plugins receive this object in `build(raw, ctx)`; the position attributes (`id`, `title`, `loc`,
`chapter`, `unit`, `max_attempts`…) describe the block being built and are valid only during that call.
"""

from __future__ import annotations

import os
import stat
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Collection

from pamong_edx.course.assets import CourseDir, PathProblem
from pamong_edx.course.cache import BuildCache
from pamong_edx.course.chapter_cache import Recording
from pamong_edx.course.codes import did_you_mean, whole_file
from pamong_edx.course.ids import IdRegistry
from pamong_edx.course.limits import TIMED_FROM, Limits, TimeLimitReached, time_limit, too_large, too_slow
from pamong_edx.course.markdown import MarkdownRenderer, Reference
from pamong_edx.course.model import Asset, Chapter, Location, Sequential, Unit
from pamong_edx.course.richtext import EMPTY, RichText
from pamong_edx.course.values import parse_datetime
from pamong_edx.course.yamlsource import (
    Fields, MappingNode, Node, ScalarNode, SequenceNode, YamlParseError, as_bool, as_float, as_int, compose_text,
    is_null, kind, node_location,
)
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.i18n import _

_renderer: MarkdownRenderer | None = None


def renderer() -> MarkdownRenderer:
    global _renderer
    if _renderer is None:
        _renderer = MarkdownRenderer()
    return _renderer


@dataclass(frozen=True, slots=True)
class Rendered:
    markdown: str = ""
    html: RichText = EMPTY
    assets: list[str] = field(default_factory=list)  # asset names the text references, in order of appearance


Where = Node | Fields | Location | None
BOM = "\ufeff".encode("utf-8")


class UnreadableFile(Exception):
    def __init__(self, message: str, location: Location, code: str = "E002"):
        super().__init__(message)
        self.message, self.location, self.code = message, location, code


def read_utf8(path: Path, what: str, limit: int, variable: str) -> str:
    """The text of a source file of at most `limit` bytes (a leading byte order mark dropped); UnreadableFile
    says why not, and where (the first byte that is not UTF-8). FileNotFoundError passes through for callers
    that word it themselves. Only a regular file is opened: a FIFO or a device would block or never end."""
    try:
        with open(path, "rb") as source:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                raise UnreadableFile(_("{what} is not a regular file").format(what=what), whole_file(path))
            data = source.read(limit + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UnreadableFile(_("cannot read {what}: {reason}").format(what=what, reason=exc.strerror or exc),
                             whole_file(path)) from None
    if len(data) > limit:
        size = os.path.getsize(path)
        raise UnreadableFile(too_large(size, limit, what, variable), whole_file(path), "E117")
    if data.startswith(BOM):  # editors on Windows write one; Markdown would render it as text
        data = data[len(BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line_start = before.rfind(b"\n") + 1
        line = before.count(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", "replace")) + 1
        raise UnreadableFile(_("{what} is not UTF-8 text (byte 0x{byte:02x} at line {line}, column {col}); save "
                               "it as UTF-8").format(what=what, byte=data[exc.start], line=line, col=col),
                             Location(path, line, col)) from None


class LoadContext:
    def __init__(self, course_dir: CourseDir, block_types: dict[str, Any]):
        self.dir = course_dir
        self.root = course_dir.root
        self.block_types = block_types
        self.diagnostics: list[Diagnostic] = []
        self.ids = IdRegistry()
        self.assets: dict[str, Asset] = {}
        self.refused_assets: set[str] = set()  # files under assets/ already reported as not packageable
        self.cache: BuildCache | None = None
        self.recording: Recording | None = None  # set while a chapter file is loaded for the build cache
        self.referenced: set[str] = set()  # asset names something refers to
        self.file: Path = course_dir.root / "course.yaml"  # the file whose nodes are being read
        self.markdown_renderer = renderer()
        self.limits = Limits.from_environment()
        self._asset_names: dict[str, str | PathProblem] = {}
        # The position in the course, kept current by the loader.
        self.chapter: Chapter | None = None
        self.sequential: Sequential | None = None
        self.unit: Unit | None = None
        self.block_type = ""
        self.id = ""
        self.title = ""
        self.loc: Location | None = None
        self.max_attempts = 0  # default for problems here: the sequential's, else the course's
        self.objective_refs: list[tuple[str, Location]] = []  # objective ids problems name, checked at the end

    # ------------------------------------------------------------------------------------------- reporting

    def location(self, at: Where) -> Location:
        if isinstance(at, Location):
            return at
        if isinstance(at, Fields):
            return at.loc
        if at is None:
            return whole_file(self.file)
        return node_location(self.file, at)

    def error(self, code: str, message: str, at: Where = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, self.location(at)))

    def warning(self, code: str, message: str, at: Where = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, self.location(at)))

    def common(self) -> dict[str, Any]:
        """The keyword arguments every Block takes, for the block being built."""
        return {"id": self.id, "type": self.block_type, "title": self.title, "loc": self.loc}

    # ------------------------------------------------------------------------------------------- files

    def compose(self, path: Path, what: str) -> Node | None:
        """The node tree of a YAML file; E002/E001/E117 (and None) when it cannot be read or parsed."""
        try:
            text = read_utf8(path, what, self.limits.yaml_size, "PAMONG_MAX_YAML_SIZE")
        except FileNotFoundError:
            self.error("E002", _("{what} not found: {path}").format(what=what, path=path), whole_file(path))
            return None
        except UnreadableFile as problem:
            self.error(problem.code, problem.message, problem.location)
            return None
        try:
            with time_limit(self.limits.source_seconds) if len(text) > TIMED_FROM else nullcontext():
                return compose_text(text)
        except YamlParseError as exc:
            if exc.from_parser and "maximum nesting depth" in exc.message:  # libyaml's own bound on nesting
                message = _("invalid YAML: lists or mappings nested deeper than the YAML reader allows; no course "
                            "needs that: look for {brackets} opened here and never closed").format(brackets="[ / {")
            elif exc.from_parser:  # libyaml's words are English: quoted, after what usually causes them
                message = _("invalid YAML: the YAML reader says '{detail}'; check the indentation, colons and "
                            "quotes here and on the line before").format(detail=exc.message.replace("'", '"'))
            else:
                message = _("invalid YAML: {problem}").format(problem=exc.message)
            self.error("E001", message, Location(path, exc.line, exc.col))
            return None
        except TimeLimitReached:
            self.error("E117", too_slow(self.limits.source_seconds, what), whole_file(path))
            return None

    def read_text(self, f: Fields, key: str, what: str) -> tuple[str, Path] | None:
        """The text of the file a key names (relative to the course directory)."""
        raw = self.string(f, key)
        if not raw:
            return None
        try:
            _unused, path = self.dir.resolve(raw, "E002", what)
        except PathProblem as problem:
            self.error(problem.code, problem.message, f.get(key))
            return None
        try:
            text = read_utf8(path, _("{what} '{path}'").format(what=what, path=raw), self.limits.markdown_size,
                             "PAMONG_MAX_MARKDOWN_SIZE")
        except UnreadableFile as problem:
            self.error(problem.code, problem.message, problem.location)
            return None
        if self.recording is not None and self.cache is not None:
            self.recording.read.append((str(path), self.cache.digest(path) or ""))
        return text, path

    def claim(self, value: str, loc: Location) -> Location | None:
        """Record an identifier for the course; returns where it was first used when it is a duplicate."""
        first = self.ids.claim(value, loc)
        if first is None and self.recording is not None:
            self.recording.claims.append((value, loc))
        return first

    def asset_name(self, raw: str, at: Where, what: str | None = None) -> str | None:
        """The name (relative to assets/) of an existing asset, marked as referenced; None after an error.
        `what` names it in messages ("image", "transcript"; in the user's language), "asset" by default."""
        what = what or _("asset")
        name = self._asset_names.get(raw)
        if name is None:
            try:
                name = self.dir.resolve_asset(raw, what)
                if name in self.refused_assets:
                    return None  # reported once, where the file is
                if name not in self.assets:
                    name = PathProblem("E109", _("{what} '{path}' is a hidden or backup file, which is never "
                                                 "packaged").format(what=what, path=raw))
            except PathProblem as problem:
                name = problem
            self._asset_names[raw] = name
        if isinstance(name, PathProblem):
            self.error(name.code, name.message, at)
            return None
        self.referenced.add(name)
        if self.recording is not None:
            self.recording.referenced.append(name)
        return name

    # ------------------------------------------------------------------------------------------- mappings

    def fields(self, node: Node, allowed: Collection[str], what: str) -> Fields | None:
        """A mapping node as Fields; E103 when it is not a mapping, E101 for each unknown key."""
        if not isinstance(node, MappingNode):
            self.error("E103", _("{what} must be a mapping of keys, found {found}").format(what=what, found=kind(node)),
                       node)
            return None
        items: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error("E103", _("a key in {what} must be a name, found {found}").format(
                    what=what, found=kind(key_node)), key_node)
                continue
            key = key_node.value
            if key in items:
                first = items[key][0].start_mark.line + 1
                self.error("E001", _("duplicate key '{key}' in {what} (first given on line {line})").format(
                    key=key, what=what, line=first), key_node)
                continue
            if key not in allowed:
                self.error("E101", _("unknown key '{key}' in {what}{hint}").format(
                    key=key, what=what, hint=did_you_mean(key, allowed)), key_node)
                continue
            items[key] = (key_node, value_node)
        return Fields(node, self.file, items, what)

    def value(self, f: Fields, key: str, required: bool = False) -> Node | None:
        node = f.get(key)
        if is_null(node):
            if required:
                if f.what:
                    message = _("missing required key '{key}' in {what}").format(key=key, what=f.what)
                else:
                    message = _("missing required key '{key}'").format(key=key)
                self.error("E102", message, f)
            return None
        return node

    def scalar(self, f: Fields, key: str, required: bool = False, expected: str | None = None) -> ScalarNode | None:
        """A key's value that must be a single value; `expected` says what it must be ("text" by default), in
        the user's language."""
        node = self.value(f, key, required)
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.error("E103", _("'{key}' must be {expected}, found {found}").format(
                key=key, expected=expected or _("text"), found=kind(node)), node)
            return None
        return node

    # ------------------------------------------------------------------------------------------- values

    def string(self, f: Fields, key: str, required: bool = False, default: str = "") -> str:
        node = self.scalar(f, key, required)
        return node.value if node is not None else default

    def text_of(self, node: Node, what: str) -> str | None:
        """A list item or mapping value that must be text; numbers are taken as written."""
        if isinstance(node, ScalarNode) and not is_null(node):
            return node.value
        self.error("E103", _("{what} must be text, found {found}").format(what=what, found=kind(node)), node)
        return None

    def one_of(self, f: Fields, key: str, options: Collection[str], default: str) -> str:
        node = self.scalar(f, key)
        if node is None:
            return default
        if node.value not in options:
            listed = ", ".join(options)
            self.error("E105", _("'{key}' must be one of {options}, not '{value}'{hint}").format(
                key=key, options=listed, value=node.value, hint=did_you_mean(node.value, options)), node)
            return default
        return node.value

    def integer(self, f: Fields, key: str, default: int = 0, minimum: int | None = 0) -> int:
        node = self.scalar(f, key, expected=_("a whole number"))
        if node is None:
            return default
        value = as_int(node)
        if value is None:
            self.error("E103", _("'{key}' must be a whole number, found {found} '{value}'").format(
                key=key, found=kind(node), value=node.value), node)
            return default
        if minimum is not None and value < minimum:
            self.error("E105", _("'{key}' must be at least {minimum}, not {value}").format(
                key=key, minimum=minimum, value=value), node)
            return default
        return value

    def number(self, f: Fields, key: str, default: float = 0.0, minimum: float | None = None,
               code: str = "E103", required: bool = False) -> float:
        """A number; `code` is what a value that is not a number is reported as."""
        node = self.value(f, key, required)
        if node is None:
            return default
        value = as_float(node) if isinstance(node, ScalarNode) else None
        if value is None or value != value:
            found = f"{kind(node)} '{node.value}'" if isinstance(node, ScalarNode) else kind(node)
            self.error(code, _("'{key}' must be a number, found {found}").format(key=key, found=found), node)
            return default
        if minimum is not None and value < minimum:
            self.error("E105", _("'{key}' must be at least {minimum:g}, not {value:g}").format(
                key=key, minimum=minimum, value=value), node)
            return default
        return value

    def boolean(self, f: Fields, key: str, default: bool = False) -> bool:
        node = self.scalar(f, key, expected=_("true or false"))
        if node is None:
            return default
        value = as_bool(node)
        if value is None:
            self.error("E103", _("'{key}' must be true or false, found {found} '{value}'").format(
                key=key, found=kind(node), value=node.value), node)
            return default
        return value

    def date(self, f: Fields, key: str) -> datetime | None:
        """A date or date-time, as UTC."""
        node = self.scalar(f, key, expected=_("a date"))
        if node is None:
            return None
        value = parse_datetime(node.value)
        if value is None:
            self.error("E105", _("'{key}' is not a valid date: '{value}' (write 2026-01-05 or "
                                 "2026-01-05T08:00:00+07:00)").format(key=key, value=node.value), node)
        return value

    def sequence(self, f: Fields, key: str, required: bool = False, nonempty: bool = False) -> list[Node]:
        node = self.value(f, key, required)
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.error("E103", _("'{key}' must be a list, found {found}").format(key=key, found=kind(node)), node)
            return []
        if nonempty and not node.value:
            self.error("E105", _("'{key}' must not be an empty list").format(key=key), node)
        return node.value

    def strings(self, f: Fields, key: str, required: bool = False) -> list[str]:
        """A list of texts; a single text is taken as a one-item list."""
        node = self.value(f, key, required)
        if node is None:
            return []
        if isinstance(node, ScalarNode):
            return [node.value]
        if not isinstance(node, SequenceNode):
            self.error("E103", _("'{key}' must be a list, found {found}").format(key=key, found=kind(node)), node)
            return []
        what = _("an item of '{key}'").format(key=key)
        return [text for item in node.value if (text := self.text_of(item, what)) is not None]

    def asset(self, f: Fields, key: str, suffixes: Collection[str] = (), what: str | None = None) -> str:
        """The asset name a path key names; checks it exists, stays inside and is under assets/. `what` names
        it in messages, in the user's language ("asset" by default)."""
        what = what or _("asset")
        node = self.scalar(f, key, expected=_("a path"))
        if node is None:
            return ""
        if suffixes and not node.value.lower().endswith(tuple(suffixes)):
            self.error("E105", _("{what} '{path}' must be a {suffixes} file").format(
                what=what, path=node.value, suffixes=_(" or ").join(suffixes)), node)
            return ""
        return self.asset_name(node.value, node, what) or ""

    # ------------------------------------------------------------------------------------------- markdown

    def markdown(self, f: Fields, key: str, required: bool = False, inline: bool = False) -> Rendered:
        """A Markdown value rendered to HTML, local images and links checked against assets/."""
        node = self.scalar(f, key, required, expected=_("Markdown text"))
        if node is None:
            return Rendered()
        return self.render(node.value, node, inline)

    def markdown_file(self, f: Fields, key: str) -> Rendered:
        """The Markdown file a key names (`file:`), rendered."""
        read = self.read_text(f, key, _("Markdown file"))
        if read is None:
            return Rendered()
        text, path = read
        return self.render(text, Location(path, 1, 1))

    def text_location(self, at: Node | Location) -> Location:
        """Where a Markdown text starts: a node's value, or a given location in a Markdown file."""
        if isinstance(at, Location):
            return at
        mark = at.start_mark
        # A block scalar (`|`, `>`) starts on the line after its indicator.
        first = mark.line + (2 if getattr(at, "style", None) in ("|", ">") else 1)
        return Location(self.file, first, mark.column + 1)

    def render(self, text: str, at: Node | Location, inline: bool = False) -> Rendered:
        """Render Markdown found at a node (or starting at a location in a Markdown file)."""
        if self.recording is not None:
            self.recording.texts.append((text, inline))
        if len(text) <= TIMED_FROM:
            rendering = self.markdown_renderer.rendering(text, inline)
            if not rendering.refs:  # most texts: nothing to check, and no place to work out
                return Rendered(text, rendering.resolve())
        base = self.text_location(at)

        def check(ref: Reference) -> str | None:
            loc = Location(base.file, base.line + ref.line, base.col)
            if ref.is_image and not ref.alt.strip():
                self.warning("W201", _("image '{path}' has no alt text: write ![what it shows]({path})").format(
                    path=ref.path), loc)
            return self.asset_name(ref.path, loc, _("image") if ref.is_image else _("link target"))

        if len(text) <= TIMED_FROM:
            html = rendering.resolve(check)
            return Rendered(text, html, list(html.assets))
        size = len(text.encode("utf-8"))
        if size > self.limits.markdown_size:
            self.error("E117", too_large(size, self.limits.markdown_size, _("this Markdown text"),
                                         "PAMONG_MAX_MARKDOWN_SIZE"), base)
            return Rendered(text)
        try:
            with time_limit(self.limits.source_seconds):
                html = self.markdown_renderer.render(text, inline=inline, check=check)
        except TimeLimitReached:
            self.error("E117", too_slow(self.limits.source_seconds, _("this Markdown text")), base)
            return Rendered(text)
        return Rendered(text, html, list(html.assets))
