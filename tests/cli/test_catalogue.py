"""The message catalogues are complete: every message of the modules listed in scripts/i18n.py's TRANSLATED is
in each language's catalogue, translated, with the same placeholders, and nothing stale; the committed .mo files
are compiled from the .po files as they are. Widening TRANSLATED puts more modules under these rules."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch

import pytest
from babel.messages.catalog import Catalog

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("language", ["id"])
def test_catalogue_matches_the_sources(i18n_tools, messages, language):
    catalog = i18n_tools.read_catalog(i18n_tools.po_path(language))
    assert i18n_tools.problems(catalog, messages) == []


def test_the_translated_modules_exist(i18n_tools):
    for pattern in i18n_tools.TRANSLATED:
        if not pattern.startswith(i18n_tools.CLICK):
            assert list(ROOT.glob(pattern)), f"TRANSLATED names {pattern}, which matches no file"


def test_every_mo_is_compiled_from_its_po(i18n_tools):
    pos = i18n_tools.all_po_files()
    assert any(p.parent.parent.name == "id" and p.stem == "pamong_edx" for p in pos)
    stale = [str(po.relative_to(ROOT)) for po in pos if i18n_tools.stale_mo(po)]
    assert stale == [], "run: python scripts/i18n.py compile"


def test_the_mo_files_are_installed():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    mo = (ROOT / "pamong_edx" / "locale" / "id" / "LC_MESSAGES" / "pamong_edx.mo").relative_to(ROOT / "pamong_edx")
    assert any(fnmatch(mo.as_posix(), pattern) for pattern in data["pamong_edx"])


def catalogue(i18n_tools, entries):
    catalog = Catalog(locale="id", domain="pamong_edx")
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr, locations=[("pamong_edx/plugins.py", None)])
    return catalog


def test_the_checks_catch_each_fault(i18n_tools):
    Message = i18n_tools.Message
    sources = {
        "no {type} plugin named '{name}'": Message("no {type} plugin named '{name}'", {"pamong_edx/plugins.py"}),
        "declares no version": Message("declares no version", {"pamong_edx/plugins.py"}),
        "loaded": Message("loaded", {"pamong_edx/course/commands.py"}),
        "{n} block": Message(("{n} block", "{n} blocks"), {"pamong_edx/course/commands.py"}),
        "elsewhere": Message("elsewhere", {"benchmarks/report_speed.py"}),  # not a TRANSLATED module
    }
    catalog = catalogue(i18n_tools, {
        "no {type} plugin named '{name}'": "tidak ada plugin {jenis} bernama '{name}'",  # a renamed placeholder
        "declares no version": "",  # untranslated
        "gone from the sources": "sudah tidak ada",  # stale
    })
    catalog.add(("{n} block", "{n} blocks"), ("blok",), locations=[("pamong_edx/course/commands.py", None)])
    found = "\n".join(i18n_tools.problems(catalog, sources))
    assert "placeholders of \"no {type} plugin named '{name}'\" differ" in found
    assert "untranslated 'declares no version'" in found
    assert "stale 'gone from the sources'" in found
    assert "missing 'loaded'" in found
    assert "placeholders of '{n} block' differ" in found  # a plural's translation lost its number
    assert "elsewhere" not in found


def test_placeholders_are_read_in_both_styles(i18n_tools):
    assert i18n_tools.placeholders("{n} of {total!r} ({share:.0%})") == {"{n}", "{total!r}", "{share:.0%}"}
    assert i18n_tools.placeholders("%(prog)s, version %(version)s; 100%%") == {"%(prog)s", "%(version)s"}
