"""Plugin discovery: the one module that reads every entry-point group, built-in or third-party alike.

Every plugin is an entry point in a versioned group (``pamong_edx.<type>.v1``), one group per plugin type:

    block        block types usable in a unit's `blocks:`
    exporter     package formats for `pamong build --format NAME`
    lms          LMS backends named by a profile's `lms =`
    player_lang  language packs of the SCORM player (the entry point's name is the language tag)

The entry point loads an object carrying three attributes, named in Moodle's style:

    component = "exporter_olx"   # <type>_<name>
    version = "1.0.0"            # the plugin's own version
    requires = ">=0.1,<1"        # the core versions it works with (PEP 440 specifier)

and, optionally, `catalogue`: the plugin's own gettext messages (`pamong_edx.i18n.Catalogue`), so that it
speaks the user's language (see docs/plugins.md). The built-ins are declared in this project's pyproject.toml
exactly as a third-party package would declare its own, so there is one discovery path.

Discovery is lazy, because importing a plugin costs what its module imports (an exporter brings lxml, an LMS
backend requests): the entry-point metadata gives every name without importing anything, a type's plugins are
imported the first time that type is used, and `Registry.get` imports only the plugin asked for. A plugin that
fails to import, declares a wrong component name, needs another core version or lacks what its type needs is
recorded with the reason and skipped; discovery never raises. When two distributions declare the same name,
the built-in one wins, else the distribution whose name sorts first; the other is listed as skipped.

Reading the entry-point metadata means importing importlib.metadata and scanning every installed distribution,
which costs a command more than the rest of its start-up. What the scan found is kept in the user's cache folder
(`entry-points.json`) under a signature of what it read: each folder on sys.path and the entry_points.txt of
each distribution in it (modification time, size, inode). Installing, upgrading or removing a distribution, or
another sys.path, changes the signature and the metadata is scanned again; a cache that cannot be read or
written only costs that scan.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pamong_edx import PLUGIN_API, __version__
from pamong_edx.errors import UsageError
from pamong_edx.i18n import _

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

PLUGIN_TYPES = ("block", "exporter", "lms", "player_lang")
CORE_PACKAGE = "pamong_edx"  # entry points into this package are the built-ins


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
    builtin: bool = False
    languages: tuple[str, ...] = ()  # the languages its messages (or, for a language pack, its strings) come in

    @property
    def loaded(self) -> bool:
        return not self.error


# What each plugin type is called with; a plugin lacking it would fail later, in the middle of a build.
REQUIRED_METHODS = {"block": ("build",), "exporter": ("prepare", "write", "finish"), "lms": ("from_profile",),
                    "player_lang": ()}
REQUIRED_ATTRIBUTES = {"player_lang": ("pack",), "lms": ("features",)}


class _ByType(dict):
    """`registry.plugins[type]`: the plugins of one type by name, imported on first access to that type."""

    def __init__(self, registry: Registry):
        super().__init__({t: {} for t in PLUGIN_TYPES})
        self._registry = registry

    def __getitem__(self, plugin_type: str) -> dict[str, PluginInfo]:
        self._registry.load_type(plugin_type)
        return super().__getitem__(plugin_type)

    def table(self, plugin_type: str) -> dict[str, PluginInfo]:
        """The type's table as it stands, without loading anything."""
        return super().__getitem__(plugin_type)


class Registry:
    """The plugins found in the entry-point metadata, imported as they are needed."""

    def __init__(self, found: dict[str, list[EntryPoint]] | None = None):
        self._entry_points = found if found is not None else {t: [] for t in PLUGIN_TYPES}
        self._tried: dict[str, set[int]] = {t: set() for t in PLUGIN_TYPES}  # indexes of loaded entry points
        self.plugins = _ByType(self)

    def names(self, plugin_type: str) -> list[str]:
        """Every name declared for the type, loaded or not, without importing anything."""
        return sorted({ep.name for ep in self._entry_points[plugin_type]})

    def add(self, info: PluginInfo) -> None:
        table = self.plugins.table(info.type)
        previous = table.get(info.name)
        if previous and previous.loaded:
            if info.loaded:
                info.error = (_("'{name}' is built in and cannot be replaced by a plugin").format(name=info.name)
                              if previous.builtin else
                              _("name '{name}' already provided by {source}").format(name=info.name,
                                                                                      source=previous.source))
            table[f"{info.name}@{info.source}"] = info
            return
        if previous:  # the earlier one was skipped: keep it listed under another key, this one takes the name
            table[f"{previous.name}@{previous.source}"] = previous
        table[info.name] = info

    def _load(self, plugin_type: str, name: str | None) -> None:
        tried = self._tried[plugin_type]
        for index, ep in enumerate(self._entry_points[plugin_type]):
            if index not in tried and (name is None or ep.name == name):
                tried.add(index)
                self.add(load_entry_point(plugin_type, ep))

    def load_type(self, plugin_type: str) -> None:
        if len(self._tried[plugin_type]) < len(self._entry_points[plugin_type]):
            self._load(plugin_type, None)

    def all(self) -> list[PluginInfo]:
        return [p for t in PLUGIN_TYPES for p in sorted(self.plugins[t].values(), key=lambda p: p.name)]

    def loaded(self, plugin_type: str) -> dict[str, Any]:
        return {n: p.obj for n, p in sorted(self.plugins[plugin_type].items()) if p.loaded}

    def info(self, plugin_type: str, name: str) -> PluginInfo | None:
        """The plugin of that type and name (loaded or skipped), importing only it; None when none is declared."""
        self._load(plugin_type, name)
        return self.plugins.table(plugin_type).get(name)

    def get(self, plugin_type: str, name: str) -> Any:
        info = self.info(plugin_type, name)
        if info is None or not info.loaded:
            known = ", ".join(sorted(self.loaded(plugin_type))) or _("none")
            if info is not None:
                raise UsageError(_("no {type} plugin named '{name}' ({why}); available: {known}").format(
                    type=plugin_type, name=name, why=info.error, known=known))
            raise UsageError(_("no {type} plugin named '{name}'; available: {known}").format(
                type=plugin_type, name=name, known=known))
        return info.obj


def _module_of(ep: EntryPoint) -> str:
    return ep.value.split(":")[0].strip()


def is_builtin(ep: EntryPoint) -> bool:
    module = _module_of(ep)
    return module == CORE_PACKAGE or module.startswith(CORE_PACKAGE + ".")


@functools.cache
def _describe_dist(dist: Any) -> str:
    return f"{dist.name} {dist.version}"


def _describe(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return _describe_dist(dist) if dist is not None else ep.value


def load_entry_point(plugin_type: str, ep: EntryPoint) -> PluginInfo:
    info = PluginInfo(type=plugin_type, name=ep.name, source=_describe(ep), builtin=is_builtin(ep))
    try:
        obj = ep.load()
    except (Exception, SystemExit) as exc:  # a broken third-party plugin must never take the tool down
        info.error = _("failed to import {target}: {kind}: {detail}").format(
            target=ep.value, kind=type(exc).__name__, detail=exc)
        return info
    return check_plugin(info, obj)


def check_plugin(info: PluginInfo, obj: Any) -> PluginInfo:
    info.component = getattr(obj, "component", "")
    info.version = str(getattr(obj, "version", ""))
    info.requires = str(getattr(obj, "requires", ""))
    expected = f"{info.type}_{info.name}"
    if info.component != expected:
        info.error = _("declares component '{component}', expected '{expected}'").format(
            component=info.component, expected=expected)
        return info
    if not info.version:
        info.error = _("declares no version")
        return info
    verdict = requires_verdict(info.requires)
    if verdict == "invalid":
        info.error = _("requires '{requires}' is not a version range").format(requires=info.requires)
        return info
    if verdict != "ok":
        info.error = _("requires core {requires}, this is {version}").format(requires=info.requires,
                                                                            version=__version__)
        return info
    missing = shape_problem(info.type, obj)
    if missing:
        info.error = missing
        return info
    info.obj = obj
    info.languages = plugin_languages(info, obj)
    return info


def requires_verdict(requires: str) -> str:
    """Whether this core's version is in a plugin's `requires` range: "ok", "outside" or "invalid". Read with
    packaging, once per range and core version: the verdicts are kept beside the entry points (importing
    packaging costs a start-up as much as the rest of plugin discovery)."""
    verdicts = _verdicts()
    key = f"{__version__} {requires}"
    found = verdicts.get(key)
    if found in ("ok", "outside", "invalid"):
        return found
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

    try:
        verdict = "ok" if Version(__version__) in SpecifierSet(requires) else "outside"
    except InvalidSpecifier:
        verdict = "invalid"
    verdicts[key] = verdict
    _write_atomically(_verdict_cache(), json.dumps(verdicts))
    return verdict


def _verdict_cache() -> Path:
    return _entry_point_cache().with_name("plugin-requires.json")


_VERDICTS: dict[str, str] = {}


def _verdicts() -> dict[str, str]:
    if not _VERDICTS:
        try:
            kept = json.loads(_verdict_cache().read_text(encoding="utf-8"))
            if isinstance(kept, dict):
                _VERDICTS.update((k, v) for k, v in kept.items() if isinstance(k, str) and isinstance(v, str))
        except (OSError, ValueError):
            pass
    return _VERDICTS


def shape_problem(plugin_type: str, obj: Any) -> str:
    """Why the plugin object cannot serve as its type, or an empty string."""
    absent = [f"{m}()" for m in REQUIRED_METHODS.get(plugin_type, ()) if not callable(getattr(obj, m, None))]
    absent += [a for a in REQUIRED_ATTRIBUTES.get(plugin_type, ()) if getattr(obj, a, None) is None]
    if absent:
        return _("has no {names}").format(names=", ".join(absent))
    if plugin_type == "block":
        schema = getattr(obj, "schema", None)
        if schema is not None and not (isinstance(schema, dict)
                                       and isinstance(schema.get("properties", {}), dict)):
            return _("its schema is not a mapping with a 'properties' mapping")
    if plugin_type == "player_lang":
        try:
            read_pack(obj.pack)
        except (OSError, ValueError, TypeError) as exc:
            return _("unreadable pack: {detail}").format(detail=exc)
    catalogue = getattr(obj, "catalogue", None)
    if catalogue is not None and not callable(getattr(catalogue, "languages", None)):
        return _("its catalogue is not a pamong_edx.i18n.Catalogue")
    return ""


def read_pack(pack: Any) -> dict[str, Any]:
    """A language pack's data: `pack` is a mapping, or the path (or importlib.resources file) of a JSON file
    holding one; its `strings` must be a mapping."""
    if isinstance(pack, (str, os.PathLike)) or hasattr(pack, "read_text"):
        path = Path(pack) if isinstance(pack, (str, os.PathLike)) else pack
        pack = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(pack, dict):
        raise TypeError(_("`pack` must be a mapping or the path of a JSON file holding one"))
    if not isinstance(pack.get("strings"), dict):
        raise ValueError(_("its 'strings' is not a mapping"))
    return pack


def plugin_languages(info: PluginInfo, obj: Any) -> tuple[str, ...]:
    """The languages a plugin speaks: a language pack its own tag; another plugin those of its catalogue (the
    core's for a built-in); none when it ships no catalogue."""
    if info.type == "player_lang":
        return (info.name,)
    catalogue = getattr(obj, "catalogue", None)
    if catalogue is None and info.builtin:
        from pamong_edx.i18n import CORE

        catalogue = CORE
    return tuple(catalogue.languages()) if catalogue is not None else ()


def _precedence(ep: EntryPoint) -> tuple[bool, str]:
    if is_builtin(ep):
        return False, ""
    dist = getattr(ep, "dist", None)  # read only for third-party plugins: metadata costs a file parse
    return True, dist.name if dist is not None else ep.value


@dataclass(frozen=True)
class _Dist:
    name: str
    version: str


# importlib.metadata's own pattern for an entry point's value: module, attribute path, extras
_ENTRY_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


@dataclass(frozen=True)
class CachedEntryPoint:
    """An entry point as the cache keeps it: what importlib.metadata.EntryPoint gives the registry."""

    name: str
    value: str
    group: str
    dist: _Dist | None = None

    def load(self) -> Any:
        match = _ENTRY_VALUE.match(self.value)
        if match is None:
            raise ValueError(f"malformed entry point value: {self.value!r}")
        obj = importlib.import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            obj = getattr(obj, attr)
        return obj


def _metadata_signature() -> list:
    """What an entry-point scan reads: the distributions in every sys.path folder and their entry_points.txt
    (a sys.path entry that is a file, a zipped distribution, by its own metadata)."""
    signature: list = []
    for entry in sys.path:
        folder = entry or "."
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith((".dist-info", ".egg-info")))
        except NotADirectoryError:
            try:
                info = os.stat(folder)
                signature.append([entry, info.st_mtime_ns, info.st_size, info.st_ino])
            except OSError:
                signature.append([entry])
            continue
        except OSError:
            signature.append([entry])
            continue
        found = []
        for name in names:
            try:
                points = os.stat(os.path.join(folder, name, "entry_points.txt"))
                found.append([name, points.st_mtime_ns, points.st_size, points.st_ino])
            except OSError:
                found.append([name])
        signature.append([entry, os.path.abspath(folder), found])
    return signature


def _entry_point_cache() -> Path:
    from pamong_edx.config import user_cache_dir

    return user_cache_dir() / "entry-points.json"


KEPT_SCANS = 8  # `pamong`, `python -m pamong_edx` and tests each have their own sys.path


def installed_entry_points() -> list[Any]:
    """The entry points of every plugin group in the installed distributions, from the cache when nothing
    it read changed since (see the module's docstring)."""
    signature = [PLUGIN_API, _metadata_signature()]
    path = _entry_point_cache()
    try:
        scans = json.loads(path.read_text(encoding="utf-8"))
        scans = [scan for scan in scans if isinstance(scan, dict)] if isinstance(scans, list) else []
    except (OSError, ValueError):
        scans = []
    for scan in scans:
        if scan.get("signature") == signature:
            try:
                return [CachedEntryPoint(name, value, group, _Dist(*dist) if dist else None)
                        for name, value, group, dist in scan["entry_points"]]
            except (ValueError, TypeError, KeyError):
                break
    from importlib.metadata import entry_points

    everything = entry_points()  # one scan of the installed distributions, then one pass per group
    found = [ep for t in PLUGIN_TYPES for ep in everything.select(group=group_name(t))]
    rows = []
    for ep in found:
        dist = getattr(ep, "dist", None)
        rows.append([ep.name, ep.value, ep.group, [dist.name, dist.version] if dist is not None else None])
    scans = [{"signature": signature, "entry_points": rows}] + [
        scan for scan in scans if scan.get("signature") != signature][:KEPT_SCANS - 1]
    _write_atomically(path, json.dumps(scans))
    return found


def _write_atomically(path: Path, text: str) -> None:
    import tempfile

    partial = None
    try:
        # the build cache's folder too, whose pickles run code when read: the owner's alone, whoever makes it
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".entry-points-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
    except OSError:
        if partial is not None:
            try:
                os.unlink(partial)
            except OSError:
                pass


def discover(found: Iterable[EntryPoint] | None = None) -> Registry:
    """A registry of the entry points `found` (default: every installed distribution's); nothing is imported
    yet. Built-ins come first, then by distribution, so which of two plugins of the same name wins does not
    depend on the order the installer wrote site-packages in."""
    if found is None:
        found = installed_entry_points()
    groups = {group_name(t): t for t in PLUGIN_TYPES}
    by_type: dict[str, list[EntryPoint]] = {t: [] for t in PLUGIN_TYPES}
    for ep in found:
        if ep.group in groups:
            by_type[groups[ep.group]].append(ep)
    return Registry({t: sorted(eps, key=_precedence) for t, eps in by_type.items()})


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


def language_packs() -> dict[str, Any]:
    return registry().loaded("player_lang")
