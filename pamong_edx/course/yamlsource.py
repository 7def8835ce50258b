"""Safe YAML reading that keeps a line and column for every key and value.

Files are *composed*, not constructed: the loader walks yaml nodes, whose marks locate each diagnostic, and
builds Python values itself. Only the safe schema's tags are understood; nothing executes code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pamong_edx.course.model import Location

# The libyaml parser is several times faster and keeps the same marks.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"

_constructor = SafeConstructor()

__all__ = ["Fields", "MappingNode", "Node", "ScalarNode", "SequenceNode", "compose_text", "node_location",
           "is_null", "kind", "as_int", "as_float", "as_bool", "plain"]


class YamlParseError(Exception):
    def __init__(self, message: str, line: int = 0, col: int = 0):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def compose_text(text: str) -> Node:
    """The node tree of one YAML document (an empty one is null); raises YamlParseError with a 1-based position."""
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        message = ", ".join(parts) or "invalid YAML"
        if mark is None:
            raise YamlParseError(message) from None
        raise YamlParseError(message, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise YamlParseError(str(exc)) from None
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
    """How a node reads to an author, for 'wrong type' messages."""
    if is_null(node):
        return "nothing"
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag in (INT, FLOAT):
        return "a number" if as_float(node) is not None else "text"
    if node.tag == BOOL:
        return "true/false" if as_bool(node) is not None else "text"
    return "a date" if node.tag == TIMESTAMP else "text"


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

    __slots__ = ("node", "file", "items", "what")

    def __init__(self, node: MappingNode, file: Path, items: dict[str, tuple[Node, Node]], what: str = ""):
        self.node = node
        self.file = file
        self.items = items
        self.what = what  # how messages name it: "a unit", "grading"

    @property
    def loc(self) -> Location:
        return node_location(self.file, self.node)

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
