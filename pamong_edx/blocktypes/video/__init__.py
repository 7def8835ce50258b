"""`video`: a YouTube video and/or an MP4 file (over https, or shipped under assets/), with a transcript."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from pamong_edx.course.blocks import BlockType
from pamong_edx.course.context import LoadContext
from pamong_edx.course.model import Block, Location, VideoBlock
from pamong_edx.course.schema import ASSET_PATH, text
from pamong_edx.course.transcripts import TranscriptProblem, read_captions
from pamong_edx.course.yamlsource import Fields, ScalarNode

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")


class VideoBlockType(BlockType):
    component = "block_video"
    name = "video"
    description = ("A video from YouTube and/or an MP4 file (over https, or shipped under assets/), with an "
                   "optional transcript.")
    renderers = {
        "olx": "pamong_edx.blocktypes.video.olx:VideoOlx",
        "scorm": "pamong_edx.blocktypes.video.player:VideoPlayer",
    }
    schema = {
        "properties": {
            "youtube": text("A YouTube video id (11 characters).", pattern="^[A-Za-z0-9_-]{11}$"),
            "mp4": text("An MP4 file: an https URL, or a file of the course under assets/ (packaged with it).",
                        pattern="^(https://|(\\./)?assets/)"),
            "transcript": ASSET_PATH | {"description": "An .srt or .vtt transcript under assets/."},
        },
        "anyOf": [{"required": ["youtube"]}, {"required": ["mp4"]}],
    }

    @classmethod
    def build(cls, raw: Fields, ctx: LoadContext) -> Block:
        youtube = ctx.string(raw, "youtube")
        if isinstance(raw.get("youtube"), ScalarNode) and not _YOUTUBE_ID.fullmatch(youtube):
            ctx.error("E105", f"'{youtube}' is not a YouTube video id (11 letters, digits, _ or -)", raw.get("youtube"))
        mp4_url, mp4_asset = cls.mp4(raw, ctx)
        if not raw.given("youtube") and not raw.given("mp4"):
            ctx.error("E102", "a video needs 'youtube' or 'mp4' (or both)", raw)
        transcript = ctx.asset(raw, "transcript", suffixes=(".srt", ".vtt"), what="transcript")
        if transcript:
            cls.check_transcript(raw.get("transcript").value, ctx.assets[transcript].path, ctx)
        return VideoBlock(**ctx.common(), youtube_id=youtube, mp4_url=mp4_url, transcript=transcript,
                          mp4_asset=mp4_asset)

    @staticmethod
    def check_transcript(raw: str, path: Path, ctx: LoadContext) -> None:
        """E105 at the transcript's own line when it is not a caption file Open edX and browsers can play."""
        try:
            read_captions(path)
        except TranscriptProblem as problem:
            ctx.error("E105", f"transcript '{raw}' {problem.message}", Location(path, problem.line or 1, 1))

    @staticmethod
    def mp4(raw: Fields, ctx: LoadContext) -> tuple[str, str]:
        """(URL, asset name) of the `mp4` key: an https URL, or a path checked like every asset path."""
        node = ctx.scalar(raw, "mp4", expected="an https URL or a path under assets/")
        if node is None:
            return "", ""
        if not node.value.strip():
            ctx.error("E105", "mp4 is empty: give an https URL or a path under assets/", node)
            return "", ""
        value = node.value
        url = urlparse(value)
        if len(url.scheme) > 1:  # a URL; a one-letter "scheme" is a Windows drive, which the path check refuses
            if url.scheme != "https" or not url.netloc:
                ctx.error("E105", f"mp4 must be an https URL or a path under assets/, not '{value}'", node)
                return "", ""
            return value, ""
        return "", ctx.asset(raw, "mp4", suffixes=(".mp4",), what="video file")
