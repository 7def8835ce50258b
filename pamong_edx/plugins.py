"""Plugin discovery: block types, exporters and LMS backends, built-in or third-party alike.

Every plugin is an entry point in a versioned group (``pamong_edx.block.v1``, ``pamong_edx.exporter.v1``,
``pamong_edx.lms.v1``). The entry point loads a class carrying three attributes, named in Moodle's style:

    component = "exporter_olx"   # <type>_<name>
    version = "1.0.0"            # the plugin's own version
    requires = ">=0.1,<1"        # the core versions it works with (PEP 440 specifier)

The built-ins are declared in this project's pyproject.toml exactly as a third-party package would declare
its own, so there is one discovery path. A plugin that fails to import, declares a wrong component name or
needs another core version is recorded with the reason and skipped; discovery never raises.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from pamong_edx import PLUGIN_API, __version__
from pamong_edx.errors import UsageError

PLUGIN_TYPES = ("block", "exporter", "lms")


def group_name(plugin_type: str) -> str:
    return f"pamong_edx.{plugin_type}.{PLUGIN_API}"


@dataclass
class PluginInfo:
    type: str
    name: str
    component: str = ""
    version: str = ""
    requires: str = ""
    source: str = ""  # the distribution that provides it, e.g. "pamong-edx 0.1.0"
    obj: Any = None
    error: str = ""  # why it was skipped; empty when loaded

    @property
    def loaded(self) -> bool:
        return not self.error


@dataclass
class Registry:
    plugins: dict[str, dict[str, PluginInfo]] = field(default_factory=lambda: {t: {} for t in PLUGIN_TYPES})

    def add(self, info: PluginInfo) -> None:
        previous = self.plugins[info.type].get(info.name)
        if previous and previous.loaded and info.loaded:
            info.error = f"name '{info.name}' already provided by {previous.source}; skipped"
            self.plugins[info.type][f"{info.name}@{info.source}"] = info
            return
        if previous and previous.loaded:
            self.plugins[info.type][f"{info.name}@{info.source}"] = info
            return
        self.plugins[info.type][info.name] = info

    def all(self) -> list[PluginInfo]:
        return [p for t in PLUGIN_TYPES for p in sorted(self.plugins[t].values(), key=lambda p: p.name)]

    def loaded(self, plugin_type: str) -> dict[str, Any]:
        return {n: p.obj for n, p in sorted(self.plugins[plugin_type].items()) if p.loaded}

    def get(self, plugin_type: str, name: str) -> Any:
        info = self.plugins[plugin_type].get(name)
        if info is None or not info.loaded:
            known = ", ".join(sorted(self.loaded(plugin_type))) or "none"
            why = f" ({info.error})" if info is not None else ""
            raise UsageError(f"no {plugin_type} plugin named '{name}'{why}; available: {known}")
        return info.obj


def _describe(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return f"{dist.name} {dist.version}" if dist is not None else ep.value


def load_entry_point(plugin_type: str, ep: EntryPoint) -> PluginInfo:
    info = PluginInfo(type=plugin_type, name=ep.name, source=_describe(ep))
    try:
        obj = ep.load()
    except (Exception, SystemExit) as exc:  # a broken third-party plugin must never take the tool down
        info.error = f"failed to import {ep.value}: {type(exc).__name__}: {exc}"
        return info
    return check_plugin(info, obj)


def check_plugin(info: PluginInfo, obj: Any) -> PluginInfo:
    info.component = getattr(obj, "component", "")
    info.version = str(getattr(obj, "version", ""))
    info.requires = str(getattr(obj, "requires", ""))
    expected = f"{info.type}_{info.name}"
    if info.component != expected:
        info.error = f"declares component '{info.component}', expected '{expected}'"
        return info
    if not info.version:
        info.error = "declares no version"
        return info
    try:
        spec = SpecifierSet(info.requires)
    except InvalidSpecifier:
        info.error = f"requires '{info.requires}' is not a version range"
        return info
    if Version(__version__) not in spec:
        info.error = f"requires core {info.requires}, this is {__version__}"
        return info
    missing = shape_problem(info.type, obj)
    if missing:
        info.error = missing
        return info
    info.obj = obj
    return info


# What each plugin type is called with; a plugin lacking it would fail later, in the middle of a build.
REQUIRED_METHODS = {"block": ("build",), "exporter": ("prepare", "write", "finish"), "lms": ()}


def shape_problem(plugin_type: str, obj: Any) -> str:
    """Why the plugin object cannot serve as its type, or an empty string."""
    absent = [m for m in REQUIRED_METHODS.get(plugin_type, ()) if not callable(getattr(obj, m, None))]
    if absent:
        return f"has no {', '.join(f'{m}()' for m in absent)}"
    if plugin_type == "block":
        schema = getattr(obj, "schema", None)
        if schema is not None and not (isinstance(schema, dict)
                                       and isinstance(schema.get("properties", {}), dict)):
            return "its schema is not a mapping with a 'properties' mapping"
    return ""


def discover() -> Registry:
    registry = Registry()
    for plugin_type in PLUGIN_TYPES:
        for ep in entry_points(group=group_name(plugin_type)):
            registry.add(load_entry_point(plugin_type, ep))
    return registry


@functools.cache
def registry() -> Registry:
    """The process-wide registry, discovered once."""
    return discover()


def exporters() -> dict[str, Any]:
    return registry().loaded("exporter")


def block_types() -> dict[str, Any]:
    return registry().loaded("block")


def lms_backends() -> dict[str, Any]:
    return registry().loaded("lms")
