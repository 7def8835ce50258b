"""The loader: course sources to the model, and every diagnostic at its file and line."""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pamong_edx.course.codes import CODES
from pamong_edx.diagnostics import Diagnostic
from pamong_edx.build import course_languages
from pamong_edx.course.loader import load_course, load_courses
from pamong_edx.course.model import ChoiceProblem, NumericalProblem, TextBlock, TextProblem, VideoBlock
from pamong_edx.course.richtext import AssetRef, RichText

COURSES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
UTC = timezone.utc


def where(diagnostics: list[Diagnostic], root: Path) -> set[tuple[str, str, int]]:
    """(code, file relative to the course, line) of each diagnostic."""
    return {(d.code, Path(d.location.file).relative_to(root).as_posix(), d.location.line) for d in diagnostics}


def load(name: str):
    return load_course(COURSES / name)


# ---------------------------------------------------------------------------------------------------- valid


def test_minimal_course_loads_without_diagnostics():
    course, diagnostics = load("minimal")
    assert diagnostics == []
    assert course.course_key == "course-v1:PamongX+MIN101+2026_T1"
    assert course.self_paced is True and course.start is None
    [chapter] = course.chapters
    [block] = list(course.blocks())
    assert chapter.id == "pengenalan"
    assert block.id == "pengenalan-apa-itu-desa-pengertian-desa-text"
    assert block.title == "Pengertian Desa"  # a block without a title takes the unit's
    assert block.html == RichText(("<p>Desa adalah kesatuan masyarakat hukum.</p>\n",))


def test_complete_course_fills_the_model():
    course, diagnostics = load("complete")
    assert diagnostics == []
    assert course.start == datetime(2026, 1, 5, tzinfo=UTC)
    assert course.end == datetime(2026, 6, 30, 10, 0, tzinfo=UTC)  # 17:00 WIB
    assert course.self_paced is False
    assert course.max_size == 5_000_000
    assert course.image == "cover.png"
    assert "<strong>Tata Kelola Desa</strong>" in str(course.overview_html)
    assert sorted(course.assets) == ["cover.png", "formulir.pdf", "img/struktur pemdes.svg", "musdes.srt"]
    assert [(f.type, f.short_label, f.weight) for f in course.grading.formats] == [
        ("Quiz", "KU", 0.4), ("Posttest", "Posttest", 0.6)]
    assert course.grading.pass_cutoff == 0.7
    assert course.certificate.signatories[0].organization == "Program Peningkatan Kapasitas Aparatur Desa"

    chapter_1, chapter_2 = course.chapters
    assert chapter_1.start == datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    assert chapter_2.id == "bab-2" and chapter_2.loc.file.name == "02-evaluasi.yaml"
    lesson, quiz = chapter_1.sequentials
    assert (lesson.kind, lesson.graded) == ("lesson", False)
    assert (quiz.id, quiz.kind, quiz.graded, quiz.format) == ("kuis-1", "quiz", True, "Quiz")
    assert quiz.due == datetime(2026, 2, 1, 16, 59, tzinfo=UTC)

    blocks = {b.id: b for b in course.blocks()}
    text = blocks["bab-1-apa-itu-desa-pengertian-desa-text"]
    assert isinstance(text, TextBlock)
    assert text.assets == ["img/struktur pemdes.svg", "formulir.pdf"]
    # local files are references in the model, resolved by each exporter; other links stay as written
    assert AssetRef("img/struktur pemdes.svg") in text.html.parts and AssetRef("formulir.pdf") in text.html.parts
    assert text.html.assets == ("img/struktur pemdes.svg", "formulir.pdf")
    resolved = text.html.html(lambda name: f"/x/{name.upper()}")
    assert '<img src="/x/IMG/STRUKTUR PEMDES.SVG" alt="Struktur pemerintah desa" />' in resolved
    assert '<a href="/x/FORMULIR.PDF#page=2">' in resolved
    assert '<a href="https://peraturan.go.id/">' in resolved
    assert '<img src="assets/img/struktur%20pemdes.svg" alt="Struktur pemerintah desa" />' in str(text.html)
    video = blocks["bab-1-apa-itu-desa-pengertian-desa-musyawarah-desa"]
    assert isinstance(video, VideoBlock) and video.transcript == "musdes.srt"
    discussion = blocks["bab-1-apa-itu-desa-pengertian-desa-discussion"]
    assert (discussion.category, discussion.target) == ("Kedudukan Desa", "Pengertian Desa")

    q = blocks["q-bpd"]
    assert isinstance(q, ChoiceProblem)
    assert q.correct_ids == ["b"] and q.shuffle and q.weight == 2.0
    assert q.max_attempts == 1  # the sequential's
    assert str(q.choices[2].hint) == "LKD membantu kepala desa, tetapi tidak membahas Perdes."
    assert [str(h) for h in q.hints] == ["Bukan camat.", "Perhatikan <em>singkatannya</em>."]
    assert "<strong>Peraturan Desa</strong>" in str(q.question_html)
    assert blocks["kuis-1-soal-kuis-multiple_choice"].correct_ids == ["a", "b"]
    dropdown = blocks["posttest-soal-evaluasi-dropdown"]
    assert dropdown.correct_ids == ["satu"] and dropdown.max_attempts == 3  # the course's

    percent = blocks["posttest-soal-evaluasi-numerical"]
    assert isinstance(percent, NumericalProblem)
    assert (percent.answer, percent.tolerance, percent.tolerance_is_percent, percent.unit) == (40, 1, True, "%")
    assert percent.accepts(40.4) and not percent.accepts(40.5)
    absolute = blocks["posttest-soal-evaluasi-numerical-2"]
    assert (absolute.tolerance, absolute.tolerance_is_percent) == (0.5, False)
    words = blocks["posttest-soal-evaluasi-text_answer"]
    assert isinstance(words, TextProblem) and words.accepts("apb  desa")
    year = blocks["posttest-soal-evaluasi-text_answer-2"]
    assert year.answers == ["2014"] and year.case_sensitive


def test_a_course_yaml_path_is_accepted_too():
    course, diagnostics = load_course(COURSES / "minimal" / "course.yaml")
    assert diagnostics == [] and course.number == "MIN101"


# ---------------------------------------------------------------------------------------------------- every code


BROKEN_EXPECTED = {
    ("E105", "course.yaml", 1),  # org with a space
    ("E105", "course.yaml", 6),  # start: 2026-13-45
    ("E103", "course.yaml", 7),  # self_paced: maybe
    ("E109", "course.yaml", 8),  # image missing
    ("E110", "course.yaml", 9),  # overview_file: ../outside.md
    ("E112", "course.yaml", 13),  # weights 0.6 + 0.3
    ("W203", "course.yaml", 15),  # format Quiz unused
    ("E104", "course.yaml", 26),  # vidio
    ("E101", "course.yaml", 29),  # titel
    ("W201", "course.yaml", 30),  # image without alt
    ("W204", "assets/unused.png", 1),  # a whole-file problem, at 1:1
    ("E001", "chapters/01-bab.yaml", 3),  # duplicate key
    ("E106", "chapters/01-bab.yaml", 8),  # duplicate id
    ("E002", "chapters/01-bab.yaml", 12),  # file: content/missing.md
    ("E107", "chapters/01-bab.yaml", 18),  # answer: c
    ("E108", "chapters/01-bab.yaml", 22),  # answer: empat puluh
    ("E102", "chapters/01-bab.yaml", 24),  # unit without a title
    ("E111", "chapters/01-bab.yaml", 30),  # format: Exam
    ("W202", "chapters/01-bab.yaml", 34),  # no explanation
    ("E113", "chapters/01-bab.yaml", 38),  # graded sequential without problems
}


def test_broken_course_reports_every_code_in_one_run():
    course, diagnostics = load("broken")
    assert course is None
    assert where(diagnostics, COURSES / "broken") == BROKEN_EXPECTED
    assert len(diagnostics) == len(BROKEN_EXPECTED)
    # E114 and E115 are raised at build time; E116 only by a failing plugin (tests/course/test_plugins.py)
    # E117 and E118 are the limits and asset checks of tests/course/test_hostile_sources.py
    loader_codes = {code for code in CODES if code not in ("E114", "E115", "E116", "E117", "E118")}
    assert {d.code for d in diagnostics} == loader_codes


def test_diagnostic_prints_path_line_col_code_message(monkeypatch):
    monkeypatch.chdir(COURSES)
    _, diagnostics = load_course("unknown-block-type")
    assert str(diagnostics[0]) == ("unknown-block-type/course.yaml:13:23: E104 unknown block type 'vidio' "
                                   "(did you mean 'video'?)")


def test_diagnostic_outside_the_working_directory_keeps_its_absolute_path(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    _, diagnostics = load("unknown-block-type")
    assert str(diagnostics[0]).startswith(f"{COURSES}/unknown-block-type/course.yaml:13:23: E104 ")


# ---------------------------------------------------------------------------------------------------- one case each


def codes_at(name: str) -> list[tuple[str, int, str]]:
    course, diagnostics = load(name)
    assert course is None or not any(d.is_error for d in diagnostics)
    return [(d.code, d.location.line, d.message) for d in diagnostics]


def test_duplicate_identifiers_across_levels():
    found = codes_at("duplicate-ids")
    assert [(c, line) for c, line, _ in found] == [("E106", 17), ("E106", 19), ("E106", 21), ("E106", 28)]
    assert "duplicate identifier 'bab-1' (first used at" in found[0][2]
    assert "'bab-1-pelajaran' derived from the title is already used" in found[1][2]
    assert "duplicate choice id 'a'" in found[3][2]


def test_answers_must_name_choices_and_have_the_right_count():
    found = codes_at("bad-answers")
    assert [(c, line) for c, line, _ in found] == [
        ("E107", 16), ("E107", 21), ("E107", 26), ("E107", 31), ("E105", 35)]
    assert "answer 'd' names no choice (choices: a, b)" in found[0][2]
    assert "answer 'z' names no choice" in found[1][2]
    assert "exactly one correct answer" in found[2][2]
    assert "at least one correct answer" in found[3][2]
    assert "at least two choices" in found[4][2]


def test_numerical_answer_and_tolerance_must_be_numbers():
    course, diagnostics = load("numerical-nan")
    assert [(d.code, d.location.line) for d in diagnostics] == [
        ("E108", 15), ("E108", 20), ("E108", 24), ("E105", 25)]
    assert course is None


def test_missing_assets_and_assets_outside_assets_dir():
    found = codes_at("missing-asset")
    assert [(c, line) for c, line, _ in found] == [
        ("E109", 6), ("E109", 18), ("E109", 20), ("E105", 22), ("E109", 25), ("E105", 28), ("W204", 1)]
    assert "image 'assets/bagan.svg' does not exist" in found[1][2]
    assert "link target 'assets/formulir.pdf'" in found[2][2]
    assert "not under assets/" in found[3][2]
    assert "must be a .srt or .vtt file" in found[5][2]


def test_paths_leaving_the_course_are_refused(course_copy, tmp_path):
    root = course_copy("path-escape")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "rahasia.svg").write_text("<svg/>")
    (outside / "rahasia.md").write_text("rahasia")
    (root / "assets").mkdir()
    (root / "content").mkdir()
    os.symlink(outside / "rahasia.svg", root / "assets" / "link.svg")
    os.symlink(outside / "rahasia.md", root / "content" / "link.md")
    course, diagnostics = load_course(root)
    assert course is None
    assert where(diagnostics, root) == {
        ("E110", "assets/link.svg", 1),  # found while listing assets/
        ("E110", "course.yaml", 6),  # /etc/hostname
        ("E110", "course.yaml", 8),  # ../outside-chapter.yaml
        ("E110", "course.yaml", 16),  # ![](../secret.png)
        ("E110", "course.yaml", 18),  # content/../../secret.md
        ("E110", "course.yaml", 20),  # assets/link.svg -> outside
        ("E110", "course.yaml", 22),  # content/link.md -> outside
    }
    assert "link.svg" not in course_assets_of(root)


def course_assets_of(root: Path) -> set[str]:
    from pamong_edx.course.assets import CourseDir

    return set(CourseDir.at(root).scan_assets().assets)


def test_symlinks_inside_the_course_are_fine(course_copy):
    root = course_copy("minimal")
    (root / "assets").mkdir()
    (root / "shared.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    os.symlink(root / "shared.svg", root / "assets" / "bagan.svg")
    text = (root / "course.yaml").read_text().replace(
        "markdown: Desa adalah kesatuan masyarakat hukum.", 'markdown: "![Bagan](assets/bagan.svg)"')
    (root / "course.yaml").write_text(text)
    course, diagnostics = load_course(root)
    assert diagnostics == []
    assert next(course.blocks()).assets == ["bagan.svg"]


def test_graded_format_without_grading_policy():
    found = codes_at("graded-format-absent")
    assert [(c, line) for c, line, _ in found] == [("E111", 11), ("E102", 21)]
    assert "the course defines no grading formats" in found[0][2]
    assert "needs 'format'" in found[1][2]


def test_grading_weights_must_sum_to_one():
    found = codes_at("bad-weights")
    assert found == [("E112", 9, "grading weights sum to 0.9 (0.5 + 0.4), not 1")]


def test_grading_that_cannot_be_passed():
    found = codes_at("unpassable")
    assert [(c, line) for c, line, _ in found] == [("E113", 7)]
    assert "best possible grade is 0.75, below the cutoff 0.8" in found[0][2]


def test_unknown_keys_get_a_suggestion():
    found = codes_at("unknown-key")
    assert ("E101", 5, "unknown key 'langauge' in course.yaml (did you mean 'language'?)") in found
    assert ("E101", 11, "unknown key 'tittle' in a unit (did you mean 'title'?)") in found
    assert ("E101", 15, "unknown key 'markdwon' in a text block (did you mean 'markdown'?)") in found
    assert ("E101", 20, "unknown key 'answers' in a single_choice block (did you mean 'answer'?)") in found
    assert ("E102", 1, "missing required key 'language' in course.yaml") in found


def test_unknown_block_type_gets_a_suggestion():
    found = codes_at("unknown-block-type")
    assert found == [
        ("E104", 13, "unknown block type 'vidio' (did you mean 'video'?)"),
        ("E104", 15, "unknown block type 'singel_choice' (did you mean 'single_choice'?)"),
        ("E104", 17, "unknown block type 'hologram'"),
        ("E102", 18, "missing required key 'type' in a block"),
    ]


def test_unreadable_chapter_files_and_no_whole_course_guesses():
    course, diagnostics = load("unreadable-chapters")
    assert course is None
    assert where(diagnostics, COURSES / "unreadable-chapters") == {
        ("E001", "chapters/rusak.yaml", 6),
        ("E002", "course.yaml", 12),
        ("E103", "chapters/daftar.yaml", 1),
    }  # no W203 for Posttest nor W204 for assets/bagan.png: the missing chapters may use them


def test_empty_course_yaml(course_copy):
    root = course_copy("minimal")
    (root / "course.yaml").write_text("# nothing yet\n")
    course, diagnostics = load_course(root)
    assert [(d.code, d.message) for d in diagnostics] == [("E103", "course.yaml must be a mapping of keys, found nothing")]


def test_not_a_course_directory(tmp_path):
    courses, diagnostics = load_courses([tmp_path, tmp_path / "missing", COURSES / "minimal"])
    assert [c.number for c in courses] == ["MIN101"]
    assert [d.code for d in diagnostics] == ["E002", "E002"]
    assert "no course.yaml in" in diagnostics[0].message
    assert "does not exist" in diagnostics[1].message


def test_errors_are_collected_across_courses():
    courses, diagnostics = load_courses([COURSES / "bad-weights", COURSES / "unpassable", COURSES / "minimal"])
    assert len(courses) == 1
    assert {d.location.file.parent.name for d in diagnostics} == {"bad-weights", "unpassable"}


# ---------------------------------------------------------------------------------------------------- language


def set_language(root: Path, language: str) -> None:
    path = root / "course.yaml"
    path.write_text(re.sub(r"(?m)^language: .*$", f"language: {language}", path.read_text()))


def test_a_language_without_a_pack_lists_the_available_ones(course_copy):
    root = course_copy("minimal")
    set_language(root, "ind")
    course, diagnostics = load_course(root, languages=course_languages())
    assert course is None
    assert [(d.code, d.location.line, d.message) for d in diagnostics] == [
        ("E105", 5, "language 'ind' has no player language pack; available: en, id (did you mean 'id'?); "
                    "install a language plugin to add one")]


def test_without_the_installed_packs_the_loader_checks_the_tag_only(course_copy):
    root = course_copy("minimal")
    set_language(root, "pt-BR")
    assert load_course(root)[1] == []
    set_language(root, "bahasa indonesia")
    assert [(d.code, d.location.line) for d in load_course(root)[1]] == [("E105", 5)]


def test_a_language_plugin_adds_course_languages(language_plugin, course_copy):
    root = course_copy("minimal")
    set_language(root, "jv")
    course, diagnostics = load_course(root, languages=course_languages())
    assert diagnostics == [] and course.language == "jv"

    set_language(root, "xx")  # the plugin's xx pack is refused (it declares the wrong component)
    course, diagnostics = load_course(root, languages=course_languages())
    assert course is None
    [error] = diagnostics
    assert error.code == "E105"
    assert error.message.startswith("language 'xx' has no player language pack (its language plugin was skipped: ")
    assert "available: en, id, jv, su;" in error.message


# ---------------------------------------------------------------------------------------------------- stable ids


def all_ids(course) -> list[str]:
    ids = []
    for chapter in course.chapters:
        ids.append(chapter.id)
        for seq in chapter.sequentials:
            ids.append(seq.id)
            for unit in seq.units:
                ids.append(unit.id)
                ids += [b.id for b in unit.blocks]
    return ids


def test_derived_ids_follow_the_titles():
    course, diagnostics = load("stable-ids")
    assert diagnostics == []
    ids = all_ids(course)
    assert ids[:8] == [
        "kedudukan-desa",
        "kedudukan-desa-apa-itu-desa",
        "kedudukan-desa-apa-itu-desa-pengertian-desa",
        "kedudukan-desa-apa-itu-desa-pengertian-desa-text",
        "kedudukan-desa-apa-itu-desa-pengertian-desa-text-2",
        "kedudukan-desa-apa-itu-desa-pengertian-desa-musyawarah-desa",
        "kedudukan-desa-apa-itu-desa-kewenangan-desa",
        "kedudukan-desa-apa-itu-desa-kewenangan-desa-text",
    ]
    assert "kedudukan-desa-apa-itu-desa-pengertian-desa-2" in ids  # same title, same parent
    long = course.chapters[0].sequentials[1].id
    assert len(long) <= 64 and long.startswith("kedudukan-desa-pengelolaan-keuang")
    assert all(len(i) <= 64 for i in ids) and len(set(ids)) == len(ids)


def test_same_source_gives_the_same_ids(course_copy):
    first, _ = load("stable-ids")
    second, _ = load_course(course_copy("stable-ids"))
    assert all_ids(first) == all_ids(second)


def test_renaming_a_sibling_keeps_the_other_ids(course_copy):
    before, _ = load("stable-ids")
    root = course_copy("stable-ids")
    path = root / "course.yaml"
    path.write_text(path.read_text().replace("title: Kewenangan Desa", "title: Kewenangan Lokal Berskala Desa"))
    after, diagnostics = load_course(root)
    assert diagnostics == []
    changed = [(a, b) for a, b in zip(all_ids(before), all_ids(after)) if a != b]
    assert changed == [
        ("kedudukan-desa-apa-itu-desa-kewenangan-desa",
         "kedudukan-desa-apa-itu-desa-kewenangan-lokal-berskala-desa"),
        ("kedudukan-desa-apa-itu-desa-kewenangan-desa-text",
         "kedudukan-desa-apa-itu-desa-kewenangan-lokal-berskala-desa-text"),
    ]


@pytest.mark.parametrize("bad", ["bab 1", "bab.1", "x" * 65, "bab/1"])
def test_explicit_ids_are_checked(course_copy, bad):
    root = course_copy("minimal")
    path = root / "course.yaml"
    path.write_text(path.read_text().replace("  - title: Pengenalan", f'  - id: "{bad}"\n    title: Pengenalan'))
    _, diagnostics = load_course(root)
    assert [(d.code, d.location.line) for d in diagnostics] == [("E105", 7)]


# ---------------------------------------------------------------------------------------------------- hostile input


def with_course_yaml(course_copy, text: str) -> Path:
    root = course_copy("minimal")
    (root / "course.yaml").write_text(text, encoding="utf-8")
    return root


def test_an_alias_bomb_is_refused_at_once_with_a_located_error(course_copy):
    levels = ['l0: &l0 ["ha","ha","ha","ha","ha","ha","ha","ha","ha"]']
    levels += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]  # 9**9 values
    root = with_course_yaml(course_copy, "\n".join(levels) + "\n")
    course, diagnostics = load_course(root)
    assert course is None
    [diagnostic] = diagnostics
    assert diagnostic.code == "E001" and "aliases expand this document" in diagnostic.message
    assert diagnostic.location.line > 1


def test_a_few_aliases_are_still_fine(course_copy):
    text = (COURSES / "minimal" / "course.yaml").read_text(encoding="utf-8")
    root = with_course_yaml(course_copy, text.replace("org: PamongX", "org: &org PamongX")
                            + "short_description: *org\n")
    course, diagnostics = load_course(root)
    assert diagnostics == [] and course.short_description == "PamongX"


def test_an_alias_inside_itself_is_refused(course_copy):
    text = (COURSES / "minimal" / "course.yaml").read_text(encoding="utf-8")
    root = with_course_yaml(course_copy, text.replace("chapters:\n", "chapters: &loop\n  - *loop\n", 1))
    course, diagnostics = load_course(root)
    assert course is None
    assert [(d.code, d.location.line) for d in diagnostics] == [("E001", 7)]  # at the alias
    assert "refers to the collection that contains it" in diagnostics[0].message


def test_a_markdown_file_that_is_not_utf8_is_located_at_its_first_bad_byte(course_copy):
    text = (COURSES / "minimal" / "course.yaml").read_text(encoding="utf-8")
    root = with_course_yaml(course_copy, text.replace("markdown: Desa adalah kesatuan masyarakat hukum.",
                                                      "file: content/desa.md"))
    (root / "content").mkdir()
    # "Katé " is five characters (six bytes), then a Latin-1 é that UTF-8 cannot decode
    (root / "content" / "desa.md").write_bytes(b"# Desa\n\nKat\xc3\xa9 \xe9 di sini\n")
    course, diagnostics = load_course(root)
    assert course is None
    [diagnostic] = diagnostics
    assert diagnostic.code == "E002"
    assert (diagnostic.location.file.name, diagnostic.location.line, diagnostic.location.col) == ("desa.md", 3, 6)
    assert "is not UTF-8 text (byte 0xe9 at line 3, column 6); save it as UTF-8" in diagnostic.message


# ---------------------------------------------------------------------------------------------------- invariants
# What the exporters need of the model is checked here, once; the exporters never check it again.


def with_blocks(root: Path, blocks: str) -> None:
    path = root / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8") + blocks, encoding="utf-8")


def test_no_element_may_take_the_run_as_its_identifier(course_copy):
    root = course_copy("minimal")
    path = root / "course.yaml"
    path.write_text(path.read_text().replace("  - title: Pengenalan", "  - title: Pengenalan\n    id: 2026_T1"))
    course, diagnostics = load_course(root)
    assert course is None
    [error] = diagnostics
    assert (error.code, error.location.line) == ("E106", 8)
    assert error.message == f"duplicate identifier '2026_T1' (first used at {root / 'course.yaml'}:3:6)"


def test_empty_answers_and_empty_video_sources_are_refused(course_copy):
    root = course_copy("minimal")
    with_blocks(root, "              - {type: text_answer, question: Singkatan APBDes?, answers: [APBDes, ' '],"
                      " explanation: x}\n"
                      "              - {type: video, youtube: ''}\n"
                      "              - {type: video, mp4: ''}\n")
    course, diagnostics = load_course(root)
    assert course is None
    assert [(d.code, d.location.line) for d in diagnostics] == [("E105", 15), ("E105", 16), ("E105", 17)]
