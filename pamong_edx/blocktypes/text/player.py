"""text in the SCORM player: the HTML, under its own heading when its title is not the page's."""

from __future__ import annotations

from markupsafe import Markup, escape

from pamong_edx.course.model import TextBlock
from pamong_edx.player.qtype import PlayerContext, PlayerRenderer


class TextPlayer(PlayerRenderer):
    def html(self, block: TextBlock, view, ctx: PlayerContext) -> Markup:
        # Written here rather than as a template: most blocks of a course are texts.
        heading = f"\n<h3>{escape(block.title)}</h3>" if block.title and block.title != view.page_title else ""
        return Markup(f'<div class="block text">{heading}\n{block.html}</div>')

    def assets(self, block: TextBlock, ctx: PlayerContext) -> list[str]:
        return list(getattr(block.html, "assets", ()))  # a str holds no references
