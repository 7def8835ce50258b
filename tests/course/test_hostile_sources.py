"""Course sources from outside authors: every hostile input below once hung, exhausted or leaked; now each is a
located refusal (docs/security.md, "Course sources")."""

from __future__ import annotations

import os
import tarfile
import time
from pathlib import Path

import pytest

from pamong_edx.course.loader import load_course
from pamong_edx.course.media import MediaProblem, check_svg

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}</svg>\n'


def add_text_block(root: Path, markdown_line: str) -> None:
    path = root / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"              - {markdown_line}\n", encoding="utf-8")


def codes(diagnostics) -> list[tuple[str, str, int]]:
    return [(d.code, Path(d.location.file).name, d.location.line) for d in diagnostics]


# ---------------------------------------------------------------------------------------------------- limits


def test_pathological_markdown_is_stopped_by_the_time_limit(course_copy, monkeypatch):
    root = course_copy("minimal")
    (root / "content").mkdir()
    (root / "content" / "kurung.md").write_text("[" * 300_000, encoding="utf-8")  # seconds of markdown-it work
    add_text_block(root, "{type: text, file: content/kurung.md}")
    monkeypatch.setenv("PAMONG_MAX_SOURCE_SECONDS", "0.3")
    started = time.monotonic()
    course, diagnostics = load_course(root)
    assert time.monotonic() - started < 3
    assert course is None
    [error] = diagnostics
    assert (error.code, error.location.line) == ("E117", 1) and error.location.file.name == "kurung.md"
    assert "took over 0.3 s" in error.message and "PAMONG_MAX_SOURCE_SECONDS" in error.message


def test_a_markdown_file_over_the_size_limit_is_refused_without_reading_it_whole(course_copy, monkeypatch):
    root = course_copy("minimal")
    (root / "content").mkdir()
    (root / "content" / "panjang.md").write_text("Desa adalah kesatuan masyarakat hukum. " * 80_000)  # 3.1 MB
    add_text_block(root, "{type: text, file: content/panjang.md}")
    course, diagnostics = load_course(root)
    assert course is None
    [error] = diagnostics
    assert (error.code, error.location.file.name, error.location.line) == ("E117", "panjang.md", 1)
    assert "is 3.1 MB, over the 2.0 MB" in error.message and "PAMONG_MAX_MARKDOWN_SIZE=<size>" in error.message

    monkeypatch.setenv("PAMONG_MAX_MARKDOWN_SIZE", "4MB")  # the documented way to raise it
    assert load_course(root)[1] == []


def test_a_long_markdown_value_inside_yaml_is_limited_too(course_copy, monkeypatch):
    root = course_copy("minimal")
    add_text_block(root, "{type: text, markdown: '" + "kata " * 30_000 + "'}")
    monkeypatch.setenv("PAMONG_MAX_MARKDOWN_SIZE", "100kB")
    [error] = load_course(root)[1]
    assert (error.code, error.location.line) == ("E117", 15)


def test_a_yaml_file_over_the_size_limit_is_refused(course_copy, monkeypatch):
    root = course_copy("minimal")
    add_text_block(root, "{type: text, markdown: '" + "kata " * 5_000 + "'}")
    monkeypatch.setenv("PAMONG_MAX_YAML_SIZE", "20kB")
    [error] = load_course(root)[1]
    assert (error.code, error.location.file.name, error.location.line) == ("E117", "course.yaml", 1)
    assert "PAMONG_MAX_YAML_SIZE" in error.message


# ---------------------------------------------------------------------------------------------------- assets


@pytest.mark.parametrize(("body", "line", "words"), [
    ('<rect width="5" height="5" onload="alert(1)"/>', 1, "event handler attribute 'onload'"),
    ("\n<script>alert(document.cookie)</script>", 2, "<script> element"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>', 1, "<foreignObject>"),
    ('<image href="https://tracker.example/p.png" width="1" height="1"/>', 1, "outside the file"),
    ('<use xlink:href="other.svg#x" xmlns:xlink="http://www.w3.org/1999/xlink"/>', 1, "outside the file"),
    ('<rect fill="url(https://x.example/g.svg#a)" width="1" height="1"/>', 1, "url(https://x.example/g.svg#a)"),
    ("<style>@import url(https://x.example/a.css);</style>", 1, "@import"),
    ('<a href="javascript:alert(1)"><text>x</text></a>', 1, "links to 'javascript:alert(1)'"),
    ('<set attributeName="href" to="javascript:alert(1)"/>', 1, "<set> element"),
])
def test_svg_with_script_or_outside_references_is_refused_at_its_line(tmp_path, body, line, words):
    path = tmp_path / "x.svg"
    path.write_text(SVG.format(body))
    with pytest.raises(MediaProblem) as refused:
        check_svg(path)
    assert refused.value.line == line
    assert words in refused.value.message


def test_svg_entities_and_style_sheet_instructions_are_refused(tmp_path):
    bomb = tmp_path / "bomb.svg"
    bomb.write_text('<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n' + SVG.format("&b;"))
    with pytest.raises(MediaProblem, match="entities"):
        check_svg(bomb)
    styled = tmp_path / "styled.svg"
    styled.write_text('<?xml-stylesheet href="https://x.example/a.css"?>\n' + SVG.format(""))
    with pytest.raises(MediaProblem, match="processing instruction"):
        check_svg(styled)


def test_an_svg_too_large_to_check_is_refused(tmp_path, monkeypatch):
    from pamong_edx.course import media

    path = tmp_path / "besar.svg"
    path.write_text(SVG.format("<rect/>" * 2000))
    monkeypatch.setattr(media, "SVG_MAX", 1000)
    with pytest.raises(MediaProblem, match="larger than the 1.0 kB an SVG image may be"):
        check_svg(path)


def test_drawing_svg_with_fragments_styles_and_editor_metadata_is_fine(tmp_path):
    path = tmp_path / "ok.svg"
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:version="1.3">\n'
        '<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>\n'
        '<style>.a { fill: url(#g); }</style>\n'
        '<rect class="a" width="4" height="4" style="stroke: url(#g)"/><use xlink:href="#g"/>\n'
        '<image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/>\n'
        '<a href="https://jdih.kemendesa.go.id/"><text>UU 6/2014</text></a></svg>\n')
    check_svg(path)


def test_unsafe_and_non_media_assets_are_refused_and_never_packaged(course_copy, tmp_path):
    root = course_copy("minimal")
    assets = root / "assets"
    assets.mkdir()
    (assets / "peta.svg").write_text(SVG.format('<circle r="3" onclick="steal()"/>'))
    (assets / "halaman.html").write_text("<script>alert(1)</script>")
    (assets / "skrip.js").write_text("alert(1)")
    (assets / "foto.png").write_text("<html><script>alert(1)</script></html>")  # not what its name says
    course, diagnostics = load_course(root)
    assert course is None
    assert sorted(codes(diagnostics)) == [("E118", "foto.png", 1), ("E118", "halaman.html", 1),
                                          ("E118", "peta.svg", 1), ("E118", "skrip.js", 1)]
    messages = " ".join(d.message for d in diagnostics)
    assert "html_assets: true" in messages and "'.js' files are not among the media types" in messages


def test_html_assets_are_packaged_when_the_course_declares_them(course_copy, tmp_path, pamong):
    root = course_copy("minimal")
    (root / "assets").mkdir()
    (root / "assets" / "simulasi.html").write_text("<p>Simulasi musyawarah</p>")
    text = (root / "course.yaml").read_text()
    (root / "course.yaml").write_text(text.replace("language: id\n", "language: id\nhtml_assets: true\n")
                                      .replace("markdown: Desa adalah kesatuan masyarakat hukum.",
                                               'markdown: "[Simulasi](assets/simulasi.html)"'))
    status, _, err = pamong("build", str(root), "-f", "olx", "-o", str(tmp_path / "dist"))
    assert status == 0, err
    [package] = (tmp_path / "dist").iterdir()
    with tarfile.open(package) as tar:
        assert "course/static/simulasi.html" in tar.getnames()


def test_a_fifo_in_assets_is_refused_instead_of_blocking_the_build(course_copy, tmp_path, run_pamong):
    root = course_copy("minimal")
    (root / "assets").mkdir()
    os.mkfifo(root / "assets" / "antrian.mp4")
    built = run_pamong("build", str(root), "-f", "olx", "-o", str(tmp_path / "dist"))  # its timeout fails a hang
    assert built.returncode == 1
    assert "assets/antrian.mp4:1:1: E118 assets/antrian.mp4 is not a regular file" in built.stderr


# ---------------------------------------------------------------------------------------------------- reading


def test_a_byte_order_mark_does_not_reach_the_markdown(course_copy):
    root = course_copy("minimal")
    (root / "content").mkdir()
    (root / "content" / "bom.md").write_bytes("\ufeff# Pengantar\n\nIsi.\n".encode("utf-8"))
    add_text_block(root, "{type: text, file: content/bom.md}")
    course, diagnostics = load_course(root)
    assert diagnostics == []
    assert str(list(course.blocks())[1].html) == "<h1>Pengantar</h1>\n<p>Isi.</p>\n"


def test_a_course_yaml_nested_without_end_is_one_located_error(course_copy):
    root = course_copy("minimal")
    path = root / "course.yaml"
    # an anchor: the document is composed in Python, counting what aliases add; that composer recursed per level
    path.write_text(path.read_text(encoding="utf-8") + "x-catatan: &c\n" + "- " * 100_000 + "x\n", encoding="utf-8")
    course, diagnostics = load_course(root)
    [error] = diagnostics
    assert course is None and codes(diagnostics) == [("E001", "course.yaml", error.location.line)]
    assert "lists or mappings nested deeper than 100 levels" in error.message


def test_flow_brackets_nested_past_libyamls_bound_say_so_in_words(course_copy):
    root = course_copy("minimal")
    path = root / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "x-catatan: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    course, diagnostics = load_course(root)
    [error] = diagnostics
    assert course is None and codes(diagnostics) == [("E001", "course.yaml", error.location.line)]
    assert "nested deeper than the YAML reader allows" in error.message and "[ / {" in error.message
    assert "indentation" not in error.message


def test_a_chapter_file_nested_without_end_is_one_located_error_in_that_file(course_copy):
    root = course_copy("minimal")
    (root / "chapters").mkdir()
    # an anchor, so the chapter is composed by the Python composer, which must refuse the node past level 100
    (root / "chapters" / "dalam.yaml").write_text("title: &t Bab Dalam\nsequentials:\n" + "- " * 100_000 + "x\n",
                                                  encoding="utf-8")
    path = root / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("chapters:\n", "chapters:\n  - chapters/dalam.yaml\n"),
                    encoding="utf-8")
    course, diagnostics = load_course(root)
    [error] = diagnostics
    assert course is None and codes(diagnostics) == [("E001", "dalam.yaml", 3)]
    assert "lists or mappings nested deeper than 100 levels" in error.message


def test_a_course_yaml_symlinked_from_outside_is_refused_before_reading(tmp_path):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("password: s3cr3t-db-password\n")
    root = tmp_path / "kursus"
    root.mkdir()
    os.symlink(secret, root / "course.yaml")
    course, diagnostics = load_course(root)
    assert course is None
    [error] = diagnostics
    assert (error.code, error.location.line) == ("E110", 1)
    assert "s3cr3t" not in error.message and "not read" in error.message
