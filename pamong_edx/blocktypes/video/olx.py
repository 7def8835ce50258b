"""video in OLX: a video component playing the YouTube video or the MP4 (a file of the course from static/),
with captions. Open edX plays only SRT captions, so a WebVTT transcript gets an SRT copy under static/."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from pamong_edx.course.model import VideoBlock
from pamong_edx.course.transcripts import TranscriptProblem, is_webvtt, srt_bytes
from pamong_edx.exporters.olx_capa import xml_safe
from pamong_edx.exporters.olx_output import OlxOutput, OlxRenderer, xml_bytes
from pamong_edx.exporters.olx_static import caption_names
from pamong_edx.diagnostics import Diagnostic, Location
from pamong_edx.i18n import _


class VideoOlx(OlxRenderer):
    def prepare(self, blocks: list[VideoBlock], out: OlxOutput) -> None:
        for block in blocks:
            if not (block.youtube_id or block.mp4_url or block.mp4_asset):
                out.error(block, "E102", _("a video needs a youtube id, an mp4 URL or an mp4 file under assets/"))
            for name in (block.mp4_asset, block.transcript):
                if name and name not in out.course.assets:
                    out.error(block, "E109", _("asset '{name}' does not exist under assets/").format(name=name))
        webvtt = sorted({b.transcript for b in blocks
                         if b.transcript and b.transcript in out.static and is_webvtt(b.transcript)})
        # WebVTT transcript's asset name -> flat name of its SRT copy
        captions = out.scratch["video-captions"] = caption_names(webvtt, out.static)
        out.context["video-captions"] = sorted(captions.items())  # a video's XML names its transcript's copy
        for name in webvtt:
            path = out.course.assets[name].path
            try:
                out.add_static(captions[name], srt_bytes(path))
            except TranscriptProblem as problem:
                out.diagnostics.append(_transcript_error(path, problem, name))

    def render(self, block: VideoBlock, out: OlxOutput) -> None:
        elem = etree.Element("video", display_name=xml_safe(out.title(block)))
        if block.youtube_id:
            elem.set("youtube", f"1.00:{block.youtube_id}")
            elem.set("youtube_id_1_0", block.youtube_id)
        else:
            elem.set("youtube_id_1_0", "")  # otherwise Open edX falls back to its demo video
        # A file of the course is served from static/; the LMS rewrites a quoted /static/ URL at render time.
        mp4 = f"/static/{out.static[block.mp4_asset]}" if block.mp4_asset else xml_safe(block.mp4_url)
        elem.set("html5_sources", json.dumps([mp4] if mp4 else []))
        elem.set("download_video", "false")
        if mp4:
            etree.SubElement(elem, "source", src=mp4)
        if block.transcript:
            flat = out.static[block.transcript]
            # Open edX plays only SRT captions: a WebVTT transcript plays from its SRT copy
            captions = out.scratch["video-captions"].get(block.transcript, flat)
            elem.set("download_track", "true")
            if captions.lower().endswith(".srt"):
                elem.set("show_captions", "true")
                elem.set("transcripts", json.dumps({out.lang: captions}))
                etree.SubElement(elem, "transcript", language=out.lang, src=captions)
            if not flat.lower().endswith(".srt"):  # the transcript download offers the file as written
                etree.SubElement(elem, "track", src=f"/static/{flat}")
        out.pointer("video", block.id)
        out.add(f"video/{block.id}.xml", xml_bytes(elem))


def _transcript_error(path: Path, problem: TranscriptProblem, name: str) -> Diagnostic:
    """E105 at the line of the transcript file to blame."""
    return Diagnostic("E105", _("transcript 'assets/{name}' {problem}").format(name=name, problem=problem.message),
                      Location(path, problem.line or 1, 1))
