"""Video blocks: a YouTube id, an https MP4 URL, or an MP4 file shipped with the course under assets/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pamong_edx.course.loader import load_course
from pamong_edx.course.model import VideoBlock

COURSES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
MP4_LINE = "                mp4: assets/video/rapat-desa.mp4\n"
MP4_AT = (18, 22)  # line and column of the mp4 value in local-video/course.yaml


def set_mp4(root: Path, line: str) -> None:
    path = root / "course.yaml"
    text = path.read_text(encoding="utf-8")
    assert MP4_LINE in text
    path.write_text(text.replace(MP4_LINE, line), encoding="utf-8")


def the_video(course) -> VideoBlock:
    [video] = [b for b in course.blocks() if isinstance(b, VideoBlock)]
    return video


def test_a_video_file_under_assets_is_a_referenced_asset():
    course, diagnostics = load_course(COURSES / "local-video")
    assert diagnostics == []  # no W204: the video file and its transcript count as used
    video = the_video(course)
    assert (video.mp4_asset, video.mp4_url, video.transcript) == ("video/rapat-desa.mp4", "", "video/rapat-desa.vtt")
    assert course.assets[video.mp4_asset].path == COURSES / "local-video" / "assets" / "video" / "rapat-desa.mp4"


def test_a_video_file_nothing_plays_is_an_unused_asset(course_copy):
    root = course_copy("local-video")
    set_mp4(root, "                youtube: dQw4w9WgXcQ\n")
    course, diagnostics = load_course(root)
    assert course is not None
    assert [(d.code, d.location.file.name) for d in diagnostics] == [("W204", "rapat-desa.mp4")]


@pytest.mark.parametrize("value, url, asset", [
    ("https://cdn.example.id/rapat.mp4?v=2", "https://cdn.example.id/rapat.mp4?v=2", ""),
    ("./assets/video/rapat-desa.mp4", "", "video/rapat-desa.mp4"),
    ("assets/video/RAPAT.MP4", "", "video/RAPAT.MP4"),
])
def test_an_https_url_or_a_path_under_assets(course_copy, value, url, asset):
    root = course_copy("local-video")
    if asset == "video/RAPAT.MP4":
        os.rename(root / "assets" / "video" / "rapat-desa.mp4", root / "assets" / "video" / "RAPAT.MP4")
    set_mp4(root, f"                mp4: {value}\n")
    course, diagnostics = load_course(root)
    assert [d.code for d in diagnostics] == ([] if asset else ["W204"])  # the file is unused beside a URL
    video = the_video(course)
    assert (video.mp4_url, video.mp4_asset) == (url, asset)


@pytest.mark.parametrize("value, code, message", [
    ("assets/video/tidak-ada.mp4", "E109", "video file 'assets/video/tidak-ada.mp4' does not exist"),
    ("../rapat-desa.mp4", "E110", "path '../rapat-desa.mp4' leaves the course directory"),
    ("assets/../../rapat-desa.mp4", "E110", "leaves the course directory"),
    ("/srv/video/rapat-desa.mp4", "E110", "absolute path '/srv/video/rapat-desa.mp4' is refused"),
    ("C:/video/rapat-desa.mp4", "E110", "absolute path 'C:/video/rapat-desa.mp4' is refused"),
    ("content/rapat-desa.mp4", "E105", "video file 'content/rapat-desa.mp4' is not under assets/"),
    ("assets/video/rapat-desa.vtt", "E105", "video file 'assets/video/rapat-desa.vtt' must be a .mp4 file"),
    ("http://cdn.example.id/rapat.mp4", "E105",
     "mp4 must be an https URL or a path under assets/, not 'http://cdn.example.id/rapat.mp4'"),
    ("https:///rapat.mp4", "E105", "mp4 must be an https URL or a path under assets/"),
])
def test_bad_video_files_are_located_errors(course_copy, value, code, message):
    root = course_copy("local-video")
    (root / "content").mkdir()
    (root / "content" / "rapat-desa.mp4").write_bytes((root / "assets" / "video" / "rapat-desa.mp4").read_bytes())
    set_mp4(root, f"                mp4: {value}\n")
    course, diagnostics = load_course(root)
    assert course is None
    [error] = [d for d in diagnostics if d.is_error]
    assert (error.code, error.location.line, error.location.col) == (code, *MP4_AT)
    assert message in error.message


def test_a_video_file_symlinked_from_outside_is_refused(course_copy, tmp_path):
    root = course_copy("local-video")
    outside = tmp_path / "di-luar.mp4"
    outside.write_bytes(b"\0\0\0\x18ftypmp42")
    os.symlink(outside, root / "assets" / "video" / "luar.mp4")
    set_mp4(root, "                mp4: assets/video/luar.mp4\n")
    course, diagnostics = load_course(root)
    assert course is None
    errors = {(d.code, d.location.line) for d in diagnostics if d.is_error}
    assert errors == {("E110", 1), ("E110", MP4_AT[0])}  # listing assets/, and the video's own path
