import pytest

from pamong_edx.roster.positions import CANONICAL, canonical_position, position_group


@pytest.mark.parametrize("name", list(CANONICAL))
def test_every_canonical_name_maps_to_itself_in_any_case(name):
    assert canonical_position(name) == name
    assert canonical_position(name.upper()) == name
    assert canonical_position(f"  {name.lower()} ") == name


@pytest.mark.parametrize("typed, canonical", [
    ("Kades", "Kepala Desa"),
    ("Pj. Kepala Desa", "Kepala Desa"),
    ("Peratin", "Kepala Desa"),
    ("Wali Nagari", "Kepala Desa"),
    ("Sekdes", "Sekretaris Desa"),
    ("Sekertaris Desa", "Sekretaris Desa"),
    ("Bendahara", "Kaur Keuangan"),
    ("Bendahara Desa", "Kaur Keuangan"),
    ("Kepala Urusan Keuangan", "Kaur Keuangan"),
    ("Kaur TU & Umum", "Kaur Tata Usaha dan Umum"),
    ("Kasi Kesra", "Kasi Kesejahteraan"),
    ("Kepala Seksi Pelayanan", "Kasi Pelayanan"),
    ("Kadus", "Kepala Dusun"),
    ("Kepala Kewilayahan", "Kepala Dusun"),
])
def test_aliases(typed, canonical):
    assert canonical_position(typed) == canonical


@pytest.mark.parametrize("typed", ["Lurah", "Kaur", "Operator Desa", ""])
def test_positions_outside_the_list_are_not_guessed(typed):
    assert canonical_position(typed) is None


def test_groups():
    assert {position_group(n) for n in CANONICAL} == {"kepala desa", "sekretaris desa", "kaur", "kasi",
                                                     "kepala dusun"}
    assert position_group("Operator Desa") is None
