"""Third-party plugins: discovered through entry points exactly like the built-ins, never crashing discovery.

The fixture projects under tests/fixtures/plugins/ are made discoverable by putting their source and a
generated .dist-info on the path (see conftest.install_plugin), as `pip install` would."""

from __future__ import annotations

import json
from importlib.metadata import EntryPoint
from pathlib import Path

from pamong_edx.course.loader import load_course
from pamong_edx.course.schema import course_schema
from pamong_edx.export import Exporter
from pamong_edx.plugins import PluginInfo, block_types, check_plugin, exporters, load_entry_point, registry

COURSES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
def test_without_the_plugin_callout_is_an_unknown_block_type():
    course, diagnostics = load_course(COURSES / "callout")
    assert course is None
    assert [(d.code, d.location.line) for d in diagnostics] == [("E104", 15), ("W204", 1)]


def test_callout_plugin_is_discovered_and_builds_with_its_exporter(install_plugin, tmp_path):
    install_plugin("pamong-callout")
    callout = registry().plugins["block"]["callout"]
    assert (callout.loaded, callout.component, callout.version, callout.source) == (
        True, "block_callout", "0.2.0", "pamong-callout 0.2.0")
    assert "markdown" in exporters() and "text" in block_types()  # built-ins are still there

    course, diagnostics = load_course(COURSES / "callout")
    assert diagnostics == []
    note = list(course.blocks())[1]
    assert (note.type, note.style, note.id) == ("callout", "warning", "musyawarah-desa-berita-acara-arsip-callout")
    assert '<img src="assets/alur.svg" alt="Alur musyawarah desa" />' in str(note.html)  # assets checked as for text
    assert "block_callout" in course_schema(block_types())["$defs"]

    exporter = exporters()["markdown"](course, tmp_path / "dist")
    result = exporter.build()
    text = result.path.read_text(encoding="utf-8")
    assert result.path.name == "PamongX-CALL-1.md"
    assert "> **WARNING:** Simpan **berita acara** sebagai arsip desa." in text
    assert "- [x] b. BPD" in text and "- [ ] a. Camat" in text
    assert result.counts == {"blocks": 3, "problems": 1}


def test_callout_assets_are_checked_like_any_block(install_plugin, course_copy):
    install_plugin("pamong-callout")
    root = course_copy("callout")
    (root / "assets" / "alur.svg").unlink()
    _, diagnostics = load_course(root)
    assert [(d.code, d.location.line) for d in diagnostics] == [("E109", 20)]


class TextOnlyExporter(Exporter):
    """An exporter that knows only text and single_choice blocks natively."""

    name = "text-only"
    supported_blocks = frozenset({"text", "single_choice"})


def test_other_exporters_place_the_callout_through_its_to_html(install_plugin, tmp_path):
    install_plugin("pamong-callout")
    course, _ = load_course(COURSES / "callout")
    exporter = TextOnlyExporter(course, tmp_path)
    assert exporter.unsupported_blocks() == []
    note = list(course.blocks())[1]
    html = exporter.html_fallback(note)(note)
    assert html.assets == ("alur.svg",)
    assert str(html).startswith('<div class="callout callout-warning" role="note">\n<p>Simpan <strong>berita acara')


def test_cli_sees_the_plugin_through_pythonpath(install_plugin, run_pamong, tmp_path):
    env = install_plugin("pamong-callout")
    listed = json.loads(run_pamong("plugins", "--json", env=env).stdout)
    mine = {(p["type"], p["name"]): p for p in listed if p["source"] == "pamong-callout 0.2.0"}
    assert set(mine) == {("block", "callout"), ("exporter", "markdown")}
    assert all(p["loaded"] for p in mine.values())

    table = run_pamong("plugins", env=env).stdout
    assert any(line.split()[:3] == ["exporter", "markdown", "exporter_markdown"] for line in table.splitlines())

    validated = run_pamong("validate", "--strict", str(COURSES / "callout"), env=env)
    assert validated.returncode == 0, validated.stderr

    built = run_pamong("build", str(COURSES / "callout"), "--format", "markdown", "-o", str(tmp_path / "dist"),
                       env=env)
    assert built.returncode == 0, built.stderr
    assert "> **WARNING:**" in (tmp_path / "dist" / "PamongX-CALL-1.md").read_text(encoding="utf-8")


def test_broken_plugins_are_reported_and_skipped(install_plugin, pamong):
    install_plugin("pamong-broken")
    blocks = registry().plugins["block"]
    assert not blocks["quiz_timer"].loaded
    assert "failed to import pamong_broken.needs_missing:QuizTimerBlockType: ModuleNotFoundError" in \
        blocks["quiz_timer"].error
    assert not blocks["poll"].loaded
    assert blocks["poll"].error == "requires core >=2,<3, this is 0.1.0"
    assert "poll" not in block_types() and "quiz_timer" not in block_types() and "text" in block_types()

    status, out, _ = pamong("plugins")
    assert status == 0
    poll = next(line for line in out.splitlines() if line.split()[:2] == ["block", "poll"])
    assert "pamong-broken 1.0.0" in poll and poll.endswith("skipped: requires core >=2,<3, this is 0.1.0")


def test_a_course_using_a_skipped_plugin_says_why(install_plugin, course_copy):
    install_plugin("pamong-broken")
    root = course_copy("minimal")
    path = root / "course.yaml"
    path.write_text(path.read_text().replace("type: text", "type: poll"))
    _, diagnostics = load_course(root)
    [diagnostic] = diagnostics
    assert diagnostic.code == "E104"
    assert diagnostic.message == ("unknown block type 'poll' (its plugin was skipped: requires core >=2,<3, this "
                                  "is 0.1.0; see `pamong plugins`)")


def test_broken_plugins_do_not_break_the_cli(install_plugin, run_pamong):
    env = install_plugin("pamong-broken")
    result = run_pamong("validate", str(COURSES / "minimal"), env=env)
    assert result.returncode == 0 and result.stderr == ""


class CrashingBlockType:
    """A block plugin with a bug: it loads, then raises while building."""

    component = "block_crash"
    name = "crash"
    version = "1.0.0"
    requires = ">=0.1,<1"
    schema = {"properties": {"text": {"type": "string"}}}

    @classmethod
    def build(cls, raw, ctx):
        raise KeyError("text")


class WrongResultBlockType(CrashingBlockType):
    component = "block_wrong"
    name = "wrong"

    @classmethod
    def build(cls, raw, ctx):
        return {"not": "a block"}


def test_a_block_plugin_failing_in_build_costs_only_its_block(course_copy):
    root = course_copy("minimal")
    path = root / "course.yaml"
    path.write_text(path.read_text() + "              - type: crash\n                text: x\n"
                    "              - type: wrong\n              - type: txet\n")
    types = {**block_types(), "crash": CrashingBlockType, "wrong": WrongResultBlockType}
    course, diagnostics = load_course(root, types)
    assert course is None
    assert [(d.code, d.location.line) for d in diagnostics] == [("E116", 15), ("E116", 17), ("E104", 18)]
    assert diagnostics[0].message.startswith("the block_crash plugin failed on this block: KeyError: 'text'")
    assert "built dict instead of a block" in diagnostics[1].message


def test_a_plugin_lacking_what_its_type_needs_is_skipped():
    class NoBuild:
        component, version, requires = "block_nobuild", "1.0.0", ">=0.1"

    class BadSchema(CrashingBlockType):
        component = "block_badschema"
        schema = ["text"]

    class HalfExporter:
        component, version, requires = "exporter_half", "1.0.0", ">=0.1"

        def prepare(self): ...

    def check(plugin_type, name, obj):
        return check_plugin(PluginInfo(type=plugin_type, name=name), obj)

    assert check("block", "nobuild", NoBuild).error == "has no build()"
    assert check("block", "badschema", BadSchema).error == "its schema is not a mapping with a 'properties' mapping"
    assert check("exporter", "half", HalfExporter).error == "has no write(), finish()"
    assert check("block", "crash", CrashingBlockType).loaded


def test_a_plugin_that_exits_while_imported_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "pamong_exits.py").write_text("import sys\nsys.exit('no licence file')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = EntryPoint(name="exits", value="pamong_exits:Block", group="pamong_edx.block.v1")
    info = load_entry_point("block", ep)
    assert not info.loaded and info.error == "failed to import pamong_exits:Block: SystemExit: no licence file"
