"""The region file's checked copy in the cache folder: used when the file is the same, never when it changed."""

import os

import pytest

from pamong_edx.regions import cache, load_regions
from pamong_edx.regions import reference


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(folder))
    return folder


def test_a_region_file_read_before_is_loaded_from_its_copy(wilayah, cache_dir, monkeypatch):
    first = load_regions(wilayah)
    [copy] = list(cache_dir.iterdir())
    assert copy.name.startswith("regions-") and (copy.stat().st_mode & 0o777) == 0o600
    assert (cache_dir.stat().st_mode & 0o777) == 0o700
    monkeypatch.setattr(reference, "_columns", lambda reader: pytest.fail("parsed again"))
    second = load_regions(wilayah)
    assert second.names == first.names and list(second.names) == list(first.names)
    assert second.names["12.07.28.1007"] == "Lubuk Pakam I,II"  # a quoted name survives the plain copy


def test_a_changed_region_file_is_read_again(tmp_path, cache_dir):
    path = tmp_path / "wilayah.csv"
    path.write_text("kode,nama\n18,Lampung\n", encoding="utf-8")
    assert load_regions(path).names == {"18": "Lampung"}
    path.write_text("kode,nama\n18,Lampung\n18.71,Kota Bandar Lampung\n", encoding="utf-8")
    assert load_regions(path).names == {"18": "Lampung", "18.71": "Kota Bandar Lampung"}
    assert len(list(cache_dir.iterdir())) == 2


def test_a_damaged_copy_is_ignored_and_written_again(tmp_path, cache_dir):
    path = tmp_path / "wilayah.csv"
    path.write_text("kode,nama\n18,Lampung\n", encoding="utf-8")
    load_regions(path)
    [copy] = list(cache_dir.iterdir())
    copy.write_text("pamong-regions/1\n5\n18\n", encoding="utf-8")
    assert load_regions(path).names == {"18": "Lampung"}
    assert cache.load(path.read_bytes()) == {"18": "Lampung"}


def test_an_unwritable_cache_folder_only_means_no_copy(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(blocker / "cache"))
    path = tmp_path / "wilayah.csv"
    path.write_text("kode,nama\n18,Lampung\n", encoding="utf-8")
    assert load_regions(path).names == {"18": "Lampung"}


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("PAMONG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.user_cache_dir() == tmp_path / "pamong-edx"
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(tmp_path / "x"))
    assert cache.user_cache_dir() == tmp_path / "x"
    assert os.path.isabs(cache.user_cache_dir())
