"""Identifiers: slugs, derivation, shortening, sibling numbering."""

from __future__ import annotations

import re

from pamong_edx.course.ids import IdRegistry, derive_id, is_valid_id, slugify
from pamong_edx.course.model import Location


def test_slugify_folds_accents_and_punctuation():
    assert slugify("Apa Itu Desa?") == "apa-itu-desa"
    assert slugify("Pengelolaan Keuangan: APBDes 2026 (Revisi)") == "pengelolaan-keuangan-apbdes-2026-revisi"
    assert slugify("Café — Ñandú") == "cafe-nandu"
    assert slugify("under_score") == "under-score"
    assert slugify("??") == ""


def test_derive_id_joins_parent_and_falls_back():
    assert derive_id("bab-1", "Apa Itu Desa", "sequential") == "bab-1-apa-itu-desa"
    assert derive_id("", "Kedudukan Desa", "chapter") == "kedudukan-desa"
    assert derive_id("bab-1-u", "", "text") == "bab-1-u-text"
    assert derive_id("bab-1-u", "!!!", "video") == "bab-1-u-video"


def test_long_derived_ids_are_shortened_with_a_hash_of_the_whole():
    parent = "bab-1-pengelolaan-keuangan-desa"
    a = derive_id(parent, "Asas Transparan, Akuntabel, Partisipatif serta Tertib dan Disiplin", "unit")
    b = derive_id(parent, "Asas Transparan, Akuntabel, Partisipatif serta Tertib dan Disiplin Anggaran", "unit")
    assert re.fullmatch(r"bab-1-pengelolaan-keuangan-desa-asas-transparan-[0-9a-f]{8}", a)  # 48 chars, less the dash
    assert a != b and a[:-8] == b[:-8]
    assert is_valid_id(a) and len(a) <= 64
    assert derive_id(parent, "Asas", "unit") == "bab-1-pengelolaan-keuangan-desa-asas"


def test_siblings_deriving_the_same_id_are_numbered_and_duplicates_found():
    ids = IdRegistry()
    siblings: dict[str, int] = {}
    assert [ids.derived("u-text", siblings) for _ in range(3)] == ["u-text", "u-text-2", "u-text-3"]
    here, there = Location("a.yaml", 1, 1), Location("b.yaml", 2, 3)
    assert ids.claim("bab-1", here) is None
    assert ids.claim("bab-1", there) == here


def test_valid_ids():
    assert is_valid_id("bab_1-A") and is_valid_id("x" * 64)
    assert not is_valid_id("") and not is_valid_id("x" * 65) and not is_valid_id("bab 1")
    assert not is_valid_id("bab.1") and not is_valid_id("bab:1")
