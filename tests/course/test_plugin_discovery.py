"""One discovery module for every plugin type, lazy: a type's plugins are imported only when it is used."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from pamong_edx.plugins import PLUGIN_TYPES, registry

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "tests" / "fixtures" / "courses"


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running `code`."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_every_group_is_listed_with_versions_and_languages(pamong):
    listed = json.loads(pamong("plugins", "--json")[1])
    assert {p["type"] for p in listed} == set(PLUGIN_TYPES)
    packs = {p["name"]: p for p in listed if p["type"] == "player_lang"}
    assert set(packs) == {"en", "id"}
    assert packs["id"]["component"] == "player_lang_id" and packs["id"]["languages"] == ["id"]
    assert packs["id"]["source"] == "pamong-edx 0.1.0" and packs["id"]["version"] == "1.0.0"
    olx = next(p for p in listed if p["name"] == "olx")
    assert olx["languages"] == ["en", "id"]  # a built-in speaks the core catalogue's languages


def test_language_plugins_are_listed_with_their_reasons(language_plugin, pamong):
    status, out, _ = pamong("plugins")
    assert status == 0
    rows = {tuple(line.split()[:2]): line for line in out.splitlines()}
    assert rows[("player_lang", "jv")].split()[2:6] == ["player_lang_jv", "1.0.0", "pamong-lang-extra", "1.0.0"]
    assert rows[("player_lang", "jv")].endswith("loaded")
    refused = [line for key, line in rows.items() if key == ("player_lang", "id") or key[1].startswith("id@")]
    assert any(line.endswith("skipped: 'id' is built in and cannot be replaced by a plugin") for line in refused)
    assert rows[("player_lang", "xx")].endswith(
        "skipped: declares component 'player_lang_other', expected 'player_lang_xx'")


def test_names_come_from_metadata_and_get_imports_only_the_plugin_asked_for():
    modules = modules_after("""
        from pamong_edx.plugins import registry
        reg = registry()
        assert {"olx", "scorm12", "scorm2004"} <= set(reg.names("exporter")), reg.names("exporter")
        assert {"openedx", "moodle"} <= set(reg.names("lms"))
        reg.get("exporter", "olx")
        table = reg.plugins.table("exporter")
        assert set(table) == {"olx"}, table
        assert reg.plugins.table("lms") == {}
    """)
    assert "pamong_edx.exporters.olx" in modules
    assert "pamong_edx.exporters.scorm" not in modules
    assert not {m for m in modules if m.startswith("pamong_edx.lms")}


def test_validate_imports_no_exporter_no_lms_backend_and_no_requests():
    modules = modules_after(f"""
        from pamong_edx.cli import main
        try:
            main(["validate", {str(COURSES / "minimal")!r}])
        except SystemExit as exit:
            assert exit.code == 0, exit.code
    """)
    assert "pamong_edx.course.loader" in modules
    assert not {m for m in modules if m.startswith(("pamong_edx.lms", "pamong_edx.exporters", "requests",
                                                    "urllib3", "pamong_edx.enrol", "pamong_edx.sandbox"))}


def test_help_imports_no_command_module():
    modules = modules_after("""
        from pamong_edx.cli import main
        try:
            main(["--help"])
        except SystemExit as exit:
            assert exit.code == 0
    """)
    commands = {"pamong_edx.course.commands", "pamong_edx.build", "pamong_edx.roster.commands",
                "pamong_edx.lms.commands", "pamong_edx.enrol.commands", "pamong_edx.sandbox.commands",
                "pamong_edx.regions.commands", "pamong_edx.plugins", "importlib.metadata"}
    assert not modules & commands, modules & commands


def test_a_third_party_name_never_replaces_a_built_in_whatever_the_install_order():
    from importlib.metadata import EntryPoint

    from pamong_edx.plugins import discover

    class Impostor:
        component, version, requires = "exporter_olx", "9.0.0", ">=0.1"

        def prepare(self): ...
        def write(self): ...
        def finish(self): ...

    impostor = EntryPoint(name="olx", value="tests_impostor:Impostor", group="pamong_edx.exporter.v1")
    builtin = EntryPoint(name="olx", value="pamong_edx.exporters.olx:OlxExporter", group="pamong_edx.exporter.v1")
    sys.modules["tests_impostor"] = type(sys)("tests_impostor")
    sys.modules["tests_impostor"].Impostor = Impostor
    try:
        for found in ([impostor, builtin], [builtin, impostor]):
            reg = discover(found)
            assert reg.get("exporter", "olx").__name__ == "OlxExporter"
            skipped = [p for p in reg.plugins["exporter"].values() if not p.loaded]
            assert [p.error for p in skipped] == ["'olx' is built in and cannot be replaced by a plugin"]
    finally:
        del sys.modules["tests_impostor"]


def test_the_process_registry_is_shared_and_lazy():
    assert registry() is registry()
    assert registry().get("block", "text").component == "block_text"


def test_a_plugin_speaks_the_chosen_language_from_its_own_catalogue(install_plugin, pamong):
    install_plugin("pamong-pengumuman")
    course = str(COURSES / "pengumuman")
    _, _, english = pamong("--lang", "en", "validate", course)
    assert "W901 an announcement without 'until' is shown for ever; give the date it ends" in english
    _, _, indonesian = pamong("--lang", "id", "validate", course)
    assert "W901 pengumuman tanpa 'until' akan tampil selamanya; isi tanggal berakhirnya" in indonesian
    listed = {p["name"]: p for p in json.loads(pamong("plugins", "--json")[1])}
    assert listed["pengumuman"]["languages"] == ["en", "id"] and listed["pengumuman"]["loaded"]


def test_a_catalogue_that_is_not_one_is_refused():
    from pamong_edx.plugins import PluginInfo, check_plugin

    class Block:
        component, version, requires = "block_x", "1.0.0", ">=0.1"
        catalogue = "pamong_x/locale"

        @classmethod
        def build(cls, raw, ctx): ...

    info = check_plugin(PluginInfo(type="block", name="x"), Block)
    assert info.error == "its catalogue is not a pamong_edx.i18n.Catalogue"


def test_discovery_imports_no_plugin_code():
    """plugins.py sits below every plugin: plugin code (player/lang.py, the loader) imports it, never the reverse,
    so no import cycle runs through it."""
    modules = modules_after("import pamong_edx.plugins")
    assert not {m for m in modules if m.startswith(("pamong_edx.player", "pamong_edx.course", "pamong_edx.lms",
                                                    "pamong_edx.exporters", "pamong_edx.enrol"))}


def test_validate_does_not_import_the_player_templates():
    modules = modules_after(f"""
        from pamong_edx.cli import main
        try:
            main(["validate", {str(COURSES / "minimal")!r}])
        except SystemExit as exit:
            assert exit.code == 0, exit.code
    """)
    assert "pamong_edx.player.lang" in modules  # the course's language is checked against the packs
    assert "jinja2" not in modules and "pamong_edx.player.render" not in modules
