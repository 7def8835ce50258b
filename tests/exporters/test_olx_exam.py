"""Tests that certify, in OLX: a question pool as Open edX's problem bank (itembank) drawing K of its problems,
choices shuffled with fixed ones held, and each kind's answer policy as showanswer. The package passes
olxcleaner as Studio runs it on import (every installed XBlock allowed)."""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree
from olx_samples import STUDIO_XBLOCKS, extract, studio_olxcleaner

from pamong_edx.exporters.olx import OlxExporter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scorm"))
from scorm_support import make_exam_course  # noqa: E402


def xml(root: Path, name: str) -> etree._Element:
    return etree.parse(str(root / name)).getroot()


def test_pool_shuffle_and_answer_policy_in_olx(tmp_path):
    course = make_exam_course()
    result = OlxExporter(course, tmp_path).build()
    root = extract(result.path, tmp_path / "x") / "course"

    vertical = xml(root, "vertical/bank.xml")
    assert [(c.tag, c.get("url_name")) for c in vertical] == [("html", "bank-petunjuk"), ("itembank", "bank-pool")]
    bank = xml(root, "itembank/bank-pool.xml")
    assert (bank.get("max_count"), bank.get("display_name")) == ("5", "Bank soal")
    assert [(c.tag, c.get("url_name")) for c in bank] == [("problem", f"bank-{i}") for i in range(1, 11)]
    assert result.counts["pools"] == 1 and (result.counts["drawn"], result.counts["pooled"]) == (5, 10)

    assert xml(root, "problem/pre-1.xml").get("showanswer") == "never"  # a pretest
    assert xml(root, "problem/kuis-1.xml").get("showanswer") == "always"  # a quiz
    assert xml(root, "problem/bank-1.xml").get("showanswer") == "correct_or_past_due"  # after_passing

    group = xml(root, "problem/kuis-1.xml").find("multiplechoiceresponse/choicegroup")
    assert group.get("shuffle") == "true"
    assert [c.get("fixed") for c in group] == [None, None, None, "true", None, None]
    assert any("W206" in w and "fixed choice" in w for w in result.warnings)  # d sits mid-list
    assert xml(root, "problem/pre-1.xml").find("multiplechoiceresponse/choicegroup").get("shuffle") is None

    assert studio_olxcleaner(root) == []
    # a Studio without the problem bank (before Sumac) refuses the pool
    assert any("<itembank>" in e for e in studio_olxcleaner(root, STUDIO_XBLOCKS - {"itembank"}))


def test_olx_from_the_build_cache_is_the_clean_build(tmp_path, monkeypatch):
    """Chapter files of a course with pools, shuffles and numerical patterns (what the renderers work out once
    per run), taken from the build cache: the same bytes and the same warnings as a clean build."""
    from pamong_edx.build import build_package
    from pamong_edx.course.cache import BuildCache
    from pamong_edx.course.loader import load_course

    source = Path(__file__).resolve().parents[2] / "course_src" / "pengelolaan-keuangan-desa"
    written = []
    monkeypatch.setattr(OlxExporter, "_chapter", lambda self, chapter, real=OlxExporter._chapter: (
        written.append(chapter.id), real(self, chapter))[1])
    built = []
    for run in ("clean", "first", "cached"):
        cache = BuildCache(tmp_path / "cache") if run != "clean" else None
        course, diagnostics = load_course(source, cache=cache)
        assert course is not None, diagnostics
        del written[:]
        result = build_package(course, OlxExporter, tmp_path / run, {"max_size": None, "cache": cache})
        built.append((result.path.read_bytes(), result.warnings))
        if cache is not None:
            cache.save()
    assert written == []  # the last build wrote no chapter itself
    assert built[0] == built[1] == built[2]
    assert any(u.pool_draw for _, s in course.sequentials() for u in s.units)


def test_pamong_build_reports_the_pools_of_each_package(tmp_path, capsys, monkeypatch):
    import pytest

    from pamong_edx.cli import main
    from pamong_edx.course.loader import load_course

    monkeypatch.setenv("PAMONG_CACHE_DIR", str(tmp_path / "cache"))
    source = Path(__file__).resolve().parents[2] / "course_src" / "pengelolaan-keuangan-desa"
    course, _ = load_course(source)
    pools = [u for _, s in course.sequentials() for u in s.units if u.pool_draw is not None]
    expected = f"; 1 pool drawing {pools[0].pool_draw} of {len(pools[0].pool)} problems"
    assert len(pools) == 1
    with pytest.raises(SystemExit) as done:
        main(["--lang", "en", "build", str(source), "-f", "olx", "-f", "scorm12", "-f", "moodlexml",
              "-o", str(tmp_path / "dist")])
    out = capsys.readouterr().out
    assert done.value.code == 0
    lines = [line for line in out.splitlines() if line.startswith(("olx ", "scorm12 ", "moodlexml "))]
    assert len(lines) == 3 and all(line.endswith(expected) for line in lines), out
