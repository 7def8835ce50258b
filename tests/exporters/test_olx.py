"""The OLX exporter against the contract in shared/specs/openedx.md §1."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path, PurePosixPath

import pytest
from olx_samples import TRICKY, edx_cleaner, extract, make_course
from lxml import etree

from pamong_edx.course.model import Asset, Block, Location, TextBlock, VideoBlock
from pamong_edx.export import REPRODUCIBLE_MTIME, ExportError
from pamong_edx.exporters.olx import OlxExporter
from pamong_edx.course.richtext import AssetRef, RichText
from pamong_edx.exporters.olx_static import flat_name, static_names
from pamong_edx.plugins import registry

POINTER_TAGS = {"chapter", "sequential", "vertical", "html", "video", "problem"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("olx")
    result = OlxExporter(make_course(), out).build()
    root = extract(result.path, out / "x") / "course"
    return result, root


def xml(root: Path, name: str) -> etree._Element:
    return etree.parse(str(root / name)).getroot()


def package_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_registered_as_plugin():
    assert registry().get("exporter", "olx") is OlxExporter
    assert OlxExporter.component == "exporter_olx"


def test_archive_name_and_single_top_folder(built):
    result, _ = built
    assert result.path.name == "PamongX-TKD101-2026_T1.olx.tar.gz"
    with tarfile.open(result.path, "r:gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    assert {PurePosixPath(n).parts[0] for n in names} == {"course"}
    assert sum(1 for n in names if PurePosixPath(n).name == "course.xml") == 1
    for m in members:
        assert not m.name.startswith("/") and ".." not in PurePosixPath(m.name).parts
        assert m.isfile() or m.isdir()
        assert (m.mtime, m.uid, m.gid, m.uname, m.gname) == (REPRODUCIBLE_MTIME, 0, 0, "", "")
        assert m.mode == (0o755 if m.isdir() else 0o644)


def test_same_source_gives_identical_bytes(tmp_path):
    first = OlxExporter(make_course(), tmp_path / "a").build().path.read_bytes()
    second = OlxExporter(make_course(), tmp_path / "b").build().path.read_bytes()
    assert first == second
    # gzip header: no FNAME flag, mtime 0
    assert first[:2] == b"\x1f\x8b" and not first[3] & 0x08 and first[4:8] == b"\0\0\0\0"


def test_course_xml_is_a_pure_pointer(built):
    _, root = built
    pointer = xml(root, "course.xml")
    assert pointer.tag == "course"
    assert dict(pointer.attrib) == {"url_name": "2026_T1", "org": "PamongX", "course": "TKD101"}
    assert len(pointer) == 0 and not (pointer.text or "").strip()
    course = xml(root, "course/2026_T1.xml")
    assert course.get("display_name") == f"Tata Kelola Desa: {TRICKY}"
    assert course.get("start") == "2026-01-05T01:00:00Z" and course.get("end") == "2026-12-31T16:59:00Z"


def test_every_pointer_is_pure_and_resolves(built):
    _, root = built
    reached: set[str] = set()

    def walk(name: str) -> None:
        reached.add(name)
        elem = xml(root, name)
        assert elem.get("display_name"), f"{name} has no display_name"
        for child in elem:
            if child.tag == "discussion":
                assert len(child) == 0
                continue
            assert child.tag in POINTER_TAGS, f"{name}: unexpected <{child.tag}>"
            assert child.keys() == ["url_name"], f"{name}: pointer <{child.tag}> carries {dict(child.attrib)}"
            assert len(child) == 0 and not (child.text or "").strip()
            target = f"{child.tag}/{child.get('url_name')}.xml"
            assert (root / target).is_file(), f"{name} points at missing {target}"
            if child.tag in {"chapter", "sequential", "vertical"}:
                walk(target)
            else:
                reached.add(target)
                leaf = xml(root, target)
                assert leaf.tag == child.tag and "url_name" not in leaf.attrib and leaf.get("display_name")
                if leaf.tag == "html":
                    assert leaf.get("filename") == child.get("url_name") and len(leaf) == 0
                    reached.add(f"html/{leaf.get('filename')}.html")

    walk("course/2026_T1.xml")
    structural = {f for f in package_files(root) if f.split("/")[0] in POINTER_TAGS | {"course"}} - {"course.xml"}
    assert structural == reached, "files no pointer reaches"


def test_url_names_valid_and_unique(built):
    _, root = built
    names: list[str] = ["2026_T1"]
    for f in sorted(root.rglob("*.xml")):
        for elem in xml(root, f.relative_to(root).as_posix()).iter():
            if elem.get("url_name") and f.name != "course.xml":
                names.append(elem.get("url_name"))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", n) for n in names)
    assert len(names) == len(set(names)), "olxcleaner wants url_names unique across all tags"


def test_policies_follow_course_url_name(built):
    _, root = built
    policy = json.loads((root / "policies/2026_T1/policy.json").read_text("utf-8"))
    assert list(policy) == ["course/2026_T1"]
    settings = policy["course/2026_T1"]
    assert settings["language"] == "id" and settings["self_paced"] is True
    assert settings["cert_html_view_enabled"] is True
    cert = settings["certificates"]["certificates"][0]
    assert cert["name"] == "Sertifikat Kompetensi" and cert["is_active"] is True
    assert cert["signatories"][0]["name"] == "Dr. Siti Rahmawati"
    assert cert["course_title"] == f"Tata Kelola Desa: {TRICKY}"
    assert (root / "static" / settings["course_image"]).is_file()
    assert {t["type"] for t in settings["tabs"]} >= {"courseware", "course_info", "progress"}
    assert all("." not in topic["id"] for topic in settings["discussion_topics"].values())
    assert json.loads((root / "policies/assets.json").read_text()) == {}


def test_grading_policy_and_graded_sequentials(built):
    _, root = built
    grading = json.loads((root / "policies/2026_T1/grading_policy.json").read_text("utf-8"))
    assert grading["GRADE_CUTOFFS"] == {"Pass": 0.7}
    assert [(g["type"], g["short_label"], g["weight"], g["min_count"], g["drop_count"]) for g in grading["GRADER"]] == [
        ("Kuis", "KU", 0.3, 1, 0), ("Posttest", "PT", 0.7, 1, 0)]
    assert abs(sum(g["weight"] for g in grading["GRADER"]) - 1) < 1e-9
    types = {g["type"] for g in grading["GRADER"]}
    graded = {}
    for f in (root / "sequential").glob("*.xml"):
        seq = etree.parse(str(f)).getroot()
        if seq.get("graded") == "true":
            assert seq.get("format") in types
            graded[f.stem] = seq.get("format")
        else:
            assert seq.get("format") is None
    assert graded == {"s-kuis": "Kuis", "s-posttest": "Posttest"}
    assert xml(root, "sequential/s-kuis.xml").get("due") == "2026-03-31T16:59:00Z"


def test_single_choice(built):
    _, root = built
    problem = xml(root, "problem/q-bpd.xml")
    assert dict(problem.attrib) == {"display_name": "Fungsi BPD", "max_attempts": "2", "weight": "2",
                                    "showanswer": "always"}  # a quiz shows its answers
    response = problem.find("multiplechoiceresponse")
    label = response.find("label")
    assert etree.tostring(label, encoding="unicode", with_tail=False) == (
        "<label>Lembaga mana yang membahas <strong>Perdes</strong> &amp; APBDes?</label>")
    group = response.find("choicegroup")
    assert group.get("type") == "MultipleChoice" and group.get("shuffle") == "true"
    assert [c.get("correct") for c in group] == ["false", "true", "false"]
    assert group[2].text == "Lembaga <Kemasyarakatan> Desa"
    assert group[2].find("choicehint").text == "LKD membantu kepala desa."
    detail = response.find("solution/div[@class='detailed-solution']")
    assert [p.text for p in detail] == ["Pembahasan", "Pasal 55 huruf a UU 6/2014."]
    assert problem[-1].tag == "demandhint"
    assert [etree.tostring(h, encoding="unicode", with_tail=False) for h in problem[-1]] == [
        "<hint>Bukan camat.</hint>", "<hint>Singkatannya <code>BPD</code>.</hint>"]
    assert problem.get("markdown") is None


def test_checkboxes_with_context_before_the_question(built):
    _, root = built
    problem = xml(root, "problem/q-perangkat.xml")
    assert "max_attempts" not in problem.attrib  # 0 = unlimited
    assert [p.text for p in problem.findall("p")] == ["Bacalah ketentuan berikut.", None]
    assert problem.find("p/img").get("src") == "/static/img_struktur-pemdes.svg"
    response = problem.find("choiceresponse")
    assert [c.tag for c in response] == ["label", "description", "checkboxgroup", "solution"]
    assert response.find("label").text == "Manakah yang termasuk perangkat desa?"
    assert response.find("description/ul/li").text == "pilih semua yang benar"
    choices = response.findall("checkboxgroup/choice")
    assert [c.get("correct") for c in choices] == ["true", "true", "false"]
    assert choices[0].find("choicehint").get("selected") == "true"


def test_dropdown(built):
    _, root = built
    problem = xml(root, "problem/q-dropdown.xml")
    assert problem.get("display_name") == "Kuis Bab 1"  # untitled: the unit's title
    options = problem.findall("optionresponse/optioninput/option")
    assert [(o.text, o.get("correct")) for o in options] == [
        ("5 tahun", "False"), ("6 tahun", "True"), ("8 tahun & lebih", "False")]
    assert options[1].find("optionhint").text == "Pasal 39."
    assert problem.find("optionresponse/label").text == "Masa jabatan kepala desa adalah …"


def test_numerical_is_a_pattern_that_reads_indonesian_numbers(built):
    """Open edX's numerical input reads 30% as 0.3 and refuses 40,25: the answer is a stringresponse pattern
    (the number as shown first, then every spelling within the tolerance); tests/exporters/test_olx_numbers.py
    grades it with capa's own matching."""
    _, root = built
    problem = xml(root, "problem/q-persen.xml")
    assert problem.get("showanswer") == "finished"  # a posttest: once the problem is done with
    response = problem.find("stringresponse")
    assert response.get("type") == "ci regexp"
    assert [c.tag for c in response] == ["label", "textline", "solution"]  # one answer: capa anchors only one
    pattern = re.compile("^" + response.get("answer") + "$", re.I)
    assert all(pattern.search(t) for t in ("40", "40%", "40 %", "39,6", "40,4 %", "40.4"))
    assert not any(pattern.search(t) for t in ("0,4", "41", "40,41", "4.000"))
    assert response.find("textline").get("trailing_text") == "%"
    absolute = re.compile("^" + xml(root, "problem/q-absolut.xml").find("stringresponse").get("answer") + "$")
    assert absolute.search("2,5") and absolute.search("2.5") and not absolute.search("25")


def test_text_answer(built):
    _, root = built
    response = xml(root, "problem/q-singkatan.xml").find("stringresponse")
    assert (response.get("answer"), response.get("type")) == ("APBDes", "ci")
    assert [a.get("answer") for a in response.findall("additional_answer")] == ["APB Desa", "A&B <Desa>"]
    assert [c.tag for c in response] == ["label", "additional_answer", "additional_answer", "textline", "solution"]
    exact = xml(root, "problem/q-kode.xml").find("stringresponse")
    assert exact.get("answer") == "KdS-01" and exact.get("type") is None


def test_special_characters_come_out_literally(built):
    _, root = built
    raw = (root / "html/t-pengertian.xml").read_bytes()
    assert "😀".encode() in raw and "—".encode() in raw and b"&#" not in raw
    assert b"&amp;" in raw and b"&lt;Desa&gt;" in raw and b"&quot;kutip&quot;" in raw and b"]]&gt;" in raw
    assert xml(root, "html/t-pengertian.xml").get("display_name") == TRICKY
    body = (root / "html/t-pengertian.html").read_text("utf-8")
    assert "Desa &amp; kelurahan &lt;berbeda&gt; — “kutip” 'satu' ]]&gt; ✓" in body
    short = (root / "about/short_description.html").read_text("utf-8")
    assert short == "Belajar tata kelola desa &amp; &lt;hukum&gt; desa."


def test_assets_are_flat_and_links_rewritten(built):
    _, root = built
    static = sorted(p.relative_to(root / "static").as_posix() for p in (root / "static").rglob("*") if p.is_file())
    assert all("/" not in name and re.fullmatch(r"[A-Za-z0-9._-]+", name) for name in static)
    # img/peta desa.png and img_peta_desa.png both survive flattening; musdes-en.srt is made from musdes-en.vtt
    assert len(static) == 7 and "musdes-en.srt" in static
    body = (root / "html/t-pengertian.html").read_text("utf-8")
    links = re.findall(r'(?:src|href)="(/static/[^"]+)"', body)
    assert len(links) == 3 and len(set(links)) == 3
    for link in links:
        assert (root / link.lstrip("/")).is_file()
    assert 'href="https://example.id/assets/x.png"' in body
    original = (Path(__file__).parent.parent / "fixtures/exporters/model-course/assets/img/peta desa.png").read_bytes()
    assert (root / "static" / links[0].split("/")[-1]).read_bytes() == original
    assert '/static/cover.png' in (root / "about/overview.html").read_text("utf-8")


def test_video(built):
    _, root = built
    video = xml(root, "video/v-musdes.xml")
    assert video.get("youtube") == "1.00:aBcDeFgHiJk" and video.get("youtube_id_1_0") == "aBcDeFgHiJk"
    assert json.loads(video.get("html5_sources")) == ["https://cdn.example.id/musdes.mp4?a=1&b=2"]
    assert video.find("source").get("src") == "https://cdn.example.id/musdes.mp4?a=1&b=2"
    assert json.loads(video.get("transcripts")) == {"id": "musdes.srt"}
    assert video.find("transcript").get("src") == "musdes.srt" and (root / "static/musdes.srt").is_file()
    mp4_only = xml(root, "video/v-mp4.xml")
    assert mp4_only.get("youtube_id_1_0") == "" and mp4_only.get("display_name") == "Pengertian Desa"
    assert json.loads(mp4_only.get("transcripts")) == {"id": "musdes-en.srt"}  # the SRT copy of the WebVTT file
    assert mp4_only.find("track").get("src") == "/static/musdes-en.vtt"


def test_video_file_of_the_course_plays_from_static(tmp_path):
    video_file = tmp_path / "rapat desa.mp4"
    video_file.write_bytes(b"\0\0\0\x18ftypmp42 rapat desa")
    course = make_course()
    course.assets["video/rapat desa.mp4"] = Asset("video/rapat desa.mp4", video_file)
    unit = course.chapters[0].sequentials[0].units[0]
    unit.blocks.append(VideoBlock("v-lokal", "video", "Rapat Desa", Location(tmp_path / "course.yaml", 90, 1),
                                  mp4_asset="video/rapat desa.mp4", transcript="musdes.srt"))
    root = extract(OlxExporter(course, tmp_path / "out").build().path, tmp_path / "x") / "course"
    video = xml(root, "video/v-lokal.xml")
    # Studio flattens static/; the LMS rewrites quoted /static/ URLs to the course's asset URLs when it renders
    assert json.loads(video.get("html5_sources")) == ["/static/video_rapat_desa.mp4"]
    assert [s.get("src") for s in video.findall("source")] == ["/static/video_rapat_desa.mp4"]
    assert video.get("youtube_id_1_0") == "" and video.get("youtube") is None
    assert (root / "static/video_rapat_desa.mp4").read_bytes() == video_file.read_bytes()
    assert json.loads(video.get("transcripts")) == {"id": "musdes.srt"}
    assert 'url_name="v-lokal"' in (root / "vertical/u-pengertian.xml").read_text("utf-8")


def test_discussions_inline_with_unique_ids(built):
    _, root = built
    vertical = xml(root, "vertical/u-pengertian.xml")
    discussions = vertical.findall("discussion")
    assert [d.get("url_name") for d in discussions] == ["d-bab1", "d-bab1-prompt"]
    first, second = discussions
    assert first.get("xblock-family") == "xblock.v1"
    assert first.get("discussion_category") == "Kedudukan & Kewenangan Desa"  # default: the chapter title
    assert first.get("discussion_target") == "Pengertian Desa"  # default: the unit title
    assert second.get("discussion_category") == TRICKY
    ids = [d.get("discussion_id") for d in discussions]
    assert len(set(ids)) == 2 and all("." not in i and "PamongX_TKD101_2026_T1" in i for i in ids)
    # the prompt is an html component just before its discussion, under a name no other element uses
    children = [(c.tag, c.get("url_name")) for c in vertical]
    prompt = children[children.index(("discussion", "d-bab1")) - 1]
    assert prompt[0] == "html" and prompt[1] not in {"d-bab1", "d-bab1-prompt"}
    assert "Ceritakan <em>satu</em>" in (root / f"html/{prompt[1]}.html").read_text("utf-8")


def test_olxcleaner_finds_no_errors(built):
    _, root = built
    run = edx_cleaner(root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No errors found!" in run.stdout, run.stdout


def test_result_reports_counts_and_largest_files(built):
    result, _ = built
    assert result.counts == {"blocks": 12, "problems": 7, "assets": 6, "pools": 0, "pooled": 0, "drawn": 0}
    assert result.size == result.path.stat().st_size
    sizes = [n for _, n in result.largest_files]
    assert sizes == sorted(sizes, reverse=True) and result.largest_files[0][0].startswith("course/")


class MapBlock(Block):
    pass


class MapPlugin:
    @staticmethod
    def to_html(block):
        # rich text keeps the image a reference, which the exporter resolves to its static/ name
        return RichText((f'<div class="peta">Peta {block.title} &amp; <img src="', AssetRef("cover.png"),
                         '" alt="x"></div>'))


def test_foreign_block_uses_html_fallback(tmp_path, monkeypatch):
    import pamong_edx.plugins

    installed = pamong_edx.plugins.block_types()
    monkeypatch.setattr(pamong_edx.plugins, "block_types", lambda: {**installed, "peta": MapPlugin})
    course = make_course()
    unit = course.chapters[0].sequentials[0].units[0]
    unit.blocks.append(MapBlock("peta-desa", "peta", "Wilayah", Location(course.root / "course.yaml", 99, 1)))
    root = extract(OlxExporter(course, tmp_path).build().path, tmp_path / "x") / "course"
    assert xml(root, "vertical/u-pengertian.xml")[-1].attrib == {"url_name": "peta-desa"}
    assert xml(root, "html/peta-desa.xml").get("display_name") == "Wilayah"
    assert (root / "html/peta-desa.html").read_text() == (
        '<div class="peta">Peta Wilayah &amp; <img src="/static/cover.png" alt="x"></div>')


def test_foreign_block_without_html_is_refused_before_writing(tmp_path, monkeypatch):
    import pamong_edx.plugins

    installed = pamong_edx.plugins.block_types()
    monkeypatch.setattr(pamong_edx.plugins, "block_types", lambda: dict(installed))
    course = make_course()
    course.chapters[0].sequentials[0].units[0].blocks.append(
        MapBlock("peta-desa", "peta", "Wilayah", Location(course.root / "course.yaml", 99, 3)))
    with pytest.raises(ExportError, match=r"course\.yaml:99:3: E114 block type 'peta' of no installed plugin has no "
                                          r"olx renderer"):
        OlxExporter(course, tmp_path).build()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, flat", [
    ("cover.png", "cover.png"),
    ("img/Peta Désa.png", "img_Peta_Desa.png"),
    ("._hidden.png", "__hidden.png"),
    ("backup.png~", "backup.png"),
    ("a b/c&d.svg", "a_b_c_d.svg"),
])
def test_flat_names(name, flat):
    assert flat_name(name) == flat


def test_clashing_flat_names_stay_distinct():
    names = static_names(["img/a.png", "img_a.png", "img a.png"])
    assert len(set(names.values())) == 3
    assert names == static_names(list(reversed(list(names))))  # independent of input order


def test_asset_references_resolve_to_flat_static_names_and_plain_links_stay(tmp_path):
    course = make_course()
    block = course.chapters[0].sequentials[0].units[0].blocks[0]
    block.html = RichText(('<p><img src="', AssetRef("img/peta desa.png"), '" alt=""> '
                           '<a href="assets/not-an-asset.pdf">x</a> text mentioning assets/ only</p>\n'))
    root = extract(OlxExporter(course, tmp_path).build().path, tmp_path / "x") / "course"
    assert (root / "html/t-pengertian.html").read_text(encoding="utf-8") == (
        '<p><img src="/static/img_peta_desa.png" alt=""> '
        '<a href="assets/not-an-asset.pdf">x</a> text mentioning assets/ only</p>\n')


def test_text_block_html_with_control_characters_is_still_valid(tmp_path):
    course = make_course()
    block = course.chapters[0].sequentials[0].units[0].blocks[0]
    assert isinstance(block, TextBlock)
    block.title = "Judul\x0bdengan\x01kontrol"
    root = extract(OlxExporter(course, tmp_path).build().path, tmp_path / "x") / "course"
    assert xml(root, "html/t-pengertian.xml").get("display_name") == "Juduldengankontrol"


def test_missing_dates_and_image_are_warned_about(tmp_path):
    course = make_course()
    course.start = course.end = None
    course.image = ""
    result = OlxExporter(course, tmp_path).build()
    assert len(result.warnings) == 3
    assert all("model-course/course.yaml:1:1: " in w for w in result.warnings)
    assert any("no start date" in w for w in result.warnings)
    assert any("no end date" in w and "add `end:`" in w for w in result.warnings)
    assert any("no image" in w for w in result.warnings)
    assert OlxExporter(make_course(), tmp_path / "ok").build().warnings == []


def test_question_ending_with_a_picture_keeps_its_sentence_as_label(tmp_path):
    course = make_course()
    problem = course.chapters[1].sequentials[0].units[0].blocks[0]
    problem.question_html = RichText(('<p>Perhatikan peta berikut. Desa mana yang paling luas?</p>\n'
                                      '<p><img src="', AssetRef("cover.png"), '" alt="Peta"></p>\n'))
    root = extract(OlxExporter(course, tmp_path).build().path, tmp_path / "x") / "course"
    response = xml(root, "problem/q-bpd.xml").find("multiplechoiceresponse")
    assert response.find("label").text == "Perhatikan peta berikut. Desa mana yang paling luas?"
    assert response.find("description/p/img").get("src") == "/static/cover.png"
