"""Language packs: the player's UI strings (Next, Submit, Your score, Passed…) and number format per language.

A language pack is a plugin of type `player_lang` (entry-point group `pamong_edx.player_lang.v1`), discovered
by `pamong_edx.plugins` like every other plugin and listed by `pamong plugins`. The entry point's name is the
language tag and it loads an object carrying the usual plugin attributes plus the pack itself:

    class Javanese:
        component = "player_lang_jv"     # player_lang_<tag>
        version = "1.0.0"
        requires = ">=0.1,<1"
        pack = {"name": "Basa Jawa", "decimal_separator": ",", "group_separator": ".",
                "strings": {"next": "Sabanjure", ...}}

`pack` may also be a path (or importlib.resources file) of a JSON file of that shape. The built-in packs,
`lang/id.json` and `lang/en.json` beside this module, are declared the same way in pyproject.toml (`Indonesian`
and `English` below). Strings a pack lacks are taken from English and reported, so a partial translation still
builds. A built-in tag cannot be replaced: a plugin pack for `id` or `en` is skipped with a reason.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pamong_edx.errors import PamongError
from pamong_edx.i18n import _
from pamong_edx.plugins import read_pack, registry

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
    source: str  # the distribution that provides it, e.g. "pamong-edx 0.1.0"
    missing: tuple[str, ...] = ()  # keys taken from English

    def example_number(self) -> str:
        return f"12{self.decimal_separator}5"


class _BuiltInPack:
    version = "1.0.0"
    requires = ">=0.1,<1"


class Indonesian(_BuiltInPack):
    component = "player_lang_id"
    pack = resources.files(__package__).joinpath("lang", "id.json")


class English(_BuiltInPack):
    component = "player_lang_en"
    pack = resources.files(__package__).joinpath("lang", "en.json")


def _installed() -> dict[str, Any]:
    """Tag -> the plugin info of every pack that loaded (built-in or plugin)."""
    table = registry().plugins["player_lang"]
    return {info.name.lower(): info for info in table.values() if info.loaded}


def available_languages() -> dict[str, str]:
    """Language tag -> where its pack comes from."""
    return {tag: info.source for tag, info in sorted(_installed().items())}


def skipped_language_plugins() -> dict[str, str]:
    """Language tag -> why its plugin pack was not used."""
    table = registry().plugins["player_lang"]
    return dict(sorted((info.name.lower(), info.error) for info in table.values() if not info.loaded))


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
        raise LanguagePackError(_(
            "no player language pack for '{language}' (installed: {known}); "
            "install a language plugin for it or set the course language to one of those"
        ).format(language=language, known=known))
    info = _installed()[tag]
    try:
        data = read_pack(info.obj.pack)
    except (OSError, ValueError, TypeError) as exc:  # changed on disk since it was discovered
        raise LanguagePackError(_("language pack '{tag}' ({source}) is unreadable: {detail}").format(
            tag=tag, source=info.source, detail=exc)) from None
    return _build(tag, info.source, data)


def _build(tag: str, source: str, data: dict[str, Any]) -> LanguagePack:
    where = _("language pack '{tag}' ({source})").format(tag=tag, source=source)
    strings = data.get("strings")
    if not isinstance(strings, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in strings.items()):
        raise LanguagePackError(_("{where}: 'strings' must map string keys to string values").format(where=where))
    decimal = data.get("decimal_separator", ".")
    group = data.get("group_separator", ",")
    if decimal not in (".", ",") or group not in (".", ",", " ", "\u00a0", "'", "") or decimal == group:
        raise LanguagePackError(
            _("{where}: decimal_separator must be '.' or ',' and differ from group_separator").format(where=where))
    reference = read_pack(English.pack)["strings"] if tag != FALLBACK else strings
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
    """Forget discovered plugins and packs (after installing a language plugin in the same process)."""
    registry.cache_clear()
    language_pack.cache_clear()
