"""`pamong build`: loading, diagnostics, exporter selection, size budget and the summary it prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pamong_edx.build import PackageTooLarge, build_package, parse_size, select_exporters
from pamong_edx.cli import main
from pamong_edx.course.loader import load_course
from pamong_edx.errors import UsageError
from pamong_edx.export import BuildResult, Exporter
from pamong_edx.exporters.olx import OlxExporter
from pamong_edx.plugins import PluginInfo, registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "build"
MINI = FIXTURES / "mini-course"
BAD = FIXTURES / "bad-course"
PACKAGE = "PamongX-MINI101-2026_T1.olx.tar.gz"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["build", *args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_builds_olx_and_prints_a_summary(tmp_path, capsys):
    code, out, err = run(capsys, str(MINI), "--format", "olx", "-o", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / PACKAGE).is_file()
    assert f"{tmp_path / PACKAGE}  8 blocks, 5 problems, 3 assets" in out
    assert out.startswith("olx ")
    assert "W202 problem 'q-latihan' has no explanation" in err  # warnings are shown, and do not stop the build
    assert [p.name for p in tmp_path.iterdir()] == [PACKAGE]  # no staging folder or partial file left


def test_same_source_builds_byte_identical_packages(tmp_path, capsys):
    for out in ("a", "b"):
        assert run(capsys, str(MINI), "-f", "olx", "-o", str(tmp_path / out))[0] == 0
    assert (tmp_path / "a" / PACKAGE).read_bytes() == (tmp_path / "b" / PACKAGE).read_bytes()


def test_source_errors_are_located_and_stop_the_build(tmp_path, capsys):
    code, out, err = run(capsys, str(MINI), str(BAD), "-f", "olx", "-o", str(tmp_path))
    assert code == 1
    assert "bad-course/course.yaml:16:23: E104 unknown block type 'vidio' (did you mean 'video'?)" in err
    assert "E106 duplicate identifier 'u-1'" in err
    assert "error: 2 error(s) in the course sources; nothing was built" in err
    assert "Traceback" not in err and out == ""
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_strict_turns_warnings_into_errors(tmp_path, capsys):
    code, _, err = run(capsys, str(MINI), "-f", "olx", "-o", str(tmp_path), "--strict")
    assert code == 1
    assert "W202" in err and "1 warning(s) (--strict)" in err
    assert not (tmp_path / PACKAGE).exists()


def test_missing_course_directory(tmp_path, capsys):
    code, _, err = run(capsys, str(tmp_path / "nope"), "-f", "olx", "-o", str(tmp_path / "dist"))
    assert code == 1 and "E002" in err and "Traceback" not in err


def test_package_over_budget_fails_and_keeps_nothing_half_done(tmp_path, capsys):
    assert run(capsys, str(MINI), "-f", "olx", "-o", str(tmp_path))[0] == 0
    before = (tmp_path / PACKAGE).read_bytes()
    code, out, err = run(capsys, str(MINI), "-f", "olx", "-o", str(tmp_path), "--max-size", "1kB")
    assert code == 1
    assert "E115 the olx package would be" in err and "above the 1.0 kB budget" in err
    assert "largest files: course/" in err
    assert "1 of 1 package(s) failed to build" in err
    assert (tmp_path / PACKAGE).read_bytes() == before  # the earlier good package is not replaced
    assert [p.name for p in tmp_path.iterdir()] == [PACKAGE]


def test_course_max_size_applies_without_the_flag(tmp_path, capsys):
    course = tmp_path / "course"
    shutil.copytree(MINI, course)
    with open(course / "course.yaml", "a", encoding="utf-8") as f:
        f.write("max_size: 2kB\n")
    code, _, err = run(capsys, str(course), "-f", "olx", "-o", str(tmp_path / "dist"))
    assert code == 1 and "above the 2.0 kB budget" in err
    # the flag overrides the course's own budget
    assert run(capsys, str(course), "-f", "olx", "-o", str(tmp_path / "dist"), "--max-size", "5MB")[0] == 0


def test_unknown_format_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, str(MINI), "-f", "pdf", "-o", str(tmp_path))
    assert code == 2 and "no exporter plugin named 'pdf'" in err and "olx" in err


def test_bad_max_size_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, str(MINI), "-f", "olx", "-o", str(tmp_path), "--max-size", "lots")
    assert code == 2 and "--max-size 'lots' is not a size" in err


@pytest.mark.parametrize("text, size", [
    ("5MB", 5_000_000), ("500kB", 500_000), ("500 KB", 500_000), ("2MiB", 2 * 1024 * 1024),
    ("1.5GB", 1_500_000_000), ("1024", 1024), ("10B", 10), ("3KiB", 3072),
])
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "5XB", "-1MB", "inf", "nan", "5 M B"])
def test_parse_size_refuses(text):
    with pytest.raises(UsageError):
        parse_size(text)


def test_all_means_every_installed_builtin():
    chosen = select_exporters(["all"])
    loaded = registry().loaded("exporter")
    assert chosen["olx"] is OlxExporter
    assert set(chosen) == {n for n in ("olx", "scorm12", "scorm2004", "moodlexml") if n in loaded}
    assert list(select_exporters(["olx", "all", "olx"]))[0] == "olx"


class RecordingExporter(Exporter):
    """A third-party exporter: writes a text file and records the options it was given."""

    component = "exporter_notes"
    name = "notes"
    version = "1.0.0"
    suffix = ".notes.txt"
    supported_blocks = frozenset({"text", "video", "discussion", "single_choice", "multiple_choice", "dropdown",
                                  "numerical", "text_answer"})
    seen: list[dict] = []

    def write(self) -> None:
        self.text = "\n".join(b.id for b in self.course.blocks())

    def finish(self) -> BuildResult:
        RecordingExporter.seen.append(dict(self.options))
        self.output_path.write_text(self.text)
        return BuildResult(self.name, self.output_path, self.output_path.stat().st_size,
                           counts={"blocks": len(self.text.splitlines())})


def test_third_party_exporter_is_used_when_named(tmp_path, capsys, monkeypatch):
    info = PluginInfo(type="exporter", name="notes", component="exporter_notes", version="1.0.0", obj=RecordingExporter)
    monkeypatch.setitem(registry().plugins["exporter"], "notes", info)
    RecordingExporter.seen.clear()
    code, out, err = run(capsys, str(MINI), "-f", "notes", "-o", str(tmp_path), "--sco-per", "chapter")
    assert code == 0, err
    assert (tmp_path / "PamongX-MINI101-2026_T1.notes.txt").read_text().splitlines()[0] == "t-pengertian"
    assert [{k: v for k, v in seen.items() if k != "cache"} for seen in RecordingExporter.seen] == [
        {"max_size": None, "sco_per": "chapter"}]
    assert "notes" not in select_exporters(["all"])  # `all` means the built-ins only
    assert "8 blocks" in out


def test_build_package_moves_only_a_package_within_budget(tmp_path):
    course, diagnostics = load_course(MINI)
    assert course is not None, diagnostics
    with pytest.raises(PackageTooLarge, match="E115"):
        build_package(course, OlxExporter, tmp_path, {"max_size": 100})
    assert list(tmp_path.iterdir()) == []
    result = build_package(course, OlxExporter, tmp_path, {"max_size": 10**6})
    assert result.path == tmp_path / PACKAGE and result.size == result.path.stat().st_size
    assert list(tmp_path.iterdir()) == [result.path]


def test_two_courses_with_one_key_are_refused(tmp_path, capsys):
    twin = tmp_path / "twin"
    shutil.copytree(MINI, twin)
    code, out, err = run(capsys, str(MINI), str(twin), "-f", "olx", "-o", str(tmp_path / "dist"))
    assert code == 1
    assert "twin/course.yaml:1:1: E106 duplicate course key course-v1:PamongX+MINI101+2026_T1" in err
    assert not (tmp_path / "dist").exists()


class FailingExporter(RecordingExporter):
    """A third-party exporter with a bug in write()."""

    component = "exporter_broken"
    name = "broken"

    def write(self) -> None:
        raise ZeroDivisionError("division by zero")


def test_an_exporter_that_fails_fails_only_its_own_package(tmp_path, capsys, monkeypatch):
    info = PluginInfo(type="exporter", name="broken", component="exporter_broken", version="1.0.0",
                      obj=FailingExporter)
    monkeypatch.setitem(registry().plugins["exporter"], "broken", info)
    code, out, err = run(capsys, str(MINI), "-f", "broken", "-f", "olx", "-o", str(tmp_path))
    assert code == 1
    assert "Traceback" not in err and "internal error" not in err
    assert ("course.yaml:1:1: the broken package of course-v1:PamongX+MINI101+2026_T1 was not built: the "
            "exporter_broken exporter failed: ZeroDivisionError: division by zero") in err
    assert "1 of 2 package(s) failed to build" in err
    assert out.startswith("olx ") and [p.name for p in tmp_path.iterdir()] == [PACKAGE]
    with pytest.raises(ZeroDivisionError):  # --debug shows the real exception
        main(["--debug", "build", str(MINI), "-f", "broken", "-o", str(tmp_path)])


def test_an_output_folder_that_cannot_be_made_is_one_clear_error(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    code, out, err = run(capsys, str(MINI), "-f", "olx", "-o", str(tmp_path / "file" / "dist"))
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1].startswith(f"error: cannot create the output folder {tmp_path / 'file' / 'dist'}:")


@pytest.mark.parametrize("inside", [".", "assets", "content/keluaran"])
def test_output_folder_among_the_course_sources_is_refused(tmp_path, capsys, inside):
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    before = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    code, _, err = run(capsys, str(course), "--format", "olx", "-o", str(course / inside))
    assert code == 2
    assert "is inside the course directory" in err and "choose another folder with -o" in err
    assert {p: p.read_bytes() for p in course.rglob("*") if p.is_file()} == before  # nothing written or replaced
