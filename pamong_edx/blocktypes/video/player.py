"""video in the SCORM player: a file of the package plays in place (offline too) with its captions; a remote
file is fetched only when Play is pressed, and a link to it, to YouTube and to the transcript is always there."""

from __future__ import annotations

import base64

from markupsafe import Markup

from pamong_edx.course.model import VideoBlock
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.export import ExportError
from pamong_edx.i18n import _
from pamong_edx.player.qtype import PlayerContext, PlayerRenderer, render_template


class VideoPlayer(PlayerRenderer):
    scripts = (("pamong_edx.blocktypes.video", "player.js"),)

    def html(self, block: VideoBlock, view, ctx: PlayerContext) -> Markup:
        return render_template("pamong_edx.blocktypes.video", "player.html.j2", b=block, t=ctx.lang.strings,
                               lang=ctx.lang.language, captions=self.inline_captions(block, ctx))

    def assets(self, block: VideoBlock, ctx: PlayerContext) -> list[str]:
        """The packaged video and its transcript (the page links to both)."""
        return [name for name in (block.mp4_asset, block.transcript) if name]

    def inline_captions(self, block: VideoBlock, ctx: PlayerContext) -> str:
        """The WebVTT captions of a video shipped in the package, as a data: URL. Browsers refuse a caption file
        to a page opened from disk (file: URLs are unique origins), which is how a package is used offline; the
        file itself is still packaged, for the transcript link."""
        asset = ctx.course.assets.get(block.transcript)
        if not block.mp4_asset or asset is None or not block.transcript.lower().endswith(".vtt"):
            return ""
        known = ctx.scratch.setdefault("video-captions", {})  # read once however many videos share it
        if block.transcript in known:
            return known[block.transcript]
        try:
            data = asset.path.read_bytes()
        except OSError as exc:
            raise ExportError([Diagnostic("E002", _("cannot read transcript assets/{name}: {why}").format(
                name=block.transcript, why=exc.strerror or exc), block.loc)]) from None
        url = known[block.transcript] = "data:text/vtt;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")
        return url
