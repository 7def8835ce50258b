"""The build cache: a rebuild reads and renders only what changed, and its packages are byte for byte those of a
clean build, whatever changed in between."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pamong_edx.build import build_package, select_exporters
from pamong_edx.cli import main
from pamong_edx.course.cache import BuildCache
from pamong_edx.course.loader import load_course
from pamong_edx.course import context, markdown
from pamong_edx.exporters.tar_archive import crc32_combine, write_tar_gz

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COURSE = FIXTURES / "courses" / "complete"
FORMATS = ("olx", "scorm12", "scorm2004")


@pytest.fixture
def course_dir(tmp_path) -> Path:
    root = tmp_path / "kursus"
    shutil.copytree(COURSE, root)
    return root


def build(root: Path, out: Path, cache: BuildCache | None) -> dict[str, bytes]:
    course, diagnostics = load_course(root, cache=cache)
    assert course is not None, diagnostics
    packages = {}
    for name, exporter in select_exporters(FORMATS).items():
        result = build_package(course, exporter, out, {"max_size": None, "sco_per": "sequential", "cache": cache})
        packages[name] = result.path.read_bytes()
    if cache is not None:
        cache.save()
    return packages


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_rebuilds_after_each_kind_of_edit_are_byte_identical_to_clean_builds(course_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    chapter = course_dir / "chapters" / "02-evaluasi.yaml"
    steps = [
        lambda: None,  # nothing changed: everything from the cache
        lambda: edit(chapter, "Evaluasi", "Evaluasi Akhir Bab"),  # a chapter file
        lambda: edit(course_dir / "content" / "apa-itu-desa.md", "desa", "DESA"),  # a Markdown file it reads
        lambda: (course_dir / "assets" / "cover.png").write_bytes(
            (course_dir / "assets" / "cover.png").read_bytes() + b"\0"),  # an asset
        lambda: edit(course_dir / "course.yaml", "Tata Kelola Desa", "Tata Kelola Desa (revisi)"),
    ]
    for step in steps:
        step()
        cached = build(course_dir, tmp_path / "cached", BuildCache(cache_dir))
        clean = build(course_dir, tmp_path / "clean", None)
        assert cached == clean


def test_a_markdown_file_a_chapter_file_reads_is_a_dependency_of_the_cached_chapter(course_dir, tmp_path):
    (course_dir / "content" / "evaluasi.md").write_text("Baca **petunjuk** sebelum menjawab.\n", encoding="utf-8")
    edit(course_dir / "chapters" / "02-evaluasi.yaml", "      - title: Soal Evaluasi\n        blocks:\n",
         "      - title: Soal Evaluasi\n        blocks:\n          - {type: text, file: content/evaluasi.md}\n")
    cache_dir = tmp_path / "cache"
    build(course_dir, tmp_path / "first", BuildCache(cache_dir))
    (course_dir / "content" / "evaluasi.md").write_text("Baca **petunjuk** dengan teliti.\n", encoding="utf-8")
    cached = build(course_dir, tmp_path / "cached", BuildCache(cache_dir))
    assert cached == build(course_dir, tmp_path / "clean", None)
    course, _ = load_course(course_dir, cache=BuildCache(cache_dir))
    assert "dengan teliti" in str(course.chapters[1].sequentials[0].units[0].blocks[0].html)


def test_an_unchanged_chapter_file_is_neither_read_nor_rendered(course_dir, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    build(course_dir, tmp_path / "first", BuildCache(cache_dir))
    renders = []
    monkeypatch.setattr(context, "_renderer", None)  # a renderer that has seen no text yet
    real = markdown.MarkdownRenderer._render
    monkeypatch.setattr(markdown.MarkdownRenderer, "_render",
                        lambda self, text, inline: renders.append(text) or real(self, text, inline))
    chapter = course_dir / "chapters" / "02-evaluasi.yaml"
    reads = []
    real_open = open

    def watching_open(file, *args, **kwargs):
        reads.append(Path(file).name if isinstance(file, (str, Path)) else file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    course, diagnostics = load_course(course_dir, cache=BuildCache(cache_dir))
    assert course is not None and diagnostics == []
    assert chapter.name not in reads  # known by its metadata in the file index
    questions = [b.question_markdown for b in course.chapters[1].sequentials[0].units[0].blocks if b.is_problem]
    assert questions and not set(questions) & set(renders)
    assert renders == []  # course.yaml's texts (and the Markdown files it names) come from the cache too


def test_in_an_edited_chapter_file_only_the_edited_text_is_rendered(course_dir, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    build(course_dir, tmp_path / "first", BuildCache(cache_dir))
    chapter = course_dir / "chapters" / "02-evaluasi.yaml"
    edit(chapter, "Tahun berapa UU Desa disahkan?", "Pada tahun berapa UU Desa disahkan?")
    renders = []
    monkeypatch.setattr(context, "_renderer", None)
    real = markdown.MarkdownRenderer._render
    monkeypatch.setattr(markdown.MarkdownRenderer, "_render",
                        lambda self, text, inline: renders.append(text) or real(self, text, inline))
    course, _ = load_course(course_dir, cache=BuildCache(cache_dir))
    chapter_texts = {b.question_markdown for b in course.chapters[1].sequentials[0].units[0].blocks if b.is_problem}
    assert set(renders) & chapter_texts == {"Pada tahun berapa UU Desa disahkan?"}


def test_a_clash_with_a_cached_chapter_is_reported_as_in_a_clean_load(course_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    build(course_dir, tmp_path / "first", BuildCache(cache_dir))
    # course.yaml's inline chapter now takes the id the cached chapter file uses
    edit(course_dir / "course.yaml", "id: bab-1", "id: bab-2")
    cached = load_course(course_dir, cache=BuildCache(cache_dir))
    clean = load_course(course_dir)
    assert cached[0] is None and clean[0] is None
    assert [str(d) for d in cached[1]] == [str(d) for d in clean[1]]
    assert any(d.code == "E106" for d in clean[1])


def run_pamong(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return exit_info.value.code


def test_the_cache_folder_is_never_in_the_course(course_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(tmp_path / "cache"))
    before = sorted(p.relative_to(course_dir) for p in course_dir.rglob("*"))
    assert run_pamong("build", str(course_dir), "-f", "olx", "-o", str(tmp_path / "dist")) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "dist").iterdir()}
    assert (tmp_path / "cache" / "files.pickle").is_file() and any((tmp_path / "cache" / "objects").iterdir())
    assert run_pamong("build", str(course_dir), "-f", "olx", "-o", str(tmp_path / "dist2"), "--no-cache") == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "dist2").iterdir()} == first
    assert sorted(p.relative_to(course_dir) for p in course_dir.rglob("*")) == before


def test_a_damaged_cache_entry_is_a_miss(course_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    clean = build(course_dir, tmp_path / "first", BuildCache(cache_dir))
    for entry in (cache_dir / "objects").glob("*/*"):
        entry.write_bytes(b"not a pickle")
    assert build(course_dir, tmp_path / "again", BuildCache(cache_dir)) == clean


def test_segmented_gzip_reads_as_one_stream_and_crcs_combine(tmp_path):
    import os
    import tarfile
    import zlib

    big = tmp_path / "video.mp4"
    big.write_bytes(os.urandom(300_000))
    files = {f"course/html/b{i}.html": f"<p>blok {i}</p>".encode() * (i % 7 + 1) for i in range(500)}
    files["course/static/video.mp4"] = big
    cache = BuildCache(tmp_path / "cache")
    for run in range(2):  # the second run copies every segment from the cache
        path = tmp_path / f"p{run}.tar.gz"
        write_tar_gz(path, files, cache=cache)
        with tarfile.open(path) as tar:
            assert tar.extractfile("course/static/video.mp4").read() == big.read_bytes()
            assert len(tar.getnames()) == 504  # with course/, course/html/, course/static/
    assert (tmp_path / "p0.tar.gz").read_bytes() == (tmp_path / "p1.tar.gz").read_bytes()
    write_tar_gz(tmp_path / "clean.tar.gz", files)
    assert (tmp_path / "clean.tar.gz").read_bytes() == (tmp_path / "p1.tar.gz").read_bytes()
    a, b = os.urandom(1000), os.urandom(777)
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


@pytest.mark.parametrize("fixture", ["complete", "id-warnings", "lint-graded-hints", "missing-asset"])
def test_validate_reports_the_same_from_the_cache_as_without_it(fixture, tmp_path, monkeypatch, capsys):
    """`pamong validate` takes unchanged chapter files and texts from the build cache; what it reports (errors,
    warnings, lints, the summary) is what a validate that reads everything reports."""
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / "courses" / fixture, root)
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(tmp_path / "cache"))
    runs = []
    for args in (["--no-cache"], [], [], ["--no-cache"]):  # the second validate reads the cache the first filled
        status = run_pamong("validate", *args, str(root))
        runs.append((status, capsys.readouterr()))
    assert all(run == runs[0] for run in runs), runs
    # an edit to course.yaml after the cache was filled: reported as a validate reading everything reports it
    text = (root / "course.yaml").read_text(encoding="utf-8")
    (root / "course.yaml").write_text(text.replace("\ntitle:", "\ntitle: Diubah", 1), encoding="utf-8")
    edited = [(run_pamong("validate", *args, str(root)), capsys.readouterr()) for args in ([], ["--no-cache"])]
    assert edited[0] == edited[1]


def test_validate_without_cache_keeps_nothing(course_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(tmp_path / "cache"))
    assert run_pamong("validate", "--no-cache", str(course_dir)) == 0
    assert not (tmp_path / "cache" / "objects").exists()
    assert run_pamong("validate", str(course_dir)) == 0
    assert any((tmp_path / "cache" / "objects").iterdir())


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_scorm_pages_of_unchanged_chapter_files_come_from_the_cache(fmt, course_dir, tmp_path, monkeypatch):
    from pamong_edx.exporters.scorm import ScormExporter

    cache_dir = tmp_path / "cache"
    build(course_dir, tmp_path / "first", BuildCache(cache_dir))
    rendered = []
    real = ScormExporter._render
    monkeypatch.setattr(ScormExporter, "_render",
                        lambda self, sco, *args: rendered.append(sco.key) or real(self, sco, *args))

    def package(out: str, cache: BuildCache | None) -> bytes:
        del rendered[:]
        course, _ = load_course(course_dir, cache=cache)
        [exporter] = select_exporters([fmt]).values()
        options = {"max_size": None, "sco_per": "sequential", "cache": cache}
        return build_package(course, exporter, tmp_path / out, options).path.read_bytes()

    course, _ = load_course(course_dir)
    inline = {s.id for s in course.chapters[0].sequentials}  # course.yaml's own chapter: rendered every time
    in_file = {s.id for s in course.chapters[1].sequentials}
    assert inline and in_file and not inline & in_file

    package("again", BuildCache(cache_dir))
    assert set(rendered) == inline
    edit(course_dir / "chapters" / "02-evaluasi.yaml", "Tahun berapa UU Desa disahkan?",
         "Pada tahun berapa UU Desa disahkan?")
    edited = package("edited", BuildCache(cache_dir))
    assert set(rendered) == inline | in_file
    assert edited == package("clean", None)
    package("unchanged", BuildCache(cache_dir))
    assert set(rendered) == inline
    # the course title is on every page: no page is taken from the cache, and the package is a clean build's
    edit(course_dir / "course.yaml", "Tata Kelola Desa", "Tata Kelola Desa (revisi)")
    retitled = package("retitled", BuildCache(cache_dir))
    assert set(rendered) == inline | in_file
    assert retitled == package("retitled-clean", None)


@pytest.mark.parametrize("sco_per", ["chapter", "course"])
def test_scorm_rebuilds_with_any_sco_division_are_clean_builds(sco_per, course_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    [exporter] = select_exporters(["scorm2004"]).values()

    def package(out: str, cache: BuildCache | None, per: str = sco_per) -> bytes:
        course, _ = load_course(course_dir, cache=cache)
        options = {"max_size": None, "sco_per": per, "cache": cache}
        return build_package(course, exporter, tmp_path / out, options).path.read_bytes()

    package("first", BuildCache(cache_dir), "sequential")
    assert package("divided", BuildCache(cache_dir)) == package("divided-clean", None)
    edit(course_dir / "chapters" / "02-evaluasi.yaml", "Tahun berapa UU Desa disahkan?",
         "Pada tahun berapa UU Desa disahkan?")
    assert package("edited", BuildCache(cache_dir)) == package("edited-clean", None)


def test_a_rebuild_compresses_only_the_runs_that_changed_and_reads_them_from_one_entry(tmp_path, monkeypatch):
    from pamong_edx.exporters import tar_archive

    files = {f"course/html/b{n:04d}.xml": f"<html>blok {n}</html>\n".encode() * 40 for n in range(600)}
    compressed: list[int] = []
    deflate = tar_archive._deflate
    monkeypatch.setattr(tar_archive, "_deflate",
                        lambda data, level: compressed.append(len(data)) or deflate(data, level))
    cache = BuildCache(tmp_path / "cache")
    write_tar_gz(tmp_path / "a.olx.tar.gz", files, cache=cache)
    first = len(compressed)
    assert first > 10
    reads: list[str] = []
    get = BuildCache.get
    monkeypatch.setattr(BuildCache, "get", lambda self, key: reads.append(key) or get(self, key))
    compressed.clear()
    files["course/html/b0300.xml"] = b"<html>diubah</html>\n"
    write_tar_gz(tmp_path / "a.olx.tar.gz", files, cache=cache)
    assert 1 <= len(compressed) <= 3  # the run holding the edited member (and the archive's closing padding)
    assert len(reads) == 1  # every run known from the package's one entry
    clean = tmp_path / "clean.olx.tar.gz"
    write_tar_gz(clean, files)
    assert (tmp_path / "a.olx.tar.gz").read_bytes() == clean.read_bytes()


def test_zip_entries_deflated_in_the_last_build_are_copied_as_zipfile_writes_them(tmp_path, monkeypatch):
    from pamong_edx.exporters import scorm

    video = tmp_path / "musdes.mp4"
    video.write_bytes(bytes(range(256)) * 300)
    files = {"imsmanifest.xml": b"<manifest/>\n", "b0-s0.html": b"<p>halaman</p>\n" * 500, "kosong.txt": b"",
             "assets/peta d\u00e9sa.svg": b"<svg/>" * 50, "assets/foto.png": b"\x89PNG" * 100,
             "assets/video/musdes.mp4": video, "player/pamong.js": "/* pemutar */\n".encode() * 2000}
    clean = tmp_path / "clean.scorm12.zip"
    scorm.write_zip(clean, files)
    cache = BuildCache(tmp_path / "cache")
    first = tmp_path / "first" / "x.scorm12.zip"
    scorm.write_zip(first, files, cache=cache)
    assert first.read_bytes() == clean.read_bytes()
    compressed: list[bytes] = []
    compressobj = scorm.zlib.compressobj
    monkeypatch.setattr(scorm.zlib, "compressobj", lambda *a: compressed.append(a) or compressobj(*a))
    files["b0-s0.html"] = b"<p>halaman baru</p>\n" * 500
    again = tmp_path / "again" / "x.scorm12.zip"
    scorm.write_zip(again, files, cache=cache)
    assert len(compressed) == 1  # only the changed page is deflated again
    monkeypatch.undo()
    scorm.write_zip(clean, files)
    assert again.read_bytes() == clean.read_bytes()
