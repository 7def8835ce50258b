"""The curricula bundled in course_src/ meet the course checklist and build to every built-in format.

Each curriculum must load without a single diagnostic (so it also passes `pamong validate --strict`) and
hold: an ungraded pretest, at least three chapters of lessons with text, an image with alt text, a
discussion in every chapter, a graded posttest of at least 15 problems that uses all five problem types and
explains every answer, a 0.7 pass cutoff and a certificate. The videos of every bundled course, the short first
one included, are small files shipped under assets/ with a timed WebVTT transcript.
"""

from __future__ import annotations

import json
import re
import struct
import tarfile
import zipfile
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from pamong_edx.build import build_courses, select_exporters
from pamong_edx.course.loader import load_course
from pamong_edx.course.model import Course, DiscussionBlock, TextBlock, VideoBlock

COURSE_SRC = Path(__file__).resolve().parents[2] / "course_src"
CURRICULA = ["tata-kelola-pemerintahan-desa", "pengelolaan-keuangan-desa", "pelayanan-publik-desa",
             "kode-wilayah-dan-nik", "perencanaan-pembangunan-desa", "administrasi-pemerintahan-desa"]
PROBLEM_TYPES = {"single_choice", "multiple_choice", "dropdown", "numerical", "text_answer"}
FORMATS = ["olx", "scorm12", "scorm2004"]


@pytest.fixture(scope="module", params=CURRICULA)
def course(request) -> Course:
    loaded, diagnostics = load_course(COURSE_SRC / request.param)
    assert [str(d) for d in diagnostics] == [], "the course must load with no error and no warning"
    assert loaded is not None
    return loaded


def images(block: TextBlock) -> list[tuple[str, str]]:
    """(src, alt) of every <img> in a text block's HTML."""
    if not block.html:
        return []
    found = []
    for element in lxml.html.fragments_fromstring(str(block.html)):
        if isinstance(element, str):
            continue
        for img in element.iter("img"):
            found.append((img.get("src", ""), (img.get("alt") or "").strip()))
    return found


def test_pretest_is_scored_but_never_counts(course: Course, tmp_path: Path):
    """Graded with a weight-0 format so Open edX scores it (the report's learning gain) without counting it;
    in SCORM its SCO has no score and no mastery, so it can never pass or fail anyone."""
    pretests = [seq for _, seq in course.sequentials() if seq.kind == "pretest"]
    assert pretests, "a pretest is required"
    for seq in pretests:
        assert seq.problems() and seq.show_answer == "never"
        fmt = course.grading.format(seq.format)
        assert seq.graded and fmt is not None and fmt.weight == 0 and not course.grading.counts(seq.format)
    outcomes = build_courses([course], select_exporters(("olx", "scorm12")), tmp_path)
    packages = {o.format: o.result.path for o in outcomes}
    with tarfile.open(packages["olx"]) as archive:
        root = next(n for n in archive.getnames() if n.endswith("/course.xml")).rsplit("/", 1)[0]
        policy = json.load(archive.extractfile(f"{root}/policies/{course.run}/grading_policy.json"))
        sequential = archive.extractfile(f"{root}/sequential/{pretests[0].id}.xml").read().decode()
    assert {g["type"]: g["weight"] for g in policy["GRADER"]} == {"Pretest": 0.0, "Posttest": 1.0}
    assert all("min_count" in g for g in policy["GRADER"])  # grader_from_conf needs it to make the grader
    assert 'graded="true"' in sequential and 'format="Pretest"' in sequential
    with zipfile.ZipFile(packages["scorm12"]) as archive:
        manifest = lxml.etree.fromstring(archive.read("imsmanifest.xml"))
    mastered = {item.get("identifier").removeprefix("ITEM-") for item in manifest.iter("{*}item")
                if any(child.tag.endswith("}masteryscore") for child in item)}
    posttest = next(s.id for _, s in course.sequentials() if s.kind == "posttest")
    assert pretests[0].id not in mastered and posttest in mastered


def test_at_least_three_chapters_of_lessons_with_text(course: Course):
    def has_text_lesson(chapter) -> bool:
        return any(isinstance(block, TextBlock) and block.markdown.strip()
                   for seq in chapter.sequentials if seq.kind == "lesson"
                   for unit in seq.units for block in unit.blocks)

    assert sum(has_text_lesson(chapter) for chapter in course.chapters) >= 3


def test_images_are_course_assets_with_alt_text(course: Course):
    found = [img for block in course.blocks() if isinstance(block, TextBlock) for img in images(block)]
    assert found, "at least one image or diagram is required"
    for src, alt in found:
        assert src.startswith("assets/"), src
        assert src.removeprefix("assets/") in course.assets, f"{src} is not a file under assets/"
        assert alt, f"{src} has no alt text"
    assert course.image in course.assets, "the course image must be a file under assets/"


def test_every_chapter_has_a_discussion(course: Course):
    for chapter in course.chapters:
        discussions = [block for seq in chapter.sequentials for unit in seq.units for block in unit.blocks
                       if isinstance(block, DiscussionBlock)]
        assert discussions, f"chapter '{chapter.title}' has no discussion"
        assert all(d.prompt_markdown.strip() for d in discussions)


def test_graded_posttest(course: Course):
    posttests = [seq for _, seq in course.sequentials() if seq.kind == "posttest"]
    assert len(posttests) == 1
    posttest = posttests[0]
    assert posttest.graded
    assert course.grading.format(posttest.format) is not None
    problems = posttest.problems()
    assert len(problems) >= 30
    assert PROBLEM_TYPES <= {p.type for p in problems}
    unexplained = [p.id for p in problems if not p.explanation_html]
    assert unexplained == []


def test_every_problem_is_explained(course: Course):
    assert [p.id for p in course.problems() if not p.explanation_html] == []


def test_pass_cutoff_and_certificate(course: Course):
    assert course.grading.pass_cutoff == pytest.approx(0.7)
    assert course.certificate is not None and course.certificate.name.strip()


def test_builds_to_every_format(course: Course, tmp_path: Path):
    outcomes = build_courses([course], select_exporters(FORMATS), tmp_path)
    assert [(o.format, o.error) for o in outcomes] == [(name, "") for name in FORMATS]
    packages = {o.format: o.result.path for o in outcomes}
    for path in packages.values():
        assert path.is_file() and path.stat().st_size > 0
        assert path.parent == tmp_path

    with tarfile.open(packages["olx"]) as archive:
        names = archive.getnames()
    for problem in course.problems():
        assert any(n.endswith(f"/problem/{problem.id}.xml") for n in names), problem.id
    pictured = {src.removeprefix("assets/") for block in course.blocks() if isinstance(block, TextBlock)
                for src, _ in images(block)}
    for asset in pictured:
        assert any(n.endswith(f"/static/{asset}") for n in names), asset

    for name in ("scorm12", "scorm2004"):
        with zipfile.ZipFile(packages[name]) as archive:
            members = archive.namelist()
        assert "imsmanifest.xml" in members
        for asset in pictured:
            assert any(m.endswith(asset) for m in members), f"{asset} missing from {name}"


# ------------------------------------------------------------------------------------------------ videos

BUNDLED = sorted(p.parent.name for p in COURSE_SRC.glob("*/course.yaml"))
MAX_VIDEO_BYTES = 1_500_000  # learners on weak connections download the whole package
VTT_CUE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$", re.M)


def mp4_seconds(data: bytes) -> float:
    """The duration an MP4 states in its movie header (mvhd, version 0 or 1)."""
    at = data.index(b"mvhd") + 4
    if data[at] == 1:
        timescale, duration = struct.unpack(">IQ", data[at + 20:at + 32])
    else:
        timescale, duration = struct.unpack(">II", data[at + 12:at + 20])
    return duration / timescale


def cue_times(vtt: str) -> list[tuple[float, float]]:
    def seconds(h: str, m: str, s: str, ms: str) -> float:
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    return [(seconds(*g[:4]), seconds(*g[4:])) for g in VTT_CUE.findall(vtt)]


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_videos_are_small_captioned_files_of_the_course(name):
    course, _ = load_course(COURSE_SRC / name)
    assert course is not None
    for video in (b for b in course.blocks() if isinstance(b, VideoBlock)):
        assert video.mp4_asset, f"{video.id}: ship the video in assets/ so that it plays offline"
        data = course.assets[video.mp4_asset].path.read_bytes()
        assert data[4:8] == b"ftyp" and len(data) < MAX_VIDEO_BYTES, video.mp4_asset
        assert video.transcript.endswith(".vtt"), f"{video.id}: give it a WebVTT transcript"
        vtt = course.assets[video.transcript].path.read_text(encoding="utf-8")
        times = cue_times(vtt)
        assert vtt.startswith("WEBVTT") and times, video.transcript
        assert all(start < end for start, end in times)
        assert all(a[1] <= b[0] for a, b in zip(times, times[1:])), "cues overlap or are out of order"
        assert times[-1][1] <= mp4_seconds(data) + 0.05, "the transcript runs past the end of the video"
