"""How an exporter asks a block's type to render it: one renderer per output target, provided by the type.

A block type (a `pamong_edx.block.v1` plugin, see docs/plugins.md) lists its renderers by target:

    renderers = {
        "olx": "pamong_edx.blocktypes.single_choice.olx:SingleChoiceOlx",      # CAPA XML for Open edX
        "scorm": "pamong_edx.blocktypes.single_choice.player:SingleChoicePlayer",  # player HTML, JS, interactions
        "moodlexml": "pamong_edx.blocktypes.single_choice.moodlexml:SingleChoiceMoodle",
    }

A value is the renderer itself (a class or an instance) or its "module:attribute" path, imported the first time
an exporter asks: loading a course never imports an output format it is not built to. A class is instantiated
once, without arguments. The built-in types register exactly this way, so no exporter names a built-in type.

An exporter that meets a problem type without a renderer for its target cannot place it (an unscored copy
would silently change the test); `missing()` says so with E114, naming the type and the plugin that provides it.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any, Iterable

from pamong_edx.course.model import Block
from pamong_edx.diagnostics import Diagnostic, Location
from pamong_edx.i18n import _

TARGETS = ("olx", "scorm", "moodlexml")


class RendererError(Exception):
    """A renderer path that cannot be imported: the plugin's packaging is broken."""


def block_type(name: str) -> Any:
    """The loaded block plugin named `name`, or None."""
    from pamong_edx.plugins import block_types

    return block_types().get(name)


def plugin_label(name: str) -> str:
    """`block_ordering (pamong-ordering 0.1.0)`: who provides a block type, for messages."""
    from pamong_edx.plugins import registry

    info = registry().plugins["block"].get(name)
    if info is None:
        return _("no installed plugin")
    return f"{info.component or name} ({info.source})" if info.source else info.component or name


@functools.lru_cache(maxsize=None)
def _resolve(plugin: Any, target: str) -> Any:
    table = getattr(plugin, "renderers", None) or {}
    value = table.get(target) if isinstance(table, dict) else None
    if value is None:
        return None
    if isinstance(value, str):
        module, _sep, attr = value.partition(":")
        try:
            value = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise RendererError(_("the {target} renderer '{path}' of block type '{name}' cannot be loaded: "
                                  "{error}").format(target=target, path=table[target],
                                                    name=getattr(plugin, "name", "?"), error=exc)) from None
    return value() if isinstance(value, type) else value


def renderer(block: Block | str, target: str) -> Any:
    """The renderer of a block's type for `target`, or None when the type provides none."""
    plugin = block_type(block if isinstance(block, str) else block.type)
    return _resolve(plugin, target) if plugin is not None else None


class Lookup:
    """The renderers of one target for one export run, each type's looked up once (a build asks per block)."""

    def __init__(self, target: str):
        self.target = target
        self.found: dict[str, Any] = {}

    def __call__(self, block: Block | str) -> Any:
        name = block if isinstance(block, str) else block.type
        if name not in self.found:
            self.found[name] = renderer(name, self.target)
        return self.found[name]


def location(block: Block) -> Location | None:
    loc = block.loc
    return Location(loc.file, loc.line, loc.col) if loc is not None else None


def missing(blocks: Iterable[Block], target: str, exporter: str) -> list[Diagnostic]:
    """E114 for every problem whose type has no `target` renderer, and for every other block that has neither a
    renderer nor the plugin's `to_html` to fall back on. One diagnostic per type, at its first block."""
    seen: set[tuple[str, bool]] = set()  # (type, is a problem) already looked at
    found = []
    for block in blocks:
        key = (block.type, block.is_problem)
        if key in seen:
            continue
        seen.add(key)
        if renderer(block, target) is not None:
            continue
        plugin = block_type(block.type)
        if not block.is_problem and getattr(plugin, "to_html", None) is not None:
            continue
        what = _("question type") if block.is_problem else _("block type")
        found.append(Diagnostic("E114", _(
            "{what} '{type}' of {plugin} has no {target} renderer, so the {exporter} exporter cannot place it "
            "(install a version of the plugin that renders {target}, or build another format)").format(
            what=what, type=block.type, plugin=plugin_label(block.type), target=target, exporter=exporter),
            location(block)))
    return found


def clear_cache() -> None:
    """Forget resolved renderers (after the plugin registry is rediscovered, in tests)."""
    _resolve.cache_clear()
