"""The offline HTML player inside SCORM packages: Jinja2 templates, one CSS and one JS file, language packs."""

from pamong_edx.player.lang import LanguagePack, available_languages, language_pack
from pamong_edx.player.render import STATIC_CSS, STATIC_JS, render_sco, static_files

__all__ = [
    "LanguagePack", "available_languages", "language_pack", "STATIC_CSS", "STATIC_JS", "render_sco", "static_files",
]
