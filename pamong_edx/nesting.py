"""How deep the files people write may nest, checked before a parser recurses into them.

tomllib, json and PyYAML's composer recurse once per level of nesting, so a file nested without end (100,000
`[` in a pamong.toml, a column mapping, a rules file, an overlay) would end in a RecursionError: an internal
error to the user, and one that can leave the interpreter in a bad state when it is caught deep in a call
stack. Every reader of a user's TOML, JSON or YAML goes through one of these guards instead, and turns
`TooDeep` into its own one-line error naming the file:

* `toml_loads(text)` / `check(text, syntax)`: how deep arrays and tables (objects) nest in a TOML or JSON text,
  or in YAML's flow style, and how many parts a TOML dotted key has, counted before parsing by C-speed regex
  passes (strings and comments skipped);
* `DepthLimit`: a mixin for a PyYAML loader whose composer is Python's, refusing a node nested deeper than the
  limit with a located error, block style included (no pass over the text can count indentation).

No course, rules file, overlay or configuration needs more than a dozen levels.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from pamong_edx.i18n import _

MAX_DEPTH = 100  # levels of arrays and tables (objects, mappings, lists); far above any real file

_SKIP = {  # what may hold a bracket without opening anything: strings and comments
    "json": re.compile(r'"(?:[^"\\]|\\.)*"'),
    "toml": re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'),
    "yaml": re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|#[^\n]*'),
}
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A TOML dotted key (`a.b.c = 1`, `[a.b.c]`) nests a table per part, and tomllib reads it in the square of its
# length (100,000 parts: minutes). Quoted parts are counted too: strings are replaced by a letter first.
_DOTTED = re.compile(r"[\w-]+(?:[ \t]*\.[ \t]*[\w-]+)+")


class TooDeep(ValueError):
    """A text nested deeper than the limit. The message says how deep may be; the reader names the file."""


def depth(text: str, syntax: str) -> int:
    """The deepest nesting of [ and { in a "json", "toml" or "yaml" (flow style) text; in TOML, or the most parts
    of a dotted key, if more."""
    plain = _SKIP[syntax].sub("s", text)
    deepest = max(accumulate(map(_STEP.__getitem__, _NOT_BRACKETS.sub("", plain))), default=0)
    if syntax == "toml":
        deepest = max(deepest, max((m.group().count(".") + 1 for m in _DOTTED.finditer(plain)), default=0))
    return deepest


def check(text: str, syntax: str, limit: int = MAX_DEPTH) -> None:
    if depth(text, syntax) > limit:
        raise TooDeep(_("arrays or tables nested deeper than {limit} levels").format(limit=limit))


def toml_loads(text: str, limit: int = MAX_DEPTH) -> dict[str, Any]:
    """tomllib.loads, after the nesting check (TooDeep) that keeps it from recursing without end."""
    import tomllib

    check(text, "toml", limit)
    return tomllib.loads(text)


class DepthLimit:
    """Put first among a PyYAML loader's bases: its Python composer then refuses a node nested deeper than
    `max_depth` with a ComposerError at the node (a MarkedYAMLError, so readers report it with a line and
    column). A loader composing in C (libyaml) never calls this; libyaml bounds nesting itself."""

    max_depth = MAX_DEPTH
    _depth = 0  # the nodes open above the one being composed

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth >= self.max_depth:
            from yaml.composer import ComposerError  # here: the TOML readers load at every start, YAML not

            mark = self.peek_event().start_mark
            raise ComposerError(None, None, _("lists or mappings nested deeper than {limit} levels")
                                .format(limit=self.max_depth), mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
