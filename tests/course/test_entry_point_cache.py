"""The entry-point cache (plugins.installed_entry_points): a scan of the installed distributions is kept, and
taken again only while nothing it read changed."""

from __future__ import annotations

import sys

from pamong_edx import plugins
from pamong_edx.plugins import CachedEntryPoint, discover, group_name, installed_entry_points


def write_dist(site, name: str, entry_points: dict[str, str]):
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[{group_name('block')}]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()), encoding="utf-8")
    return info


def names(found) -> set[tuple[str, str]]:
    return {(ep.name, ep.value) for ep in found if ep.group == group_name("block")}


def test_the_second_discovery_reads_the_cache_and_loads_the_same_plugins(tmp_path, monkeypatch):
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(tmp_path / "cache"))
    first = installed_entry_points()
    assert not any(isinstance(ep, CachedEntryPoint) for ep in first)
    again = installed_entry_points()
    assert again and all(isinstance(ep, CachedEntryPoint) for ep in again)
    assert [(ep.name, ep.value, ep.group) for ep in again] == [(ep.name, ep.value, ep.group) for ep in first]
    assert [(ep.dist.name, ep.dist.version) for ep in again] == [(ep.dist.name, ep.dist.version) for ep in first]
    # plugins discovered from the cache load and check exactly like those from importlib.metadata
    fresh, cached = discover(first), discover(again)
    assert {(p.type, p.name, p.source, p.error) for p in cached.all()} == \
           {(p.type, p.name, p.source, p.error) for p in fresh.all()}
    assert cached.get("block", "text") is fresh.get("block", "text")


def test_a_new_distribution_or_a_changed_entry_points_file_is_scanned_again(tmp_path, monkeypatch):
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    installed_entry_points()
    assert ("kuis", "kuis_plugin:Kuis") not in names(installed_entry_points())

    info = write_dist(site, "pamong_kuis", {"kuis": "kuis_plugin:Kuis"})
    assert ("kuis", "kuis_plugin:Kuis") in names(installed_entry_points())
    assert ("kuis", "kuis_plugin:Kuis") in names(installed_entry_points())  # now from the cache

    (info / "entry_points.txt").write_text(f"[{group_name('block')}]\nujian = kuis_plugin:Ujian\n", encoding="utf-8")
    found = names(installed_entry_points())
    assert ("ujian", "kuis_plugin:Ujian") in found and ("kuis", "kuis_plugin:Kuis") not in found


def test_each_sys_path_keeps_its_own_scan(tmp_path, monkeypatch):
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    write_dist(site, "pamong_kuis", {"kuis": "kuis_plugin:Kuis"})
    without = list(sys.path)
    installed_entry_points()
    monkeypatch.syspath_prepend(str(site))
    assert ("kuis", "kuis_plugin:Kuis") in names(installed_entry_points())
    monkeypatch.setattr(sys, "path", without)
    found = installed_entry_points()
    assert all(isinstance(ep, CachedEntryPoint) for ep in found)  # the first scan was kept beside the second
    assert ("kuis", "kuis_plugin:Kuis") not in names(found)


def test_a_damaged_or_unwritable_cache_costs_only_a_scan(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(cache))
    cache.mkdir()
    (cache / "entry-points.json").write_text("{not json", encoding="utf-8")
    assert names(installed_entry_points())
    (cache / "entry-points.json").write_text('[{"signature": 1, "entry_points": 5}]', encoding="utf-8")
    assert names(installed_entry_points())
    monkeypatch.setattr(plugins, "_entry_point_cache", lambda: tmp_path / "file" / "entry-points.json")
    (tmp_path / "file").write_text("a file where the cache folder should be", encoding="utf-8")
    assert names(installed_entry_points())


def test_the_cache_folder_it_makes_is_the_owners_alone(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("PAMONG_CACHE_DIR", str(cache))
    installed_entry_points()
    assert (cache / "entry-points.json").is_file()
    assert cache.stat().st_mode & 0o077 == 0
