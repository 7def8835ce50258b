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

# Aliases (`*name`) let a few lines stand for a huge tree (the "billion laughs" bomb), which the loader would
# then walk value by value. Beyond the values actually written, aliases may add at most this many.
MAX_ALIAS_EXPANSION = 100_000

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
    check_aliases(node)
    return node


def check_aliases(root: Node) -> None:
    """Refuse a tree that refers to itself or whose aliases expand it far beyond what is written.

    The composed tree shares an aliased node wherever it is used; its expanded size is counted once per node
    (children before parents, without recursion), so checking costs no more than the text that was written."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in _children(node))
            if size[key] > len(size) + MAX_ALIAS_EXPANSION:
                mark = node.start_mark
                raise YamlParseError(
                    f"aliases expand this document to over {MAX_ALIAS_EXPANSION:,} more values than are written; "
                    "such a document is refused (write the repeated parts out, or use fewer aliases)",
                    mark.line + 1, mark.column + 1)
            continue
        if key in size:
            continue
        if key in on_path:
            mark = node.start_mark
            raise YamlParseError("an alias refers to the collection that contains it, which never ends",
                                 mark.line + 1, mark.column + 1)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


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
