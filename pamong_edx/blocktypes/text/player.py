"""text in the SCORM player: the HTML, under its own heading when its title is not the page's."""

from __future__ import annotations

from markupsafe import Markup

from pamong_edx.course.model import TextBlock
from pamong_edx.player.qtype import PlayerContext, PlayerRenderer, render_template


class TextPlayer(PlayerRenderer):
    def html(self, block: TextBlock, view, ctx: PlayerContext) -> Markup:
        return render_template("pamong_edx.blocktypes.text", "player.html.j2", b=block,
                               ctx_unit_title=view.page_title)
