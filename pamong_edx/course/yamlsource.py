"""Safe YAML reading that keeps a line and column for every key and value.

Files are *composed*, not constructed: the loader walks yaml nodes, whose marks locate each diagnostic, and
builds Python values itself. Only the safe schema's tags are understood; nothing executes code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pamong_edx.course.model import Location
from pamong_edx.i18n import _

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"

_constructor = SafeConstructor()

# Aliases (`*name`) let a few lines stand for a huge tree (the "billion laughs" bomb), which the loader would
# then walk value by value. Beyond the values actually written, aliases may add at most this many.
MAX_ALIAS_EXPANSION = 100_000

# An anchor is `&name` after a space, a flow indicator or at a line start. A text without one has no anchor,
# hence no alias (an alias needs an anchor), and composes without any count. (Prose `&` has a space after it.)
_ANCHOR_NAME = re.compile(r"&[^\s\[\]{},]")
_BEFORE_ANCHOR = frozenset(" \t\r\n[]{},:?-")


def may_have_anchors(text: str) -> bool:
    return any(m.start() == 0 or text[m.start() - 1] in _BEFORE_ANCHOR for m in _ANCHOR_NAME.finditer(text))

__all__ = ["Fields", "MappingNode", "Node", "ScalarNode", "SequenceNode", "compose_text", "node_location",
           "is_null", "kind", "as_int", "as_float", "as_bool", "plain"]

# The libyaml parser and composer (C) when PyYAML has them; they keep the same marks.
try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = None
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Plain scalars repeat (keys above all): their tag is resolved once per spelling.
_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}


class _FastResolve:
    def resolve(self, kind, value, implicit):
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            if len(_TAGS) > 50_000:
                _TAGS.clear()
            tag = _TAGS[key] = super().resolve(kind, value, implicit)
        return tag


class Loader(_FastResolve, _Base):
    """Composes in C: for documents without anchors."""


class _CountingComposer(Composer):
    """Composes over the parser's events in Python, adding up what aliases add: O(1) per node and per alias.

    An anchored node's expanded size is known when it closes: the nodes made inside it plus what the aliases
    inside it added. An alias then adds that size; an alias to a node that is still open would never end."""

    def __init__(self) -> None:
        self.anchors = {}
        self.made = 0  # nodes composed
        self.added = 0  # values aliases add beyond them
        self.sizes: dict[str, int] = {}
        self.open: set[str] = set()

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            if event.anchor in self.open:
                raise YamlParseError(_("an alias refers to the collection that contains it, which never ends"),
                                     event.start_mark.line + 1, event.start_mark.column + 1)
            node = super().compose_node(parent, index)
            self.added += self.sizes[event.anchor]
            if self.added > MAX_ALIAS_EXPANSION:
                raise YamlParseError(
                    _("aliases expand this document to over {limit:,} more values than are written; such a "
                      "document is refused (write the repeated parts out, or use fewer aliases)").format(
                        limit=MAX_ALIAS_EXPANSION),
                    event.start_mark.line + 1, event.start_mark.column + 1)
            return node
        anchor = self.peek_event().anchor
        self.made += 1
        if anchor is None:
            return super().compose_node(parent, index)
        made, added = self.made, self.added
        self.open.add(anchor)
        node = super().compose_node(parent, index)
        self.open.discard(anchor)
        self.sizes[anchor] = self.made - made + self.added - added + 1
        return node


if _Parser is not None:
    class CountingLoader(_CountingComposer, _FastResolve, _Parser, SafeConstructor, yaml.resolver.Resolver):
        """libyaml's parser, with the composer above."""

        def __init__(self, stream):
            _Parser.__init__(self, stream)
            _CountingComposer.__init__(self)
            SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover - PyYAML without libyaml
    class CountingLoader(_CountingComposer, _FastResolve, yaml.SafeLoader):
        def __init__(self, stream):
            yaml.SafeLoader.__init__(self, stream)
            _CountingComposer.__init__(self)


class YamlParseError(Exception):
    """`message` is in the user's language, or, with `from_parser`, the YAML parser's own words (libyaml's,
    English), which the caller quotes beside advice in the user's language."""

    def __init__(self, message: str, line: int = 0, col: int = 0, from_parser: bool = False):
        super().__init__(message)
        self.message, self.line, self.col, self.from_parser = message, line, col, from_parser


def compose_text(text: str) -> Node:
    """The node tree of one YAML document (an empty one is null); raises YamlParseError with a 1-based position.

    A document with anchors is composed counting what its aliases add (refused past MAX_ALIAS_EXPANSION, or
    when an alias is inside its own anchor); one without is composed by libyaml alone."""
    loader_class = CountingLoader if may_have_anchors(text) else Loader
    try:
        node = yaml.compose(text, Loader=loader_class)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        message = ", ".join(parts)
        if mark is None:
            raise YamlParseError(message, from_parser=True) from None
        raise YamlParseError(message, mark.line + 1, mark.column + 1, from_parser=True) from None
    except yaml.YAMLError as exc:
        raise YamlParseError(str(exc), from_parser=True) from None
    if node is None:
        start = yaml.Mark("", 0, 0, 0, None, None)
        return ScalarNode(NULL, "", start, start)
    return node


def node_location(file: Path, node: Node) -> Location:
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


def is_null(node: Node | None) -> bool:
    return node is None or (node.tag == NULL and isinstance(node, ScalarNode))


def kind(node: Node | None) -> str:
    """How a node reads to an author, for 'wrong type' messages (in the user's language)."""
    if is_null(node):
        return _("nothing")
    if isinstance(node, MappingNode):
        return _("a mapping")
    if isinstance(node, SequenceNode):
        return _("a list")
    if node.tag in (INT, FLOAT):
        return _("a number") if as_float(node) is not None else _("text")
    if node.tag == BOOL:
        return _("true/false") if as_bool(node) is not None else _("text")
    return _("a date") if node.tag == TIMESTAMP else _("text")


def _construct(construct, node: ScalarNode):
    # An explicit tag (`!!int abc`) can name a type the text does not fit; that is a wrong value, not a crash.
    try:
        return construct(node)
    except (ValueError, KeyError, TypeError):
        return None


def as_int(node: ScalarNode) -> int | None:
    if node.tag == INT:
        return _construct(_constructor.construct_yaml_int, node)
    return None


def as_float(node: ScalarNode) -> float | None:
    if node.tag == INT:
        value = _construct(_constructor.construct_yaml_int, node)
        return float(value) if value is not None else None
    if node.tag == FLOAT:
        return _construct(_constructor.construct_yaml_float, node)
    return None


def as_bool(node: ScalarNode) -> bool | None:
    if node.tag == BOOL:
        return _construct(_constructor.construct_yaml_bool, node)
    return None


class Fields:
    """A YAML mapping as key -> (key node, value node), plus where it was written."""

    __slots__ = ("node", "file", "items", "what", "_loc")

    def __init__(self, node: MappingNode, file: Path, items: dict[str, tuple[Node, Node]], what: str = ""):
        self.node = node
        self.file = file
        self.items = items
        self.what = what  # how messages name it: "a unit", "grading"
        self._loc: Location | None = None

    @property
    def loc(self) -> Location:
        if self._loc is None:
            self._loc = node_location(self.file, self.node)
        return self._loc

    def __contains__(self, key: str) -> bool:
        return key in self.items

    def __iter__(self) -> Iterator[str]:
        return iter(self.items)

    def get(self, key: str) -> Node | None:
        item = self.items.get(key)
        return item[1] if item is not None else None

    def given(self, key: str) -> bool:
        """The key is present with a non-empty value."""
        return not is_null(self.get(key))

    def loc_of(self, key: str) -> Location:
        """The value's location, or the mapping's when the key is absent."""
        item = self.items.get(key)
        return node_location(self.file, item[1]) if item is not None else self.loc

    def key_loc(self, key: str) -> Location:
        item = self.items.get(key)
        return node_location(self.file, item[0]) if item is not None else self.loc


def plain(node: Node | None) -> Any:
    """The node as plain JSON-like data (dates stay strings), as an editor's YAML support sees it."""
    if node is None:
        return None
    if isinstance(node, MappingNode):
        return {plain(k): plain(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [plain(v) for v in node.value]
    if node.tag == NULL:
        return None
    for convert in (as_bool, as_int, as_float):
        value = convert(node)
        if value is not None:
            return value
    return node.value
