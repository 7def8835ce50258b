"""WebVTT transcripts in an OLX package: Open edX plays only SRT captions, so the exporter ships an SRT copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from olx_samples import extract, make_course

from pamong_edx.course.model import Asset, Course, Location, VideoBlock
from pamong_edx.export import ExportError
from pamong_edx.exporters.olx import OlxExporter
from pamong_edx.exporters.olx_static import caption_names, static_names

WEBVTT = (
    "WEBVTT\n\n"
    "00:00.000 --> 00:02.500 align:start\n<v Kades>Rapat <i>dimulai</i>.\n\n"
    "00:00:03.000 --> 00:00:05.000\nAgenda: APBDes &amp; RKPDes\n"
)
SRT = (
    "1\n00:00:00,000 --> 00:00:02,500\nRapat dimulai.\n\n"
    "2\n00:00:03,000 --> 00:00:05,000\nAgenda: APBDes &amp; RKPDes\n"
)


def with_videos(tmp_path: Path, transcripts: dict[str, str], videos: list[tuple[str, str]]) -> Course:
    """The sample course plus transcript files (asset name -> text) and videos (id, transcript asset name)."""
    course = make_course()
    for name, text in transcripts.items():
        path = tmp_path / "assets" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        course.assets[name] = Asset(name, path)
    unit = course.chapters[0].sequentials[0].units[0]
    for n, (block_id, transcript) in enumerate(videos):
        unit.blocks.append(VideoBlock(block_id, "video", "Rapat", Location(tmp_path / "course.yaml", 90 + n, 1),
                                      youtube_id="aBcDeFgHiJk", transcript=transcript))
    return course


def build(course: Course, out: Path) -> Path:
    return extract(OlxExporter(course, out).build().path, out / "x") / "course"


def video(root: Path, block_id: str) -> etree._Element:
    return etree.parse(str(root / "video" / f"{block_id}.xml")).getroot()


def test_webvtt_transcript_plays_as_srt_captions(tmp_path):
    course = with_videos(tmp_path, {"video/rapat desa.vtt": WEBVTT}, [("v-rapat", "video/rapat desa.vtt")])
    root = build(course, tmp_path / "out")
    elem = video(root, "v-rapat")
    assert elem.get("show_captions") == "true" and elem.get("download_track") == "true"
    assert json.loads(elem.get("transcripts")) == {"id": "video_rapat_desa.srt"}
    [transcript] = elem.findall("transcript")
    assert dict(transcript.attrib) == {"language": "id", "src": "video_rapat_desa.srt"}
    assert (root / "static/video_rapat_desa.srt").read_text("utf-8") == SRT
    # the download offers the transcript as written
    assert elem.find("track").get("src") == "/static/video_rapat_desa.vtt"
    assert (root / "static/video_rapat_desa.vtt").read_text("utf-8") == WEBVTT


def test_srt_transcript_is_wired_as_it_is(tmp_path):
    course = with_videos(tmp_path, {"rapat.srt": SRT}, [("v-rapat", "rapat.srt")])
    elem = video(build(course, tmp_path / "out"), "v-rapat")
    assert json.loads(elem.get("transcripts")) == {"id": "rapat.srt"}
    assert elem.find("transcript").get("src") == "rapat.srt" and elem.find("track") is None


def test_srt_copy_never_overwrites_an_asset(tmp_path):
    # rapat.srt is an asset of its own (another language, say); the copy made from rapat.vtt must not replace it
    course = with_videos(tmp_path, {"rapat.vtt": WEBVTT, "rapat.srt": "1\n00:00:00,000 --> 00:00:01,000\nLain\n"},
                         [("v-vtt", "rapat.vtt"), ("v-vtt-lagi", "rapat.vtt"), ("v-srt", "rapat.srt")])
    root = build(course, tmp_path / "out")
    copy = caption_names(["rapat.vtt"], static_names(list(course.assets)))["rapat.vtt"]
    assert copy.startswith("rapat-") and copy.endswith(".srt")
    assert (root / "static" / copy).read_text("utf-8") == SRT
    assert (root / "static/rapat.srt").read_text("utf-8") == "1\n00:00:00,000 --> 00:00:01,000\nLain\n"
    assert json.loads(video(root, "v-vtt").get("transcripts")) == {"id": copy}
    assert json.loads(video(root, "v-vtt-lagi").get("transcripts")) == {"id": copy}  # one copy for both videos
    assert json.loads(video(root, "v-srt").get("transcripts")) == {"id": "rapat.srt"}
    srt_files = sorted(p.name for p in (root / "static").iterdir() if p.suffix == ".srt")
    assert srt_files == sorted(["musdes.srt", "musdes-en.srt", "rapat.srt", copy])


def test_caption_names_follow_the_static_names():
    static = static_names(["a/b.vtt", "a_b.srt", "c.VTT", "d.srt"])
    names = caption_names(["c.VTT", "a/b.vtt"], static)
    assert names["c.VTT"] == "c.srt"
    assert names["a/b.vtt"].startswith("a_b-") and names["a/b.vtt"] not in static.values()
    assert names == caption_names(["a/b.vtt", "c.VTT"], static)  # order of the input does not matter


def test_malformed_webvtt_is_a_located_build_error(tmp_path):
    bad = "WEBVTT\n\n00:00.000 --> 00:01.000\nSatu\n\n00:01 --> 00:02\nDua\n"
    course = with_videos(tmp_path, {"rusak.vtt": bad, "kosong.vtt": "Bukan WebVTT\n"},
                         [("v-rusak", "rusak.vtt"), ("v-kosong", "kosong.vtt")])
    out = tmp_path / "out"
    with pytest.raises(ExportError) as caught:
        OlxExporter(course, out).build()
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{tmp_path / 'assets/kosong.vtt'}:1:1: E105 transcript 'assets/kosong.vtt' is not a WebVTT file: "
        "its first line must be WEBVTT",
        f"{tmp_path / 'assets/rusak.vtt'}:6:1: E105 transcript 'assets/rusak.vtt' has a malformed cue timing "
        "'00:01 --> 00:02': write it as hh:mm:ss.ttt --> hh:mm:ss.ttt (hours may be left out)",
    ]
    assert not list(out.glob("*.tar.gz"))


def test_builds_with_webvtt_are_byte_identical(tmp_path):
    archives = []
    for run in ("a", "b"):  # different source folders, same content
        course = with_videos(tmp_path / run, {"video/rapat.vtt": WEBVTT}, [("v-rapat", "video/rapat.vtt")])
        archives.append(OlxExporter(course, tmp_path / run / "out").build().path.read_bytes())
    assert archives[0] == archives[1]

