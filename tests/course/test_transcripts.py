"""Video transcripts: read when the video block is read, so a malformed one is a located E105 before any build."""

from __future__ import annotations

from pathlib import Path

import pytest

from pamong_edx.course.loader import load_course
from pamong_edx.course.transcripts import TranscriptProblem, read_captions, srt_bytes

TRANSCRIPT = Path("assets") / "video" / "rapat-desa.vtt"  # of the local-video fixture course


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_webvtt_becomes_srt(tmp_path):
    vtt = write(tmp_path / "a.vtt", (
        "\ufeffWEBVTT - Rapat desa\n\nNOTE dibuat untuk pelatihan\n\n"
        "pembuka\n00:01.000 --> 00:03.250 align:start line:0\n<v Kades>Selamat <b>pagi</b>, warga &amp; BPD.\n\n"
        "01:02:03.004 --> 01:02:05.000\nBaris satu\nbaris dua\n"
    ))
    assert srt_bytes(vtt) == (
        "1\n00:00:01,000 --> 00:00:03,250\nSelamat pagi, warga &amp; BPD.\n\n"
        "2\n01:02:03,004 --> 01:02:05,000\nBaris satu\nbaris dua\n"
    ).encode("utf-8")


def test_srt_is_read_as_is(tmp_path):
    srt = write(tmp_path / "a.srt", "1\n00:00:01,000 --> 00:00:02,000\nHalo\n\n"
                                    "2\n00:00:02,500 --> 00:00:04,000\nDesa\n")
    assert [c.text for c in read_captions(srt).captions] == ["Halo", "Desa"]


@pytest.mark.parametrize("name, content, line, message", [
    ("a.vtt", "00:00.000 --> 00:01.000\nTanpa kepala\n", 1, "is not a WebVTT file: its first line must be WEBVTT"),
    ("a.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nSatu\n\n00:02 --> 00:03\nDua\n", 6,
     "has a malformed cue timing '00:02 --> 00:03'"),
    ("a.vtt", "WEBVTT\n\nNOTE belum ada teks\n", 1, "holds no captions"),
    ("a.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nDes\xe9\n", 0, "is not UTF-8 text"),
    ("a.srt", "Satu\n00:00:01,000 --> 00:00:02,000\n", 1, "is not an SRT file"),
])
def test_malformed_transcripts_are_refused_at_their_line(tmp_path, name, content, line, message):
    with pytest.raises(TranscriptProblem, match=message) as caught:
        read_captions(write(tmp_path / name, content))
    assert caught.value.line == line


def test_validate_reports_a_malformed_transcript_in_its_own_file(course_copy):
    root = course_copy("local-video")
    write(root / TRANSCRIPT, "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nRapat.\n\n2\n0:1.5 --> 0:3\nLanjut.\n")
    course, diagnostics = load_course(root)
    assert course is None
    [error] = [d for d in diagnostics if d.is_error]
    assert (error.code, error.location.file, error.location.line) == ("E105", root / TRANSCRIPT, 8)
    assert error.message.startswith(
        "transcript 'assets/video/rapat-desa.vtt' has a malformed cue timing '0:1.5 --> 0:3'")


def test_validate_accepts_a_well_formed_transcript(course_copy):
    course, diagnostics = load_course(course_copy("local-video"))
    assert course is not None and diagnostics == []


def test_pamong_validate_fails_on_a_malformed_transcript(course_copy, pamong):
    root = course_copy("local-video")
    write(root / TRANSCRIPT, "Rapat desa dimulai.\n")
    status, out, err = pamong("validate", str(root))
    assert status != 0
    assert "rapat-desa.vtt:1:1: E105 transcript 'assets/video/rapat-desa.vtt' is not a WebVTT file" in out + err
