"""The offline HTML player inside SCORM packages: Jinja2 templates, one CSS and one JS file, language packs.

The names below are imported on first use, so that reading the language packs (`pamong validate` checks a course's
language) does not import Jinja2 and the templates.
"""

from __future__ import annotations

import importlib
from typing import Any

_FROM = {
    "LanguagePack": "lang", "available_languages": "lang", "language_pack": "lang",
    "STATIC_CSS": "render", "STATIC_JS": "render", "render_sco": "render", "static_files": "render",
}

__all__ = list(_FROM)


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
