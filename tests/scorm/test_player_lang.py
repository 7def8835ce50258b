"""Language packs of the player: the built-in id and en, and packs added by plugins."""

from __future__ import annotations

import importlib
import json
import sys
from importlib import resources

import pytest

from pamong_edx.exporters.scorm_runtime import SCRIPT_STRINGS
from pamong_edx.player import lang
from scorm_support import REPO, build_package, make_fixture_course

PLUGIN_DIR = REPO / "tests" / "fixtures" / "scorm" / "lang_plugin"


def builtin(tag: str) -> dict:
    return json.loads(resources.files("pamong_edx.player").joinpath("lang", f"{tag}.json").read_text("utf-8"))


def test_built_in_packs_translate_the_same_strings():
    en, id_ = builtin("en"), builtin("id")
    assert en["strings"].keys() == id_["strings"].keys()
    assert set(SCRIPT_STRINGS) <= en["strings"].keys()
    assert all(v.strip() for v in id_["strings"].values())
    assert (id_["decimal_separator"], en["decimal_separator"]) == (",", ".")
    assert lang.language_pack("id").strings["your_score"] == "Nilai Anda"
    assert lang.language_pack("en-GB").language == "en"


def test_unknown_language_is_a_clear_error():
    with pytest.raises(lang.LanguagePackError, match=r"no player language pack for 'jv' \(installed: en, id\)"):
        lang.language_pack("jv")


@pytest.fixture
def language_plugin(monkeypatch):
    """Put a third-party distribution with language plugins on sys.path, as `pip install` would."""
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    importlib.invalidate_caches()
    lang.clear_cache()
    yield
    lang.clear_cache()
    sys.modules.pop("pamong_lang_extra", None)


def test_a_plugin_adds_languages(language_plugin):
    assert lang.available_languages() == {
        "en": "pamong-edx 0.1.0", "id": "pamong-edx 0.1.0", "jv": "pamong-lang-extra 1.0.0", "su": "pamong-lang-extra 1.0.0"}
    jv = lang.language_pack("jv")
    assert jv.strings["next"] == "Sabanjure"
    assert jv.strings["your_score"] == "Your score"  # missing strings fall back to English, and are listed
    assert "your_score" in jv.missing and "next" not in jv.missing
    su = lang.language_pack("su-ID")  # a pack given as a JSON file; region subtags resolve to it
    assert (su.language, su.strings["submit"], su.name) == ("su", "Kintunkeun", "Basa Sunda")


def test_a_plugin_cannot_replace_a_built_in_or_misname_itself(language_plugin):
    skipped = lang.skipped_language_plugins()
    assert skipped["id"] == "'id' is built in and cannot be replaced by a plugin"
    assert "declares component 'player_lang_other', expected 'player_lang_xx'" in skipped["xx"]
    assert lang.language_pack("id").strings["next"] == "Berikutnya"


def test_a_course_in_a_plugin_language_builds_and_warns_about_untranslated_strings(language_plugin, tmp_path):
    built = build_package(make_fixture_course(language="jv"), "2004", tmp_path)
    html = (built.root / "final-quiz.html").read_text("utf-8")
    assert '<html lang="jv">' in html and "Kirim wangsulan" in html and "Sabanjure" in html
    assert len(built.result.warnings) == 1 and "language pack 'jv'" in built.result.warnings[0]
