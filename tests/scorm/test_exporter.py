"""The SCORM exporters: package layout, reproducibility, SCO division, pass marks, limits and the page hooks."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import zipfile

import pytest
from lxml import etree
from lxml import html as lxml_html

from pamong_edx.export import ExportError
from pamong_edx.exporters.scorm import Scorm12Exporter, Scorm2004Exporter
from pamong_edx.exporters.scorm_runtime import largest_state
from pamong_edx.plugins import exporters
from scorm_support import REPO, VERSIONS, VIDEO_DIR, build_package, make_fixture_course, with_local_video


def zip_names(built) -> list[str]:
    with zipfile.ZipFile(built.zip_path) as zf:
        return zf.namelist()


def page(built, name: str):
    return lxml_html.fromstring((built.root / name).read_bytes())


def test_exporters_are_registered_plugins():
    found = exporters()
    assert found["scorm12"] is Scorm12Exporter and found["scorm2004"] is Scorm2004Exporter
    assert Scorm12Exporter.component == "exporter_scorm12" and Scorm2004Exporter.component == "exporter_scorm2004"


@pytest.mark.parametrize("version,suffix", [("1.2", ".scorm12.zip"), ("2004", ".scorm2004.zip")])
def test_package_layout(version, suffix, fixture_packages):
    built = fixture_packages[version]
    assert built.zip_path.name == f"PamongTest-SC101-2026_T1{suffix}"
    names = zip_names(built)
    assert names[0] == "imsmanifest.xml"
    assert sorted(names) == sorted([
        "imsmanifest.xml", "player/pamong.css", "player/pamong.js", "pamong-interactions.json",
        # the scripts of the types the course uses, from each type's plugin
        "player/types/pamong_edx.blocktypes/choices.js",
        *(f"player/types/pamong_edx.blocktypes.{name}/player.js" for name in (
            "video", "single_choice", "multiple_choice", "dropdown", "numerical", "text_answer")),
        "lesson-1.html", "pretest.html", "final-quiz.html",
        "assets/siklus.svg", "assets/musdes.vtt",  # used by the lesson; assets/unused.txt is not
    ])
    assert built.result.size == built.zip_path.stat().st_size
    assert built.result.counts == {"scos": 3, "pages": 6, "blocks": 12, "problems": 8, "assets": 2, "pools": 0,
                                   "pooled": 0, "drawn": 0}
    sizes = [n for _, n in built.result.largest_files]
    assert sizes == sorted(sizes, reverse=True) and built.result.largest_files[0][0] == "player/pamong.js"


def test_same_source_gives_byte_identical_packages(tmp_path):
    for version in VERSIONS:
        first = build_package(make_fixture_course(), version, tmp_path / "a")
        second = build_package(make_fixture_course(), version, tmp_path / "b")
        assert first.zip_path.read_bytes() == second.zip_path.read_bytes()


def test_one_sco_per_chapter_or_for_the_course(tmp_path):
    per_chapter = build_package(make_fixture_course(), "1.2", tmp_path / "ch", sco_per="chapter")
    assert [s.href for s in per_chapter.exporter.plan.scos] == ["ch-plan.html", "ch-final.html"]
    plan_page = page(per_chapter, "ch-plan.html")
    crumbs = [c.text_content() for c in plan_page.xpath('//p[@class="crumb"]')]
    assert crumbs == ["Village planning"] * 3 + ["Before you start"]  # which sequential each page belongs to
    whole = build_package(make_fixture_course(), "2004", tmp_path / "course", sco_per="course")
    assert [s.href for s in whole.exporter.plan.scos] == ["index.html"]
    assert len(page(whole, "index.html").xpath('//section[@data-unit-id]')) == 6
    with pytest.raises(Exception, match="--sco-per must be one of"):
        build_package(make_fixture_course(), "1.2", tmp_path / "bad", sco_per="unit")


@pytest.mark.parametrize("cutoff,mastery,measure", [(0.7, "70", "0.7"), (0.725, "73", "0.725"), (1.0, "100", "1.0")])
def test_pass_mark_comes_from_the_grading_cutoff(cutoff, mastery, measure, tmp_path):
    p12 = build_package(make_fixture_course(cutoff=cutoff), "1.2", tmp_path / "12")
    p04 = build_package(make_fixture_course(cutoff=cutoff), "2004", tmp_path / "04")
    m12 = (p12.root / "imsmanifest.xml").read_text("utf-8")
    m04 = (p04.root / "imsmanifest.xml").read_text("utf-8")
    assert re.findall(r"<adlcp:masteryscore>(.*?)</adlcp:masteryscore>", m12) == [mastery]
    assert re.findall(r"<imsss:minNormalizedMeasure>(.*?)</imsss:minNormalizedMeasure>", m04) == [measure]


def test_scorm_1_2_refuses_a_sco_whose_saved_state_could_pass_4096_characters(tmp_path):
    course = make_fixture_course(extra_quiz_units=40)  # 40 more typed answers in the graded quiz
    with pytest.raises(ExportError) as err:
        build_package(course, "1.2", tmp_path / "12")
    message = str(err.value)
    assert "S101" in message and "'final-quiz'" in message and "4,096" in message and "course.yaml:" in message
    assert not (tmp_path / "12").exists() or not list((tmp_path / "12").glob("*.zip"))
    built = build_package(course, "2004", tmp_path / "04")  # 64,000 characters are plenty
    quiz = next(s for s in built.exporter.plan.scos if s.key == "final-quiz")
    assert 4096 < len(largest_state(quiz, built.exporter.ctx)) < 64000


def test_the_fixture_quiz_state_fits_scorm_1_2(fixture_packages):
    built = fixture_packages["1.2"]
    for sco in built.exporter.plan.scos:
        assert len(largest_state(sco, built.exporter.ctx)) <= 4096


def test_bad_interaction_ids_are_refused_with_their_location(tmp_path):
    course = make_fixture_course()
    course.chapters[1].sequentials[0].units[0].blocks[0].id = "q single"
    with pytest.raises(ExportError, match=r"course\.yaml:\d+:1: S103 problem id 'q single'"):
        build_package(course, "1.2", tmp_path)


def test_language_pack_follows_the_course_language(tmp_path):
    built = build_package(make_fixture_course(language="id-ID"), "1.2", tmp_path / "id")
    doc = page(built, "final-quiz.html")
    assert doc.get("lang") == "id"
    assert doc.xpath('//*[@data-action="next"]')[0].text_content().strip() == "Berikutnya ›"
    assert doc.xpath('//*[@data-action="submit"]')[0].text_content() == "Kirim jawaban"
    with pytest.raises(ExportError, match=r"course\.yaml:1:1: S105 no player language pack for 'fr' \(installed: en, id\)"):
        build_package(make_fixture_course(language="fr"), "2004", tmp_path / "fr")


def test_pages_carry_the_automation_and_accessibility_hooks(fixture_packages):
    doc = page(fixture_packages["2004"], "final-quiz.html")
    questions = doc.xpath('//*[@data-question-id]')
    assert [q.get("data-question-id") for q in questions] == ["q-single", "q-multi", "q-drop", "q-num", "q-num-pct", "q-text"]
    single = questions[0]
    assert [c.get("data-choice-id") for c in single.xpath('.//input[@data-choice-id]')] == ["a", "b", "c"]
    assert [c.get("data-choice-id") for c in questions[2].xpath('.//option[@data-choice-id]')] == ["a", "b"]
    for q in questions:
        assert q.xpath('.//*[@data-action="submit"]')
        for control in q.xpath('.//input | .//select'):
            labels = q.xpath(f'.//label[@for="{control.get("id")}"]')
            assert labels and labels[0].text_content().strip(), f"unlabelled control in {q.get('data-question-id')}"
    assert doc.xpath('//*[@data-action="next"]') and doc.xpath('//*[@data-action="prev"]')


def test_nothing_in_a_package_points_outside_it_except_the_course_video_links(fixture_packages):
    built = fixture_packages["1.2"]
    for name in ("player/pamong.css", "player/pamong.js"):
        text = (built.root / name).read_text("utf-8")
        assert not re.search(r"https?:|//[a-z]|@import|@font-face|url\(", text), name
    allowed = {"https://video.example.org/musdes.mp4", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}
    for sco in built.exporter.plan.scos:
        doc = page(built, sco.href)
        for el in doc.iter():
            for attr in ("src", "href", "data-src", "data-track", "poster", "action"):
                value = el.get(attr)
                if value is None or value.startswith("#") or value == "data:,":  # "#p1"; the no-favicon icon
                    continue
                if re.match(r"[a-z][a-z0-9+.-]*:|//", value):
                    assert value in allowed and attr in ("href", "data-src"), (sco.href, attr, value)
                else:
                    assert (built.root / value).is_file(), (sco.href, value)
        assert not doc.xpath('//iframe | //embed | //object')


@pytest.mark.parametrize("version", VERSIONS)
def test_a_video_file_of_the_course_is_packaged_and_plays_in_place(version, tmp_path, xsd):
    built = build_package(with_local_video(make_fixture_course()), version, tmp_path)
    with zipfile.ZipFile(built.zip_path) as zf:
        info = zf.getinfo("assets/video/rapat desa.mp4")
        assert info.compress_type == zipfile.ZIP_STORED  # already compressed
        assert zf.read(info) == (VIDEO_DIR / "rapat desa.mp4").read_bytes()
        names = zf.namelist()
    assert "assets/video/rapat desa.vtt" in names and "assets/musdes.vtt" not in names  # the linked video's

    [figure] = page(built, "lesson-1.html").xpath("//figure[@data-video]")
    assert figure.get("data-video") == "local"
    [video] = figure.xpath(".//video")
    assert "controls" in video.attrib and video.get("preload") == "none"
    assert video.get("aria-labelledby") == figure.xpath("figcaption")[0].get("id")
    [source] = video.xpath(".//source")  # libxml2 nests void elements it does not know; browsers do not
    assert (source.get("src"), source.get("type")) == ("assets/video/rapat%20desa.mp4", "video/mp4")
    [track] = video.xpath(".//track")
    assert (track.get("kind"), track.get("srclang"), track.get("label")) == ("captions", "en", "Transcript")
    # inline, since browsers refuse caption files to a page opened from disk; the file is packaged for the link
    prefix = "data:text/vtt;charset=utf-8;base64,"
    assert track.get("src").startswith(prefix)
    assert base64.b64decode(track.get("src")[len(prefix):]) == (VIDEO_DIR / "rapat desa.vtt").read_bytes()
    assert not figure.xpath('.//*[@data-action="play-video"] | .//*[@data-role="video-note"]')  # nothing to fetch
    assert [a.get("href") for a in figure.xpath('.//p[@class="video-links"]/a')] == ["assets/video/rapat%20desa.vtt"]

    manifest = (built.root / "imsmanifest.xml").read_bytes()
    listed = etree.fromstring(manifest).xpath(
        "//*[local-name()='resource'][@identifier='RES-lesson-1']/*[local-name()='file']/@href")
    assert {"assets/video/rapat desa.mp4", "assets/video/rapat desa.vtt"} <= set(listed)
    assert xsd(manifest, version) == []


def test_pamong_build_writes_both_scorm_packages_and_enforces_the_size_budget(tmp_path):
    course_dir = REPO / "course_src" / "pengelolaan-keuangan-desa"
    if not (course_dir / "course.yaml").is_file():
        pytest.skip("the bundled course pengelolaan-keuangan-desa is not in course_src/")
    out = tmp_path / "dist"
    run = subprocess.run(
        [sys.executable, "-m", "pamong_edx", "build", str(course_dir), "--format", "scorm12", "--format", "scorm2004",
         "--sco-per", "sequential", "-o", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    built = sorted(p.name for p in out.glob("*.zip"))
    assert built == ["PamongDesa-PKD101-2027_T1.scorm12.zip", "PamongDesa-PKD101-2027_T1.scorm2004.zip"]
    assert "scorm12" in run.stdout and "kB" in run.stdout
    small = subprocess.run(
        [sys.executable, "-m", "pamong_edx", "build", str(course_dir), "--format", "scorm12", "--max-size", "20kB",
         "-o", str(tmp_path / "small")],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert small.returncode != 0
    assert "player/pamong.js" in small.stderr and not list((tmp_path / "small").glob("*.zip"))
