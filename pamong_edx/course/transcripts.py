"""Video transcripts: reading .srt and .vtt caption files, and turning WebVTT into the SRT Open edX plays.

The loader reads every transcript when it reads the video block, so `pamong validate` reports a malformed one
at its line; the OLX exporter reads it again to write the SRT copy it ships.
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError
from webvtt.vtt import WebVTTCueBlock

from pamong_edx.i18n import N_, _

SRT_EXAMPLE = N_("a cue number, then a timing line such as 00:00:01,000 --> 00:00:04,000")


class TranscriptProblem(Exception):
    """Why a transcript cannot be read (a predicate, in the user's language: "is not UTF-8 text ..."); `line` is
    1-based in the transcript file, or 0 when no line is to blame."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message, self.line = message, line


def is_webvtt(path: Path | str) -> bool:
    return str(path).lower().endswith(".vtt")


def read_captions(path: Path) -> webvtt.WebVTT:
    """The captions of an .srt or .vtt file; raises TranscriptProblem when it is malformed or holds none.

    A transcript that many videos share is parsed once while it stays unchanged (same size, time, inode)."""
    try:
        info = os.stat(path)
    except OSError:
        return _read_captions(str(path), None)
    return _read_captions(str(path), (info.st_size, info.st_mtime_ns, info.st_ino))


@functools.lru_cache(maxsize=64)
def _read_captions(name: str, version: tuple[int, int, int] | None) -> webvtt.WebVTT:
    path = Path(name)
    vtt = is_webvtt(path)
    try:
        # strict: a WebVTT cue with a malformed timing is an error, rather than a caption silently left out
        captions = webvtt.read(str(path), strict=True) if vtt else webvtt.from_srt(str(path))
    except UnicodeDecodeError as exc:
        raise TranscriptProblem(_("is not UTF-8 text (byte {at}): save it with UTF-8 encoding").format(
            at=exc.start + 1)) from None
    except OSError as exc:
        raise TranscriptProblem(_("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    except MalformedFileError:
        if vtt:
            raise TranscriptProblem(_("is not a WebVTT file: its first line must be WEBVTT"), 1) from None
        raise TranscriptProblem(_("is not an SRT file: it must start with {example}").format(example=_(SRT_EXAMPLE)),
                                1) from None
    except MalformedCaptionError as exc:
        line, timing = _bad_timing(path)
        if line:
            raise TranscriptProblem(_("has a malformed cue timing '{timing}': write it as hh:mm:ss.ttt --> "
                                      "hh:mm:ss.ttt (hours may be left out)").format(timing=timing), line) from None
        # webvtt-py's own words (English), quoted
        raise TranscriptProblem(_("has a malformed cue ('{detail}')").format(detail=_shorten(str(exc)))) from None
    if not captions.captions:
        example = "00:00:01.000 --> 00:00:04.000" if vtt else _(SRT_EXAMPLE)
        raise TranscriptProblem(_("holds no captions (each cue needs {example} and its text)").format(
            example=example), 1)
    return captions


def srt_bytes(path: Path) -> bytes:
    """The captions of a transcript as an SRT file (UTF-8, LF line ends): the same input gives the same bytes.

    Cue tags (<b>, <v Name>, ...) are removed; the text is kept as written otherwise.
    """
    out = io.StringIO()
    read_captions(path).write(out, format="srt")
    return (out.getvalue() + "\n").encode("utf-8")


def _bad_timing(path: Path) -> tuple[int, str]:
    """(line, text) of the first timing line WebVTT's own rule refuses, or (0, "") when none is to blame."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0, ""
    for number, line in enumerate(text.splitlines(), start=1):
        if "-->" in line and not WebVTTCueBlock.STRICT_CUE_TIMINGS_PATTERN.match(line):
            return number, _shorten(line.strip())
    return 0, ""


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
