"""The toolkit's language: every user-facing string goes through `_()` (or `ngettext`).

Strings are written in English with named placeholders and formatted after translation, so a translator
can reorder them:

    _("answer '{answer}' names no choice (choices: {known})").format(answer=a, known=k)

A string defined at import time (a module-level table, a code's summary, a command's help) is marked with
`N_()` so the extractor finds it, and translated with `_()` where it is shown: the language is chosen once, at
start-up, before any message is made, but after modules are imported.

Catalogues are GNU gettext, one `Catalogue` per domain: the core's is `pamong_edx/locale/<lang>/LC_MESSAGES/
pamong_edx.po`, compiled to the `.mo` beside it (docs/i18n.md says how to update them). A plugin ships its own
catalogue the same way and declares it on its plugin class (`catalogue = Catalogue("pamong_callout", dir)`), so
every message a plugin makes follows the language chosen here.

The language is chosen, in this order, by `--lang`, `PAMONG_LANG`, `lang = "…"` in pamong.toml, then the locale
(`LC_ALL`, `LC_MESSAGES`, `LANG`): Indonesian when the locale is Indonesian, else English.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "pamong_edx"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"  # the language the messages are written in
LANGUAGES = ("id", "en")
ENV_VAR = "PAMONG_LANG"


class Catalogue:
    """The messages of one gettext domain: `<locale_dir>/<lang>/LC_MESSAGES/<domain>.mo`, in any language."""

    def __init__(self, domain: str, locale_dir: str | Path):
        self.domain = domain
        self.locale_dir = Path(locale_dir)
        self._translations: dict[str, gettext.NullTranslations] = {}
        self._languages: list[str] | None = None

    def translation(self, language: str) -> gettext.NullTranslations:
        found = self._translations.get(language)
        if found is None:
            found = self._translations[language] = gettext.translation(
                self.domain, self.locale_dir, languages=[language], fallback=True)
        return found

    def gettext(self, message: str) -> str:
        return self.translation(_language).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translation(_language).ngettext(singular, plural, n)

    def languages(self) -> list[str]:
        """The languages it speaks: the source language and every language with a compiled catalogue."""
        if self._languages is None:
            found = {SOURCE_LANGUAGE}
            if self.locale_dir.is_dir():
                found.update(p.name for p in self.locale_dir.iterdir()
                             if (p / "LC_MESSAGES" / f"{self.domain}.mo").is_file())
            self._languages = sorted(found)
        return list(self._languages)

    def __repr__(self) -> str:
        return f"Catalogue({self.domain!r}, {str(self.locale_dir)!r})"


CORE = Catalogue(DOMAIN, LOCALE_DIR)

_language = SOURCE_LANGUAGE
_current: gettext.NullTranslations = gettext.NullTranslations()


def set_language(language: str) -> None:
    """Use `language` ("id" or "en") for every message made from now on."""
    global _current, _language
    _language = language
    _current = CORE.translation(language)


def language() -> str:
    return _language


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


# ------------------------------------------------------------------------------------------- choosing


def normalise(tag: str) -> str | None:
    """The supported language a tag or locale name means (`id_ID.UTF-8` -> "id"), or None."""
    primary = tag.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return primary if primary in LANGUAGES else None


def from_locale(env: Mapping[str, str]) -> str:
    """Indonesian when the locale is Indonesian, else English. The first of LC_ALL, LC_MESSAGES and LANG that
    is set decides, as in POSIX."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "id" if normalise(value) == "id" else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE
