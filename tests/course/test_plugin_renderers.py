"""A third-party question type through the renderer API, in-process (the fresh-virtualenv run is in
tests/scorm/test_plugin_ordering.py): its renderers are found lazily, and an exporter meeting a question type
without a renderer for its format fails with E114 naming the type and the plugin that provides it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pamong_edx import renderers
from pamong_edx.course.loader import load_course
from pamong_edx.export import ExportError
from pamong_edx.plugins import block_types, exporters

COURSES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"


@pytest.fixture
def ordering(install_plugin):
    install_plugin("pamong-ordering")
    renderers.clear_cache()
    yield block_types()["ordering"]
    renderers.clear_cache()


def test_the_plugins_renderers_are_found_by_format(ordering):
    course, diagnostics = load_course(COURSES / "ordering")
    assert diagnostics == []
    problem = next(p for p in course.problems() if p.type == "ordering")
    assert [i.id for i in problem.items] == ["rpjm-desa", "rkp-desa", "apbdes", "laporan"]
    assert {target: type(renderers.renderer(problem, target)).__name__ for target in renderers.TARGETS} == {
        "olx": "OrderingOlx", "scorm": "OrderingPlayer", "moodlexml": "OrderingMoodle"}


def test_a_format_without_the_types_renderer_names_type_and_plugin(ordering, monkeypatch, tmp_path):
    monkeypatch.setattr(ordering, "renderers", {k: v for k, v in ordering.renderers.items() if k != "moodlexml"})
    renderers.clear_cache()
    course, _ = load_course(COURSES / "ordering")
    out = tmp_path / "dist"
    with pytest.raises(ExportError) as raised:
        exporters()["moodlexml"](course, out).build()
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "E114" and diagnostic.location.line == 27
    assert diagnostic.message.startswith(
        "question type 'ordering' of block_ordering (pamong-ordering 0.1.0) has no moodlexml renderer, so the "
        "moodlexml exporter cannot place it")
    assert not out.exists()  # nothing written
    exporters()["olx"](course, tmp_path / "olx").build()  # the formats it renders still build


def test_a_renderer_path_that_cannot_be_imported_is_a_clear_error(ordering, monkeypatch):
    monkeypatch.setattr(ordering, "renderers", {"olx": "pamong_ordering.nowhere:Missing"})
    renderers.clear_cache()
    with pytest.raises(renderers.RendererError, match="the olx renderer 'pamong_ordering.nowhere:Missing' of block "
                                                      "type 'ordering' cannot be loaded"):
        renderers.renderer("ordering", "olx")
