"""discussion in the SCORM player: the prompt, with a note to take it to the course forum."""

from __future__ import annotations

from pamong_edx.player.qtype import PlayerRenderer


class DiscussionPlayer(PlayerRenderer):
    template = ("pamong_edx.blocktypes.discussion", "player.html.j2")
