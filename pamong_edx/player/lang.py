"""Language packs: the player's UI strings (Next, Submit, Your score, Passed…) and number format per language.

The built-in packs are `lang/id.json` and `lang/en.json` beside this module. A plugin adds a language through the
entry-point group `pamong_edx.player_lang.v1`; the entry point's name is the language tag and it loads an object
that carries the usual plugin attributes plus the pack itself:

    class Javanese:
        component = "player_lang_jv"     # player_lang_<tag>
        version = "1.0.0"
        requires = ">=0.1,<1"
        pack = {"name": "Basa Jawa", "decimal_separator": ",", "group_separator": ".",
                "strings": {"next": "Sabanjure", ...}}

`pack` may also be a path (or importlib.resources file) of a JSON file of that shape. Strings a pack lacks are
taken from English and reported, so a partial translation still builds. Built-in tags cannot be replaced by a
plugin: a plugin pack for `id` or `en` is skipped with a reason.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pamong_edx import PLUGIN_API
from pamong_edx.errors import PamongError

GROUP = f"pamong_edx.player_lang.{PLUGIN_API}"
BUILT_IN = ("en", "id")
FALLBACK = "en"


class LanguagePackError(PamongError):
    """A language pack is missing or malformed."""


@dataclass(frozen=True)
class LanguagePack:
    language: str
    name: str
    decimal_separator: str
    group_separator: str
    strings: dict[str, str]
    source: str  # "built-in", or the distribution that provides the plugin
    missing: tuple[str, ...] = ()  # keys taken from English

    def example_number(self) -> str:
        return f"12{self.decimal_separator}5"


@dataclass(frozen=True)
class PackSource:
    tag: str
    source: str
    data: dict[str, Any] | None = None
    error: str = ""


def _builtin_data(tag: str) -> dict[str, Any]:
    return json.loads(resources.files("pamong_edx.player").joinpath("lang", f"{tag}.json").read_text("utf-8"))


def _plugin_sources() -> list[PackSource]:
    from pamong_edx.plugins import PluginInfo, check_plugin

    found = []
    for ep in entry_points(group=GROUP):
        dist = getattr(ep, "dist", None)
        source = f"{dist.name} {dist.version}" if dist is not None else ep.value
        tag = ep.name.lower()
        if tag in BUILT_IN:
            found.append(PackSource(tag, source, error=f"'{tag}' is a built-in language and cannot be replaced"))
            continue
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not take the build down
            found.append(PackSource(tag, source, error=f"failed to import {ep.value}: {type(exc).__name__}: {exc}"))
            continue
        info = check_plugin(PluginInfo(type="player_lang", name=tag, source=source), obj)
        if info.error:
            found.append(PackSource(tag, source, error=info.error))
            continue
        try:
            data = _pack_data(getattr(obj, "pack", None))
        except (OSError, ValueError, TypeError) as exc:
            found.append(PackSource(tag, source, error=f"unreadable pack: {exc}"))
            continue
        found.append(PackSource(tag, source, data=data))
    return found


def _pack_data(pack: Any) -> dict[str, Any]:
    if isinstance(pack, dict):
        return pack
    if isinstance(pack, (str, Path)) or hasattr(pack, "read_text"):
        path = Path(pack) if isinstance(pack, str) else pack
        return json.loads(path.read_text(encoding="utf-8"))
    raise TypeError("`pack` must be a mapping or the path of a JSON file")


@functools.cache
def _discover() -> tuple[dict[str, PackSource], dict[str, str]]:
    """(packs by tag, reasons by tag for the plugin packs that were skipped)."""
    table = {tag: PackSource(tag, "built-in", data=_builtin_data(tag)) for tag in BUILT_IN}
    skipped: dict[str, str] = {}
    for src in _plugin_sources():
        if src.error:
            skipped[src.tag] = src.error
        elif src.tag in table:
            skipped[src.tag] = f"'{src.tag}' is already provided by {table[src.tag].source}"
        else:
            table[src.tag] = src
    return table, skipped


def available_languages() -> dict[str, str]:
    """Language tag -> where its pack comes from."""
    return {tag: s.source for tag, s in sorted(_discover()[0].items())}


def skipped_language_plugins() -> dict[str, str]:
    """Language tag -> why its plugin pack was not used."""
    return dict(sorted(_discover()[1].items()))


def resolve_tag(language: str) -> str | None:
    """The pack tag serving a BCP 47 language tag: exact match first, then its primary subtag."""
    tag = language.strip().lower().replace("_", "-")
    table = available_languages()
    if tag in table:
        return tag
    primary = tag.split("-")[0]
    return primary if primary in table else None


@functools.cache
def language_pack(language: str) -> LanguagePack:
    tag = resolve_tag(language)
    if tag is None:
        known = ", ".join(available_languages())
        raise LanguagePackError(
            f"no player language pack for '{language}' (installed: {known}); "
            f"install a language plugin for it or set the course language to one of those"
        )
    src = _discover()[0][tag]
    return _build(tag, src.source, src.data or {})


def _build(tag: str, source: str, data: dict[str, Any]) -> LanguagePack:
    where = f"language pack '{tag}' ({source})"
    strings = data.get("strings")
    if not isinstance(strings, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in strings.items()):
        raise LanguagePackError(f"{where}: 'strings' must map string keys to string values")
    decimal = data.get("decimal_separator", ".")
    group = data.get("group_separator", ",")
    if decimal not in (".", ",") or group not in (".", ",", " ", "\u00a0", "'", "") or decimal == group:
        raise LanguagePackError(f"{where}: decimal_separator must be '.' or ',' and differ from group_separator")
    reference = _builtin_data(FALLBACK)["strings"] if tag != FALLBACK else strings
    merged = {key: strings.get(key, reference[key]) for key in reference}
    missing = tuple(sorted(k for k in reference if k not in strings))
    return LanguagePack(
        language=tag,
        name=str(data.get("name", tag)),
        decimal_separator=decimal,
        group_separator=group,
        strings=merged,
        source=source,
        missing=missing,
    )


def clear_cache() -> None:
    """Forget discovered packs (after installing a language plugin in the same process)."""
    _discover.cache_clear()
    language_pack.cache_clear()
