from collections import Counter

import pytest

from pamong_edx.regions import Region, RegionFileError, UnknownRegion, load_regions


def test_loads_every_row_of_the_2025_file(regions):
    assert len(regions) == 91_599
    assert Counter(r.level for r in regions) == {1: 38, 2: 514, 3: 7_285, 4: 83_762}
    assert len(regions.children()) == 38


@pytest.mark.parametrize("spelling", ["18.71.01.1003", "1871011003", "18 71 01 1003", "1871011003.0"])
def test_lookup_in_any_spelling(regions, spelling):
    assert regions.get(spelling) == Region("18.71.01.1003", "Kedaton")
    assert spelling in regions


def test_prefixes_find_the_levels_above(regions):
    assert regions.name("18") == "Lampung"
    assert regions.name("1871") == "Kota Bandar Lampung"
    assert regions.name("187101") == "Kedaton"
    assert regions.label("1871") == "18.71 Kota Bandar Lampung"


def test_hierarchy_with_types(regions):
    lineage = regions.lineage("1871011003")
    assert [(r.code, r.type) for r in lineage] == [
        ("18", "provinsi"), ("18.71", "kota"), ("18.71.01", "kecamatan"), ("18.71.01.1003", "kelurahan")]
    assert regions.parents("18.71.01.1003") == lineage[:-1]
    assert regions.parents("18") == []
    assert regions.get("18.01").type == "kabupaten"
    kecamatan = regions.children("18.71")
    assert len(kecamatan) == 20 and all(r.type == "kecamatan" for r in kecamatan)


def test_unknown_code_names_the_nearest_known_region(regions):
    assert regions.get("18.71.01.9999") is None
    assert "18.71.01.9999" not in regions
    with pytest.raises(UnknownRegion) as err:
        regions.name("1871019999")
    assert "kecamatan 18.71.01 Kedaton exists but has no desa/kelurahan 9999" in str(err.value)
    with pytest.raises(UnknownRegion, match="not a region code"):
        regions["Kedaton"]


def test_find_ignores_case_spaces_and_punctuation(regions):
    found = regions.find("WAY-HALIM")
    assert found[0].how == "exact" and found[0].region.code == "18.71.15"
    assert {m.region.code for m in found if m.how == "contains"} >= {"18.71.15.1001", "18.71.15.1002"}
    assert [m.region.code for m in regions.find("wayhalim permai")] == ["18.71.15.1002"]


def test_find_within_a_region_and_level(regions):
    found = regions.find("kedaton", within="1871", level=4)
    assert [m.region.code for m in found] == ["18.71.01.1003"]
    assert all(m.region.code.startswith("18.71.") for m in regions.find("sukarame", within="18.71"))


def test_find_suggests_close_names_for_a_typo(regions):
    found = regions.find("Sukamjau", within="18.71.19")
    assert found and all(m.how == "close" for m in found)
    assert found[0].region.name == "Sukamaju"


def test_village_name_matching_within_a_kecamatan(regions):
    assert regions.name_matches("18.71.01.1003", "KEDATON")
    assert regions.name_matches("18.71.01.1003", "Kel. Kedaton")
    assert not regions.name_matches("18.71.01.1003", "Kedaton Baru")
    assert [r.code for r in regions.villages_named("desa sukajawa baru", "18.71.03")] == ["18.71.03.1010"]
    assert regions.closest_village("Sukajawa Bary", "18.71.03").code == "18.71.03.1010"


def test_loader_accepts_bom_and_extra_columns(tmp_path):
    path = tmp_path / "wilayah.csv"
    path.write_text("\ufeffkode,nama,catatan\n18,Lampung,x\n18.71,Kota Bandar Lampung,\n", encoding="utf-8")
    regions = load_regions(path)
    assert regions.label("18.71") == "18.71 Kota Bandar Lampung"
    assert regions.parents("18.71")[0].name == "Lampung"


@pytest.mark.parametrize("content, message", [
    ("code,name\n18,Lampung\n", ":1: expected a header row with the columns kode,nama"),
    ("kode,nama\n18,Lampung\n1871,Kota Bandar Lampung\n", ":3: '1871' is not a dotted region code"),
    ("kode,nama\n18,Lampung\n18,Lampung\n", ":3: code 18 appears twice"),
    ("kode,nama\n", "no regions in the file"),
])
def test_loader_names_the_bad_line(tmp_path, content, message):
    path = tmp_path / "wilayah.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegionFileError) as err:
        load_regions(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(RegionFileError, match="cannot open region file .*nope.csv"):
        load_regions(tmp_path / "nope.csv")
