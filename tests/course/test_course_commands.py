"""`pamong validate`, `pamong new`, `pamong schema`, `pamong plugins` as users run them."""

from __future__ import annotations

import json
import re
from pathlib import Path

COURSES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"


def test_validate_clean_course_exits_0(pamong):
    status, out, err = pamong("validate", str(COURSES / "minimal"), "--strict")
    assert status == 0
    assert err == ""
    assert "course-v1:PamongX+MIN101+2026_T1 'Kursus Minimal': 1 chapter, 1 block (0 problems), 0 assets; 0 errors, 0 warnings" in out


def test_validate_broken_course_exits_1_with_every_diagnostic_and_no_traceback(run_pamong):
    result = run_pamong("validate", "tests/fixtures/courses/broken", cwd=COURSES.parents[2])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "tests/fixtures/courses/broken/course.yaml:26:23: E104 unknown block type 'vidio' " \
           "(did you mean 'video'?)" in lines
    assert len([line for line in lines if ": E" in line or ": W" in line]) == 20
    assert lines[-1] == "error: 1 of 1 course(s) have errors"
    assert result.stdout == "tests/fixtures/courses/broken: 16 errors, 4 warnings\n"


def test_validate_several_courses_and_a_non_course_dir(pamong, tmp_path):
    status, out, err = pamong("validate", str(COURSES / "minimal"), str(COURSES / "complete"), str(tmp_path))
    assert status == 1
    assert out.count("\n") == 3
    assert f"E002 not a course directory: no course.yaml in {tmp_path}" in err


def test_strict_turns_warnings_into_failure(pamong, course_copy):
    root = course_copy("minimal")
    (root / "assets").mkdir()
    (root / "assets" / "lupa.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert pamong("validate", str(root))[0] == 0
    status, _, err = pamong("validate", "--strict", str(root))
    assert status == 1
    assert "W204" in err and "errors or warnings (--strict)" in err


def test_new_scaffolds_a_course_that_validates_strictly(pamong, tmp_path):
    target = tmp_path / "musyawarah-desa"
    status, out, _ = pamong("new", str(target), "--org", "PamongX", "--run", "2027_T1",
                            "--title", 'Musyawarah Desa: "Dasar"', "--language", "en")
    assert status == 0 and "created" in out
    status, out, err = pamong("validate", "--strict", str(target))
    assert (status, err) == (0, "")
    assert "course-v1:PamongX+musyawarah-desa+2027_T1 'Musyawarah Desa: \"Dasar\"'" in out
    assert (target / "assets" / "cover.png").read_bytes().startswith(b"\x89PNG")
    assert not list(target.rglob("*.j2"))


def test_new_refuses_a_non_empty_directory_and_bad_options(pamong, tmp_path):
    (tmp_path / "isi.txt").write_text("jangan ditimpa")
    status, _, err = pamong("new", str(tmp_path))
    assert status == 2 and "is not an empty directory" in err
    assert (tmp_path / "isi.txt").read_text() == "jangan ditimpa"
    status, _, err = pamong("new", str(tmp_path / "baru"), "--org", "Pamong X")
    assert status == 2 and "--org may hold only letters" in err
    assert not (tmp_path / "baru").exists()


def test_schema_prints_json(pamong):
    status, out, _ = pamong("schema")
    assert status == 0
    schema = json.loads(out)
    assert "block_single_choice" in schema["$defs"]


def test_plugins_lists_builtins_as_table_and_json(pamong):
    status, out, _ = pamong("plugins")
    assert status == 0
    header, *rows = out.splitlines()
    assert header.split() == ["TYPE", "NAME", "COMPONENT", "VERSION", "SOURCE", "LANGUAGES", "STATUS"]
    text_row = next(r for r in rows if r.split()[:2] == ["block", "text"])
    assert "block_text" in text_row and "pamong-edx 0.1.0" in text_row and text_row.endswith("loaded")
    status, out, _ = pamong("plugins", "--json")
    listed = {(p["type"], p["name"]): p for p in json.loads(out)}
    assert listed[("block", "numerical")]["loaded"] is True
    assert listed[("block", "numerical")]["component"] == "block_numerical"


def test_every_diagnostic_line_has_a_line_and_column(run_pamong, tmp_path):
    """Whole-file problems are placed at 1:1, so editors' and CI's problem matchers parse every line."""
    (tmp_path / "not-a-dir").write_text("")
    result = run_pamong("validate", "tests/fixtures/courses/broken", str(tmp_path / "not-a-dir"),
                        cwd=COURSES.parents[2])
    shape = re.compile(r"^.+:\d+:\d+: [EW]\d{3} .+$")
    lines = result.stderr.splitlines()[:-1]  # the last line is the `error:` summary
    assert len(lines) == 21 and all(shape.match(line) for line in lines), lines
    assert "tests/fixtures/courses/broken/assets/unused.png:1:1: W204 asset is not referenced by the course: " \
           "remove it or refer to it" in lines
    assert f"{tmp_path / 'not-a-dir'}:1:1: E002 not a course directory: {tmp_path / 'not-a-dir'} is not a " \
           "directory" in lines
