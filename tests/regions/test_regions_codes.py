import pytest

from pamong_edx.regions.codes import level_of, normalise_code, parent_code, region_type


@pytest.mark.parametrize("typed, dotted", [
    ("18.71.01.1003", "18.71.01.1003"),
    ("1871011003", "18.71.01.1003"),
    (" 1871011003 ", "18.71.01.1003"),
    ("18 71 01 1003", "18.71.01.1003"),
    ("18-71-01-1003", "18.71.01.1003"),
    ("18. 71. 01. 1003", "18.71.01.1003"),
    ("1871011003.0", "18.71.01.1003"),
    ("18", "18"),
    ("1871", "18.71"),
    ("187101", "18.71.01"),
    ("18.71", "18.71"),
])
def test_common_spellings_give_the_dotted_code(typed, dotted):
    assert normalise_code(typed) == dotted


@pytest.mark.parametrize("typed", ["", "1", "187", "18710110", "187101100399", "18.7.01.1003", "18.71.01.103",
                                   "desa", "18.71.01.1003x", "1871011003.5"])
def test_text_that_is_not_a_code_gives_none(typed):
    assert normalise_code(typed) is None


def test_levels_and_parents():
    assert [level_of(c) for c in ("18", "18.71", "18.71.01", "18.71.01.1003")] == [1, 2, 3, 4]
    assert parent_code("18.71.01.1003") == "18.71.01"
    assert parent_code("18") is None


@pytest.mark.parametrize("code, name, kind", [
    ("18", "Lampung", "provinsi"),
    ("18.01", "Kabupaten Lampung Selatan", "kabupaten"),
    ("18.71", "Kota Bandar Lampung", "kota"),
    ("18.71.01", "Kedaton", "kecamatan"),
    ("18.71.01.1003", "Kedaton", "kelurahan"),
    ("18.01.01.2001", "Any", "desa"),
    ("91.03.01.3007", "Desa Adat Yoboi", "desa adat"),
])
def test_region_type(code, name, kind):
    assert region_type(code, name) == kind


def test_full_width_digits_read_as_a_code():
    from pamong_edx.regions.codes import is_dotted

    assert normalise_code("\uff11\uff18\uff17\uff11\uff10\uff11\uff11\uff10\uff10\uff13") == "18.71.01.1003"
    assert not is_dotted("\uff11\uff18")  # the region file itself must use ASCII digits
