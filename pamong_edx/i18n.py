"""The toolkit's language: every user-facing string goes through `_()` (or `ngettext`).

Strings are written in English with named placeholders and formatted after translation, so a translator
can reorder them:

    _("answer '{answer}' names no choice (choices: {known})").format(answer=a, known=k)

A string defined at import time (a module-level table, a code's summary) is marked with `N_()` so the
extractor finds it, and translated with `_()` where it is shown: the language is chosen once, at start-up,
before any message is made, but after modules are imported.

Catalogues are GNU gettext: `pamong_edx/locale/<lang>/LC_MESSAGES/pamong_edx.mo`, compiled from `.po`.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "pamong_edx"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("id", "en")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Use `language` ("id" or "en") for every message made from now on."""
    global _current, _language
    _language = language
    _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def language() -> str:
    return _language


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
